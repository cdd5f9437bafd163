/**
 * Settings that blocks.lua reads at load time, in both directions from one schema (core/schema.ts):
 * Node writes them from the validated user config (formatSettings); Lua (and the CLI) read them
 * (parseSettings). The text format is `key value` per line, so that no JSON/YAML parser has to exist on
 * the Lua side. Repeated keys (allow_exact, allow_prefix) accumulate.
 */
import { itoa, parseDecimal, splitOn, trimOws } from "./bytes";
import { PathPolicy } from "./path";
import { DEFAULT_ALLOWED_STATUSES, Field, settingFields } from "./schema";

export { DEFAULT_ALLOWED_STATUSES };

export type OnFull = "evict" | "refuse";

/** What blocks.lua runs with. Its fields, keys, defaults and bounds are the schema's (core/schema.ts). */
export interface Settings extends PathPolicy {
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
  /** This node's name in a cluster (peers.local), or "" alone: map writes are then also published in the sync table. */
  readonly clusterNode: string;
  /** Nodes in the cluster (1 alone): each learns at most learning.rate / clusterNodes, so that the rate limit is the cluster's. */
  readonly clusterNodes: number;
}

export type LogStream = "stderr" | "stdout" | "off";

export type SettingsResult =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly errors: readonly string[] };

type Value = number | boolean | string | number[] | string[];

/** The settings file's default of a field: its own where the renderer writes a derived value, else the YAML's. */
function defaultOf(f: Field): Value {
  if (f.kind === "paths") return [];
  if (f.kind === "statuses") return [...DEFAULT_ALLOWED];
  const d = f.setting !== undefined && f.setting.def !== undefined ? f.setting.def : f.def;
  return d === undefined ? "" : d;
}

function defaults(): { [name: string]: Value } {
  const d: { [name: string]: Value } = {};
  for (const f of settingFields()) d[f.setting!.name] = defaultOf(f);
  return d;
}

/** Render settings as the text blocks.lua reads, one line per field (a line per path for lists of paths). */
export function formatSettings(s: Settings): string {
  const values = s as unknown as { [name: string]: Value };
  let out = "# edgeblock settings, rendered by `edgeblock render`; read by blocks.lua at load time\n";
  for (const f of settingFields()) {
    const key = f.setting!.key;
    const v = values[f.setting!.name];
    // a derived setting can have another kind than its YAML field (a list's length)
    const kind = f.setting!.kind !== undefined ? f.setting!.kind : f.kind;
    if (kind === "paths") {
      for (const p of v as string[]) out = out + key + " " + p + "\n";
    } else if (kind === "statuses") {
      let list = "";
      for (const st of v as number[]) list = list + (list.length > 0 ? "," : "") + itoa(st);
      out = out + key + " " + list + "\n";
    } else if (kind === "bool") {
      out = out + key + " " + (v === true ? "on" : "off") + "\n";
    } else if (kind === "int") {
      out = out + key + " " + itoa(v as number) + "\n";
    } else if ((v as string).length > 0) {
      // an empty string is the field's absence (state_dir: no persistence)
      out = out + key + " " + (v as string) + "\n";
    }
  }
  return out;
}

/** Check one settings value against its field; returns the value or an error text. */
function valueOf(f: Field, value: string): { v: Value } | { error: string } {
  const kind = f.setting !== undefined && f.setting.kind !== undefined ? f.setting.kind : f.kind;
  if (kind === "int") {
    const max = f.max !== undefined ? f.max : 2147483647;
    const min = f.min !== undefined ? f.min : 0;
    const v = parseDecimal(value, max);
    return v < min ? { error: "expected an integer from " + itoa(min) + " to " + itoa(max) + ", got '" + value + "'" } : { v };
  }
  if (kind === "bool") return value === "on" || value === "off" ? { v: value === "on" } : { error: "expected on or off, got '" + value + "'" };
  if (kind === "enum") {
    const values = f.setting !== undefined && f.setting.values !== undefined ? f.setting.values : f.values !== undefined ? f.values : [];
    for (const x of values) if (x === value) return { v: value };
    return { error: "expected " + values.join(" or ") + ", got '" + value + "'" };
  }
  if (kind === "paths") return value.length > 0 && value.charCodeAt(0) === 47 ? { v: value } : { error: "expected a path starting with /" };
  if (kind === "statuses") {
    const list: number[] = [];
    for (const part of splitOn(value, 44)) {
      const v = parseDecimal(trimOws(part), 599);
      if (v < 400) return { error: "'" + part + "' is not a status from 400 to 599" };
      list.push(v);
    }
    return { v: list };
  }
  return value.length > 0 ? { v: value } : { error: "empty value" };
}

/** Parse the settings text; unknown keys and bad values are errors naming the line. */
export function parseSettings(text: string): SettingsResult {
  const byKey: { [key: string]: Field } = {};
  for (const f of settingFields()) byKey[f.setting!.key] = f;
  const d = defaults();
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
    const f = byKey[key];
    if (f === undefined) {
      errors.push(where + ": unknown setting");
      continue;
    }
    const r = valueOf(f, value);
    if ("error" in r) errors.push(where + ": " + r.error);
    else if (f.kind === "paths") (d[f.setting!.name] as string[]).push(r.v as string);
    else d[f.setting!.name] = r.v;
  }
  if (errors.length > 0) return { ok: false, errors };
  // a default TTL above the cap would be capped at learn time anyway
  if ((d.defaultTtl as number) > (d.maxTtl as number)) d.defaultTtl = d.maxTtl;
  return { ok: true, settings: d as unknown as Settings };
}

const DEFAULT_ALLOWED: readonly number[] = DEFAULT_ALLOWED_STATUSES;

/** The settings blocks.lua runs with when a file sets nothing: the schema's defaults. */
export const DEFAULT_SETTINGS: Settings = defaults() as unknown as Settings;
