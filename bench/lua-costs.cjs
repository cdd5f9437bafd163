#!/usr/bin/env node
// Where edgeblock runs Lua on the request path, and what it costs: CPU µs per request of the edge
// (utime+stime of the HAProxy process / requests wrk reports) for request kinds that take each path
// through the rendered config, alternated 5 times, medians. Loopback only, bounded.
// Usage: node bench/lua-costs.cjs [--quick]
"use strict";
const { haproxyBin } = require("../dist/node/haproxy-bin.js");
const HAPROXY = haproxyBin(); // $EDGEBLOCK_HAPROXY, else haproxy on PATH
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const { freePort, portOpen, waitFor, cpuMicros } = require("./lib/procs.cjs");
const { cli } = require("./lib/cli.cjs");
const waitPortOpen = (port) => waitFor(`port ${port}`, () => portOpen(port));
const { parseConfig } = require(path.join(ROOT, "dist/node/config.js"));
const { renderToDisk } = require(path.join(ROOT, "dist/node/render.js"));
const quick = process.argv.includes("--quick");
const REPS = quick ? 3 : 5;
const SECONDS = quick ? 2 : 4;
const started = [];

const KINDS = [
  { name: "pass-through, plain path (native only)", path: "/plain/page" },
  { name: "pass-through, trailing slash (native regsub)", path: "/plain/page/" },
  { name: "pass-through, odd path (Lua normaliser)", path: "/plain//page" },
  { name: "pass-through, path with qualified rules that do not match (Lua match)", path: "/q?other=1" },
  { name: "blocked, exact-path rule (native)", path: "/blocked" },
  { name: "blocked, prefix rule (native)", path: "/pfx/deep/page" },
  { name: "blocked, qualified rule (Lua match)", path: "/q?debug=1" },
];





function wrk(port, p) {
  const r = spawnSync("wrk", ["-t1", "-c16", `-d${SECONDS}s`, `http://127.0.0.1:${port}${p}`], { encoding: "utf8" });
  const m = /(\d+) requests in/.exec(r.stdout);
  if (!m) throw new Error(`wrk failed: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  if (spawnSync("sh", ["-c", "command -v wrk"]).status !== 0) throw new Error("wrk is missing: apt-get install -y wrk");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eb-luacost-"));
  const [edgePort, statsPort, bePort] = [await freePort(), await freePort(), await freePort()];
  fs.writeFileSync(
    path.join(dir, "backend.cfg"),
    `global\n  nbthread 1\ndefaults\n  mode http\n  timeout client 10s\n  timeout server 10s\n  timeout connect 2s\nfrontend be\n  bind 127.0.0.1:${bePort}\n  http-request return status 200 content-type text/plain string ok\n`,
  );
  const be = spawn(HAPROXY, ["-db", "-f", "backend.cfg"], { cwd: dir, stdio: "ignore" });
  started.push(be);
  const yaml = `listen: { address: 127.0.0.1, port: ${edgePort} }
stats: { address: 127.0.0.1, port: ${statsPort} }
runtime_api: { socket: ${dir}/admin.sock }
lua: { file: ${ROOT}/lua-out/blocks.lua }
log: /dev/null
state: { dir: none }
backends:
  - { name: app, trusted: true, servers: [ { name: s1, address: 127.0.0.1, port: ${bePort} } ] }
`;
  fs.writeFileSync(path.join(dir, "edgeblock.yaml"), yaml);
  renderToDisk(parseConfig(yaml, path.join(dir, "edgeblock.yaml")), { outDir: dir });
  const edge = spawn(HAPROXY, ["-db", "-f", "haproxy.cfg"], { cwd: dir, stdio: "ignore" });
  started.push(edge);
  await waitPortOpen(edgePort);
  await waitPortOpen(bePort);
  const sock = path.join(dir, "admin.sock");
  const add = (args) => spawnSync(process.execPath, [path.join(ROOT, "dist/node/cli.js"), "rules", "add", "--backend", "app", "--socket", sock, "--config", path.join(dir, "edgeblock.yaml"), ...args], { encoding: "utf8" });
  for (const a of [["--path", "/blocked"], ["--path", "/pfx", "--prefix"]]) {
    const r = add(a);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  // a qualified rule (query ?debug) on /q, learned the way a backend would teach it
  const exp = Math.floor(Date.now() / 1000) + 3600;
  await cli(sock, `set table eb_rules_app key /q data.gpt0 ${exp}`);
  await cli(sock, `set table eb_rules_app key /q\\ GET~q:debug data.gpt0 ${exp} data.gpc1 ${exp} data.gpc0 403`);
  await cli(sock, `add map eb_qual_app.map /q GET~q:debug`);
  const samples = KINDS.map(() => []);
  for (let rep = 0; rep < REPS; rep++) {
    for (let k = 0; k < KINDS.length; k++) {
      const c0 = cpuMicros(edge.pid);
      const n = wrk(edgePort, KINDS[k].path);
      samples[k].push(((cpuMicros(edge.pid) - c0)) / n);
    }
  }
  const rows = KINDS.map((k, i) => ({ kind: k.name, path: k.path, cpuUsPerRequest: +median(samples[i]).toFixed(2), min: +Math.min(...samples[i]).toFixed(2), max: +Math.max(...samples[i]).toFixed(2) }));
  const base = rows[0].cpuUsPerRequest;
  const blockedBase = rows.find((r) => r.kind.startsWith("blocked")).cpuUsPerRequest;
  for (const r of rows) r.vsNative = +(r.kind.startsWith("blocked") ? r.cpuUsPerRequest - blockedBase : r.cpuUsPerRequest - base).toFixed(2);
  const out = { date: new Date().toISOString(), haproxy: spawnSync(HAPROXY, ["-v"], { encoding: "utf8" }).stdout.split("\n")[0], cpus: os.cpus().length, reps: REPS, seconds: SECONDS, quick, rows };
  fs.writeFileSync(path.join(__dirname, quick ? "lua-costs.quick.json" : "lua-costs.json"), JSON.stringify(out, null, 2) + "\n");
  console.log("CPU µs per request of the edge (median of " + REPS + "; min-max) and the Lua surcharge against the native path of the same kind");
  for (const r of rows) console.log(`${r.kind.padEnd(72)} ${String(r.cpuUsPerRequest).padStart(7)}  (${r.min}-${r.max})  ${r.vsNative >= 0 ? "+" : ""}${r.vsNative}`);
  for (const p of started) p.kill("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
}

process.on("exit", () => started.forEach((p) => p.exitCode === null && p.kill("SIGKILL")));
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
