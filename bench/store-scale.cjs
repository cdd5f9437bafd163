#!/usr/bin/env node
// Store choice, measured: what one write costs in a stick table (`set table`, what edgeblock
// uses) and in a map (`set map`, what core.set_map does) at 1k, 100k and 1M entries, and what a
// whole learn costs end to end (backend signal -> Lua -> runtime API) at the same sizes.
// Loopback only, bounded, every process stopped by pid. Usage: node bench/store-scale.cjs [--quick]
"use strict";
const { haproxyBin } = require("../dist/node/haproxy-bin.js");
const HAPROXY = haproxyBin(); // $EDGEBLOCK_HAPROXY, else haproxy on PATH
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const { freePort, portOpen, waitFor, cpuMicros } = require("./lib/procs.cjs");
const { cli } = require("./lib/cli.cjs");
const waitPortOpen = (port) => waitFor(`port ${port}`, () => portOpen(port));
const { parseConfig } = require(path.join(ROOT, "dist/node/config.js"));
const { renderToDisk } = require(path.join(ROOT, "dist/node/render.js"));
const quick = process.argv.includes("--quick");
const SIZES = quick ? [1000, 100000] : [1000, 100000, 1000000];
const LEARNS = quick ? 300 : 1500;
const started = [];




function startHaproxy(dir, file, args = []) {
  const p = spawn(HAPROXY, ["-db", "-f", file, ...args], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  p.stderr.on("data", (d) => (err += d));
  started.push(p);
  p.errText = () => err;
  return p;
}


function get(port, p) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    http
      .get({ host: "127.0.0.1", port, path: p, agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve(Number(process.hrtime.bigint() - t) / 1000));
      })
      .on("error", reject);
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function p99(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
}

/** Fill a table through the runtime API: `;`-joined lines, 4 connections at a time. */
async function preload(sock, table, n, expiry) {
  const per = 60;
  const lines = [];
  for (let i = 0; i < n; i += per) {
    const cmds = [];
    for (let j = i; j < Math.min(n, i + per); j++) cmds.push(`set table ${table} key /pre/${j} data.gpt0 ${expiry} data.gpc1 ${expiry} data.gpc0 404`);
    lines.push(cmds.join(";"));
  }
  let next = 0;
  const worker = async () => {
    while (next < lines.length) await cli(sock, lines[next++]);
  };
  const t = Date.now();
  await Promise.all([worker(), worker(), worker(), worker()]);
  return (Date.now() - t) / 1000;
}

async function measureSize(n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eb-scale-"));
  const [edgePort, statsPort, bePort] = [await freePort(), await freePort(), await freePort()];
  // the backend: a second HAProxy that signals every /learn/ path (cheaper than any Node server)
  fs.writeFileSync(
    path.join(dir, "backend.cfg"),
    `global\n  nbthread 1\ndefaults\n  mode http\n  timeout client 10s\n  timeout server 10s\n  timeout connect 2s\nfrontend be\n  bind 127.0.0.1:${bePort}\n  http-request return status 404 hdr x-edge-resource false if { path_beg /learn/ }\n  http-request return status 404\n`,
  );
  startHaproxy(dir, "backend.cfg");
  const yaml = `listen: { address: 127.0.0.1, port: ${edgePort} }
stats: { address: 127.0.0.1, port: ${statsPort} }
runtime_api: { socket: ${dir}/admin.sock }
lua: { file: ${ROOT}/lua-out/blocks.lua }
log: /dev/null
state: { dir: none, sweep_interval: 86400 }
backends:
  - { name: app, trusted: true, max_rules: ${n + LEARNS + 10000}, servers: [ { name: s1, address: 127.0.0.1, port: ${bePort} } ] }
`;
  fs.writeFileSync(path.join(dir, "edgeblock.yaml"), yaml);
  renderToDisk(parseConfig(yaml, path.join(dir, "edgeblock.yaml")), { outDir: dir });
  // a map of the same size, referenced by the config so that it is loaded, for the set_map comparison
  const mapFile = path.join(dir, "compare.map");
  const mapLines = [];
  for (let i = 0; i < n; i++) mapLines.push(`/pre/${i} 404`);
  fs.writeFileSync(mapFile, mapLines.join("\n") + "\n");
  let cfg = fs.readFileSync(path.join(dir, "haproxy.cfg"), "utf8");
  cfg = cfg.replace("frontend stats\n", `frontend stats\n  http-request set-var(txn.cmp) path,map_str(compare.map) if { path /never }\n`);
  fs.writeFileSync(path.join(dir, "haproxy.cfg"), cfg);
  const edge = startHaproxy(dir, "haproxy.cfg");
  await waitPortOpen(edgePort);
  await waitPortOpen(bePort);
  const sock = path.join(dir, "admin.sock");
  const expiry = Math.floor(Date.now() / 1000) + 3600;
  const preloadSeconds = await preload(sock, "eb_rules_app", n, expiry);

  // 1. one `set table` on a table of n entries, through the runtime API (no Lua): 200 commands per line
  const K = 2000;
  let t = process.hrtime.bigint();
  for (let i = 0; i < K; i += 200) {
    const cmds = [];
    for (let j = i; j < i + 200; j++) cmds.push(`set table eb_rules_app key /cmp/${j} data.gpt0 ${expiry} data.gpc1 ${expiry} data.gpc0 404`);
    await cli(sock, cmds.join(";"));
  }
  const setTableUs = Number(process.hrtime.bigint() - t) / 1000 / K;

  // 2. one `set map` (an upsert of an existing key: what core.set_map does) on a map of n entries
  const M = n >= 1000000 ? 40 : n >= 100000 ? 200 : 2000;
  t = process.hrtime.bigint();
  for (let i = 0; i < M; i += 20) {
    const cmds = [];
    for (let j = i; j < i + 20; j++) cmds.push(`set map compare.map /pre/${(j * 7919) % n} 410`);
    await cli(sock, cmds.join(";"));
  }
  const setMapUs = Number(process.hrtime.bigint() - t) / 1000 / M;

  // 3. a sweep that finds nothing to free: the walk over the whole table (nbthread 1: the stall it causes)
  t = process.hrtime.bigint();
  await cli(sock, `clear table eb_rules_app data.gpt0 lt ${Math.floor(Date.now() / 1000) - 1}`);
  const sweepMs = Number(process.hrtime.bigint() - t) / 1e6;

  // 3b. what replaces the walk above state.walk_limit: expired keys cleared by name, in batches the
  // size the maintenance task sends (~8 kB, 150 keys); the slowest batch is the longest hold
  let clearBatchMaxMs = 0;
  t = process.hrtime.bigint();
  for (let i = 0; i < K; i += 150) {
    const cmds = [];
    for (let j = i; j < Math.min(K, i + 150); j++) cmds.push(`clear table eb_rules_app key /cmp/${j}`);
    const b = process.hrtime.bigint();
    await cli(sock, cmds.join(";"));
    clearBatchMaxMs = Math.max(clearBatchMaxMs, Number(process.hrtime.bigint() - b) / 1e6);
  }
  const clearKeyUs = Number(process.hrtime.bigint() - t) / 1000 / K;

  // 4. whole learns: backend signal -> Lua action -> runtime API, CPU of the edge per learn, and latency
  const worker = edge.pid; // -db without -W: the process is the worker
  const lat = [];
  const c0 = cpuMicros(worker);
  let next = 0;
  const go = async () => {
    while (next < LEARNS) lat.push(await get(edgePort, `/learn/${n}/${next++}`));
  };
  t = process.hrtime.bigint();
  await Promise.all([go(), go(), go(), go()]);
  const learnWallS = Number(process.hrtime.bigint() - t) / 1e9;
  const learnCpuUs = ((cpuMicros(worker) - c0)) / LEARNS;
  // the same requests without a signal, to separate the learn from the proxying
  const c1 = cpuMicros(worker);
  next = 0;
  const plain = [];
  const go2 = async () => {
    while (next < LEARNS) plain.push(await get(edgePort, `/plain/${n}/${next++}`));
  };
  await Promise.all([go2(), go2(), go2(), go2()]);
  const plainCpuUs = ((cpuMicros(worker) - c1)) / LEARNS;
  const used = Number(/used:(\d+)/.exec(await cli(sock, "show table eb_rules_app"))[1]);
  for (const p of started.splice(0)) p.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    entries: n,
    preloadPerSecond: Math.round(n / preloadSeconds),
    setTableUs: +setTableUs.toFixed(1),
    setMapUs: +setMapUs.toFixed(1),
    sweepMs: +sweepMs.toFixed(2),
    clearKeyUs: +clearKeyUs.toFixed(1),
    clearBatchMaxMs: +clearBatchMaxMs.toFixed(2),
    learnCpuUs: +learnCpuUs.toFixed(1),
    proxyCpuUs: +plainCpuUs.toFixed(1),
    learnExtraCpuUs: +(learnCpuUs - plainCpuUs).toFixed(1),
    learnLatencyMedianUs: Math.round(median(lat)),
    learnLatencyP99Us: Math.round(p99(lat)),
    learnsPerSecond: Math.round(LEARNS / learnWallS),
    tableUsedAfter: used,
  };
}

async function main() {
  const rows = [];
  for (const n of SIZES) {
    process.stderr.write(`measuring ${n} entries...\n`);
    rows.push(await measureSize(n));
  }
  const out = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, kernel: os.release() },
    haproxy: spawnSync(HAPROXY, ["-v"], { encoding: "utf8" }).stdout.split("\n")[0],
    quick,
    learnsPerSize: LEARNS,
    rows,
  };
  fs.writeFileSync(path.join(__dirname, quick ? "store-scale.quick.json" : "store-scale.json"), JSON.stringify(out, null, 2) + "\n");
  console.log("entries    preload/s  set table µs  set map µs  sweep ms  clear key µs (max batch ms)  learn CPU µs (+extra)  learn p50/p99 µs  learns/s");
  for (const r of rows) {
    console.log(
      `${String(r.entries).padEnd(10)} ${String(r.preloadPerSecond).padEnd(10)} ${String(r.setTableUs).padEnd(13)} ${String(r.setMapUs).padEnd(11)} ${String(r.sweepMs).padEnd(9)} ${`${r.clearKeyUs} (${r.clearBatchMaxMs})`.padEnd(28)} ${`${r.learnCpuUs} (+${r.learnExtraCpuUs})`.padEnd(22)} ${`${r.learnLatencyMedianUs}/${r.learnLatencyP99Us}`.padEnd(17)} ${r.learnsPerSecond}`,
    );
  }
}

process.on("exit", () => started.forEach((p) => p.exitCode === null && p.kill("SIGKILL")));
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
