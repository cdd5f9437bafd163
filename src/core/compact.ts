/**
 * Journal compaction: fold snapshot + journal records into the state they
 * describe, then write back only what is still alive. Pure, so it is tested in
 * both runtimes; the maintenance task streams the files through it. It never
 * reads the live tables: on 2.6 a Lua cosocket stalls on CLI answers larger than
 * one buffer (16 kB), so `show table` cannot be read from Lua.
 */
import { answerBodyId, answerDryRun } from "./answer";
import { itoa, splitOn } from "./bytes";
import { RULE_FIELDS, RULE_TABLE_PREFIX, STORE_MAPS } from "./contract";
import { JournalRecord } from "./journal";
import { reasonIdOf } from "./rule";

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

type Fields = { [field: string]: number };

/** What the compactor decided for one rule-table entry of the snapshot. */
export interface EntryVerdict {
  /** The entry stays in the new snapshot. */
  readonly keep: boolean;
  /** The journal changed it: write `fields` instead of the line as it was. */
  readonly merged: boolean;
  /** The merged fields (empty when not merged). */
  readonly fields: { name: string; value: number }[];
  /** It expired (or was removed) since the last compaction: the live table may still hold it. */
  readonly expired: boolean;
}

function fieldList(e: Fields): { name: string; value: number }[] {
  const out: { name: string; value: number }[] = [];
  for (const name of keysOf(e)) out.push({ name, value: e[name] });
  return out;
}

/**
 * Streaming compaction, so that memory follows the journal, not the store: the caller
 * 1. folds the snapshot's map records (`foldSnapshotMap`), then every record of the rotated
 *    journal (`foldJournal`), in file order;
 * 2. calls `prepare()`, then hands over the snapshot's table records one by one (`snapshotEntry`),
 *    writing the kept ones;
 * 3. writes what `journalEntries()` returns (entries only the journal has), then `finish()`'s maps.
 * Only map-referenced keys, body and reason ids and the census are remembered per entry.
 */
export class Compactor {
  private readonly journal: CompactState = emptyState();
  /** Keys whose liveness decides a map entry (`table\tkey` for a rule, `table\tkey\tbase` for an index): filled by prepare(). */
  private readonly needed: { [tableKey: string]: boolean } = {};
  private readonly live: { [tableKey: string]: boolean } = {};
  private readonly bodies: { [id: string]: boolean } = {};
  private readonly reasons: { [id: string]: boolean } = {};
  private readonly counts: { [backend: string]: { enforce: number; dryRun: number } } = {};
  private readonly done: { [tableKey: string]: boolean } = {};
  /** Table keys in the order the journal first names them: the snapshot keeps learn order (the eviction hand walks it). */
  private readonly journalOrder: { table: string; key: string }[] = [];
  private nextExpiry = 0;
  private expiredCount = 0;
  private work = 0;
  private anyNeeded = false;
  private lastTable = "";
  private lastCounts: { enforce: number; dryRun: number } | undefined;
  private lastReason = -1;

  constructor(
    private readonly now: number,
    /** Called every 20 entries (HAProxy yields when its slice is used up): a big store is compacted in slices. */
    private readonly tick?: () => void,
  ) {}

  private step(): void {
    this.work++;
    if (this.tick !== undefined && this.work % 20 === 0) this.tick();
  }

  foldSnapshotMap(r: JournalRecord): void {
    if (r.kind !== "table") applyRecord(this.journal, r);
  }

  foldJournal(r: JournalRecord): void {
    if (r.kind === "table" && (this.journal.tables[r.table] === undefined || this.journal.tables[r.table][r.key] === undefined)) {
      this.journalOrder.push({ table: r.table, key: r.key });
    }
    applyRecord(this.journal, r);
  }

  /** Work out which entries the maps depend on, before the snapshot's table records stream by. */
  prepare(): void {
    for (const file of keysOf(this.journal.maps)) {
      const m = this.journal.maps[file];
      const prefix = isPrefixMap(file);
      const qual = isQualMap(file);
      if (!prefix && !qual) continue;
      const table = RULE_TABLE_PREFIX + mapBackend(file);
      for (const key of keysOf(m)) {
        this.step();
        if (prefix) this.needed[table + "\t" + m[key] + "\tbase"] = true;
        else for (const spec of splitOn(m[key], 32)) if (spec.length > 0) this.needed[table + "\t" + key + " " + spec] = true;
        this.anyNeeded = true;
      }
    }
  }

  /** One table record of the old snapshot: merged with the journal's newer fields, and judged. */
  snapshotEntry(table: string, key: string, fields: readonly { name: string; value: number }[]): EntryVerdict {
    const j = this.journal.tables[table];
    const newer = j === undefined ? undefined : j[key];
    const e: Fields = {};
    for (const f of fields) e[f.name] = f.value;
    if (newer === undefined) return this.judge(table, key, e, false);
    this.done[table + "\t" + key] = true;
    for (const name of keysOf(newer)) e[name] = newer[name];
    return this.judge(table, key, e, true);
  }

  /** Entries only the journal has (learned since the last snapshot), in learn order, judged like the others. */
  journalEntries(): { table: string; key: string; verdict: EntryVerdict }[] {
    const out: { table: string; key: string; verdict: EntryVerdict }[] = [];
    for (const { table, key } of this.journalOrder) {
      if (this.done[table + "\t" + key]) continue;
      out.push({ table, key, verdict: this.judge(table, key, this.journal.tables[table][key], true) });
    }
    return out;
  }

  private judge(table: string, key: string, e: Fields, merged: boolean): EntryVerdict {
    this.step();
    const rule = isRuleTable(table);
    // only a merged entry needs its fields listed: an unmerged one is written as it was read
    const fields = merged ? fieldList(e) : [];
    if (!rule) return { keep: true, merged, fields, expired: false };
    // every rule table gets a census line, so its gauges fall to 0 once its last rule is gone
    // (entries come table by table: the last table's census is at hand)
    if (table !== this.lastTable) {
      const be = table.substring(RULE_TABLE_PREFIX.length);
      if (this.counts[be] === undefined) this.counts[be] = { enforce: 0, dryRun: 0 };
      this.lastTable = table;
      this.lastCounts = this.counts[be];
    }
    const counts = this.lastCounts!;
    const gpt0 = e[RULE_FIELDS.expiry] ?? 0;
    const gpc1 = e[RULE_FIELDS.ruleExpiry] ?? 0;
    if (!(gpt0 > this.now)) {
      this.expiredCount++;
      return { keep: false, merged, fields, expired: true };
    }
    if (gpt0 < this.nextExpiry || this.nextExpiry === 0) this.nextExpiry = gpt0;
    if (gpc1 > this.now && gpc1 < this.nextExpiry) this.nextExpiry = gpc1;
    // only map entries (prefix and qualified rules) make keys needed: most stores need none
    const tk = this.anyNeeded ? table + "\t" + key : "";
    if (gpc1 > this.now) {
      if (this.anyNeeded && this.needed[tk]) this.live[tk] = true;
      const answer = e[RULE_FIELDS.answer] ?? 0;
      if (answerDryRun(answer)) counts.dryRun++;
      else counts.enforce++;
      const body = answerBodyId(answer);
      if (body > 0) this.bodies[itoa(body)] = true;
      // most rules share a few reasons: the id's text is made once per run of the same one
      const reason = reasonIdOf(e[RULE_FIELDS.reason] ?? 0);
      if (reason !== this.lastReason) {
        this.reasons[itoa(reason)] = true;
        this.lastReason = reason;
      }
    }
    // an index entry alone (no rule of its own) keeps its base alive for its siblings
    if (this.anyNeeded && this.needed[tk + "\tbase"]) this.live[tk + "\tbase"] = true;
    return { keep: true, merged, fields, expired: false };
  }

  /** The map records to keep, the live map entries to prune, the census and the next expiry. */
  finish(): { maps: JournalRecord[]; prune: JournalRecord[]; census: Census[]; nextExpiry: number; expired: number } {
    const maps: JournalRecord[] = [];
    const prune: JournalRecord[] = [];
    for (const file of keysOf(this.journal.maps)) {
      const m = this.journal.maps[file];
      const prefix = isPrefixMap(file);
      const qual = isQualMap(file);
      const table = RULE_TABLE_PREFIX + mapBackend(file);
      for (const key of keysOf(m)) {
        this.step();
        let value = m[key];
        if (prefix && !this.live[table + "\t" + value + "\tbase"]) value = "";
        else if (qual) {
          let kept = "";
          for (const spec of splitOn(value, 32)) if (spec.length > 0 && this.live[table + "\t" + key + " " + spec]) kept = kept + (kept.length > 0 ? " " : "") + spec;
          value = kept;
        } else if (file === STORE_MAPS.bodies && !this.bodies[key]) value = "";
        else if (file === STORE_MAPS.reasons && !this.reasons[key]) value = "";
        else if (file === STORE_MAPS.counters) continue;
        if (value.length === 0) prune.push({ kind: "map-del", file, key });
        else {
          if (value !== m[key]) prune.push({ kind: "map-set", file, key, value });
          maps.push({ kind: "map-set", file, key, value });
        }
      }
    }
    const census: Census[] = [];
    for (const be of keysOf(this.counts)) census.push({ backend: be, enforce: this.counts[be].enforce, dryRun: this.counts[be].dryRun });
    return { maps, prune, census, nextExpiry: this.nextExpiry, expired: this.expiredCount };
  }

}

function isPrefixMap(file: string): boolean {
  return file.substring(0, STORE_MAPS.prefixPrefix.length) === STORE_MAPS.prefixPrefix;
}

function isQualMap(file: string): boolean {
  return file.substring(0, STORE_MAPS.qualPrefix.length) === STORE_MAPS.qualPrefix;
}

/** The backend a per-backend map belongs to ("" for the global maps). */
function mapBackend(file: string): string {
  if (isPrefixMap(file)) return file.substring(STORE_MAPS.prefixPrefix.length, file.length - 4);
  if (isQualMap(file)) return file.substring(STORE_MAPS.qualPrefix.length, file.length - 4);
  return "";
}

/**
 * Live rule entries (liveness gpt0 in the future), the control switches, and
 * the map entries still used by live rules, from a state folded in memory (the
 * streaming Compactor over one in-memory snapshot). Everything else is dropped,
 * and the map entries that are dropped are returned in `prune`.
 */
export function compact(s: CompactState, now: number, tick?: () => void): Compacted {
  const c = new Compactor(now, tick);
  for (const file of keysOf(s.maps)) for (const key of keysOf(s.maps[file])) c.foldSnapshotMap({ kind: "map-set", file, key, value: s.maps[file][key] });
  c.prepare();
  const records: JournalRecord[] = [];
  const expired: { table: string; key: string }[] = [];
  for (const table of keysOf(s.tables)) {
    const t = s.tables[table];
    for (const key of keysOf(t)) {
      const fields = fieldList(t[key]);
      const v = c.snapshotEntry(table, key, fields);
      if (v.keep) records.push({ kind: "table", table, key, fields: v.merged ? v.fields : fields });
      else if (v.expired) expired.push({ table, key });
    }
  }
  const f = c.finish();
  for (const m of f.maps) records.push(m);
  return { records, prune: f.prune, census: f.census, nextExpiry: f.nextExpiry, expired };
}
