/**
 * The answer to a let-through request (backends[].let_through): the backend still teaches the rule (this
 * response's learn action did, or the loopback hop's moved its creation second), or it answered without
 * it, which lifts the rule; a 5xx or no answer keeps it (a backend that is down confirms nothing).
 */
import { itoa } from "../core/bytes";
import { HOP_TAUGHT_HEADER, RULE_FIELDS, RULE_TABLE_PREFIX, VARS } from "../core/contract";
import { parseRuleKey } from "../core/rulekey";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { headerValues, varString } from "./headers";
import { backendOf } from "./learn";
import { logEvent } from "./log";
import { storeRemoves } from "./store";

export function execute(settings: Settings, txn: HaproxyTxn): void {
  const backend = backendOf(txn);
  const key = varString(txn, VARS.letThrough);
  // the rule's creation second when the request was let through (an integer var)
  const before = tonumber(txn.get_var(VARS.letThroughAt)) ?? 0;
  if (backend === undefined || key === undefined) return;
  const t = core.backends.get(RULE_TABLE_PREFIX + backend)?.stktable;
  const entry = t?.lookup(key);
  const created = entry === undefined ? 0 : (entry.get(RULE_FIELDS.created) ?? 0);
  const status = txn.f.status() ?? 0;
  // taught again: by this transaction's learn action, or (through the loopback hop) by the other stream's, which moved its creation second
  const taughtOnHop = headerValues(txn.http.res_get_headers(), HOP_TAUGHT_HEADER).length > 0;
  if (varString(txn, VARS.signalOutcome) === "learned" || taughtOnHop || created > before) {
    inc("revalidations_confirmed");
    return;
  }
  // counted, with HAProxy's own 5xx answers, by haproxy.cfg (http-after-response): no action runs on those
  if (status === 0 || status >= 500) {
    logEvent(core.warning, "rule kept: its backend did not answer the let-through request", [["backend", backend], ["key", key], ["status", itoa(status)]]);
    return;
  }
  const parsed = parseRuleKey(key);
  if (parsed === undefined) return;
  const r = storeRemoves(settings, backend, [{ match: parsed.match, everything: false }], core.now().sec);
  if (r.error !== undefined) {
    inc("revalidations_failed");
    logEvent(core.err, "rule not lifted", [["backend", backend], ["key", key], ["error", r.error]]);
    return;
  }
  inc("revalidations_lifted");
  logEvent(core.info, "rule lifted: the backend no longer confirms it", [["backend", backend], ["key", key], ["status", itoa(status)]]);
}
