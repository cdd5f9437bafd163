/**
 * http-req action for qualified rules (host, auth state, query parameters).
 * It runs only when haproxy.cfg found qualified specs listed for the path;
 * it publishes the matching rule key, and haproxy.cfg does the rest.
 */
import { VARS } from "../core/contract";
import { bestSpec, normalizeHost, queryNames, RequestFacts } from "../core/rulekey";
import { headerValues } from "./headers";
import { ruleExpiry } from "./store";

function varString(txn: HaproxyTxn, name: string): string | undefined {
  const v = txn.get_var(name);
  return typeof v === "string" ? v : undefined;
}

/** Try one base: its best matching spec whose entry is live. */
function tryBase(txn: HaproxyTxn, backend: string, base: string | undefined, specs: string | undefined, req: RequestFacts, now: number): boolean {
  if (base === undefined || specs === undefined) return false;
  const spec = bestSpec(specs, req);
  if (spec === undefined) return false;
  const key = base + " " + spec;
  if (ruleExpiry(backend, key) <= now) return false;
  txn.set_var(VARS.ruleKey, key);
  return true;
}

/** `which` is the action argument: `exact` (the path's own rules) or `prefix` (the longest prefix's). */
export function execute(txn: HaproxyTxn, which: string): void {
  const backend = varString(txn, VARS.backend);
  if (backend === undefined) return;
  const hosts = headerValues(txn.http.req_get_headers(), "host");
  const req: RequestFacts = {
    method: varString(txn, VARS.method) ?? "",
    host: hosts.length > 0 ? normalizeHost(hosts[0]) : undefined,
    auth: varString(txn, VARS.auth) === "authed" ? "authed" : "anon",
    queryNames: queryNames(txn.f.query()),
  };
  const now = core.now().sec;
  if (which === "prefix") tryBase(txn, backend, varString(txn, VARS.prefixBase), varString(txn, VARS.prefixQualSpecs), req, now);
  else tryBase(txn, backend, varString(txn, VARS.path), varString(txn, VARS.qualSpecs), req, now);
}
