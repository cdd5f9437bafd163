/**
 * Which rules a full table gives up: the least recently hit or learned, found by a CLOCK hand that
 * walks the rule keys in the order the state files list them (learn order): HAProxy's own eviction is no LRU on 3.x (it drains shard 0 first) and on 2.6 it
 * takes index entries, which hits never touch, from under hot method rules. So rule tables refuse
 * new entries when full (nopurge) and edgeblock frees the room itself.
 */
import { OnFull } from "./settings";

/** True when HAProxy must never evict from a rule table: edgeblock refuses, or evicts by itself. */
export function tableNeverPurges(onFull: OnFull, hasStateDir: boolean): boolean {
  // sampling reads the keys from the state files: without them HAProxy's own eviction is all there is
  return onFull === "refuse" || hasStateDir;
}

/** A live entry, as a lookup sees it. */
export interface LiveEntry {
  readonly key: string;
  /** Milliseconds until the table itself would expire it: refreshed by every write and every hit. */
  readonly remainingMs: number;
  /** Index liveness, answer and rule expiry (RULE_FIELDS). */
  readonly live: number;
  readonly answer: number;
  readonly ruleExpiry: number;
  /** When it was last learned (epoch s) and how often a blocked request hit it. */
  readonly created: number;
  readonly hits: number;
}

/**
 * An entry that may be evicted: a rule (it has an answer) that is not also the index keeping a
 * longer-lived rule of the same base reachable (its liveness would then outlast its own expiry).
 */
export function evictable(e: LiveEntry): boolean {
  return e.answer > 0 && e.ruleExpiry > 0 && e.live <= e.ruleExpiry;
}

/**
 * True when the hand takes this entry (the CLOCK algorithm): not used since the hand last spared it
 * (`sparedAgoMs`; `touchedAgoMs` from the lookup: the table's expiry restarts at every write and hit),
 * or, on its first pass, never hit nor learned again since the learn the state line records.
 */
export function takenByHand(e: LiveEntry, recordCreated: number, sparedAgoMs: number | undefined, touchedAgoMs: number): boolean {
  if (!evictable(e)) return false;
  if (sparedAgoMs === undefined) return e.hits === 0 && e.created <= recordCreated;
  return touchedAgoMs >= sparedAgoMs;
}

/** Lines the hand reads for one victim before it falls back to the least recently touched it saw. */
export const HAND_LINES_PER_VICTIM = 64;

/** The least recently touched evictable entry of those the hand saw (ties: the smaller key, so runs agree). */
export function leastRecent(seen: readonly LiveEntry[]): LiveEntry | undefined {
  let best: LiveEntry | undefined;
  for (const e of seen) {
    if (!evictable(e)) continue;
    if (best === undefined || e.remainingMs < best.remainingMs || (e.remainingMs === best.remainingMs && e.key < best.key)) best = e;
  }
  return best;
}
