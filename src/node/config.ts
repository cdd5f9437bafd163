/**
 * The user config (edgeblock.yaml): types, schema with defaults and
 * descriptions, and validation that reports every error with its line and field.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument, YAMLMap, YAMLSeq } from "yaml";
import { normalizePath } from "../core/path";
import { Route, RouteMap } from "../core/route";
import { existsSync, readdirSync, statSync } from "node:fs";
import { CONTROL_TABLE, HANDOFF_BACKEND, READY_TABLE, PENDING_TABLE_PREFIX, RATE_TABLE_PREFIX, RULE_TABLE_PREFIX, SEEN_TABLE_PREFIX, STATS_TABLE, SYNC_TABLE } from "../core/contract";
import { DEFAULT_ALLOWED_STATUSES, fieldOf, FIELDS, knownKeys, MAX_TTL_LIMIT } from "../core/schema";

export interface ListenAddress {
  readonly address: string;
  readonly port: number;
  /** Environment variable that overrides the port at HAProxy start (rendered as presetenv). */
  readonly portEnv?: string;
  /** Extra port speaking cleartext HTTP/2 (prior knowledge), on the same address. */
  readonly h2cPort?: number;
}

export interface ServerConfig extends ListenAddress {
  readonly name: string;
  /** Set only when the YAML sets it (HAProxy's default is 1). */
  readonly weight?: number;
  readonly maxconn?: number;
}

/** TLS termination on the edge (listen.tls); cert is absolute. */
export interface TlsConfig {
  readonly port: number;
  readonly portEnv?: string;
  readonly cert: string;
  readonly alpn: string;
  readonly minVersion: string;
  readonly redirectHttp: boolean;
  readonly hstsMaxAge: number;
  readonly hstsIncludeSubdomains: boolean;
}

/** Active checks (HTTP with a path, TCP without), and passive ones when errorLimit is set. */
export interface HealthConfig {
  readonly path?: string;
  readonly method: string;
  readonly inter: string;
  readonly fall: number;
  readonly rise: number;
  readonly expectStatus?: number;
  readonly expectString?: string;
  readonly errorLimit?: number;
  readonly onError: string;
}

/** How a backend spreads, retries and times out its requests. */
export interface BalancingConfig {
  readonly balance: "roundrobin" | "leastconn" | "uri" | "random";
  readonly retries: number;
  readonly redispatch: boolean;
  readonly timeouts: { readonly connect: string; readonly server: string; readonly queue?: string };
  readonly health?: HealthConfig;
}

export interface BackendConfig {
  readonly name: string;
  /** Only trusted backends can teach rules; other backends' signals are stripped and counted. */
  readonly trusted: boolean;
  /** `drop`: a response that starts with a 1xx (not 101) is dropped whole, since no rule can strip a signal header from it. */
  readonly interimResponses: "drop" | "forward";
  /** Rules this backend may hold at once (stick-table size). */
  readonly maxRules: number;
  readonly servers: readonly ServerConfig[];
  readonly balancing: BalancingConfig;
  /** Answers served from the cache (cache.*). */
  readonly cache: boolean;
  /** What a new deploy generation does to the rules created before it. */
  readonly onNewGeneration: "drop" | "dry-run" | "keep";
  /** One in this many requests a learned rule matches goes to the backend anyway (0: off). */
  readonly letThrough: number;
  /** Revalidation probes: at most `rate` a second, each rule at most once per `every` seconds. */
  readonly probe?: { readonly rate: number; readonly every: number };
}

/** What a rate limit counts per. */
export type RateKey = { readonly kind: "ip" } | { readonly kind: "header" | "query" | "jwt"; readonly name: string };

/** A request rate limit (rate_limits[]); tiers.map is absolute. */
export interface RateLimitConfig {
  readonly name: string;
  readonly key: RateKey;
  readonly limit: number;
  readonly period: string;
  /** Backends whose requests it counts; every backend when empty. */
  readonly backends: readonly string[];
  readonly size: number;
  readonly tiers?: { readonly map: string; readonly limits: ReadonlyArray<readonly [tier: string, limit: number]> };
}

/** Native JWT verification (auth.jwt); key is absolute. */
export interface JwtConfig {
  readonly alg: string;
  readonly key?: string;
  readonly secretEnv?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly clockSkew: number;
}

export interface AuthConfig {
  readonly cookie?: string;
  readonly header: string;
  readonly jwt?: JwtConfig;
  /** map is absolute. */
  readonly apiKeys?: { readonly map: string; readonly header: string };
  /** Backends that answer 401 without valid credentials (with jwt or apiKeys). */
  readonly require: readonly string[];
}

/** Headers on every answer (headers.*). */
export interface HeadersConfig {
  readonly security: boolean;
  readonly csp?: string;
  readonly cors?: {
    readonly origins: readonly string[];
    readonly methods: readonly string[];
    readonly headers: readonly string[];
    readonly expose: readonly string[];
    readonly maxAge: number;
    readonly credentials: boolean;
  };
}

/** One node of a cluster: its peer link's address. */
export interface PeerNode {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

/** A cluster over HAProxy peers (absent: one node alone). */
export interface PeersConfig {
  /** This node's name, one of `nodes`. */
  readonly local: string;
  readonly nodes: readonly PeerNode[];
  /** Size of the replicated sync table (map writes). */
  readonly syncSize: number;
  /** Mutual TLS on the peer links (absolute paths). */
  readonly tls?: { readonly cert: string; readonly ca: string };
}

/** Sends matching requests to a backend; the first matching route wins, then default_backend (core/route.ts). */
export type RouteConfig = Route;

export interface EdgeConfig {
  /** Absolute path of the file this came from; relative paths below are resolved against its folder. */
  readonly source: string;
  /** The paths below that the file wrote absolute: rendered as written, not relative to the output folder. */
  readonly absolutePaths: ReadonlySet<string>;
  readonly listen: ListenAddress & { readonly tls?: TlsConfig };
  readonly stats: ListenAddress;
  /** Runtime API unix socket (absolute). Lua writes rules through it; the CLI reads them. */
  readonly runtimeApiSocket: string;
  readonly lua: { readonly file: string; readonly load: "shared" | "per-thread" };
  readonly threads: number;
  /** HAProxy log target: `stderr`, `/dev/log`, or `host:port`. */
  readonly logTarget: string;
  readonly paths: { readonly caseInsensitive: boolean; readonly mergeSlashes: boolean; readonly stripTrailingSlash: boolean };
  readonly rules: {
    readonly defaultTtl: number;
    readonly maxTtl: number;
    readonly defaultStatus: number;
    readonly allowedStatuses: readonly number[];
    readonly maxSignalBytes: number;
    readonly maxKeyLength: number;
    readonly maxBodyBytes: number;
    readonly maxRulesPerSignal: number;
    readonly onFull: "evict" | "refuse";
  };
  /** Paths never blocked and never learned (normalised). */
  readonly allowlist: { readonly exact: readonly string[]; readonly prefix: readonly string[]; readonly clients: readonly string[] };
  /** Poisoning defences. */
  readonly learning: { readonly rate: number; readonly burst: number; readonly confirmSignals: number; readonly confirmClients: number };
  /** What makes a request "authenticated" for auth=anon|authed rules: a cookie, or else a request header; or verified credentials (jwt, api keys). */
  readonly auth: AuthConfig;
  /** Global shadow mode: rules are counted and logged, nothing is blocked. */
  readonly dryRun: boolean;
  /** `drop`: every response trailer is dropped (3.2+: no rule can strip a header from trailers); `forward` for gRPC. */
  readonly responseTrailers: "drop" | "forward";
  /** Rule persistence across reloads and restarts. dir is absolute, or "" when disabled. */
  readonly state: { readonly dir: string; readonly snapshotInterval: number; readonly sweepInterval: number; readonly walkLimit: number };
  /** Map of paths blocked from startup (absolute). */
  readonly staticMap: string;
  readonly backends: readonly BackendConfig[];
  readonly routes: readonly RouteConfig[];
  /** Routing from a map file (file absolute), after routes. */
  readonly routesMap?: RouteMap & { readonly file: string };
  readonly defaultBackend: string;
  readonly rateLimits: readonly RateLimitConfig[];
  readonly headers: HeadersConfig;
  /** A user-level stats socket (absolute, or "") and request headers captured into the log. */
  readonly observability: { readonly statsSocket: string; readonly logHeaders: readonly string[] };
  /** The response cache's size (MB), longest age (s) and largest object (bytes). */
  readonly cache: { readonly sizeMb: number; readonly maxAge: number; readonly maxObjectBytes: number };
  readonly peers?: PeersConfig;
}

/** One validation problem, pointing at the line and the field. */
export interface ConfigError {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export class ConfigInvalid extends Error {
  constructor(
    readonly file: string,
    readonly errors: readonly ConfigError[],
  ) {
    super(errors.map((e) => `${file}:${e.line}: ${e.field}: ${e.message}`).join("\n"));
  }
}

/** The Lua bundle this package ships (from dist/node/: two folders up). */
export const PACKAGED_BUNDLE = path.resolve(__dirname, "../../lua-out/blocks.lua");

export { MAX_TTL_LIMIT };

/** Field reference for docs/config.md: [field, default, description], from the schema (core/schema.ts). */
export const FIELD_DOCS: ReadonlyArray<readonly [field: string, def: string, description: string]> = FIELDS.map((f) => [f.yaml, f.shown ?? String(f.def), f.doc] as const);

class Reader {
  readonly errors: ConfigError[] = [];
  constructor(
    private readonly lc: LineCounter,
    private readonly root: YAMLMap | undefined,
  ) {}

  lineOf(node: Node | undefined | null): number {
    if (!node || !node.range) return 1;
    return this.lc.linePos(node.range[0]).line;
  }

  error(node: Node | undefined | null, field: string, message: string): void {
    this.errors.push({ line: this.lineOf(node), field, message });
  }

  /** The node at a dotted path, or undefined. */
  node(parent: YAMLMap | undefined, key: string): Node | undefined {
    if (!parent) return undefined;
    const v = parent.get(key, true);
    return v === undefined || v === null ? undefined : (v as Node);
  }

  map(parent: YAMLMap | undefined, key: string, field: string, known: string[]): YAMLMap | undefined {
    const n = this.node(parent, key);
    if (n === undefined) return undefined;
    if (!isMap(n)) {
      this.error(n, field, "expected a mapping");
      return undefined;
    }
    this.checkKeys(n, field, known);
    return n;
  }

  checkKeys(m: YAMLMap, field: string, known: string[]): void {
    for (const item of m.items) {
      const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
      if (!known.includes(k)) this.error(item.key as Node, field ? `${field}.${k}` : k, `unknown field (known: ${known.join(", ")})`);
    }
  }

  int(parent: YAMLMap | undefined, key: string, field: string, def: number, min: number, max: number): number {
    const n = this.node(parent, key);
    if (n === undefined) return def;
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.error(n, field, `expected an integer from ${min} to ${max}, got ${JSON.stringify(isScalar(n) ? n.value : n.toJSON())}`);
      return def;
    }
    return v;
  }

  bool(parent: YAMLMap | undefined, key: string, field: string, def: boolean): boolean {
    const n = this.node(parent, key);
    if (n === undefined) return def;
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== "boolean") {
      this.error(n, field, `expected true or false, got ${JSON.stringify(isScalar(n) ? n.value : n.toJSON())}`);
      return def;
    }
    return v;
  }

  str(parent: YAMLMap | undefined, key: string, field: string, def: string, pattern?: RegExp, hint?: string): string {
    const n = this.node(parent, key);
    if (n === undefined) return def;
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== "string" || v.length === 0) {
      this.error(n, field, "expected a non-empty string");
      return def;
    }
    if (pattern && !pattern.test(v)) {
      this.error(n, field, `invalid value ${JSON.stringify(v)}${hint ? `: ${hint}` : ""}`);
      return def;
    }
    return v;
  }

  /** The last segment of a schema path: the key in its mapping. */
  private keyOf(spec: string): string {
    return spec.substring(spec.lastIndexOf(".") + 1);
  }

  /** An integer field of the schema (core/schema.ts gives its default and bounds); `field` names it in errors. */
  num(parent: YAMLMap | undefined, spec: string, field = spec): number {
    const f = fieldOf(spec);
    return this.int(parent, this.keyOf(spec), field, typeof f.def === "number" ? f.def : 0, f.min ?? 0, f.max ?? Number.MAX_SAFE_INTEGER);
  }

  flag(parent: YAMLMap | undefined, spec: string, field = spec): boolean {
    return this.bool(parent, this.keyOf(spec), field, fieldOf(spec).def === true);
  }

  /** One of the schema's values for the field. */
  choice<T extends string>(parent: YAMLMap | undefined, spec: string, field = spec): T {
    const f = fieldOf(spec);
    const values = f.values ?? [];
    return this.str(parent, this.keyOf(spec), field, String(f.def), new RegExp(`^(${values.join("|")})$`), values.join(" or ")) as T;
  }

  /** A text field; its default is the schema's unless the caller derives one (`def`). */
  text(parent: YAMLMap | undefined, spec: string, field = spec, pattern?: RegExp, hint?: string, def?: string): string {
    const f = fieldOf(spec);
    return this.str(parent, this.keyOf(spec), field, def ?? (typeof f.def === "string" ? f.def : ""), pattern, hint);
  }

  /** A mapping of the schema, with the keys the schema declares under it. */
  section(parent: YAMLMap | undefined, spec: string, field = spec): YAMLMap | undefined {
    return this.map(parent, this.keyOf(spec), field, knownKeys(spec));
  }

  get rootMap(): YAMLMap | undefined {
    return this.root;
  }
}

const NAME = /^[A-Za-z0-9_-]{1,48}$/;
/** Section names the renderer writes itself: a backend of the same name would make HAProxy reject the config. */
export const RESERVED_NAMES = ["edge", "stats", CONTROL_TABLE, READY_TABLE, STATS_TABLE, HANDOFF_BACKEND, SYNC_TABLE];
export const RESERVED_PREFIXES = [RULE_TABLE_PREFIX, PENDING_TABLE_PREFIX, SEEN_TABLE_PREFIX, RATE_TABLE_PREFIX];

function reservedName(name: string): string | undefined {
  if (RESERVED_NAMES.includes(name)) return `${name} is a name edgeblock uses for its own sections (reserved: ${RESERVED_NAMES.join(", ")}, ${RESERVED_PREFIXES.map((p) => p + "*").join(", ")})`;
  const p = RESERVED_PREFIXES.find((x) => name.startsWith(x));
  return p ? `names starting with ${p} are edgeblock's own (rule, confirmation and rate-limit tables)` : undefined;
}
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;
const HOST = /^[A-Za-z0-9._:-]+$/;

function listenOf(r: Reader, parent: YAMLMap | undefined, key: "listen" | "stats"): ListenAddress {
  const m = r.section(parent, key);
  const portEnv = m ? r.text(m, `${key}.port_env`, `${key}.port_env`, ENV_NAME, "upper-case letters, digits and _") : "";
  const h2cPort = m && key === "listen" ? r.num(m, "listen.h2c_port") : 0;
  return {
    ...(h2cPort ? { h2cPort } : {}),
    address: r.text(m, `${key}.address`, `${key}.address`, HOST, "an IP address or host name"),
    port: r.num(m, `${key}.port`),
    ...(portEnv ? { portEnv } : {}),
  };
}

const DURATION = /^[0-9]{1,9}(us|ms|s|m|h|d)$/;
const DURATION_HINT = "a HAProxy duration with its unit: 500ms, 5s, 1m";

/** A certificate file (or a folder of them) that holds private keys: it must exist and be private to its owner. */
function checkKeyFile(r: Reader, node: Node, field: string, file: string): void {
  if (!existsSync(file)) {
    r.error(node, field, `${file} does not exist`);
    return;
  }
  const files = statSync(file).isDirectory() ? readdirSync(file).map((f) => path.join(file, f)).filter((f) => statSync(f).isFile()) : [file];
  const open = files.find((f) => (statSync(f).mode & 0o004) !== 0);
  if (open) r.error(node, field, `${open} is readable by every user, and it holds a private key: chmod 600 (or 640 with HAProxy's group)`);
}

/** listen.tls: the certificate must exist and be private to its owner (it holds the key). */
function tlsOf(r: Reader, listen: YAMLMap | undefined, resolve: (p: string) => string): TlsConfig | undefined {
  const m = r.section(listen, "listen.tls");
  if (m === undefined) return undefined;
  for (const k of ["port", "cert"]) if (!r.node(m, k)) r.error(m, `listen.tls.${k}`, "required");
  const certNode = r.node(m, "cert");
  const cert = certNode ? resolve(r.text(m, "listen.tls.cert")) : "";
  if (certNode && cert) checkKeyFile(r, certNode, "listen.tls.cert", cert);
  const portEnv = r.text(m, "listen.tls.port_env", "listen.tls.port_env", ENV_NAME, "upper-case letters, digits and _");
  return {
    port: r.num(m, "listen.tls.port"),
    ...(portEnv ? { portEnv } : {}),
    cert,
    alpn: r.choice(m, "listen.tls.alpn"),
    minVersion: r.choice(m, "listen.tls.min_version"),
    redirectHttp: r.flag(m, "listen.tls.redirect_http"),
    hstsMaxAge: r.num(m, "listen.tls.hsts_max_age"),
    hstsIncludeSubdomains: r.flag(m, "listen.tls.hsts_include_subdomains"),
  };
}

/** A HAProxy duration: a bare number would be milliseconds to HAProxy and seconds to most readers, so the unit is required. */
function durationText(r: Reader, parent: YAMLMap | undefined, spec: string, field: string, pattern: RegExp, hint: string): string {
  const n = r.node(parent, spec.substring(spec.lastIndexOf(".") + 1));
  if (n !== undefined && isScalar(n) && typeof n.value === "number") {
    r.error(n, field, `${n.value} has no unit: ${hint}`);
    return "";
  }
  return r.text(parent, spec, field, pattern, hint);
}

/** A list of backend names (`field` names it in errors), each existing, each once. */
function backendNames(r: Reader, n: Node, field: string, backends: readonly BackendConfig[], accept: (name: string, node: Node, at: string) => boolean = () => true): string[] {
  const out: string[] = [];
  if (!isSeq(n)) return out;
  n.items.forEach((b, i) => {
    const v = isScalar(b) ? String(b.value) : "";
    const at = `${field}[${i}]`;
    if (!backends.some((x) => x.name === v)) r.error(b as Node, at, `no backend named ${v}`);
    else if (accept(v, b as Node, at) && !out.includes(v)) out.push(v);
  });
  return out;
}

/** The lines of a `<key> <value>` map file that are not blank or comments, with their line numbers. */
function mapFileLines(file: string): Array<{ at: string; words: string[] }> {
  const out: Array<{ at: string; words: string[] }> = [];
  readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    const t = line.trim();
    if (t !== "" && !t.startsWith("#")) out.push({ at: `${file}:${i + 1}`, words: t.split(/\s+/) });
  });
  return out;
}

/** A backend's balancing, retries, timeouts and health checks; `f` names the backend in errors. */
function balancingOf(r: Reader, item: YAMLMap, f: string): BalancingConfig {
  const t = r.section(item, "backends[].timeouts", `${f}.timeouts`);
  const duration = (parent: YAMLMap | undefined, spec: string, field: string) => durationText(r, parent, spec, field, DURATION, DURATION_HINT);
  const queue = duration(t, "backends[].timeouts.queue", `${f}.timeouts.queue`);
  const h = r.section(item, "backends[].health", `${f}.health`);
  let health: HealthConfig | undefined;
  if (h !== undefined) {
    const hpath = r.text(h, "backends[].health.path", `${f}.health.path`, /^\/[\x21\x24-\x26\x28-\x5b\x5d-\x7e]*$/, "a path starting with /, without #, quotes or backslashes");
    const expectStatus = r.num(h, "backends[].health.expect_status", `${f}.health.expect_status`);
    const expectString = r.text(h, "backends[].health.expect_string", `${f}.health.expect_string`, /^[\x20-\x7e]{1,256}$/, "printable ASCII, at most 256 bytes");
    const errorLimit = r.num(h, "backends[].health.error_limit", `${f}.health.error_limit`);
    if (!hpath) {
      for (const k of ["method", "expect_status", "expect_string"]) if (r.node(h, k)) r.error(r.node(h, k), `${f}.health.${k}`, "needs health.path (an HTTP check); without it checks are TCP connects");
    }
    if (expectStatus && expectString) r.error(r.node(h, "expect_string"), `${f}.health.expect_string`, "set expect_status or expect_string, not both");
    if (r.node(h, "on_error") && !errorLimit) r.error(r.node(h, "on_error"), `${f}.health.on_error`, "needs health.error_limit (passive checks)");
    health = {
      ...(hpath ? { path: hpath } : {}),
      method: r.choice(h, "backends[].health.method", `${f}.health.method`),
      inter: duration(h, "backends[].health.inter", `${f}.health.inter`),
      fall: r.num(h, "backends[].health.fall", `${f}.health.fall`),
      rise: r.num(h, "backends[].health.rise", `${f}.health.rise`),
      ...(expectStatus ? { expectStatus } : {}),
      ...(expectString ? { expectString } : {}),
      ...(errorLimit ? { errorLimit } : {}),
      onError: r.choice(h, "backends[].health.on_error", `${f}.health.on_error`),
    };
  }
  return {
    balance: r.choice(item, "backends[].balance", `${f}.balance`),
    retries: r.num(item, "backends[].retries", `${f}.retries`),
    redispatch: r.flag(item, "backends[].redispatch", `${f}.redispatch`),
    timeouts: {
      connect: duration(t, "backends[].timeouts.connect", `${f}.timeouts.connect`),
      server: duration(t, "backends[].timeouts.server", `${f}.timeouts.server`),
      ...(queue ? { queue } : {}),
    },
    ...(health ? { health } : {}),
  };
}

const LIMIT_NAME = /^[A-Za-z0-9_]{1,32}$/;
/** A word rendered unquoted into haproxy.cfg: printable ASCII without a space, #, a quote or a backslash (a comment, a quote or an escape to HAProxy's parser). */
const WORD = /^[\x21\x24-\x26\x28-\x5b\x5d-\x7e]{1,256}$/;
const WORD_HINT = "printable ASCII without spaces, #, quotes or backslashes";
/** A header name rendered into fetches and log-format text: letters, digits and -. */
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const CIDR = /^(([0-9]{1,3}\.){3}[0-9]{1,3}(\/([0-9]|[12][0-9]|3[0-2]))?|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(\/([0-9]{1,2}|1[01][0-9]|12[0-8]))?)$/;
const TOKEN = /^[A-Za-z0-9!$%&*+.^_|~-]{1,64}$/;

/** rate_limits: keys, periods, scopes and tier maps, each error at its line. */
function rateLimitsOf(r: Reader, top: YAMLMap | undefined, backends: readonly BackendConfig[], routed: boolean, defaultBackend: string, resolve: (p: string) => string): RateLimitConfig[] {
  const out: RateLimitConfig[] = [];
  const n = r.node(top, "rate_limits");
  if (n === undefined) return out;
  if (!isSeq(n)) {
    r.error(n, "rate_limits", "expected a list of limits");
    return out;
  }
  n.items.forEach((item, i) => {
    const f = `rate_limits[${i}]`;
    if (!isMap(item)) {
      r.error(item as Node, f, "expected a mapping");
      return;
    }
    r.checkKeys(item, f, knownKeys("rate_limits[]"));
    for (const k of ["name", "limit"]) if (!r.node(item, k)) r.error(item, `${f}.${k}`, "required");
    const name = r.text(item, "rate_limits[].name", `${f}.name`, LIMIT_NAME, "letters, digits and _ (at most 32)");
    if (name && out.some((x) => x.name === name)) r.error(r.node(item, "name"), `${f}.name`, `duplicate limit name ${name}`);
    const keyText = r.text(item, "rate_limits[].key", `${f}.key`, undefined, undefined, "ip");
    let key: RateKey = { kind: "ip" };
    const colon = keyText.indexOf(":");
    const kind = colon < 0 ? keyText : keyText.substring(0, colon);
    const arg = colon < 0 ? "" : keyText.substring(colon + 1);
    if (keyText === "ip") key = { kind: "ip" };
    else if (kind === "header" && HEADER_NAME.test(arg)) key = { kind, name: arg.toLowerCase() };
    else if (kind === "query" && /^[A-Za-z0-9._~-]{1,64}$/.test(arg)) key = { kind, name: arg };
    else if (kind === "jwt" && /^[A-Za-z0-9_]{1,64}$/.test(arg)) key = { kind, name: arg };
    else r.error(r.node(item, "key"), `${f}.key`, `invalid key ${JSON.stringify(keyText)}: ip, header:<name>, query:<param> or jwt:<claim>`);
    const period = durationText(r, item, "rate_limits[].period", `${f}.period`, /^[0-9]{1,6}(s|m|h)$/, "seconds, minutes or hours: 10s, 1m, 1h");
    const bn = r.node(item, "backends");
    if (bn !== undefined && (!isSeq(bn) || bn.items.length === 0)) r.error(bn, `${f}.backends`, "expected a non-empty list of backend names");
    const scope =
      bn === undefined
        ? []
        : backendNames(r, bn, `${f}.backends`, backends, (v, node, at) => {
            if (routed || v === defaultBackend) return true;
            r.error(node, at, `no request goes to ${v}: without routes every request goes to ${defaultBackend}`);
            return false;
          });
    const t = r.section(item, "rate_limits[].tiers", `${f}.tiers`);
    let tiers: RateLimitConfig["tiers"];
    if (t !== undefined) {
      const limits: Array<[string, number]> = [];
      const ln = r.node(t, "limits");
      if (ln === undefined || !isMap(ln) || ln.items.length === 0) r.error(ln ?? t, `${f}.tiers.limits`, "expected a mapping of tier names to limits: { bronze: 10, gold: 1000 }");
      else
        for (const it of ln.items) {
          const tier = isScalar(it.key) ? String(it.key.value) : "";
          const v = isScalar(it.value) ? it.value.value : undefined;
          if (!LIMIT_NAME.test(tier)) r.error(it.key as Node, `${f}.tiers.limits`, `invalid tier name ${JSON.stringify(tier)}: letters, digits and _`);
          else if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 1000000000) r.error((it.value as Node) ?? ln, `${f}.tiers.limits.${tier}`, `expected an integer from 1 to 1000000000, got ${JSON.stringify(v)}`);
          else limits.push([tier, v]);
        }
      const mn = r.node(t, "map");
      const map = mn === undefined ? "" : resolve(r.text(t, "rate_limits[].tiers.map", `${f}.tiers.map`));
      if (mn === undefined) r.error(t, `${f}.tiers.map`, "required");
      else if (!existsSync(map)) r.error(mn, `${f}.tiers.map`, `${map} does not exist`);
      else {
        // a key whose tier has no limit would silently get the default: name the line
        for (const { at, words: w } of mapFileLines(map)) {
          if (w.length !== 2) r.error(mn, `${f}.tiers.map`, `${at}: expected "<key> <tier>"`);
          else if (limits.length > 0 && !limits.some(([tier]) => tier === w[1])) r.error(mn, `${f}.tiers.map`, `${at}: tier ${w[1]} has no limit in tiers.limits`);
        }
      }
      tiers = { map, limits };
    }
    out.push({ name, key, limit: r.num(item, "rate_limits[].limit", `${f}.limit`), period, backends: scope, size: r.num(item, "rate_limits[].size", `${f}.size`), ...(tiers ? { tiers } : {}) });
  });
  return out;
}

/** auth: presence-based credentials, or verified ones (jwt, api_keys) and the backends that require them. */
function authOf(r: Reader, auth: YAMLMap | undefined, backends: readonly BackendConfig[], resolve: (p: string) => string): AuthConfig {
  const cookie = r.text(auth, "auth.cookie", "auth.cookie", TOKEN, "a cookie name");
  const header = r.text(auth, "auth.header", "auth.header", /^[A-Za-z0-9-]{1,64}$/, "a header name").toLowerCase();
  const j = r.section(auth, "auth.jwt");
  let jwt: JwtConfig | undefined;
  if (j !== undefined) {
    const alg = r.choice(j, "auth.jwt.alg");
    const hmac = alg.startsWith("HS");
    const keyNode = r.node(j, "key");
    const key = keyNode ? resolve(r.text(j, "auth.jwt.key")) : "";
    const secretEnv = r.text(j, "auth.jwt.secret_env", "auth.jwt.secret_env", ENV_NAME, "upper-case letters, digits and _");
    if (hmac && !secretEnv) r.error(j, "auth.jwt.secret_env", `required for ${alg}: the environment variable that holds the secret`);
    if (hmac && keyNode) r.error(keyNode, "auth.jwt.key", `${alg} verifies with a secret (auth.jwt.secret_env), not a key file`);
    if (!hmac && !keyNode) r.error(j, "auth.jwt.key", `required for ${alg}: the PEM file of the public key`);
    if (!hmac && secretEnv) r.error(r.node(j, "secret_env"), "auth.jwt.secret_env", `${alg} verifies with a public key (auth.jwt.key), not a secret`);
    if (keyNode && key) {
      if (!existsSync(key)) r.error(keyNode, "auth.jwt.key", `${key} does not exist`);
      else if (!readFileSync(key, "utf8").includes("-----BEGIN PUBLIC KEY-----")) r.error(keyNode, "auth.jwt.key", `${key} holds no PEM public key (BEGIN PUBLIC KEY): HAProxy reads nothing else`);
    }
    const issuer = r.text(j, "auth.jwt.issuer", "auth.jwt.issuer", WORD, WORD_HINT);
    const audience = r.text(j, "auth.jwt.audience", "auth.jwt.audience", WORD, WORD_HINT);
    jwt = {
      alg,
      ...(key && !hmac ? { key } : {}),
      ...(secretEnv && hmac ? { secretEnv } : {}),
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
      clockSkew: r.num(j, "auth.jwt.clock_skew"),
    };
  }
  const a = r.section(auth, "auth.api_keys");
  let apiKeys: AuthConfig["apiKeys"];
  if (a !== undefined) {
    const mn = r.node(a, "map");
    const map = mn ? resolve(r.text(a, "auth.api_keys.map")) : "";
    if (!mn) r.error(a, "auth.api_keys.map", "required");
    else if (!existsSync(map)) r.error(mn, "auth.api_keys.map", `${map} does not exist`);
    // a line with a key alone would still authenticate, with no client named in the logs
    else for (const { at, words } of mapFileLines(map)) if (words.length !== 2) r.error(mn, "auth.api_keys.map", `${at}: expected "<key> <client name>"`);
    apiKeys = { map, header: r.text(a, "auth.api_keys.header", "auth.api_keys.header", /^[A-Za-z0-9-]{1,64}$/, "a header name").toLowerCase() };
  }
  if ((jwt || apiKeys) && r.node(auth, "cookie")) r.error(r.node(auth, "cookie"), "auth.cookie", "with auth.jwt or auth.api_keys, verified credentials decide who is authenticated: drop auth.cookie");
  const rn = r.node(auth, "require");
  if (rn !== undefined && !jwt && !apiKeys) r.error(rn, "auth.require", "needs auth.jwt or auth.api_keys: there is nothing to verify");
  if (rn !== undefined && !isSeq(rn)) r.error(rn, "auth.require", "expected a list of backend names ([] for none)");
  const require = rn !== undefined ? backendNames(r, rn, "auth.require", backends) : jwt || apiKeys ? backends.map((b) => b.name) : [];
  return { ...(cookie ? { cookie } : {}), header, ...(jwt ? { jwt } : {}), ...(apiKeys ? { apiKeys } : {}), require };
}

/** A list of strings, each matching `pattern`; `def` when absent. */
function stringList(r: Reader, parent: YAMLMap | undefined, key: string, field: string, pattern: RegExp, hint: string, def: readonly string[]): string[] {
  const n = r.node(parent, key);
  if (n === undefined) return [...def];
  if (!isSeq(n)) {
    r.error(n, field, "expected a list");
    return [...def];
  }
  const out: string[] = [];
  n.items.forEach((item, i) => {
    const v = isScalar(item) ? String(item.value) : "";
    if (!pattern.test(v)) r.error(item as Node, `${field}[${i}]`, `invalid value ${JSON.stringify(v)}: ${hint}`);
    else if (!out.includes(v)) out.push(v);
  });
  return out;
}

/** headers: security headers, a CSP, and a CORS policy. */
function headersOf(r: Reader, top: YAMLMap | undefined): HeadersConfig {
  const h = r.section(top, "headers");
  const csp = r.text(h, "headers.content_security_policy", "headers.content_security_policy", /^[\x20-\x21\x23\x25-\x5b\x5d-\x7e]{1,1024}$/, "printable ASCII without \", $ or \\");
  const c = r.section(h, "headers.cors");
  let cors: HeadersConfig["cors"];
  if (c !== undefined) {
    const origins = stringList(r, c, "origins", "headers.cors.origins", /^(\*|https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?)$/, "an origin (scheme://host[:port]) or *", []);
    if (r.node(c, "origins") === undefined || origins.length === 0) r.error(r.node(c, "origins") ?? c, "headers.cors.origins", "required: a non-empty list of origins");
    const credentials = r.flag(c, "headers.cors.credentials");
    if (origins.includes("*") && origins.length > 1) r.error(r.node(c, "origins"), "headers.cors.origins", "* allows every origin: list no other");
    if (origins.includes("*") && credentials) r.error(r.node(c, "credentials"), "headers.cors.credentials", "browsers refuse credentials with origin *: list the origins");
    const token = HEADER_NAME;
    cors = {
      origins,
      methods: stringList(r, c, "methods", "headers.cors.methods", /^[A-Z]{1,16}$/, "an upper-case method", ["GET", "HEAD", "POST"]),
      headers: stringList(r, c, "headers", "headers.cors.headers", token, "a header name", ["Authorization", "Content-Type"]),
      expose: stringList(r, c, "expose", "headers.cors.expose", token, "a header name", []),
      maxAge: r.num(c, "headers.cors.max_age"),
      credentials,
    };
  }
  return { security: r.flag(h, "headers.security"), ...(csp ? { csp } : {}), ...(cors ? { cors } : {}) };
}

/** A route map key by path prefix: a normalised path ending with `/` (`want` is how to write it). */
function pathPrefixKey(key: string, policy: EdgeConfig["paths"]): { ok: boolean; want: string } {
  const n = normalizePath(key.replace(/\/$/, "") || "/", policy, 4094);
  const want = n.ok ? (n.path === "/" ? "/" : n.path + "/") : "/api/";
  return { ok: n.ok && key.endsWith("/") && want === key, want };
}

/** routes_map: every line a key of the declared kind and an existing backend, each error at file:line. */
function routesMapOf(r: Reader, top: YAMLMap | undefined, backends: readonly BackendConfig[], policy: EdgeConfig["paths"], resolve: (p: string) => string): (RouteMap & { file: string }) | undefined {
  const m = r.section(top, "routes_map");
  if (m === undefined) return undefined;
  const fn = r.node(m, "file");
  const by = r.choice<"host" | "path_prefix">(m, "routes_map.by");
  if (fn === undefined) {
    r.error(m, "routes_map.file", "required");
    return undefined;
  }
  const file = resolve(r.text(m, "routes_map.file"));
  if (!existsSync(file)) {
    r.error(fn, "routes_map.file", `${file} does not exist`);
    return undefined;
  }
  const entries: Array<[string, string]> = [];
  for (const { at, words: w } of mapFileLines(file)) {
    if (w.length !== 2) r.error(fn, "routes_map.file", `${at}: expected "<key> <backend>"`);
    else if (!backends.some((b) => b.name === w[1])) r.error(fn, "routes_map.file", `${at}: no backend named ${w[1]}`);
    else if (by === "host" && (!HOST.test(w[0]) || w[0] !== w[0].toLowerCase())) r.error(fn, "routes_map.file", `${at}: ${w[0]} is not a lower-case host name`);
    else if (by === "path_prefix" && !pathPrefixKey(w[0], policy).ok) r.error(fn, "routes_map.file", `${at}: ${w[0]} is not a normalised path ending with / (write ${pathPrefixKey(w[0], policy).want})`);
    else entries.push([w[0], w[1]]);
  }
  return { file, by, entries };
}

const PEER_NAME = /^[A-Za-z0-9._-]{1,48}$/;

/** The peers block: every node named once, this node among them, its peer port free of the edge's listeners. */
function peersOf(r: Reader, top: YAMLMap | undefined, ports: ReadonlyArray<[string, Node | undefined, string, number]>, overlap: (a: string, b: string) => boolean, resolve: (p: string) => string): PeersConfig | undefined {
  const m = r.section(top, "peers");
  if (m === undefined) return undefined;
  const nodes: PeerNode[] = [];
  const nnode = r.node(m, "nodes");
  if (nnode === undefined || !isSeq(nnode) || nnode.items.length === 0) r.error(nnode ?? m, "peers.nodes", "expected a non-empty list of nodes");
  else {
    nnode.items.forEach((item, i) => {
      const f = `peers.nodes[${i}]`;
      if (!isMap(item)) {
        r.error(item as Node, f, "expected a mapping");
        return;
      }
      r.checkKeys(item, f, knownKeys("peers.nodes[]"));
      for (const k of ["name", "address", "port"]) if (!r.node(item, k)) r.error(item, `${f}.${k}`, "required");
      const name = r.text(item, "peers.nodes[].name", `${f}.name`, PEER_NAME, "letters, digits, ., - and _ (at most 48)");
      if (name && nodes.some((n) => n.name === name)) r.error(r.node(item, "name"), `${f}.name`, `duplicate node name ${name}`);
      const node = { name, address: r.text(item, "peers.nodes[].address", `${f}.address`, HOST, "an IP address or host name"), port: r.num(item, "peers.nodes[].port", `${f}.port`) };
      if (node.name && node.address && node.port && nodes.some((n) => n.address === node.address && n.port === node.port)) {
        r.error(r.node(item, "port"), `${f}.port`, `${node.address}:${node.port} is already another node's peer link`);
      }
      nodes.push(node);
    });
  }
  const localNode = r.node(m, "local");
  const local = r.text(m, "peers.local", "peers.local", PEER_NAME, "letters, digits, ., - and _ (at most 48)");
  if (localNode === undefined) r.error(m, "peers.local", "required: this node's name in peers.nodes");
  else if (local && nodes.length > 0 && !nodes.some((n) => n.name === local)) {
    r.error(localNode, "peers.local", `${local} is not in peers.nodes (${nodes.map((n) => n.name).join(", ")})`);
  }
  const self = nodes.find((n) => n.name === local);
  const hit = self ? ports.find((p) => p[3] === self.port && overlap(p[2], self.address)) : undefined;
  if (self && hit) r.error(localNode, "peers.local", `this node's peer link ${self.address}:${self.port} is the edge's own ${hit[0]}`);
  const t = r.section(m, "peers.tls");
  let tls: { cert: string; ca: string } | undefined;
  if (t !== undefined) {
    const file = (key: "cert" | "ca") => {
      const n = r.node(t, key);
      if (n === undefined) {
        r.error(t, `peers.tls.${key}`, "required");
        return "";
      }
      const f = resolve(r.text(t, `peers.tls.${key}`));
      // the node's certificate file holds its key; the CA file is public
      if (key === "cert") checkKeyFile(r, n, "peers.tls.cert", f);
      else if (!existsSync(f)) r.error(n, `peers.tls.${key}`, `${f} does not exist`);
      return f;
    };
    tls = { cert: file("cert"), ca: file("ca") };
  }
  return { local, nodes, syncSize: r.num(m, "peers.sync_size"), ...(tls ? { tls } : {}) };
}

/** Parse and validate config text. Throws ConfigInvalid listing every problem. */
export function parseConfig(text: string, file: string): EdgeConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true });
  const base = path.dirname(path.resolve(file));
  if (doc.errors.length > 0) {
    throw new ConfigInvalid(
      file,
      doc.errors.map((e) => ({ line: e.linePos ? e.linePos[0].line : 1, field: "(yaml)", message: e.message.split("\n")[0] })),
    );
  }
  const root = doc.contents;
  if (root !== null && !isMap(root)) throw new ConfigInvalid(file, [{ line: 1, field: "(root)", message: "expected a mapping" }]);
  const r = new Reader(lc, root ?? undefined);
  const top = root ?? undefined;
  if (top) {
    r.checkKeys(top, "", knownKeys(""));
  }
  // paths written absolute stay absolute in the rendered files (a container's /var/lib/edgeblock), relative ones stay relative
  const absolute = new Set<string>();
  const resolve = (p: string) => {
    const abs = path.resolve(base, p);
    if (path.isAbsolute(p)) absolute.add(abs);
    return abs;
  };

  const listenNode = r.node(top, "listen");
  const tls = tlsOf(r, listenNode && isMap(listenNode) ? listenNode : undefined, resolve);
  const listen = { ...listenOf(r, top, "listen"), ...(tls ? { tls } : {}) };
  const stats = listenOf(r, top, "stats");
  const api = r.section(top, "runtime_api");
  const lua = r.section(top, "lua");
  const load = r.choice<"shared" | "per-thread">(lua, "lua.load");
  const paths = r.section(top, "paths");
  const rules = r.section(top, "rules");
  const allow = r.section(top, "allowlist");
  const learning = r.section(top, "learning");
  const auth = r.section(top, "auth");
  const state = r.section(top, "state");
  const pathPolicy = {
    caseInsensitive: r.flag(paths, "paths.case_insensitive"),
    mergeSlashes: r.flag(paths, "paths.merge_slashes"),
    stripTrailingSlash: r.flag(paths, "paths.strip_trailing_slash"),
  };
  const pathList = (key: string): string[] => {
    const out: string[] = [];
    const n = r.node(allow, key);
    if (n === undefined) return out;
    if (!isSeq(n)) {
      r.error(n, `allowlist.${key}`, "expected a list of paths");
      return out;
    }
    n.items.forEach((item, i) => {
      const v = isScalar(item) ? item.value : undefined;
      const norm = typeof v === "string" ? normalizePath(v, pathPolicy, 4094) : undefined;
      if (typeof v !== "string" || !norm || !norm.ok) r.error(item as Node, `allowlist.${key}[${i}]`, `expected an absolute path, got ${JSON.stringify(v)}`);
      else if (norm.path !== v) r.error(item as Node, `allowlist.${key}[${i}]`, `path ${JSON.stringify(v)} is not normalised; write ${JSON.stringify(norm.path)}`);
      else out.push(v);
    });
    return out;
  };

  const allowed: number[] = [];
  const allowedNode = r.node(rules, "allowed_statuses");
  if (allowedNode === undefined) allowed.push(...DEFAULT_ALLOWED_STATUSES);
  else if (!isSeq(allowedNode)) r.error(allowedNode, "rules.allowed_statuses", "expected a list of statuses");
  else {
    allowedNode.items.forEach((item, i) => {
      const v = isScalar(item) ? item.value : undefined;
      if (typeof v !== "number" || !Number.isInteger(v) || v < 400 || v > 599) {
        r.error(item as Node, `rules.allowed_statuses[${i}]`, `expected a status from 400 to 599, got ${JSON.stringify(v)}`);
      } else if (!allowed.includes(v)) allowed.push(v);
    });
  }
  const maxTtl = r.num(rules, "rules.max_ttl");
  const defaultTtl = r.num(rules, "rules.default_ttl");
  if (defaultTtl > maxTtl) r.error(r.node(rules, "default_ttl"), "rules.default_ttl", `must not exceed rules.max_ttl (${maxTtl})`);
  const defaultStatus = r.num(rules, "rules.default_status");
  if (allowed.length > 0 && !allowed.includes(defaultStatus)) {
    r.error(r.node(rules, "default_status") ?? allowedNode, "rules.default_status", `${defaultStatus} is not in rules.allowed_statuses`);
  }

  const backends: BackendConfig[] = [];
  const serverPorts: Array<{ field: string; node: Node | undefined; address: string; port: number; portEnv?: string }> = [];
  const bnode = r.node(top, "backends");
  if (bnode === undefined) r.error(top, "backends", "at least one backend is required");
  else if (!isSeq(bnode) || bnode.items.length === 0) r.error(bnode, "backends", "expected a non-empty list");
  else {
    bnode.items.forEach((item, i) => {
      const f = `backends[${i}]`;
      if (!isMap(item)) {
        r.error(item as Node, f, "expected a mapping");
        return;
      }
      r.checkKeys(item, f, knownKeys("backends[]"));
      const name = r.text(item, "backends[].name", `${f}.name`, NAME, "letters, digits, - and _ (at most 48)");
      if (!r.node(item, "name")) r.error(item, `${f}.name`, "required");
      if (name && backends.some((b) => b.name === name)) r.error(r.node(item, "name"), `${f}.name`, `duplicate backend name ${name}`);
      const reserved = name ? reservedName(name) : undefined;
      if (reserved) r.error(r.node(item, "name"), `${f}.name`, reserved);
      const servers: ServerConfig[] = [];
      const snode = r.node(item, "servers");
      if (!snode || !isSeq(snode) || snode.items.length === 0) r.error(snode ?? item, `${f}.servers`, "expected a non-empty list of servers");
      else {
        snode.items.forEach((s, j) => {
          const sf = `${f}.servers[${j}]`;
          if (!isMap(s)) {
            r.error(s as Node, sf, "expected a mapping");
            return;
          }
          r.checkKeys(s, sf, knownKeys("backends[].servers[]"));
          if (!r.node(s, "port")) r.error(s, `${sf}.port`, "required");
          const portEnv = r.text(s, "backends[].servers[].port_env", `${sf}.port_env`, ENV_NAME, "upper-case letters, digits and _");
          const server = {
            name: r.text(s, "backends[].servers[].name", `${sf}.name`, NAME, "letters, digits, - and _", `s${j + 1}`),
            address: r.text(s, "backends[].servers[].address", `${sf}.address`, HOST, "an IP address or host name"),
            port: r.num(s, "backends[].servers[].port", `${sf}.port`),
            ...(portEnv ? { portEnv } : {}),
            ...(r.node(s, "weight") !== undefined ? { weight: r.num(s, "backends[].servers[].weight", `${sf}.weight`) } : {}),
            ...(r.node(s, "maxconn") !== undefined ? { maxconn: r.num(s, "backends[].servers[].maxconn", `${sf}.maxconn`) } : {}),
          };
          servers.push(server);
          serverPorts.push({ field: `${sf}.port`, node: r.node(s, "port"), ...server });
        });
      }
      backends.push({
        name,
        trusted: r.flag(item, "backends[].trusted", `${f}.trusted`),
        interimResponses: r.choice<"drop" | "forward">(item, "backends[].interim_responses", `${f}.interim_responses`),
        maxRules: r.num(item, "backends[].max_rules", `${f}.max_rules`),
        servers,
        balancing: balancingOf(r, item, f),
        cache: r.flag(item, "backends[].cache", `${f}.cache`),
        onNewGeneration: r.choice<"drop" | "dry-run" | "keep">(item, "backends[].on_new_generation", `${f}.on_new_generation`),
        letThrough: (() => {
          const n = r.num(item, "backends[].let_through", `${f}.let_through`);
          if (n === 1) r.error(r.node(item, "let_through"), `${f}.let_through`, "1 would let every match through and block nothing: 0 (off) or at least 2");
          return n;
        })(),
        ...(() => {
          const p = r.section(item, "backends[].probe", `${f}.probe`);
          return p === undefined ? {} : { probe: { rate: r.num(p, "backends[].probe.rate", `${f}.probe.rate`), every: r.num(p, "backends[].probe.every", `${f}.probe.every`) } };
        })(),
      });
    });
  }
  const routes: RouteConfig[] = [];
  const rnode = r.node(top, "routes");
  if (rnode !== undefined && !isSeq(rnode)) r.error(rnode, "routes", "expected a list of routes");
  else if (rnode !== undefined && isSeq(rnode)) {
    rnode.items.forEach((item, i) => {
      const f = `routes[${i}]`;
      if (!isMap(item)) {
        r.error(item as Node, f, "expected a mapping");
        return;
      }
      r.checkKeys(item, f, knownKeys("routes[]"));
      const backend = r.text(item, "routes[].backend", `${f}.backend`, NAME);
      if (!r.node(item, "backend")) r.error(item, `${f}.backend`, "required");
      else if (!backends.some((b) => b.name === backend)) r.error(r.node(item, "backend"), `${f}.backend`, `no backend named ${backend}`);
      let pathPrefix = r.text(item, "routes[].path_prefix", `${f}.path_prefix`, /^\/[\x21-\x7e]*$/, "a path starting with /");
      // routes decide on the normalised path, as rules do: a prefix must be written as it normalises
      const np = pathPrefix ? normalizePath(pathPrefix, pathPolicy, 4094) : undefined;
      if (np && (!np.ok || np.path !== pathPrefix)) {
        r.error(r.node(item, "path_prefix"), `${f}.path_prefix`, np.ok ? `path ${JSON.stringify(pathPrefix)} is not normalised; write ${JSON.stringify(np.path)}` : `expected an absolute path, got ${JSON.stringify(pathPrefix)}`);
        pathPrefix = "";
      }
      const host = r.text(item, "routes[].host", `${f}.host`, HOST, "a host name").toLowerCase();
      const domain = r.text(item, "routes[].domain", `${f}.domain`, /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, "a domain name (example.com)").toLowerCase();
      const hn = r.section(item, "routes[].header", `${f}.header`);
      let header: { name: string; value: string } | undefined;
      if (hn !== undefined) {
        for (const k of ["name", "value"]) if (!r.node(hn, k)) r.error(hn, `${f}.header.${k}`, "required");
        const name = r.text(hn, "routes[].header.name", `${f}.header.name`, HEADER_NAME, "a header name (letters, digits and -)").toLowerCase();
        const value = r.text(hn, "routes[].header.value", `${f}.header.value`, WORD, WORD_HINT);
        if (name && value) header = { name, value };
      }
      if (!pathPrefix && !host && !domain && !header) r.error(item, f, "a route needs path_prefix, host, domain or header");
      routes.push({
        backend,
        ...(pathPrefix ? { pathPrefix } : {}),
        ...(host ? { host } : {}),
        ...(domain ? { domain } : {}),
        ...(header ? { header } : {}),
      });
    });
  }
  const defaultBackend = r.text(top, "default_backend", "default_backend", NAME, undefined, backends[0]?.name ?? "");
  if (backends.length > 0 && !backends.some((b) => b.name === defaultBackend)) {
    r.error(r.node(top, "default_backend"), "default_backend", `no backend named ${defaultBackend}`);
  }

  const routesMap = routesMapOf(r, top, backends, pathPolicy, resolve);
  const authConfig = authOf(r, auth, backends, resolve);
  const rateLimits = rateLimitsOf(r, top, backends, routes.length > 0 || routesMap !== undefined, defaultBackend, resolve);
  rateLimits.forEach((l, i) => {
    const n = isSeq(r.node(top, "rate_limits")) ? (r.node(top, "rate_limits") as YAMLSeq).items[i] : undefined;
    if (l.key.kind === "jwt" && !authConfig.jwt) r.error(isMap(n) ? r.node(n, "key") : top, `rate_limits[${i}].key`, "a jwt:<claim> key needs auth.jwt: an unverified token's claims are whatever the client wrote");
  });

  // one port, one purpose: two listeners on one port split the traffic between them
  const ports: Array<[string, Node | undefined, string, number]> = [
    ["listen.port", r.node(r.node(top, "listen") as YAMLMap | undefined, "port"), listen.address, listen.port],
    ["stats.port", r.node(r.node(top, "stats") as YAMLMap | undefined, "port"), stats.address, stats.port],
  ];
  if (tls) ports.push(["listen.tls.port", r.node(r.node(r.node(top, "listen") as YAMLMap | undefined, "tls") as YAMLMap | undefined, "port"), listen.address, tls.port]);
  if (listen.h2cPort) ports.push(["listen.h2c_port", r.node(r.node(top, "listen") as YAMLMap | undefined, "h2c_port"), listen.address, listen.h2cPort]);
  const overlap = (a: string, b: string) => a === b || a === "0.0.0.0" || b === "0.0.0.0" || a === "::" || b === "::";
  for (let i = 0; i < ports.length; i++) {
    for (let j = 0; j < i; j++) {
      if (ports[i][3] === ports[j][3] && overlap(ports[i][2], ports[j][2])) {
        r.error(ports[i][1] ?? top, ports[i][0], `port ${ports[i][3]} is already ${ports[j][0]}: each listener needs its own port`);
      }
    }
  }
  for (const sv of serverPorts) {
    const hit = ports.find((p) => p[3] === sv.port && overlap(p[2], sv.address));
    if (hit && !sv.portEnv) r.error(sv.node, sv.field, `${sv.address}:${sv.port} is the edge's own ${hit[0]}: requests would loop`);
  }
  const peers = peersOf(r, top, ports, overlap, resolve);
  const stateNode = r.node(state, "dir");
  const stateDir = r.text(state, "state.dir");
  if (stateDir !== "none" && existsSync(resolve(stateDir)) && !statSync(resolve(stateDir)).isDirectory()) {
    r.error(stateNode ?? top, "state.dir", `${resolve(stateDir)} is a file, not a folder`);
  }
  const staticNode = r.node(top, "static_map");
  const staticMap = resolve(r.text(top, "static_map"));
  // the default map is created empty on first render; a map named in the config must exist (a typo would block nothing)
  if (staticNode !== undefined && !existsSync(staticMap)) r.error(staticNode, "static_map", `${staticMap} does not exist`);

  const config: EdgeConfig = {
    source: path.resolve(file),
    absolutePaths: absolute,
    listen,
    stats,
    runtimeApiSocket: resolve(r.text(api, "runtime_api.socket")),
    // without lua.file, the bundle of this package (a checkout's or node_modules/edgeblock's)
    lua: { file: r.node(lua, "file") === undefined ? PACKAGED_BUNDLE : resolve(r.text(lua, "lua.file")), load },
    threads: r.num(top, "threads"),
    logTarget: r.text(top, "log", "log", /^(stderr|stdout|\/[^\s]+|[A-Za-z0-9.-]+:\d+)$/, "stderr, stdout, /dev/log or host:port"),
    paths: pathPolicy,
    rules: {
      defaultTtl,
      maxTtl,
      defaultStatus,
      allowedStatuses: allowed,
      maxSignalBytes: r.num(rules, "rules.max_signal_bytes"),
      maxKeyLength: r.num(rules, "rules.max_key_length"),
      maxBodyBytes: r.num(rules, "rules.max_body_bytes"),
      maxRulesPerSignal: r.num(rules, "rules.max_rules_per_signal"),
      onFull: r.choice<"evict" | "refuse">(rules, "rules.on_full"),
    },
    allowlist: { exact: pathList("exact"), prefix: pathList("prefix"), clients: stringList(r, allow, "clients", "allowlist.clients", CIDR, "an IPv4 or IPv6 address, optionally /prefix-length", []) },
    learning: {
      rate: r.num(learning, "learning.rate"),
      burst: r.num(learning, "learning.burst"),
      confirmSignals: r.num(learning, "learning.confirm_signals"),
      confirmClients: r.num(learning, "learning.confirm_clients"),
    },
    auth: authConfig,
    dryRun: r.flag(top, "dry_run"),
    responseTrailers: r.choice<"drop" | "forward">(top, "response_trailers"),
    state: (() => {
      const dir = stateDir;
      return {
        dir: dir === "none" ? "" : resolve(dir),
        snapshotInterval: r.num(state, "state.snapshot_interval"),
        sweepInterval: r.num(state, "state.sweep_interval"),
        walkLimit: r.num(state, "state.walk_limit"),
      };
    })(),
    staticMap,
    backends,
    routes,
    ...(routesMap ? { routesMap } : {}),
    defaultBackend,
    rateLimits,
    headers: headersOf(r, top),
    observability: (() => {
      const o = r.section(top, "observability");
      const sock = r.text(o, "observability.stats_socket", "observability.stats_socket", /^[\x21-\x7e]{1,100}$/, "a socket path");
      if (sock && resolve(sock) === resolve(r.text(api, "runtime_api.socket"))) r.error(r.node(o, "stats_socket"), "observability.stats_socket", "is the runtime API's own socket: give it another path");
      return { statsSocket: sock ? resolve(sock) : "", logHeaders: stringList(r, o, "log_headers", "observability.log_headers", HEADER_NAME, "a header name (letters, digits and -)", []) };
    })(),
    cache: (() => {
      const m = r.section(top, "cache");
      const sizeMb = r.num(m, "cache.size_mb");
      const maxObject = r.num(m, "cache.max_object_bytes");
      // HAProxy refuses an object limit above half the cache
      if (maxObject && maxObject > (sizeMb * 1048576) / 2) r.error(r.node(m, "max_object_bytes"), "cache.max_object_bytes", `at most half of cache.size_mb (${(sizeMb * 1048576) / 2} bytes)`);
      return { sizeMb, maxAge: r.num(m, "cache.max_age"), maxObjectBytes: maxObject || Math.floor((sizeMb * 1048576) / 256) };
    })(),
    ...(peers ? { peers } : {}),
  };
  if (r.errors.length > 0) throw new ConfigInvalid(file, r.errors.sort((a, b) => a.line - b.line));
  return config;
}

export function loadConfig(file: string): EdgeConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigInvalid(file, [{ line: 0, field: "(file)", message: (e as Error).message }]);
  }
  return parseConfig(text, file);
}

