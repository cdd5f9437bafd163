/**
 * Reading the state files (snapshot, journals) line by line, and replaying records into the live
 * tables and maps in batched runtime-API calls.
 */
import { itoa } from "../core/bytes";
import { RULE_FIELDS, RULE_TABLE_PREFIX } from "../core/contract";
import { CurrentEntry, currentEntryOf, isExpiredRecord, JournalRecord, MAX_FIELD_NAME, MAX_FIELD_VALUE, ParsedLine, parseRecord, parseSnapshotHeader, recordCommand, reconcile, SNAPSHOT_FILE, TableField } from "../core/journal";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { logEvent } from "./log";
import { CliResult, cliSucceeded, CommandBatch, runCli, runCliJoined } from "./runtime-api";
import { batchSize, liveCommands, SNAPSHOT_COMMANDS_FILE, splitBatchLine, trailerMatches, vouchedBatch } from "../core/snapshot-commands";
import { slice } from "./slices";
import { statePath } from "./journal-file";

/** The runtime API may not accept connections yet while a process starts: retry for up to 10 s. */
export function runCliRetry(settings: Settings, cmds: readonly string[]): CliResult {
  return retried(() => runCli(settings.runtimeApi, cmds, 10));
}

function retried(send: () => CliResult): CliResult {
  let res = send();
  for (let i = 0; i < 100 && !res.ok; i++) {
    core.msleep(100);
    res = send();
  }
  return res;
}

function currentEntry(r: JournalRecord): CurrentEntry | undefined {
  if (r.kind !== "table") return undefined;
  const px = core.backends.get(r.table);
  const e = px === undefined || px.stktable === undefined ? undefined : px.stktable.lookup(r.key);
  if (e === undefined) return undefined;
  return currentEntryOf((f) => e.get(f));
}

/** Whether a field list is `name=digits` pairs joined by single commas, and nothing else (one pass in C). */
function onlyPairs(fields: string): boolean {
  const [rest] = string.gsub("," + fields, ",[a-z0-9_]+=%d+", "");
  return rest.length === 0;
}

/** Whether a Lua pattern matches somewhere in s. */
function has(s: string, pattern: string): boolean {
  const [at] = string.find(s, pattern);
  return at !== undefined;
}

/**
 * The parts of a table line of a state file, by the string library's patterns (in C), when it is plain:
 * names of at most 32 bytes, values without a leading zero and within range, `name=digits` pairs joined by
 * single commas and nothing else. Each pair goes to `fields` when given. Undefined for any line it does
 * not vouch for (map lines, anything unusual): parseRecord then decides.
 */
function plainTableLine(line: string, fields?: TableField[]): { writer: string; table: string; key: string; text: string } | undefined {
  const [writer, table, key, text] = string.match(line, "^T\t([^\t]*)\t([^\t]+)\t([^\t]+)\t([^\t]+)$");
  if (writer === undefined || table === undefined || key === undefined || text === undefined) return undefined;
  let pairs = 0;
  for (const [name, v] of string.gmatch(text, "([a-z0-9_]+)=(%d+)")) {
    if (name.length > MAX_FIELD_NAME || v.length > 10 || (v.length > 1 && string.byte(v, 1) === 48)) return undefined;
    const value = tonumber(v) as number;
    if (value > MAX_FIELD_VALUE) return undefined;
    fields?.push({ name, value });
    pairs++;
  }
  if (pairs === 0 || !onlyPairs(text)) return undefined;
  return { writer, table, key, text };
}

/**
 * A rule-table line of a state file as its runtime-API command, without a table per field:
 * [T] parsing each line byte by byte in the Lua VM made loading cost ~60 µs of CPU per rule, ten times
 * the CLI's own work. Returns the command, `false` for a rule that has expired, or undefined for any line
 * it does not vouch for (plainTableLine, and keys that need escaping): those take parseRecord's path.
 * Same result as parseRecord + isExpiredRecord + recordCommand wherever it answers (tested on vectors).
 */
export function fastTableCommand(line: string, now: number): string | false | undefined {
  const p = plainTableLine(line);
  if (p === undefined) return undefined;
  // bytes escapeCliArg would escape
  if (has(p.table, "[\\; \t]") || has(p.key, "[\\; \t]")) return undefined;
  if (p.table.substring(0, RULE_TABLE_PREFIX.length) === RULE_TABLE_PREFIX) {
    const [live] = string.match("," + p.text, "," + RULE_FIELDS.expiry + "=(%d+)");
    if (live !== undefined && (tonumber(live) as number) > 0 && (tonumber(live) as number) <= now) return false;
  }
  const [spaced] = string.gsub(p.text, "=", " ");
  const [data] = string.gsub(spaced, ",", " data.");
  return "set table " + p.table + " key " + p.key + " data." + data;
}

/**
 * A table line of a state file as its record, for the compactor (which parsed every snapshot line byte by
 * byte in the Lua VM: most of a compaction's CPU). Same record as parseRecord wherever it answers
 * (test/lua/state-fast-path.dual.test.ts).
 */
export function fastRecord(line: string): ParsedLine | undefined {
  const fields: TableField[] = [];
  const p = plainTableLine(line, fields);
  if (p === undefined) return undefined;
  return { ok: true, writer: p.writer, record: { kind: "table", table: p.table, key: p.key, fields } };
}

/** Applies records in order: table records in batched runtime API calls, map records directly. */
export class Replayer {
  applied = 0;
  skipped = 0;
  private readonly batch: CommandBatch;
  constructor(
    settings: Settings,
    readonly now: number,
    /** Tailing: other processes' records may be older than what the table holds. */
    private readonly guard: boolean,
  ) {
    this.batch = new CommandBatch((cmds) => {
      const res = runCliRetry(settings, cmds);
      if (!res.ok || !cliSucceeded(res.output)) logEvent(core.err, "state replay batch failed", [["detail", res.output]]);
    });
  }

  push(record: JournalRecord): void {
    if (isExpiredRecord(record, this.now)) {
      this.skipped++;
      return;
    }
    const r = this.guard ? reconcile(record, currentEntry(record)) : record;
    if (r === undefined) {
      this.skipped++;
      return;
    }
    if (r.kind === "table") {
      const c = recordCommand(r);
      if (c === undefined) return;
      this.batch.add(c);
    } else {
      // keep the order between table and map writes
      this.batch.flush();
      const [ok] = pcall(() => (r.kind === "map-set" ? core.set_map(r.file, r.key, r.value) : core.del_map(r.file, r.key)));
      if (!ok) {
        this.skipped++;
        return;
      }
    }
    this.applied++;
  }

  flush(): void {
    this.batch.flush();
  }

  /** A line fastTableCommand vouches for, applied without parsing; false when it must be parsed (and when tailing, which reconciles). */
  fastLine(line: string): boolean {
    if (this.guard) return false;
    const c = fastTableCommand(line, this.now);
    if (c === undefined) return false;
    if (c === false) this.skipped++;
    else {
      this.batch.add(c);
      this.applied++;
    }
    return true;
  }
}

/**
 * Each complete line of a file from `offset`, without its newline, with its number; the task gives
 * traffic its turn every 20 lines. A last line without its newline may still be being written: it is
 * left for later. Returns the offset after the last complete line (0 when there is no file).
 */
function eachLine(file: string, offset: number, visit: (body: string, n: number) => void): number {
  const [f] = io.open(file, "r");
  if (f === undefined) return 0;
  const [end] = f.seek("end");
  const size = typeof end === "number" ? end : 0;
  if (size < offset) offset = 0; // the file was rotated: start over
  f.seek("set", offset);
  let n = 0;
  for (;;) {
    const line = f.read("L") as string | undefined;
    if (line === undefined || line.charCodeAt(line.length - 1) !== 10) break;
    offset = offset + line.length;
    n++;
    if (n % 20 === 0) slice();
    visit(line.substring(0, line.length - 1), n);
  }
  f.close();
  return offset;
}

/** A line that does not parse: counted and logged with file and line, never applied. */
function skipCorrupt(file: string, n: number, error: string): void {
  inc("state_lines_corrupt");
  logEvent(core.warning, "state line skipped", [["file", file], ["line", itoa(n)], ["detail", error]]);
}

/** Where replayed records go: the Replayer, or the compactor's journal fold. */
interface RecordSink {
  push(r: JournalRecord): void;
  flush(): void;
  fastLine?(line: string): boolean;
}

/**
 * Stream a state file from `offset` into the replayer, skipping this process's own lines when
 * tailing. Returns the offset after the last complete line and the corrupt line count.
 */
export function readFrom(file: string, offset: number, skipWriter: string | undefined, out: RecordSink): { offset: number; corrupt: number } {
  let corrupt = 0;
  const ownPrefix = skipWriter !== undefined ? skipWriter + "\t" : undefined;
  const next = eachLine(file, offset, (body, n) => {
    if (body.length === 0 || body.charCodeAt(0) === 35) return;
    // cheap check before parsing: while tailing, most lines are this process's own
    if (ownPrefix !== undefined && body.substring(2, 2 + ownPrefix.length) === ownPrefix) return;
    if (!applyLine(file, n, body, out, skipWriter)) corrupt++;
  });
  out.flush();
  return { offset: next, corrupt };
}

/** One record line into `out` (the fast path first); false when it is corrupt (then counted and logged). */
function applyLine(file: string, n: number, body: string, out: RecordSink, skipWriter: string | undefined): boolean {
  if (out.fastLine !== undefined && out.fastLine(body)) return true;
  const p = parseRecord(body);
  if (!p.ok) {
    skipCorrupt(file, n, p.error);
    return false;
  }
  // our own lines, and the CLI's (it writes to the live process itself), are already applied
  if (skipWriter !== undefined && (p.writer === skipWriter || p.writer.substring(0, 4) === "cli-")) return true;
  out.push(p.record);
  return true;
}

export const MAP_LINES = "MD";
export const TABLE_LINES = "T";

/**
 * Every record of a state file whose kind (first byte) is in `kinds`, parsed, with its text; other
 * lines are skipped unparsed. The table pass also reports lines of no known kind as corrupt.
 */
export function eachRecord(file: string, kinds: string, visit: (r: JournalRecord, line: string) => void): void {
  eachLine(file, 0, (body, n) => {
    if (body.length === 0) return;
    const first = body.substring(0, 1);
    if (kinds.indexOf(first) < 0 && (kinds !== TABLE_LINES || first === "M" || first === "D" || first === "#")) return;
    const p = fastRecord(body) ?? parseRecord(body);
    if (p.ok) visit(p.record, body);
    else skipCorrupt(file, n, p.error);
  });
}

/** When the snapshot on disk was written (its header), or 0 when there is none. */
export function snapshotWrittenAt(settings: Settings): number {
  const id = snapshotIdentity(settings);
  return id === undefined ? 0 : parseSnapshotHeader(id.head);
}

export function exists(file: string): boolean {
  const [f] = io.open(file, "r");
  if (f === undefined) return false;
  f.close();
  return true;
}

/** The snapshot's first line and size on disk, or undefined when there is none. */
function snapshotIdentity(settings: Settings): { head: string; size: number } | undefined {
  const [f] = io.open(statePath(settings, SNAPSHOT_FILE), "r");
  if (f === undefined) return undefined;
  const head = f.read("l") as string | undefined;
  const [end] = f.seek("end");
  f.close();
  return head === undefined || typeof end !== "number" ? undefined : { head, size: end };
}

/**
 * Replay the snapshot from its commands file (core/snapshot-commands.ts) when that file was written with
 * the snapshot on disk: its batch lines go to the runtime API as they are, its other lines through the
 * replayer. Returns whether it stood for the snapshot; false when there is none, it belongs to another
 * snapshot, or a batch line holds anything but rule-table writes (then the snapshot is replayed as
 * usual, which gives the same state: replaying a record twice is harmless).
 */
export function replayCommands(settings: Settings, rep: Replayer): { used: boolean; corrupt: number } {
  const snap = snapshotIdentity(settings);
  const file = statePath(settings, SNAPSHOT_COMMANDS_FILE);
  const last = lastLine(file);
  if (last === undefined) return { used: false, corrupt: 0 };
  if (snap === undefined || !trailerMatches(last, snap.head, snap.size)) {
    logEvent(core.info, "snapshot commands file not used: written with another snapshot", [["file", file]]);
    return { used: false, corrupt: 0 };
  }
  let refused = false;
  let corrupt = 0;
  eachLine(file, 0, (body, n) => {
    if (refused || body.length === 0 || body.charCodeAt(0) === 35) return;
    const line = splitBatchLine(body);
    if (line !== undefined) {
      if (!vouchedBatch(line.batch)) {
        refused = true;
        inc("state_lines_corrupt");
        logEvent(core.warning, "snapshot commands file refused, the snapshot is replayed instead", [["file", file], ["line", itoa(n)], ["detail", "not only rule-table writes"]]);
        return;
      }
      // a rule in it expired since the compaction: those are left out, as the records' replay would
      let batch = line.batch;
      if (line.soonest > 0 && line.soonest <= rep.now) {
        const live = liveCommands(batch, rep.now);
        batch = live.kept;
        rep.skipped = rep.skipped + live.skipped;
      }
      if (batch.length === 0) return;
      const res = retried(() => runCliJoined(settings.runtimeApi, batch, 10));
      if (!res.ok || !cliSucceeded(res.output)) logEvent(core.err, "state replay batch failed", [["detail", res.output]]);
      rep.applied = rep.applied + batchSize(batch);
      return;
    }
    if (!applyLine(file, n, body, rep, undefined)) corrupt++;
  });
  rep.flush();
  return { used: !refused, corrupt };
}

/** The last line of a file (without its newline), or undefined when there is no file or it is empty. */
function lastLine(file: string): string | undefined {
  const [f] = io.open(file, "r");
  if (f === undefined) return undefined;
  const [end] = f.seek("end");
  const size = typeof end === "number" ? end : 0;
  f.seek("set", Math.max(0, size - 1024));
  const tail = f.read("a") as string | undefined;
  f.close();
  if (tail === undefined || tail.length === 0) return undefined;
  const [last] = string.match(tail, "([^\n]*)\n?$");
  return last;
}

