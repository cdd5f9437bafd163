/**
 * The API gateway's parts of haproxy.cfg (issue 12): TLS termination, balancing, health checks, the loopback
 * hop of evaluated requests, rate limits and the sticky counters they take. Each returns the view of its
 * partial in templates/partials; render.ts puts them in place.
 */
import * as path from "node:path";
import { BLOCK_STAT, HIT_COUNTER, RATE_TABLE_PREFIX, STAT_COUNTER, STATS_FIELD, STATS_TABLE, STICKY_COUNTERS_BEFORE_2_8, VARS } from "../core/contract";
import { fieldOf } from "../core/schema";
import { AuthConfig, BackendConfig, BalancingConfig, EdgeConfig, HealthConfig, ListenAddress, RateKey, RateLimitConfig } from "./config";

/** The gateway's ACL names (render.ts's ACL holds them too). */
export const GATEWAY_ACL = {
  https: "eb_https",
  // authentication
  bearer: "eb_bearer",
  jwtAlg: "eb_jwt_alg",
  jwtIssuer: "eb_jwt_issuer",
  jwtAudience: "eb_jwt_audience",
  jwtUnexpired: "eb_jwt_unexpired",
  jwtEarly: "eb_jwt_not_yet_valid",
  jwtSigned: "eb_jwt_signed",
  apiKey: "eb_api_key_listed",
  authed: "eb_authenticated",
  jwtAuthed: "eb_jwt_authenticated",
  // the loopback hop of evaluated requests (backends whose servers are listed once)
  passed: "eb_passed",
  // allowlist.clients
  trustedClient: "eb_trusted_client",
  // a request a stopping process handed over
  handedOver: "eb_handed_over",
} as const;

export function rel(outDir: string, p: string, absolute: ReadonlySet<string> = new Set()): string {
  if (absolute.has(p)) return p;
  const r = path.relative(outDir, p);
  return r === "" ? "." : r;
}

export function bindOf(a: ListenAddress): string {
  return a.portEnv ? `"${a.address}:\${${a.portEnv}}"` : `${a.address}:${a.port}`;
}


/** The loopback hop: its socket (next to the runtime API's), the edge frontend's bind for it, the evaluation backend's server. */
export const PASS_SOCKET_FILE = "eb_pass.sock";
export const PASS_BIND = "eb_pass";
const PASS_SERVER = "eb_pass";

/** The host of a plain-HTTP request, without its port, for the redirect to HTTPS. */
const HTTPS_HOST_VAR = "txn.eb_https_host";

const BALANCE_DOC: Readonly<Record<BalancingConfig["balance"], string>> = {
  roundrobin: "in turn, by weight",
  leastconn: "to the server with the fewest connections",
  uri: "by a hash of the path, so a path keeps its server",
  random: "at random, by weight",
};

/** The frontend's TLS lines (templates/partials/tls-frontend.hbs). */
export function tlsView(c: EdgeConfig, outDir: string): object | undefined {
  const t = c.listen.tls;
  if (!t) return undefined;
  const port = t.portEnv ? `\${${t.portEnv}}` : String(t.port);
  return {
    bind: bindOf({ address: c.listen.address, port: t.port, ...(t.portEnv ? { portEnv: t.portEnv } : {}) }),
    cert: rel(outDir, t.cert, c.absolutePaths),
    alpn: t.alpn,
    protocols: t.alpn === "http/1.1" ? "HTTP/1.1" : "HTTP/2 and HTTP/1.1",
    minVersion: t.minVersion,
    redirect: t.redirectHttp,
    hostVar: HTTPS_HOST_VAR,
    // the default HTTPS port goes unsaid, as browsers write it
    portSuffix: !t.portEnv && t.port === 443 ? "" : `:${port}`,
    // evaluated requests on the loopback hop came in over HTTPS or were redirected already
    // handed over by a stopping process, or evaluated already on the loopback hop: it came in over HTTPS or was redirected there
    exempt: ` || ${GATEWAY_ACL.handedOver}${hopsAny(c) ? ` || ${GATEWAY_ACL.passed}` : ""}`,
    hsts: t.hstsMaxAge > 0 ? `max-age=${t.hstsMaxAge}${t.hstsIncludeSubdomains ? "; includeSubDomains" : ""}` : "",
    acl: GATEWAY_ACL,
  };
}

/** A backend's balancing lines: only what differs from HAProxy's own defaults and the defaults section. */
export function balancingView(b: BackendConfig): object {
  const x = b.balancing;
  const tuning: string[] = [];
  if (x.retries !== fieldOf("backends[].retries").def) tuning.push(`retries ${x.retries}`);
  if (x.redispatch) tuning.push("option redispatch");
  if (x.timeouts.connect !== fieldOf("backends[].timeouts.connect").def) tuning.push(`timeout connect ${x.timeouts.connect}`);
  if (x.timeouts.server !== fieldOf("backends[].timeouts.server").def) tuning.push(`timeout server ${x.timeouts.server}`);
  if (x.timeouts.queue) tuning.push(`timeout queue ${x.timeouts.queue}`);
  return { balance: x.balance, balanceDoc: BALANCE_DOC[x.balance], tuning };
}

/** Health-check lines of the backend that holds the servers (templates/partials/health-checks.hbs). */
export function healthView(h: HealthConfig | undefined): object | undefined {
  if (!h) return undefined;
  const passive = h.errorLimit ? ` observe layer7 error-limit ${h.errorLimit} on-error ${h.onError}` : "";
  const expect = h.expectStatus ? `status ${h.expectStatus}` : h.expectString ? `string ${h.expectString.replace(/[\\ "#']/g, (ch) => "\\" + ch)}` : "";
  const what = h.path ? `${h.method} ${h.path} every ${h.inter}${h.expectStatus ? `, expecting ${h.expectStatus}` : h.expectString ? ", expecting the text" : ""}` : `a TCP connect every ${h.inter}`;
  return {
    doc: `${what}; out after ${h.fall} failures, back after ${h.rise} passes${passive ? `; on live traffic, ${h.errorLimit} errors in a row: ${h.onError}` : ""}`,
    path: h.path ?? "",
    method: h.method,
    expect,
    serverOptions: `check inter ${h.inter} fall ${h.fall} rise ${h.rise}${passive}`,
  };
}

/**
 * Why a backend's evaluated requests take the loopback hop to its servers instead of a copy of them in the
 * evaluation backend ("" when they need not): per-server limits, connection counts and passive checks
 * mean something only where the servers are listed once.
 */
function hopReason(b: BackendConfig): string {
  const why: string[] = [];
  if (b.servers.some((s) => s.maxconn !== undefined)) why.push("per-server maxconn and the queue");
  if (b.balancing.balance === "leastconn") why.push("leastconn's connection counts");
  if (b.balancing.health?.errorLimit) why.push("passive checks");
  return why.join(", ");
}

export const hopsAny = (c: EdgeConfig): boolean => c.backends.some((b) => hopReason(b) !== "");

/** HAProxy duration text to milliseconds (config.ts accepts only these units). */
function durationMs(d: string): number {
  const m = /^([0-9]+)(us|ms|s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  const unit: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  return Math.ceil(Number(m[1]) * unit[m[2]]);
}

/** The hop's view: its server name, and how long a passed request may take there (queue, connect and server timeouts, with retries). */
export function hopView(b: BackendConfig): object | undefined {
  const why = hopReason(b);
  if (!why) return undefined;
  const t = b.balancing.timeouts;
  const wait = durationMs(t.queue ?? t.connect) + (b.balancing.retries + 1) * durationMs(t.connect) + durationMs(t.server);
  return { why, server: PASS_SERVER, timeout: `${wait}ms` };
}

/** Server lines; `track`: the backend whose servers carry the checks (the evaluation backend follows their state). */
export function serversView(b: BackendConfig, track?: string): object[] {
  return b.servers.map((s) => ({
    name: s.name,
    addr: bindOf(s),
    options: `${s.weight !== undefined ? ` weight ${s.weight}` : ""}${s.maxconn !== undefined ? ` maxconn ${s.maxconn}` : ""}${track ? ` track ${track}/${s.name}` : ""}`,
  }));
}

/** The new process's bind for the requests a stopping process hands over: a unix socket next to the runtime API's. */
export const HANDOFF_SOCKET_FILE = "eb_handoff.sock";
export const HANDOFF_BIND = "eb_handoff_in";

/**
 * Where a stopping process hands its last requests: the new process's handoff bind, with the client's
 * address in a PROXY header (through the public listener it would be the edge's own: an allowlisted
 * address, one rate-limit bucket for all). A unix socket: nothing outside this host reaches it.
 */
export function handoffServer(c: EdgeConfig, outDir: string): string {
  return `unix@${runSocket(c, outDir, HANDOFF_SOCKET_FILE)} send-proxy-v2`;
}

/** A socket of edgeblock's own (peer link, handoff, loopback hop) in the runtime API socket's folder, as haproxy.cfg names it. */
export function runSocket(c: EdgeConfig, outDir: string, file: string): string {
  return path.join(path.dirname(rel(outDir, c.runtimeApiSocket, c.absolutePaths)), file);
}


/** The answer headers (templates/partials/answer-headers.hbs, cors.hbs), or undefined when none are configured. */
export function answerHeadersView(c: EdgeConfig): object | undefined {
  const h = c.headers;
  if (!h.security && !h.csp && !h.cors) return undefined;
  const skip = hopsAny(c) ? ` !${GATEWAY_ACL.passed}` : "";
  const cors = h.cors;
  const any = cors?.origins.includes("*") ?? false;
  return {
    security: h.security,
    // log-format text: a literal % is written %%
    csp: h.csp ? h.csp.replace(/%/g, "%%") : "",
    cors: cors
      ? {
          acl: { origin: "eb_cors_origin", preflight: "eb_cors_preflight", preflightAsks: "eb_cors_preflight_asks", allowed: "eb_cors_allowed" },
          originsDoc: any ? "any origin" : cors.origins.join(", "),
          // one Origin line, read whole: a list cannot pass the test on one origin and be answered for another
          originTest: any ? "req.fhdr(origin) -m found" : `req.fhdr(origin) -m str ${cors.origins.join(" ")}`,
          // any origin: the answer says *, which browsers accept only without credentials
          originValue: any ? "str(*)" : "req.fhdr(origin)",
          originVar: "txn.eb_cors_origin",
          methods: cors.methods.join(", "),
          headers: cors.headers.join(", "),
          expose: cors.expose.join(", "),
          maxAge: cors.maxAge,
          credentials: cors.credentials,
          skip,
        }
      : undefined,
  };
}

/** A backend's own cache section, the ACL of an answer it served, and the test of an authenticated request (never cached). */
export function cacheView(c: EdgeConfig, b: BackendConfig): { section: string; acl: string; authed: string } {
  return { section: `eb_cache_${b.name}`, acl: "eb_cache_hit", authed: verifiedAuth(c.auth) ? `{ var(${AUTHED_VAR}) -m found }` : "" };
}

/** Who a request authenticated as: `jwt` or `api_key`, set only by verified credentials. */
export const AUTHED_VAR = "txn.eb_authed";
const AUTHED_BY = { jwt: "jwt", apiKey: "api_key" } as const;

/** Whether credentials are verified (auth.jwt, auth.api_keys) rather than merely present. */
export const verifiedAuth = (a: AuthConfig): boolean => a.jwt !== undefined || a.apiKeys !== undefined;

/** The frontend's authentication lines (templates/partials/auth.hbs, auth-require.hbs). */
export function authView(c: EdgeConfig, outDir: string, routed: boolean): { facts: object; require?: object } | undefined {
  const a = c.auth;
  if (!verifiedAuth(a)) return undefined;
  const skip = hopsAny(c) ? ` !${GATEWAY_ACL.passed}` : "";
  const j = a.jwt;
  const what: string[] = [];
  if (j) what.push(`a bearer token signed ${j.alg}${j.issuer ? ` by ${j.issuer}` : ""}${j.audience ? ` for ${j.audience}` : ""}, verified natively`);
  if (a.apiKeys) what.push(`an API key in ${a.apiKeys.header} listed in the map`);
  const acl = GATEWAY_ACL;
  const facts = {
    doc: `auth: ${what.join(", or ")}`,
    acl,
    skip,
    authedVar: AUTHED_VAR,
    jwt: j
      ? {
          alg: j.alg,
          issuer: j.issuer ?? "",
          audience: j.audience ?? "",
          clockSkew: j.clockSkew,
          nowVar: "txn.eb_jwt_now",
          // HMAC: the secret comes from HAProxy's environment, never from this file
          key: j.secretEnv ? `"\${${j.secretEnv}}"` : `"${rel(outDir, j.key ?? "", c.absolutePaths)}"`,
          label: AUTHED_BY.jwt,
          conditions: [acl.jwtAlg, j.issuer ? acl.jwtIssuer : "", j.audience ? acl.jwtAudience : "", acl.jwtUnexpired, `!${acl.jwtEarly}`, acl.jwtSigned].filter((x) => x).join(" "),
        }
      : undefined,
    apiKeys: a.apiKeys ? { header: a.apiKeys.header, map: rel(outDir, a.apiKeys.map, c.absolutePaths), label: AUTHED_BY.apiKey, onlyAcl: "eb_api_key_once" } : undefined,
  };
  if (a.require.length === 0) return { facts };
  // without routes every request goes to the default backend
  const all = !routed ? a.require.includes(c.defaultBackend) : c.backends.every((b) => a.require.includes(b.name));
  if (!all && !routed) return { facts };
  return {
    facts,
    require: {
      acl,
      skip,
      challenge: j ? "Bearer" : "ApiKey",
      scope: all ? undefined : { acl: "eb_auth_required", names: a.require.join(" "), backendVar: VARS.backend },
    },
  };
}

/** The sample a rate limit counts per; a JWT claim only from a token that passed verification. */
function keyFetch(k: RateKey): string {
  if (k.kind === "ip") return "src";
  // the whole value of the last line, as the API key check reads it: commas cannot split one key into many buckets
  if (k.kind === "header") return `req.fhdr(${k.name})`;
  if (k.kind === "query") return `url_param(${k.name})`;
  return `http_auth_bearer,jwt_payload_query('$.${k.name}')`;
}

const scopesMeet = (a: readonly string[], b: readonly string[]): boolean => a.length === 0 || b.length === 0 || a.some((x) => b.includes(x));

/**
 * Sticky counter slots for the rate limits: edgeblock's own (STAT_COUNTER, HIT_COUNTER) are never given out,
 * and two limits that can count the same request (their backends meet) get different slots.
 */
export function allocateCounters(limits: readonly RateLimitConfig[]): { slots: number[]; needed: number } {
  const slots: number[] = [];
  limits.forEach((l, i) => {
    let slot = 0;
    const taken = (s: number) => s === STAT_COUNTER || s === HIT_COUNTER || limits.slice(0, i).some((o, j) => slots[j] === s && scopesMeet(o.backends, l.backends));
    while (taken(slot)) slot++;
    slots.push(slot);
  });
  const needed = Math.max(STICKY_COUNTERS_BEFORE_2_8, ...slots.map((s) => s + 1));
  return { slots, needed };
}

const seconds = (period: string): number => Math.max(1, Math.ceil(durationMs(period) / 1000));

/** The rate limits' frontend lines (templates/partials/rate-limits.hbs) and their tables. */
export function rateLimitsView(c: EdgeConfig, outDir: string, routed: boolean, tablePeers: string): { limits: object[]; tables: object[]; counters: number } {
  const { slots, needed } = allocateCounters(c.rateLimits);
  const passed = (hopsAny(c) ? ` !${GATEWAY_ACL.passed}` : "") + (c.allowlist.clients.length > 0 ? ` !${GATEWAY_ACL.trustedClient}` : "");
  const limits = c.rateLimits.map((l, i) => {
    const keyed = `eb_rl_keyed.${l.name}`;
    // without routes every request goes to the default backend: a limit scoped to it counts them all
    const scoped = routed && l.backends.length > 0;
    // a JWT claim counts only once the token is verified: before that it is whatever the client wrote
    const cond = `${keyed}${l.key.kind === "jwt" ? ` ${GATEWAY_ACL.jwtAuthed}` : ""}${scoped ? ` eb_rl_scope.${l.name}` : ""}${passed}`;
    const limitVar = `txn.eb_rl_limit_${l.name}`;
    const tierVar = `txn.eb_rl_tier_${l.name}`;
    const over = `eb_rl_over.${l.name}`;
    return {
      name: l.name,
      what: `${l.limit} per ${l.period} per ${l.key.kind === "ip" ? "client address" : `${l.key.kind} ${l.key.name}`}${l.tiers ? " (more for keys in a tier)" : ""}${scoped ? `, for ${l.backends.join(", ")}` : ""}`,
      keyed,
      keyFetch: keyFetch(l.key),
      scope: scoped ? { acl: `eb_rl_scope.${l.name}`, names: l.backends.join(" "), backendVar: VARS.backend } : undefined,
      slot: slots[i],
      table: RATE_TABLE_PREFIX + l.name,
      cond,
      tiers: l.tiers ? { map: rel(outDir, l.tiers.map, c.absolutePaths), tierVar, limitVar, limit: l.limit, each: l.tiers.limits.map(([tier, n]) => ({ tier, n })) } : undefined,
      over,
      overTest: l.tiers ? `sc_http_req_rate(${slots[i]}),sub(${limitVar}) -m int gt 0` : `sc_http_req_rate(${slots[i]}) -m int gt ${l.limit}`,
      statKey: `${BLOCK_STAT.rateLimited}:429:${l.name}`,
      retryAfter: seconds(l.period),
    };
  });
  const tables = c.rateLimits.map((l) => ({
    name: RATE_TABLE_PREFIX + l.name,
    doc: `rate limit ${l.name}: requests per ${l.key.kind === "ip" ? "client address" : `${l.key.kind} ${l.key.name}`} over ${l.period}`,
    // an idle key's rate is 0 once a period has passed: it can go then
    line: `stick-table type ${l.key.kind === "ip" ? "ipv6" : "string len 128"} size ${l.size} expire ${l.period} peers ${tablePeers} store http_req_rate(${l.period})`,
  }));
  return { limits, tables, counters: needed };
}

/** The stats table's counter slot and field, for the rate limits' 429 count. */
export const RATE_STAT = { slot: STAT_COUNTER, table: STATS_TABLE, field: STATS_FIELD } as const;
