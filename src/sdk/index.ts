/**
 * Backend SDK: build edgeblock signal headers from typed rules.
 *
 *   import { edgeRule, EDGE_RULE_HEADER } from "edgeblock";
 *   res.setHeader(EDGE_RULE_HEADER, edgeRule({ block: { methods: ["POST"], status: 405, body: "GET only" } }));
 *
 * Parameters you leave out take the defaults of docs/protocol.md: the path and
 * method of the request being answered, its status, the edge's default TTL.
 */
import { validGenerationToken } from "../core/generation";
import { isReasonLabel, isTokenStart } from "../core/protocol";
import { isMethodToken, isQueryName } from "../core/rulekey";
import { BareItem, serializeList, SfItem, SfParam } from "../core/sfv";

/** Response header of protocol v1. */
export const EDGE_RULE_HEADER = "Edge-Rule";
/** Response header of the short form. */
export const EDGE_RESOURCE_HEADER = "X-Edge-Resource";
/** Response header naming the backend's deploy generation: a new one retires the rules learned before it. */
export const EDGE_GENERATION_HEADER = "Edge-Generation";
/** Request header of the edge's revalidation probes: answer as for any request, and act on nothing (no side effects). */
export const EDGE_PROBE_HEADER = "Edge-Probe";

/** Whether a request is the edge re-asking about a rule (backends[].probe): answer it, but change nothing. */
export function isProbe(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  return headers[EDGE_PROBE_HEADER.toLowerCase()] !== undefined;
}

/** Where edgeGeneration() looks, in order: set one of them to the commit SHA or build id at deploy time. */
export const GENERATION_ENV_VARS = ["EDGE_GENERATION", "GIT_COMMIT", "SOURCE_VERSION"] as const;

/**
 * This deploy's generation token, from the environment (EDGE_GENERATION, GIT_COMMIT, SOURCE_VERSION), or
 * undefined. Send it on every response: `res.setHeader(EDGE_GENERATION_HEADER, g)`; the edge notices a new
 * one natively, at the cost of a map lookup per response.
 */
export function edgeGeneration(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  for (const name of GENERATION_ENV_VARS) {
    const v = env[name]?.trim();
    if (v) return validGenerationToken(v) ? v : v.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64);
  }
  return undefined;
}

/** What a rule matches. Every field is optional. */
export interface Match {
  /** Path to match; default: the request's path. */
  readonly path?: string;
  /** Match the path and everything below it. */
  readonly prefix?: boolean;
  /** Methods to match, or "*" for any; default: the request's method. */
  readonly methods?: readonly string[] | "*";
  /** Only for this host (case-insensitive, port ignored). */
  readonly host?: string;
  /** Only anonymous or only authenticated requests (as the edge config defines them). */
  readonly auth?: "anon" | "authed" | "any";
  /** Query parameters that must be present (or, with `absent`, must not be). */
  readonly query?: { readonly present?: readonly string[]; readonly absent?: readonly string[] };
}

export interface Block extends Match {
  /** 400..599 and allowed by the edge config; default: the response's status if it is an error. */
  readonly status?: number;
  /** Short printable-ASCII body for the edge's answer. */
  readonly body?: string;
  /** Seconds; capped by the edge config. */
  readonly ttl?: number;
  /** Label for logs and metrics: a-z 0-9 - _ . (at most 48). */
  readonly reason?: string;
  /** Count and log would-block requests, block nothing. */
  readonly dryRun?: boolean;
}

export type Signal = { readonly block: Block } | { readonly remove: Match };

/** Thrown for a rule the edge would reject; the message names the field. */
export class EdgeRuleError extends Error {}

function str(v: string): BareItem {
  return { t: "str", v };
}

function printable(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

function matchParams(m: Match, params: SfParam[]): void {
  if (m.path !== undefined) {
    if (!m.path.startsWith("/") || !printable(m.path)) throw new EdgeRuleError(`path must be an absolute printable-ASCII path: ${JSON.stringify(m.path)}`);
    params.push({ key: "path", value: str(m.path) });
  }
  if (m.prefix) params.push({ key: "prefix", value: { t: "bool", v: true } });
  if (m.methods !== undefined) {
    if (m.methods === "*") params.push({ key: "methods", value: str("*") });
    else {
      const up = m.methods.map((x) => x.toUpperCase());
      for (const x of up) if (!isMethodToken(x)) throw new EdgeRuleError(`methods: ${JSON.stringify(x)} is not a method`);
      if (up.length === 0) throw new EdgeRuleError("methods: empty list (use \"*\" for any method)");
      params.push({ key: "methods", value: str(up.join(" ")) });
    }
  }
  if (m.host !== undefined) {
    if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(m.host)) throw new EdgeRuleError(`host: ${JSON.stringify(m.host)} is not a host name`);
    params.push({ key: "host", value: str(m.host) });
  }
  if (m.auth !== undefined) params.push({ key: "auth", value: { t: "tok", v: m.auth } });
  if (m.query !== undefined) {
    const words = [...(m.query.present ?? []), ...(m.query.absent ?? []).map((n) => `!${n}`)];
    for (const w of words) if (!isQueryName(w.replace(/^!/, ""))) throw new EdgeRuleError(`query: ${JSON.stringify(w)} is not a parameter name`);
    if (words.length === 0) throw new EdgeRuleError("query: name at least one parameter");
    params.push({ key: "query", value: str(words.join(" ")) });
  }
}

function item(s: Signal): SfItem {
  const params: SfParam[] = [];
  if ("remove" in s) {
    matchParams(s.remove, params);
    return { value: { t: "tok", v: "remove" }, params, inner: false };
  }
  const b = s.block;
  matchParams(b, params);
  if (b.status !== undefined) {
    if (!Number.isInteger(b.status) || b.status < 400 || b.status > 599) throw new EdgeRuleError(`status must be 400..599, got ${b.status}`);
    params.push({ key: "status", value: { t: "int", v: b.status } });
  }
  if (b.body !== undefined) {
    if (!printable(b.body)) throw new EdgeRuleError("body must be printable ASCII");
    params.push({ key: "body", value: str(b.body) });
  }
  if (b.ttl !== undefined) {
    if (!Number.isInteger(b.ttl) || b.ttl < 1) throw new EdgeRuleError(`ttl must be a positive integer, got ${b.ttl}`);
    params.push({ key: "ttl", value: { t: "int", v: b.ttl } });
  }
  if (b.reason !== undefined) {
    if (!isReasonLabel(b.reason)) throw new EdgeRuleError(`reason must be a label of a-z 0-9 - _ . (at most 48): ${JSON.stringify(b.reason)}`);
    params.push({ key: "reason", value: isTokenStart(b.reason.charCodeAt(0)) ? { t: "tok", v: b.reason } : str(b.reason) });
  }
  if (b.dryRun) params.push({ key: "dry-run", value: { t: "bool", v: true } });
  return { value: { t: "tok", v: "block" }, params, inner: false };
}

/** The `Edge-Rule` header value for one or more signals. */
export function edgeRule(...signals: Signal[]): string {
  if (signals.length === 0) throw new EdgeRuleError("at least one signal is needed");
  return serializeList(signals.map(item));
}

/** The `X-Edge-Resource` short form: this path does not exist (optionally: answer with this status). */
export function edgeResourceFalse(status?: number): string {
  if (status === undefined) return "false";
  if (!Number.isInteger(status) || status < 400 || status > 599) throw new EdgeRuleError(`status must be 400..599, got ${status}`);
  return `false-${status}`;
}
