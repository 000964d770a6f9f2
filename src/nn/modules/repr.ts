/** A layer's options for printing: the ones given, as name=value (arrays as [a,b]), e.g. 'stride=2, bias=false'. */
export function optionsRepr(options: object | undefined, skip: readonly string[] = []): string {
  return Object.entries(options ?? {})
    .filter(([k, v]) => v !== undefined && !skip.includes(k))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : v === null ? 'null' : String(v)}`)
    .join(', ');
}

/** Joins the non-empty parts of a repr with ', '. */
export function joinRepr(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(', ');
}
