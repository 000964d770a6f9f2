export function buildDemo(out?: string): Promise<string>;
