/** Render haproxy.cfg and the Lua settings file from a validated config. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import Handlebars from "handlebars";
import {
  HEADERS,
  HIT_COUNTER,
  LUA_NAMES,
  RULE_TABLE_PREFIX,
  RULE_TABLE_STORE,
  SETTINGS_ENV,
  SIGNAL_HEADERS,
  STAT_COUNTER,
  STATS_TABLE,
  VARS,
} from "../core/contract";
import { formatSettings, Settings } from "../core/settings";
import { EdgeConfig, ListenAddress } from "./config";

export const TEMPLATE_DIR = path.resolve(__dirname, "../../templates");

/** Statuses HAProxy 2.6 has built-in error pages for (`return ... default-errorfiles`). */
const ERRORFILE_STATUSES = new Set([400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504]);

const REASON_PHRASES: Record<number, string> = {
  406: "Not Acceptable",
  409: "Conflict",
  411: "Length Required",
  412: "Precondition Failed",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  418: "I'm a teapot",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  423: "Locked",
  426: "Upgrade Required",
  428: "Precondition Required",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
};

/** The `http-request return` payload arguments for a status. */
export function replyFor(status: number): string {
  if (ERRORFILE_STATUSES.has(status)) return "default-errorfiles";
  const phrase = REASON_PHRASES[status] ?? `Error ${status}`;
  return `content-type text/plain string "${phrase.replace(/"/g, "")}"`;
}

export interface RenderOptions {
  /** Folder the files are written to; haproxy.cfg paths are made relative to it. */
  readonly outDir: string;
}

export interface Rendered {
  readonly cfg: string;
  readonly settings: string;
  readonly files: { readonly cfg: string; readonly settings: string };
}

export function settingsOf(c: EdgeConfig, outDir: string): Settings {
  return {
    runtimeApi: "unix@" + rel(outDir, c.runtimeApiSocket),
    defaultTtl: c.rules.defaultTtl,
    maxTtl: c.rules.maxTtl,
    defaultStatus: c.rules.defaultStatus,
    allowedStatuses: c.rules.allowedStatuses,
    maxSignalBytes: c.rules.maxSignalBytes,
    maxPathLength: c.rules.maxPathLength,
    pathPolicy: c.paths,
  };
}

function rel(outDir: string, p: string): string {
  const r = path.relative(outDir, p);
  return r === "" ? "." : r;
}

function bindOf(a: ListenAddress): string {
  return a.portEnv ? `"${a.address}:\${${a.portEnv}}"` : `${a.address}:${a.port}`;
}

let compiled: HandlebarsTemplateDelegate | undefined;

function template(): HandlebarsTemplateDelegate {
  if (!compiled) {
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
  for (const b of c.backends) for (const s of b.servers) env(s);
  const settingsFile = path.join(outDir, "edgeblock.settings");
  const ctx = {
    source: rel(outDir, c.source),
    presetenv,
    threads: c.threads,
    logTarget: c.logTarget,
    socket: rel(outDir, c.runtimeApiSocket),
    settingsEnv: SETTINGS_ENV,
    settingsFile: rel(outDir, settingsFile),
    luaDirective: c.lua.load === "per-thread" ? "lua-load-per-thread" : "lua-load",
    luaFile: rel(outDir, c.lua.file),
    listenBind: bindOf(c.listen),
    statsBind: bindOf(c.stats),
    signalHeaders: SIGNAL_HEADERS,
    headers: HEADERS,
    vars: VARS,
    luaNames: LUA_NAMES,
    pathLower: c.paths.caseInsensitive,
    staticMap: rel(outDir, c.staticMap),
    defaultStatus: c.rules.defaultStatus,
    hitCounter: HIT_COUNTER,
    statCounter: STAT_COUNTER,
    statsTable: STATS_TABLE,
    ruleStore: RULE_TABLE_STORE,
    defaultBackend: c.defaultBackend,
    // most common answers first: the dispatch lines are evaluated in order
    statuses: [...c.rules.allowedStatuses]
      .sort((a, b) => (a === 404 ? -1 : b === 404 ? 1 : a - b))
      .map((code) => ({ code, reply: replyFor(code) })),
    backends: c.backends.map((b) => ({
      name: b.name,
      trusted: b.trusted,
      table: RULE_TABLE_PREFIX + b.name,
      // rule paths are at most len-2 bytes, so a longer request path truncated to len can never equal one
      keyLen: c.rules.maxPathLength + 2,
      maxRules: b.maxRules,
      expire: `${c.rules.maxTtl}s`,
      servers: b.servers.map((s) => ({ name: s.name, addr: bindOf(s) })),
    })),
  };
  return {
    cfg: template()(ctx),
    settings: formatSettings(settingsOf(c, outDir)),
    files: { cfg: path.join(outDir, "haproxy.cfg"), settings: settingsFile },
  };
}

/** Render and write haproxy.cfg, edgeblock.settings, and an empty static map if there is none. */
export function renderToDisk(c: EdgeConfig, opts: RenderOptions): Rendered {
  const r = render(c, opts);
  mkdirSync(opts.outDir, { recursive: true });
  mkdirSync(path.dirname(c.runtimeApiSocket), { recursive: true });
  writeFileSync(r.files.cfg, r.cfg);
  writeFileSync(r.files.settings, r.settings);
  if (!existsSync(c.staticMap)) {
    mkdirSync(path.dirname(c.staticMap), { recursive: true });
    writeFileSync(c.staticMap, "# Paths blocked from startup: <path> [status], one per line. Paths must be normalised.\n");
  }
  return r;
}
