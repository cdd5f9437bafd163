/**
 * The answer to a let-through request (backends[].let_through): the backend still teaches this rule (this
 * response's learn action stored its key, or the loopback hop's did and says so in a header), or a plain
 * 2xx to the rule's own method without credentials says it no longer holds, which lifts it; anything else
 * keeps it (a client chose the request: a 401, an OPTIONS, a redirect prove nothing), a 5xx counted as a failure.
 */
import { itoa, splitOn } from "../core/bytes";
import { HOP_TAUGHT_HEADER, VARS } from "../core/contract";
import { parseRuleKey } from "../core/rulekey";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { headerValues, varString } from "./headers";
import { backendOf } from "./learn";
import { logEvent } from "./log";
import { storeRemoves } from "./store";

/** Whether `key` is one of the space-separated keys in `list`. */
function listed(list: string | undefined, key: string): boolean {
  if (list === undefined) return false;
  for (const k of splitOn(list, 32)) if (k === key) return true;
  return false;
}

export function execute(settings: Settings, txn: HaproxyTxn, onHop: string | undefined): void {
  const backend = backendOf(txn);
  const key = varString(txn, VARS.letThrough);
  if (backend === undefined || key === undefined) return;
  const status = txn.f.status() ?? 0;
  // taught again, this very key: by this response's learn action, or over the loopback hop by the other stream's
  const hop = onHop === "hop" ? headerValues(txn.http.res_get_headers(), HOP_TAUGHT_HEADER) : [];
  if (listed(varString(txn, VARS.taughtKeys), key) || listed(hop.length > 0 ? hop[0] : undefined, key)) {
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
  // the client picked this request: only a plain 2xx to the rule's own method, without credentials, says the rule no longer holds
  const method = txn.f.method() ?? "";
  const methodFits = parsed.method === "*" ? method === "GET" || method === "HEAD" : method === parsed.method;
  if (status < 200 || status > 299 || !methodFits || txn.get_var(VARS.letThroughCredentials) !== undefined) {
    inc("revalidations_inconclusive");
    return;
  }
  const r = storeRemoves(settings, backend, [{ match: parsed.match, everything: false }], core.now().sec);
  if (r.error !== undefined) {
    inc("revalidations_failed");
    logEvent(core.err, "rule not lifted", [["backend", backend], ["key", key], ["error", r.error]]);
    return;
  }
  inc("revalidations_lifted");
  logEvent(core.info, "rule lifted: the backend no longer confirms it", [["backend", backend], ["key", key], ["status", itoa(status)]]);
}
