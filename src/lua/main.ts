/**
 * blocks.lua entry point: load settings, open the maps, register the
 * adapters. Nothing else happens here. Safe under lua-load and
 * lua-load-per-thread: no globals.
 */
import { LUA_NAMES, VARS } from "../core/contract";
import { inc } from "./counters";
import * as learn from "./learn";
import { configureLog, logEvent } from "./log";
import * as match from "./match";
import * as metrics from "./metrics";
import * as normalize from "./normalize";
import { loadSettings } from "./settings-loader";
import { maintenance } from "./persist";
import { flushBacklog } from "./journal-file";
import { waitUntilReady } from "./ready";
import { openBackendMaps, openGlobalMaps } from "./store";

const loaded = loadSettings();
configureLog(loaded.settings.logStream);
for (const e of loaded.errors) logEvent(core.alert, "settings error, learning disabled", [["detail", e]]);
const maps = openGlobalMaps();
// backends exist only once the whole configuration is parsed
core.register_init(() => openBackendMaps());
const nbthread = tonumber(core.get_info().get("Nbthread")) ?? 1;
const ctx: learn.LearnContext = {
  settings: loaded.settings,
  settingsErrors: loaded.errors,
  maps,
  rateShare: core.thread > 0 ? nbthread : 1,
};

// one maintenance task per process: the shared state (thread 0) or the first per-thread state
if (core.thread <= 1 && loaded.errors.length === 0) {
  core.register_task(() => {
    const [ok, err] = pcall(() => maintenance(loaded.settings));
    if (!ok) logEvent(core.alert, "maintenance task stopped", [["detail", tostring(err)]]);
  });
}

// every other per-thread Lua state keeps its own journal backlog: it retries it each second
if (core.thread > 1 && loaded.errors.length === 0 && loaded.settings.stateDir.length > 0) {
  core.register_task(() => {
    for (;;) {
      core.sleep(1);
      pcall(() => flushBacklog(loaded.settings));
    }
  });
}

core.register_action(
  LUA_NAMES.learn,
  ["http-res"],
  (txn, mode) => {
    // Deny nothing on doubt: a Lua error learns nothing, is counted, and the response goes on.
    const [ok, err] = pcall(() => learn.execute(ctx, txn, mode));
    if (!ok) {
      txn.set_var(VARS.signalOutcome, "rejected");
      txn.set_var(VARS.signalReason, "edge-error");
      inc("signal:rejected:edge-error");
      logEvent(core.err, "signal not handled", [["reason", "edge-error"], ["detail", tostring(err)]]);
    }
  },
  1,
);

core.register_action(
  LUA_NAMES.wait,
  ["http-req"],
  () => {
    // runs only until the rules are loaded: a starting process must not serve requests its rules would block
    const [ok, err] = pcall(() => waitUntilReady());
    if (!ok) logEvent(core.err, "wait for rules failed", [["detail", tostring(err)]]);
  },
  0,
);

core.register_action(
  LUA_NAMES.match,
  ["http-req"],
  (txn, which) => {
    // On error no rule key is published, so the request passes (fail-open), and it is counted.
    const [ok, err] = pcall(() => match.execute(txn, which));
    if (!ok) {
      inc("match_errors");
      logEvent(core.err, "qualified match failed", [["detail", tostring(err)]]);
    }
  },
  1,
);

core.register_service(LUA_NAMES.metrics, "http", (applet) => {
  const [ok, err] = pcall(() => metrics.execute(applet, maps));
  if (!ok) {
    logEvent(core.err, "metrics failed", [["detail", tostring(err)]]);
    applet.set_status(500);
    applet.start_response();
    applet.send("edgeblock metrics failed; see HAProxy's log\n");
  }
});

core.register_converters(LUA_NAMES.normalize, (value) => {
  const [ok, res] = pcall(() => normalize.execute(loaded.settings, value));
  // On error return the raw path: it can match no rule, so the request passes (fail-open).
  return ok ? (res as string) : value;
});
