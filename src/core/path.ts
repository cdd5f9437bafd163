/**
 * Path normalisation: the one function that both learning and lookup use, so
 * that a rule learned on `/yeet` cannot be bypassed with `//yeet`, `/%79eet`...
 */
import { asciiLower, byteAt, hexValue, isAlpha, isDigit, percentEncodeByte, runEnd } from "./bytes";

/** Which spellings of a path count as the same path. Defaults are in DEFAULT_PATH_POLICY. */
export interface PathPolicy {
  /** Fold ASCII letters to lowercase (RFC 3986 says paths are case-sensitive, so off by default). */
  readonly caseInsensitive: boolean;
  /** Treat `//` as `/` (most frameworks route them the same). */
  readonly mergeSlashes: boolean;
  /** Treat `/a/` as `/a` (most frameworks route them the same). */
  readonly stripTrailingSlash: boolean;
}

export const DEFAULT_PATH_POLICY: PathPolicy = {
  caseInsensitive: false,
  mergeSlashes: true,
  stripTrailingSlash: true,
};

/** Why a string could not be turned into a rule path. */
export type PathError = "empty" | "not-absolute" | "too-long";

export type NormalizedPath = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly error: PathError };

/** RFC 3986 unreserved bytes: decoding them never changes what a URI means. */
function isUnreserved(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 45 || c === 46 || c === 95 || c === 126;
}

/**
 * Step 1: percent-decode unreserved bytes, uppercase the hex of every other
 * escape, escape a stray `%` as `%25`, and escape bytes outside 0x21..0x7E.
 * After this, two spellings of the same bytes are the same string.
 */
function canonicalEscapes(s: string): string {
  let out = "";
  let i = 0;
  const n = s.length;
  while (i < n) {
    // a run of bytes that stay as they are is copied in one piece (one string per run, not per byte)
    const j = runEnd(s, i, n, isKept);
    if (j > i) {
      if (i === 0 && j === n) return s;
      out = out + s.substring(i, j);
      i = j;
      continue;
    }
    const c = s.charCodeAt(i);
    if (c === 37) {
      const h1 = hexValue(byteAt(s, i + 1));
      const h2 = hexValue(byteAt(s, i + 2));
      if (h1 >= 0 && h2 >= 0) {
        const v = h1 * 16 + h2;
        out = out + (isUnreserved(v) ? String.fromCharCode(v) : percentEncodeByte(v));
        i = i + 3;
      } else {
        out = out + "%25";
        i = i + 1;
      }
    } else {
      out = out + percentEncodeByte(c);
      i = i + 1;
    }
  }
  return out;
}

/** A byte canonicalEscapes copies unchanged: printable ASCII other than `%`. */
function isKept(c: number): boolean {
  return c > 32 && c < 127 && c !== 37;
}

/** ASCII lowercase outside `%XX` escapes, so escapes keep their uppercase hex. */
function lowerOutsideEscapes(s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    if (s.charCodeAt(i) === 37) {
      out = out + s.substring(i, i + 3);
      i = i + 3;
    } else {
      let j = i;
      while (j < s.length && s.charCodeAt(j) !== 37) j++;
      out = out + asciiLower(s.substring(i, j));
      i = j;
    }
  }
  return out;
}

/**
 * Step 2: RFC 3986 remove_dot_segments, plus optional slash merging.
 * Works on segments; `..` above the root stays at the root.
 */
function resolveSegments(s: string, policy: PathPolicy): string {
  // no empty segment inside, no dot segment: nothing to resolve (the common case)
  if (s.indexOf("//") < 0 && s.indexOf("/.") < 0) return s;
  const input: string[] = [];
  let start = 1;
  for (let i = 1; i <= s.length; i++) {
    if (i === s.length || s.charCodeAt(i) === 47) {
      input.push(s.substring(start, i));
      start = i + 1;
    }
  }
  const out: string[] = [];
  const lastIndex = input.length - 1;
  for (let k = 0; k <= lastIndex; k++) {
    const seg = input[k];
    if (seg === "..") {
      if (out.length > 0) out.pop();
    } else if (seg === "." || (seg === "" && (k === lastIndex || policy.mergeSlashes))) {
      // dropped: a dot segment, the empty segment after a trailing slash, or a merged slash
    } else {
      out.push(seg);
    }
  }
  if (out.length === 0) return "/";
  let joined = "";
  for (const seg of out) joined = joined + "/" + seg;
  const last = input[lastIndex];
  if (last === "" || last === "." || last === "..") joined = joined + "/";
  return joined;
}

/**
 * Normalise a request path (query and fragment are cut off first).
 * The result is the key every rule and every lookup uses.
 */
export function normalizePath(raw: string, policy: PathPolicy, maxLength: number): NormalizedPath {
  let s = raw;
  const q = s.indexOf("?");
  if (q >= 0) s = s.substring(0, q);
  const f = s.indexOf("#");
  if (f >= 0) s = s.substring(0, f);
  if (s.length === 0) return { ok: false, error: "empty" };
  if (s.charCodeAt(0) !== 47) return { ok: false, error: "not-absolute" };
  s = canonicalEscapes(s);
  s = resolveSegments(s, policy);
  // every trailing slash: with unmerged slashes `/a//` would otherwise become `/a/`, then `/a` (not idempotent)
  while (policy.stripTrailingSlash && s.length > 1 && s.charCodeAt(s.length - 1) === 47) {
    s = s.substring(0, s.length - 1);
  }
  if (policy.caseInsensitive) s = lowerOutsideEscapes(s);
  if (s.length > maxLength) return { ok: false, error: "too-long" };
  return { ok: true, path: s };
}

/**
 * What the request-side converter returns: the normalised path, or the raw
 * path unchanged when it cannot be normalised (no rule can match it then,
 * because every rule path is absolute and bounded).
 */
export function lookupKeyForPath(raw: string, policy: PathPolicy): string {
  const r = normalizePath(raw, policy, 1 << 30);
  return r.ok ? r.path : raw;
}

/**
 * The key haproxy.cfg computes natively, or undefined when it sends the path
 * to the Lua converter instead. Mirrors the rendered lines: paths containing
 * `//`, `/.`, `%` or `#` go to Lua; otherwise one trailing slash is cut with
 * `regsub(/$,)` (when stripping is on) and the path is lowercased (when
 * case-insensitive). The property "nativeKey == normalizePath" is tested in
 * both runtimes; HAProxy itself refuses the other bytes this excludes.
 */
export function nativeKey(raw: string, policy: PathPolicy): string | undefined {
  if (raw.length === 0 || raw.charCodeAt(0) !== 47) return undefined;
  if (raw.indexOf("//") >= 0 || raw.indexOf("/.") >= 0 || raw.indexOf("%") >= 0 || raw.indexOf("#") >= 0) return undefined;
  if (raw.indexOf("?") >= 0) return undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 32 || c >= 127) return undefined;
  }
  let k = raw;
  if (policy.stripTrailingSlash && k.length > 1 && k.charCodeAt(k.length - 1) === 47) k = k.substring(0, k.length - 1);
  return policy.caseInsensitive ? asciiLower(k) : k;
}
