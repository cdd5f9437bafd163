/**
 * Room in a full rule table: a CLOCK hand walks the rule keys in the order the state files list
 * them (snapshot, then the journals: learn order), looks each up in the live table, gives a second
 * chance to entries touched since, and clears the first that was not (core/eviction.ts). Every Lua
 * state has its own hand over the same files, so every thread's learns can evict.
 */
import { HAND_LINES_PER_VICTIM, leastRecent, LiveEntry, takenByHand } from "../core/eviction";
import { JOURNAL_FILE, JOURNAL_OLD_FILE, parseRecord, SNAPSHOT_FILE } from "../core/journal";
import { snapshotWrittenAt } from "./state-files";
import { msNow } from "./slices";
import { RULE_FIELDS } from "../core/contract";
import { Settings } from "../core/settings";
import { statePath } from "./journal-file";

const FILES = [SNAPSHOT_FILE, JOURNAL_OLD_FILE, JOURNAL_FILE];

interface Hand {
  file: number;
  offset: number;
  /** The snapshot the hand is in (its header time): a new one starts the hand again at its top, the oldest rules. */
  snapshotAt: number;
  /** When the hand last passed an entry it spared (ms). */
  spared: { [key: string]: number };
}

const hands: { [table: string]: Hand } = {};

function entryOf(t: HaproxyStickTable, key: string): LiveEntry | undefined {
  const e = t.lookup(key);
  if (e === undefined) return undefined;
  return {
    key,
    remainingMs: e.get("expire") ?? 0,
    live: e.get(RULE_FIELDS.expiry) ?? 0,
    answer: e.get(RULE_FIELDS.answer) ?? 0,
    ruleExpiry: e.get(RULE_FIELDS.ruleExpiry) ?? 0,
    created: e.get(RULE_FIELDS.created) ?? 0,
    hits: e.get(RULE_FIELDS.hits) ?? 0,
  };
}

/** The `n` rule keys of `table` to clear so that new entries fit (fewer when the hand finds fewer); `keep` are never taken. */
export function chooseVictims(settings: Settings, table: string, t: HaproxyStickTable, n: number, keep: { [key: string]: boolean }): string[] {
  const hand = hands[table] ?? { file: 0, offset: 0, snapshotAt: -1, spared: {} };
  hands[table] = hand;
  const at = snapshotWrittenAt(settings);
  if (at !== hand.snapshotAt) {
    hand.snapshotAt = at;
    hand.file = 0;
    hand.offset = 0;
  }
  const expireMs = t.info().expire;
  const now = msNow();
  const victims: string[] = [];
  const taken: { [key: string]: boolean } = {};
  let seen: LiveEntry[] = [];
  let budget = HAND_LINES_PER_VICTIM * n;
  let filesLeft = FILES.length + 1;
  while (victims.length < n && budget > 0 && filesLeft > 0) {
    const [f] = io.open(statePath(settings, FILES[hand.file]), "r");
    let ended = true;
    if (f !== undefined) {
      const [end] = f.seek("end");
      if (typeof end === "number" && hand.offset < end) {
        f.seek("set", hand.offset);
        ended = false;
        while (victims.length < n && budget > 0) {
          const line = f.read("L") as string | undefined;
          if (line === undefined || line.charCodeAt(line.length - 1) !== 10) {
            ended = true;
            break;
          }
          hand.offset = hand.offset + line.length;
          budget--;
          const p = parseRecord(line.substring(0, line.length - 1));
          if (!p.ok || p.record.kind !== "table" || p.record.table !== table) continue;
          const key = p.record.key;
          if (keep[key] === true || taken[key] === true) continue;
          let learnedSec = 0;
          for (const fl of p.record.fields) if (fl.name === RULE_FIELDS.created) learnedSec = fl.value;
          const e = entryOf(t, key);
          if (e === undefined) {
            delete hand.spared[key];
            continue;
          }
          seen.push(e);
          const spared = hand.spared[key];
          if (takenByHand(e, learnedSec, spared === undefined ? undefined : now - spared, expireMs - e.remainingMs)) {
            victims.push(key);
            taken[key] = true;
            delete hand.spared[key];
          } else hand.spared[key] = now;
        }
      }
      f.close();
    }
    if (ended) {
      hand.file = (hand.file + 1) % FILES.length;
      hand.offset = 0;
      filesLeft--;
    }
  }
  // everything the hand saw was touched lately: the least recently touched of them goes
  while (victims.length < n) {
    const e = leastRecent(seen);
    if (e === undefined) break;
    victims.push(e.key);
    taken[e.key] = true;
    delete hand.spared[e.key];
    const rest: LiveEntry[] = [];
    for (const s of seen) if (taken[s.key] !== true) rest.push(s);
    seen = rest;
  }
  return victims;
}
