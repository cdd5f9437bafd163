/**
 * blocks.lua entry point: load settings and register the adapters. Nothing
 * else happens here. Safe under lua-load and lua-load-per-thread: no globals.
 */
import { LUA_NAMES, VARS } from "../core/contract";
import * as learn from "./learn";
import { logEvent } from "./log";
import * as normalize from "./normalize";
import { loadSettings } from "./settings-loader";

const loaded = loadSettings();
for (const e of loaded.errors) logEvent(core.alert, "settings error, learning disabled", [["detail", e]]);
const ctx: learn.LearnContext = { settings: loaded.settings, settingsErrors: loaded.errors };

core.register_action(
  LUA_NAMES.learn,
  ["http-res"],
  (txn) => {
    // Deny nothing on doubt: a Lua error learns nothing, is counted, and the response goes on.
    const [ok, err] = pcall(() => learn.execute(ctx, txn));
    if (!ok) {
      txn.set_var(VARS.signalOutcome, "rejected");
      txn.set_var(VARS.signalReason, "edge-error");
      txn.set_var(VARS.statKey, "signal_rejected:edge-error");
      logEvent(core.err, "signal not handled", [["reason", "edge-error"], ["detail", tostring(err)]]);
    }
  },
  0,
);

core.register_converters(LUA_NAMES.normalize, (value) => {
  const [ok, res] = pcall(() => normalize.execute(loaded.settings, value));
  // On error return the raw path: it can match no rule, so the request passes (fail-open).
  return ok ? (res as string) : value;
});
