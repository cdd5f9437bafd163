/**
 * Rule identity: what a rule matches, and the stick-table keys it is stored
 * under. Keys are built so that every lookup the request path needs is an
 * exact native lookup:
 *
 *   base      = <path>            exact path        (index entry; holds the any-method rule)
 *             | ^<path>           segment prefix    (found with map_beg on the prefix map)
 *   method    = <base> <METHOD>   unqualified rule for one method
 *   qualified = <base> <METHOD|*>~<q>   host/auth/query rule, evaluated by Lua
 *
 * A normalised path never contains a space, so the space is a safe separator.
 */
import { asciiLower, hexValue, isAlpha, isDigit, splitOn } from "./bytes";

export type AuthState = "anon" | "authed";

/** A query-parameter condition: the parameter must be present (or absent). */
export interface QueryCond {
  readonly name: string;
  readonly present: boolean;
}

/** What a rule matches, fully normalised. */
export interface RuleMatch {
  /** Normalised path. */
  readonly path: string;
  /** Match the path and everything below it (segment-wise). */
  readonly prefix: boolean;
  /** Upper-case methods, sorted, without duplicates; empty means any method. */
  readonly methods: readonly string[];
  /** Lower-case host without port; undefined means any host. */
  readonly host?: string;
  readonly auth?: AuthState;
  /** Sorted by name. */
  readonly query: readonly QueryCond[];
}

/** Longest method token and host we accept. */
export const MAX_METHOD_LENGTH = 16;
export const MAX_HOST_LENGTH = 253;
export const MAX_QUERY_NAME_LENGTH = 64;

export function baseKey(path: string, prefix: boolean): string {
  return prefix ? "^" + path : path;
}

export function isQualified(m: RuleMatch): boolean {
  return m.host !== undefined || m.auth !== undefined || m.query.length > 0;
}

/** Canonical qualifier text: `h:<host>;a:<auth>;q:<cond>,<cond>` with absent parts left out. */
export function qualifierOf(m: RuleMatch): string {
  const parts: string[] = [];
  if (m.host !== undefined) parts.push("h:" + m.host);
  if (m.auth !== undefined) parts.push("a:" + m.auth);
  if (m.query.length > 0) {
    let q = "";
    for (let i = 0; i < m.query.length; i++) q = q + (i > 0 ? "," : "") + (m.query[i].present ? "" : "!") + m.query[i].name;
    parts.push("q:" + q);
  }
  let out = "";
  for (let i = 0; i < parts.length; i++) out = out + (i > 0 ? ";" : "") + parts[i];
  return out;
}

/** The spec text of a qualified rule, as listed in the qualifier map: `<METHOD|*>~<qualifier>`. */
export function specOf(method: string, m: RuleMatch): string {
  return method + "~" + qualifierOf(m);
}

/** Every stick-table key a rule occupies (one per method). */
export function ruleKeys(m: RuleMatch): string[] {
  const base = baseKey(m.path, m.prefix);
  const methods = m.methods.length === 0 ? ["*"] : m.methods;
  const keys: string[] = [];
  for (const method of methods) {
    if (isQualified(m)) keys.push(base + " " + specOf(method, m));
    else keys.push(method === "*" ? base : base + " " + method);
  }
  return keys;
}

/**
 * A rule for GET covers HEAD: Node, Express, Django and Rails answer HEAD with the GET handler, so a
 * HEAD request would reach the same code the rule keeps the backend from running. Sorted input, sorted output.
 */
export function withHead(methods: readonly string[]): string[] {
  const out: string[] = [];
  let get = false;
  let head = false;
  for (const m of methods) {
    if (m === "GET") get = true;
    if (m === "HEAD") head = true;
  }
  let placed = !get || head;
  for (const m of methods) {
    if (!placed && m > "HEAD") {
      out.push("HEAD");
      placed = true;
    }
    out.push(m);
  }
  if (!placed) out.push("HEAD");
  return out;
}

/** Parse a stored key back into its parts; undefined when it is not an edgeblock rule key. */
export function parseRuleKey(key: string): { base: string; path: string; prefix: boolean; method: string; spec?: string; match: RuleMatch } | undefined {
  if (key.length === 0) return undefined;
  const sp = key.indexOf(" ");
  const base = sp < 0 ? key : key.substring(0, sp);
  const prefix = base.charCodeAt(0) === 94;
  const path = prefix ? base.substring(1) : base;
  if (path.charCodeAt(0) !== 47) return undefined;
  if (sp < 0) return { base, path, prefix, method: "*", match: { path, prefix, methods: [], query: [] } };
  const rest = key.substring(sp + 1);
  const tilde = rest.indexOf("~");
  if (tilde < 0) return { base, path, prefix, method: rest, match: { path, prefix, methods: [rest], query: [] } };
  const method = rest.substring(0, tilde);
  const q = parseQualifier(rest.substring(tilde + 1));
  if (q === undefined) return undefined;
  return {
    base,
    path,
    prefix,
    method,
    spec: rest,
    match: { path, prefix, methods: method === "*" ? [] : [method], host: q.host, auth: q.auth, query: q.query },
  };
}

interface Qualifier {
  host?: string;
  auth?: AuthState;
  query: QueryCond[];
}

/** Parse `h:..;a:..;q:..` as written by qualifierOf. */
export function parseQualifier(s: string): Qualifier | undefined {
  const out: Qualifier = { query: [] };
  if (s.length === 0) return undefined;
  for (const part of splitOn(s, 59)) {
    if (part.length < 2 || part.charCodeAt(1) !== 58) return undefined;
    const kind = part.substring(0, 1);
    const v = part.substring(2);
    if (kind === "h") out.host = v;
    else if (kind === "a") {
      if (v !== "anon" && v !== "authed") return undefined;
      out.auth = v;
    } else if (kind === "q") {
      for (const c of splitOn(v, 44)) {
        const absent = c.charCodeAt(0) === 33;
        const name = absent ? c.substring(1) : c;
        if (!isQueryName(name)) return undefined;
        out.query.push({ name, present: !absent });
      }
    } else return undefined;
  }
  return out;
}

/** HTTP method token: upper-case letters (and `-`/`_`), at most 16. */
export function isMethodToken(s: string): boolean {
  if (s.length === 0 || s.length > MAX_METHOD_LENGTH) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 45 || c === 95)) return false;
  }
  return true;
}

/** Query parameter names we can match: URL-safe bytes only. */
export function isQueryName(s: string): boolean {
  if (s.length === 0 || s.length > MAX_QUERY_NAME_LENGTH) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isAlpha(c) || isDigit(c) || c === 45 || c === 46 || c === 95 || c === 126 || c === 91 || c === 93)) return false;
  }
  return true;
}

/** Host as matched: lower case, port removed. Undefined when it has bytes a host cannot have. */
export function normalizeHost(raw: string): string | undefined {
  let h = asciiLower(raw);
  if (h.length > 0 && h.charCodeAt(0) !== 91) {
    const colon = h.indexOf(":");
    if (colon >= 0) h = h.substring(0, colon);
  }
  if (h.length > 0 && h.charCodeAt(h.length - 1) === 46) h = h.substring(0, h.length - 1);
  if (h.length === 0 || h.length > MAX_HOST_LENGTH) return undefined;
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    if (!(isAlpha(c) || isDigit(c) || c === 45 || c === 46 || c === 91 || c === 93 || c === 58)) return undefined;
  }
  return h;
}

/**
 * A parameter name as backends decode it (URLSearchParams, Node's querystring, Python's parse_qs):
 * `+` is a space, `%XX` a byte, and a `%` not followed by two hex digits is kept as it is.
 */
export function decodeQueryName(raw: string): string {
  if (raw.indexOf("%") < 0 && raw.indexOf("+") < 0) return raw;
  let out = "";
  let i = 0;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === 37 && i + 2 < raw.length && hexValue(raw.charCodeAt(i + 1)) >= 0 && hexValue(raw.charCodeAt(i + 2)) >= 0) {
      out = out + String.fromCharCode(hexValue(raw.charCodeAt(i + 1)) * 16 + hexValue(raw.charCodeAt(i + 2)));
      i = i + 3;
    } else {
      out = out + (c === 43 ? " " : String.fromCharCode(c));
      i = i + 1;
    }
  }
  return out;
}

/** Names of the query parameters present in a raw query string (`a=1&b&c=`), decoded as backends decode them. */
export function queryNames(query: string | undefined): string[] {
  const names: string[] = [];
  if (query === undefined || query.length === 0) return names;
  for (const pair of splitOn(query, 38)) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf("=");
    names.push(decodeQueryName(eq < 0 ? pair : pair.substring(0, eq)));
  }
  return names;
}

/** What the request looks like, for evaluating qualified rules. */
export interface RequestFacts {
  readonly method: string;
  /** Already normalised with normalizeHost, or undefined. */
  readonly host?: string;
  readonly auth: AuthState;
  readonly queryNames: readonly string[];
}

/** Does a qualified spec (`<METHOD|*>~<qualifier>`) match the request? */
export function specMatches(spec: string, req: RequestFacts): boolean {
  const tilde = spec.indexOf("~");
  if (tilde < 0) return false;
  const method = spec.substring(0, tilde);
  if (method !== "*" && method !== req.method) return false;
  const q = parseQualifier(spec.substring(tilde + 1));
  if (q === undefined) return false;
  if (q.host !== undefined && q.host !== req.host) return false;
  if (q.auth !== undefined && q.auth !== req.auth) return false;
  for (const c of q.query) {
    let found = false;
    for (const n of req.queryNames) if (n === c.name) found = true;
    if (found !== c.present) return false;
  }
  return true;
}

/** How specific a spec is: more constraints first, so the narrowest matching rule wins. */
export function specificity(spec: string): number {
  const tilde = spec.indexOf("~");
  if (tilde < 0) return 0;
  const q = parseQualifier(spec.substring(tilde + 1));
  if (q === undefined) return 0;
  return (spec.substring(0, tilde) === "*" ? 0 : 1) + (q.host !== undefined ? 1 : 0) + (q.auth !== undefined ? 1 : 0) + q.query.length;
}

/** Pick the most specific matching spec from a space-separated spec list; undefined when none matches. */
export function bestSpec(list: string, req: RequestFacts): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const spec of splitOn(list, 32)) {
    if (spec.length === 0 || !specMatches(spec, req)) continue;
    const s = specificity(spec);
    // ties: the lexically smallest spec, so every runtime and thread picks the same
    if (s > bestScore || (s === bestScore && best !== undefined && spec < best)) {
      best = spec;
      bestScore = s;
    }
  }
  return best;
}
