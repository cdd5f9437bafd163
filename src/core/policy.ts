/** Learn-time policies that are pure: what may be stored, the allowlist and the token bucket. */
import { ruleKeys } from "./rulekey";
import { Settings } from "./settings";
import { BlockRule, RejectReason } from "./verdict";

/** Why a parsed rule may not be stored, whoever asked for it (a backend's signal or `edgeblock rules add`); undefined when it may. */
export function admitBlock(r: BlockRule, settings: Settings): { readonly reason: RejectReason; readonly detail: string } | undefined {
  for (const key of ruleKeys(r.match)) {
    if (key.length > settings.maxKeyLength) return { reason: "out-of-range", detail: "rule key longer than " + settings.maxKeyLength + " bytes" };
  }
  if (isAllowlisted(r.match.path, settings)) return { reason: "allowlisted", detail: "path is allowlisted" };
  return undefined;
}

/** The allowlist, as learning (Settings), explain and the renderer (the YAML config) all hold it. */
export interface Allowlist {
  readonly allowExact: readonly string[];
  readonly allowPrefix: readonly string[];
}

/**
 * What the request path + `/` is compared with (`-m beg`) for an allowlisted prefix: the prefix with one
 * trailing `/`. So `/static` and `/static/` both cover `/static`, `/static/` and everything below.
 */
export function allowPrefixProbe(prefix: string): string {
  return prefix.charCodeAt(prefix.length - 1) === 47 ? prefix : prefix + "/";
}

/** The allowlist entry that covers a normalised path (`exact /health`, `prefix /static/`), if any: the one decision learning, explain and haproxy.cfg's lines share. */
export function allowlistEntry(path: string, allow: Allowlist): string | undefined {
  for (const p of allow.allowExact) if (p === path) return "exact " + p;
  const probe = path + "/";
  for (const p of allow.allowPrefix) {
    const want = allowPrefixProbe(p);
    if (probe.length >= want.length && probe.substring(0, want.length) === want) return "prefix " + p;
  }
  return undefined;
}

export function isAllowlisted(path: string, allow: Allowlist): boolean {
  return allowlistEntry(path, allow) !== undefined;
}

export interface Bucket {
  tokens: number;
  /** Milliseconds. */
  last: number;
}

/**
 * Token bucket: `rate` tokens per second, at most `burst`. Takes `cost` tokens
 * when available and says whether it did. Times in integer milliseconds.
 */
export function takeTokens(b: Bucket, nowMs: number, rate: number, burst: number, cost: number): boolean {
  if (rate <= 0) return true;
  const cap = burst > 0 ? burst : rate;
  const elapsed = nowMs > b.last ? nowMs - b.last : 0;
  b.tokens = b.tokens + (elapsed * rate) / 1000;
  if (b.tokens > cap) b.tokens = cap;
  b.last = nowMs;
  if (b.tokens + 1e-9 < cost) return false;
  b.tokens = b.tokens - cost;
  return true;
}
