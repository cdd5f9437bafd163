/**
 * Reading the state files (snapshot, journals) line by line, and replaying records into the live
 * tables and maps in batched runtime-API calls.
 */
import { itoa } from "../core/bytes";
import { CurrentEntry, isExpiredRecord, JournalRecord, parseRecord, recordCommand, reconcile } from "../core/journal";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { logEvent } from "./log";
import { cliSucceeded, runCli } from "./runtime-api";
import { slice } from "./slices";

/** One runtime-API request line: below the CLI's 16 kB buffer (tune.bufsize) with room for its reserve. */
export const CLI_BATCH_BYTES = 12000;

/** The runtime API may not accept connections yet while a process starts: retry for up to 10 s. */
export function runCliRetry(settings: Settings, cmds: readonly string[]): { ok: boolean; output: string } {
  let res = runCli(settings.runtimeApi, cmds, 10);
  for (let i = 0; i < 100 && !res.ok; i++) {
    core.msleep(100);
    res = runCli(settings.runtimeApi, cmds, 10);
  }
  return res;
}

function currentEntry(r: JournalRecord): CurrentEntry | undefined {
  if (r.kind !== "table") return undefined;
  const px = core.backends.get(r.table);
  const e = px === undefined || px.stktable === undefined ? undefined : px.stktable.lookup(r.key);
  if (e === undefined) return undefined;
  return { gpt0: e.get("gpt0") ?? 0, sessCnt: e.get("sess_cnt") ?? 0 };
}

/** Applies records in order: table records in batched runtime API calls, map records directly. */
export class Replayer {
  applied = 0;
  skipped = 0;
  private batch: string[] = [];
  private size = 0;
  constructor(
    private readonly settings: Settings,
    private readonly now: number,
    /** Tailing: other processes' records may be older than what the table holds. */
    private readonly guard: boolean,
  ) {}

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
      if (this.size + c.length > CLI_BATCH_BYTES) this.flush();
      this.batch.push(c);
      this.size = this.size + c.length + 1;
    } else {
      // keep the order between table and map writes
      this.flush();
      const [ok] = pcall(() => (r.kind === "map-set" ? core.set_map(r.file, r.key, r.value) : core.del_map(r.file, r.key)));
      if (!ok) {
        this.skipped++;
        return;
      }
    }
    this.applied++;
  }

  flush(): void {
    if (this.batch.length === 0) return;
    const res = runCliRetry(this.settings, this.batch);
    if (!res.ok || !cliSucceeded(res.output)) logEvent(core.err, "state replay batch failed", [["detail", res.output]]);
    this.batch = [];
    this.size = 0;
  }
}

/**
 * Stream a state file from `offset` into the replayer, line by line. A last
 * line without its newline may still be being written: it is left for later.
 * Returns the offset after the last complete line and the corrupt line count.
 */
export function readFrom(file: string, offset: number, skipWriter: string | undefined, out: { push(r: JournalRecord): void; flush(): void }): { offset: number; corrupt: number } {
  const [f] = io.open(file, "r");
  if (f === undefined) return { offset: 0, corrupt: 0 };
  const [end] = f.seek("end");
  const size = typeof end === "number" ? end : 0;
  if (size < offset) offset = 0; // the file was rotated: start over
  f.seek("set", offset);
  let corrupt = 0;
  let n = 0;
  const ownPrefix = skipWriter !== undefined ? skipWriter + "\t" : undefined;
  for (;;) {
    const line = f.read("L") as string | undefined;
    if (line === undefined || line.charCodeAt(line.length - 1) !== 10) break;
    offset = offset + line.length;
    n++;
    const body = line.substring(0, line.length - 1);
    if (body.length === 0 || body.charCodeAt(0) === 35) continue;
    // cheap check before parsing: while tailing, most lines are this process's own
    if (ownPrefix !== undefined && body.substring(2, 2 + ownPrefix.length) === ownPrefix) continue;
    const p = parseRecord(body);
    if (!p.ok) {
      corrupt++;
      logEvent(core.warning, "state line skipped", [["file", file], ["line", itoa(n)], ["detail", p.error]]);
      continue;
    }
    // our own lines, and the CLI's (it writes to the live process itself), are already applied
    if (skipWriter !== undefined && (p.writer === skipWriter || p.writer.substring(0, 4) === "cli-")) continue;
    out.push(p.record);
    // let traffic through during a long load or compaction
    if (n % 20 === 0) slice();
  }
  f.close();
  out.flush();
  return { offset, corrupt };
}

export const MAP_LINES = "MD";
export const TABLE_LINES = "T";

/**
 * Every complete line of a state file whose record kind (first byte) is in `kinds`, parsed, with
 * its text; other lines are skipped unparsed; corrupt ones are counted and logged.
 */
export function eachRecord(file: string, kinds: string, visit: (r: JournalRecord, line: string) => void): void {
  const [f] = io.open(file, "r");
  if (f === undefined) return;
  let n = 0;
  for (;;) {
    const line = f.read("L") as string | undefined;
    if (line === undefined || line.charCodeAt(line.length - 1) !== 10) break;
    n++;
    if (n % 20 === 0) slice();
    if (line.length < 2) continue;
    const first = line.substring(0, 1);
    // the table pass also reports lines of no known kind (the map pass leaves them to it)
    if (kinds.indexOf(first) < 0 && (kinds !== TABLE_LINES || first === "M" || first === "D" || first === "#")) continue;
    const body = line.substring(0, line.length - 1);
    const p = parseRecord(body);
    if (p.ok) visit(p.record, body);
    else {
      // the new snapshot leaves it out: say so, as the startup load does
      inc("state_lines_corrupt");
      logEvent(core.warning, "state line skipped", [["file", file], ["line", itoa(n)], ["detail", p.error]]);
    }
  }
  f.close();
}

export function exists(file: string): boolean {
  const [f] = io.open(file, "r");
  if (f === undefined) return false;
  f.close();
  return true;
}
