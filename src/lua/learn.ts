/**
 * http-res action: read the signal headers, apply the learn-time policies
 * (allowlist, store capacity, rate limit, confirmation), store the rules,
 * and publish the outcome as vars. haproxy.cfg strips the headers.
 */
import { EVAL_BACKEND_SUFFIX, GENERATIONS_MAP, HEADERS, PENDING_FIELDS, PENDING_TABLE_PREFIX, SEEN_FIELD, SEEN_TABLE_PREFIX, VARS } from "../core/contract";
import { admitBlock, Bucket, takeTokens } from "../core/policy";
import { itoa } from "../core/bytes";
import { escapeCliArg } from "../core/runtime-cmd";
import { ruleKeys } from "../core/rulekey";
import { Settings } from "../core/settings";
import { parseSignal } from "../core/signal";
import { BlockRule, RejectReason, SignalVerdict } from "../core/verdict";
import { inc } from "./counters";
import { headerValues, varString } from "./headers";
import { logEvent } from "./log";
import { cliSucceeded, runCli } from "./runtime-api";
import { tableNeverPurges } from "../core/eviction";
import { STORE_FULL, StoreMaps, storeBlocks, storeMap, storeRemoves, tableFill } from "./store";
import { createdUnder, generationKey } from "../core/generation";
import { txnStopProbe } from "./ready";

/** Context the action needs besides the txn: set once at load time. */
export interface LearnContext {
  readonly settings: Settings;
  readonly maps: StoreMaps;
  /** Threads sharing the learning rate when each has its own Lua state (lua-load-per-thread). */
  readonly rateShare: number;
}

const buckets: { [backend: string]: Bucket } = {};

/** The signal outcome in txn vars (for haproxy.cfg and the log line), and counted. */
export function publish(txn: HaproxyTxn, outcome: string, reason: string): void {
  txn.set_var(VARS.signalOutcome, outcome);
  txn.set_var(VARS.signalReason, reason);
  inc("signal:" + outcome + ":" + reason);
}

function refuse(txn: HaproxyTxn, reason: RejectReason, backend: string | undefined, path: string | undefined, detail: string): void {
  publish(txn, "rejected", reason);
  logEvent(reason === "edge-error" ? core.err : core.warning, "signal rejected", [
    ["reason", reason],
    ["backend", backend],
    ["path", path],
    ["detail", detail],
  ]);
}

function pendingLookup(backend: string, key: string): { signals: number; clients: number } {
  const px = core.backends.get(PENDING_TABLE_PREFIX + backend);
  const e = px === undefined || px.stktable === undefined ? undefined : px.stktable.lookup(key);
  if (e === undefined) return { signals: 0, clients: 0 };
  return { signals: e.get(PENDING_FIELDS.signals) ?? 0, clients: e.get(PENDING_FIELDS.clients) ?? 0 };
}

function seen(backend: string, key: string): boolean {
  const px = core.backends.get(SEEN_TABLE_PREFIX + backend);
  return px !== undefined && px.stktable !== undefined && px.stktable.lookup(key) !== undefined;
}

/**
 * Confirmation threshold: count this signal for each rule key; return the rules
 * that have now been seen often enough from enough distinct clients.
 */
function confirm(ctx: LearnContext, backend: string, client: string, rules: readonly BlockRule[]): { ready: BlockRule[]; error?: string } {
  const s = ctx.settings;
  if (s.confirmSignals <= 1 && s.confirmClients <= 1) return { ready: [...rules] };
  const ready: BlockRule[] = [];
  const cmds: string[] = [];
  for (const r of rules) {
    const key = ruleKeys(r.match)[0];
    const p = pendingLookup(backend, key);
    const pair = key + "|" + client;
    const fresh = !seen(backend, pair);
    const signals = p.signals + 1;
    const clients = p.clients + (fresh ? 1 : 0);
    if (signals >= s.confirmSignals && clients >= s.confirmClients) {
      ready.push(r);
      cmds.push("clear table " + escapeCliArg(PENDING_TABLE_PREFIX + backend) + " key " + escapeCliArg(key));
    } else {
      cmds.push("set table " + escapeCliArg(PENDING_TABLE_PREFIX + backend) + " key " + escapeCliArg(key) + " data." + PENDING_FIELDS.signals + " " + itoa(signals) + " data." + PENDING_FIELDS.clients + " " + itoa(clients));
      if (fresh) cmds.push("set table " + escapeCliArg(SEEN_TABLE_PREFIX + backend) + " key " + escapeCliArg(pair) + " data." + SEEN_FIELD + " 1");
    }
  }
  const res = runCli(ctx.settings.runtimeApi, cmds, 2);
  if (!res.ok || !cliSucceeded(res.output)) return { ready: [], error: res.output };
  return { ready };
}

/** The backend that answered: the routing var where routes set one, else this backend's name (its evaluation twin carries a suffix). */
/** A signal under the backend's current generation is created at the generation's first second (core/generation.ts). */
function confirmedAt(maps: StoreMaps, txn: HaproxyTxn, backend: string, nowSec: number): number {
  const token = varString(txn, VARS.generation);
  const m = storeMap(maps, GENERATIONS_MAP);
  if (token === undefined || m === undefined) return nowSec;
  return createdUnder(nowSec, m.lookup(backend), m.lookup(generationKey(backend, token)));
}

export function backendOf(txn: HaproxyTxn): string | undefined {
  const routed = varString(txn, VARS.backend);
  if (routed !== undefined) return routed;
  const be = txn.f.be_name();
  if (be === undefined) return undefined;
  const cut = be.length - EVAL_BACKEND_SUFFIX.length;
  return cut > 0 && be.substring(cut) === EVAL_BACKEND_SUFFIX ? be.substring(0, cut) : be;
}

/** The action body. Never throws: main.ts wraps it, and every path publishes an outcome. */
export function execute(ctx: LearnContext, txn: HaproxyTxn, mode: string | undefined): void {
  // set by the frontend; [T] method is still available in http-res (path is not: it comes from txn.eb_path)
  const backend = backendOf(txn);
  // set by the frontend for every request ([T] request fetches are nil in http-res)
  const path = varString(txn, VARS.path);
  const headers = txn.http.res_get_headers();
  const resource = headerValues(headers, HEADERS.resource);
  const rule = headerValues(headers, HEADERS.rule);
  if (resource.length === 0 && rule.length === 0) return;
  if (mode === "untrusted") {
    refuse(txn, "untrusted", backend, path, "backend is not trusted to send signals");
    return;
  }
  if (backend === undefined) {
    refuse(txn, "edge-error", backend, path, "no backend name in the response phase");
    return;
  }
  const method = txn.f.method() ?? "";
  const status = txn.f.status() ?? 0;
  const verdict: SignalVerdict = parseSignal({ resource, rule }, { path, method, status }, ctx.settings);
  if (verdict.kind === "none") return;
  if (verdict.kind === "ignore") {
    publish(txn, "ignored", "valid");
    return;
  }
  if (verdict.kind === "reject") {
    refuse(txn, verdict.reason, backend, path, verdict.detail);
    return;
  }
  for (const b of verdict.blocks) {
    const no = admitBlock(b, ctx.settings);
    if (no !== undefined) {
      refuse(txn, no.reason, backend, b.match.path, no.detail);
      return;
    }
  }
  const now = core.now();
  const stopping = txnStopProbe(txn);
  let full = false;
  let fill: { used: number; size: number } | undefined;
  if (verdict.blocks.length > 0) {
    fill = tableFill(backend);
    if (fill !== undefined && fill.used >= fill.size) {
      if (ctx.settings.onFull === "refuse") {
        refuse(txn, "store-full", backend, path, fill.used + " rules in a table of " + fill.size);
        return;
      }
      full = true;
    }
    const bucket = buckets[backend] ?? { tokens: ctx.settings.learnBurst > 0 ? ctx.settings.learnBurst : ctx.settings.learnRate, last: now.sec * 1000 };
    buckets[backend] = bucket;
    // each thread's Lua state and each node of a cluster takes its share: the limit is the edge's, and the cluster's
    const share = (ctx.rateShare > 1 ? ctx.rateShare : 1) * (ctx.settings.clusterNodes > 1 ? ctx.settings.clusterNodes : 1);
    const rate = ctx.settings.learnRate / share;
    const burst = (ctx.settings.learnBurst > 0 ? ctx.settings.learnBurst : ctx.settings.learnRate) / share;
    if (!takeTokens(bucket, now.sec * 1000 + Math.floor(now.usec / 1000), rate, burst, verdict.blocks.length)) {
      refuse(txn, "rate-limited", backend, path, "learning rate " + ctx.settings.learnRate + "/s exceeded");
      return;
    }
  }
  let blocks: BlockRule[] = [...verdict.blocks];
  if (blocks.length > 0) {
    const client = txn.f.src() ?? "-";
    const c = confirm(ctx, backend, client, blocks);
    if (c.error !== undefined) {
      refuse(txn, "edge-error", backend, path, c.error);
      return;
    }
    if (c.ready.length < blocks.length) {
      inc("rules_pending", blocks.length - c.ready.length);
      logEvent(core.info, "signal pending confirmation", [["backend", backend], ["path", path], ["pending", itoa(blocks.length - c.ready.length)]]);
    }
    blocks = c.ready;
  }
  if (blocks.length > 0) {
    const failure = storeBlocks(ctx.settings, ctx.maps, backend, blocks, now, txn.f.srv_id() ?? 0, { stopping, fill, createdAt: confirmedAt(ctx.maps, txn, backend, now.sec) });
    if (failure === STORE_FULL) {
      // another learn took the last entries since the fill check (threads, or a yield in between)
      refuse(txn, "store-full", backend, path, "no room left in the rule table");
      return;
    }
    if (failure !== undefined) {
      refuse(txn, "edge-error", backend, path, failure);
      return;
    }
    // HAProxy's own eviction (no state folder): counted once the rules are stored, as one per rule
    if (full && !tableNeverPurges(ctx.settings.onFull, ctx.settings.stateDir.length > 0)) inc("rules_evicted", blocks.length);
    // which rules this answer taught: a let-through request's revalidation is confirmed by its own key only
    let taught = "";
    for (const b of blocks) for (const k of ruleKeys(b.match)) taught = taught + (taught.length > 0 ? " " : "") + k;
    txn.set_var(VARS.taughtKeys, taught);
  }
  let removed = 0;
  if (verdict.removes.length > 0) {
    const r = storeRemoves(ctx.settings, backend, verdict.removes, now.sec, { stopping });
    if (r.error !== undefined) {
      refuse(txn, "edge-error", backend, path, r.error);
      return;
    }
    removed = r.removed;
    inc("rules_removed:signal", removed);
  }
  publish(txn, blocks.length > 0 ? "learned" : verdict.removes.length > 0 ? "removed" : "pending", blocks.length > 0 ? blocks[0].reason : "-");
  for (const r of blocks) {
    inc("rules_learned:" + r.reason);
    for (const key of ruleKeys(r.match)) {
      logEvent(core.info, "rule learned", [
        ["backend", backend],
        ["key", key],
        ["status", itoa(r.status)],
        ["ttl", itoa(r.ttl)],
        ["reason", r.reason],
        ["mode", r.dryRun ? "dry-run" : "enforce"],
      ]);
    }
  }
  for (const r of verdict.removes) logEvent(core.info, "rule removed", [["backend", backend], ["path", r.match.path], ["count", itoa(removed)]]);
}

