// Process bookkeeping for the bench: every process started here is stopped by pid at the end,
// on error and on Ctrl-C. Also /proc readers (CPU time, RSS) and small waiting helpers.
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");

const started = new Map(); // pid -> { child, name }
const tempDirs = new Set();
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

function track(child, name) {
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  started.set(child.pid, { child, name });
  child.once("exit", () => started.delete(child.pid));
  return child;
}

function alive(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** Stop one process we started: signal, wait up to `ms`, then SIGKILL. */
function stop(child, signal = "SIGTERM", ms = 5000) {
  return new Promise((resolve) => {
    if (!alive(child)) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, signal);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

async function stopAll() {
  await Promise.all([...started.values()].map((p) => stop(p.child)));
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

function killAllNow() {
  for (const { child } of started.values()) {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
}

/** Run `main`, stopping every started process afterwards, also on error, Ctrl-C or SIGTERM. */
function guarded(main) {
  let stopping = false;
  const onSignal = (sig) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n[bench] ${sig}: stopping ${started.size} process(es)\n`);
    stopAll().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", killAllNow);
  main()
    .then(async () => {
      if (stopping) return;
      await stopAll();
      process.exit(0);
    })
    .catch(async (e) => {
      if (stopping) return; // interrupted: the signal handler is already cleaning up
      process.stderr.write(`[bench] error: ${e && e.stack ? e.stack : e}\n`);
      await stopAll();
      process.exit(1);
    });
}

function tempDir(prefix) {
  const d = fs.mkdtempSync(require("node:path").join(require("node:os").tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

// the port helpers are edgeblock's own (src/node/ports.ts), built into dist/ before every bench run
const ports = require("../../dist/node/ports.js");
const freePort = ports.freePort;
const portOpen = ports.portOpen;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const waitFor = (what, check, timeoutMs = 15000) => ports.waitFor(what, check, timeoutMs);

/** utime+stime of a process, in microseconds. */
function cpuMicros(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
  return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK; // fields 14 and 15
}

/** VmRSS of a process, in bytes. */
function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Pids whose parent is `ppid`. */
function childrenOf(ppid) {
  const out = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[1]) === ppid) out.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

module.exports = { spawn, track, stop, stopAll, guarded, tempDir, freePort, sleep, waitFor, portOpen, cpuMicros, rssBytes, childrenOf, alive };
