/**
 * The variable contract: every header, var, table, map and action name that
 * the Lua side, the templates and the docs share. Declared once, here.
 */

/** Signal headers a backend may send. Lower-case, as HAProxy's header tables key them. */
export const HEADERS = {
  /** Short form from the proof of concept: `false` or `false-<status>`. */
  resource: "x-edge-resource",
} as const;

/** Every signal header, for stripping from requests and responses. */
export const SIGNAL_HEADERS: readonly string[] = [HEADERS.resource];

/** Transaction variables. Set natively or by Lua; read by haproxy.cfg ACLs. */
export const VARS = {
  /** Normalised request path (request phase; read again in the response phase). */
  path: "txn.eb_path",
  /** Name of the backend that handles the request (request phase). */
  backend: "txn.eb_be",
  /** Rule expiry (epoch seconds) of the exact-path rule found for this request, 0 when none. */
  ruleExpiry: "txn.eb_exp",
  /** Key of the rule that matched, when one did. */
  ruleKey: "txn.eb_key",
  /** Packed answer of the matching rule (see core/answer.ts). */
  ruleAnswer: "txn.eb_ans",
  /** HTTP status to answer a blocked request with. Set only when the request is blocked. */
  blockStatus: "txn.eb_status",
  /** Status from the static map, "none" when the path is not listed. */
  staticStatus: "txn.eb_static",
  /** Outcome of signal handling in the response phase: learned | ignored | rejected. */
  signalOutcome: "txn.eb_signal",
  /** Reason attached to signalOutcome (reject reason or rule reason). */
  signalReason: "txn.eb_signal_reason",
  /** Counter key to increment in the stats table for this response, e.g. `signal_rejected:malformed`. */
  statKey: "txn.eb_stat",
} as const;

/** Environment variable (set with `setenv` in haproxy.cfg's global section) naming the settings file. */
export const SETTINGS_ENV = "EDGEBLOCK_SETTINGS";

/** Names registered with HAProxy by blocks.lua. Used as `lua.<name>` in haproxy.cfg. */
export const LUA_NAMES = {
  /** http-res action: parse the signal and learn rules. */
  learn: "edgeblock_learn",
  /** Converter: normalise a path that the native fast path could not. */
  normalize: "edgeblock_normalize",
} as const;

/** Stick-table proxy holding the rules a backend taught: `<prefix><backend name>`. */
export const RULE_TABLE_PREFIX = "eb_rules_";

/** Sticky counter slot used to count rule hits on blocked requests. */
export const HIT_COUNTER = 2;
/** Sticky counter slot used to count signal outcomes in the response phase. */
export const STAT_COUNTER = 1;

/** Stick-table proxy holding edgeblock's own counters (gpc0 per counter key). */
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
  /** Reason id: fnv1a32 of the label, below 2^31 because server_id is signed. */
  reason: "server_id",
  /** Hits: incremented natively when a blocked request tracks the entry. */
  hits: "http_req_cnt",
} as const;

/** The `store` clause every rule table is declared with. */
export const RULE_TABLE_STORE = "gpt0,gpc0,gpc1,sess_cnt,server_id,http_req_cnt";
