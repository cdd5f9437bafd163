/**
 * Settings that blocks.lua reads at load time. Node renders them from the
 * validated user config (formatSettings); Lua parses them (parseSettings).
 * The text format is `key value` per line so that no JSON/YAML parser has to
 * exist on the Lua side.
 */
import { isDigit, parseDecimal, splitOn, trimOws } from "./bytes";
import { DEFAULT_PATH_POLICY, PathPolicy } from "./path";

export interface Settings {
  /** Runtime API address Lua writes rules through, e.g. `unix@/run/edgeblock/admin.sock`. */
  readonly runtimeApi: string;
  /** Seconds a rule lives when the signal does not say. */
  readonly defaultTtl: number;
  /** Upper bound on any rule's lifetime, in seconds. */
  readonly maxTtl: number;
  /** Status for `X-Edge-Resource: false` without a status. */
  readonly defaultStatus: number;
  /** Statuses the rendered config can answer with. Anything else is rejected at learn time. */
  readonly allowedStatuses: readonly number[];
  /** Signals larger than this many bytes are rejected. */
  readonly maxSignalBytes: number;
  /** Longest normalised path a rule may have (the rule table's key length minus two). */
  readonly maxPathLength: number;
  /** How request paths are normalised. */
  readonly pathPolicy: PathPolicy;
}

export const DEFAULT_ALLOWED_STATUSES: readonly number[] = [
  400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 413, 414, 415, 418, 421, 422, 425, 429, 431, 451, 500,
  501, 502, 503, 504,
];

export const DEFAULT_SETTINGS: Settings = {
  runtimeApi: "unix@/tmp/edgeblock-admin.sock",
  defaultTtl: 3600,
  maxTtl: 86400 * 7,
  defaultStatus: 404,
  allowedStatuses: DEFAULT_ALLOWED_STATUSES,
  maxSignalBytes: 1024,
  maxPathLength: 254,
  pathPolicy: DEFAULT_PATH_POLICY,
};

export type SettingsResult =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly errors: readonly string[] };

function boolText(b: boolean): string {
  return b ? "on" : "off";
}

/** Render settings as the text blocks.lua reads. */
export function formatSettings(s: Settings): string {
  let statuses = "";
  for (let i = 0; i < s.allowedStatuses.length; i++) {
    statuses = statuses + (i > 0 ? "," : "") + s.allowedStatuses[i];
  }
  return (
    "# edgeblock settings, rendered by `edgeblock render`; read by blocks.lua at load time\n" +
    "runtime_api " + s.runtimeApi + "\n" +
    "default_ttl " + s.defaultTtl + "\n" +
    "max_ttl " + s.maxTtl + "\n" +
    "default_status " + s.defaultStatus + "\n" +
    "allowed_statuses " + statuses + "\n" +
    "max_signal_bytes " + s.maxSignalBytes + "\n" +
    "max_path_length " + s.maxPathLength + "\n" +
    "path_case_insensitive " + boolText(s.pathPolicy.caseInsensitive) + "\n" +
    "path_merge_slashes " + boolText(s.pathPolicy.mergeSlashes) + "\n" +
    "path_strip_trailing_slash " + boolText(s.pathPolicy.stripTrailingSlash) + "\n"
  );
}

interface Mutable {
  runtimeApi: string;
  defaultTtl: number;
  maxTtl: number;
  defaultStatus: number;
  allowedStatuses: number[];
  maxSignalBytes: number;
  maxPathLength: number;
  caseInsensitive: boolean;
  mergeSlashes: boolean;
  stripTrailingSlash: boolean;
}

/** Parse the settings text; unknown keys and bad values are errors naming the line. */
export function parseSettings(text: string): SettingsResult {
  const m: Mutable = {
    runtimeApi: DEFAULT_SETTINGS.runtimeApi,
    defaultTtl: DEFAULT_SETTINGS.defaultTtl,
    maxTtl: DEFAULT_SETTINGS.maxTtl,
    defaultStatus: DEFAULT_SETTINGS.defaultStatus,
    allowedStatuses: [],
    maxSignalBytes: DEFAULT_SETTINGS.maxSignalBytes,
    maxPathLength: DEFAULT_SETTINGS.maxPathLength,
    caseInsensitive: DEFAULT_PATH_POLICY.caseInsensitive,
    mergeSlashes: DEFAULT_PATH_POLICY.mergeSlashes,
    stripTrailingSlash: DEFAULT_PATH_POLICY.stripTrailingSlash,
  };
  for (const s of DEFAULT_SETTINGS.allowedStatuses) m.allowedStatuses.push(s);
  const errors: string[] = [];
  const lines = splitOn(text, 10);
  for (let n = 0; n < lines.length; n++) {
    const line = trimOws(lines[n].indexOf("\r") >= 0 ? lines[n].substring(0, lines[n].indexOf("\r")) : lines[n]);
    if (line.length === 0 || line.charCodeAt(0) === 35) continue;
    const sp = line.indexOf(" ");
    const key = sp < 0 ? line : line.substring(0, sp);
    const value = sp < 0 ? "" : trimOws(line.substring(sp + 1));
    const where = "settings line " + (n + 1) + " (" + key + ")";
    const num = (max: number, min: number): number => {
      const v = parseDecimal(value, max);
      if (v < min) errors.push(where + ": expected an integer from " + min + " to " + max + ", got '" + value + "'");
      return v;
    };
    const flag = (): boolean => {
      if (value !== "on" && value !== "off") errors.push(where + ": expected on or off, got '" + value + "'");
      return value === "on";
    };
    if (key === "runtime_api") {
      if (value.length === 0) errors.push(where + ": empty address");
      m.runtimeApi = value;
    } else if (key === "default_ttl") m.defaultTtl = num(4294967295, 1);
    else if (key === "max_ttl") m.maxTtl = num(4294967295, 1);
    else if (key === "default_status") m.defaultStatus = num(599, 400);
    else if (key === "max_signal_bytes") m.maxSignalBytes = num(65536, 16);
    else if (key === "max_path_length") m.maxPathLength = num(4096, 1);
    else if (key === "path_case_insensitive") m.caseInsensitive = flag();
    else if (key === "path_merge_slashes") m.mergeSlashes = flag();
    else if (key === "path_strip_trailing_slash") m.stripTrailingSlash = flag();
    else if (key === "allowed_statuses") {
      m.allowedStatuses = [];
      for (const part of splitOn(value, 44)) {
        const v = parseDecimal(trimOws(part), 599);
        if (v < 400 || !isDigit(part.charCodeAt(0))) {
          errors.push(where + ": '" + part + "' is not a status from 400 to 599");
        } else {
          m.allowedStatuses.push(v);
        }
      }
    } else {
      errors.push(where + ": unknown setting");
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  if (m.defaultTtl > m.maxTtl) m.defaultTtl = m.maxTtl;
  return {
    ok: true,
    settings: {
      runtimeApi: m.runtimeApi,
      defaultTtl: m.defaultTtl,
      maxTtl: m.maxTtl,
      defaultStatus: m.defaultStatus,
      allowedStatuses: m.allowedStatuses,
      maxSignalBytes: m.maxSignalBytes,
      maxPathLength: m.maxPathLength,
      pathPolicy: {
        caseInsensitive: m.caseInsensitive,
        mergeSlashes: m.mergeSlashes,
        stripTrailingSlash: m.stripTrailingSlash,
      },
    },
  };
}
