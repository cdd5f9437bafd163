/** Process state the maintenance task and the startup gate need: loaded yet, stopping yet. */
import { itoa } from "../core/bytes";
import { CONTROL_FIELD, READY_KEY, READY_TABLE, READY_VAR, READY_WAIT_MS } from "../core/contract";
import { inc } from "./counters";
import { logEvent } from "./log";

let pidText: string | undefined;

/**
 * This process's pid, as text, read on first use (core.get_info builds ~70 fields). Not at load time: [T] in
 * master-worker mode the master loads blocks.lua before it forks, and its own pid is what a load-time read gets.
 */
export function ownPid(): string {
  if (pidText === undefined) pidText = tostring(core.get_info().get("Pid") ?? "0");
  return pidText;
}

/** Whether this process is stopping, for a caller that has no transaction (core.get_info builds ~70 fields: [T] 100k instructions). */
export function isStopping(): boolean {
  // [T] get_info values are numbers, not strings
  return tostring(core.get_info().get("Stopping")) === "1";
}

/** Asks whether this process is stopping. */
export type StopProbe = () => boolean;

/** The same question through a transaction's `stopping` fetch (a few hundred instructions, not core.get_info's 100k). */
export function txnStopProbe(txn: HaproxyTxn): StopProbe {
  return () => {
    // [T] a number before 3.2's `tune.lua.bool-sample-conversion normal`, a boolean with it
    const v = txn.f.stopping();
    return v === true || v === 1;
  };
}

function isReady(): boolean {
  const px = core.backends.get(READY_TABLE);
  const e = px === undefined || px.stktable === undefined ? undefined : px.stktable.lookup(READY_KEY);
  return e !== undefined && (e.get(CONTROL_FIELD) ?? 0) > 0;
}

/** Set when the loader of this Lua state failed: nothing will open the gate, so nothing waits for it. */
let givenUp = false;

/** The loader is gone: requests are no longer held in this Lua state (each is still counted as served before the rules were loaded). */
export function gateGivenUp(): void {
  givenUp = true;
}

/** Hold the current request until the rules are loaded, at most READY_WAIT_MS (then fail open); once they are, say so to every later request (READY_VAR). */
export function waitUntilReady(txn: HaproxyTxn): void {
  if (isReady()) {
    txn.set_var(READY_VAR, 1);
    return;
  }
  if (givenUp) {
    // the loader is gone and nothing will load the rules: no later request runs this action
    inc("ready_timeouts");
    txn.set_var(READY_VAR, 1);
    return;
  }
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
  if (isReady()) txn.set_var(READY_VAR, 1);
}
