/**
 * The one fail-open wrapper of every Lua entry point (actions, converters, services, tasks): a failure
 * runs the entry's fallback (the request goes on as if edgeblock had nothing to say), is counted as
 * `lua_errors:<entry>`, and is logged once per distinct reason, so a failure on every request cannot
 * flood the log.
 */
import { itoa } from "../core/bytes";
import { inc } from "./counters";
import { logEvent } from "./log";

/** Distinct failure reasons logged per Lua state; later ones are counted only. */
export const MAX_LOGGED_FAILURES = 32;

const logged: { [reason: string]: boolean } = {};
let loggedCount = 0;

/** Count and log (once per entry and reason) a failure of an entry point. */
export function failed(entry: string, reason: string): void {
  inc("lua_errors:" + entry);
  const key = entry + " " + reason;
  if (logged[key] === true) return;
  if (loggedCount >= MAX_LOGGED_FAILURES) {
    if (loggedCount === MAX_LOGGED_FAILURES) logEvent(core.err, "entry point failed", [["entry", "*"], ["detail", "more distinct failures are counted only (lua_errors)"], ["logged", itoa(loggedCount)]]);
    loggedCount++;
    return;
  }
  logged[key] = true;
  loggedCount++;
  logEvent(core.err, "entry point failed", [["entry", entry], ["fail_open", "yes"], ["detail", reason]]);
}

/** Run `body`; on an error, count and log it and return what `fallback` gives (it only publishes a fail-open outcome). */
export function guard<R>(entry: string, body: () => R, fallback: (reason: string) => R): R {
  const [ok, res] = pcall(body);
  if (ok) return res;
  failed(entry, res);
  return fallback(res);
}
