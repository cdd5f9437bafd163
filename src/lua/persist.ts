/**
 * Rule persistence and upkeep, run by one background task per process:
 * - startup: replay snapshot, old journal and journal into the tables and maps;
 * - every second: tail the journal (lines other processes wrote, e.g. the old
 *   process during a reload);
 * - every sweep_interval: clear expired entries (frees their memory);
 * - every snapshot_interval: rotate the journal and write a snapshot of the live
 *   tables and maps (temp file, then rename).
 * Every learn appends its mutations to the journal before the action returns.
 */
import { itoa } from "../core/bytes";
import { CONTROL_TABLE, READY_KEY, READY_WAIT_MS, RULE_TABLE_PREFIX } from "../core/contract";
import { Compactor, EntryVerdict } from "../core/compact";
import { CurrentEntry, formatRecord, isExpiredRecord, JOURNAL_FILE, JOURNAL_OLD_FILE, JournalRecord, parseRecord, recordCommand, reconcile, SNAPSHOT_FILE } from "../core/journal";
import { escapeCliArg } from "../core/runtime-cmd";
import { Settings } from "../core/settings";
import { inc, setGauge } from "./counters";
import { applyMutations } from "./store";
import { logEvent } from "./log";
import { cliSucceeded, hasMasterCli, runCli } from "./runtime-api";

import { statePath as path, writer } from "./journal-file";


/** One runtime-API request line: below the CLI's 16 kB buffer (tune.bufsize) with room for its reserve. */
const CLI_BATCH_BYTES = 12000;

/** The runtime API may not accept connections yet while a process starts: retry for up to 10 s. */
function runCliRetry(settings: Settings, cmds: readonly string[]): { ok: boolean; output: string } {
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
class Replayer {
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
function readFrom(file: string, offset: number, skipWriter: string | undefined, out: { push(r: JournalRecord): void; flush(): void }): { offset: number; corrupt: number } {
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

/** Rule tables and their maps in this configuration. */
function edgeBackends(): string[] {
  const out: string[] = [];
  for (const [name] of pairs(core.backends)) {
    const n = name as string;
    if (n.substring(0, RULE_TABLE_PREFIX.length) === RULE_TABLE_PREFIX) out.push(n.substring(RULE_TABLE_PREFIX.length));
  }
  return out;
}

function isStopping(): boolean {
  // [T] get_info values are numbers, not strings
  return tostring(core.get_info().get("Stopping")) === "1";
}

/**
 * Compact: rotate the journal, then stream snapshot + rotated journal through the Compactor
 * (core/compact.ts) into a temp file renamed over the snapshot. Memory follows the journal, not
 * the store: the old snapshot is read twice (its maps, then its entries one by one). Also frees
 * the entries that expired (clear by key), drops map entries whose rules are gone, and publishes
 * the rule census. Never reads the live tables wholesale (see core/compact.ts).
 */
function snapshot(settings: Settings, now: number): { nextExpiry: number; rotated: boolean } | undefined {
  // an old journal left by an interrupted snapshot (or a process that stopped mid-way) holds records the
  // snapshot may lack: fold it in this time instead of overwriting it with a new rotation
  const rotated = !exists(path(settings, JOURNAL_OLD_FILE));
  if (rotated) os.rename(path(settings, JOURNAL_FILE), path(settings, JOURNAL_OLD_FILE));
  const t0 = msNow();
  longestSlice = 0;
  sliceStart = t0;
  const c = new Compactor(now, slice);
  eachRecord(path(settings, SNAPSHOT_FILE), MAP_LINES, (r) => c.foldSnapshotMap(r));
  readFrom(path(settings, JOURNAL_OLD_FILE), 0, undefined, { push: (r) => c.foldJournal(r), flush: () => undefined });
  c.prepare();
  const t1 = msNow();
  const tmp = path(settings, SNAPSHOT_FILE) + ".tmp." + writer;
  const [f, err] = io.open(tmp, "w");
  if (f === undefined) {
    logEvent(core.err, "snapshot not written", [["detail", tostring(err)]]);
    return undefined;
  }
  f.write("# edgeblock snapshot v1 written at " + itoa(now) + " by " + writer + "\n");
  const clearer = new ExpiredClearer(settings, now);
  let records = 0;
  const emit = (table: string, key: string, v: EntryVerdict, line: string | undefined) => {
    if (v.keep) {
      const out = !v.merged && line !== undefined ? line : formatRecord({ kind: "table", table, key, fields: v.fields }, writer);
      if (out !== undefined) f.write(out + "\n");
      records++;
    } else if (v.expired) clearer.add(table, key);
  };
  eachRecord(path(settings, SNAPSHOT_FILE), TABLE_LINES, (r, line) => {
    if (r.kind === "table") emit(r.table, r.key, c.snapshotEntry(r.table, r.key, r.fields), line);
  });
  for (const j of c.journalEntries()) emit(j.table, j.key, j.verdict, undefined);
  const fin = c.finish();
  for (const m of fin.maps) {
    const line = formatRecord(m, writer);
    if (line !== undefined) f.write(line + "\n");
    records++;
  }
  f.close();
  const t2 = msNow();
  if (isStopping()) {
    // a stopping process must not overwrite what the new one writes
    os.remove(tmp);
    return undefined;
  }
  os.rename(tmp, path(settings, SNAPSHOT_FILE));
  os.remove(path(settings, JOURNAL_OLD_FILE));
  if (fin.prune.length > 0) applyMutations(settings, fin.prune);
  const freed = clearer.finish();
  const t3 = msNow();
  if (freed > 0) inc("rules_expired", freed);
  for (const k of fin.census) {
    setGauge("rules_active:" + k.backend + ":enforce", k.enforce);
    setGauge("rules_active:" + k.backend + ":dry-run", k.dryRun);
  }
  logEvent(core.info, "snapshot written", [
    ["records", itoa(records)],
    ["map_entries_pruned", itoa(fin.prune.length)],
    ["expired_freed", itoa(freed)],
    ["ms", itoa(t1 - t0) + "/" + itoa(t2 - t1) + "/" + itoa(t3 - t2)],
    ["longest_slice_ms", itoa(longestSlice)],
  ]);
  return { nextExpiry: fin.nextExpiry, rotated };
}

const MAP_LINES = "MD";
const TABLE_LINES = "T";

/**
 * Every complete line of a state file whose record kind (first byte) is in `kinds`, parsed, with
 * its text; other lines are skipped unparsed; corrupt ones are counted and logged.
 */
function eachRecord(file: string, kinds: string, visit: (r: JournalRecord, line: string) => void): void {
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

/** The longest time the maintenance task held its thread between two yields since the last reset. */
let longestSlice = 0;
let sliceStart = 0;

/**
 * A request waits for the task's current slice at each of its steps (accept, connect, response,
 * send), so a slice is kept to SLICE_MS: callers check every few items, this yields when it is time.
 */
const SLICE_MS = 4;
function slice(): void {
  if (msNow() - sliceStart >= SLICE_MS) pause();
}

/** Yield to traffic, measuring how long this slice held the thread. */
function pause(): void {
  const t = msNow();
  if (sliceStart > 0 && t - sliceStart > longestSlice) longestSlice = t - sliceStart;
  // not core.yield(): a task that wakes itself again can run many times before HAProxy polls for I/O
  // (up to tune.runqueue-depth tasks per loop); a 1 ms sleep leaves the run queue, so traffic gets a turn
  core.msleep(1);
  sliceStart = msNow();
}

/** Wall-clock milliseconds, for the phase timings a snapshot logs. */
function msNow(): number {
  const t = core.now();
  return t.sec * 1000 + Math.floor(t.usec / 1000);
}

function exists(file: string): boolean {
  const [f] = io.open(file, "r");
  if (f === undefined) return false;
  f.close();
  return true;
}

function largestTable(): number {
  let most = 0;
  for (const be of edgeBackends()) {
    const px = core.backends.get(RULE_TABLE_PREFIX + be);
    const used = px !== undefined && px.stktable !== undefined ? px.stktable.info().used : 0;
    if (used > most) most = used;
  }
  return most;
}

/**
 * Free expired rules. A table up to `walk_limit` entries: one data-filtered clear (a walk, at most
 * ~17 ms). A bigger one is never walked when there is a journal: compaction names the keys that
 * expired and the ExpiredClearer frees them one by one; a bigger table 90% full reports memory
 * pressure (with on_full: refuse, compaction then frees expired entries sooner). Without a journal
 * a bigger table is walked only under that pressure.
 */
function sweep(settings: Settings, now: number, persist: boolean): boolean {
  let pressure = false;
  for (const be of edgeBackends()) {
    const px = core.backends.get(RULE_TABLE_PREFIX + be);
    const info = px !== undefined && px.stktable !== undefined ? px.stktable.info() : undefined;
    const before = info !== undefined ? info.used : 0;
    // on 2.6 the walk does not yield (125 ms at 1M entries)
    if (info !== undefined && info.used > settings.walkLimit) {
      const full = info.used >= info.size * 0.9;
      if (full) pressure = true;
      if (persist || !full) continue;
    }
    const res = runCli(settings.runtimeApi, ["clear table " + escapeCliArg(RULE_TABLE_PREFIX + be) + " data.gpt0 lt " + itoa(now)], 10);
    if (!res.ok) {
      logEvent(core.err, "sweep failed", [["backend", be], ["detail", res.output]]);
      continue;
    }
    const after = px !== undefined && px.stktable !== undefined ? px.stktable.info().used : 0;
    if (before > after) inc("rules_expired", before - after);
  }
  return pressure;
}

/**
 * Clears, key by key, the entries compaction found expired that the live table still holds
 * expired (a key learned again since then is kept). Each `clear table ... key` is O(log n);
 * batches stay below the CLI's buffer and the task yields between them.
 */
class ExpiredClearer {
  private batch: { t: HaproxyStickTable; key: string }[] = [];
  private cmds: string[] = [];
  private size = 0;
  private freed = 0;
  private seen = 0;
  constructor(
    private readonly settings: Settings,
    private readonly now: number,
  ) {}

  add(table: string, key: string): void {
    this.seen++;
    if (this.seen % 20 === 0) slice();
    const px = core.backends.get(table);
    const t = px === undefined ? undefined : px.stktable;
    if (t === undefined) return;
    const e = t.lookup(key);
    if (e === undefined || (e.get("gpt0") ?? 0) > this.now) return;
    const c = "clear table " + escapeCliArg(table) + " key " + escapeCliArg(key);
    if (this.size + c.length > CLI_BATCH_BYTES) this.flush();
    this.cmds.push(c);
    this.batch.push({ t, key });
    this.size = this.size + c.length + 1;
  }

  /** Send what is left; returns how many entries were freed. */
  finish(): number {
    this.flush();
    return this.freed;
  }

  private flush(): void {
    if (this.cmds.length === 0) return;
    const res = runCli(this.settings.runtimeApi, this.cmds, 10);
    if (!res.ok) logEvent(core.err, "clearing expired rules failed", [["detail", res.output]]);
    // an entry a request is tracking at this moment stays; the table's own expiry or eviction frees it later
    for (const b of this.batch) if (b.t.lookup(b.key) === undefined) this.freed++;
    this.batch = [];
    this.cmds = [];
    this.size = 0;
    pause();
  }
}

function isReady(): boolean {
  const px = core.backends.get(CONTROL_TABLE);
  const e = px === undefined || px.stktable === undefined ? undefined : px.stktable.lookup(READY_KEY);
  return e !== undefined && (e.get("gpt0") ?? 0) > 0;
}

/** Hold the current request until the rules are loaded, at most READY_WAIT_MS (then fail open). */
export function waitUntilReady(): void {
  const start = core.now();
  // a stopping process has no loader left to wait for
  while (!isReady() && !isStopping()) {
    const now = core.now();
    if ((now.sec - start.sec) * 1000 + Math.floor((now.usec - start.usec) / 1000) > READY_WAIT_MS) {
      inc("ready_timeouts");
      logEvent(core.warning, "request served before the rules were loaded", [["waited_ms", itoa(READY_WAIT_MS)]]);
      return;
    }
    core.msleep(10);
  }
}

/** The maintenance loop. Registered once per process (see main.ts). */
export function maintenance(settings: Settings): void {
  const persist = settings.stateDir.length > 0;
  if (os.getenv("HAPROXY_MWORKER") === "1" && !hasMasterCli()) {
    logEvent(core.warning, "master-worker mode without a master CLI: start haproxy with -S <socket> so that a reload cannot write rules into the old worker", []);
  }
  const m: Upkeep = { settings, persist, offset: 0, lastSweep: 0, lastSnapshot: 0, dirty: false, nextExpiry: 0, pressure: false };
  if (persist) {
    // a failed load is retried: replaying a record twice gives the same state
    for (let attempt = 1; ; attempt++) {
      const [ok, err] = pcall(() => loadState(m));
      if (ok) break;
      logEvent(core.err, "state load failed", [["attempt", itoa(attempt)], ["detail", tostring(err)]]);
      if (attempt >= 5) break;
      core.sleep(1);
    }
  }
  // open the gate: requests held by edgeblock_wait go on
  const res = runCliRetry(settings, ["set table " + CONTROL_TABLE + " key " + READY_KEY + " data.gpt0 1"]);
  if (!res.ok || !cliSucceeded(res.output)) logEvent(core.err, "could not mark the rules as loaded", [["detail", res.output]]);
  m.lastSweep = core.now().sec;
  m.lastSnapshot = core.now().sec;
  // the loaded state may hold rules that expire before anything is learned: compact once to find out
  if (persist) m.nextExpiry = m.lastSnapshot;
  for (;;) {
    core.sleep(1);
    // one failed step (a full disk, a busy socket) is logged and counted; the next second tries again
    const [ok, err] = pcall(() => upkeepStep(m));
    if (!ok) {
      inc("maintenance_errors");
      logEvent(core.err, "maintenance step failed", [["detail", tostring(err)]]);
    }
  }
}

/** What the maintenance loop carries from one second to the next. */
interface Upkeep {
  readonly settings: Settings;
  readonly persist: boolean;
  /** How far this process has read the journal. */
  offset: number;
  lastSweep: number;
  lastSnapshot: number;
  /** The journal has records that no snapshot holds yet. */
  dirty: boolean;
  /** A quiet store is compacted again when its next rule expires, so that its map entries are pruned. */
  nextExpiry: number;
  /** A big table is 90% full (with on_full: refuse, expired entries are then freed every snapshot_interval). */
  pressure: boolean;
}

function loadState(m: Upkeep): void {
  const now = core.now().sec;
  let corrupt = 0;
  const rep = new Replayer(m.settings, now, false);
  for (const file of [SNAPSHOT_FILE, JOURNAL_OLD_FILE, JOURNAL_FILE]) {
    const r = readFrom(path(m.settings, file), 0, undefined, rep);
    corrupt = corrupt + r.corrupt;
    if (file === JOURNAL_FILE) m.offset = r.offset;
  }
  if (corrupt > 0) inc("state_lines_corrupt", corrupt);
  logEvent(core.notice, "state loaded", [["applied", itoa(rep.applied)], ["expired_skipped", itoa(rep.skipped)], ["corrupt", itoa(corrupt)]]);
}

function upkeepStep(m: Upkeep): void {
  const settings = m.settings;
  const now = core.now().sec;
  if (m.persist) {
    const r = readFrom(path(settings, JOURNAL_FILE), m.offset, writer, new Replayer(settings, now, true));
    m.offset = r.offset;
    if (r.offset > 0) m.dirty = true;
  }
  const scale = Math.max(1, Math.floor(largestTable() / 100000));
  if (now - m.lastSweep >= settings.sweepInterval * scale) {
    m.lastSweep = now;
    m.pressure = sweep(settings, now, m.persist);
  }
  // compaction reads every live record: compact big stores less often, unless a table is nearly full
  // a compaction is due for new records, or because a rule expired since the last one (its entry and
  // map entries can go); a full table of live rules is no reason (it would compact non-stop for nothing)
  const expiryDue = m.nextExpiry > 0 && now >= m.nextExpiry;
  const due = m.dirty || expiryDue;
  // with on_full: refuse a full table refuses rules while it holds expired ones: free them sooner
  // (with evict, the table's own eviction takes the untouched expired entries first)
  const hurry = expiryDue && m.pressure && settings.onFull === "refuse";
  const spacing = hurry ? settings.snapshotInterval : settings.snapshotInterval * scale;
  if (m.persist && due && now - m.lastSnapshot >= spacing && !isStopping()) {
    m.lastSnapshot = now;
    const done = snapshot(settings, now);
    if (done !== undefined) {
      // after a rotation the journal starts again; otherwise its records are still to be folded next time
      if (done.rotated) {
        m.offset = 0;
        m.dirty = false;
      }
      m.nextExpiry = done.nextExpiry;
    }
  }
}
