/**
 * blocks.lua entry point: load settings, open the maps, register the
 * adapters. Nothing else happens here. Safe under lua-load and
 * lua-load-per-thread: no globals. Every entry point runs through guard.ts:
 * a failure is counted, logged once, and the request goes on (fail-open).
 */
import { LUA_NAMES } from "../core/contract";
import { guard } from "./guard";
import * as learn from "./learn";
import { inc } from "./counters";
import * as generation from "./generation";
import * as revalidate from "./revalidate";
import * as probe from "./probe";
import { configureLog } from "./log";
import * as match from "./match";
import * as metrics from "./metrics";
import * as normalize from "./normalize";
import { loadSettings } from "./settings-loader";
import { maintenance, openGate } from "./persist";
import { flushBacklog } from "./journal-file";
import { gateGivenUp, waitUntilReady } from "./ready";
import { openBackendMaps, openGlobalMaps } from "./store";
import { catchUpFromPeers, reassertDue, SYNC_POLL_MS, SYNC_WAIT_POLL_MS, SyncPoller, syncTable } from "./cluster-sync";

// a settings file that cannot be loaded stops HAProxy here, with its reason: the config is broken, as a
// bad line in haproxy.cfg would be (`haproxy -c` and render's check refuse it; a reload keeps the old workers)
const settings = loadSettings();
configureLog(settings.logStream);
const maps = openGlobalMaps();
// backends exist only once the whole configuration is parsed
core.register_init(() => openBackendMaps());
const nbthread = tonumber(core.get_info().get("Nbthread")) ?? 1;
const ctx: learn.LearnContext = { settings, maps, rateShare: core.thread > 0 ? nbthread : 1 };

// one maintenance task per process: the shared state (thread 0) or the first per-thread state
// a cluster node's map writes from the other nodes (lua/cluster-sync.ts); created at init, when backends exist
let poller: SyncPoller | undefined;
if (core.thread <= 1 && settings.clusterNode.length > 0) {
  core.register_init(() => {
    const t = syncTable();
    if (t !== undefined) poller = new SyncPoller(settings, maps, t);
  });
}
const beforeGate = settings.clusterNode.length > 0 ? () => {
  if (poller !== undefined) guard("cluster_catch_up", () => catchUpFromPeers(settings, poller!), () => undefined);
} : undefined;

if (core.thread <= 1) {
  core.register_task(() => {
    // a loader that died opens the gate as it goes, so that no request waits for it
    guard("maintenance", () => maintenance(settings, beforeGate), () => {
      gateGivenUp();
      openGate(settings);
    });
  });
}

// a cluster node applies the map writes of the other nodes (the poller: one per process, the maps are
// shared), and writes its removals again (every Lua state: each queues its own)
if (settings.clusterNode.length > 0) {
  core.register_task(() => {
    for (;;) {
      // a failed poll is counted and logged by the guard; the next one runs as usual
      const waiting = poller !== undefined && guard("cluster_sync", () => poller!.step(), () => false);
      guard("cluster_reassert", () => reassertDue(settings), () => undefined);
      core.msleep(waiting === true ? SYNC_WAIT_POLL_MS : SYNC_POLL_MS);
    }
  });
}

// every other per-thread Lua state keeps its own journal backlog: it retries it each second
if (core.thread > 1 && settings.stateDir.length > 0) {
  core.register_task(() => {
    for (;;) {
      core.sleep(1);
      guard("journal_retry", () => flushBacklog(settings), () => undefined);
    }
  });
}

core.register_action(
  LUA_NAMES.learn,
  ["http-res"],
  (txn, mode) =>
    guard(
      "learn",
      () => learn.execute(ctx, txn, mode),
      // nothing is learned; the response goes on, its signal headers stripped by haproxy.cfg
      () => learn.publish(txn, "rejected", "edge-error"),
    ),
  1,
);

core.register_action(
  LUA_NAMES.generation,
  ["http-res"],
  // on error the generation stays as it was: rules keep blocking as before
  (txn, mode) => guard("generation", () => generation.execute(settings, maps, txn, mode), () => undefined),
  1,
);

core.register_action(
  LUA_NAMES.revalidate,
  ["http-res"],
  // on error the rule stays as it was
  (txn, onHop) => guard("revalidate", () => revalidate.execute(settings, txn, onHop), () => undefined),
  1,
);

core.register_action(
  LUA_NAMES.wait,
  ["http-req"],
  // runs only until the rules are loaded: a starting process must not serve requests its rules would block
  (txn) => guard("wait", () => waitUntilReady(txn), () => undefined),
  0,
);

core.register_action(
  LUA_NAMES.match,
  ["http-req"],
  // on error no rule key is published, so the request passes
  (txn, which) => guard("match", () => match.execute(txn, which), () => undefined),
  1,
);

core.register_service(LUA_NAMES.metrics, "http", (applet) =>
  guard(
    "metrics",
    () => metrics.execute(applet, maps),
    () => {
      applet.set_status(500);
      applet.start_response();
      applet.send("edgeblock metrics failed; see HAProxy's log\n");
    },
  ),
);

// revalidation probes: rules queued by the converter (sampled blocks), sent by one task per Lua state at each backend's rate
core.register_converters(LUA_NAMES.probe, (value, backend, rate, every) => guard("probe", () => probe.enqueue(value, backend, rate, every), () => value));
core.register_task(() => probe.run(settings, maps));

// counts an event where only a sample expression runs (http-after-response sees HAProxy's own errors); passes its value on
core.register_converters(LUA_NAMES.count, (value, name) => guard("count", () => (inc(name), value), () => value));

// on error the raw path: it can match no rule, so the request passes
core.register_converters(LUA_NAMES.normalize, (value) => guard("normalize", () => normalize.execute(settings, value), () => value));
