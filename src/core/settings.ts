/**
 * Settings that blocks.lua reads at load time. Node renders them from the
 * validated user config (formatSettings); Lua parses them (parseSettings).
 * The text format is `key value` per line so that no JSON/YAML parser has to
 * exist on the Lua side. Repeated keys (allow_exact, allow_prefix) accumulate.
 */
import { parseDecimal, splitOn, trimOws } from "./bytes";
import { DEFAULT_PATH_POLICY, PathPolicy } from "./path";

export type OnFull = "evict" | "refuse";

export interface Settings {
  /** Runtime API address Lua writes rules through, e.g. `unix@run/admin.sock`. */
  readonly runtimeApi: string;
  /** Seconds a rule lives when the signal does not say. */
  readonly defaultTtl: number;
  /** Upper bound on any rule's lifetime, in seconds. */
  readonly maxTtl: number;
  /** Status for `X-Edge-Resource: false` and for rules whose response status is not an error. */
  readonly defaultStatus: number;
  /** Statuses the rendered config can answer with. Anything else is rejected at learn time. */
  readonly allowedStatuses: readonly number[];
  /** Signals larger than this many bytes are rejected. */
  readonly maxSignalBytes: number;
  /** Longest stick-table key (path plus method/qualifier suffix); the table's key length is this plus 2. */
  readonly maxKeyLength: number;
  /** Longest answer body a rule may carry. */
  readonly maxBodyBytes: number;
  /** Most rules one signal may carry. */
  readonly maxRulesPerSignal: number;
  /** How request paths are normalised. */
  readonly pathPolicy: PathPolicy;
  /** Paths never blocked, and never learned. */
  readonly allowExact: readonly string[];
  /** Path prefixes (segment-wise) never blocked, and never learned. */
  readonly allowPrefix: readonly string[];
  /** Token bucket per backend: rules learned per second (0 = unlimited) and burst size. */
  readonly learnRate: number;
  readonly learnBurst: number;
  /** A rule is enforced only after this many signals for its key ... */
  readonly confirmSignals: number;
  /** ... from at least this many distinct clients. */
  readonly confirmClients: number;
  /** What a full rule table does with a new rule: evict the least recently used entry, or refuse the rule. */
  readonly onFull: OnFull;
  /** Folder for the snapshot and journal that carry rules across reloads; empty = no persistence. */
  readonly stateDir: string;
  /** Seconds between sweeps that free expired rules. */
  readonly sweepInterval: number;
  /** Seconds between snapshots (the journal covers the time in between). */
  readonly snapshotInterval: number;
  /** Rule tables up to this many entries are swept by a walk; bigger ones key by key from compaction. */
  readonly walkLimit: number;
  /**
   * The log target when it is the process's own stdout or stderr, else "off". HAProxy before 3.0 copies
   * every Lua log line to stderr besides the target (hlua_sendlog); blocks.lua then writes its events
   * to that stream itself, once.
   */
  readonly logStream: LogStream;
}

export type LogStream = "stderr" | "stdout" | "off";

export const DEFAULT_ALLOWED_STATUSES: readonly number[] = [400, 401, 403, 404, 405, 410, 429, 451, 500, 503];

export const DEFAULT_SETTINGS: Settings = {
  runtimeApi: "unix@run/admin.sock",
  defaultTtl: 3600,
  maxTtl: 86400 * 7,
  defaultStatus: 404,
  allowedStatuses: DEFAULT_ALLOWED_STATUSES,
  maxSignalBytes: 2048,
  maxKeyLength: 160,
  maxBodyBytes: 256,
  maxRulesPerSignal: 8,
  pathPolicy: DEFAULT_PATH_POLICY,
  allowExact: [],
  allowPrefix: [],
  learnRate: 0,
  learnBurst: 0,
  confirmSignals: 1,
  confirmClients: 1,
  onFull: "evict",
  stateDir: "",
  sweepInterval: 10,
  snapshotInterval: 300,
  walkLimit: 100000,
  logStream: "off",
};

export type SettingsResult =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly errors: readonly string[] };

function onOff(b: boolean): string {
  return b ? "on" : "off";
}

/** Render settings as the text blocks.lua reads. */
export function formatSettings(s: Settings): string {
  let statuses = "";
  for (let i = 0; i < s.allowedStatuses.length; i++) statuses = statuses + (i > 0 ? "," : "") + s.allowedStatuses[i];
  let out =
    "# edgeblock settings, rendered by `edgeblock render`; read by blocks.lua at load time\n" +
    "runtime_api " + s.runtimeApi + "\n" +
    "default_ttl " + s.defaultTtl + "\n" +
    "max_ttl " + s.maxTtl + "\n" +
    "default_status " + s.defaultStatus + "\n" +
    "allowed_statuses " + statuses + "\n" +
    "max_signal_bytes " + s.maxSignalBytes + "\n" +
    "max_key_length " + s.maxKeyLength + "\n" +
    "max_body_bytes " + s.maxBodyBytes + "\n" +
    "max_rules_per_signal " + s.maxRulesPerSignal + "\n" +
    "path_case_insensitive " + onOff(s.pathPolicy.caseInsensitive) + "\n" +
    "path_merge_slashes " + onOff(s.pathPolicy.mergeSlashes) + "\n" +
    "path_strip_trailing_slash " + onOff(s.pathPolicy.stripTrailingSlash) + "\n" +
    "learn_rate " + s.learnRate + "\n" +
    "learn_burst " + s.learnBurst + "\n" +
    "confirm_signals " + s.confirmSignals + "\n" +
    "confirm_clients " + s.confirmClients + "\n" +
    "on_full " + s.onFull + "\n" +
    "sweep_interval " + s.sweepInterval + "\n" +
    "snapshot_interval " + s.snapshotInterval + "\n" +
    "walk_limit " + s.walkLimit + "\n" +
    "log_stream " + s.logStream + "\n";
  if (s.stateDir.length > 0) out = out + "state_dir " + s.stateDir + "\n";
  for (const p of s.allowExact) out = out + "allow_exact " + p + "\n";
  for (const p of s.allowPrefix) out = out + "allow_prefix " + p + "\n";
  return out;
}

interface Draft {
  [key: string]: number | string | boolean | number[] | string[];
}

/** Integer settings: key -> [field, min, max]. */
const INTS: { [key: string]: [string, number, number] } = {
  default_ttl: ["defaultTtl", 1, 4294967295],
  max_ttl: ["maxTtl", 1, 4294967295],
  default_status: ["defaultStatus", 400, 599],
  max_signal_bytes: ["maxSignalBytes", 16, 65536],
  max_key_length: ["maxKeyLength", 8, 4094],
  max_body_bytes: ["maxBodyBytes", 0, 4096],
  max_rules_per_signal: ["maxRulesPerSignal", 1, 64],
  learn_rate: ["learnRate", 0, 1000000],
  learn_burst: ["learnBurst", 0, 1000000],
  confirm_signals: ["confirmSignals", 1, 1000],
  confirm_clients: ["confirmClients", 1, 1000],
  sweep_interval: ["sweepInterval", 1, 86400],
  snapshot_interval: ["snapshotInterval", 1, 86400],
  walk_limit: ["walkLimit", 0, 100000000],
};

const FLAGS: { [key: string]: string } = {
  path_case_insensitive: "caseInsensitive",
  path_merge_slashes: "mergeSlashes",
  path_strip_trailing_slash: "stripTrailingSlash",
};

/** Parse the settings text; unknown keys and bad values are errors naming the line. */
export function parseSettings(text: string): SettingsResult {
  const d: Draft = {
    runtimeApi: DEFAULT_SETTINGS.runtimeApi,
    onFull: DEFAULT_SETTINGS.onFull,
    logStream: DEFAULT_SETTINGS.logStream,
    stateDir: "",
    caseInsensitive: DEFAULT_PATH_POLICY.caseInsensitive,
    mergeSlashes: DEFAULT_PATH_POLICY.mergeSlashes,
    stripTrailingSlash: DEFAULT_PATH_POLICY.stripTrailingSlash,
  };
  for (const k in INTS) d[INTS[k][0]] = DEFAULT_SETTINGS[INTS[k][0] as keyof Settings] as number;
  let statuses: number[] = [];
  for (const s of DEFAULT_SETTINGS.allowedStatuses) statuses.push(s);
  const allowExact: string[] = [];
  const allowPrefix: string[] = [];
  const errors: string[] = [];
  const lines = splitOn(text, 10);
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    const cr = line.indexOf("\r");
    if (cr >= 0) line = line.substring(0, cr);
    line = trimOws(line);
    if (line.length === 0 || line.charCodeAt(0) === 35) continue;
    const sp = line.indexOf(" ");
    const key = sp < 0 ? line : line.substring(0, sp);
    const value = sp < 0 ? "" : trimOws(line.substring(sp + 1));
    const where = "settings line " + (n + 1) + " (" + key + ")";
    const int = INTS[key];
    const flag = FLAGS[key];
    if (int !== undefined) {
      const v = parseDecimal(value, int[2]);
      if (v < int[1]) errors.push(where + ": expected an integer from " + int[1] + " to " + int[2] + ", got '" + value + "'");
      else d[int[0]] = v;
    } else if (flag !== undefined) {
      if (value !== "on" && value !== "off") errors.push(where + ": expected on or off, got '" + value + "'");
      else d[flag] = value === "on";
    } else if (key === "runtime_api" || key === "state_dir") {
      if (value.length === 0) errors.push(where + ": empty value");
      else d[key === "runtime_api" ? "runtimeApi" : "stateDir"] = value;
    } else if (key === "on_full") {
      if (value !== "evict" && value !== "refuse") errors.push(where + ": expected evict or refuse, got '" + value + "'");
      else d.onFull = value;
    } else if (key === "log_stream") {
      if (value !== "stderr" && value !== "stdout" && value !== "off") errors.push(where + ": expected stderr, stdout or off, got '" + value + "'");
      else d.logStream = value;
    } else if (key === "allow_exact" || key === "allow_prefix") {
      if (value.length === 0 || value.charCodeAt(0) !== 47) errors.push(where + ": expected a path starting with /");
      else if (key === "allow_exact") allowExact.push(value);
      else allowPrefix.push(value);
    } else if (key === "allowed_statuses") {
      statuses = [];
      for (const part of splitOn(value, 44)) {
        const v = parseDecimal(trimOws(part), 599);
        if (v < 400) errors.push(where + ": '" + part + "' is not a status from 400 to 599");
        else statuses.push(v);
      }
    } else {
      errors.push(where + ": unknown setting");
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const maxTtl = d.maxTtl as number;
  const defaultTtl = d.defaultTtl as number;
  return {
    ok: true,
    settings: {
      runtimeApi: d.runtimeApi as string,
      defaultTtl: defaultTtl > maxTtl ? maxTtl : defaultTtl,
      maxTtl,
      defaultStatus: d.defaultStatus as number,
      allowedStatuses: statuses,
      maxSignalBytes: d.maxSignalBytes as number,
      maxKeyLength: d.maxKeyLength as number,
      maxBodyBytes: d.maxBodyBytes as number,
      maxRulesPerSignal: d.maxRulesPerSignal as number,
      pathPolicy: {
        caseInsensitive: d.caseInsensitive as boolean,
        mergeSlashes: d.mergeSlashes as boolean,
        stripTrailingSlash: d.stripTrailingSlash as boolean,
      },
      allowExact,
      allowPrefix,
      learnRate: d.learnRate as number,
      learnBurst: d.learnBurst as number,
      confirmSignals: d.confirmSignals as number,
      confirmClients: d.confirmClients as number,
      onFull: d.onFull as OnFull,
      stateDir: d.stateDir as string,
      sweepInterval: d.sweepInterval as number,
      snapshotInterval: d.snapshotInterval as number,
      walkLimit: d.walkLimit as number,
      logStream: d.logStream as LogStream,
    },
  };
}
