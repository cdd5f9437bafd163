/**
 * http-req action for qualified rules (host, auth state, query parameters).
 * It runs only when haproxy.cfg found qualified specs listed for the path;
 * it publishes the matching rule key, and haproxy.cfg does the rest.
 */
import { AUTHED, VARS } from "../core/contract";
import { bestSpec, normalizeHost, queryNames, RequestFacts } from "../core/rulekey";
import { varString } from "./headers";


/** Publish the key of the base's most specific matching spec; haproxy.cfg checks that it is live. */
function tryBase(txn: HaproxyTxn, base: string | undefined, specs: string | undefined, req: RequestFacts): void {
  if (base === undefined || specs === undefined) return;
  const spec = bestSpec(specs, req);
  if (spec !== undefined) txn.set_var(VARS.qualKey, base + " " + spec);
}

/** An absolute-form request without a Host header names its host in its authority (RFC 9112 3.2.2). */
function authorityOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const low = url.substring(0, 8).toLowerCase();
  const start = low.substring(0, 7) === "http://" ? 7 : low === "https://" ? 8 : -1;
  if (start < 0) return undefined;
  let end = url.length;
  for (const stop of ["/", "?", "#"]) {
    const i = url.indexOf(stop, start);
    if (i >= 0 && i < end) end = i;
  }
  // userinfo@host: the host is after the last @
  let from = start;
  for (let i = start; i < end; i++) if (url.charCodeAt(i) === 64) from = i + 1;
  return url.substring(from, end);
}

/** `which` is the action argument: `exact` (the path's own rules) or `prefix` (the longest prefix's). */
export function execute(txn: HaproxyTxn, which: string): void {
  // one header through a fetch: building the whole header table costs more than the rest of the match
  const host = txn.f.req_hdr("host") ?? authorityOf(txn.f.url());
  const req: RequestFacts = {
    method: varString(txn, VARS.method) ?? "",
    host: host !== undefined ? normalizeHost(host) : undefined,
    auth: varString(txn, VARS.auth) === AUTHED ? "authed" : "anon",
    queryNames: queryNames(txn.f.query()),
  };
  if (which === "prefix") tryBase(txn, varString(txn, VARS.prefixBase), varString(txn, VARS.prefixQualSpecs), req);
  else tryBase(txn, varString(txn, VARS.path), varString(txn, VARS.qualSpecs), req);
}
