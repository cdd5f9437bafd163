#!/usr/bin/env node
// `node bench/cluster.cjs [rules]` (after `npm run build`): how fast a rule learned on one node of a
// three-node cluster (HAProxy peers on loopback, rendered by edgeblock's own renderer) blocks on another.
//
// 1. Propagation: for each of N rules (default 1000), one request to node A teaches it (its backend
//    signals); from the moment A's response arrives, node C is asked for the same path every
//    millisecond on a keep-alive connection until C answers it itself (C's backend never signals and
//    answers 200, so a 404 can only be C's rule). Prints p50, p99 and max.
// 2. Lag: A learns as fast as 16 connections can teach it for LAG_SECONDS while the bench samples the
//    rule tables' fill on A and C (runtime API `show table`) every 100 ms: the largest gap, and how long
//    C needs after A's last learn to hold every rule.
// 3. Idle: node C's worker CPU over 10 s with no traffic (its sync task's lookups, the peers' heartbeats).
// Loopback only; every process it starts is stopped by pid. Writes bench/cluster.json.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const http = require("node:http");
const procs = require("./lib/procs.cjs");
const configs = require("./lib/configs.cjs");
const { cli } = require("./lib/cli.cjs");

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) || 1000);
const LAG_SECONDS = 10;
const say = (m) => process.stderr.write(`[cluster] ${m}\n`);
const NAMES = ["na", "nb", "nc"];

/** A HAProxy answering every request itself with `rules` (http-request return lines), its own last line 200 "ok". */
async function answeringBackend(name, rules) {
  const dir = procs.tempDir("eb-bench-backend-");
  const port = await procs.freePort();
  const cfgFile = path.join(dir, "backend.cfg");
  fs.writeFileSync(
    cfgFile,
    ["global", "  nbthread 1", `  stats socket unix@${dir}/admin.sock mode 600 level admin`, "defaults", "  mode http", "  timeout connect 5s", "  timeout client 30s", "  timeout server 30s", "frontend backend", `  bind 127.0.0.1:${port}`, ...rules, '  http-request return status 200 content-type text/plain string "ok"', ""].join("\n"),
  );
  return configs.startHaproxy(name, dir, cfgFile, port);
}

/** A backend answering everything 200, never signalling (nodes B and C). */
const quietBackend = () => answeringBackend("quiet backend", []);

/** Node A's backend: /learn/<x> teaches an exact rule, /pfx/<x> a prefix rule on its own path (through the sync table). */
const teachingBackend = () =>
  answeringBackend("teaching backend", [
    `  http-request return status 404 content-type text/plain string "learn me" hdr x-edge-resource false if { path_beg ${configs.LEARN_PREFIX} }`,
    `  http-request return status 404 content-type text/plain string "learn me" hdr edge-rule "block;path=\\"%[path]\\";prefix" if { path_beg ${PREFIX_PATH} }`,
  ]);

/** One rule at a time, at random moments: teach it on A, then ask C every millisecond until C answers `probe(p)` itself. */
async function propagate(a, c, n, teachPath, probePath) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    // a random pause first: back-to-back rules would fall into step with the receiving node's sync poll
    await procs.sleep(Math.random() * 60);
    if ((await get(a.port, teachPath(i))) !== 404) throw new Error(`A did not answer ${teachPath(i)} with its backend's 404`);
    const t0 = process.hrtime.bigint();
    for (let tries = 0; ; tries++) {
      if ((await get(c.port, probePath(i))) === 404) break;
      if (tries > 5000) throw new Error(`C never blocked ${probePath(i)}`);
      await procs.sleep(1);
    }
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const sorted = [...ms].sort((x, y) => x - y);
  return { rules: n, p50: pct(sorted, 0.5), p99: pct(sorted, 0.99), max: sorted[sorted.length - 1] };
}

const PREFIX_PATH = "/pfx/";
const PREFIX_RULES = 200;

async function startNode(name, peerPorts, backendPort) {
  const { parseConfig } = require(path.join(configs.DIST, "node/config.js"));
  const { renderToDisk } = require(path.join(configs.DIST, "node/render.js"));
  const dir = procs.tempDir(`eb-bench-${name}-`);
  const port = await procs.freePort();
  const statsPort = await procs.freePort();
  const yaml = [
    `listen: { address: 127.0.0.1, port: ${port} }`,
    `stats: { address: 127.0.0.1, port: ${statsPort} }`,
    `runtime_api: { socket: ${dir}/admin.sock }`,
    `lua: { file: ${configs.BLOCKS}, load: shared }`,
    "threads: 1",
    "log: stderr",
    `static_map: ${dir}/path_status.map`,
    "backends:",
    `  - { name: app, trusted: true, max_rules: 200000, servers: [ { name: s1, address: 127.0.0.1, port: ${backendPort} } ] }`,
    `peers: { local: ${name}, nodes: [ ${NAMES.map((n, i) => `{ name: ${n}, address: 127.0.0.1, port: ${peerPorts[i]} }`).join(", ")} ] }`,
    "",
  ].join("\n");
  const file = path.join(dir, "edgeblock.yaml");
  fs.writeFileSync(file, yaml);
  fs.writeFileSync(path.join(dir, "path_status.map"), "");
  const config = parseConfig(yaml, file);
  const rendered = renderToDisk(config, { outDir: dir });
  const h = await configs.startHaproxy(name, dir, rendered.files.cfg, port);
  return { ...h, socket: config.runtimeApiSocket };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
function get(port, p) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: p, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.end();
  });
}

async function used(socket) {
  const m = /# table: eb_rules_app, type: \w+, size:\d+, used:(\d+)/.exec(await cli(socket, "show table"));
  return m ? Number(m[1]) : -1;
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function main() {
  const teaching = await teachingBackend();
  const quiet = await quietBackend();
  const peerPorts = [await procs.freePort(), await procs.freePort(), await procs.freePort()];
  const [a, , c] = [await startNode("na", peerPorts, teaching.port), await startNode("nb", peerPorts, quiet.port), await startNode("nc", peerPorts, quiet.port)];
  // a cold cluster: every node holds requests until its peers taught it or its bound passed
  await procs.sleep(5000);
  const version = (/^Version: (.*)$/m.exec(await cli(a.socket, "show info")) || [])[1];
  // what a cluster node costs doing nothing: its sync task's lookups every 10 ms, the peers' heartbeats
  const idle0 = procs.cpuMicros(c.worker);
  await procs.sleep(10000);
  const idleCpuPercent = (procs.cpuMicros(c.worker) - idle0) / 1e5;
  say(`idle node: ${idleCpuPercent.toFixed(2)}% of a core over 10 s`);
  say(`HAProxy ${version}: ${N} rules, one at a time`);

  const propagation = await propagate(a, c, N, (i) => `${configs.LEARN_PREFIX}r${i}`, (i) => `${configs.LEARN_PREFIX}r${i}`);
  const prefixPropagation = await propagate(a, c, PREFIX_RULES, (i) => `${PREFIX_PATH}r${i}`, (i) => `${PREFIX_PATH}r${i}/below`);
  const fmt = (x) => `p50 ${x.p50.toFixed(2)} ms, p99 ${x.p99.toFixed(2)} ms, max ${x.max.toFixed(2)} ms`;
  say(`propagation A -> C, exact rules (peers): ${fmt(propagation)}`);
  say(`propagation A -> C, prefix rules (peers, and the sync table each node looks at every 10 ms): ${fmt(prefixPropagation)} over ${PREFIX_RULES}`);

  // lag while A learns at full speed
  const base = await used(a.socket);
  let stop = false;
  let taught = 0;
  const deadline = Date.now() + LAG_SECONDS * 1000;
  const teach = async (w) => {
    for (let i = 0; !stop && Date.now() < deadline; i++) {
      await get(a.port, `${configs.LEARN_PREFIX}lag-${w}-${i}`);
      taught++;
    }
  };
  const samples = [];
  const sampler = (async () => {
    while (!stop) {
      const [ua, uc] = [await used(a.socket), await used(c.socket)];
      samples.push({ t: Date.now(), a: ua - base, c: uc - base });
      await procs.sleep(100);
    }
  })();
  const started = Date.now();
  await Promise.all(Array.from({ length: 16 }, (_, w) => teach(w)));
  const learnedFor = (Date.now() - started) / 1000;
  const finalA = (await used(a.socket)) - base;
  const doneAt = Date.now();
  let caughtUpMs = -1;
  await procs.waitFor("C holding every rule A learned", async () => {
    if ((await used(c.socket)) - base >= finalA) {
      caughtUpMs = Date.now() - doneAt;
      return true;
    }
    return false;
  }, 60000);
  stop = true;
  await sampler;
  const maxLag = Math.max(...samples.map((s) => s.a - s.c));
  const lag = { seconds: learnedFor, rulesLearnedOnA: finalA, rate: Math.round(finalA / learnedFor), maxLagRules: maxLag, maxLagMs: Math.round((maxLag / Math.max(1, finalA / learnedFor)) * 1000), caughtUpAfterMs: caughtUpMs };
  say(`A learned ${finalA} rules in ${learnedFor.toFixed(1)} s (${lag.rate}/s); C lagged by at most ${maxLag} rules (~${lag.maxLagMs} ms at that rate) and held them all ${caughtUpMs} ms after A's last`);
  const out = { haproxy: version, machine: `${require("node:os").cpus().length} cores`, idleCpuPercent, propagation, prefixPropagation, lag, at: new Date().toISOString() };
  const file = path.join(configs.ROOT, "bench", `cluster${version && !version.startsWith("2.6") ? "." + version.split(".").slice(0, 2).join(".") : ""}.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  say(`wrote ${path.relative(configs.ROOT, file)}`);
  agent.destroy();
}

procs.guarded(main);
