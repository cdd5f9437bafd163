/**
 * The user config (edgeblock.yaml): types, schema with defaults and
 * descriptions, and validation that reports every error with its line and field.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument, YAMLMap } from "yaml";
import { normalizePath } from "../core/path";
import { Route } from "../core/route";
import { existsSync, statSync } from "node:fs";
import { CONTROL_TABLE, HANDOFF_BACKEND, PENDING_TABLE_PREFIX, RULE_TABLE_PREFIX, SEEN_TABLE_PREFIX, STATS_TABLE } from "../core/contract";
import { DEFAULT_ALLOWED_STATUSES } from "../core/settings";

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
}

/** Sends matching requests to a backend; the first matching route wins, then default_backend (core/route.ts). */
export type RouteConfig = Route;

export interface EdgeConfig {
  /** Absolute path of the file this came from; relative paths below are resolved against its folder. */
  readonly source: string;
  /** The paths below that the file wrote absolute: rendered as written, not relative to the output folder. */
  readonly absolutePaths: ReadonlySet<string>;
  readonly listen: ListenAddress;
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
  readonly allowlist: { readonly exact: readonly string[]; readonly prefix: readonly string[] };
  /** Poisoning defences. */
  readonly learning: { readonly rate: number; readonly burst: number; readonly confirmSignals: number; readonly confirmClients: number };
  /** What makes a request "authenticated" for auth=anon|authed rules: a cookie, or else a request header. */
  readonly auth: { readonly cookie?: string; readonly header: string };
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
  readonly defaultBackend: string;
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

/** Largest stick-table expire HAProxy accepts is 2^31-1 ms: about 24.8 days. */
export const MAX_TTL_LIMIT = 2_147_483;

/** Field reference: the schema is both the validation and the documentation (docs/config.md). */
export const FIELD_DOCS: ReadonlyArray<readonly [field: string, def: string, description: string]> = [
  ["listen.address", "127.0.0.1", "Address the edge listens on."],
  ["listen.port", "8080", "Port the edge listens on (1-65535). listen.port, listen.h2c_port and stats.port must differ, and no server may be the edge itself."],
  ["listen.port_env", "(none)", "Environment variable that overrides listen.port when HAProxy starts."],
  ["listen.h2c_port", "(none)", "Optional second port on listen.address speaking cleartext HTTP/2 (prior knowledge)."],
  ["stats.address / stats.port / stats.port_env", "127.0.0.1 / 8404", "HAProxy stats page and /metrics."],
  ["runtime_api.socket", "run/admin.sock", "Unix socket of HAProxy's runtime API (level admin). Lua writes rules through it."],
  ["lua.file", "this package's lua-out/blocks.lua", "The compiled edgeblock Lua bundle (a path relative to this file, or absolute)."],
  ["lua.load", "shared", "`shared` (lua-load) or `per-thread` (lua-load-per-thread)."],
  ["threads", "1", "nbthread (1-64)."],
  ["log", "stderr", "HAProxy log target: stderr, /dev/log or host:port."],
  ["paths.case_insensitive", "false", "Fold ASCII case before matching: /YEET is /yeet."],
  ["paths.merge_slashes", "true", "Treat // as /."],
  ["paths.strip_trailing_slash", "true", "Treat /a/ as /a."],
  ["rules.default_ttl", "3600", "Seconds a learned rule lives when the signal does not say."],
  ["rules.max_ttl", "604800", `Upper bound on any rule's lifetime, seconds (at most ${MAX_TTL_LIMIT}).`],
  ["rules.default_status", "404", "Status for `X-Edge-Resource: false`."],
  ["rules.allowed_statuses", DEFAULT_ALLOWED_STATUSES.join(","), "Statuses a rule may answer with (400-599)."],
  ["rules.max_signal_bytes", "1024", "Signals longer than this are rejected."],
  ["rules.max_key_length", "160", "Longest rule key: the normalised path plus any method or qualifier suffix. It is the stick-table key length, so it sets the memory per rule."],
  ["rules.max_body_bytes", "256", "Longest answer body a rule may carry (printable ASCII)."],
  ["rules.max_rules_per_signal", "8", "Most rules one response may signal."],
  ["rules.on_full", "evict", "When a backend's rule table is full: `evict` the least recently learned or hit rule, or `refuse` new rules."],
  ["static_map", "path_status.map", "Paths blocked from startup: `<path> [status]` per line. A map named here must exist; the default one is created empty."],
  ["allowlist.exact", "[]", "Normalised paths that are never blocked and never learned."],
  ["allowlist.prefix", "[]", "Normalised path prefixes (segment-wise) that are never blocked and never learned."],
  ["learning.rate", "0", "Token bucket per backend: rules learned per second (0 = unlimited)."],
  ["learning.burst", "0", "Token bucket size (0 = same as rate)."],
  ["learning.confirm_signals", "1", "A rule is enforced only after this many signals for its key..."],
  ["learning.confirm_clients", "1", "...from at least this many distinct client addresses."],
  ["auth.cookie", "(none)", "Cookie whose presence makes a request authenticated (for auth=anon|authed rules)."],
  ["auth.header", "authorization", "Request header whose presence makes a request authenticated, when no cookie is configured."],
  ["response_trailers", "drop", "`drop`: every response trailer is dropped, since no rule can strip a signal header from trailers (HAProxy 3.2+; before 3.2 HAProxy can neither drop nor edit them, so trailers pass). `forward` keeps them (gRPC needs its grpc-status trailer)."],
  ["dry_run", "false", "Global shadow mode: would-block requests are counted and logged, and pass."],
  ["state.dir", "state", "Folder for the snapshot and journal that keep rules across reloads and restarts (`none` disables). Created by render; it must be writable by HAProxy."],
  ["state.snapshot_interval", "300", "Seconds between snapshots (compactions of the journal; longer for big stores); the journal covers the time in between."],
  ["state.sweep_interval", "10", "Seconds between sweeps that free the memory of expired rules."],
  ["state.walk_limit", "100000", "Rule tables up to this many entries are swept with one `clear table` walk (which does not yield on 2.6: 17 ms at 100k); bigger tables, when `state.dir` is set, have expired entries cleared key by key after each snapshot."],
  ["backends[].name", "(required)", "Backend name: letters, digits, - and _. Reserved: edge, stats, eb_ctl, eb_stats, eb_handoff and names starting with eb_rules_, eb_pending_ or eb_seen_."],
  ["backends[].trusted", "false", "Accept signals from this backend."],
  ["backends[].max_rules", "100000", "Rules this backend may hold at once."],
  ["backends[].interim_responses", "drop", "`drop`: a response that starts with a 1xx (other than 101) is dropped whole (the client's connection or h2 stream is closed), because HAProxy forwards 1xx untouched and no rule could strip a signal header from them; HAProxy answers `Expect: 100-continue` itself. `forward` passes them (103 Early Hints), and a signal header on one reaches the client."],
  ["backends[].servers[]", "(required)", "`{name, address, port, port_env}` for each server."],
  ["routes[]", "[]", "`{backend, path_prefix, host}`: the first route whose path prefix and host both match picks the backend. path_prefix is a normalised path and matches segment-wise on the normalised request path (`/api` matches `/api`, `/api/x` and `//API/./x` with case_insensitive, not `/apix`); host matches the Host header or an absolute-form request's authority, without port."],
  ["default_backend", "first backend", "Backend for requests no route matches."],
];


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

  get rootMap(): YAMLMap | undefined {
    return this.root;
  }
}

const NAME = /^[A-Za-z0-9_-]{1,48}$/;
/** Section names the renderer writes itself: a backend of the same name would make HAProxy reject the config. */
export const RESERVED_NAMES = ["edge", "stats", CONTROL_TABLE, STATS_TABLE, HANDOFF_BACKEND];
export const RESERVED_PREFIXES = [RULE_TABLE_PREFIX, PENDING_TABLE_PREFIX, SEEN_TABLE_PREFIX];

function reservedName(name: string): string | undefined {
  if (RESERVED_NAMES.includes(name)) return `${name} is a name edgeblock uses for its own sections (reserved: ${RESERVED_NAMES.join(", ")}, ${RESERVED_PREFIXES.map((p) => p + "*").join(", ")})`;
  const p = RESERVED_PREFIXES.find((x) => name.startsWith(x));
  return p ? `names starting with ${p} are edgeblock's own (rule and confirmation tables)` : undefined;
}
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;
const HOST = /^[A-Za-z0-9._:-]+$/;

function listenOf(r: Reader, parent: YAMLMap | undefined, key: string, def: ListenAddress): ListenAddress {
  const m = r.map(parent, key, key, key === "listen" ? ["address", "port", "port_env", "h2c_port"] : ["address", "port", "port_env"]);
  const portEnv = m ? r.str(m, "port_env", `${key}.port_env`, "", ENV_NAME, "upper-case letters, digits and _") : "";
  const h2cPort = m && key === "listen" ? r.int(m, "h2c_port", `${key}.h2c_port`, 0, 1, 65535) : 0;
  return {
    ...(h2cPort ? { h2cPort } : {}),
    address: m ? r.str(m, "address", `${key}.address`, def.address, HOST, "an IP address or host name") : def.address,
    port: m ? r.int(m, "port", `${key}.port`, def.port, 1, 65535) : def.port,
    ...(portEnv ? { portEnv } : {}),
  };
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
    r.checkKeys(top, "", ["listen", "stats", "runtime_api", "lua", "threads", "log", "paths", "rules", "static_map", "allowlist", "learning", "auth", "dry_run", "state", "backends", "routes", "default_backend", "response_trailers"]);
  }
  // paths written absolute stay absolute in the rendered files (a container's /var/lib/edgeblock), relative ones stay relative
  const absolute = new Set<string>();
  const resolve = (p: string) => {
    const abs = path.resolve(base, p);
    if (path.isAbsolute(p)) absolute.add(abs);
    return abs;
  };

  const listen = listenOf(r, top, "listen", { address: "127.0.0.1", port: 8080 });
  const stats = listenOf(r, top, "stats", { address: "127.0.0.1", port: 8404 });
  const api = r.map(top, "runtime_api", "runtime_api", ["socket"]);
  const lua = r.map(top, "lua", "lua", ["file", "load"]);
  const load = r.str(lua, "load", "lua.load", "shared", /^(shared|per-thread)$/, "shared or per-thread") as "shared" | "per-thread";
  const paths = r.map(top, "paths", "paths", ["case_insensitive", "merge_slashes", "strip_trailing_slash"]);
  const rules = r.map(top, "rules", "rules", ["default_ttl", "max_ttl", "default_status", "allowed_statuses", "max_signal_bytes", "max_key_length", "max_body_bytes", "max_rules_per_signal", "on_full"]);
  const allow = r.map(top, "allowlist", "allowlist", ["exact", "prefix"]);
  const learning = r.map(top, "learning", "learning", ["rate", "burst", "confirm_signals", "confirm_clients"]);
  const auth = r.map(top, "auth", "auth", ["cookie", "header"]);
  const state = r.map(top, "state", "state", ["dir", "snapshot_interval", "sweep_interval", "walk_limit"]);
  const pathPolicy = {
    caseInsensitive: r.bool(paths, "case_insensitive", "paths.case_insensitive", false),
    mergeSlashes: r.bool(paths, "merge_slashes", "paths.merge_slashes", true),
    stripTrailingSlash: r.bool(paths, "strip_trailing_slash", "paths.strip_trailing_slash", true),
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
  const maxTtl = r.int(rules, "max_ttl", "rules.max_ttl", 604800, 1, MAX_TTL_LIMIT);
  const defaultTtl = r.int(rules, "default_ttl", "rules.default_ttl", 3600, 1, MAX_TTL_LIMIT);
  if (defaultTtl > maxTtl) r.error(r.node(rules, "default_ttl"), "rules.default_ttl", `must not exceed rules.max_ttl (${maxTtl})`);
  const defaultStatus = r.int(rules, "default_status", "rules.default_status", 404, 400, 599);
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
      r.checkKeys(item, f, ["name", "trusted", "max_rules", "interim_responses", "servers"]);
      const name = r.str(item, "name", `${f}.name`, "", NAME, "letters, digits, - and _ (at most 48)");
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
          r.checkKeys(s, sf, ["name", "address", "port", "port_env"]);
          if (!r.node(s, "port")) r.error(s, `${sf}.port`, "required");
          const portEnv = r.str(s, "port_env", `${sf}.port_env`, "", ENV_NAME, "upper-case letters, digits and _");
          const server = {
            name: r.str(s, "name", `${sf}.name`, `s${j + 1}`, NAME, "letters, digits, - and _"),
            address: r.str(s, "address", `${sf}.address`, "127.0.0.1", HOST, "an IP address or host name"),
            port: r.int(s, "port", `${sf}.port`, 0, 1, 65535),
            ...(portEnv ? { portEnv } : {}),
          };
          servers.push(server);
          serverPorts.push({ field: `${sf}.port`, node: r.node(s, "port"), ...server });
        });
      }
      backends.push({
        name,
        trusted: r.bool(item, "trusted", `${f}.trusted`, false),
        interimResponses: r.str(item, "interim_responses", `${f}.interim_responses`, "drop", /^(drop|forward)$/, "drop or forward") as "drop" | "forward",
        maxRules: r.int(item, "max_rules", `${f}.max_rules`, 100000, 1, 10_000_000),
        servers,
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
      r.checkKeys(item, f, ["backend", "path_prefix", "host"]);
      const backend = r.str(item, "backend", `${f}.backend`, "", NAME);
      if (!r.node(item, "backend")) r.error(item, `${f}.backend`, "required");
      else if (!backends.some((b) => b.name === backend)) r.error(r.node(item, "backend"), `${f}.backend`, `no backend named ${backend}`);
      let pathPrefix = r.str(item, "path_prefix", `${f}.path_prefix`, "", /^\/[\x21-\x7e]*$/, "a path starting with /");
      // routes decide on the normalised path, as rules do: a prefix must be written as it normalises
      const np = pathPrefix ? normalizePath(pathPrefix, pathPolicy, 4094) : undefined;
      if (np && (!np.ok || np.path !== pathPrefix)) {
        r.error(r.node(item, "path_prefix"), `${f}.path_prefix`, np.ok ? `path ${JSON.stringify(pathPrefix)} is not normalised; write ${JSON.stringify(np.path)}` : `expected an absolute path, got ${JSON.stringify(pathPrefix)}`);
        pathPrefix = "";
      }
      const host = r.str(item, "host", `${f}.host`, "", HOST, "a host name").toLowerCase();
      if (!pathPrefix && !host) r.error(item, f, "a route needs path_prefix or host");
      routes.push({ backend, ...(pathPrefix ? { pathPrefix } : {}), ...(host ? { host } : {}) });
    });
  }
  const defaultBackend = r.str(top, "default_backend", "default_backend", backends[0]?.name ?? "", NAME);
  if (backends.length > 0 && !backends.some((b) => b.name === defaultBackend)) {
    r.error(r.node(top, "default_backend"), "default_backend", `no backend named ${defaultBackend}`);
  }

  // one port, one purpose: two listeners on one port split the traffic between them
  const ports: Array<[string, Node | undefined, string, number]> = [
    ["listen.port", r.node(r.node(top, "listen") as YAMLMap | undefined, "port"), listen.address, listen.port],
    ["stats.port", r.node(r.node(top, "stats") as YAMLMap | undefined, "port"), stats.address, stats.port],
  ];
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
  const stateNode = r.node(state, "dir");
  const stateDir = r.str(state, "dir", "state.dir", "state");
  if (stateDir !== "none" && existsSync(resolve(stateDir)) && !statSync(resolve(stateDir)).isDirectory()) {
    r.error(stateNode ?? top, "state.dir", `${resolve(stateDir)} is a file, not a folder`);
  }
  const staticNode = r.node(top, "static_map");
  const staticMap = resolve(r.str(top, "static_map", "static_map", "path_status.map"));
  // the default map is created empty on first render; a map named in the config must exist (a typo would block nothing)
  if (staticNode !== undefined && !existsSync(staticMap)) r.error(staticNode, "static_map", `${staticMap} does not exist`);

  const config: EdgeConfig = {
    source: path.resolve(file),
    absolutePaths: absolute,
    listen,
    stats,
    runtimeApiSocket: resolve(r.str(api, "socket", "runtime_api.socket", "run/admin.sock")),
    // without lua.file, the bundle of this package (a checkout's or node_modules/edgeblock's)
    lua: { file: r.node(lua, "file") === undefined ? PACKAGED_BUNDLE : resolve(r.str(lua, "file", "lua.file", "")), load },
    threads: r.int(top, "threads", "threads", 1, 1, 64),
    logTarget: r.str(top, "log", "log", "stderr", /^(stderr|stdout|\/[^\s]+|[A-Za-z0-9.-]+:\d+)$/, "stderr, stdout, /dev/log or host:port"),
    paths: pathPolicy,
    rules: {
      defaultTtl,
      maxTtl,
      defaultStatus,
      allowedStatuses: allowed,
      maxSignalBytes: r.int(rules, "max_signal_bytes", "rules.max_signal_bytes", 1024, 16, 65536),
      maxKeyLength: r.int(rules, "max_key_length", "rules.max_key_length", 160, 8, 4094),
      maxBodyBytes: r.int(rules, "max_body_bytes", "rules.max_body_bytes", 256, 0, 4096),
      maxRulesPerSignal: r.int(rules, "max_rules_per_signal", "rules.max_rules_per_signal", 8, 1, 64),
      onFull: r.str(rules, "on_full", "rules.on_full", "evict", /^(evict|refuse)$/, "evict or refuse") as "evict" | "refuse",
    },
    allowlist: { exact: pathList("exact"), prefix: pathList("prefix") },
    learning: {
      rate: r.int(learning, "rate", "learning.rate", 0, 0, 1_000_000),
      burst: r.int(learning, "burst", "learning.burst", 0, 0, 1_000_000),
      confirmSignals: r.int(learning, "confirm_signals", "learning.confirm_signals", 1, 1, 1000),
      confirmClients: r.int(learning, "confirm_clients", "learning.confirm_clients", 1, 1, 1000),
    },
    auth: (() => {
      const cookie = r.str(auth, "cookie", "auth.cookie", "", /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, "a cookie name");
      const header = r.str(auth, "header", "auth.header", "authorization", /^[A-Za-z0-9-]{1,64}$/, "a header name").toLowerCase();
      return cookie ? { cookie, header } : { header };
    })(),
    dryRun: r.bool(top, "dry_run", "dry_run", false),
    responseTrailers: r.str(top, "response_trailers", "response_trailers", "drop", /^(drop|forward)$/, "drop or forward") as "drop" | "forward",
    state: (() => {
      const dir = stateDir;
      return {
        dir: dir === "none" ? "" : resolve(dir),
        snapshotInterval: r.int(state, "snapshot_interval", "state.snapshot_interval", 300, 1, 86400),
        sweepInterval: r.int(state, "sweep_interval", "state.sweep_interval", 10, 1, 86400),
        walkLimit: r.int(state, "walk_limit", "state.walk_limit", 100000, 0, 100000000),
      };
    })(),
    staticMap,
    backends,
    routes,
    defaultBackend,
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

