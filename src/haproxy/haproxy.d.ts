/**
 * Typed declarations of the HAProxy Lua API edgeblock uses (doc/lua-api/index.rst at v2.6.0, v3.0.0,
 * v3.2.0 and v3.4.0), for TypeScriptToLua. Only declarations: nothing here is emitted.
 *
 * Versions: every declaration exists in 2.6, 3.0, 3.2 and 3.4 (Lua 5.3 on 2.6, 5.4 from 3.0) unless its
 * comment says "since x.y" or names a difference. edgeblock uses none of the 3.x-only API (Patref,
 * core.get_patref, table_inc_gpc from Lua): see docs/design.md, "Per HAProxy version".
 *
 * Conventions that make TSTL emit the right call syntax:
 * - `core` is a `@noSelf` namespace, so `core.Info(m)` compiles to a dot call.
 * - Objects (TXN, HTTP, Fetches, Map, Socket, StickTable...) are interfaces
 *   with methods, so `txn.get_var(n)` compiles to `txn:get_var(n)`.
 * - Callbacks HAProxy calls are typed with `this: void`.
 * Facts marked [T] were checked on Debian's 2.6.12 by test/integration.
 */

/** A header table as returned by req_get_headers/res_get_headers: lower-cased
 * name -> values. [T] Values are **0-indexed**, one entry per header line;
 * comma-separated lists are not split. `#t` and `ipairs` skip index 0. */
declare type HaproxyHeaders = LuaTable<string, LuaTable<number, string>>;

/** Action return codes (the `act` global). */
/** @noSelf */
declare namespace act {
  /** Continue with the next rule. Same as returning nothing. */
  const CONTINUE: number;
  /** Stop evaluating rules of this ruleset. */
  const STOP: number;
  /** Yield and be called again later (see act:wake_time). */
  const YIELD: number;
  /** Abort with an internal error. */
  const ERROR: number;
  /** Stop processing and close the stream (after txn:done semantics). */
  const DONE: number;
  /** Deny the request (403) or response (502). [T] In http-res the server's status is kept unless set first. */
  const DENY: number;
  /** Abort silently. */
  const ABORT: number;
  const INVALID: number;
}

/** Log levels accepted by core.log and TXN.log. */
declare type HaproxyLogLevel = number;

/** `{sec, usec}` as returned by core.now(). */
declare interface HaproxyTime {
  sec: number;
  usec: number;
}

/** The core class: functions available everywhere (some only in some contexts). */
/** @noSelf */
/** An outbound HTTP request for the httpclient (2.5+): headers by name, each a list of values. */
declare interface HaproxyHttpClientRequest {
  url: string;
  headers?: { [name: string]: string[] };
  body?: string;
  /** Milliseconds: a "timeout server" on the connection. */
  timeout?: number;
}

/** The httpclient's answer; status undefined when no response came. [T] headers start at index 0, like res_get_headers. */
declare interface HaproxyHttpClientResponse {
  status?: number;
  reason?: string;
  headers?: HaproxyHeaders;
  body?: string;
}

/** core.httpclient() (2.5+, the same on 2.6 through 3.4): outbound HTTP from a task or an action; each call yields. */
declare interface HaproxyHttpClient {
  get(req: HaproxyHttpClientRequest): HaproxyHttpClientResponse;
  head(req: HaproxyHttpClientRequest): HaproxyHttpClientResponse;
  put(req: HaproxyHttpClientRequest): HaproxyHttpClientResponse;
  post(req: HaproxyHttpClientRequest): HaproxyHttpClientResponse;
  delete(req: HaproxyHttpClientRequest): HaproxyHttpClientResponse;
}

declare namespace core {
  /** A new HTTP client (2.5+). Usable where Lua may yield: tasks and actions. */
  function httpclient(): HaproxyHttpClient;
  const emerg: HaproxyLogLevel;
  const alert: HaproxyLogLevel;
  const crit: HaproxyLogLevel;
  const err: HaproxyLogLevel;
  const warning: HaproxyLogLevel;
  const notice: HaproxyLogLevel;
  const info: HaproxyLogLevel;
  const debug: HaproxyLogLevel;

  /** 0 under `lua-load` (one shared state); 1..nbthread under `lua-load-per-thread`. */
  const thread: number;

  /** Proxies by name (frontends and backends). */
  const proxies: LuaTable<string, HaproxyProxy>;
  /**
   * Proxies with the backend capability, by name. Stick tables hang off these. 2.8+ builds it on
   * demand: iterate it with pairs() (next() on it returns an internal key there).
   */
  const backends: LuaTable<string, HaproxyProxy>;
  /** Proxies with the frontend capability, by name. */
  const frontends: LuaTable<string, HaproxyProxy>;

  /** Send a message to the configured log servers at the given level. */
  function log(level: HaproxyLogLevel, msg: string): void;
  function Debug(msg: string): void;
  function Info(msg: string): void;
  function Warning(msg: string): void;
  function Alert(msg: string): void;

  /**
   * Add or replace `key` in a map file loaded by the configuration (the file
   * name must match byte for byte). Shared across threads and visible to the
   * runtime API. O(n) under a lock on 2.6 ([T] 1.5 ms at 100k entries); O(log n) from 2.9 (3.0.11:
   * 2.9 µs, 3.2.26: 2.0 µs at 100k). 3.2 calls it legacy next to the Patref class.
   */
  function set_map(filename: string, key: string, value: string): void;
  /** Remove every entry with `key` from a loaded map file. O(n) on 2.6, O(log n) from 2.9. */
  function del_map(filename: string, key: string): void;
  /** Add `key` to a loaded ACL file. */
  function add_acl(filename: string, key: string): void;
  /** Remove `key` from a loaded ACL file. */
  function del_acl(filename: string, key: string): void;

  /** Current time with microseconds, from HAProxy's clock. */
  function now(): HaproxyTime;
  /** Sleep without blocking HAProxy (yields). Only where yielding is allowed: not in fetches/converters. */
  function msleep(ms: number): void;
  function sleep(seconds: number): void;
  /** Give the scheduler a chance to run other work (tasks, actions). */
  function yield(): void;

  /**
   * `show info` fields by name. [T] Numeric fields (Pid, Nbthread, Stopping...) are Lua numbers, not
   * strings; `Version` is the full version string on every version (`2.6.12-1+deb12u4`, `3.2.26-1`).
   */
  function get_info(): LuaTable<string, string | number>;

  /**
   * Register an action usable as `lua.<name>` in the listed rulesets:
   * `tcp-req`, `tcp-res`, `http-req`, `http-res`. Arguments from the config
   * arrive as literal strings ([T] `%[...]` is not evaluated).
   * [T] A runtime error inside is logged and the request continues.
   */
  function register_action(
    name: string,
    actions: string[],
    fn: (this: void, txn: HaproxyTxn, ...args: string[]) => number | void,
    nbArgs?: number,
  ): void;
  /** Register a converter usable as `lua.<name>`. It cannot yield. */
  function register_converters(name: string, fn: (this: void, value: string, ...args: string[]) => string | number | undefined): void;
  /** Register a sample fetch usable as `lua.<name>`. It cannot yield. */
  function register_fetches(name: string, fn: (this: void, txn: HaproxyTxn, ...args: string[]) => string | number | undefined): void;
  /** Register a service usable with `http-request use-service lua.<name>`. */
  function register_service(name: string, mode: "http", fn: (this: void, applet: HaproxyAppletHttp) => void): void;
  function register_service(name: string, mode: "tcp", fn: (this: void, applet: HaproxyAppletTcp) => void): void;
  /** Run once after the configuration is parsed, before traffic. */
  function register_init(fn: (this: void) => void): void;
  /** Run a background task. Under lua-load-per-thread it registers once per thread. */
  function register_task(fn: (this: void) => void): void;
  /** Add a runtime API command. */
  function register_cli(path: string[], usage: string, fn: (this: void, ...args: string[]) => void): void;

  /** A cosocket that does not block HAProxy; connect() accepts `unix@/path`, `ipv4@a:p`, `abns@x`. */
  function tcp(): HaproxySocket;
  /** Parse an address/network for match_addr. */
  function parse_addr(address: string): unknown;
  /** Split a string on any of the separator characters. */
  function tokenize(str: string, separators: string, noblank?: boolean): string[];
  /** Stop the current Lua execution immediately (from an action: continue HAProxy processing). */
  function done(data?: unknown): void;
}

/** The transaction object passed to actions and fetches. */
declare interface HaproxyTxn {
  /** Converters (`txn.c:lower(s)`). */
  readonly c: HaproxyConverters;
  /** Sample fetches returning typed values. [T] Request fetches are nil in http-res. */
  readonly f: HaproxyFetches;
  /** Sample fetches returning strings. */
  readonly sf: HaproxyFetches;
  /** HTTP helpers; only in HTTP mode. */
  readonly http: HaproxyHttp;

  /** Read a variable, e.g. `txn.eb_path`; undefined when unset. */
  get_var(name: string): string | number | boolean | undefined;
  /** Set a variable. [T] A float stored in a var becomes 0: pass integers. */
  set_var(name: string, value: string | number | boolean, ifexist?: boolean): void;
  unset_var(name: string): void;
  /** Private Lua data attached to this stream (per Lua state). */
  get_priv(): unknown;
  set_priv(data: unknown): void;

  /** Log through the proxy's log servers. */
  log(level: HaproxyLogLevel, msg: string): void;
  deflog(msg: string): void;
  Debug(msg: string): void;
  Info(msg: string): void;
  Warning(msg: string): void;
  Alert(msg: string): void;

  /** Build a reply for txn:done. Header values here are ordinary 1-based arrays. */
  reply(reply?: HaproxyReplySpec): HaproxyReply;
  /** End the transaction, optionally sending a reply. */
  done(reply?: HaproxyReply | HaproxyReplySpec): void;
  set_loglevel(level: HaproxyLogLevel): void;
}

declare interface HaproxyReplySpec {
  status?: number;
  reason?: string;
  headers?: LuaTable<string, string[]>;
  body?: string;
}

declare interface HaproxyReply {
  set_status(status: number, reason?: string): void;
  add_header(name: string, value: string): void;
  del_header(name: string): void;
  set_body(body: string): void;
}

/** HTTP header manipulation. [T] req_* raise inside http-res, res_* raise inside http-req. */
declare interface HaproxyHttp {
  req_get_headers(): HaproxyHeaders;
  res_get_headers(): HaproxyHeaders;
  req_add_header(name: string, value: string): void;
  res_add_header(name: string, value: string): void;
  req_del_header(name: string): void;
  res_del_header(name: string): void;
  req_set_header(name: string, value: string): void;
  res_set_header(name: string, value: string): void;
  req_set_path(path: string): void;
  res_set_status(status: number, reason?: string): void;
}

/** Sample fetches used by edgeblock. Each returns undefined when the fetch has no value in this phase. */
declare interface HaproxyFetches {
  path(): string | undefined;
  method(): string | undefined;
  query(): string | undefined;
  /** Name of the backend handling the stream. */
  be_name(): string | undefined;
  /** `url`: the request's URI as sent (absolute-form included). */
  url(): string | undefined;
  fe_name(): string | undefined;
  /** Name of the server that answered (response phase). */
  srv_name(): string | undefined;
  /** Numeric id (puid) of the server that answered (response phase). */
  srv_id(): number | undefined;
  src(): string | undefined;
  status(): number | undefined;
  /** Current Unix time in seconds. */
  date(): number;
  /**
   * `stopping`: true once the process was told to stop (a reload's old worker). A boolean sample: a number
   * (1/0) unless `tune.lua.bool-sample-conversion normal` (3.2+), then a boolean. All versions.
   */
  stopping(): boolean | number | undefined;
  /** `req.hdr(name[,occ])`: one request header value (last occurrence by default). Cheaper than req_get_headers. */
  req_hdr(name: string, occ?: number): string | undefined;
  res_hdr(name: string, occ?: number): string | undefined;
}

declare interface HaproxyConverters {
  lower(s: string): string;
  upper(s: string): string;
  url_dec(s: string): string;
}

/** A proxy (frontend/backend/listen). */
declare interface HaproxyProxy {
  /** Deprecated on 3.x (a warning when read; get_name() there), which is why edgeblock takes names from pairs(core.backends). */
  readonly name: string;
  /** Deprecated on 3.x like name. */
  readonly uuid: string;
  readonly servers: LuaTable<string, HaproxyServer>;
  /** The proxy's stick table, when it declares one. */
  readonly stktable: HaproxyStickTable | undefined;
  get_stats(): LuaTable<string, string | number>;
}

declare interface HaproxyServer {
  readonly name: string;
  readonly puid: number;
  /** `ip:port` (every version). */
  get_addr(): string;
  get_stats(): LuaTable<string, string | number>;
}

/** Read-only view of a stick table. Writing needs config actions or the runtime API. */
declare interface HaproxyStickTable {
  /** `{type, length, size, used, expire, data...}`. */
  info(): { type: string; length: number; size: number; used: number; expire: number };
  /**
   * Entry data by field name, or undefined when the key is absent. Does not refresh expiry. [T] Also
   * `expire` (ms until the table expires the entry: every write and hit restarts it, which is how the
   * eviction hand sees recency) and `use` (references), on every version.
   */
  lookup(key: string): LuaTable<string, number> | undefined;
  /** Every entry (optionally filtered). Loads the whole table into Lua memory: avoid on big tables. */
  dump(filter?: unknown): LuaTable<string, LuaTable<string, number>>;
}

/** Cosocket from core.tcp(). Calls yield; only usable where yielding is allowed. */
declare interface HaproxySocket {
  /** Returns 1 on success, or undefined and an error string. */
  connect(address: string, port?: number): LuaMultiReturn<[number | undefined, string | undefined]>;
  /** Returns bytes sent, or undefined and an error. */
  send(data: string): LuaMultiReturn<[number | undefined, string | undefined]>;
  /** Pattern `*l` (a line), `*a` (until close) or a byte count. */
  receive(pattern?: string | number): LuaMultiReturn<[string | undefined, string | undefined]>;
  settimeout(seconds: number): void;
  close(): void;
}

/** A map file opened from Lua. Reach the global as `_G.Map` (it clashes with ES Map in TSTL). */
declare interface HaproxyMap {
  /** Value for key, or undefined when absent. */
  lookup(key: string): string | undefined;
  /** Value for key, or "" when absent. */
  slookup(key: string): string;
}

/** The global `Map` class, reached through the globals table. */
declare interface HaproxyMapClass {
  readonly _str: number;
  readonly _beg: number;
  readonly _int: number;
  /** Load a map file; must be called in the body (load time), not at runtime. */
  ["new"](this: void, file: string, method: number): HaproxyMap;
}

/** Applet given to HTTP services. */
declare interface HaproxyAppletHttp {
  readonly method: string;
  readonly path: string;
  readonly qs: string;
  readonly headers: HaproxyHeaders;
  readonly f: HaproxyFetches;
  set_status(code: number, reason?: string): void;
  add_header(name: string, value: string): void;
  start_response(): void;
  send(msg: string): void;
  receive(size?: number): string;
  get_var(name: string): string | number | boolean | undefined;
}

/** Applet given to TCP services. */
declare interface HaproxyAppletTcp {
  getline(): string;
  receive(size?: number): string;
  send(msg: string): void;
}
