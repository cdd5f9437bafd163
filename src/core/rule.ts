/** The stored form of a rule: what one stick-table entry holds. */
import { MAX_BODY_ID, packAnswer } from "./answer";
import { fnv1a32 } from "./bytes";
import { RuleEntryData } from "./runtime-cmd";

/** Stable id of a reason label, the same in every thread, process and runtime. Below 2^31 (server_id is signed). */
export function reasonId(label: string): number {
  return fnv1a32(label) % 2147483648;
}

export interface NewRule {
  readonly status: number;
  readonly ttl: number;
  readonly reason: string;
  readonly dryRun: boolean;
  /** Id of the answer body in the bodies map; 0 for none. */
  readonly bodyId: number;
}

/** Stable id of an answer body (1..MAX_BODY_ID), the key of the bodies map. */
export function bodyId(body: string): number {
  return (fnv1a32(body) % MAX_BODY_ID) + 1;
}

/** Entry data for a rule learned at `now` (epoch seconds). */
export function ruleEntry(r: NewRule, now: number): RuleEntryData {
  const expiry = now + r.ttl;
  return {
    expiry,
    ruleExpiry: expiry,
    answer: packAnswer({ status: r.status, dryRun: r.dryRun, bodyId: r.bodyId }),
    created: now,
    reason: reasonId(r.reason),
  };
}
