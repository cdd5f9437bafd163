/**
 * RFC 8941 Structured Field Values: the List type with parameterised Items,
 * parsed and serialised byte by byte (no RegExp, so TSTL compiles it and it
 * means the same in Lua). Inner lists parse but are refused by the caller,
 * and only their parameters are kept, so the serialiser refuses them too.
 */
import { isAlpha, isDigit, itoa } from "./bytes";

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

export type SfSerialized = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

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

/** Bytes after a token's first: tchar, ":" and "/". */
function isTokenChar(c: number): boolean {
  return isTchar(c) || c === 58 || c === 47;
}

/** Bytes after a key's first: lcalpha, DIGIT, "_", "-", ".", "*". */
function isKeyChar(c: number): boolean {
  return isLcAlpha(c) || isDigit(c) || c === 95 || c === 45 || c === 46 || c === 42;
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
  c.pos++;
  while (isKeyChar(c.peek())) c.pos++;
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
    while (isTokenChar(c.peek())) c.pos++;
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

function isKey(s: string): boolean {
  if (s.length === 0) return false;
  const first = s.charCodeAt(0);
  if (!isLcAlpha(first) && first !== 42) return false;
  for (let i = 1; i < s.length; i++) if (!isKeyChar(s.charCodeAt(i))) return false;
  return true;
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  const first = s.charCodeAt(0);
  if (!isAlpha(first) && first !== 42) return false;
  for (let i = 1; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** A Decimal's text as the parser keeps it: -?DIGIT{1,12}.DIGIT{1,3}. */
function isDecimalText(s: string): boolean {
  let i = s.length > 0 && s.charCodeAt(0) === 45 ? 1 : 0;
  const intStart = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  const intDigits = i - intStart;
  if (intDigits < 1 || intDigits > 12 || i >= s.length || s.charCodeAt(i) !== 46) return false;
  i++;
  const fracDigits = s.length - i;
  if (fracDigits < 1 || fracDigits > 3) return false;
  for (; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

function isBase64Text(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isBase64(s.charCodeAt(i))) return false;
  return true;
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

/** Why RFC 8941 §4.1 cannot serialise this bare item, or undefined when it can. */
function bareItemError(b: BareItem): string | undefined {
  if (b.t === "int") {
    // Math.floor is plain math.floor in Lua; fractions and NaN fail it in both runtimes
    if (Math.floor(b.v) !== b.v || b.v > 999999999999999 || b.v < -999999999999999) return "integer out of range";
  } else if (b.t === "dec") {
    if (!isDecimalText(b.v)) return "decimal is not -?DIGIT{1,12}.DIGIT{1,3}";
  } else if (b.t === "str") {
    for (let i = 0; i < b.v.length; i++) {
      const ch = b.v.charCodeAt(i);
      if (ch < 32 || ch > 126) return "string has a byte outside printable ASCII";
    }
  } else if (b.t === "tok") {
    if (!isToken(b.v)) return "not a token";
  } else if (b.t === "bytes") {
    if (!isBase64Text(b.v)) return "byte sequence is not base64 text";
  }
  return undefined;
}

export function serializeBareItem(b: BareItem): string {
  // itoa: an integral float (Fengari above 2^31, or Lua arithmetic) must not print as 1e+14 or 3.0
  if (b.t === "int") return itoa(b.v);
  if (b.t === "dec") return b.v;
  if (b.t === "str") return serializeString(b.v);
  if (b.t === "tok") return b.v;
  if (b.t === "bytes") return ":" + b.v + ":";
  return b.v ? "?1" : "?0";
}

/** RFC 8941 §4.1.1 List serialisation (booleans true as bare keys); fails, as the RFC says, on what the syntax cannot carry. */
export function trySerializeList(items: readonly SfItem[]): SfSerialized {
  let out = "";
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    // the parser keeps no inner-list members, so there is nothing faithful to write
    if (it.inner) return { ok: false, error: "inner list members are not kept (member " + i + ")" };
    const e = bareItemError(it.value);
    if (e !== undefined) return { ok: false, error: e + " (member " + i + ")" };
    out = out + (i > 0 ? ", " : "") + serializeBareItem(it.value);
    for (const p of it.params) {
      if (!isKey(p.key)) return { ok: false, error: "bad parameter key (member " + i + ")" };
      const pe = bareItemError(p.value);
      if (pe !== undefined) return { ok: false, error: pe + " (parameter " + p.key + ")" };
      out = out + ";" + p.key;
      if (!(p.value.t === "bool" && p.value.v)) out = out + "=" + serializeBareItem(p.value);
    }
  }
  return { ok: true, text: out };
}

/** For lists built from validated input (the SDK, formatBlocks): a value RFC 8941 cannot carry is a bug, so it throws. */
export function serializeList(items: readonly SfItem[]): string {
  const r = trySerializeList(items);
  if (!r.ok) throw new Error("RFC 8941 cannot serialise this list: " + r.error);
  return r.text;
}
