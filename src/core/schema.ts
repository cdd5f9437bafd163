/**
 * The config schema, declared once: every field of edgeblock.yaml with its type, default, bounds and
 * description, and for the fields blocks.lua reads, their key in edgeblock.settings. The YAML reader
 * (node/config.ts), the settings file (core/settings.ts formatSettings and parseSettings, in Node and in
 * Lua) and docs/config.md (scripts/sync-readme.cjs) all derive from it.
 */

/** Largest stick-table expire HAProxy accepts is 2^31-1 ms: about 24.8 days. */
export const MAX_TTL_LIMIT = 2147483;

/** Statuses a rule may answer with, unless rules.allowed_statuses says otherwise. */
export const DEFAULT_ALLOWED_STATUSES: readonly number[] = [400, 401, 403, 404, 405, 410, 429, 451, 500, 503];

/**
 * int: a whole number from min to max. bool: true/false in YAML, on/off in the settings file. enum: one
 * of `values`. string: non-empty text. paths: a list of normalised absolute paths (one settings line
 * each). statuses: a list of statuses from 400 to 599 (one comma-separated settings line). list: a
 * structure node/config.ts reads itself (backends, routes, servers).
 */
export type FieldKind = "int" | "bool" | "enum" | "string" | "paths" | "statuses" | "list";

export interface Field {
  /** Dotted path in edgeblock.yaml; `[]` marks a list item's field. */
  readonly yaml: string;
  readonly kind: FieldKind;
  /** The default, as the YAML means it (undefined: required, or derived; see `shown`). */
  readonly def?: number | boolean | string;
  /** How docs/config.md shows the default when it is not a plain value. */
  readonly shown?: string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  readonly doc: string;
  /**
   * blocks.lua reads this field from edgeblock.settings: under `key`, as Settings property `name`.
   * `def` is the settings file's own default where the renderer writes a derived value (a socket
   * address, a path relative to the rendered folder, a log stream).
   */
  readonly setting?: Setting;
}

/** How blocks.lua reads a field from edgeblock.settings. */
export interface Setting {
  readonly key: string;
  /** The Settings property. */
  readonly name: string;
  /** The settings file's own default, where the renderer writes a value derived from the YAML's. */
  readonly def?: number | boolean | string;
  /** The settings file's own kind and values, where the derived value has another type than the YAML field. */
  readonly kind?: FieldKind;
  readonly values?: readonly string[];
}

const DURATION = "seconds";

export const FIELDS: readonly Field[] = [
  { yaml: "listen.address", kind: "string", def: "127.0.0.1", doc: "Address the edge listens on." },
  { yaml: "listen.port", kind: "int", def: 8080, min: 1, max: 65535, doc: "Port the edge listens on (1-65535). listen.port, listen.h2c_port and stats.port must differ, and no server may be the edge itself." },
  { yaml: "listen.port_env", kind: "string", shown: "(none)", doc: "Environment variable that overrides listen.port when HAProxy starts." },
  { yaml: "listen.h2c_port", kind: "int", shown: "(none)", min: 1, max: 65535, doc: "Optional second port on listen.address speaking cleartext HTTP/2 (prior knowledge)." },
  {
    yaml: "listen.tls.port",
    kind: "int",
    shown: "(required with tls)",
    min: 1,
    max: 65535,
    doc: "Port on listen.address that terminates TLS (HTTPS). With listen.tls set, listen.port stays plain HTTP and redirects to it unless listen.tls.redirect_http is false.",
  },
  { yaml: "listen.tls.port_env", kind: "string", shown: "(none)", doc: "Environment variable that overrides listen.tls.port when HAProxy starts." },
  {
    yaml: "listen.tls.cert",
    kind: "string",
    shown: "(required with tls)",
    doc: "PEM file holding the certificate, its chain and its private key, or a folder of such files (one per name: HAProxy picks by SNI). It must not be readable by other users.",
  },
  { yaml: "listen.tls.alpn", kind: "enum", def: "h2,http/1.1", values: ["h2,http/1.1", "http/1.1"], doc: "Protocols offered in the TLS handshake: HTTP/2 and HTTP/1.1, or HTTP/1.1 only." },
  { yaml: "listen.tls.min_version", kind: "enum", def: "TLSv1.2", values: ["TLSv1.2", "TLSv1.3"], doc: "Oldest TLS version accepted." },
  { yaml: "listen.tls.redirect_http", kind: "bool", def: true, doc: "Answer plain-HTTP requests on listen.port with a 308 redirect to the same URL over HTTPS (308 keeps the method and body)." },
  { yaml: "listen.tls.hsts_max_age", kind: "int", def: 0, min: 0, max: 63072000, doc: "Seconds of Strict-Transport-Security sent on every HTTPS answer, edgeblock's own blocks included (0 = no header)." },
  { yaml: "listen.tls.hsts_include_subdomains", kind: "bool", def: false, doc: "Add includeSubDomains to Strict-Transport-Security." },
  { yaml: "stats.address", kind: "string", def: "127.0.0.1", doc: "Address of HAProxy's stats page and /metrics." },
  { yaml: "stats.port", kind: "int", def: 8404, min: 1, max: 65535, doc: "Port of HAProxy's stats page, /metrics and /edgeblock/metrics." },
  { yaml: "stats.port_env", kind: "string", shown: "(none)", doc: "Environment variable that overrides stats.port when HAProxy starts." },
  {
    yaml: "runtime_api.socket",
    kind: "string",
    def: "run/admin.sock",
    doc: "Unix socket of HAProxy's runtime API (level admin). Lua writes rules through it.",
    setting: { key: "runtime_api", name: "runtimeApi", def: "unix@run/admin.sock" },
  },
  { yaml: "lua.file", kind: "string", shown: "this package's lua-out/blocks.lua", doc: "The compiled edgeblock Lua bundle (a path relative to this file, or absolute)." },
  { yaml: "lua.load", kind: "enum", def: "shared", values: ["shared", "per-thread"], doc: "`shared` (lua-load) or `per-thread` (lua-load-per-thread)." },
  { yaml: "threads", kind: "int", def: 1, min: 1, max: 64, doc: "nbthread (1-64)." },
  {
    yaml: "log",
    kind: "string",
    def: "stderr",
    doc: "HAProxy log target: stderr, stdout, /dev/log or host:port.",
    // blocks.lua writes its events itself when the target is its own stdout or stderr (lua/log.ts)
    setting: { key: "log_stream", name: "logStream", def: "off", kind: "enum", values: ["stderr", "stdout", "off"] },
  },
  { yaml: "paths.case_insensitive", kind: "bool", def: false, doc: "Fold ASCII case before matching: /YEET is /yeet.", setting: { key: "path_case_insensitive", name: "caseInsensitive" } },
  { yaml: "paths.merge_slashes", kind: "bool", def: true, doc: "Treat // as /.", setting: { key: "path_merge_slashes", name: "mergeSlashes" } },
  { yaml: "paths.strip_trailing_slash", kind: "bool", def: true, doc: "Treat /a/ as /a.", setting: { key: "path_strip_trailing_slash", name: "stripTrailingSlash" } },
  { yaml: "rules.default_ttl", kind: "int", def: 3600, min: 1, max: MAX_TTL_LIMIT, doc: "Seconds a learned rule lives when the signal does not say (at most rules.max_ttl).", setting: { key: "default_ttl", name: "defaultTtl" } },
  { yaml: "rules.max_ttl", kind: "int", def: 604800, min: 1, max: MAX_TTL_LIMIT, doc: "Upper bound on any rule's lifetime, " + DURATION + " (at most " + MAX_TTL_LIMIT + ", HAProxy's longest table expiry).", setting: { key: "max_ttl", name: "maxTtl" } },
  { yaml: "rules.default_status", kind: "int", def: 404, min: 400, max: 599, doc: "Status for `X-Edge-Resource: false`, and for rules that name none when the response status is not an allowed error.", setting: { key: "default_status", name: "defaultStatus" } },
  { yaml: "rules.allowed_statuses", kind: "statuses", shown: "400,401,403,404,405,410,429,451,500,503", doc: "Statuses a rule may answer with (400-599).", setting: { key: "allowed_statuses", name: "allowedStatuses" } },
  { yaml: "rules.max_signal_bytes", kind: "int", def: 1024, min: 16, max: 65536, doc: "Signals longer than this are rejected.", setting: { key: "max_signal_bytes", name: "maxSignalBytes" } },
  {
    yaml: "rules.max_key_length",
    kind: "int",
    def: 160,
    min: 8,
    max: 4094,
    doc: "Longest rule key: the normalised path plus any method or qualifier suffix. It is the stick-table key length, so it sets the memory per rule.",
    setting: { key: "max_key_length", name: "maxKeyLength" },
  },
  { yaml: "rules.max_body_bytes", kind: "int", def: 256, min: 0, max: 4096, doc: "Longest answer body a rule may carry (printable ASCII).", setting: { key: "max_body_bytes", name: "maxBodyBytes" } },
  { yaml: "rules.max_rules_per_signal", kind: "int", def: 8, min: 1, max: 64, doc: "Most rules one response may signal.", setting: { key: "max_rules_per_signal", name: "maxRulesPerSignal" } },
  {
    yaml: "rules.on_full",
    kind: "enum",
    def: "evict",
    values: ["evict", "refuse"],
    doc: "When a backend's rule table is full: `evict` the least recently learned or hit rule, or `refuse` new rules.",
    setting: { key: "on_full", name: "onFull" },
  },
  { yaml: "static_map", kind: "string", def: "path_status.map", doc: "Paths blocked from startup: `<path> [status]` per line. A map named here must exist; the default one is created empty." },
  { yaml: "allowlist.exact", kind: "paths", shown: "[]", doc: "Normalised paths that are never blocked and never learned.", setting: { key: "allow_exact", name: "allowExact" } },
  {
    yaml: "allowlist.prefix",
    kind: "paths",
    shown: "[]",
    doc: "Normalised path prefixes that are never blocked and never learned: `/static` and `/static/` both cover `/static`, `/static/` and everything below it, not `/staticx`.",
    setting: { key: "allow_prefix", name: "allowPrefix" },
  },
  {
    yaml: "allowlist.clients",
    kind: "list",
    shown: "[]",
    doc: "Client addresses or networks (10.0.0.0/8, 2001:db8::/32) that rate limits and rules never stop: what `http-request allow` does in a hand-written config, without skipping the lines that route the request. They still need credentials where auth.require asks.",
  },
  { yaml: "learning.rate", kind: "int", def: 0, min: 0, max: 1000000, doc: "Token bucket per backend: rules learned per second (0 = unlimited); in a cluster, for all nodes together.", setting: { key: "learn_rate", name: "learnRate" } },
  { yaml: "learning.burst", kind: "int", def: 0, min: 0, max: 1000000, doc: "Token bucket size (0 = same as rate).", setting: { key: "learn_burst", name: "learnBurst" } },
  { yaml: "learning.confirm_signals", kind: "int", def: 1, min: 1, max: 1000, doc: "A rule is enforced only after this many signals for its key...", setting: { key: "confirm_signals", name: "confirmSignals" } },
  { yaml: "learning.confirm_clients", kind: "int", def: 1, min: 1, max: 1000, doc: "...from at least this many distinct client addresses.", setting: { key: "confirm_clients", name: "confirmClients" } },
  { yaml: "auth.cookie", kind: "string", shown: "(none)", doc: "Cookie whose presence makes a request authenticated (for auth=anon|authed rules)." },
  { yaml: "auth.header", kind: "string", def: "authorization", doc: "Request header whose presence makes a request authenticated, when no cookie is configured (and neither auth.jwt nor auth.api_keys is)." },
  {
    yaml: "auth.jwt.alg",
    kind: "enum",
    def: "RS256",
    values: ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512"],
    doc: "With auth.jwt, a request is authenticated only by a bearer token that HAProxy verifies natively (jwt_verify): signed with this algorithm, its header naming it, not expired (exp is required), and from auth.jwt.issuer for auth.jwt.audience when they are set. That verified state is what auth=anon|authed rules test.",
  },
  { yaml: "auth.jwt.key", kind: "string", shown: "(required for RS and ES)", doc: "PEM file of the public key that verifies the signatures (BEGIN PUBLIC KEY)." },
  { yaml: "auth.jwt.secret_env", kind: "string", shown: "(required for HS)", doc: "Environment variable of HAProxy's that holds the HMAC secret (never written to haproxy.cfg). No spaces, commas or parentheses in it." },
  { yaml: "auth.jwt.issuer", kind: "string", shown: "(not checked)", doc: "The iss claim a token must carry." },
  { yaml: "auth.jwt.audience", kind: "string", shown: "(not checked)", doc: "The aud claim a token must carry (a single string)." },
  { yaml: "auth.jwt.clock_skew", kind: "int", def: 30, min: 0, max: 600, doc: "Seconds of leeway on exp and nbf for clocks that disagree." },
  { yaml: "auth.api_keys.map", kind: "string", shown: "(none)", doc: "Map file of valid API keys (`<key> <client name>` per line): a request whose key header is listed is authenticated." },
  { yaml: "auth.api_keys.header", kind: "string", def: "x-api-key", doc: "Request header carrying the API key." },
  {
    yaml: "auth.require",
    kind: "list",
    shown: "(every backend, with auth.jwt or auth.api_keys)",
    doc: "Backends whose requests need valid credentials: without them, a 401 with WWW-Authenticate. `[]`: none (credentials then only decide auth=anon|authed rules).",
  },
  {
    yaml: "response_trailers",
    kind: "enum",
    def: "drop",
    values: ["drop", "forward"],
    doc: "`drop`: every response trailer is dropped, since no rule can strip a signal header from trailers (HAProxy 3.2+; before 3.2 HAProxy can neither drop nor edit them, so trailers pass). `forward` keeps them (gRPC needs its grpc-status trailer).",
  },
  { yaml: "dry_run", kind: "bool", def: false, doc: "Global shadow mode: would-block requests are counted and logged, and pass." },
  {
    yaml: "state.dir",
    kind: "string",
    def: "state",
    doc: "Folder for the snapshot and journal that keep rules across reloads and restarts (`none` disables). Created by render; it must be writable by HAProxy.",
    setting: { key: "state_dir", name: "stateDir", def: "" },
  },
  {
    yaml: "state.snapshot_interval",
    kind: "int",
    def: 300,
    min: 1,
    max: 86400,
    doc: "Seconds between snapshots (compactions of the journal; longer for big stores); the journal covers the time in between.",
    setting: { key: "snapshot_interval", name: "snapshotInterval" },
  },
  { yaml: "state.sweep_interval", kind: "int", def: 10, min: 1, max: 86400, doc: "Seconds between sweeps that free the memory of expired rules.", setting: { key: "sweep_interval", name: "sweepInterval" } },
  {
    yaml: "state.walk_limit",
    kind: "int",
    def: 100000,
    min: 0,
    max: 100000000,
    doc: "Rule tables up to this many entries are swept with one `clear table` walk (which does not yield on 2.6: 17 ms at 100k); bigger tables, when `state.dir` is set, have expired entries cleared key by key after each snapshot.",
    setting: { key: "walk_limit", name: "walkLimit" },
  },
  { yaml: "backends", kind: "list", shown: "(required)", doc: "The backends, at least one." },
  {
    yaml: "backends[].name",
    kind: "string",
    shown: "(required)",
    doc: "Backend name: letters, digits, - and _. Reserved: edge, stats, eb_ctl, eb_ready, eb_stats, eb_handoff, eb_sync and names starting with eb_rules_, eb_pending_, eb_seen_ or eb_rl_.",
  },
  { yaml: "backends[].trusted", kind: "bool", def: false, doc: "Accept signals from this backend." },
  { yaml: "backends[].max_rules", kind: "int", def: 100000, min: 1, max: 10000000, doc: "Rules this backend may hold at once." },
  {
    yaml: "backends[].interim_responses",
    kind: "enum",
    def: "drop",
    values: ["drop", "forward"],
    doc: "`drop`: a response that starts with a 1xx (other than 101) is dropped whole (the client's connection or h2 stream is closed), because HAProxy forwards 1xx untouched and no rule could strip a signal header from them; HAProxy answers `Expect: 100-continue` itself. `forward` passes them (103 Early Hints), and a signal header on one reaches the client.",
  },
  { yaml: "backends[].balance", kind: "enum", def: "roundrobin", values: ["roundrobin", "leastconn", "uri", "random"], doc: "How requests are spread over the servers: in turn by weight, to the server with the fewest connections, by a hash of the path (the same path keeps its server), or at random by weight." },
  { yaml: "backends[].retries", kind: "int", def: 3, min: 0, max: 100, doc: "Connection attempts retried on a server before the request fails (HAProxy's retries)." },
  { yaml: "backends[].redispatch", kind: "bool", def: false, doc: "The last retry goes to another server (option redispatch)." },
  { yaml: "backends[].timeouts.connect", kind: "string", def: "5s", doc: "Longest wait for a server's connection to open: a HAProxy duration (500ms, 5s, 1m)." },
  { yaml: "backends[].timeouts.server", kind: "string", def: "30s", doc: "Longest silence from a server while it answers." },
  { yaml: "backends[].timeouts.queue", kind: "string", shown: "timeouts.connect", doc: "Longest a request waits for a server slot when every server is at its maxconn; then it gets a 503." },
  {
    yaml: "backends[].health",
    kind: "list",
    shown: "(none: no checks)",
    doc: "Health checks of every server: active checks (an HTTP request with `path`, or a TCP connect without it) and, with `error_limit`, passive ones on live traffic. A server that fails is taken out until it passes again.",
  },
  { yaml: "backends[].health.path", kind: "string", shown: "(none: TCP connect checks)", doc: "Path of the HTTP check request (option httpchk)." },
  { yaml: "backends[].health.method", kind: "enum", def: "GET", values: ["GET", "HEAD", "OPTIONS"], doc: "Method of the HTTP check request." },
  { yaml: "backends[].health.inter", kind: "string", def: "2s", doc: "Time between two checks of a server (a HAProxy duration)." },
  { yaml: "backends[].health.fall", kind: "int", def: 3, min: 1, max: 1000, doc: "Failed checks in a row that take a server out." },
  { yaml: "backends[].health.rise", kind: "int", def: 2, min: 1, max: 1000, doc: "Passed checks in a row that bring it back." },
  { yaml: "backends[].health.expect_status", kind: "int", shown: "(any 2xx or 3xx)", min: 100, max: 599, doc: "The status a passing HTTP check answers with." },
  { yaml: "backends[].health.expect_string", kind: "string", shown: "(none)", doc: "Text the body of a passing HTTP check contains (instead of expect_status)." },
  { yaml: "backends[].health.error_limit", kind: "int", shown: "(none: no passive checks)", min: 1, max: 10000, doc: "Passive checks: this many failed answers in a row on live traffic (5xx but 501 and 505, timeouts, broken responses) trigger health.on_error." },
  { yaml: "backends[].health.on_error", kind: "enum", def: "mark-down", values: ["mark-down", "sudden-death", "fail-check", "fastinter"], doc: "What error_limit triggers: take the server out at once, let one more failed check do it, count a failed check, or check faster." },
  { yaml: "backends[].cache", kind: "bool", def: false, doc: "Serve this backend's cacheable GET answers from the cache (see cache.*) with an X-Cache-Status header. Requests a rule blocks never get a cached answer, and a cached answer never carries or teaches a signal." },
  {
    yaml: "backends[].let_through",
    kind: "int",
    def: 0,
    min: 0,
    max: 1000000,
    doc: "Revalidation by real traffic: one in this many requests that a learned rule of this backend matches goes on to the backend anyway (counted per rule, logged as would-block). An answer that teaches the same rule again keeps it; a 2xx without it, to a request with the rule's method (GET or HEAD for a rule on any method) and no credentials or cookie, lifts it; any other answer keeps it, a 5xx or none counted as a failure. 0: off; at least 2 (1 would let every match through).",
  },
  {
    yaml: "backends[].probe.rate",
    kind: "int",
    def: 1,
    min: 1,
    max: 100,
    doc: "With backends[].probe, revalidation probes: blocked requests now and then queue their rule, and blocks.lua re-asks the backend (the rule's method and path, an Edge-Probe header, nothing of any client's) at most this many times a second. An answer that teaches the rule again keeps it, one below 500 without it lifts it, a 5xx or no answer keeps it; qualified rules are not probed.",
  },
  { yaml: "backends[].probe.every", kind: "int", def: 3600, min: 10, max: 2592000, doc: "Seconds before the same rule is probed again." },
  {
    yaml: "backends[].on_new_generation",
    kind: "enum",
    def: "drop",
    values: ["drop", "dry-run", "keep"],
    doc: "When the backend's deploy generation changes (a response's Edge-Generation header names a token never seen, or `edgeblock generation set`), the rules created before it: `drop` stops them blocking at once (the request goes to the backend, which may teach the rule again), `dry-run` makes them would-block until a signal under the new generation confirms them, `keep` ignores generations. Only trusted backends change their generation.",
  },
  { yaml: "backends[].servers", kind: "list", shown: "(required)", doc: "The backend's servers, at least one." },
  { yaml: "backends[].servers[].name", kind: "string", shown: "s<n>", doc: "Server name: letters, digits, - and _." },
  { yaml: "backends[].servers[].address", kind: "string", def: "127.0.0.1", doc: "Server address: an IP address or host name." },
  { yaml: "backends[].servers[].port", kind: "int", shown: "(required)", min: 1, max: 65535, doc: "Server port." },
  { yaml: "backends[].servers[].weight", kind: "int", def: 1, min: 0, max: 256, doc: "The server's share of requests against the others' (0: only when every other server is out)." },
  { yaml: "backends[].servers[].maxconn", kind: "int", shown: "(no limit)", min: 1, max: 1000000, doc: "Most requests the server handles at once; the rest wait in the backend's queue (timeouts.queue)." },
  { yaml: "backends[].servers[].port_env", kind: "string", shown: "(none)", doc: "Environment variable that overrides the server's port when HAProxy starts." },
  {
    yaml: "routes",
    kind: "list",
    shown: "[]",
    doc: "`{backend, path_prefix, host}`: the first route whose path prefix and host both match picks the backend. path_prefix is a normalised path and matches segment-wise on the normalised request path (`/api` matches `/api`, `/api/x` and, with paths.case_insensitive, `//API/./x`; not `/apix`): one setting folds case for routes and rules alike, so no spelling reaches a backend whose rules would not see it; host matches the Host header or an absolute-form request's authority, without port.",
  },
  { yaml: "routes[].backend", kind: "string", shown: "(required)", doc: "The backend this route sends requests to." },
  { yaml: "routes[].path_prefix", kind: "string", shown: "(none)", doc: "Normalised path prefix (segment-wise)." },
  { yaml: "routes[].host", kind: "string", shown: "(none)", doc: "Host, without port (lower case)." },
  { yaml: "routes[].domain", kind: "string", shown: "(none)", doc: "A domain: the host itself or any name under it (`example.com` takes `example.com` and `shop.example.com`)." },
  { yaml: "routes[].header.name", kind: "string", shown: "(none)", doc: "A request header the route needs..." },
  { yaml: "routes[].header.value", kind: "string", shown: "(required with header)", doc: "...with exactly this value (for example `X-Api-Version: 2`)." },
  {
    yaml: "routes_map.file",
    kind: "string",
    shown: "(none)",
    doc: "Routing from a map file, tried after routes and before default_backend: `<key> <backend>` per line. With `by: host` a key is a lower-case host without port; with `by: path_prefix` a normalised path ending with `/` (`/api/`), the longest that starts the path wins. Every backend named must exist.",
  },
  { yaml: "routes_map.by", kind: "enum", def: "host", values: ["host", "path_prefix"], doc: "What the map's keys are." },
  { yaml: "default_backend", kind: "string", shown: "first backend", doc: "Backend for requests no route matches." },
  { yaml: "headers.security", kind: "bool", def: false, doc: "Security headers on every answer, edgeblock's own blocks included: X-Content-Type-Options nosniff, X-Frame-Options DENY, Referrer-Policy no-referrer." },
  { yaml: "headers.content_security_policy", kind: "string", shown: "(none)", doc: "A Content-Security-Policy sent on every answer." },
  { yaml: "headers.cors.origins", kind: "list", shown: "(none: no CORS)", doc: "Origins whose browser scripts may call the API (`https://app.example`), or `[\"*\"]` for any (then without credentials). Preflights (OPTIONS with Access-Control-Request-Method) are answered 204 by the edge, before authentication, rate limits and rules." },
  { yaml: "headers.cors.methods", kind: "list", shown: "[GET, HEAD, POST]", doc: "Methods a preflight allows." },
  { yaml: "headers.cors.headers", kind: "list", shown: "[Authorization, Content-Type]", doc: "Request headers a preflight allows." },
  { yaml: "headers.cors.expose", kind: "list", shown: "[]", doc: "Response headers scripts may read (Access-Control-Expose-Headers)." },
  { yaml: "headers.cors.max_age", kind: "int", def: 600, min: 0, max: 86400, doc: "Seconds a browser may keep a preflight's answer." },
  { yaml: "headers.cors.credentials", kind: "bool", def: false, doc: "Allow cookies and credentials (Access-Control-Allow-Credentials); not with origin *." },
  { yaml: "observability.stats_socket", kind: "string", shown: "(none)", doc: "A second runtime API socket at level user, for exporters and dashboards (show stat, show info): they never get edgeblock's admin socket, which can write rules. Mode 660." },
  { yaml: "observability.log_headers", kind: "list", shown: "[]", doc: "Request headers captured into each log line (%hr, between braces, in this order), for example [User-Agent, X-Request-Id]; each cut at 128 bytes." },
  { yaml: "cache.size_mb", kind: "int", def: 64, min: 1, max: 4095, doc: "Memory of the response cache (HAProxy's cache section, shared by the backends with cache: true), in MB." },
  { yaml: "cache.max_age", kind: "int", def: 60, min: 1, max: 86400, doc: "Longest a response stays cached, in seconds (less when its Cache-Control or Expires says so)." },
  { yaml: "cache.max_object_bytes", kind: "int", shown: "size_mb / 256", min: 1024, max: 2147483647, doc: "Largest response stored (at most half the cache)." },
  {
    yaml: "rate_limits",
    kind: "list",
    shown: "[]",
    doc: "Request rate limits, checked in the frontend before any rule: over its limit, a client gets a 429 with Retry-After, counted in edgeblock_requests_rate_limited_total. Each limit has a stick table of its own and a sticky counter (edgeblock holds sc1 and sc2; HAProxy before 2.8 has three, so there only limits for different backends can be combined: the renderer allocates them and a config that needs more does not load).",
  },
  { yaml: "rate_limits[].name", kind: "string", shown: "(required)", doc: "The limit's name (letters, digits and _): its table is eb_rl_<name>, its metric label limit=<name>." },
  {
    yaml: "rate_limits[].key",
    kind: "string",
    shown: "ip",
    doc: "What a limit counts per: `ip` (the client address), `header:<name>` (an API key header), `query:<param>`, or `jwt:<claim>` (a claim of a verified JWT; needs auth.jwt). Requests without the key are not counted.",
  },
  { yaml: "rate_limits[].limit", kind: "int", shown: "(required)", min: 1, max: 1000000000, doc: "Requests allowed per key and period (for keys in no tier)." },
  { yaml: "rate_limits[].period", kind: "string", def: "1s", doc: "The window: a HAProxy duration (1s, 1m, 1h); the rate is HAProxy's http_req_rate over it." },
  { yaml: "rate_limits[].backends", kind: "list", shown: "(every backend)", doc: "The backends whose requests the limit counts (by the route they take)." },
  { yaml: "rate_limits[].size", kind: "int", def: 100000, min: 1, max: 100000000, doc: "Keys the limit's table holds (the least recently seen go first)." },
  { yaml: "rate_limits[].tiers.map", kind: "string", shown: "(none)", doc: "Map file from key to tier name (`<key> <tier>` per line, for example API keys to bronze, silver, gold)." },
  { yaml: "rate_limits[].tiers.limits", kind: "list", shown: "(required with tiers)", doc: "Requests per period for each tier named in the map: `{ bronze: 10, gold: 1000 }`." },
  {
    yaml: "peers.local",
    kind: "string",
    shown: "(none: no cluster)",
    doc: "This node's name in peers.nodes. With peers set, the nodes share their rules, removals, expiry, dry-run and the kill switch through HAProxy's own peers replication (docs/operations.md, \"Running a cluster\"). Render once per node with its own name (or start HAProxy with -L <name>).",
    setting: { key: "cluster_node", name: "clusterNode", def: "" },
  },
  {
    yaml: "peers.nodes",
    kind: "list",
    shown: "(required with peers)",
    doc: "Every node of the cluster, this one included: `{name, address, port}`, the address other nodes reach its peer link on. learning.rate and learning.burst are then the cluster's: each node learns at most its share (rate / nodes).",
    setting: { key: "cluster_nodes", name: "clusterNodes", def: 1, kind: "int" },
  },
  { yaml: "peers.nodes[].name", kind: "string", shown: "(required)", doc: "Node name: letters, digits, ., - and _ (at most 48); the same on every node's config." },
  { yaml: "peers.nodes[].address", kind: "string", shown: "(required)", doc: "IP address or host name of the node's peer link." },
  { yaml: "peers.nodes[].port", kind: "int", shown: "(required)", min: 1, max: 65535, doc: "Port of the node's peer link (its own, not listen.port or stats.port)." },
  { yaml: "peers.tls.cert", kind: "string", shown: "(none: links in clear)", doc: "PEM file with this node's certificate and key: the peer links use TLS both ways (HAProxy's ssl crt), each end verifying the other against peers.tls.ca." },
  { yaml: "peers.tls.ca", kind: "string", shown: "(required with tls)", doc: "PEM file of the CA that signed every node's certificate (ca-file, verify required): a node without such a certificate cannot join." },
  {
    yaml: "peers.sync_size",
    kind: "int",
    def: 10000,
    min: 16,
    max: 1000000,
    doc: "Map writes (prefix rules, qualified specs, bodies, reason names) kept in the replicated sync table, newest first, for nodes that join later; peers replicate tables, not maps.",
  },
];

/** The schema entry of a YAML field; a name not in it is a bug in the caller. */
export function fieldOf(yaml: string): Field {
  for (const f of FIELDS) if (f.yaml === yaml) return f;
  throw new Error("no such config field: " + yaml);
}

/** The fields blocks.lua reads, in settings-file order. */
export function settingFields(): Field[] {
  const out: Field[] = [];
  for (const f of FIELDS) if (f.setting !== undefined) out.push(f);
  return out;
}

/** The keys a YAML mapping may hold: `""` for the top level, `backends[]` for a backend, and so on. */
export function knownKeys(parent: string): string[] {
  const out: string[] = [];
  const at = parent.length === 0 ? "" : parent + ".";
  for (const f of FIELDS) {
    if (f.yaml.substring(0, at.length) !== at) continue;
    const rest = f.yaml.substring(at.length);
    const dot = rest.indexOf(".");
    let key = dot < 0 ? rest : rest.substring(0, dot);
    if (key.substring(key.length - 2) === "[]") key = key.substring(0, key.length - 2);
    let seen = false;
    for (const k of out) if (k === key) seen = true;
    if (!seen) out.push(key);
  }
  return out;
}
