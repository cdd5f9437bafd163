/**
 * What learning rules writes to the store, as journal records: one entry per
 * rule key, the index entry that keeps each base alive, the prefix and
 * qualified-spec map entries, and the body and reason names. Shared by the Lua
 * learn action and the CLI's `rules add`, so both store a rule the same way.
 */
import { itoa, splitOn } from "./bytes";
import { RULE_FIELDS, RULE_TABLE_PREFIX, STORE_MAPS } from "./contract";
import { JournalRecord } from "./journal";
import { bodyId, reasonId, ruleEntry } from "./rule";
import { RuleEntryData } from "./runtime-cmd";
import { baseKey, isQualified, ruleKeys, specOf } from "./rulekey";
import { BlockRule } from "./verdict";

/** What the store already holds, as far as learning needs to know. */
export interface StoreLookups {
  /** gpt0 of an entry (0 when absent). */
  liveness(key: string): number;
  /** The qualified spec list of a base, if any. */
  specs(base: string): string | undefined;
  /** Whether a map already has a key (so that it is not rewritten: set_map is O(n) on 2.6). */
  hasMapKey(file: string, key: string): boolean;
}

export function prefixMapFile(backend: string): string {
  return STORE_MAPS.prefixPrefix + backend + ".map";
}

/** A prefix rule's entry in its backend's prefix map (found with map_beg on the path plus `/`). */
export function prefixMapKey(path: string): string {
  return path + "/";
}

export function qualMapFile(backend: string): string {
  return STORE_MAPS.qualPrefix + backend + ".map";
}

export function entryRecord(table: string, key: string, d: RuleEntryData): JournalRecord {
  return {
    kind: "table",
    table,
    key,
    fields: [
      { name: RULE_FIELDS.expiry, value: d.expiry },
      { name: RULE_FIELDS.answer, value: d.answer },
      { name: RULE_FIELDS.ruleExpiry, value: d.ruleExpiry },
      { name: RULE_FIELDS.created, value: d.created },
      { name: RULE_FIELDS.reason, value: d.reason },
    ],
  };
}

/** Add a spec to a space-separated list, once. */
export function addSpec(list: string | undefined, spec: string): string {
  if (list === undefined || list.length === 0) return spec;
  for (const s of splitOn(list, 32)) if (s === spec) return list;
  return list + " " + spec;
}

/** Drop a spec from a space-separated list. */
export function dropSpec(list: string, spec: string): string {
  let out = "";
  for (const s of splitOn(list, 32)) {
    if (s.length === 0 || s === spec) continue;
    out = out + (out.length > 0 ? " " : "") + s;
  }
  return out;
}

/**
 * The record that lifts the rule on `key` (the Lua store's remove and the CLI's): its rule expiry is
 * zeroed, and its liveness too unless the entry still indexes other rules of the same base; the
 * creation stamp records the change, so a replayed older record cannot undo it.
 */
export function removalRecord(table: string, key: string, keepIndex: boolean, now: number): JournalRecord {
  const stamp = { name: RULE_FIELDS.created, value: now };
  const lift = { name: RULE_FIELDS.ruleExpiry, value: 0 };
  return { kind: "table", table, key, fields: keepIndex ? [lift, stamp] : [lift, { name: RULE_FIELDS.expiry, value: 0 }, stamp] };
}

/**
 * Whether a removal keeps the entry's liveness (gpt0): a base entry indexes the base's other rules; and
 * in a cluster every removal does, so that the entry (with its removal stamp) outlives the sweeps until
 * the rule would have expired anyway: a node that was down then reloads its own older record of the
 * rule, and reconciling against the entry refuses it (core/journal.ts reconcile). Peers carry writes,
 * not deletions.
 */
export function removalKeepsLiveness(isBase: boolean, clustered: boolean): boolean {
  return isBase || clustered;
}

/** Records that learn `rules` at `now` (epoch seconds) + `nowUsec`. */
export function blockRecords(backend: string, rules: readonly BlockRule[], now: number, originServerId: number, store: StoreLookups, nowUsec = 0, createdAt?: number): JournalRecord[] {
  const table = RULE_TABLE_PREFIX + backend;
  const out: JournalRecord[] = [];
  const liveBy: { [base: string]: number } = {};
  const bases: string[] = [];
  const specLists: { [base: string]: string } = {};
  const baseAt: { [base: string]: { index: number; data: RuleEntryData } } = {};
  const mapOnce = (file: string, key: string, value: string) => {
    if (!store.hasMapKey(file, key)) out.push({ kind: "map-set", file, key, value });
  };
  for (const r of rules) {
    const body = r.body.length > 0 ? bodyId(r.body) : 0;
    if (body > 0) mapOnce(STORE_MAPS.bodies, itoa(body), r.body);
    mapOnce(STORE_MAPS.reasons, itoa(reasonId(r.reason)), r.reason);
    const entry = ruleEntry({ status: r.status, ttl: r.ttl, reason: r.reason, dryRun: r.dryRun, bodyId: body, originServerId }, now, nowUsec, createdAt);
    const base = baseKey(r.match.path, r.match.prefix);
    if (liveBy[base] === undefined) {
      liveBy[base] = store.liveness(base);
      bases.push(base);
    }
    if (entry.expiry > liveBy[base]) liveBy[base] = entry.expiry;
    for (const key of ruleKeys(r.match)) {
      if (key === base) baseAt[base] = { index: out.length, data: entry };
      out.push(entryRecord(table, key, entry));
    }
    if (r.match.prefix) mapOnce(prefixMapFile(backend), prefixMapKey(r.match.path), base);
    if (isQualified(r.match)) {
      let list = specLists[base] !== undefined ? specLists[base] : store.specs(base);
      for (const m of r.match.methods.length === 0 ? ["*"] : r.match.methods) list = addSpec(list, specOf(m, r.match));
      if (list !== undefined) specLists[base] = list;
    }
  }
  // index entries go first: when a table has no room left, a rule is then never stored without its index
  const indexes: JournalRecord[] = [];
  for (const base of bases) {
    if (specLists[base] !== undefined) out.push({ kind: "map-set", file: qualMapFile(backend), key: base, value: specLists[base] });
    // the index keeps the base alive as long as its longest rule; when a rule is keyed on the base
    // itself, its entry carries the index (a second write would touch the entry again, and on 2.6 a
    // full table's eviction gives up after a few recently touched entries)
    const own = baseAt[base];
    if (own !== undefined) out[own.index] = entryRecord(table, base, { ...own.data, expiry: liveBy[base] });
    else indexes.push({ kind: "table", table, key: base, fields: [{ name: RULE_FIELDS.expiry, value: liveBy[base] }] });
  }
  for (const r of out) indexes.push(r);
  return indexes;
}
