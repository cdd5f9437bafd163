/**
 * The persistence format: one store mutation per line, TAB-separated (no rule
 * key, map key or map value can contain a TAB or a newline). The same format
 * serves the append-only journal and the periodic snapshot.
 *
 *   T <tab> <writer> <tab> <table> <tab> <key> <tab> <field>=<n>,<field>=<n>...
 *   M <tab> <writer> <tab> <map file> <tab> <key> <tab> <value>
 *   D <tab> <writer> <tab> <map file> <tab> <key>
 *
 * <writer> identifies the process that wrote the line (its pid), so a process
 * tailing the journal can skip its own lines.
 */
import { itoa, parseDecimal, splitOn } from "./bytes";
import { RULE_FIELDS, RULE_TABLE_PREFIX } from "./contract";
import { escapeCliArg } from "./runtime-cmd";

export interface TableField {
  readonly name: string;
  readonly value: number;
}

export type JournalRecord =
  | { readonly kind: "table"; readonly table: string; readonly key: string; readonly fields: readonly TableField[] }
  | { readonly kind: "map-set"; readonly file: string; readonly key: string; readonly value: string }
  | { readonly kind: "map-del"; readonly file: string; readonly key: string };

export type ParsedLine =
  | { readonly ok: true; readonly writer: string; readonly record: JournalRecord }
  | { readonly ok: false; readonly error: string };

export const SNAPSHOT_FILE = "rules.snapshot";

const SNAPSHOT_HEADER = "# edgeblock snapshot v1 written at ";

/** The first line of a snapshot: when and by whom it was written. */
export function snapshotHeader(now: number, writer: string): string {
  return SNAPSHOT_HEADER + itoa(now) + " by " + writer;
}

/** When a snapshot was written, from its first line; 0 when the line is not a snapshot header. */
export function parseSnapshotHeader(line: string): number {
  if (line.substring(0, SNAPSHOT_HEADER.length) !== SNAPSHOT_HEADER) return 0;
  const rest = line.substring(SNAPSHOT_HEADER.length);
  const sp = rest.indexOf(" ");
  const at = parseDecimal(sp < 0 ? rest : rest.substring(0, sp), MAX_FIELD_VALUE);
  return at < 0 ? 0 : at;
}
export const JOURNAL_FILE = "rules.journal";
export const JOURNAL_OLD_FILE = "rules.journal.old";

function hasBadByte(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13) return true;
  }
  return false;
}

/** One line (without the newline), or undefined when a field holds a TAB or newline. */
export function formatRecord(r: JournalRecord, writer: string): string | undefined {
  if (r.kind === "table") {
    if (hasBadByte(r.table) || hasBadByte(r.key)) return undefined;
    let fields = "";
    for (let i = 0; i < r.fields.length; i++) fields = fields + (i > 0 ? "," : "") + r.fields[i].name + "=" + itoa(r.fields[i].value);
    return "T\t" + writer + "\t" + r.table + "\t" + r.key + "\t" + fields;
  }
  if (hasBadByte(r.file) || hasBadByte(r.key)) return undefined;
  if (r.kind === "map-set") {
    if (hasBadByte(r.value)) return undefined;
    return "M\t" + writer + "\t" + r.file + "\t" + r.key + "\t" + r.value;
  }
  return "D\t" + writer + "\t" + r.file + "\t" + r.key;
}

/** The widest value a record's field, or a snapshot header's time, may hold. */
export const MAX_FIELD_VALUE = 4294967295;
/** The longest field name a record may carry. */
export const MAX_FIELD_NAME = 32;

/** The fields edgeblock writes: checked by lookup before the byte-by-byte test. */
const KNOWN_FIELDS: { [name: string]: boolean } = { gpt0: true, gpc0: true, gpc1: true, sess_cnt: true, server_id: true };

function isFieldName(s: string): boolean {
  if (KNOWN_FIELDS[s] === true) return true;
  if (s.length === 0 || s.length > MAX_FIELD_NAME) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

/** Parse one line; a truncated or corrupt line is an error, never an exception. */
/**
 * Written before lines retried after a failed append: a line the failure cut short gets an extra
 * field, so it can never parse as a shorter key or a smaller number; alone it is a line of its own.
 */
export const TORN_MARK = "\t#torn";

export function parseRecord(line: string): ParsedLine {
  if (line.length >= TORN_MARK.length && line.substring(line.length - TORN_MARK.length) === TORN_MARK) {
    return { ok: false, error: "cut short by a failed write" };
  }
  const f = splitOn(line, 9);
  const kind = f[0];
  if (kind === "T") {
    if (f.length !== 5) return { ok: false, error: "table record needs 5 fields, has " + f.length };
    if (f[2].length === 0 || f[3].length === 0) return { ok: false, error: "empty table or key" };
    const fields: TableField[] = [];
    for (const pair of splitOn(f[4], 44)) {
      const eq = pair.indexOf("=");
      if (eq <= 0) return { ok: false, error: "bad field '" + pair + "'" };
      const name = pair.substring(0, eq);
      const value = parseDecimal(pair.substring(eq + 1), MAX_FIELD_VALUE);
      if (!isFieldName(name) || value < 0) return { ok: false, error: "bad field '" + pair + "'" };
      fields.push({ name, value });
    }
    return { ok: true, writer: f[1], record: { kind: "table", table: f[2], key: f[3], fields } };
  }
  if (kind === "M") {
    if (f.length !== 5) return { ok: false, error: "map record needs 5 fields, has " + f.length };
    if (f[2].length === 0 || f[3].length === 0) return { ok: false, error: "empty map or key" };
    return { ok: true, writer: f[1], record: { kind: "map-set", file: f[2], key: f[3], value: f[4] } };
  }
  if (kind === "D") {
    if (f.length !== 4) return { ok: false, error: "map delete needs 4 fields, has " + f.length };
    if (f[2].length === 0 || f[3].length === 0) return { ok: false, error: "empty map or key" };
    return { ok: true, writer: f[1], record: { kind: "map-del", file: f[2], key: f[3] } };
  }
  return { ok: false, error: "unknown record type" };
}

function field(r: JournalRecord, name: string): number | undefined {
  if (r.kind !== "table") return undefined;
  for (const f of r.fields) if (f.name === name) return f.value;
  return undefined;
}

/**
 * True when replaying a record would only bring back something expired: a
 * rule-table record whose liveness (gpt0) is in the past. Records that zero a
 * rule (removals), control switches and map records are always replayed.
 */
export function isExpiredRecord(r: JournalRecord, now: number): boolean {
  if (r.kind !== "table" || r.table.substring(0, RULE_TABLE_PREFIX.length) !== RULE_TABLE_PREFIX) return false;
  const live = field(r, RULE_FIELDS.expiry);
  if (live === undefined || live === 0) return false;
  return live <= now;
}

/** What a table holds now for a key, for deciding whether a replayed record is stale. */
export interface CurrentEntry {
  readonly gpt0: number;
  readonly sessCnt: number;
  /** The entry's rule expiry (gpc1): 0 once a removal lifted it. Absent: not known (treated as live). */
  readonly ruleExpiry?: number;
}

/** An entry's CurrentEntry from its fields (`field(name)`: a Lua entry's get, a `show table` line's data). */
export function currentEntryOf(field: (name: string) => number | undefined): CurrentEntry {
  return { gpt0: field(RULE_FIELDS.expiry) ?? 0, sessCnt: field(RULE_FIELDS.created) ?? 0, ruleExpiry: field(RULE_FIELDS.ruleExpiry) ?? 0 };
}

/**
 * Adapt a record replayed from another writer to what the table holds now:
 * undefined when the record is older than the entry (its sess_cnt, the time of
 * the last change, is earlier), or as old as a removal that lifted the entry
 * (stamps are whole seconds: a removal wins a tie, so that a rule lifted on
 * another node is not brought back by a replay from the same second), and
 * index-liveness updates never lower gpt0.
 */
export function reconcile(r: JournalRecord, current: CurrentEntry | undefined): JournalRecord | undefined {
  if (r.kind !== "table" || current === undefined) return r;
  const stamp = field(r, RULE_FIELDS.created);
  if (stamp !== undefined) {
    if (stamp < current.sessCnt) return undefined;
    const lifts = field(r, RULE_FIELDS.ruleExpiry) === 0;
    return stamp === current.sessCnt && current.ruleExpiry === 0 && !lifts ? undefined : r;
  }
  const live = field(r, RULE_FIELDS.expiry);
  if (live !== undefined && r.fields.length === 1 && live < current.gpt0) return undefined;
  return r;
}

/** The runtime API command that applies a table record. */
export function recordCommand(r: JournalRecord): string | undefined {
  if (r.kind !== "table" || r.fields.length === 0) return undefined;
  let cmd = "set table " + escapeCliArg(r.table) + " key " + escapeCliArg(r.key);
  for (const f of r.fields) cmd = cmd + " data." + f.name + " " + itoa(f.value);
  return cmd;
}
