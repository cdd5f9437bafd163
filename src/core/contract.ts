/**
 * The variable contract: every header, var, table, map and action name that
 * the Lua side, the templates and the docs share. Declared once, here.
 */

/** Signal headers a backend may send. Lower-case, as HAProxy's header tables key them. */
export const HEADERS = {
  /** Short form from the proof of concept: `false` or `false-<status>`. */
  resource: "x-edge-resource",
  /** Protocol v1: an RFC 8941 List of `block`/`remove` members (docs/protocol.md). */
  rule: "edge-rule",
  /** The backend's deploy generation (a token); a new one retires the rules learned before it. */
  generation: "edge-generation",
} as const;

/** The headers that teach rules (the learn action runs only on responses that carry one). */
export const RULE_SIGNAL_HEADERS: readonly string[] = [HEADERS.resource, HEADERS.rule];

/** Every signal header, for stripping from requests and responses: clients neither send nor see them. */
export const SIGNAL_HEADERS: readonly string[] = [HEADERS.resource, HEADERS.rule, HEADERS.generation];

/**
 * Deploy generations: `<backend>` -> epoch second its current generation began, `<backend>:<token>` -> the
 * second each generation was first seen. A rule created before its backend's current generation is stale.
 */
export const GENERATIONS_MAP = "eb_generations.map";
/** The header every revalidation probe carries (the SDK's isProbe() recognises it); probes carry nothing of any client's. */
export const PROBE_HEADER = "edge-probe";

/** Set by <backend> on an answer on the loopback hop: the rule keys its learn action stored (for a let-through's revalidation); never from a client or a server. */
export const HOP_TAUGHT_HEADER = "x-edgeblock-taught";

/** The reason a stale rule's request is logged with (it went on to the backend). */
export const STALE_REASON = "stale-generation";
/** Generation tokens: what a backend or the CLI may name (no map or CLI metacharacters). */
export const GENERATION_TOKEN_MAX = 64;

/** Transaction variables. Set natively or by Lua; read by haproxy.cfg ACLs. */
export const VARS = {
  /**
   * Normalised request path, set in the frontend for every request (the response phase reads it: HAProxy
   * keeps the request line for it only where it is logged, and cut at tune.http.logurilen).
   */
  path: "txn.eb_path",
  /** The current time negated, set once per candidate request: a key is live while its expiry plus this is positive. */
  negNow: "txn.eb_nnow",
  /** Key of the rule that matched, when one did. */
  ruleKey: "txn.eb_key",
  /** Packed answer of the matching rule (see core/answer.ts). */
  ruleAnswer: "txn.eb_ans",
  /** HTTP status to answer a blocked request with. Set only when the request is blocked. */
  blockStatus: "txn.eb_status",
  /** Status from the static map: unset when the path is not listed, "" when listed without a status. */
  staticStatus: "txn.eb_static",
  /** Backend the request routes to, set by the route lines (only where routes are configured): whose rule table is consulted. */
  backend: "txn.eb_be",
  /** Request method, set only when the path has a live rule base (request phase). */
  method: "txn.eb_method",
  /** `authed` when the configured cookie/header is present (set by haproxy.cfg only where qualified rules exist); unset is anonymous. */
  auth: "txn.eb_auth",
  /** Liveness (max rule expiry) of the exact-path index entry. */
  live: "txn.eb_live",
  /** Base key of the longest matching prefix rule (`^/path`), from the prefix map. */
  prefixBase: "txn.eb_pbase",
  /** Liveness of the prefix index entry. */
  prefixLive: "txn.eb_plive",
  /** Qualified specs listed for the exact path / for the prefix: Lua evaluates them. */
  qualSpecs: "txn.eb_qual",
  prefixQualSpecs: "txn.eb_pqual",
  /** Key of the most specific qualified rule matching the request (set by Lua; haproxy.cfg checks it is live). */
  qualKey: "txn.eb_qkey",
  /** Reason label of the matching rule (from the reasons map), for logs and counters. */
  ruleReason: "txn.eb_reason",
  /** Answer body of the matching rule, empty when none. */
  ruleBody: "txn.eb_body",
  /** Set instead of blockStatus when the match is dry-run (per rule, global, or enforcement off). */
  wouldBlock: "txn.eb_would",
  /** Counter key for blocked / would-block requests in the stats table. */
  blockStat: "txn.eb_bstat",
  /** Outcome of signal handling in the response phase: learned | ignored | rejected | removed | pending. */
  signalOutcome: "txn.eb_signal",
  /** Reason attached to signalOutcome (reject reason or rule reason). */
  signalReason: "txn.eb_signal_reason",
  /** A response's deploy generation token (the Edge-Generation header), for the generation lines. */
  generation: "txn.eb_generation",
  /** The epoch second the matched rule's backend's current generation began (the generations map). */
  generationSince: "txn.eb_gen_since",
  /** The rule key a let-through request was let through for (backends[].let_through). */
  letThrough: "txn.eb_let",
  /** Where the probe converter's answer goes (a blocked request that queued its rule for a probe). */
  probeQueued: "txn.eb_probe",
  /** The rule keys this response's learn action stored, space-separated (a let-through answer confirms only its own). */
  taughtKeys: "txn.eb_taught",
  /** A let-through request carried credentials or a cookie: its answer cannot lift a rule. */
  letThroughCredentials: "txn.eb_let_cred",
} as const;

/** Environment variable (set with `setenv` in haproxy.cfg's global section) naming the settings file. */
export const SETTINGS_ENV = "EDGEBLOCK_SETTINGS";

/** Names registered with HAProxy by blocks.lua. Used as `lua.<name>` in haproxy.cfg. */
export const LUA_NAMES = {
  /** http-res action: parse the signal and learn rules. */
  learn: "edgeblock_learn",
  /** Converter: normalise a path that the native fast path could not. */
  normalize: "edgeblock_normalize",
  /** HTTP service: Prometheus metrics (on the stats frontend, /edgeblock/metrics). */
  metrics: "edgeblock_metrics",
  /** http-req action: hold a request while a starting process loads its rules (bounded). */
  wait: "edgeblock_wait",
  /** http-req action: evaluate qualified (host/auth/query) rules listed for this path. */
  match: "edgeblock_match",
  /** http-res action: a response names a generation never seen: make it its backend's current one. */
  generation: "edgeblock_generation",
  /** http-res action: the answer to a let-through request keeps its rule (taught again) or lifts it. */
  revalidate: "edgeblock_revalidate",
  /** Converter: queue a blocked request's rule for a revalidation probe (backends[].probe). */
  probe: "edgeblock_probe",
  /** Converter: count an event named by its argument (for answers no Lua action sees: HAProxy's own 503). */
  count: "edgeblock_count",
} as const;

/** Map files written by blocks.lua (relative to haproxy.cfg). Per-backend ones are `<prefix><backend>.map`. */
export const STORE_MAPS = {
  /** reason id -> reason label */
  reasons: "eb_reasons.map",
  /** body id -> answer body */
  bodies: "eb_bodies.map",
  /** `<prefix path>/` -> `^<prefix path>`: found with map_beg, longest prefix wins */
  prefixPrefix: "eb_prefix_",
  /** base key -> space-separated qualified specs */
  qualPrefix: "eb_qual_",
  /** `<thread>:<counter>` -> cumulative count, written by each Lua state for its own keys */
  counters: "eb_counters.map",
} as const;

/** Stick-table proxy holding the rules a backend taught: `<prefix><backend name>`. */
export const RULE_TABLE_PREFIX = "eb_rules_";

/** Sticky counter slot used to count rule hits on blocked requests. */
export const HIT_COUNTER = 2;
/** Sticky counter slot used to count blocked / would-block requests by status and reason. */
export const STAT_COUNTER = 1;

/** Per-backend tables of the confirmation threshold: candidate rule keys, and (key|client) pairs seen. */
export const PENDING_TABLE_PREFIX = "eb_pending_";
export const SEEN_TABLE_PREFIX = "eb_seen_";

/**
 * Control table: key `enforcement_off`, gpt0 1 = kill switch on (everything is dry-run). Shared with the
 * local peer, so a reload's new process gets the switch from the old one (3.0+), whichever process a
 * command written during the reload reached (the two share the stats socket for a moment).
 */
export const CONTROL_TABLE = "eb_ctl";
export const ENFORCEMENT_OFF_KEY = "enforcement_off";
/** This process's own state, never shared with a peer: key `ready`. */
export const READY_TABLE = "eb_ready";
/** Key set (gpt0 1) in READY_TABLE once a starting process has loaded its rules; requests wait for it (bounded). */
export const READY_KEY = "ready";
/** Process variable blocks.lua sets once this process's rules are loaded: after it, a request's only readiness cost is one variable test. */
export const READY_VAR = "proc.eb_ready";
/** Longest a request waits for a starting process to load its rules before it proceeds (fail-open). */
export const READY_WAIT_MS = 5000;

/** Backend a stopping process hands its last requests to (the new process, on the same address). */
export const HANDOFF_BACKEND = "eb_handoff";

/**
 * The peers section that carries edgeblock's tables from the old process to the new one during a
 * reload (3.0+), and the local peer's name in it. The control table is not carried: its `ready` key
 * must be the new process's own (its maps are loaded from the state files, not by peers).
 */
export const PEERS_SECTION = "edgeblock";
export const LOCAL_PEER = "edgeblock_local";
/** The local peer's unix socket, next to the runtime API socket. */
export const PEER_SOCKET_FILE = "eb_peer.sock";
/**
 * In a cluster (`peers.nodes`), the section above links the nodes, and this one keeps what is each
 * process's own (its counters) on the local unix socket: replicated counters would overwrite each other.
 */
export const LOCAL_PEERS_SECTION = "edgeblock_local";

/**
 * Cluster only: the map writes (prefixes, qualified specs, bodies, reasons) that peers cannot carry,
 * as replicated entries of this table (core/cluster-sync.ts); each node applies them to its own maps.
 */
export const SYNC_TABLE = "eb_sync";
/** Sync-table fields: when the map write happened, epoch seconds and microseconds (the newest wins). */
export const SYNC_FIELDS = { sec: "gpt0", usec: "gpc0" } as const;

/** Stick-table proxy holding the native counters of blocked / would-block requests (gpc0 per key). */
export const STATS_TABLE = "eb_stats";

/**
 * Which stick-table data field holds what, for every rule entry.
 * Only scalar fields are used: on 2.6 the CLI cannot set gpt/gpc array cells beyond 0.
 */
export const RULE_FIELDS = {
  /** Absolute expiry, epoch seconds. The sweeper clears entries with gpt0 below now. */
  expiry: "gpt0",
  /** Packed answer: status, dry-run bit, body id. */
  answer: "gpc0",
  /** Absolute expiry of the rule proper, epoch seconds (gpt0 may be later for index entries). */
  ruleExpiry: "gpc1",
  /** Creation time, epoch seconds. [T] http-request track-sc leaves sess_cnt alone (it bumps conn_cnt). */
  created: "sess_cnt",
  /** Reason id (24 bits) + origin server id x 2^24 (see core/rule.ts packReason). */
  reason: "server_id",
  /** Hits: incremented natively when a blocked request tracks the entry. */
  hits: "http_req_cnt",
} as const;

/** Data fields of the confirmation tables: signals per candidate key and distinct clients; a (key|client) pair seen. */
export const PENDING_FIELDS = { signals: "gpc0", clients: "gpt0" } as const;
export const SEEN_FIELD = "gpt0";
/** Data field of the control table's switches (`ready`, `enforcement_off`): 1 is on. */
export const CONTROL_FIELD = "gpt0";
/** Data field of the native counters in the stats table. */
export const STATS_FIELD = "gpc0";

/** Counter keys in the stats table: `<kind>:<status>:<reason>` (for rate limits, the reason is the limit's name). */
export const BLOCK_STAT = { blocked: "blocked", wouldBlock: "would_block", rateLimited: "rate_limited" } as const;

/** HAProxy's sticky counters before 2.8 (sc0-sc2); 2.8+ sets more with tune.stick-counters. */
export const STICKY_COUNTERS_BEFORE_2_8 = 3;

/** Prefix of a rate limit's stick table: `eb_rl_<limit name>`. */
export const RATE_TABLE_PREFIX = "eb_rl_";

/** Suffix of the backend that evaluates the requests some rule may match (`<backend>.edgeblock`). */
export const EVAL_BACKEND_SUFFIX = ".edgeblock";
/** Rule key and reason of a static-map match (txn.eb_key, txn.eb_reason). */
export const STATIC_RULE = "static";
/** Value of txn.eb_auth when the request carries the configured cookie or header. */
export const AUTHED = "authed";
/** Allowlist files the renderer writes next to haproxy.cfg: exact paths, and prefixes with their trailing `/`. */
export const ALLOW_FILES = { exact: "eb_allow_exact.lst", prefix: "eb_allow_prefix.lst" } as const;

/** The `store` clause every rule table is declared with. */
export const RULE_TABLE_STORE = "gpt0,gpc0,gpc1,sess_cnt,server_id,http_req_cnt";
