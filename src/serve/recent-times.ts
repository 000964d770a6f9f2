// The median of the last few measured durations: an estimate a single collector pause does not move.
export class RecentTimes {
  private readonly times: number[] = [];
  private mid: number | undefined;

  constructor(private readonly keep = 15) {}

  record(seconds: number): void {
    this.times.push(seconds);
    if (this.times.length > this.keep) this.times.shift();
    const sorted = [...this.times].sort((a, b) => a - b);
    this.mid = sorted[sorted.length >> 1];
  }

  /** The median of the recent durations, in seconds; undefined before the first. */
  get median(): number | undefined {
    return this.mid;
  }
}
