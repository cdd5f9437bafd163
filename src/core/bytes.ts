/**
 * Byte-level string helpers that mean the same thing in Node and in Lua.
 *
 * Convention: a JS string in the core is a *binary string*, one char per byte
 * (code 0..255), exactly what a Lua string is. Only charCodeAt/fromCharCode,
 * length, substring and indexOf are used on strings, because TSTL maps those
 * one-to-one onto string.byte/char/len/sub/find(plain).
 */

/** Byte value at index i (0-based); -1 when out of range. */
export function byteAt(s: string, i: number): number {
  if (i < 0 || i >= s.length) return -1;
  return s.charCodeAt(i);
}

/** ASCII-only lowercase; bytes >= 0x80 are untouched (JS toLowerCase is Unicode-aware, Lua's is not). */
export function asciiLower(s: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      out = out + s.substring(start, i) + String.fromCharCode(c + 32);
      start = i + 1;
    }
  }
  if (start === 0) return s;
  return out + s.substring(start);
}

/** ASCII-only uppercase. */
export function asciiUpper(s: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      out = out + s.substring(start, i) + String.fromCharCode(c - 32);
      start = i + 1;
    }
  }
  if (start === 0) return s;
  return out + s.substring(start);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Value of a hex digit byte, or -1. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

const HEX = "0123456789ABCDEF";

/** "%XX" with uppercase hex for a byte. */
export function percentEncodeByte(c: number): string {
  return "%" + HEX.substring(Math.floor(c / 16), Math.floor(c / 16) + 1) + HEX.substring(c % 16, (c % 16) + 1);
}

/** Index of the first byte at or after `i` (and before `n`) that `kept` refuses; `n` when there is none. Lets callers copy a run in one piece. */
export function runEnd(s: string, i: number, n: number, kept: (c: number) => boolean): number {
  let j = i;
  while (j < n && kept(s.charCodeAt(j))) j++;
  return j;
}

/** RFC 7230 optional whitespace: space or horizontal tab. */
export function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** Trim spaces and tabs at both ends. */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isOws(s.charCodeAt(a))) a++;
  while (b > a && isOws(s.charCodeAt(b - 1))) b--;
  return s.substring(a, b);
}

/**
 * Parse a non-negative decimal integer made only of ASCII digits.
 * Returns -1 on any other byte, on empty input, or above maxValue.
 * Hand-written because parseInt and tonumber accept different things.
 */
export function parseDecimal(s: string, maxValue: number): number {
  if (s.length === 0 || s.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // inline digit test: this loop runs for every number of every state line replayed or compacted
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  if (n > maxValue) return -1;
  return n;
}

/** True when every byte is printable ASCII (0x21..0x7E) or a space. */
export function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}

/** Split on a single-byte separator; keeps empty fields. indexOf compiles to Lua's plain string.find, which beats a byte loop. */
export function splitOn(s: string, sep: number): string[] {
  const out: string[] = [];
  const ch = String.fromCharCode(sep);
  let start = 0;
  let i = s.indexOf(ch, start);
  while (i >= 0) {
    out.push(s.substring(start, i));
    start = i + 1;
    i = s.indexOf(ch, start);
  }
  out.push(s.substring(start));
  return out;
}

/**
 * 32-bit FNV-1a over bytes. Written with arithmetic only: JS bit operators
 * work on int32 and Lua's on int64, so they disagree above 2^31.
 */
export function fnv1a32(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    const low = h % 256;
    h = h - low + xorByte(low, s.charCodeAt(i));
    const hi = Math.floor(h / 65536);
    const lo = h % 65536;
    h = (lo * 16777619 + ((hi * 16777619) % 65536) * 65536) % 4294967296;
  }
  return h;
}

/** XOR of two values in 0..255: native in both runtimes (Lua 5.3's `~`; a bit-by-bit loop was most of a learn's Lua time). */
function xorByte(a: number, b: number): number {
  return a ^ b;
}

/**
 * Decimal text of a non-negative integral number. Used wherever a number
 * becomes text (CLI commands, map keys): Fengari's integers are 32-bit, so
 * larger values are floats there and tostring would add ".0".
 */
export function itoa(n: number): string {
  if (n < 0) return "-" + itoa(-n);
  const v = Math.floor(n);
  // -0 would print as "-0" in Lua
  if (v === 0) return "0";
  // Lua's math.floor gives an integer, whose tostring is plain digits; Fengari's integers are 32-bit,
  // so above 2^31 it keeps a float and tostring adds ".0": then toFixed, i.e. string.format("%.0f")
  const t = String(v);
  return t.indexOf(".") < 0 && t.indexOf("e") < 0 ? t : v.toFixed(0);
}
