/**
 * Journal compaction: fold snapshot + journal records into the state they
 * describe, then write back only what is still alive. Pure, so it is tested in
 * both runtimes; the maintenance task streams the files through it. It never
 * reads the live tables: on 2.6 a Lua cosocket stalls on CLI answers larger than
 * one buffer (16 kB), so `show table` cannot be read from Lua.
 */
import { unpackAnswer } from "./answer";
import { itoa, splitOn } from "./bytes";
import { RULE_TABLE_PREFIX, STORE_MAPS } from "./contract";
import { JournalRecord } from "./journal";
import { unpackReason } from "./rule";

export interface CompactState {
  /** table -> key -> field -> value (later records override earlier fields). */
  readonly tables: { [table: string]: { [key: string]: { [field: string]: number } } };
  /** map file -> key -> value. */
  readonly maps: { [file: string]: { [key: string]: string } };
}

export function emptyState(): CompactState {
  return { tables: {}, maps: {} };
}

export function applyRecord(s: CompactState, r: JournalRecord): void {
  if (r.kind === "table") {
    if (s.tables[r.table] === undefined) s.tables[r.table] = {};
    const t = s.tables[r.table];
    if (t[r.key] === undefined) t[r.key] = {};
    const e = t[r.key];
    for (const f of r.fields) e[f.name] = f.value;
  } else if (r.kind === "map-set") {
    if (s.maps[r.file] === undefined) s.maps[r.file] = {};
    s.maps[r.file][r.key] = r.value;
  } else if (s.maps[r.file] !== undefined) {
    delete s.maps[r.file][r.key];
  }
}

function isRuleTable(t: string): boolean {
  return t.substring(0, RULE_TABLE_PREFIX.length) === RULE_TABLE_PREFIX;
}

export interface Census {
  readonly backend: string;
  readonly enforce: number;
  readonly dryRun: number;
}

export interface Compacted {
  /** What the new snapshot holds. */
  readonly records: JournalRecord[];
  /** Map entries to drop from the live maps (their rules are gone). */
  readonly prune: JournalRecord[];
  readonly census: Census[];
  /** The earliest future time a kept rule entry expires (0 when none): compacting again then prunes its map entries. */
  readonly nextExpiry: number;
  /** Rule-table entries that expired (or were removed) since the last compaction: the live tables may still hold them. */
  readonly expired: { readonly table: string; readonly key: string }[];
}

/** Keys in pairs() order: callers that need an order sort (sorting 1M keys would hold Lua for long). */
function keysOf(o: { [k: string]: unknown }): string[] {
  const ks: string[] = [];
  for (const k in o) if (o[k] !== undefined) ks.push(k);
  return ks;
}

/**
 * Live rule entries (liveness gpt0 in the future), the control switches, and
 * the map entries still used by live rules. Everything else is dropped, and
 * the map entries that are dropped are returned in `prune`.
 */
export function compact(s: CompactState, now: number, tick?: () => void): Compacted {
  let work = 0;
  // the maintenance task passes core.yield: a big store is compacted in slices, not in one hold
  const step = () => {
    work++;
    if (tick !== undefined && work % 500 === 0) tick();
  };
  const records: JournalRecord[] = [];
  const prune: JournalRecord[] = [];
  const census: Census[] = [];
  const bodies: { [id: string]: boolean } = {};
  const reasons: { [id: string]: boolean } = {};
  const live: { [tableKey: string]: boolean } = {};
  let nextExpiry = 0;
  const expired: { table: string; key: string }[] = [];
  const expiresAt = (t: number) => {
    if (t > now && (nextExpiry === 0 || t < nextExpiry)) nextExpiry = t;
  };
  for (const table of keysOf(s.tables)) {
    const t = s.tables[table];
    const rule = isRuleTable(table);
    let enforce = 0;
    let dry = 0;
    for (const key of keysOf(t)) {
      step();
      const e = t[key];
      if (rule && !((e.gpt0 ?? 0) > now)) {
        expired.push({ table, key });
        continue;
      }
      const fields: { name: string; value: number }[] = [];
      for (const name of keysOf(e)) fields.push({ name, value: e[name] });
      records.push({ kind: "table", table, key, fields });
      if (!rule) continue;
      live[table + "\t" + key] = (e.gpc1 ?? 0) > now;
      expiresAt(e.gpc1 ?? 0);
      expiresAt(e.gpt0 ?? 0);
      if ((e.gpc1 ?? 0) > now) {
        const a = unpackAnswer(e.gpc0 ?? 0);
        if (a.dryRun) dry++;
        else enforce++;
        if (a.bodyId > 0) bodies[itoa(a.bodyId)] = true;
        reasons[itoa(unpackReason(e.server_id ?? 0).reasonId)] = true;
      }
      // an index entry alone (no rule of its own) keeps its base alive for its siblings
      if ((e.gpt0 ?? 0) > now) live[table + "\t" + key + "\tbase"] = true;
    }
    if (rule) census.push({ backend: table.substring(RULE_TABLE_PREFIX.length), enforce, dryRun: dry });
  }
  for (const file of keysOf(s.maps)) {
    const m = s.maps[file];
    const prefixMap = file.substring(0, STORE_MAPS.prefixPrefix.length) === STORE_MAPS.prefixPrefix;
    const qualMap = file.substring(0, STORE_MAPS.qualPrefix.length) === STORE_MAPS.qualPrefix;
    const be = prefixMap
      ? file.substring(STORE_MAPS.prefixPrefix.length, file.length - 4)
      : qualMap
        ? file.substring(STORE_MAPS.qualPrefix.length, file.length - 4)
        : "";
    const table = RULE_TABLE_PREFIX + be;
    for (const key of keysOf(m)) {
      step();
      let value = m[key];
      if (prefixMap && !live[table + "\t" + value + "\tbase"]) value = "";
      else if (qualMap) {
        let kept = "";
        for (const spec of splitOn(value, 32)) if (spec.length > 0 && live[table + "\t" + key + " " + spec]) kept = kept + (kept.length > 0 ? " " : "") + spec;
        value = kept;
      } else if (file === STORE_MAPS.bodies && !bodies[key]) value = "";
      else if (file === STORE_MAPS.reasons && !reasons[key]) value = "";
      else if (file === STORE_MAPS.counters) continue;
      if (value.length === 0) prune.push({ kind: "map-del", file, key });
      else {
        if (value !== m[key]) prune.push({ kind: "map-set", file, key, value });
        records.push({ kind: "map-set", file, key, value });
      }
    }
  }
  return { records, prune, census, nextExpiry, expired };
}
