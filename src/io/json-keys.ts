/**
 * The keys of a JSON object's top level, in order, duplicates included — what JSON.parse hides
 * (it keeps the last of two equal keys). A single pass that allocates only the keys; the text is
 * assumed to be the one JSON.parse is given next, so this does not judge its validity: it only
 * tracks string literals (with their escapes) and nesting depth.
 */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      if (depth === 1 && expectKey) {
        try {
          keys.push(JSON.parse(text.slice(start, i + 1)) as string);
        } catch {
          keys.push(text.slice(start + 1, i));
        }
        expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth === 1 && c === 0x7b) expectKey = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}
