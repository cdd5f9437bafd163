/**
 * http-res action: read the signal header, learn the rules it asks for, and
 * publish the outcome as vars. haproxy.cfg strips the header and counts.
 */
import { HEADERS, RULE_TABLE_PREFIX, VARS } from "../core/contract";
import { ruleEntry } from "../core/rule";
import { setRuleCommand } from "../core/runtime-cmd";
import { LearnRequest, parseShortForm, SignalVerdict } from "../core/signal";
import { Settings } from "../core/settings";
import { headerValues } from "./headers";
import { logEvent } from "./log";
import { cliSucceeded, runCli } from "./runtime-api";

/** Context the action needs besides the txn: set once at load time. */
export interface LearnContext {
  readonly settings: Settings;
  /** Non-empty when settings failed to load: every signal is then refused, nothing is learned. */
  readonly settingsErrors: readonly string[];
}

function varString(txn: HaproxyTxn, name: string): string | undefined {
  const v = txn.get_var(name);
  return typeof v === "string" ? v : undefined;
}

function publish(txn: HaproxyTxn, outcome: string, reason: string): void {
  txn.set_var(VARS.signalOutcome, outcome);
  txn.set_var(VARS.signalReason, reason);
  txn.set_var(VARS.statKey, "signal_" + outcome + ":" + reason);
}

/** Write the rules through the runtime API. Returns an error text, or undefined on success. */
function store(ctx: LearnContext, backend: string, rules: readonly LearnRequest[], now: number): string | undefined {
  const cmds: string[] = [];
  for (const r of rules) {
    const entry = ruleEntry({ status: r.status, ttl: r.ttl, reason: r.reason, dryRun: false }, now);
    cmds.push(setRuleCommand(RULE_TABLE_PREFIX + backend, r.path, entry));
  }
  const res = runCli(ctx.settings.runtimeApi, cmds, 2);
  if (!res.ok) return res.output;
  if (!cliSucceeded(res.output)) return "runtime API answered: " + res.output;
  return undefined;
}

/** The action body. Never throws: main.ts wraps it, and every path publishes an outcome. */
export function execute(ctx: LearnContext, txn: HaproxyTxn): void {
  const backend = varString(txn, VARS.backend);
  const path = varString(txn, VARS.path);
  const values = headerValues(txn.http.res_get_headers(), HEADERS.resource);
  let verdict: SignalVerdict;
  if (ctx.settingsErrors.length > 0) {
    verdict = { kind: "reject", reason: "edge-error", detail: "settings: " + ctx.settingsErrors[0] };
  } else if (backend === undefined) {
    verdict = { kind: "reject", reason: "edge-error", detail: VARS.backend + " is not set in the request phase" };
  } else {
    verdict = parseShortForm(values, path, ctx.settings);
  }
  if (verdict.kind === "none") return;
  if (verdict.kind === "ignore") {
    publish(txn, "ignored", "valid");
    return;
  }
  if (verdict.kind === "reject") {
    publish(txn, "rejected", verdict.reason);
    logEvent(core.warning, "signal rejected", [["reason", verdict.reason], ["backend", backend], ["path", path], ["detail", verdict.detail]]);
    return;
  }
  const now = core.now().sec;
  const failure = store(ctx, backend as string, verdict.rules, now);
  if (failure !== undefined) {
    publish(txn, "rejected", "edge-error");
    logEvent(core.err, "signal not stored", [["reason", "edge-error"], ["backend", backend], ["path", path], ["detail", failure]]);
    return;
  }
  const first = verdict.rules[0];
  publish(txn, "learned", first.reason);
  for (const r of verdict.rules) {
    logEvent(core.info, "rule learned", [["backend", backend], ["key", r.path], ["status", tostring(r.status)], ["ttl", tostring(r.ttl)], ["reason", r.reason]]);
  }
}
