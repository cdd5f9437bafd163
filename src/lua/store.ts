/**
 * The rule store: one stick table per backend (written through the runtime
 * API, O(log n) per rule), plus small maps for prefixes, qualified specs,
 * bodies and reason names (core.set_map is O(n) on 2.6, so only small,
 * bounded maps are written from Lua).
 */
import { GENERATIONS_MAP, RULE_FIELDS, RULE_TABLE_PREFIX, STORE_MAPS } from "../core/contract";
import { JournalRecord, recordCommand } from "../core/journal";
import { baseKey, isQualified, ruleKeys, specOf } from "../core/rulekey";
import { splitOn } from "../core/bytes";
import { blockRecords, dropSpec, prefixMapFile, prefixMapKey, qualMapFile, removalKeepsLiveness, removalRecord, StoreLookups } from "../core/store-records";
import { Settings } from "../core/settings";
import { BlockRule, RemoveRule } from "../core/verdict";
import { journalAppend } from "./journal-file";
import { clearKeyCommand, NO_ENTRY_ANSWER, retryEviction } from "../core/runtime-cmd";
import { tableNeverPurges } from "../core/eviction";
import { chooseVictims } from "./evict";
import { inc } from "./counters";
import { isStopping, StopProbe } from "./ready";
import { cliSucceeded, runCli } from "./runtime-api";
import { forgetApplied, publishMapWrites, queueReassertions } from "./sync-publish";

const MapClass = (_G as unknown as { Map: HaproxyMapClass }).Map;

/** Times a learn's runtime-API commands are sent again after a lost connection (about 1 s in all, with the connect retries). */
export const CLI_RETRIES = 5;

/** What applyMutations returns when the table had no room for a new entry. */
export const STORE_FULL = "store full: " + NO_ENTRY_ANSWER;

/** Methods a `remove` without methods lifts, besides the any-method rule. */
const COMMON_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Map files, opened at load time (a map only written from Lua would not exist). */
export interface StoreMaps {
  readonly reasons: HaproxyMap;
  readonly bodies: HaproxyMap;
  readonly counters: HaproxyMap;
}


export function openGlobalMaps(): StoreMaps {
  return {
    reasons: MapClass.new(STORE_MAPS.reasons, MapClass._str),
    bodies: MapClass.new(STORE_MAPS.bodies, MapClass._str),
    counters: MapClass.new(STORE_MAPS.counters, MapClass._str),
  };
}

const perBackendMaps: { [file: string]: HaproxyMap } = {};

/** Per-backend map object for lookups; opened lazily only for maps the config loaded. */
function mapFor(file: string): HaproxyMap | undefined {
  return perBackendMaps[file];
}

/** The map object of any map edgeblock writes, or undefined for a file this config does not load. */
export function storeMap(maps: StoreMaps, file: string): HaproxyMap | undefined {
  return file === STORE_MAPS.bodies ? maps.bodies : file === STORE_MAPS.reasons ? maps.reasons : mapFor(file);
}

/** Open every per-backend map, for each backend that has a rule table. Init context: backends exist, Map.new is allowed. */
export function openBackendMaps(): void {
  // the generations map exists when a backend retires stale rules (on_new_generation)
  const [gok, gm] = pcall(() => MapClass.new(GENERATIONS_MAP, MapClass._str));
  if (gok) perBackendMaps[GENERATIONS_MAP] = gm as HaproxyMap;
  for (const [name] of pairs(core.backends)) {
    const n = name as string;
    if (n.substring(0, RULE_TABLE_PREFIX.length) === RULE_TABLE_PREFIX) {
      const be = n.substring(RULE_TABLE_PREFIX.length);
      for (const f of [prefixMapFile(be), qualMapFile(be)]) {
        const [ok, m] = pcall(() => MapClass.new(f, MapClass._str));
        if (ok) perBackendMaps[f] = m as HaproxyMap;
      }
    }
  }
}

function tableOf(backend: string): HaproxyStickTable | undefined {
  const px = core.backends.get(RULE_TABLE_PREFIX + backend);
  return px === undefined ? undefined : px.stktable;
}

/** Current liveness (gpt0) of a key, 0 when absent. */
function liveness(t: HaproxyStickTable | undefined, key: string): number {
  if (t === undefined) return 0;
  const e = t.lookup(key);
  if (e === undefined) return 0;
  const v = e.get(RULE_FIELDS.expiry);
  return v === undefined ? 0 : v;
}

/** Whether the rule on a key is in force: its own expiry (not the base's liveness) ahead, so a removed rule is not. */
export function ruleInForce(backend: string, key: string): boolean {
  const t = tableOf(backend);
  const e = t === undefined ? undefined : t.lookup(key);
  return e !== undefined && (e.get(RULE_FIELDS.ruleExpiry) ?? 0) > core.now().sec;
}

/** Whether a base key is live (its liveness deadline ahead) in a backend's rule table now. */
export function ruleLive(backend: string, base: string): boolean {
  return liveness(tableOf(backend), base) > core.now().sec;
}

/** Table fill, for the on-full policy. */
export function tableFill(backend: string): { used: number; size: number } | undefined {
  const t = tableOf(backend);
  if (t === undefined) return undefined;
  const i = t.info();
  return { used: i.used, size: i.size };
}


/**
 * Apply mutations: map writes locally (shared by all threads), table writes in
 * one runtime API call, then append everything to the journal. Returns an error text.
 */
export function applyMutations(settings: Settings, muts: readonly JournalRecord[], before: readonly string[] = [], stopping: StopProbe = isStopping, localOnly = false): string | undefined {
  if (settings.stateDir.length > 0 && stopping()) {
    // a stopping worker's socket is the new process's now: its learns failed requests there under reloads
    // (8 in 11k, soak); its journal lines reach the new process, which tails the journal and applies them
    journalAppend(settings, muts);
    inc("learns_handed_over");
    return undefined;
  }
  const cmds: string[] = [...before];
  let maps = false;
  for (const m of muts) {
    if (m.kind === "map-set") core.set_map(m.file, m.key, m.value);
    else if (m.kind === "map-del") core.del_map(m.file, m.key);
    else {
      const c = recordCommand(m);
      if (c !== undefined) cmds.push(c);
    }
    if (m.kind !== "table") maps = true;
  }
  // a cluster's other nodes learn map writes from the replicated sync table (core/cluster-sync.ts)
  // (a compaction's pruning is each node's own: every node prunes what its own tables no longer hold)
  if (maps && settings.clusterNode.length > 0) {
    if (localOnly) forgetApplied(muts);
    else publishMapWrites(settings, muts, cmds);
  }
  if (cmds.length > 0) {
    let res = runCli(settings.runtimeApi, cmds, 2);
    // [T] 2.6 re-executes its master at a reload: a learn in flight through the master CLI loses its connection
    // ("receive: connection closed", 5-7 rules per reload under load, soak). The commands are idempotent: send
    // them again, and once this worker is told to stop, hand them to the new process through the journal
    for (let attempt = 1; !res.ok && attempt <= CLI_RETRIES; attempt++) {
      core.msleep(20 * attempt);
      if (settings.stateDir.length > 0 && stopping()) {
        journalAppend(settings, muts);
        inc("learns_handed_over");
        return undefined;
      }
      inc("runtime_api_retries");
      res = runCli(settings.runtimeApi, cmds, 2);
    }
    // [T] a full table's eviction can give up on recently touched entries (core/runtime-cmd.ts); with
    // on_full: refuse the table never evicts (nopurge), so a full table is an answer, not a retry
    const neverPurges = tableNeverPurges(settings.onFull, settings.stateDir.length > 0);
    for (let i = 0; res.ok && retryEviction(res.output, i, neverPurges); i++) res = runCli(settings.runtimeApi, cmds, 2);
    if (!res.ok) return res.output;
    if (res.output.indexOf(NO_ENTRY_ANSWER) >= 0) return STORE_FULL;
    if (!cliSucceeded(res.output)) return "runtime API answered: " + res.output;
  }
  journalAppend(settings, muts);
  return undefined;
}



/** Learn rules (core/store-records.ts decides what to write). Returns an error text. */
/** What a learn already knows when it stores: how to ask whether the process is stopping, and the table's fill it just read. */
export interface StoreHints {
  readonly stopping?: StopProbe;
  readonly fill?: { readonly used: number; readonly size: number };
  /** The rules' creation second, when the signal came under the backend's current generation (core/generation.ts createdUnder). */
  readonly createdAt?: number;
}

export function storeBlocks(settings: Settings, maps: StoreMaps, backend: string, rules: readonly BlockRule[], now: HaproxyTime, originServerId: number, hints: StoreHints = {}): string | undefined {
  const stopping = hints.stopping ?? isStopping;
  const t = tableOf(backend);
  if (t === undefined) return "no rule table " + RULE_TABLE_PREFIX + backend + " in the configuration";
  const lookups: StoreLookups = {
    liveness: (key) => liveness(t, key),
    specs: (base) => mapFor(qualMapFile(backend))?.lookup(base),
    hasMapKey: (file, key) => {
      const m = storeMap(maps, file);
      return m !== undefined && m.lookup(key) !== undefined;
    },
  };
  const muts = blockRecords(backend, rules, now.sec, originServerId, lookups, now.usec, hints.createdAt);
  const table = RULE_TABLE_PREFIX + backend;
  // a table that never purges (core/eviction.ts): with on_full: evict, edgeblock makes the room itself
  const evicts = settings.onFull === "evict" && tableNeverPurges(settings.onFull, settings.stateDir.length > 0);
  const victims: string[] = [];
  let error: string | undefined;
  // another learn (a thread, or one that yielded) can take the room made: make more, a few times
  for (let attempt = 0; attempt < 4; attempt++) {
    // room enough by the fill the learn just read (every record at most one new entry): no lookups, no second t:info() ([T] ~30k instructions)
    const roomy = attempt === 0 && hints.fill !== undefined && hints.fill.used + muts.length <= hints.fill.size;
    const more = evicts && !roomy ? roomFor(settings, table, t, muts, attempt) : [];
    const clears: string[] = [];
    for (const v of more) {
      clears.push(clearKeyCommand(table, v));
      victims.push(v);
    }
    error = applyMutations(settings, muts, clears, stopping);
    if (error !== STORE_FULL || !evicts) break;
  }
  if (victims.length > 0) {
    // only what is gone counts, and only that is journaled as gone (a hit can hold an entry in place)
    const gone: JournalRecord[] = [];
    for (const v of victims) if (t.lookup(v) === undefined) gone.push(removalRecord(table, v, false, now.sec));
    if (gone.length > 0) {
      journalAppend(settings, gone);
      inc("rules_evicted", gone.length);
    }
  }
  return error;
}

/** Keys to clear so that the new entries of `muts` fit; none while the table has room. */
function roomFor(settings: Settings, table: string, t: HaproxyStickTable, muts: readonly JournalRecord[], slack: number): string[] {
  const keep: { [key: string]: boolean } = {};
  let fresh = 0;
  for (const m of muts) {
    if (m.kind !== "table" || keep[m.key] === true) continue;
    keep[m.key] = true;
    if (t.lookup(m.key) === undefined) fresh++;
  }
  const i = t.info();
  // after a lost race, a little more room than this learn needs
  const needed = i.used + fresh - i.size + (i.used + fresh > i.size ? slack : 0);
  return needed > 0 ? chooseVictims(settings, table, t, needed, keep) : [];
}

/** Lift rules: zero their expiry (the sweeper frees them); works even while an entry is tracked. */
export function storeRemoves(settings: Settings, backend: string, removes: readonly RemoveRule[], now: number, hints: StoreHints = {}): { error?: string; removed: number } {
  const table = RULE_TABLE_PREFIX + backend;
  const t = tableOf(backend);
  if (t === undefined) return { error: "no rule table " + table + " in the configuration", removed: 0 };
  const muts: JournalRecord[] = [];
  let removed = 0;
  const zero = (key: string, keepIndex: boolean) => {
    const e = t.lookup(key);
    if (e === undefined) return;
    if ((e.get(RULE_FIELDS.ruleExpiry) ?? 0) > 0) removed++;
    muts.push(removalRecord(table, key, removalKeepsLiveness(keepIndex, settings.clusterNode.length > 0), now));
  };
  for (const r of removes) {
    const base = baseKey(r.match.path, r.match.prefix);
    const qf = qualMapFile(backend);
    const qm = mapFor(qf);
    const specs = qm === undefined ? undefined : qm.lookup(base);
    if (r.everything) {
      zero(base, true);
      for (const m of COMMON_METHODS) zero(base + " " + m, false);
      if (specs !== undefined) {
        for (const sp of splitOn(specs, 32)) if (sp.length > 0) zero(base + " " + sp, false);
        muts.push({ kind: "map-del", file: qf, key: base });
      }
      // a lifted prefix must not stay the longest match: a shorter live prefix covers its paths again
      if (r.match.prefix && t.lookup(base) !== undefined) muts.push({ kind: "map-del", file: prefixMapFile(backend), key: prefixMapKey(r.match.path) });
      continue;
    }
    for (const key of ruleKeys(r.match)) zero(key, key === base);
    if (isQualified(r.match) && specs !== undefined) {
      let list = specs;
      const methods = r.match.methods.length === 0 ? ["*"] : r.match.methods;
      for (const m of methods) list = dropSpec(list, specOf(m, r.match));
      if (list.length === 0) muts.push({ kind: "map-del", file: qf, key: base });
      else if (list !== specs) muts.push({ kind: "map-set", file: qf, key: base, value: list });
    }
  }
  if (muts.length === 0) return { removed: 0 };
  const error = applyMutations(settings, muts, [], hints.stopping);
  if (error === undefined && settings.clusterNode.length > 0) queueReassertions(muts);
  return error === undefined ? { removed } : { error, removed: 0 };
}
