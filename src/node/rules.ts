/** Reading and changing the live rule store through the runtime API (used by the CLI and the rules page). */
import { generationRecords, generationsOf, ruleStale } from "../core/generation";
import { unpackAnswer } from "../core/answer";
import { CONTROL_FIELD, CONTROL_TABLE, ENFORCEMENT_OFF_KEY, GENERATIONS_MAP, RULE_FIELDS, RULE_TABLE_PREFIX, STORE_MAPS } from "../core/contract";
import { currentEntryOf, JournalRecord, recordCommand } from "../core/journal";
import { baseKey, parseRuleKey, RuleMatch, ruleKeys } from "../core/rulekey";
import { unpackReason } from "../core/rule";
import { blockRecords, prefixMapFile, prefixMapKey, qualMapFile, removalKeepsLiveness, removalRecord } from "../core/store-records";
import { escapeCliArg, NO_ENTRY_ANSWER, parseTableLine, retryEviction, TableEntry } from "../core/runtime-cmd";
import { journalAppend, runtimeCommand } from "./runtime";
import { needsReassert, REASSERT_AFTER_MS, reassertions, syncCommands, syncKeyLength } from "../core/cluster-sync";
import { Settings } from "../core/settings";

/** The cluster part of a StoreLocation, from the settings the edge runs with. */
export function clusterOf(s: Settings): StoreLocation["cluster"] {
  return s.clusterNode.length > 0 ? { node: s.clusterNode, syncKeyLength: syncKeyLength(s.maxKeyLength, s.maxBodyBytes) } : undefined;
}

export interface Rule {
  readonly backend: string;
  readonly key: string;
  readonly match: RuleMatch;
  readonly status: number;
  readonly body: string;
  readonly reason: string;
  /** Name of the server (of `backend`) that sent the signal, or `operator`. */
  readonly origin: string;
  readonly mode: "enforce" | "dry-run";
  /** Created before its backend's current deploy generation began (core/generation.ts): on_new_generation applies. */
  readonly stale: boolean;
  /** Epoch seconds: when it was learned, or last confirmed by a signal. */
  readonly created: number;
  readonly expires: number;
  readonly hits: number;
}

/** Where the store lives: the runtime API address and the state folder (for the journal). */
export interface StoreLocation {
  readonly socket: string;
  readonly stateDir: string;
  readonly backends: readonly string[];
  /** The rule tables never purge (core/eviction.ts): a full table's answer is final, not retried. Only writes need it. */
  readonly neverPurges?: boolean;
  /** In a cluster: this node's name and the sync table's key length, to publish map writes to the other nodes. */
  readonly cluster?: { readonly node: string; readonly syncKeyLength: number };
}

/** Parse `show map` output into key -> value. */
export function parseShowMap(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split("\n")) {
    const sp1 = line.indexOf(" ");
    if (!line.startsWith("0x") || sp1 < 0) continue;
    const rest = line.slice(sp1 + 1);
    const sp2 = rest.indexOf(" ");
    m.set(sp2 < 0 ? rest : rest.slice(0, sp2), sp2 < 0 ? "" : rest.slice(sp2 + 1));
  }
  return m;
}

function originName(servers: Map<number, string> | undefined, id: number): string {
  if (id === 0) return "operator";
  return servers?.get(id) ?? `server#${id}`;
}

/** Server ids to names, per backend, from `show servers state`. */
export async function serverNames(socket: string): Promise<Map<string, Map<number, string>>> {
  const out = new Map<string, Map<number, string>>();
  for (const line of (await runtimeCommand(socket, ["show servers state"])).split("\n")) {
    const f = line.trim().split(/\s+/);
    // fields: be_id be_name srv_id srv_name ...
    if (f.length < 4 || !/^\d+$/.test(f[0]) || !/^\d+$/.test(f[2])) continue;
    if (!out.has(f[1])) out.set(f[1], new Map());
    out.get(f[1])!.set(Number(f[2]), f[3]);
  }
  return out;
}

/** Every live rule of the given backends. */
export async function listRules(loc: StoreLocation, now = Math.floor(Date.now() / 1000)): Promise<Rule[]> {
  const servers = await serverNames(loc.socket);
  const reasons = parseShowMap(await runtimeCommand(loc.socket, [`show map ${STORE_MAPS.reasons}`]));
  const bodies = parseShowMap(await runtimeCommand(loc.socket, [`show map ${STORE_MAPS.bodies}`]));
  // no generations map (every backend keeps its rules across deploys): no rule is stale
  const gens = generationsOf([...parseShowMap(await runtimeCommand(loc.socket, [`show map ${GENERATIONS_MAP}`]))]);
  const rules: Rule[] = [];
  for (const backend of loc.backends) {
    const out = await runtimeCommand(loc.socket, [`show table ${escapeCliArg(RULE_TABLE_PREFIX + backend)}`]);
    if (/^No such table/m.test(out)) continue;
    for (const line of out.split("\n")) {
      const e = parseTableLine(line);
      if (!e) continue;
      const expires = e.data[RULE_FIELDS.ruleExpiry] ?? 0;
      if (expires <= now) continue;
      const parsed = parseRuleKey(e.key);
      if (!parsed) continue;
      const a = unpackAnswer(e.data[RULE_FIELDS.answer] ?? 0);
      const reason = unpackReason(e.data[RULE_FIELDS.reason] ?? 0);
      rules.push({
        backend,
        key: e.key,
        match: parsed.match,
        status: a.status,
        body: a.bodyId > 0 ? (bodies.get(String(a.bodyId)) ?? "") : "",
        reason: reasons.get(String(reason.reasonId)) ?? "unknown",
        origin: originName(servers.get(backend), reason.originServerId),
        mode: a.dryRun ? "dry-run" : "enforce",
        stale: ruleStale(e.data[RULE_FIELDS.created] ?? 0, gens[backend]?.since),
        created: e.data[RULE_FIELDS.created] ?? 0,
        expires,
        hits: e.data[RULE_FIELDS.hits] ?? 0,
      });
    }
  }
  return rules.sort((a, b) => (a.backend === b.backend ? (a.key < b.key ? -1 : 1) : a.backend < b.backend ? -1 : 1));
}

/** The runtime API commands of a record. A map upsert is `del` then `add`: `set map` fails on a new key. */
function recordCommands(r: JournalRecord): string[] {
  if (r.kind === "table") return [recordCommand(r)!];
  const target = `${escapeCliArg(r.file)} ${escapeCliArg(r.key)}`;
  if (r.kind === "map-del") return [`del map ${target}`];
  return [`del map ${target}`, `add map ${target} ${escapeCliArg(r.value)}`];
}

async function apply(loc: StoreLocation, records: JournalRecord[]): Promise<void> {
  const cmds = records.flatMap(recordCommands);
  if (loc.cluster) {
    // the other nodes apply map writes from the replicated sync table (core/cluster-sync.ts)
    const now = Date.now();
    const sync = syncCommands(records, loc.cluster.node, Math.floor(now / 1000), (now % 1000) * 1000, loc.cluster.syncKeyLength);
    if (sync.tooLong > 0) throw new Error(`a map write is longer than the cluster's sync table keys (${loc.cluster.syncKeyLength} bytes): the other nodes could not get it`);
    cmds.push(...sync.cmds);
  }
  for (let i = 0; i < cmds.length; i += 50) {
    let out = await runtimeCommand(loc.socket, cmds.slice(i, i + 50));
    for (let n = 0; retryEviction(out, n, loc.neverPurges === true); n++) out = await runtimeCommand(loc.socket, cmds.slice(i, i + 50));
    if (out.includes(NO_ENTRY_ANSWER)) throw new Error("the rule table is full (rules.on_full: refuse, or no entry could be evicted)");
    // deleting a key that is not there is fine
    const bad = out.split("\n").filter((l) => l.trim() && !/^(Key not found|Done\.|entry not found)/i.test(l.trim()));
    if (bad.length > 0) throw new Error(`runtime API: ${bad.join(" | ")}`);
  }
  journalAppend(loc.stateDir, records);
}

/** Remove rules by key: their expiry is zeroed (so a tracked entry is lifted too) and the journal records it. */
export async function removeRules(loc: StoreLocation, backend: string, keys: readonly string[]): Promise<number> {
  const table = RULE_TABLE_PREFIX + backend;
  const live = new Set((await listRules({ ...loc, backends: [backend] })).map((r) => r.key));
  const records: JournalRecord[] = [];
  let n = 0;
  const qualMap = qualMapFile(backend);
  const quals = parseShowMap(await runtimeCommand(loc.socket, [`show map ${qualMap}`]));
  for (const key of keys) {
    if (!live.has(key)) continue;
    n++;
    const p = parseRuleKey(key)!;
    records.push(removalRecord(table, key, removalKeepsLiveness(key === p.base, loc.cluster !== undefined), Math.floor(Date.now() / 1000)));
    if (p.spec) {
      const list = (quals.get(p.base) ?? "").split(" ").filter((s) => s && s !== p.spec);
      quals.set(p.base, list.join(" "));
      records.push(list.length ? { kind: "map-set", file: qualMap, key: p.base, value: list.join(" ") } : { kind: "map-del", file: qualMap, key: p.base });
    }
  }
  // a prefix none of whose rules is left is no longer a longest match: a shorter live prefix covers its paths again
  const removed = new Set(keys);
  for (const base of new Set(keys.filter((k) => live.has(k)).map((k) => parseRuleKey(k)!).filter((p) => p.match.prefix).map((p) => p.base))) {
    if ([...live].some((k) => !removed.has(k) && parseRuleKey(k)?.base === base)) continue;
    const p = parseRuleKey(base)!;
    records.push({ kind: "map-del", file: prefixMapFile(backend), key: prefixMapKey(p.match.path) });
  }
  if (records.length > 0) await apply(loc, records);
  if (loc.cluster) await reassertRemovals(loc, records);
  return n;
}

/** A cluster node writes its removals again once in-flight writes of other nodes landed (core/cluster-sync.ts REASSERT_AFTER_MS). */
async function reassertRemovals(loc: StoreLocation, records: readonly JournalRecord[]): Promise<void> {
  const todo = reassertions(records);
  const start = Date.now();
  for (const after of REASSERT_AFTER_MS) {
    if (todo.length === 0) return;
    await new Promise((r) => setTimeout(r, Math.max(0, start + after - Date.now())));
    const again: string[] = [];
    // a few keys are asked one by one; a flush reads each table once
    const dumps = new Map<string, Map<string, TableEntry>>();
    for (const table of new Set(todo.map((q) => q.table))) {
      if (todo.length <= 50) break;
      const byKey = new Map<string, TableEntry>();
      for (const l of (await runtimeCommand(loc.socket, [`show table ${escapeCliArg(table)}`])).split("\n")) {
        const e = parseTableLine(l);
        if (e) byKey.set(e.key, e);
      }
      dumps.set(table, byKey);
    }
    for (const q of todo) {
      const e = dumps.get(q.table)?.get(q.key) ?? (dumps.has(q.table) ? undefined : parseTableLine((await runtimeCommand(loc.socket, [`show table ${escapeCliArg(q.table)} key ${escapeCliArg(q.key)}`])).split("\n").find((l) => l.includes(": key=")) ?? ""));
      const current = e === undefined ? undefined : currentEntryOf((f) => e.data[f]);
      if (needsReassert(current, q.stamp)) again.push(q.command);
    }
    for (let i = 0; i < again.length; i += 50) await runtimeCommand(loc.socket, again.slice(i, i + 50));
  }
}

/** Remove every rule of a backend. */
export async function flushRules(loc: StoreLocation, backend: string): Promise<number> {
  const rules = await listRules({ ...loc, backends: [backend] });
  return removeRules(loc, backend, rules.map((r) => r.key));
}

export interface NewRuleSpec {
  readonly backend: string;
  readonly match: RuleMatch;
  readonly status: number;
  readonly ttl: number;
  readonly reason: string;
  readonly dryRun: boolean;
  readonly body: string;
}

/** Add a rule as an operator, stored exactly as a learned one (core/store-records.ts). Returns its keys. */
export async function addRule(loc: StoreLocation, r: NewRuleSpec, nowMs = Date.now()): Promise<string[]> {
  const now = Math.floor(nowMs / 1000);
  const table = RULE_TABLE_PREFIX + r.backend;
  const base = baseKey(r.match.path, r.match.prefix);
  const existing = parseTableLine((await runtimeCommand(loc.socket, [`show table ${escapeCliArg(table)} key ${escapeCliArg(base)}`])).split("\n").find((l) => l.includes(": key=")) ?? "");
  const quals = parseShowMap(await runtimeCommand(loc.socket, [`show map ${qualMapFile(r.backend)}`]));
  const records = blockRecords(r.backend, [{ match: r.match, status: r.status, body: r.body, ttl: r.ttl, reason: r.reason, dryRun: r.dryRun }], now, 0, {
    liveness: (key) => (key === base ? (existing?.data[RULE_FIELDS.expiry] ?? 0) : 0),
    specs: (b) => quals.get(b),
    // the CLI cannot look a map up cheaply: writing an existing name again is harmless
    hasMapKey: () => false,
  }, (nowMs % 1000) * 1000);
  await apply(loc, records);
  return ruleKeys(r.match);
}

/** The kill switch: enforcement off makes every match dry-run, without a reload. */
export async function setEnforcement(loc: StoreLocation, on: boolean): Promise<void> {
  await apply(loc, [{ kind: "table", table: CONTROL_TABLE, key: ENFORCEMENT_OFF_KEY, fields: [{ name: CONTROL_FIELD, value: on ? 0 : 1 }] }]);
}

/** Make `token` the backend's current deploy generation (core/generation.ts): journaled, and sent to a cluster's other nodes. */
export async function setGeneration(loc: StoreLocation, backend: string, token: string, nowMs = Date.now()): Promise<void> {
  const current = parseShowMap(await runtimeCommand(loc.socket, [`show map ${GENERATIONS_MAP}`])).get(backend);
  await apply(loc, generationRecords(backend, token, Math.floor(nowMs / 1000), current));
}

export async function enforcementOn(loc: StoreLocation): Promise<boolean> {
  const out = await runtimeCommand(loc.socket, [`show table ${CONTROL_TABLE} key ${ENFORCEMENT_OFF_KEY}`]);
  const e = parseTableLine(out.split("\n").find((l) => l.includes(": key=")) ?? "");
  return (e?.data[CONTROL_FIELD] ?? 0) === 0;
}
