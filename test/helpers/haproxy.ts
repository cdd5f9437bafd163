/**
 * Integration harness: a real HAProxy and real backend processes on loopback,
 * ephemeral ports, temp folders. Every process started here is stopped by pid.
 */
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { onTestFailed } from "vitest";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { EdgeConfig, parseConfig } from "../../src/node/config";
import { freePort, portOpen, waitFor } from "../../src/node/ports";
import { runtimeCommand } from "../../src/node/runtime";
import { renderToDisk } from "../../src/node/render";
import { haproxyBin } from "../../src/node/haproxy-bin";
import type { Route } from "../../src/node/demo-backend";

const ROOT = path.resolve(__dirname, "../..");
export const BLOCKS = path.join(ROOT, "lua-out/blocks.lua");
const DEMO_BACKEND = path.join(ROOT, "dist/node/demo-backend.js");

const started = new Set<ChildProcess>();

/** Stop every process this file started (by pid); for afterAll hooks and crashes. */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((p) => stopProcess(p)));
}

function stopProcess(p: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null || p.pid === undefined) {
      started.delete(p);
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      if (p.pid !== undefined) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }, 5000);
    p.once("exit", () => {
      clearTimeout(timer);
      started.delete(p);
      resolve();
    });
    try {
      process.kill(p.pid, signal);
    } catch {
      clearTimeout(timer);
      started.delete(p);
      resolve();
    }
  });
}

process.once("exit", () => {
  for (const p of started) if (p.pid !== undefined) try { process.kill(p.pid, "SIGKILL"); } catch { /* gone */ }
});

export { freePort, waitFor };

export interface Backend {
  readonly port: number;
  readonly pid: number;
  /** Requests served per path, from the backend's own counter. */
  hits(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Start the demo backend as its own process with a route table. */
export async function startBackend(routes: Record<string, Route>): Promise<Backend> {
  // a free port can be taken by a parallel test file before the backend binds it: then try another
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const p = spawn(process.execPath, [DEMO_BACKEND, "--port", String(port), "--routes", JSON.stringify(routes)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.add(p);
    let out = "";
    p.stdout!.on("data", (d) => (out += d));
    p.stderr!.on("data", (d) => (out += d));
    await waitFor(`backend on ${port} (${out})`, () => out.includes("listening") || p.exitCode !== null);
    if (p.exitCode !== null && out.includes("EADDRINUSE") && attempt < 5) continue;
    if (p.exitCode !== null) throw new Error(`backend exited: ${out}`);
    return backendOf(port, p);
  }
}

function backendOf(port: number, p: ChildProcess): Backend {
  return {
    port,
    pid: p.pid!,
    hits: async () => JSON.parse((await request(port, "GET", "/__demo/hits")).body) as Record<string, number>,
    stop: () => stopProcess(p),
  };
}

export interface Response {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a fresh connection. Paths are sent exactly as given (no client-side normalisation). */
export function request(port: number, method: string, rawPath: string, headers: Record<string, string | string[]> = {}, localAddress?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: rawPath, headers, agent: false, ...(localAddress ? { localAddress } : {}) }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout ${method} ${rawPath}`)));
    req.end();
  });
}

export interface EdgeOptions {
  readonly backends: ReadonlyArray<{ name: string; port: number; trusted?: boolean }>;
  /** max_rules of every backend. */
  readonly maxRules?: number;
  /** Master-worker mode (-W, reload with USR2), or standalone (reload with -sf). Default: master-worker. */
  readonly masterWorker?: boolean;
  /** Also listen for cleartext HTTP/2 on a second port. */
  readonly h2c?: boolean;
  readonly luaLoad?: "shared" | "per-thread";
  readonly threads?: number;
  /** Extra YAML merged at the top level (e.g. `paths:` or `rules:` blocks). */
  readonly extraYaml?: string;
  /** Extra keys of the `listen` mapping, in flow style (e.g. `tls: { port: 8443, cert: x.pem }`). */
  readonly listenYaml?: string;
  /** The `backends` list items as YAML, instead of one server per entry of `backends` (gateway tests). */
  readonly backendsYaml?: string;
  readonly staticMap?: string;
  /** Extra Lua files to lua-load (test probes). */
  readonly extraLua?: readonly string[];
  /** Text appended to the rendered haproxy.cfg (test-only proxies). */
  readonly extraCfg?: string;
  /** Lines added to the global section (test-only sockets). */
  readonly extraGlobal?: readonly string[];
  /** A last edit of the rendered haproxy.cfg (experiments). */
  readonly editCfg?: (cfg: string) => string;
}

export interface Edge {
  readonly port: number;
  readonly h2cPort: number;
  readonly statsPort: number;
  readonly dir: string;
  readonly socket: string;
  readonly config: EdgeConfig;
  /** The current HAProxy (master in master-worker mode). */
  readonly pid: number;
  /** Graceful reload: `kill -USR2` to the master, or a new process with `-sf <old pid>`. Resolves once the new process loaded its state. */
  reload(): Promise<void>;
  /** Full stop, then start again from the same folder (state files kept, unless emptyState). */
  restart(opts?: { emptyState?: boolean; whileDown?: () => Promise<void> }): Promise<void>;
  /** How many times a pattern occurs in the log so far. */
  count(re: RegExp): number;
  /** Everything HAProxy printed so far (logs go to stderr). */
  logs(): string;
  /** Wait until HAProxy's log matches (log lines are written after the response is sent). */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Lines that show a Lua runtime error or an alert. */
  luaErrors(): string[];
  get(p: string, headers?: Record<string, string | string[]>): Promise<Response>;
  req(method: string, p: string, headers?: Record<string, string | string[]>): Promise<Response>;
  /** Run a runtime API command and return its output. */
  cli(command: string): Promise<string>;
  /** edgeblock's Lua counters, summed over threads (from eb_counters.map). */
  counters(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** One runtime API command (the CLI's own client). */
export function cliCommand(socket: string, command: string): Promise<string> {
  return runtimeCommand(socket, [command]);
}

/** Render a config for this test into a temp folder and start HAProxy (master-worker, foreground). */
export async function startEdge(o: EdgeOptions): Promise<Edge> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eb-"));
  const port = await freePort();
  const statsPort = await freePort();
  const h2cPort = o.h2c ? await freePort() : 0;
  const yaml = [
    `listen: { address: 127.0.0.1, port: ${port}${h2cPort ? `, h2c_port: ${h2cPort}` : ""}${o.listenYaml ? `, ${o.listenYaml}` : ""} }`,
    `stats: { address: 127.0.0.1, port: ${statsPort} }`,
    `runtime_api: { socket: ${dir}/admin.sock }`,
    `lua: { file: ${BLOCKS}, load: ${o.luaLoad ?? "shared"} }`,
    `threads: ${o.threads ?? 1}`,
    `log: stderr`,
    `static_map: ${dir}/path_status.map`,
    `backends:`,
    ...(o.backendsYaml !== undefined
      ? [o.backendsYaml]
      : o.backends.map(
          (b) => `  - { name: ${b.name}, trusted: ${b.trusted ?? true},${o.maxRules ? ` max_rules: ${o.maxRules},` : ""} servers: [ { name: s1, address: 127.0.0.1, port: ${b.port} } ] }`,
        )),
    o.extraYaml ?? "",
  ].join("\n");
  const cfgFile = path.join(dir, "edgeblock.yaml");
  writeFileSync(cfgFile, yaml);
  writeFileSync(path.join(dir, "path_status.map"), o.staticMap ?? "");
  const config = parseConfig(yaml, cfgFile);
  const rendered = renderToDisk(config, { outDir: dir });
  if (o.extraLua || o.extraCfg || o.extraGlobal || o.editCfg) {
    let cfg = rendered.cfg;
    if (o.editCfg) cfg = o.editCfg(cfg);
    if (o.extraGlobal) cfg = cfg.replace(/^global\n/m, `global\n${o.extraGlobal.map((l) => `  ${l}\n`).join("")}`);
    for (const f of o.extraLua ?? []) cfg = cfg.replace(/^(\s*lua-load(?:-per-thread)? .*)$/m, `$1\n  lua-load ${f}`);
    writeFileSync(rendered.files.cfg, cfg + (o.extraCfg ?? ""));
  }
  let log = "";
  const masterWorker = o.masterWorker ?? true;
  const launch = async (extra: string[]): Promise<ChildProcess> => {
    const proc = spawn(haproxyBin(), [...(masterWorker ? ["-W", "-S", "unix@master.sock,mode,600"] : []), "-db", "-f", "haproxy.cfg", ...extra], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    started.add(proc);
    proc.stdout!.on("data", (d) => (log += d));
    proc.stderr!.on("data", (d) => (log += d));
    return proc;
  };
  const count = (re: RegExp) => (log.match(new RegExp(re.source, "g")) ?? []).length;
  const waitUp = async (proc: ChildProcess, loadedBefore: number) => {
    try {
      await waitFor(`haproxy on ${port}`, async () => proc.exitCode !== null || (await portOpen(port)), 15_000);
      if (proc.exitCode === null) await waitFor("state loaded", () => proc.exitCode !== null || count(/edgeblock: state loaded/) > loadedBefore, 15_000);
    } catch (e) {
      await stopProcess(proc);
      throw new Error(`${(e as Error).message}\n${log}`);
    }
    if (proc.exitCode !== null) throw new Error(`haproxy exited with ${proc.exitCode}:\n${log}`);
  };
  let p = await launch([]);
  await waitUp(p, 0);
  // a failure on CI is only diagnosable with HAProxy's own account of it
  try {
    onTestFailed(() => {
      const lines = log.split("\n");
      const notable = lines.filter((l) => /rejected|failed|error|ALERT|WARNING|timed out/i.test(l) && !l.startsWith("[")).slice(0, 40);
      console.error(`HAProxy log of ${dir}\n-- warnings and errors (first 40):\n${notable.join("\n")}\n-- last 40 lines:\n${lines.slice(-40).join("\n")}`);
    });
  } catch {
    // started from beforeAll: there is no current test to attach to
  }
  const socket = config.runtimeApiSocket;
  return {
    port,
    h2cPort,
    statsPort,
    dir,
    socket,
    config,
    get pid() {
      return p.pid!;
    },
    logs: () => log,
    waitForLog: (re, timeoutMs = 3000) => waitFor(`log line ${re}`, () => re.test(log), timeoutMs),
    luaErrors: () => log.split("\n").filter((l) => /runtime error|Lua function|\[ALERT\]|stack traceback|lua_pcall/i.test(l) && !/Current worker .* exited|All workers exited/.test(l)),
    get: (pth, headers) => request(port, "GET", pth, headers),
    req: (method, pth, headers) => request(port, method, pth, headers),
    cli: (command) => cliCommand(socket, command),
    counters: async () => {
      const out: Record<string, number> = {};
      for (const line of (await cliCommand(socket, "show map eb_counters.map")).split("\n")) {
        const m = /^0x[0-9a-f]+ \d+:(\S+) (\d+)$/.exec(line.trim());
        if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
      }
      return out;
    },
    stop: async () => {
      await stopProcess(p);
      rmSync(dir, { recursive: true, force: true });
    },
    reload: async () => {
      const loaded = count(/edgeblock: state loaded/);
      if (masterWorker) {
        // [T] a master started moments ago sometimes leaves a USR2 unanswered (no "Reloading" line, 2.6 and 3.0 alike): ask again
        const reloading = count(/Reloading HAProxy/);
        process.kill(p.pid!, "SIGUSR2");
        for (let i = 0; i < 5 && count(/Reloading HAProxy/) === reloading; i++) {
          await waitFor("the master reloading", () => count(/Reloading HAProxy/) > reloading, 1000).catch(() => process.kill(p.pid!, "SIGUSR2"));
        }
        await waitFor("reloaded worker", () => count(/edgeblock: state loaded/) > loaded, 15_000);
      } else {
        const old = p;
        p = await launch(["-sf", String(old.pid)]);
        await waitUp(p, loaded);
        await waitFor("old process exit", () => old.exitCode !== null || old.signalCode !== null, 15_000);
      }
    },
    restart: async (ro = {}) => {
      const loaded = count(/edgeblock: state loaded/);
      await stopProcess(p);
      if (ro.emptyState && config.state.dir !== "") for (const f of readdirSync(config.state.dir)) rmSync(path.join(config.state.dir, f), { recursive: true, force: true });
      if (ro.whileDown) await ro.whileDown();
      p = await launch([]);
      await waitUp(p, loaded);
    },
    count,
  };
}

/** Send bytes exactly as given on a fresh connection; resolves with everything received until the server closes. */
export function rawRequest(port: number, text: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => s.write(text));
    let out = "";
    s.setEncoding("latin1");
    s.on("data", (d) => (out += d));
    s.on("end", () => resolve(out));
    s.on("error", reject);
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      resolve(out);
    });
  });
}
