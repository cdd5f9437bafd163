#!/usr/bin/env node
/**
 * `edgeblock` command line. Exit codes: 0 ok, 1 operation failed,
 * 2 usage error, 3 invalid config, 4 haproxy -c rejected the rendered config.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ConfigError, ConfigInvalid, EdgeConfig, loadConfig } from "./config";
import { Rendered, RenderRejected, renderToDisk, settingsOf } from "./render";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { DEFAULT_SETTINGS, parseSettings, Settings } from "../core/settings";
import { addRule, clusterOf, enforcementOn, flushRules, listRules, parseShowMap, removeRules, Rule, setEnforcement, setGeneration, StoreLocation } from "./rules";
import { generationsOf, validGenerationToken } from "../core/generation";
import { GENERATION_TOKEN_MAX, GENERATIONS_MAP } from "../core/contract";
import { RuntimeApiError, runtimeCommand } from "./runtime";
import { explainLive } from "./explain";
import { humanDuration, startUi } from "./ui";
import { PEERS_SECTION, RULE_TABLE_PREFIX, SETTINGS_ENV } from "../core/contract";
import { peerLinks, peersResynced } from "../core/cluster-sync";
import { checkStaticMap, readStaticMap } from "./static-map";
import { operatorBlock } from "../core/protocol";
import { haproxyBin } from "./haproxy-bin";
import { tableNeverPurges } from "../core/eviction";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = (require("../../package.json") as { version: string }).version;

export const EXIT = { ok: 0, failed: 1, usage: 2, config: 3, haproxy: 4, runtime: 5 } as const;

interface Io {
  out(s: string): void;
  err(s: string): void;
}

const USAGE = `edgeblock: let backends block garbage requests at the HAProxy edge

Usage:
  edgeblock render --config <file> [--out <dir>]   validate, render haproxy.cfg, run haproxy -c
  edgeblock check  --config <file> [--out <dir>]   the same, and say what is wrong if anything
  edgeblock rules list   [--json] [--prefix <path>] [--reason <label>] [--backend <name>]
  edgeblock rules add    --backend <name> --path <path> [--prefix] [--methods "GET POST"|*]
                         [--host H] [--auth anon|authed] [--query "debug !token"]
                         [--status N] [--ttl S] [--reason L] [--body TEXT] [--dry-run]
                         validated as a backend's signal is, with the edge's own settings
  edgeblock rules remove --backend <name> <key> [<key>...]
  edgeblock rules flush  --backend <name>
  edgeblock rules explain <METHOD> <URL> [-H 'name: value']... [--json]
                                                   which rule would match this request, and why
  edgeblock status [--json]                        versions, rule counts, store fill, enforcement
  edgeblock ui [--listen 127.0.0.1:8405]           read-only rules page (with a "why" view per rule)
  edgeblock enforce on|off                         the kill switch: off makes every rule dry-run
  edgeblock generation set <backend> <token>       a deploy: the backend's rules created before it
                                                   stop blocking (backends[].on_new_generation)
  edgeblock generation show [--json]               each backend's current generation and since when
  edgeblock --help

Commands that talk to HAProxy find the edge from, in order: --settings <edgeblock.settings>,
--config <edgeblock.yaml>, $EDGEBLOCK_CONFIG, $EDGEBLOCK_SETTINGS, ./edgeblock.yaml,
./haproxy/edgeblock.yaml, or --socket <path|host:port> alone (the settings file HAProxy was
started with is then read when it can be; otherwise status and rules list only). --socket also
overrides the socket, and --state-dir <dir> the state folder (a container's, as mounted on the
host). explain and ui need the YAML.

Exit codes: 0 ok, 1 failed, 2 usage, 3 invalid config, 4 haproxy -c failed,
5 runtime API unavailable (missing socket, permission denied, HAProxy not running, level too low).
`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  return args[i + 1];
}

function formatErrors(file: string, errors: readonly ConfigError[]): string {
  return errors.map((e) => `${file}:${e.line}: ${e.field}: ${e.message}`).join("\n") + "\n";
}

/** Validate everything a config refers to. Returns the errors (empty when fine). */
function validateAll(c: EdgeConfig): { file: string; errors: ConfigError[] }[] {
  const problems: { file: string; errors: ConfigError[] }[] = [];
  const sm = checkStaticMap(readStaticMap(c.staticMap), c.paths, c.rules.allowedStatuses, c.rules.maxKeyLength);
  if (sm.errors.length > 0) problems.push({ file: c.staticMap, errors: sm.errors });
  return problems;
}

/** `haproxy -c` on the rendered file, from its folder (relative paths are relative to it). */
export function haproxyCheck(cfgFile: string): { ok: boolean; output: string } {
  const bin = haproxyBin();
  const r = spawnSync(bin, ["-c", "-f", path.basename(cfgFile)], { cwd: path.dirname(cfgFile), encoding: "utf8" });
  if (r.error) return { ok: false, output: `cannot run ${bin}: ${r.error.message} (set EDGEBLOCK_HAPROXY to a haproxy binary)` };
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function renderCommand(args: string[], io: Io): number {
  const file = option(args, "--config");
  if (!file) {
    io.err("edgeblock render: --config <file> is required\n");
    return EXIT.usage;
  }
  let c: EdgeConfig;
  try {
    c = loadConfig(file);
  } catch (e) {
    if (e instanceof ConfigInvalid) {
      io.err(formatErrors(file, e.errors));
      return EXIT.config;
    }
    throw e;
  }
  const problems = validateAll(c);
  if (problems.length > 0) {
    for (const p of problems) io.err(formatErrors(path.relative(process.cwd(), p.file) || p.file, p.errors));
    return EXIT.config;
  }
  const outDir = path.resolve(option(args, "--out") ?? path.dirname(c.source));
  let r: Rendered;
  try {
    r = renderToDisk(c, { outDir, check: haproxyCheck });
  } catch (e) {
    if (e instanceof RenderRejected) {
      io.err(`${e.message}\n`);
      return EXIT.haproxy;
    }
    io.err(`edgeblock render: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
  if (!args.includes("--quiet")) io.out(`rendered ${path.relative(process.cwd(), r.files.cfg)} (haproxy -c: valid)\n`);
  return EXIT.ok;
}

/** The options given, as fields: `[["--host", "host"]]` -> `{ host: "..." }` when --host is there. */
function optional(args: string[], ...pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [opt, field] of pairs) {
    const v = option(args, opt);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

function flag(args: string[], name: string): boolean {
  return args.includes(name);
}

/** Positional arguments: everything that is not an option or an option's value. */
function positional(args: string[], valued: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (valued.includes(args[i])) i++;
    else if (!args[i].startsWith("--")) out.push(args[i]);
  }
  return out;
}

/** Where the store is, and the settings the edge runs with: from the YAML config, or from the edge's own settings file alone. */
interface Located extends StoreLocation {
  readonly settings: Settings;
  /** The YAML config, when one was used. */
  readonly config?: EdgeConfig;
  /** Only the socket is known: the edge's settings and state folder are not, so nothing may be written. */
  readonly readOnly?: boolean;
}

/** Where the CLI looks for the YAML config when neither --config nor $EDGEBLOCK_CONFIG names one: the project, then the rendered folder. */
export const CONFIG_CANDIDATES = ["edgeblock.yaml", path.join("haproxy", "edgeblock.yaml")];

/** What says where the edge is, in order: --settings, --config, $EDGEBLOCK_CONFIG, $EDGEBLOCK_SETTINGS, ./edgeblock.yaml, ./haproxy/edgeblock.yaml, --socket alone. */
type Source = { readonly kind: "yaml"; readonly file: string } | { readonly kind: "settings"; readonly file: string } | { readonly kind: "socket" } | { readonly kind: "none" };

function sourceOf(args: string[]): Source {
  const settings = option(args, "--settings");
  if (settings !== undefined) return { kind: "settings", file: settings };
  const yaml = option(args, "--config") ?? process.env.EDGEBLOCK_CONFIG;
  if (yaml !== undefined) return { kind: "yaml", file: yaml };
  const envSettings = process.env[SETTINGS_ENV];
  if (envSettings !== undefined) return { kind: "settings", file: envSettings };
  const found = CONFIG_CANDIDATES.find((f) => existsSync(f));
  if (found !== undefined) return { kind: "yaml", file: found };
  return option(args, "--socket") !== undefined ? { kind: "socket" } : { kind: "none" };
}

/** The one line that says how to point the CLI at an edge. */
export const NO_CONFIG = `no edgeblock.yaml in ${CONFIG_CANDIDATES.map((c) => `./${c}`).join(" or ")}: give --config <edgeblock.yaml> (or set EDGEBLOCK_CONFIG), --settings <edgeblock.settings>, or --socket <admin socket>`;

class NoConfig extends Error {}

/** Rule tables HAProxy holds, by backend. */
async function tableBackends(socket: string): Promise<string[]> {
  const tables = await runtimeCommand(socket, ["show table"]);
  return [...tables.matchAll(new RegExp(`^# table: ${RULE_TABLE_PREFIX}(\\S+?),`, "gm"))].map((m) => m[1]);
}

/** The settings file a running HAProxy was given ($EDGEBLOCK_SETTINGS in its environment, relative to its working folder), when this user can read it. */
async function settingsOfRunning(socket: string): Promise<string | undefined> {
  const env = /^EDGEBLOCK_SETTINGS=(.+)$/m.exec(await runtimeCommand(socket, [`show env ${SETTINGS_ENV}`]))?.[1];
  if (env === undefined) return undefined;
  if (path.isAbsolute(env)) return existsSync(env) ? env : undefined;
  const pid = /^Pid: (\d+)$/m.exec(await runtimeCommand(socket, ["show info"]))?.[1];
  try {
    const f = path.resolve(realpathSync(`/proc/${pid}/cwd`), env);
    return existsSync(f) ? f : undefined;
  } catch {
    return undefined;
  }
}

/** The edge as its own settings file describes it: paths relative to the file's folder, as for HAProxy started from it. */
async function fromSettings(args: string[], sf: string, socketGiven?: string): Promise<Located> {
  const parsed = parseSettings(readFileSync(sf, "utf8"));
  if (!parsed.ok) throw new Error(`${sf}: ${parsed.errors.join("; ")}`);
  const dir = path.dirname(path.resolve(sf));
  const api = parsed.settings.runtimeApi.replace(/^unix@/, "");
  const socket = socketGiven ?? option(args, "--socket") ?? (/^[^/].*:\d+$/.test(api) ? api : path.resolve(dir, api));
  const stateDir = option(args, "--state-dir") ?? (parsed.settings.stateDir === "" ? "" : path.resolve(dir, parsed.settings.stateDir));
  return { socket, stateDir, backends: await tableBackends(socket), settings: parsed.settings, neverPurges: neverPurgesWith(parsed.settings), cluster: clusterOf(parsed.settings) };
}

/**
 * Where the store is and the settings the edge runs with: from the YAML config, from the edge's own
 * settings file, or from the runtime API socket alone (the settings file HAProxy was started with, when
 * it can be read; else the defaults, good for reading only).
 */
async function locate(args: string[]): Promise<Located> {
  const src = sourceOf(args);
  if (src.kind === "none") throw new NoConfig(NO_CONFIG);
  if (src.kind === "settings") return fromSettings(args, src.file);
  if (src.kind === "socket") {
    const socket = option(args, "--socket")!;
    const sf = await settingsOfRunning(socket);
    if (sf !== undefined) return fromSettings(args, sf, socket);
    return { socket, stateDir: option(args, "--state-dir") ?? "", backends: await tableBackends(socket), settings: DEFAULT_SETTINGS, readOnly: true };
  }
  const c = loadConfig(src.file);
  const settings = settingsOf(c, path.dirname(c.source));
  return { socket: option(args, "--socket") ?? c.runtimeApiSocket, stateDir: c.state.dir, backends: c.backends.map((b) => b.name), settings, neverPurges: neverPurgesWith(settings), cluster: clusterOf(settings), config: c };
}

function neverPurgesWith(s: Settings): boolean {
  return tableNeverPurges(s.onFull, s.stateDir.length > 0);
}

export function ruleTable(rules: readonly Rule[], now: number): string {
  const rows = [["KEY", "STATUS", "REASON", "ORIGIN", "CREATED", "TTL LEFT", "HITS", "MODE"]];
  for (const r of rules) {
    rows.push([r.key, String(r.status), r.reason, r.origin, new Date(r.created * 1000).toISOString().replace(".000Z", "Z"), humanDuration(r.expires - now), String(r.hits), r.stale ? `${r.mode}, stale` : r.mode]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).join("\n") + "\n";
}

const VALUED = ["--config", "--settings", "--state-dir", "--socket", "--backend", "--prefix", "--reason", "--path", "--methods", "--host", "--auth", "--query", "--status", "--ttl", "--body", "--out", "-H", "--listen"];

/** Reason label of a rule an operator added without --reason. */
const OPERATOR_REASON = "operator";

async function uiCommand(args: string[], io: Io): Promise<number> {
  const c = configOf(args);
  const listen = option(args, "--listen") ?? "127.0.0.1:8405";
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) {
    io.err("edgeblock ui: --listen must be host:port\n");
    return EXIT.usage;
  }
  const server = await startUi({ config: c, socket: option(args, "--socket") ?? c.runtimeApiSocket, stateDir: c.state.dir, host: m[1], port: Number(m[2]) });
  const a = server.address();
  io.out(`edgeblock rules page on http://${m[1]}:${typeof a === "object" && a ? a.port : m[2]}/ (read-only; Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      server.closeAllConnections();
      server.close(() => resolve());
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return EXIT.ok;
}

/** The YAML config, for the commands that need one (explain, ui). */
function configOf(args: string[]): EdgeConfig {
  const src = sourceOf(args);
  if (src.kind !== "yaml") throw new NoConfig(`this command needs the YAML config: ${NO_CONFIG.replace(/, --settings .*$/, "")}`);
  return loadConfig(src.file);
}

async function explainCommand(args: string[], io: Io): Promise<number> {
  const [, method, url] = positional(args, VALUED);
  if (!method || !url) {
    io.err("edgeblock rules explain: give a method and a URL, e.g. GET /yeet\n");
    return EXIT.usage;
  }
  const headers: Record<string, string> = {};
  args.forEach((a, i) => {
    if (a === "-H" && args[i + 1]) {
      const h = args[i + 1];
      const colon = h.indexOf(":");
      if (colon > 0) headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
    }
  });
  const c = configOf(args);
  const x = await explainLive(c, option(args, "--socket") ?? c.runtimeApiSocket, { method, url, headers });
  if (flag(args, "--json")) {
    io.out(JSON.stringify(x, null, 2) + "\n");
  } else {
    io.out(`${x.method} ${url} -> backend ${x.backend}, key ${x.key}, ${x.auth}${x.host ? `, host ${x.host}` : ""}\n`);
    for (const st of x.steps) io.out(`  - ${st}\n`);
    io.out(`verdict: ${x.verdict}${x.status ? ` ${x.status}` : ""}${x.rule ? ` (rule ${x.rule})` : ""}\n`);
  }
  return EXIT.ok;
}

async function statusCommand(args: string[], io: Io): Promise<number> {
  const loc = await locate(args);
  const c = loc.config;
  const info = await runtimeCommand(loc.socket, ["show info"]);
  const haproxyVersion = /^Version: (.*)$/m.exec(info)?.[1] ?? "unknown";
  const tables = await runtimeCommand(loc.socket, ["show table"]);
  const rules = await listRules(loc);
  const backends = loc.backends.map((name) => {
    const b = c?.backends.find((x) => x.name === name);
    const m = new RegExp(`^# table: ${RULE_TABLE_PREFIX}${name}, type: \\w+, size:(\\d+), used:(\\d+)`, "m").exec(tables);
    const mine = rules.filter((r) => r.backend === name);
    return {
      backend: name,
      // without the YAML, whether a backend is trusted is not known here (the rendered haproxy.cfg says it)
      ...(b ? { trusted: b.trusted } : {}),
      rules: { enforce: mine.filter((r) => r.mode === "enforce").length, dryRun: mine.filter((r) => r.mode === "dry-run").length },
      store: { entries: m ? Number(m[2]) : 0, capacity: m ? Number(m[1]) : (b?.maxRules ?? 0) },
    };
  });
  // a cluster node: every node as this one sees its peer link (show peers)
  const clustered = loc.settings.clusterNode.length > 0;
  const peersOut = clustered ? await runtimeCommand(loc.socket, [`show peers ${PEERS_SECTION}`]) : "";
  const cluster = clustered
    ? {
        node: loc.settings.clusterNode,
        caughtUp: peersResynced(peersOut, PEERS_SECTION, Number(/^(\d+)\./.exec(haproxyVersion)?.[1] ?? "3")) ?? false,
        peers: peerLinks(peersOut)
          .filter((p) => !p.local)
          .map((p) => ({ name: p.name, address: p.address, connected: p.linked, status: p.status, lastHandshake: p.handshake })),
      }
    : undefined;
  const status = {
    edgeblock: VERSION,
    haproxy: haproxyVersion,
    enforcement: (await enforcementOn(loc)) ? "on" : "off",
    dryRun: c?.dryRun ?? false,
    backends,
    ...(cluster ? { cluster } : {}),
  };
  if (flag(args, "--json")) {
    io.out(JSON.stringify(status, null, 2) + "\n");
    return EXIT.ok;
  }
  io.out(`edgeblock ${status.edgeblock}, HAProxy ${status.haproxy}\n`);
  io.out(`enforcement: ${status.enforcement}${status.dryRun ? " (global dry_run: nothing is blocked)" : ""}\n`);
  for (const b of backends) {
    const pct = b.store.capacity ? ((100 * b.store.entries) / b.store.capacity).toFixed(1) : "0";
    io.out(`backend ${b.backend}${b.trusted === false ? " (untrusted)" : ""}: ${b.rules.enforce} rules enforced, ${b.rules.dryRun} dry-run; store ${b.store.entries}/${b.store.capacity} entries (${pct}% full)\n`);
  }
  if (cluster) {
    io.out(`cluster node ${cluster.node}: ${cluster.caughtUp ? "caught up with its peers" : "not (yet) taught by a peer"}\n`);
    for (const p of cluster.peers) io.out(`  peer ${p.name} ${p.address}: ${p.connected ? `connected, last handshake ${p.lastHandshake} ago` : `not connected (HAProxy: ${p.status})`}\n`);
  }
  return EXIT.ok;
}

async function rulesCommand(args: string[], io: Io): Promise<number> {
  const [sub] = positional(args, VALUED);
  if (sub === "explain") return explainCommand(args, io);
  const loc = await locate(args);
  const now = Math.floor(Date.now() / 1000);
  const backend = option(args, "--backend");
  if (sub === "list") {
    let rules = await listRules(backend ? { ...loc, backends: [backend] } : loc, now);
    const prefix = option(args, "--prefix");
    const reason = option(args, "--reason");
    if (prefix) rules = rules.filter((r) => r.match.path.startsWith(prefix));
    if (reason) rules = rules.filter((r) => r.reason === reason);
    if (flag(args, "--json")) io.out(JSON.stringify(rules.map((r) => ({ ...r, ttlLeft: r.expires - now })), null, 2) + "\n");
    else io.out(rules.length ? ruleTable(rules, now) : "no active rules\n");
    return EXIT.ok;
  }
  if (loc.readOnly) {
    io.err(`edgeblock rules ${sub ?? ""}: the socket alone does not say where the edge keeps its rules (its settings file could not be read): give --settings <edgeblock.settings> or --config <edgeblock.yaml>\n`);
    return EXIT.usage;
  }
  if (!backend || !loc.backends.includes(backend)) {
    io.err(`edgeblock rules ${sub ?? ""}: --backend must name a backend of the config (${loc.backends.join(", ")})\n`);
    return EXIT.usage;
  }
  if (sub === "remove") {
    const keys = positional(args, VALUED).slice(1);
    if (keys.length === 0) {
      io.err("edgeblock rules remove: give the keys to remove (see `edgeblock rules list`)\n");
      return EXIT.usage;
    }
    const n = await removeRules(loc, backend, keys);
    io.out(`removed ${n} rule(s)\n`);
    return n === keys.length ? EXIT.ok : EXIT.failed;
  }
  if (sub === "flush") {
    io.out(`removed ${await flushRules(loc, backend)} rule(s)\n`);
    return EXIT.ok;
  }
  if (sub === "add") {
    // the learn path's own parser and storage policy, with the edge's own settings (core/protocol.ts operatorBlock)
    const int = (name: string): number | undefined => {
      const v = option(args, name);
      return v === undefined ? undefined : /^\d{1,10}$/.test(v) ? Number(v) : Number.NaN;
    };
    const status = int("--status");
    const ttl = int("--ttl");
    for (const [name, v] of [["--status", status], ["--ttl", ttl]] as const) {
      if (v !== undefined && Number.isNaN(v)) {
        io.err(`edgeblock rules add: ${name} must be a whole number\n`);
        return EXIT.usage;
      }
    }
    const methods = option(args, "--methods");
    const r = operatorBlock(
      {
        path: option(args, "--path") ?? "",
        prefix: flag(args, "--prefix"),
        ...(methods !== undefined ? { methods: methods.split(/[\s,]+/).filter(Boolean).join(" ") } : {}),
        ...optional(args, ["--host", "host"], ["--auth", "auth"], ["--query", "query"], ["--body", "body"]),
        reason: option(args, "--reason") ?? OPERATOR_REASON,
        ...(status !== undefined ? { status } : {}),
        ...(ttl !== undefined ? { ttl } : {}),
        dryRun: flag(args, "--dry-run"),
      },
      loc.settings,
    );
    if ("detail" in r) {
      io.err(`edgeblock rules add: ${r.reason}: ${r.detail}\n`);
      return EXIT.usage;
    }
    if (ttl !== undefined && r.rule.ttl < ttl) io.err(`edgeblock rules add: --ttl ${ttl} capped to rules.max_ttl (${r.rule.ttl} s), as a signal's would be\n`);
    const keys = await addRule(loc, { backend, ...r.rule });
    io.out(`added ${keys.join(", ")}\n`);
    return EXIT.ok;
  }
  io.err(`edgeblock rules: unknown subcommand ${JSON.stringify(sub)}\n${USAGE}`);
  return EXIT.usage;
}

async function enforceCommand(args: string[], io: Io): Promise<number> {
  const [state] = positional(args, VALUED);
  if (state !== "on" && state !== "off") {
    io.err("edgeblock enforce: say on or off\n");
    return EXIT.usage;
  }
  const loc = await locate(args);
  if (loc.readOnly) {
    io.err("edgeblock enforce: the socket alone does not say where the edge keeps its state (its settings file could not be read): give --settings <edgeblock.settings> or --config <edgeblock.yaml>\n");
    return EXIT.usage;
  }
  await setEnforcement(loc, state === "on");
  io.out(state === "on" ? "enforcement on: matching requests are blocked\n" : "enforcement off: matching requests are only counted and logged (dry-run)\n");
  return EXIT.ok;
}

async function generationCommand(args: string[], io: Io): Promise<number> {
  const [sub, backend, token] = positional(args, VALUED);
  const loc = await locate(args);
  if (sub === "show") {
    const gens = generationsOf([...parseShowMap(await runtimeCommand(loc.socket, [`show map ${GENERATIONS_MAP}`]))]);
    if (args.includes("--json")) io.out(JSON.stringify(gens) + "\n");
    else if (Object.keys(gens).length === 0) io.out("no generation set yet\n");
    else for (const [be, g] of Object.entries(gens)) io.out(`${be}: ${g.token || "(unnamed)"} since ${new Date(g.since * 1000).toISOString()}${g.earlier.length ? ` (earlier: ${g.earlier.join(" ")})` : ""}\n`);
    return EXIT.ok;
  }
  if (sub !== "set" || !backend || token === undefined) {
    io.err("edgeblock generation: set <backend> <token>, or show\n");
    return EXIT.usage;
  }
  if (!validGenerationToken(token)) {
    io.err(`edgeblock generation: ${JSON.stringify(token)} is not a token (1-${GENERATION_TOKEN_MAX} letters, digits, ., _ and -)\n`);
    return EXIT.usage;
  }
  if (loc.readOnly) {
    io.err("edgeblock generation: the socket alone does not say where the edge keeps its state: give --settings <edgeblock.settings> or --config <edgeblock.yaml>\n");
    return EXIT.usage;
  }
  if (!loc.backends.includes(backend)) {
    io.err(`edgeblock generation: no backend named ${backend} (${loc.backends.join(", ")})\n`);
    return EXIT.usage;
  }
  await setGeneration(loc, backend, token);
  io.out(`${backend}: generation ${token} from now on; rules created before it no longer block as they did\n`);
  return EXIT.ok;
}

/** Commands that talk to HAProxy. Runtime API and config errors become exit codes with a clear message. */
export async function mainAsync(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  if ((cmd === "rules" || cmd === "enforce" || cmd === "status" || cmd === "ui" || cmd === "generation") && !rest.includes("--help")) {
    try {
      if (cmd === "status") return await statusCommand(rest, io);
      if (cmd === "generation") return await generationCommand(rest, io);
      if (cmd === "ui") return await uiCommand(rest, io);
      return cmd === "rules" ? await rulesCommand(rest, io) : await enforceCommand(rest, io);
    } catch (e) {
      if (e instanceof RuntimeApiError) {
        io.err(`edgeblock: ${e.message}\n`);
        return EXIT.runtime;
      }
      if (e instanceof ConfigInvalid) {
        io.err(formatErrors(e.file, e.errors));
        return EXIT.config;
      }
      if (e instanceof NoConfig) {
        io.err(`edgeblock ${cmd}: ${e.message}\n`);
        return EXIT.usage;
      }
      io.err(`edgeblock: ${(e as Error).message}\n`);
      return EXIT.failed;
    }
  }
  return main(argv, io);
}

export function main(argv: string[], io: Io): number {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    io.out(USAGE);
    return cmd ? EXIT.ok : EXIT.usage;
  }
  if (rest.includes("--help")) {
    io.out(USAGE);
    return EXIT.ok;
  }
  switch (cmd) {
    case "render":
    case "check":
      return renderCommand(rest, io);
    default:
      io.err(`edgeblock: unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
      return EXIT.usage;
  }
}

if (require.main === module) {
  void mainAsync(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  }).then((code) => {
    process.exitCode = code;
  });
}
