/**
 * `npm start`: render the example config, start the demo backend and HAProxy
 * (master-worker, foreground), print the curl commands that show the flow.
 * Ctrl-C / SIGTERM stop both; SIGHUP reloads HAProxy gracefully.
 */
import { ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadConfig } from "./config";
import { main as cli } from "./cli";
import { portFree, portOpen, waitFor } from "./ports";
import { haproxyBin } from "./haproxy-bin";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "haproxy/edgeblock.yaml");

/**
 * The config the demo runs: the example in haproxy/, or with `--dir <folder>` a copy of it there (the
 * bundle named absolute), so that its rendered files, rule state and sockets stay out of the checkout.
 */
function demoConfig(): string {
  const i = process.argv.indexOf("--dir");
  if (i < 0) return EXAMPLE;
  const dir = path.resolve(process.argv[i + 1] ?? "");
  mkdirSync(dir, { recursive: true });
  const yaml = readFileSync(EXAMPLE, "utf8").replace(/^(\s*file:\s*)\.\.\/lua-out\/blocks\.lua\s*$/m, `$1${path.join(ROOT, "lua-out/blocks.lua")}`);
  writeFileSync(path.join(dir, "edgeblock.yaml"), yaml);
  copyFileSync(path.join(ROOT, "haproxy/path_status.map"), path.join(dir, "path_status.map"));
  return path.join(dir, "edgeblock.yaml");
}

function say(s: string): void {
  process.stdout.write(`[edgeblock demo] ${s}\n`);
}

/** Wait until a child listens on its port, failing early when it exits. */
function waitOpen(port: number, child: ChildProcess, what: string): Promise<void> {
  return waitFor(`${what} on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    return portOpen(port);
  }, 15_000);
}

async function run(): Promise<number> {
  const edgePort = Number(process.env.EDGEBLOCK_PORT ?? 8080);
  const demoPort = Number(process.env.EDGEBLOCK_DEMO_PORT ?? 8081);
  const statsPort = Number(process.env.EDGEBLOCK_STATS_PORT ?? 8404);
  for (const [name, p] of [["EDGEBLOCK_PORT", edgePort], ["EDGEBLOCK_DEMO_PORT", demoPort], ["EDGEBLOCK_STATS_PORT", statsPort]] as const) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      say(`${name}=${process.env[name]} is not a port number`);
      return 2;
    }
    if (!(await portFree(p))) {
      say(`port ${p} on 127.0.0.1 is in use; pick another with ${name}=<port> npm start`);
      return 1;
    }
  }

  const CONFIG = demoConfig();
  say(`rendering ${path.relative(ROOT, CONFIG)} into ${path.relative(ROOT, path.dirname(CONFIG)) || "."}/ (edgeblock render)`);
  const rc = cli(["render", "--config", CONFIG, "--quiet"], { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  if (rc !== 0) return rc;
  const config = loadConfig(CONFIG);
  const outDir = path.dirname(config.source);
  if (process.argv.includes("--fresh") && config.state.dir) {
    // for tests: start with no learned rules (the demo otherwise keeps them across restarts)
    say(`--fresh: removing learned rules in ${path.relative(ROOT, config.state.dir)}/`);
    rmSync(config.state.dir, { recursive: true, force: true });
    mkdirSync(config.state.dir, { recursive: true });
  }
  mkdirSync(path.dirname(config.runtimeApiSocket), { recursive: true });

  const env = { ...process.env, EDGEBLOCK_PORT: String(edgePort), EDGEBLOCK_DEMO_PORT: String(demoPort), EDGEBLOCK_STATS_PORT: String(statsPort) };
  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    say("stopping HAProxy and the demo backend");
    let left = children.filter((c) => c.exitCode === null && c.signalCode === null).length;
    if (left === 0) process.exit(code);
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) continue;
      c.once("exit", () => {
        left -= 1;
        if (left === 0) process.exit(code);
      });
      process.kill(c.pid, "SIGTERM");
    }
    setTimeout(() => process.exit(code), 5000).unref();
  };

  const backend = spawn(process.execPath, [path.join(__dirname, "demo-backend.js"), "--port", String(demoPort)], { env, stdio: ["ignore", "inherit", "inherit"] });
  children.push(backend);
  // -S: the master CLI lets each worker address its own runtime API during a reload
  const haproxy = spawn(haproxyBin(), ["-W", "-S", "unix@run/master.sock,mode,600", "-db", "-f", "haproxy.cfg"], { cwd: outDir, env, stdio: ["ignore", "inherit", "inherit"] });
  children.push(haproxy);
  for (const c of children) {
    c.once("exit", (code, signal) => {
      if (!stopping) {
        say(`${c === haproxy ? "HAProxy" : "the demo backend"} exited (${signal ?? code}); stopping`);
        stop(1);
      }
    });
  }
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
  process.on("SIGHUP", () => {
    // master-worker mode: USR2 makes the master start new workers and let the old ones finish
    if (haproxy.pid !== undefined) {
      say("SIGHUP: reloading HAProxy gracefully");
      process.kill(haproxy.pid, "SIGUSR2");
    }
  });

  try {
    await waitOpen(demoPort, backend, "demo backend");
    await waitOpen(edgePort, haproxy, "HAProxy");
  } catch (e) {
    say((e as Error).message);
    stop(1);
    return 1;
  }
  const e = `http://127.0.0.1:${edgePort}`;
  say(`HAProxy (pid ${haproxy.pid}) on ${e}, stats on http://127.0.0.1:${statsPort}/, demo backend (pid ${backend.pid}) on http://127.0.0.1:${demoPort}`);
  process.stdout.write(`
Try the flow:
  curl -i ${e}/yolo                      # 200 from the backend
  curl -i ${e}/yeet                      # 404 from the backend; HAProxy learns /yeet and strips X-Edge-Resource
  curl -i ${e}/yeet                      # 404 from HAProxy itself: the backend is not contacted
  curl -s http://127.0.0.1:${demoPort}/__demo/hits   # the backend's own request counts prove it
  curl -i ${e}/gone ; curl -i ${e}/gone  # X-Edge-Resource: false-410 -> later answered 410 by HAProxy
  curl -i ${e}/.env                      # blocked from startup by haproxy/path_status.map
  curl -i ${e}/api/items                 # 200, and Edge-Rule tells the edge to answer writes itself:
  curl -i -X POST ${e}/api/items         # 405 "items are read-only" from HAProxy
  curl -i ${e}/wp-admin ; curl -i ${e}/wp-admin/setup.php   # a prefix rule: everything below is blocked

Ctrl-C stops both processes; kill -HUP ${process.pid} reloads HAProxy.
`);
  return 0;
}

run().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (e: Error) => {
    say(e.stack ?? e.message);
    process.exit(1);
  },
);
