/** Reading what the request and response carry: 0-indexed header tables, string vars. */

/** A txn variable that holds a string, or undefined. */
export function varString(txn: HaproxyTxn, name: string): string | undefined {
  const v = txn.get_var(name);
  return typeof v === "string" ? v : undefined;
}

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
