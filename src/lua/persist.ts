/**
 * Rule persistence and upkeep, run by one background task per process:
 * - startup: replay snapshot, old journal and journal into the tables and maps;
 * - every second: tail the journal (lines other processes wrote, e.g. the old
 *   process during a reload);
 * - every sweep_interval: clear expired entries of tables up to walk_limit (one walk);
 * - every snapshot_interval (longer for big stores), or when a rule has expired: stream the
 *   snapshot and the rotated journal into a new snapshot (temp file, then rename), clearing
 *   expired entries by key and pruning map entries whose rules are gone.
 * Every learn appends its mutations to the journal before the action returns. All of it runs in
 * slices of at most SLICE_MS, so traffic on the same thread keeps its turn.
 */
import { itoa } from "../core/bytes";
import { CONTROL_FIELD, READY_KEY, READY_TABLE } from "../core/contract";
import { JOURNAL_FILE, JOURNAL_OLD_FILE, SNAPSHOT_FILE } from "../core/journal";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { sweep } from "./expiry";
import { appendAll, flushBacklog, statePath as path, writer } from "./journal-file";
import { logEvent } from "./log";
import { isStopping } from "./ready";
import { haproxyMajor } from "./version";
import { largestTable } from "./rule-tables";
import { cliSucceeded, hasMasterCli } from "./runtime-api";
import { snapshot } from "./snapshot";
import { readFrom, replayCommands, Replayer, runCliRetry, snapshotWrittenAt } from "./state-files";
import { LOAD_SLICE_MS, withSlices } from "./slices";

/** The maintenance loop. Registered once per process (see main.ts). */
export function maintenance(settings: Settings, beforeGate?: () => void): void {
  const persist = settings.stateDir.length > 0;
  // 3.0+ hands the tables over a reload through the local peer; 3.1+ no longer tells workers where the master CLI is
  if (os.getenv("HAPROXY_MWORKER") === "1" && !hasMasterCli() && haproxyMajor() < 3) {
    logEvent(core.warning, "master-worker mode without a master CLI: start haproxy with -S <socket> so that a reload cannot write rules into the old worker", []);
  }
  if (persist) {
    // a missing or read-only folder loses nothing while the process lives (journal-file.ts keeps the
    // lines), but the operator must hear of it at once, not at the first learn
    const problem = appendAll(path(settings, JOURNAL_FILE), "");
    if (problem !== undefined) {
      inc("journal_errors");
      logEvent(core.alert, "state folder cannot be written: rules are kept in memory until it can, and do not survive a restart meanwhile", [["dir", settings.stateDir], ["detail", problem]]);
    }
  }
  const m: Upkeep = { settings, persist, offset: 0, lastSweep: 0, lastSnapshot: 0, dirty: false, nextExpiry: 0, pressure: false };
  // a cluster node first learns what its peers hold (lua/cluster-sync.ts): its own state, older, is then
  // reconciled against it, so that a rule removed while this node was down does not come back
  const clustered = settings.clusterNode.length > 0;
  if (clustered && beforeGate !== undefined) beforeGate();
  if (persist) {
    // a failed load is retried: replaying a record twice gives the same state
    for (let attempt = 1; ; attempt++) {
      // reconciling matters only against what peers taught; with empty tables (no node up) the fast load is the same
      const reconciled = clustered && largestTable() > 0;
      const [ok, err] = pcall(() => withSlices(LOAD_SLICE_MS, () => loadState(m, reconciled)));
      if (ok) break;
      logEvent(core.err, "state load failed", [["attempt", itoa(attempt)], ["detail", tostring(err)]]);
      if (attempt >= 5) break;
      core.sleep(1);
    }
  } else {
    // the same line either way: it says this process is ready (3.0+ got its tables from the old one, if any)
    logEvent(core.notice, "state loaded", [["applied", "0"], ["state_dir", "none"]]);
  }
  // 3.0+ hands the old process's tables over as they were, expired entries not yet swept included
  const pressure = sweep(settings, core.now().sec, persist);
  // open the gate: requests held by edgeblock_wait go on (retried each second until it opens)
  let gateOpen = openGate(settings);
  // 3.0+: the old process's table can still be arriving over the local peer, expired entries included;
  // the first regular sweep comes 2 s after the start, not sweep_interval after it
  m.lastSweep = core.now().sec - settings.sweepInterval + 2;
  m.pressure = pressure;
  // the schedule outlives the process: a worker started by a reload compacts when the last snapshot is due,
  // not snapshot_interval after its own start (frequent reloads would otherwise never compact)
  m.lastSnapshot = persist ? snapshotWrittenAt(settings) : core.now().sec;
  // the loaded state may hold rules that expire before anything is learned: compact once to find out
  if (persist) m.nextExpiry = core.now().sec;
  for (;;) {
    core.sleep(1);
    if (!gateOpen) gateOpen = openGate(settings);
    if (isStopping()) {
      // the new process does the upkeep from now on; what this one still holds goes to the journal
      flushBacklog(settings);
      return;
    }
    // one failed step (a full disk, a busy socket) is logged and counted; the next second tries again
    const [ok, err] = pcall(() => upkeepStep(m));
    if (!ok) {
      inc("maintenance_errors");
      logEvent(core.err, "maintenance step failed", [["detail", tostring(err)]]);
    }
  }
}

/** Mark this process's rules as loaded (the ready key); says whether the runtime API took it. */
export function openGate(settings: Settings): boolean {
  const res = runCliRetry(settings, ["set table " + READY_TABLE + " key " + READY_KEY + " data." + CONTROL_FIELD + " 1"]);
  if (res.ok && cliSucceeded(res.output)) return true;
  inc("maintenance_errors");
  logEvent(core.err, "could not mark the rules as loaded", [["detail", res.output]]);
  return false;
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

/** Replay the state folder. `reconciled`: against what the tables already hold (a cluster node's peers' newer writes win). */
function loadState(m: Upkeep, reconciled: boolean): void {
  const now = core.now().sec;
  let corrupt = 0;
  const rep = new Replayer(m.settings, now, reconciled);
  // the snapshot's commands file, when it was written with this snapshot, is the fast way to load it (not reconciled)
  const commands = reconciled ? { used: false, corrupt: 0 } : replayCommands(m.settings, rep);
  corrupt = corrupt + commands.corrupt;
  for (const file of [SNAPSHOT_FILE, JOURNAL_OLD_FILE, JOURNAL_FILE]) {
    if (file === SNAPSHOT_FILE && commands.used) continue;
    const r = readFrom(path(m.settings, file), 0, undefined, rep);
    corrupt = corrupt + r.corrupt;
    if (file === JOURNAL_FILE) m.offset = r.offset;
  }
  logEvent(core.notice, "state loaded", [["applied", itoa(rep.applied)], ["expired_skipped", itoa(rep.skipped)], ["corrupt", itoa(corrupt)], ["snapshot", commands.used ? "commands" : "records"]]);
}

function upkeepStep(m: Upkeep): void {
  const settings = m.settings;
  const now = core.now().sec;
  if (m.persist) {
    // lines a full disk or a read-only folder held back go out first, in order
    flushBacklog(settings);
    const r = readFrom(path(settings, JOURNAL_FILE), m.offset, writer(), new Replayer(settings, now, true));
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
