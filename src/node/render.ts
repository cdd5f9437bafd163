/** Render haproxy.cfg and the Lua settings file from a validated config. */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { prefixMapFile, qualMapFile } from "../core/store-records";
import * as path from "node:path";
import Handlebars from "handlebars";
import {
  ALLOW_FILES,
  AUTHED,
  BLOCK_STAT,
  CONTROL_FIELD,
  EVAL_BACKEND_SUFFIX,
  PENDING_FIELDS,
  RULE_FIELDS,
  SEEN_FIELD,
  STATIC_RULE,
  STATS_FIELD,
  CONTROL_TABLE,
  ENFORCEMENT_OFF_KEY,
  HANDOFF_BACKEND,
  LOCAL_PEER,
  PEER_SOCKET_FILE,
  PEERS_SECTION,
  LOCAL_PEERS_SECTION,
  SYNC_FIELDS,
  SYNC_TABLE,
  HEADERS,
  READY_KEY,
  READY_TABLE,
  READY_VAR,
  READY_WAIT_MS,
  HIT_COUNTER,
  LUA_NAMES,
  PENDING_TABLE_PREFIX,
  RULE_TABLE_PREFIX,
  RULE_TABLE_STORE,
  SEEN_TABLE_PREFIX,
  SETTINGS_ENV,
  SIGNAL_HEADERS,
  STAT_COUNTER,
  STATS_TABLE,
  STICKY_COUNTERS_BEFORE_2_8,
  GENERATIONS_MAP,
  RULE_SIGNAL_HEADERS,
  STALE_REASON,
  HOP_TAUGHT_HEADER,
  GENERATION_TOKEN_MAX,
  STORE_MAPS,
  VARS,
} from "../core/contract";
import { formatSettings, Settings } from "../core/settings";
import { routePrefixProbe } from "../core/route";
import { allowPrefixProbe } from "../core/policy";
import { MATCH_STEPS } from "../core/precedence";
import { BODY_UNIT, DRY_RUN_UNIT, STATUS_MASK } from "../core/answer";
import { REASON_ID_UNIT } from "../core/rule";
import { tableNeverPurges } from "../core/eviction";
import { syncKeyLength } from "../core/cluster-sync";
import { BackendConfig, EdgeConfig, ListenAddress } from "./config";
import { allocateCounters, answerHeadersView, AUTHED_VAR, cacheView, authView, balancingView, bindOf, GATEWAY_ACL, HANDOFF_BIND, HANDOFF_SOCKET_FILE, handoffServer, runSocket, healthView, hopsAny, hopView, PASS_BIND, PASS_SOCKET_FILE, RATE_STAT, rateLimitsView, rel, serversView, tlsView, verifiedAuth } from "./render-gateway";

export const TEMPLATE_DIR = path.resolve(__dirname, "../../templates");

export interface RenderOptions {
  /** Folder the files are written to; haproxy.cfg paths are made relative to it. */
  readonly outDir: string;
  /** Appended to the names of the files the renderer writes (a candidate checked before it replaces anything). */
  readonly suffix?: string;
}

/** What `haproxy -c` said of a rendered file. */
export interface CheckResult {
  readonly ok: boolean;
  readonly output: string;
}

/** The rendered config was not written: `haproxy -c` rejected it. */
export class RenderRejected extends Error {
  constructor(
    readonly cfgFile: string,
    readonly output: string,
  ) {
    super(`haproxy -c rejected the rendered ${cfgFile} (nothing was replaced):\n${output}`);
  }
}

export interface Rendered {
  readonly cfg: string;
  readonly settings: string;
  readonly files: { readonly cfg: string; readonly settings: string };
}

export function settingsOf(c: EdgeConfig, outDir: string): Settings {
  return {
    runtimeApi: "unix@" + rel(outDir, c.runtimeApiSocket, c.absolutePaths),
    defaultTtl: c.rules.defaultTtl,
    maxTtl: c.rules.maxTtl,
    defaultStatus: c.rules.defaultStatus,
    allowedStatuses: c.rules.allowedStatuses,
    maxSignalBytes: c.rules.maxSignalBytes,
    maxKeyLength: c.rules.maxKeyLength,
    maxBodyBytes: c.rules.maxBodyBytes,
    maxRulesPerSignal: c.rules.maxRulesPerSignal,
    ...c.paths,
    allowExact: c.allowlist.exact,
    allowPrefix: c.allowlist.prefix,
    learnRate: c.learning.rate,
    learnBurst: c.learning.burst,
    confirmSignals: c.learning.confirmSignals,
    confirmClients: c.learning.confirmClients,
    onFull: c.rules.onFull,
    stateDir: c.state.dir === "" ? "" : rel(outDir, c.state.dir, c.absolutePaths),
    sweepInterval: c.state.sweepInterval,
    walkLimit: c.state.walkLimit,
    snapshotInterval: c.state.snapshotInterval,
    logStream: c.logTarget === "stderr" || c.logTarget === "stdout" ? c.logTarget : "off",
    clusterNode: c.peers?.local ?? "",
    clusterNodes: c.peers ? Math.max(1, c.peers.nodes.length) : 1,
  };
}

/**
 * Names of the ACLs the rendered config declares (per section: the frontend's, and each evaluation
 * backend's). A rule line reads as what it tests; the ACL line next to the name says how.
 */
export const ACL = {
  // frontend
  ready: "eb_ready",
  pathNeedsLua: "eb_path_needs_lua",
  trailingSlash: "eb_path_trailing_slash",
  root: "eb_path_root",
  hasHost: "eb_has_host",
  absoluteForm: "eb_absolute_form",
  routed: "eb_routed",
  allowlisted: "eb_allowlisted",
  staticListed: "eb_static_listed",
  // evaluation backend
  staticStatus: "eb_static_status",
  staticDefault: "eb_static_default",
  decided: "eb_decided",
  prefixFound: "eb_prefix_found",
  pathCurrent: "eb_path_current",
  prefixCurrent: "eb_prefix_current",
  pathLive: "eb_path_live",
  prefixLive: "eb_prefix_live",
  pathQualified: "eb_path_qualified",
  prefixQualified: "eb_prefix_qualified",
  credentials: "eb_credentials",
  matched: "eb_matched",
  qualifiedRuleLive: "eb_qualified_rule_live",
  pathMethodRuleLive: "eb_path_method_rule_live",
  prefixMethodRuleLive: "eb_prefix_method_rule_live",
  pathRuleLive: "eb_path_rule_live",
  prefixRuleLive: "eb_prefix_rule_live",
  answered: "eb_answered",
  hasBody: "eb_has_body",
  ruleDryRun: "eb_rule_dry_run",
  enforcementOff: "eb_enforcement_off",
  wouldBlock: "eb_would_block",
  counted: "eb_counted",
  ...GATEWAY_ACL,
  // lean and evaluation backends
  interim: "eb_interim_response",
  signal: "eb_signal_headers",
} as const;

/** Frontend ACLs per backend: the request routes to it; some rule of its may match (a live entry on the path, or a prefix rule). */
// a dot, which backend names cannot hold, ends the fixed part: no two backends' ACL names can meet
export const routedToAcl = (backend: string): string => `eb_routed_to.${backend}`;
export const candidateAcl = (backend: string): string => `eb_candidate.${backend}`;

/**
 * The evaluation lines of MATCH_STEPS, in order: each step names its candidate key, and the first
 * whose rule is live (an ACL reads its expiry against now) becomes the match. The ACLs are declared
 * by the template, next to the table they read.
 */
export function matchLines(): string[] {
  const v = VARS;
  const open = `!${ACL.matched}`;
  const out: string[] = [];
  const used = new Set<string>();
  MATCH_STEPS.forEach((step, i) => {
    const baseLive = step.base === "exact" ? ACL.pathLive : ACL.prefixLive;
    const base = step.base === "exact" ? `var(${v.path})` : `var(${v.prefixBase})`;
    const first = i === 0 ? "" : ` ${open}`;
    // a step's candidate key, left over from an earlier step on the other base, must not be tried again
    const fresh = (tmp: string, cond: string) => {
      if (used.has(tmp)) out.push(`http-request unset-var(${tmp}) if ${cond}${first}`);
      used.add(tmp);
    };
    if (step.kind === "qualified") {
      const qualified = step.base === "exact" ? ACL.pathQualified : ACL.prefixQualified;
      fresh(v.qualKey, qualified);
      out.push(`http-request lua.${LUA_NAMES.match} ${step.base} if ${qualified}${first}`);
      out.push(`http-request set-var(${v.ruleKey}) var(${v.qualKey}) if${first} ${ACL.qualifiedRuleLive}`);
    } else if (step.kind === "method") {
      // the method key is built twice when it matches, and never stored when it does not (most blocks)
      out.push(`http-request set-var(${v.ruleKey}) ${base},concat(' ',${v.method}) if ${baseLive} ${open} ${step.base === "exact" ? ACL.pathMethodRuleLive : ACL.prefixMethodRuleLive}`);
    } else {
      out.push(`http-request set-var(${v.ruleKey}) ${base} if ${baseLive} ${open} ${step.base === "exact" ? ACL.pathRuleLive : ACL.prefixRuleLive}`);
    }
  });
  return out;
}

let compiled: HandlebarsTemplateDelegate | undefined;

/** Blocks of a rule between two that may queue it for a probe. */
const PROBE_SAMPLE = 16;

const GENERATION_DOC = { drop: "stop blocking", "dry-run": "only would-block until a signal under the new generation confirms them" } as const;

/** The evaluation backend's generation lines (templates/partials/generation-request.hbs). */
function generationRequestView(b: BackendConfig): object | undefined {
  if (b.onNewGeneration === "keep") return undefined;
  const table = RULE_TABLE_PREFIX + b.name;
  const sinceVar = VARS.generationSince;
  return {
    mode: b.onNewGeneration,
    doc: GENERATION_DOC[b.onNewGeneration],
    backend: b.name,
    map: GENERATIONS_MAP,
    sinceVar,
    answered: ACL.answered,
    staleAcl: "eb_rule_stale",
    sinceAcl: "eb_generation_set",
    // its creation second against the generation's first (no generation yet: no sample, not stale)
    staleTest: `var(${VARS.ruleKey}),table_${RULE_FIELDS.created}(${table}),sub(${sinceVar}) -m int lt 0`,
    drop: b.onNewGeneration === "drop",
    dryRun: b.onNewGeneration === "dry-run",
    statusVar: VARS.blockStatus,
    reasonVar: VARS.ruleReason,
    staleReason: STALE_REASON,
  };
}

/** The response lines that notice a new generation (templates/partials/generation-response.hbs). */
function generationResponseView(b: BackendConfig): object {
  return {
    backend: b.name,
    doc: GENERATION_DOC[b.onNewGeneration === "dry-run" ? "dry-run" : "drop"],
    header: HEADERS.generation,
    tokenVar: VARS.generation,
    map: GENERATIONS_MAP,
    action: LUA_NAMES.generation,
    acl: { named: "eb_generation_named", known: "eb_generation_known", valid: "eb_generation_valid" },
    tokenRegex: `^[A-Za-z0-9._-]{1,${GENERATION_TOKEN_MAX}}$`,
  };
}

function template(): HandlebarsTemplateDelegate {
  if (!compiled) {
    const dir = path.join(TEMPLATE_DIR, "partials");
    for (const f of readdirSync(dir)) if (f.endsWith(".hbs")) Handlebars.registerPartial(f.slice(0, -4), readFileSync(path.join(dir, f), "utf8"));
    compiled = Handlebars.compile(readFileSync(path.join(TEMPLATE_DIR, "haproxy.cfg.hbs"), "utf8"), { noEscape: true, strict: true });
  }
  return compiled;
}

/** Render without touching the disk. */
export function render(c: EdgeConfig, opts: RenderOptions): Rendered {
  const outDir = path.resolve(opts.outDir);
  const presetenv: { name: string; value: number }[] = [];
  const env = (a: ListenAddress) => {
    if (a.portEnv && !presetenv.some((p) => p.name === a.portEnv)) presetenv.push({ name: a.portEnv, value: a.port });
  };
  env(c.listen);
  env(c.stats);
  if (c.listen.tls?.portEnv) env({ address: c.listen.address, port: c.listen.tls.port, portEnv: c.listen.tls.portEnv });
  for (const b of c.backends) for (const s of b.servers) env(s);
  const sfx = opts.suffix ?? "";
  const hasAllowlist = c.allowlist.exact.length + c.allowlist.prefix.length > 0;
  // every request names its normalised path in txn.eb_path (the learn action needs it): lookups read it
  const onPath = (conv: string, test: string) => `var(${VARS.path}),${conv} ${test}`;
  const routed = c.routes.length > 0 || c.routesMap !== undefined;
  // the host as routes compare it: no port, lower case, no trailing dot (core/rulekey normalizeHost)
  const hostSample = "req.hdr(host),field(1,:),lower,regsub(\\.$,)";
  const staticMapFile = rel(outDir, c.staticMap, c.absolutePaths);
  const settingsFile = path.join(outDir, "edgeblock.settings" + sfx);
  const ctx = {
    source: rel(outDir, c.source),
    presetenv,
    threads: c.threads,
    logTarget: c.logTarget,
    socket: rel(outDir, c.runtimeApiSocket, c.absolutePaths),
    peersSection: PEERS_SECTION,
    localPeer: c.peers?.local ?? LOCAL_PEER,
    cluster: c.peers !== undefined,
    peerNodes: (c.peers?.nodes ?? []).map((n) => ({ name: n.name, addr: `${n.address.includes(":") ? `[${n.address}]` : n.address}:${n.port}`, local: n.name === c.peers?.local })),
    // mutual TLS: this node presents its certificate on both ends of a link and verifies the other's against the CA
    peerTls: c.peers?.tls ? `ssl crt ${rel(outDir, c.peers.tls.cert, c.absolutePaths)} ca-file ${rel(outDir, c.peers.tls.ca, c.absolutePaths)} verify required` : "",
    localPeersSection: LOCAL_PEERS_SECTION,
    // a node's own counters stay its own: replicated, the nodes' counts would overwrite each other
    statsPeers: c.peers ? LOCAL_PEERS_SECTION : PEERS_SECTION,
    syncTable: SYNC_TABLE,
    syncKeyLen: syncKeyLength(c.rules.maxKeyLength, c.rules.maxBodyBytes),
    syncSize: c.peers?.syncSize ?? 0,
    syncStore: `${SYNC_FIELDS.sec},${SYNC_FIELDS.usec}`,
    peerSocket: runSocket(c, outDir, PEER_SOCKET_FILE),
    settingsEnv: SETTINGS_ENV,
    settingsFile: rel(outDir, settingsFile),
    luaDirective: c.lua.load === "per-thread" ? "lua-load-per-thread" : "lua-load",
    luaFile: rel(outDir, c.lua.file, c.absolutePaths),
    listenBind: bindOf(c.listen),
    h2cBind: c.listen.h2cPort ? `${c.listen.address}:${c.listen.h2cPort}` : "",
    statsBind: bindOf(c.stats),
    signalHeaders: SIGNAL_HEADERS,
    headers: HEADERS,
    // one pass over the header names: a substring test is the cheapest (a longer name that contains one only runs the action for nothing)
    signalAcl: `res.hdr_names -m sub ${RULE_SIGNAL_HEADERS.join(" ")}`,
    hasAllowlist,
    readyVar: READY_VAR,
    hostRoutes: c.routes.some((r) => r.host !== undefined || r.domain !== undefined) || c.routesMap?.by === "host",
    hostSample,
    routesMap: c.routesMap
      ? { by: c.routesMap.by, lookup: c.routesMap.by === "host" ? `${hostSample},map_str(${rel(outDir, c.routesMap.file, c.absolutePaths)})` : `var(${VARS.path}),concat(/),map_beg(${rel(outDir, c.routesMap.file, c.absolutePaths)})` }
      : undefined,
    // without routes every request goes to the default backend: the other backends' rules are never consulted
    routedBackend: routed ? `%[var(${VARS.backend})]` : c.defaultBackend,
    routedEval: routed ? `%[var(${VARS.backend}),concat(${EVAL_BACKEND_SUFFIX})]` : c.defaultBackend + EVAL_BACKEND_SUFFIX,
    staticLookup: onPath(`map_str(${staticMapFile})`, "-m found"),
    acl: ACL,
    matchLines: matchLines(),
    routed,
    allowExactFile: ALLOW_EXACT_FILE + sfx,
    allowPrefixFile: ALLOW_PREFIX_FILE + sfx,
    // an empty credential is no credential: `Authorization:` alone, or `session=`, is anonymous
    // verified credentials when the gateway checks them (auth.jwt, auth.api_keys); otherwise a present, non-empty cookie or header
    authAcl: verifiedAuth(c.auth) ? `var(${AUTHED_VAR}) -m found` : c.auth.cookie ? `req.cook(${c.auth.cookie}) -m len gt 0` : `req.hdr(${c.auth.header}) -m len gt 0`,
    auth: authView(c, outDir, routed),
    reasonsMap: STORE_MAPS.reasons,
    bodiesMap: STORE_MAPS.bodies,
    dryRun: c.dryRun,
    neverPurge: tableNeverPurges(c.rules.onFull, c.state.dir !== ""),
    controlTable: CONTROL_TABLE,
    enforcementOffKey: ENFORCEMENT_OFF_KEY,
    readyKey: READY_KEY,
    readyTable: READY_TABLE,
    handoffBackend: HANDOFF_BACKEND,
    handoffServer: handoffServer(c, outDir),
    handoffSocket: runSocket(c, outDir, HANDOFF_SOCKET_FILE),
    handoffBind: HANDOFF_BIND,
    readyWaitMs: READY_WAIT_MS,
    vars: VARS,
    luaNames: LUA_NAMES,
    pathLower: c.paths.caseInsensitive,
    stripTrailingSlash: c.paths.stripTrailingSlash,
    staticMap: staticMapFile,
    defaultStatus: c.rules.defaultStatus,
    hitCounter: HIT_COUNTER,
    statCounter: STAT_COUNTER,
    statsTable: STATS_TABLE,
    ruleStore: RULE_TABLE_STORE,
    // field names, masks and literals from the contract (core/contract.ts, answer.ts, rule.ts): no magic numbers
    fields: RULE_FIELDS,
    pendingStore: `${PENDING_FIELDS.signals},${PENDING_FIELDS.clients}`,
    seenField: SEEN_FIELD,
    controlField: CONTROL_FIELD,
    statsField: STATS_FIELD,
    blockStat: BLOCK_STAT,
    evalSuffix: EVAL_BACKEND_SUFFIX,
    staticRule: STATIC_RULE,
    authedLabel: AUTHED,
    answer: { statusMask: STATUS_MASK - 1, dryRunBit: DRY_RUN_UNIT, bodyUnit: BODY_UNIT },
    reasonMask: REASON_ID_UNIT - 1,
    defaultBackend: c.defaultBackend,
    routes: c.routes.map((r) => ({
      ...r,
      host: r.host ?? "",
      domain: r.domain ?? "",
      header: r.header ?? "",
      hostTest: r.host !== undefined || r.domain !== undefined,
      probe: routePrefixProbe(r.pathPrefix) ?? "",
    })),
    // most common answers first: the dispatch lines are evaluated in order
    statuses: [...c.rules.allowedStatuses]
      .sort((a, b) => (a === 404 ? -1 : b === 404 ? 1 : a - b))
      .map((code) => ({ code, contentType: "text/plain" })),
    dropTrailers: c.responseTrailers === "drop",
    backends: c.backends.map((b) => {
      const hop = hopView(b);
      const cache = b.cache ? cacheView(c, b) : undefined;
      return {
        routedTo: routedToAcl(b.name),
        candidateAcl: candidateAcl(b.name),
        candidate: routed || b.name === c.defaultBackend,
        exactLookup: onPath(`table_${RULE_FIELDS.expiry}(${RULE_TABLE_PREFIX + b.name})`, "-m int gt 0"),
        prefixLookup: onPath(`concat(/),map_beg(${prefixMapFile(b.name)})`, "-m found"),
        name: b.name,
        trusted: b.trusted,
        interimDrop: b.interimResponses === "drop",
        table: RULE_TABLE_PREFIX + b.name,
        pendingTable: PENDING_TABLE_PREFIX + b.name,
        seenTable: SEEN_TABLE_PREFIX + b.name,
        prefixMap: prefixMapFile(b.name),
        qualMap: qualMapFile(b.name),
        // candidates for the confirmation threshold live 10 minutes; size follows the rule table
        pendingSize: Math.min(b.maxRules, 100000),
        pendingExpire: "10m",
        seenKeyLen: c.rules.maxKeyLength + 2 + 48,
        // rule paths are at most len-2 bytes, so a longer request path truncated to len can never equal one
        keyLen: c.rules.maxKeyLength + 2,
        maxRules: b.maxRules,
        expire: `${c.rules.maxTtl}s`,
        balancing: balancingView(b),
        health: healthView(b.balancing.health),
        servers: serversView(b),
        // checks run once, on <backend>'s servers: the evaluation backend's copies follow their state
        evalServers: serversView(b, b.balancing.health ? b.name : undefined),
        hop,
        generation: generationRequestView(b),
        // let-through over the loopback hop: the answer's learn happened in the other stream, which says so in a header
        hopTaught: b.letThrough > 0 && hop ? { header: HOP_TAUGHT_HEADER, bind: PASS_BIND, keysVar: VARS.taughtKeys } : undefined,
        // one block in PROBE_SAMPLE runs the (deduplicating) Lua converter: the rest cost a modulo
        probe: b.probe ? { rate: b.probe.rate, every: b.probe.every, sample: PROBE_SAMPLE, var: VARS.probeQueued, converter: LUA_NAMES.probe } : undefined,
        letThrough: b.letThrough > 0 ? { n: b.letThrough, keyVar: VARS.letThrough, credVar: VARS.letThroughCredentials, action: LUA_NAMES.revalidate, count: LUA_NAMES.count, failedCounter: "revalidations_failed", taughtHeader: HOP_TAUGHT_HEADER } : undefined,
        // only a trusted backend's responses may change its generation
        generationResponse: b.trusted && b.onNewGeneration !== "keep" ? generationResponseView(b) : undefined,
        cache,
        // with the hop, the evaluation backend has no servers and <backend> caches
        evalCache: cache && !hop ? { ...cache, afterRules: true, decided: ACL.decided } : undefined,
      };
    }),
    answerHeaders: answerHeadersView(c),
    // the edge's own hop header: never from a client, never to one
    taughtHeader: c.backends.some((b) => b.letThrough > 0) ? HOP_TAUGHT_HEADER : "",
    trustedClients: c.allowlist.clients.join(" "),
    userSocket: c.observability.statsSocket ? rel(outDir, c.observability.statsSocket, c.absolutePaths) : "",
    logHeaders: c.observability.logHeaders,
    cacheSections: c.backends.filter((b) => b.cache).map((b) => ({ name: cacheView(c, b).section, backend: b.name, sizeMb: c.cache.sizeMb, maxAge: c.cache.maxAge, maxObject: c.cache.maxObjectBytes })),
    passSocket: hopsAny(c) ? runSocket(c, outDir, PASS_SOCKET_FILE) : "",
    passBindName: PASS_BIND,
    rateLimits: rateLimitsView(c, outDir, routed, c.peers ? LOCAL_PEERS_SECTION : PEERS_SECTION),
    rateStat: RATE_STAT,
    moreCounters: ((n) => (n > STICKY_COUNTERS_BEFORE_2_8 ? n : 0))(allocateCounters(c.rateLimits).needed),
    baseCounters: STICKY_COUNTERS_BEFORE_2_8,
    tls: tlsView(c, outDir),
  };
  return {
    cfg: template()(ctx),
    settings: formatSettings(settingsOf(c, outDir)),
    files: { cfg: path.join(outDir, "haproxy.cfg" + sfx), settings: settingsFile },
  };
}

/** Readers (HAProxy, a reload, a test) never see a half-written file. */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp.${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export const ALLOW_EXACT_FILE: string = ALLOW_FILES.exact;
export const ALLOW_PREFIX_FILE: string = ALLOW_FILES.prefix;

/** Files HAProxy loads at startup that blocks.lua fills at runtime: they must exist, empty is fine. */
export function runtimeMapFiles(c: EdgeConfig): string[] {
  const files: string[] = [STORE_MAPS.reasons, STORE_MAPS.bodies, STORE_MAPS.counters];
  if (c.backends.some((b) => b.onNewGeneration !== "keep")) files.push(GENERATIONS_MAP);
  for (const b of c.backends) files.push(prefixMapFile(b.name), qualMapFile(b.name));
  return files;
}

/**
 * Render and write haproxy.cfg, edgeblock.settings, the allowlists, the runtime maps and an empty static
 * map if there is none. With `check`, the result is first written under temporary names and checked
 * (`haproxy -c`); a rejected config replaces nothing and throws RenderRejected.
 */
export function renderToDisk(c: EdgeConfig, opts: RenderOptions & { readonly check?: (cfgFile: string) => CheckResult }): Rendered {
  const r = render(c, opts);
  mkdirSync(opts.outDir, { recursive: true });
  // state the config loads, filled at runtime: created empty when missing, never rewritten
  for (const f of runtimeMapFiles(c)) {
    const file = path.join(opts.outDir, f);
    if (!existsSync(file)) writeFileSync(file, "");
  }
  // folders of the running edge are created here only when they belong to this tree (a container's /var/lib is the operator's)
  if (c.state.dir !== "" && !c.absolutePaths.has(c.state.dir)) mkdirSync(c.state.dir, { recursive: true });
  if (!c.absolutePaths.has(c.runtimeApiSocket)) mkdirSync(path.dirname(c.runtimeApiSocket), { recursive: true });
  if (c.observability.statsSocket && !c.absolutePaths.has(c.observability.statsSocket)) mkdirSync(path.dirname(c.observability.statsSocket), { recursive: true });
  if (!existsSync(c.staticMap)) {
    mkdirSync(path.dirname(c.staticMap), { recursive: true });
    writeFileSync(c.staticMap, "# Paths blocked from startup: <path> [status], one per line. Paths must be normalised.\n");
  }
  if (opts.check) {
    const candidate = render(c, { ...opts, suffix: `.check.${process.pid}` });
    const written = writeConfigFiles(c, opts.outDir, candidate, `.check.${process.pid}`);
    let res: CheckResult;
    try {
      res = opts.check(candidate.files.cfg);
    } finally {
      for (const f of written) rmSync(f, { force: true });
    }
    if (!res.ok) throw new RenderRejected(r.files.cfg, res.output);
  }
  writeConfigFiles(c, opts.outDir, r, "");
  return r;
}

/** The config files of a rendering (not state): haproxy.cfg, edgeblock.settings and the allowlists. Returns their paths. */
function writeConfigFiles(c: EdgeConfig, outDir: string, r: Rendered, suffix: string): string[] {
  const exact = path.join(outDir, ALLOW_EXACT_FILE + suffix);
  const prefix = path.join(outDir, ALLOW_PREFIX_FILE + suffix);
  // the prefix list carries the trailing slash map_beg needs
  writeAtomic(exact, c.allowlist.exact.map((p) => `${p}\n`).join(""));
  writeAtomic(prefix, c.allowlist.prefix.map((p) => `${allowPrefixProbe(p)}\n`).join(""));
  writeAtomic(r.files.settings, r.settings);
  writeAtomic(r.files.cfg, r.cfg);
  return [exact, prefix, r.files.settings, r.files.cfg];
}
