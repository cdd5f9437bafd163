/** The stored form of a rule: what one stick-table entry holds. */
import { MAX_BODY_ID, packAnswer } from "./answer";
import { fnv1a32 } from "./bytes";
import { RuleEntryData } from "./runtime-cmd";

/** Reason ids are 24 bits; the 7 bits above hold the origin server's id (server_id is a signed 32-bit field). */
export const REASON_ID_UNIT = 16777216;
export const MAX_ORIGIN_ID = 127;

/** Hashes of recent labels and bodies: a learn needs each twice, and the same few recur (hashing is a byte loop in Lua). */
const hashes: { [text: string]: number } = {};
let hashCount = 0;
const HASH_MEMO_MAX = 256;

function hashOf(text: string): number {
  const known = hashes[text];
  if (known !== undefined) return known;
  if (hashCount >= HASH_MEMO_MAX) {
    for (const k in hashes) delete hashes[k];
    hashCount = 0;
  }
  const h = fnv1a32(text);
  hashes[text] = h;
  hashCount++;
  return h;
}

/** Stable id of a reason label, the same in every thread, process and runtime. */
export function reasonId(label: string): number {
  return hashOf(label) % REASON_ID_UNIT;
}

/** The reason field: reason id plus the id of the server that sent the signal (0 = unknown or an operator). */
export function packReason(label: string, originServerId: number): number {
  const origin = originServerId >= 1 && originServerId <= MAX_ORIGIN_ID ? Math.floor(originServerId) : 0;
  return reasonId(label) + origin * REASON_ID_UNIT;
}

/** The reason id alone (no table per call in Lua). */
export function reasonIdOf(field: number): number {
  return field % REASON_ID_UNIT;
}

export function unpackReason(field: number): { reasonId: number; originServerId: number } {
  return { reasonId: reasonIdOf(field), originServerId: Math.floor(field / REASON_ID_UNIT) };
}

export interface NewRule {
  readonly status: number;
  readonly ttl: number;
  readonly reason: string;
  readonly dryRun: boolean;
  /** Id of the answer body in the bodies map; 0 for none. */
  readonly bodyId: number;
  /** puid of the server that sent the signal; 0 when unknown (operator rules). */
  readonly originServerId: number;
}

/** Stable id of an answer body (1..MAX_BODY_ID), the key of the bodies map. */
export function bodyId(body: string): number {
  return (hashOf(body) % MAX_BODY_ID) + 1;
}

/**
 * Entry data for a rule learned at `now` (epoch seconds) plus `nowUsec`. Expiry has whole-second
 * resolution and rounds up, so a rule lives at least its TTL and at most one second longer.
 */
export function ruleEntry(r: NewRule, now: number, nowUsec = 0, createdAt?: number): RuleEntryData {
  const expiry = now + r.ttl + (nowUsec > 0 ? 1 : 0);
  return {
    expiry,
    ruleExpiry: expiry,
    answer: packAnswer({ status: r.status, dryRun: r.dryRun, bodyId: r.bodyId }),
    // a signal under the backend's current generation counts from the generation's first second (core/generation.ts)
    created: createdAt ?? now,
    reason: packReason(r.reason, r.originServerId),
  };
}
