/** Reading HAProxy's 0-indexed header tables into plain arrays. */

/** Every value of one header, in order. [T] HAProxy header tables start at index 0. */
export function headerValues(headers: HaproxyHeaders, lowerName: string): string[] {
  const out: string[] = [];
  const t = headers.get(lowerName);
  if (t === undefined) return out;
  let i = 0;
  while (t.get(i) !== undefined) {
    out.push(t.get(i));
    i++;
  }
  return out;
}
