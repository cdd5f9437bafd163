/**
 * RFC 8941 Structured Field Values: the List type with parameterised Items,
 * parsed and serialised byte by byte (no RegExp, so TSTL compiles it and it
 * means the same in Lua). Inner lists parse but are refused by the caller.
 */
import { isAlpha, isDigit } from "./bytes";

export type BareItem =
  | { readonly t: "int"; readonly v: number }
  /** Decimals are kept as their text: no float may differ between Node and Lua. */
  | { readonly t: "dec"; readonly v: string }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "tok"; readonly v: string }
  | { readonly t: "bytes"; readonly v: string }
  | { readonly t: "bool"; readonly v: boolean };

export interface SfParam {
  readonly key: string;
  readonly value: BareItem;
}

export interface SfItem {
  readonly value: BareItem;
  readonly params: readonly SfParam[];
  /** True when this list member was an inner list (its value is then a placeholder). */
  readonly inner: boolean;
}

export type SfListResult = { readonly ok: true; readonly items: readonly SfItem[] } | { readonly ok: false; readonly error: string };

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  peek(): number {
    return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : -1;
  }
  eof(): boolean {
    return this.pos >= this.s.length;
  }
}

interface Fail {
  error: string;
}

function isLcAlpha(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** RFC 9110 tchar. */
function isTchar(c: number): boolean {
  if (isAlpha(c) || isDigit(c)) return true;
  return (
    c === 33 || c === 35 || c === 36 || c === 37 || c === 38 || c === 39 || c === 42 || c === 43 || c === 45 ||
    c === 46 || c === 94 || c === 95 || c === 96 || c === 124 || c === 126
  );
}

function isBase64(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 43 || c === 47 || c === 61;
}

function skipSp(c: Cursor): void {
  while (c.peek() === 32) c.pos++;
}

function skipOws(c: Cursor): void {
  while (c.peek() === 32 || c.peek() === 9) c.pos++;
}

function parseKey(c: Cursor): string | Fail {
  const first = c.peek();
  if (!isLcAlpha(first) && first !== 42) return { error: "parameter key must start with a-z or *" };
  const start = c.pos;
  for (;;) {
    const ch = c.peek();
    if (isLcAlpha(ch) || isDigit(ch) || ch === 95 || ch === 45 || ch === 46 || ch === 42) c.pos++;
    else break;
  }
  return c.s.substring(start, c.pos);
}

function parseNumber(c: Cursor): BareItem | Fail {
  const start = c.pos;
  let neg = false;
  if (c.peek() === 45) {
    neg = true;
    c.pos++;
  }
  if (!isDigit(c.peek())) return { error: "expected a digit" };
  let intDigits = 0;
  let value = 0;
  while (isDigit(c.peek())) {
    value = value * 10 + (c.peek() - 48);
    intDigits++;
    c.pos++;
    if (intDigits > 15) return { error: "integer has more than 15 digits" };
  }
  if (c.peek() !== 46) return { t: "int", v: neg ? -value : value };
  if (intDigits > 12) return { error: "decimal has more than 12 integer digits" };
  c.pos++;
  let frac = 0;
  while (isDigit(c.peek())) {
    frac++;
    c.pos++;
    if (frac > 3) return { error: "decimal has more than 3 fraction digits" };
  }
  if (frac === 0) return { error: "decimal ends with a dot" };
  return { t: "dec", v: c.s.substring(start, c.pos) };
}

function parseString(c: Cursor): BareItem | Fail {
  c.pos++;
  let out = "";
  for (;;) {
    if (c.eof()) return { error: "unterminated string" };
    const ch = c.peek();
    c.pos++;
    if (ch === 92) {
      const n = c.peek();
      if (n !== 34 && n !== 92) return { error: "bad escape in string" };
      out = out + String.fromCharCode(n);
      c.pos++;
    } else if (ch === 34) {
      return { t: "str", v: out };
    } else if (ch < 32 || ch > 126) {
      return { error: "string has a byte outside printable ASCII" };
    } else {
      out = out + String.fromCharCode(ch);
    }
  }
}

function parseBareItem(c: Cursor): BareItem | Fail {
  const ch = c.peek();
  if (ch === 45 || isDigit(ch)) return parseNumber(c);
  if (ch === 34) return parseString(c);
  if (isAlpha(ch) || ch === 42) {
    const start = c.pos;
    c.pos++;
    for (;;) {
      const n = c.peek();
      if (isTchar(n) || n === 58 || n === 47) c.pos++;
      else break;
    }
    return { t: "tok", v: c.s.substring(start, c.pos) };
  }
  if (ch === 58) {
    c.pos++;
    const start = c.pos;
    while (isBase64(c.peek())) c.pos++;
    if (c.peek() !== 58) return { error: "unterminated byte sequence" };
    const v = c.s.substring(start, c.pos);
    c.pos++;
    return { t: "bytes", v };
  }
  if (ch === 63) {
    c.pos++;
    const b = c.peek();
    if (b !== 48 && b !== 49) return { error: "boolean must be ?0 or ?1" };
    c.pos++;
    return { t: "bool", v: b === 49 };
  }
  return { error: "unexpected byte" };
}

function parseParams(c: Cursor): SfParam[] | Fail {
  const params: SfParam[] = [];
  while (c.peek() === 59) {
    c.pos++;
    skipSp(c);
    const key = parseKey(c);
    if (typeof key !== "string") return key;
    let value: BareItem = { t: "bool", v: true };
    if (c.peek() === 61) {
      c.pos++;
      const v = parseBareItem(c);
      if ("error" in v) return v;
      value = v;
    }
    // RFC 8941: a repeated key overrides the earlier one
    let replaced = false;
    for (let i = 0; i < params.length; i++) {
      if (params[i].key === key) {
        params[i] = { key, value };
        replaced = true;
      }
    }
    if (!replaced) params.push({ key, value });
  }
  return params;
}

function parseMember(c: Cursor): SfItem | Fail {
  if (c.peek() === 40) {
    c.pos++;
    for (;;) {
      skipSp(c);
      if (c.peek() === 41) {
        c.pos++;
        break;
      }
      if (c.eof()) return { error: "unterminated inner list" };
      const v = parseBareItem(c);
      if ("error" in v) return v;
      const p = parseParams(c);
      if ("error" in p) return p;
      const n = c.peek();
      if (n !== 32 && n !== 41) return { error: "bad inner list" };
    }
    const p = parseParams(c);
    if ("error" in p) return p;
    return { value: { t: "bool", v: false }, params: p, inner: true };
  }
  const v = parseBareItem(c);
  if ("error" in v) return v;
  const p = parseParams(c);
  if ("error" in p) return p;
  return { value: v, params: p, inner: false };
}

/** Parse a List from one or more field lines (RFC 8941 §4.2: lines are joined with commas). */
export function parseList(lines: readonly string[]): SfListResult {
  let input = "";
  for (let i = 0; i < lines.length; i++) input = input + (i > 0 ? "," : "") + lines[i];
  const c = new Cursor(input);
  skipSp(c);
  const items: SfItem[] = [];
  if (c.eof()) return { ok: true, items };
  for (;;) {
    const m = parseMember(c);
    if ("error" in m) return { ok: false, error: m.error + " at byte " + c.pos };
    items.push(m);
    skipOws(c);
    if (c.eof()) break;
    if (c.peek() !== 44) return { ok: false, error: "expected a comma at byte " + c.pos };
    c.pos++;
    skipOws(c);
    if (c.eof()) return { ok: false, error: "trailing comma" };
  }
  return { ok: true, items };
}

function serializeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 34 || ch === 92) out = out + "\\";
    out = out + String.fromCharCode(ch);
  }
  return out + '"';
}

export function serializeBareItem(b: BareItem): string {
  if (b.t === "int") return "" + b.v;
  if (b.t === "dec") return b.v;
  if (b.t === "str") return serializeString(b.v);
  if (b.t === "tok") return b.v;
  if (b.t === "bytes") return ":" + b.v + ":";
  return b.v ? "?1" : "?0";
}

/** Serialise items back to a field value (booleans true as bare keys, as RFC 8941 prescribes). */
export function serializeList(items: readonly SfItem[]): string {
  let out = "";
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    out = out + (i > 0 ? ", " : "") + serializeBareItem(it.value);
    for (const p of it.params) {
      out = out + ";" + p.key;
      if (!(p.value.t === "bool" && p.value.v)) out = out + "=" + serializeBareItem(p.value);
    }
  }
  return out;
}
