/**
 * Signal protocol v1: the `Edge-Rule` response header (an RFC 8941 List).
 * Each member is `block` or `remove` with parameters; see docs/protocol.md.
 * A signal is validated in full before anything is learned: one bad member
 * rejects the whole header.
 */
import { asciiUpper, isAlpha, isDigit, isPrintableAscii, splitOn } from "./bytes";
import { normalizePath } from "./path";
import { AuthState, isMethodToken, isQueryName, normalizeHost, QueryCond, RuleMatch, withHead } from "./rulekey";
import { BareItem, parseList, serializeList, SfItem, SfParam, trySerializeList } from "./sfv";
import { Settings } from "./settings";
import { BlockRule, isAllowedStatus, statusNotAllowed, RejectReason, RemoveRule, SignalVerdict } from "./verdict";
import { admitBlock } from "./policy";

/** The request that caused the signal: defaults come from it. */
export interface SignalContext {
  /** Normalised request path (txn.eb_path), undefined when not captured. */
  readonly path: string | undefined;
  readonly method: string;
  /** The response status the backend sent. */
  readonly status: number;
}


/** Parameters each action accepts. Anything else rejects the signal (typos must not silently widen a rule). */
const MATCH_PARAMS = ["path", "prefix", "methods", "host", "auth", "query"];
const BLOCK_PARAMS = ["status", "body", "ttl", "reason", "dry-run"];

export const DEFAULT_RULE_REASON = "edge-rule";
export const MAX_REASON_LENGTH = 48;
export const MAX_QUERY_CONDS = 8;
export const MAX_METHODS = 8;

type Fail = { reason: RejectReason; detail: string };

function reject(reason: RejectReason, detail: string): Fail {
  return { reason, detail };
}

function param(item: SfItem, key: string): BareItem | undefined {
  for (const p of item.params) if (p.key === key) return p.value;
  return undefined;
}

function textOf(b: BareItem): string | undefined {
  return b.t === "str" || b.t === "tok" ? b.v : undefined;
}

/** Reason labels end up as metric label values and log fields: a small alphabet. */
export function isReasonLabel(s: string): boolean {
  if (s.length === 0 || s.length > MAX_REASON_LENGTH) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || isDigit(c) || c === 45 || c === 95 || c === 46)) return false;
  }
  return true;
}

function sortedUnique(xs: string[]): string[] {
  const out: string[] = [];
  for (const x of xs) {
    let seen = false;
    for (const y of out) if (y === x) seen = true;
    if (!seen) out.push(x);
  }
  // insertion sort: tiny lists, and identical in both runtimes
  for (let i = 1; i < out.length; i++) {
    const v = out[i];
    let j = i - 1;
    while (j >= 0 && out[j] > v) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = v;
  }
  return out;
}

function parseMatch(item: SfItem, ctx: SignalContext, settings: Settings, defaultMethods: readonly string[]): RuleMatch | Fail {
  let path = ctx.path;
  const p = param(item, "path");
  if (p !== undefined) {
    const t = textOf(p);
    if (t === undefined || p.t !== "str") return reject("malformed", "path must be a string");
    path = t;
  }
  if (path === undefined) return reject("no-request-path", "no path parameter and no captured request path");
  const n = normalizePath(path, settings, settings.maxKeyLength - 1);
  if (!n.ok) return reject("path-invalid", n.error);

  let prefix = false;
  const pf = param(item, "prefix");
  if (pf !== undefined) {
    if (pf.t !== "bool") return reject("malformed", "prefix must be a boolean");
    prefix = pf.v;
  }
  if (prefix && n.path === "/") return reject("out-of-range", "a prefix rule cannot cover the whole site");

  let methods: string[] = [];
  const m = param(item, "methods");
  if (m === undefined) {
    for (const x of defaultMethods) methods.push(x);
  } else {
    const t = textOf(m);
    if (t === undefined) return reject("malformed", "methods must be a string or token");
    if (t !== "*") {
      for (const word of splitOn(t, 32)) {
        if (word.length === 0) continue;
        const up = asciiUpper(word);
        if (!isMethodToken(up)) return reject("malformed", "bad method");
        methods.push(up);
      }
      if (methods.length === 0) return reject("malformed", "empty methods");
    }
  }
  methods = sortedUnique(methods);
  if (methods.length > MAX_METHODS) return reject("out-of-range", "more than " + MAX_METHODS + " methods");
  methods = withHead(methods);

  let host: string | undefined;
  const h = param(item, "host");
  if (h !== undefined) {
    const t = textOf(h);
    if (t === undefined || h.t !== "str") return reject("malformed", "host must be a string");
    host = normalizeHost(t);
    if (host === undefined) return reject("malformed", "bad host");
  }

  let auth: AuthState | undefined;
  const a = param(item, "auth");
  if (a !== undefined) {
    const t = textOf(a);
    if (t === "anon" || t === "authed") auth = t;
    else if (t !== "any") return reject("malformed", "auth must be anon, authed or any");
  }

  const query: QueryCond[] = [];
  const q = param(item, "query");
  if (q !== undefined) {
    const t = textOf(q);
    if (t === undefined || q.t !== "str") return reject("malformed", "query must be a string");
    const names: string[] = [];
    for (const word of splitOn(t, 32)) {
      if (word.length === 0) continue;
      const absent = word.charCodeAt(0) === 33;
      const name = absent ? word.substring(1) : word;
      if (!isQueryName(name)) return reject("malformed", "bad query parameter name");
      for (const seen of names) if (seen === name) return reject("malformed", "query parameter named twice");
      names.push(name);
      query.push({ name, present: !absent });
    }
    if (query.length === 0) return reject("malformed", "empty query");
    if (query.length > MAX_QUERY_CONDS) return reject("out-of-range", "more than " + MAX_QUERY_CONDS + " query conditions");
    for (let i = 1; i < query.length; i++) {
      const v = query[i];
      let j = i - 1;
      while (j >= 0 && query[j].name > v.name) {
        query[j + 1] = query[j];
        j--;
      }
      query[j + 1] = v;
    }
  }
  return { path: n.path, prefix, methods, host, auth, query };
}

function checkKnown(item: SfItem, allowed: string[]): string | undefined {
  for (const p of item.params) {
    let ok = false;
    for (const a of allowed) if (a === p.key) ok = true;
    if (!ok) return p.key;
  }
  return undefined;
}

function parseBlock(item: SfItem, ctx: SignalContext, settings: Settings): BlockRule | Fail {
  const unknown = checkKnown(item, [...MATCH_PARAMS, ...BLOCK_PARAMS]);
  if (unknown !== undefined) return reject("unknown-parameter", unknown);
  const match = parseMatch(item, ctx, settings, ctx.method.length > 0 ? [ctx.method] : []);
  if ("reason" in match && "detail" in match) return match;
  const m = match as RuleMatch;

  let status = ctx.status >= 400 && ctx.status <= 599 && isAllowedStatus(ctx.status, settings) ? ctx.status : settings.defaultStatus;
  const s = param(item, "status");
  if (s !== undefined) {
    if (s.t !== "int") return reject("malformed", "status must be an integer");
    if (!isAllowedStatus(s.v, settings)) return reject("status-not-allowed", statusNotAllowed(s.v, settings));
    status = s.v;
  }

  let body = "";
  const b = param(item, "body");
  if (b !== undefined) {
    if (b.t !== "str") return reject("malformed", "body must be a string");
    if (b.v.length > settings.maxBodyBytes) return reject("out-of-range", "body longer than " + settings.maxBodyBytes + " bytes");
    if (!isPrintableAscii(b.v)) return reject("malformed", "body must be printable ASCII");
    body = b.v;
  }

  let ttl = settings.defaultTtl;
  const t = param(item, "ttl");
  if (t !== undefined) {
    if (t.t !== "int") return reject("malformed", "ttl must be an integer");
    if (t.v < 1) return reject("out-of-range", "ttl must be at least 1");
    ttl = t.v > settings.maxTtl ? settings.maxTtl : t.v;
  }

  let reason = DEFAULT_RULE_REASON;
  const r = param(item, "reason");
  if (r !== undefined) {
    const text = textOf(r);
    if (text === undefined || !isReasonLabel(text)) return reject("malformed", "reason must be a label of a-z 0-9 - _ . (at most 48)");
    reason = text;
  }

  let dryRun = false;
  const d = param(item, "dry-run");
  if (d !== undefined) {
    if (d.t !== "bool") return reject("malformed", "dry-run must be a boolean");
    dryRun = d.v;
  }
  return { match: m, status, body, ttl, reason, dryRun };
}

function parseRemove(item: SfItem, ctx: SignalContext, settings: Settings): RemoveRule | Fail {
  const unknown = checkKnown(item, MATCH_PARAMS);
  if (unknown !== undefined) return reject("unknown-parameter", unknown);
  const match = parseMatch(item, ctx, settings, []);
  if ("reason" in match && "detail" in match) return match;
  const m = match as RuleMatch;
  const everything = param(item, "methods") === undefined && m.host === undefined && m.auth === undefined && m.query.length === 0;
  return { match: m, everything };
}

/** Parse every `Edge-Rule` line of a response. */
export function parseEdgeRule(lines: readonly string[], ctx: SignalContext, settings: Settings): SignalVerdict {
  if (lines.length === 0) return { kind: "none" };
  let size = 0;
  for (const l of lines) size = size + l.length;
  if (size > settings.maxSignalBytes) return { kind: "reject", reason: "oversized", detail: size + " bytes > " + settings.maxSignalBytes };
  const list = parseList(lines);
  if (!list.ok) return { kind: "reject", reason: "malformed", detail: list.error };
  if (list.items.length === 0) return { kind: "reject", reason: "malformed", detail: "empty list" };
  if (list.items.length > settings.maxRulesPerSignal) {
    return { kind: "reject", reason: "out-of-range", detail: list.items.length + " members > " + settings.maxRulesPerSignal };
  }
  const blocks: BlockRule[] = [];
  const removes: RemoveRule[] = [];
  for (const item of list.items) {
    if (item.inner) return { kind: "reject", reason: "malformed", detail: "inner lists are not rules" };
    const action = item.value.t === "tok" ? item.value.v : "";
    if (action === "block") {
      const b = parseBlock(item, ctx, settings);
      if ("detail" in b) return { kind: "reject", reason: b.reason, detail: b.detail };
      blocks.push(b);
    } else if (action === "remove") {
      const r = parseRemove(item, ctx, settings);
      if ("detail" in r) return { kind: "reject", reason: r.reason, detail: r.detail };
      removes.push(r);
    } else {
      return { kind: "reject", reason: "malformed", detail: "a member must be the token block or remove" };
    }
  }
  return { kind: "apply", blocks, removes };
}

/** What `edgeblock rules add` is given: the parameters of a backend's `block` member, as the operator typed them. */
export interface OperatorBlock {
  readonly path: string;
  readonly prefix: boolean;
  /** `*` or space-separated methods; undefined: any method. */
  readonly methods?: string;
  readonly host?: string;
  readonly auth?: string;
  readonly query?: string;
  readonly status?: number;
  readonly ttl?: number;
  readonly reason?: string;
  readonly body?: string;
  readonly dryRun: boolean;
}

/**
 * An operator's rule, validated by the parser a backend's signal goes through (the same normalisation,
 * allowed statuses, TTL bounds and defaults) and by the same storage policy (admitBlock). No request
 * is being answered, so the defaults are the edge's: any method, rules.default_status, rules.default_ttl.
 */
export function operatorBlock(o: OperatorBlock, settings: Settings): { readonly rule: BlockRule } | Fail {
  const params: SfParam[] = [{ key: "path", value: str(o.path) }];
  if (o.prefix) params.push({ key: "prefix", value: { t: "bool", v: true } });
  if (o.methods !== undefined) params.push({ key: "methods", value: str(o.methods) });
  if (o.host !== undefined) params.push({ key: "host", value: str(o.host) });
  if (o.auth !== undefined) params.push({ key: "auth", value: str(o.auth) });
  if (o.query !== undefined) params.push({ key: "query", value: str(o.query) });
  if (o.status !== undefined) params.push({ key: "status", value: { t: "int", v: o.status } });
  if (o.ttl !== undefined) params.push({ key: "ttl", value: { t: "int", v: o.ttl } });
  if (o.reason !== undefined) params.push({ key: "reason", value: str(o.reason) });
  if (o.body !== undefined) params.push({ key: "body", value: str(o.body) });
  if (o.dryRun) params.push({ key: "dry-run", value: { t: "bool", v: true } });
  // written out as the header a backend would send, and read back by the learn path's own parser
  const text = trySerializeList([{ value: { t: "tok", v: "block" }, params, inner: false }]);
  if (!text.ok) return reject("malformed", text.error);
  const v = parseEdgeRule([text.text], { path: undefined, method: "", status: 0 }, settings);
  if (v.kind === "reject") return reject(v.reason, v.detail);
  if (v.kind !== "apply" || v.blocks.length !== 1) return reject("malformed", "not one block rule");
  const no = admitBlock(v.blocks[0], settings);
  return no !== undefined ? reject(no.reason, no.detail) : { rule: v.blocks[0] };
}

function str(v: string): BareItem {
  return { t: "str", v };
}

/** The member a BlockRule is written as. The SDK uses it; parseEdgeRule(formatBlock(r)) gives r back. */
export function blockItem(r: BlockRule): SfItem {
  const params: SfParam[] = [{ key: "path", value: str(r.match.path) }];
  if (r.match.prefix) params.push({ key: "prefix", value: { t: "bool", v: true } });
  let methods = "";
  for (let i = 0; i < r.match.methods.length; i++) methods = methods + (i > 0 ? " " : "") + r.match.methods[i];
  params.push({ key: "methods", value: str(r.match.methods.length === 0 ? "*" : methods) });
  if (r.match.host !== undefined) params.push({ key: "host", value: str(r.match.host) });
  if (r.match.auth !== undefined) params.push({ key: "auth", value: { t: "tok", v: r.match.auth } });
  if (r.match.query.length > 0) {
    let q = "";
    for (let i = 0; i < r.match.query.length; i++) q = q + (i > 0 ? " " : "") + (r.match.query[i].present ? "" : "!") + r.match.query[i].name;
    params.push({ key: "query", value: str(q) });
  }
  params.push({ key: "status", value: { t: "int", v: r.status } });
  if (r.body.length > 0) params.push({ key: "body", value: str(r.body) });
  params.push({ key: "ttl", value: { t: "int", v: r.ttl } });
  params.push({ key: "reason", value: isTokenStart(r.reason.charCodeAt(0)) ? { t: "tok", v: r.reason } : str(r.reason) });
  if (r.dryRun) params.push({ key: "dry-run", value: { t: "bool", v: true } });
  return { value: { t: "tok", v: "block" }, params, inner: false };
}

export function formatBlocks(rules: readonly BlockRule[]): string {
  const items: SfItem[] = [];
  for (const r of rules) items.push(blockItem(r));
  return serializeList(items);
}

/** True for a byte that may start an RFC 8941 token. */
export function isTokenStart(c: number): boolean {
  return isAlpha(c) || c === 42;
}
