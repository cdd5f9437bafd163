/** Learn-time policies that are pure: the allowlist and the token bucket. */
import { Settings } from "./settings";

/** True when a normalised path is allowlisted (exact, or at/below an allowlisted prefix). */
export function isAllowlisted(path: string, settings: Settings): boolean {
  for (const p of settings.allowExact) if (p === path) return true;
  for (const p of settings.allowPrefix) {
    if (path === p) return true;
    const withSlash = p.charCodeAt(p.length - 1) === 47 ? p : p + "/";
    if (path.length > withSlash.length && path.substring(0, withSlash.length) === withSlash) return true;
  }
  return false;
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
