/**
 * Cluster: publish this node's map writes in the replicated sync table, and apply the other nodes'
 * (core/cluster-sync.ts decides which record of a map key wins). Peers carry the rule tables
 * themselves; this carries what matching also reads from maps: prefixes, qualified specs, bodies
 * and reason names.
 */
import { itoa } from "../core/bytes";
import { PEERS_SECTION, SYNC_FIELDS, SYNC_TABLE } from "../core/contract";
import { isQualMap, mapEntryBase, mergeSpecLists, needsReassert, peersLinked, peersResynced, REASSERT_AFTER_MS, syncBase, SYNC_LATEST_KEY, SyncEntry, syncStamp, syncWinners } from "../core/cluster-sync";
import { cliSucceeded, runCli } from "./runtime-api";
import { haproxyMajor } from "./version";
import { applied, reassertQueue } from "./sync-publish";
import { currentEntryOf, JournalRecord, parseRecord } from "../core/journal";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { journalAppend } from "./journal-file";
import { logEvent } from "./log";
import { ruleInForce, ruleLive, StoreMaps, storeMap } from "./store";

/**
 * How often a node looks at the sync table's newest stamp (one lookup), in ms: a rule arrives by peers
 * within a ms or two, and its body and reason name, through this table, at most this much later.
 */
export const SYNC_POLL_MS = 10;
/** The next look, when a map write waits for its rule (peers carry the tables one after the other). */
export const SYNC_WAIT_POLL_MS = 5;
/** Seconds between full reads of the sync table: they catch records a peer resync brought with older stamps. */
const FULL_READ_EARLY_S = 2;
const FULL_READ_S = 60;
/** For the first this many seconds after start, full reads are frequent (peers are still teaching this node). */
const EARLY_S = 60;

function entriesOf(dump: LuaTable<string, LuaTable<string, number>>): SyncEntry[] {
  const out: SyncEntry[] = [];
  for (const [key, data] of pairs(dump)) {
    out.push({ key: key as string, sec: (data as LuaTable<string, number>).get(SYNC_FIELDS.sec) ?? 0, usec: (data as LuaTable<string, number>).get(SYNC_FIELDS.usec) ?? 0 });
  }
  return out;
}

/** Whether the rule a prefix or qualified entry serves is live in this node's table (core/cluster-sync.ts syncBase). */
function ruleArrived(r: JournalRecord): boolean {
  const b = syncBase(r);
  return b === undefined || ruleLive(b.backend, b.base);
}

/** Merge a qualified-spec record into this node's list (core/cluster-sync.ts mergeSpecLists). Returns the record written, if any. */
function mergeQual(maps: StoreMaps, r: JournalRecord): JournalRecord | undefined {
  if (r.kind === "table") return undefined;
  const b = mapEntryBase(r.file, r.key);
  const m = storeMap(maps, r.file);
  if (b === undefined || m === undefined) {
    inc("cluster_sync_unknown_map");
    return undefined;
  }
  const local = m.lookup(r.key);
  const merged = mergeSpecLists(r.kind === "map-set" ? r.value : undefined, local, (sp) => ruleInForce(b.backend, b.base + " " + sp));
  if (merged === (local ?? "")) return undefined;
  const out: JournalRecord = merged.length === 0 ? { kind: "map-del", file: r.file, key: r.key } : { kind: "map-set", file: r.file, key: r.key, value: merged };
  const [ok] = pcall(() => (out.kind === "map-set" ? core.set_map(out.file, out.key, out.value) : core.del_map(out.file, out.key)));
  if (!ok) {
    inc("cluster_sync_failed");
    return undefined;
  }
  return out;
}

/** Apply the winning records of `entries` to this node's maps (and its journal). Returns how many wait for their rule. */
function applyEntries(settings: Settings, maps: StoreMaps, all: readonly SyncEntry[]): number {
  // qualified-spec lists are merged, every record of them (the newest alone could lose another node's rule)
  const entries: SyncEntry[] = [];
  const merged: JournalRecord[] = [];
  for (const e of all) {
    const p = e.key === SYNC_LATEST_KEY ? undefined : parseRecord(e.key);
    if (p !== undefined && p.ok && p.record.kind !== "table" && isQualMap(p.record.file)) {
      const out = mergeQual(maps, p.record);
      if (out !== undefined) merged.push(out);
    } else entries.push(e);
  }
  if (merged.length > 0) {
    journalAppend(settings, merged);
    inc("cluster_sync_applied", merged.length);
  }
  const { winners, bad } = syncWinners(entries, applied);
  let waiting = 0;
  if (bad.length > 0) {
    inc("cluster_sync_bad", bad.length);
    logEvent(core.warning, "unreadable record in the cluster's sync table", [["records", itoa(bad.length)]]);
  }
  const changed: JournalRecord[] = [];
  for (const w of winners) {
    const r = w.record;
    if (r.kind === "table") continue;
    if (!ruleArrived(r)) {
      // not applied yet: read again until the rule arrives (or, once it is dead, left to the full reads)
      waiting++;
      continue;
    }
    applied[w.group] = w.stamp;
    const m = storeMap(maps, r.file);
    if (m === undefined) {
      // a map of a backend this node does not have: nothing here can match it
      inc("cluster_sync_unknown_map");
      continue;
    }
    const have = m.lookup(r.key);
    if (r.kind === "map-set" ? have === r.value : have === undefined) continue;
    const [ok] = pcall(() => (r.kind === "map-set" ? core.set_map(r.file, r.key, r.value) : core.del_map(r.file, r.key)));
    if (!ok) {
      inc("cluster_sync_failed");
      continue;
    }
    changed.push(r);
  }
  if (changed.length > 0) {
    journalAppend(settings, changed);
    inc("cluster_sync_applied", changed.length);
  }
  return waiting;
}

/** The sync task's state: poll the newest stamp, read what is newer (or everything, now and then), apply it. */
export class SyncPoller {
  private readonly started = core.now().sec;
  private seen = -1;
  private lastFull = 0;
  private since = 0;
  /** Sync key -> stamp of the records already handled. */
  private known: { [key: string]: number } = {};
  constructor(
    private readonly settings: Settings,
    private readonly maps: StoreMaps,
    private readonly t: HaproxyStickTable,
  ) {}

  /** One poll; called every SYNC_POLL_MS. `forceFull` reads the whole table. Returns whether an entry waits for its rule. */
  step(forceFull = false): boolean {
    const now = core.now().sec;
    const latest = this.t.lookup(SYNC_LATEST_KEY);
    const stamp = latest === undefined ? 0 : syncStamp(latest.get(SYNC_FIELDS.sec) ?? 0, latest.get(SYNC_FIELDS.usec) ?? 0);
    const full = forceFull || now - this.lastFull >= (now - this.started < EARLY_S ? FULL_READ_EARLY_S : FULL_READ_S);
    if (!full && stamp === this.seen) return false;
    // a filtered read still walks the table in C, but builds Lua values only for the recent records
    const entries = entriesOf(full ? this.t.dump() : this.t.dump([[SYNC_FIELDS.sec, "ge", this.since]] as unknown as LuaTable));
    // records read before at the same stamp are not parsed again ([T] a parse in the VM costs tens of µs:
    // a full table every 2 s would hold the Lua state for a good part of a second)
    // (the full reads of the first minute too; the later ones, once a minute, parse everything: a map
    // entry this node's compaction pruned may be due again, lua/sync-publish.ts forgetApplied)
    const skipKnown = !full || now - this.started < EARLY_S;
    const fresh: SyncEntry[] = [];
    const known: { [key: string]: number } = full ? {} : this.known;
    for (const e of entries) {
      const st = syncStamp(e.sec, e.usec);
      if (!skipKnown || this.known[e.key] !== st) fresh.push(e);
      known[e.key] = st;
    }
    // a full read forgets the records the table no longer holds
    if (full) this.known = known;
    const waiting = applyEntries(this.settings, this.maps, fresh);
    // a record whose rule has not arrived is read again
    if (waiting > 0) for (const e of fresh) delete this.known[e.key];
    this.seen = waiting > 0 ? -1 : stamp;
    if (full) this.lastFull = now;
    // records a little older than the newest seen may still arrive (another node's clock, peers' batching): read them again
    const newest = latest === undefined ? now : latest.get(SYNC_FIELDS.sec) ?? now;
    this.since = (newest < now ? newest : now) - 2;
    return waiting > 0;
  }
}

/** The sync table, or undefined (logged) when the configuration has none. */
export function syncTable(): HaproxyStickTable | undefined {
  const px = core.backends.get(SYNC_TABLE);
  if (px === undefined || px.stktable === undefined) {
    logEvent(core.err, "cluster sync table missing from the configuration: map writes are not shared", [["table", SYNC_TABLE]]);
    return undefined;
  }
  return px.stktable;
}

/** How long a starting node waits for its peers to teach it the tables before it serves requests (within READY_WAIT_MS). */
const CATCH_UP_MS = 4000;
/** Time a starting node gives its peer links to come up before it concludes it is alone. */
const ALONE_MS = 1000;

/**
 * Before a starting node serves requests: wait until peers taught it the tables (bounded), then apply
 * the map writes they brought. A node that starts alone, or whose peers are down, goes on after CATCH_UP_MS.
 */
export function catchUpFromPeers(settings: Settings, poller: SyncPoller): void {
  const start = core.now();
  for (;;) {
    const res = runCli(settings.runtimeApi, ["show peers " + PEERS_SECTION], 1);
    if (res.ok && peersResynced(res.output, PEERS_SECTION, haproxyMajor()) === true) break;
    const now = core.now();
    const waited = (now.sec - start.sec) * 1000 + Math.floor((now.usec - start.usec) / 1000);
    // the first node up has nobody to learn from: it does not wait for the resync timeout
    if (res.ok && waited >= ALONE_MS && peersLinked(res.output) === 0) {
      logEvent(core.notice, "no other node linked: serving with this node's own state", [["waited_ms", itoa(waited)]]);
      break;
    }
    if (waited >= CATCH_UP_MS) {
      inc("cluster_catch_up_timeouts");
      logEvent(core.warning, "peers did not finish teaching this node its tables: serving with what arrived", [["waited_ms", itoa(waited)], ["linked", itoa(peersLinked(res.output))]]);
      break;
    }
    core.msleep(SYNC_POLL_MS);
  }
  poller.step(true);
}

/** Write again the removals that are due (sync task, every poll): only where an older write brought the rule back. */
export function reassertDue(settings: Settings): void {
  if (reassertQueue.length === 0) return;
  const now = core.now();
  const ms = now.sec * 1000 + Math.floor(now.usec / 1000);
  const cmds: string[] = [];
  let i = 0;
  while (i < reassertQueue.length) {
    const q = reassertQueue[i];
    const step = REASSERT_AFTER_MS[q.next];
    if (ms - q.start < step) {
      i++;
      continue;
    }
    const px = core.backends.get(q.table);
    const e = px === undefined || px.stktable === undefined ? undefined : px.stktable.lookup(q.key);
    const current = e === undefined ? undefined : currentEntryOf((f) => e.get(f));
    if (needsReassert(current, q.stamp)) cmds.push(q.command);
    q.next++;
    if (q.next >= REASSERT_AFTER_MS.length) reassertQueue.splice(i, 1);
    else i++;
  }
  if (cmds.length === 0) return;
  inc("cluster_removals_reasserted", cmds.length);
  const res = runCli(settings.runtimeApi, cmds, 2);
  if (!res.ok || !cliSucceeded(res.output)) {
    inc("cluster_reassert_errors");
    logEvent(core.err, "writing a removal again failed", [["detail", res.output]]);
  }
}
