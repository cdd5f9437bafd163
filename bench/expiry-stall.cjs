#!/usr/bin/env node
// Does freeing a million expired rules stall traffic? A store of N rules (from a snapshot, so the
// edge loads it as after a restart) expires all at once; a steady probe of pass-through requests
// runs throughout. Reports the probe's latency while the store is quiet and while compaction and the
// keyed clears free the expired entries, and the worker's CPU and RSS meanwhile (the table walk this
// replaces is measured by bench/store-scale.cjs: 124 ms at 1M, during which nothing is served).
// Loopback only, bounded (gives up after 240 s), every process stopped by pid.
// Usage: node bench/expiry-stall.cjs [--quick]   (1,000,000 rules; --quick: 200,000)
"use strict";
const { haproxyBin } = require("../dist/node/haproxy-bin.js");
const HAPROXY = haproxyBin(); // $EDGEBLOCK_HAPROXY, else haproxy on PATH
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const http = require("node:http");
const { spawnSync } = require("node:child_process");
const { spawn, track, guarded, tempDir, freePort, sleep, waitFor, portOpen, cpuMicros, rssBytes } = require("./lib/procs.cjs");
const { tableUsed } = require("./lib/cli.cjs");

const ROOT = path.resolve(__dirname, "..");
const { parseConfig } = require(path.join(ROOT, "dist/node/config.js"));
const { renderToDisk } = require(path.join(ROOT, "dist/node/render.js"));
const { formatRecord } = require(path.join(ROOT, "dist/core/journal.js"));
const { entryRecord } = require(path.join(ROOT, "dist/core/store-records.js"));
const { ruleEntry } = require(path.join(ROOT, "dist/core/rule.js"));

const quick = process.argv.includes("--quick");
const N = Number(process.env.EB_RULES) || (quick ? 200000 : 1000000);
const KEEP = 1000;
const GIVE_UP_MS = 240000;

function probe(port, p) {
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    const req = http.get({ host: "127.0.0.1", port, path: p, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ ok: res.statusCode === 200, ms: Number(process.hrtime.bigint() - t) / 1e6 }));
    });
    req.on("error", () => resolve({ ok: false, ms: Number(process.hrtime.bigint() - t) / 1e6 }));
  });
}

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(s.length * q))];
};

async function main() {
  const dir = tempDir("eb-expiry-");
  const [edgePort, statsPort, bePort] = [await freePort(), await freePort(), await freePort()];
  fs.writeFileSync(
    path.join(dir, "backend.cfg"),
    `global\n  nbthread 1\ndefaults\n  mode http\n  timeout client 10s\n  timeout server 10s\n  timeout connect 2s\nfrontend be\n  bind 127.0.0.1:${bePort}\n  http-request return status 200\n`,
  );
  track(spawn(HAPROXY, ["-db", "-f", "backend.cfg"], { cwd: dir, stdio: ["ignore", "ignore", "ignore"] }), "backend");
  const yaml = `listen: { address: 127.0.0.1, port: ${edgePort} }
stats: { address: 127.0.0.1, port: ${statsPort} }
runtime_api: { socket: ${dir}/admin.sock }
lua: { file: ${ROOT}/lua-out/blocks.lua }
threads: 1
log: stderr
state: { dir: ${dir}/state, snapshot_interval: 1, sweep_interval: 1 }
backends:
  - { name: app, trusted: true, max_rules: ${N + KEEP + 10000}, servers: [ { name: s1, address: 127.0.0.1, port: ${bePort} } ] }
`;
  fs.writeFileSync(path.join(dir, "edgeblock.yaml"), yaml);
  renderToDisk(parseConfig(yaml, path.join(dir, "edgeblock.yaml")), { outDir: dir });

  // the store, as a snapshot: N rules expiring together once the load has settled, KEEP that stay
  const now = Math.floor(Date.now() / 1000);
  // the edge loads about 8,000 rules/s here (Lua parses every line): expire well after that
  const loadBudget = Math.ceil(N / 6000) + 20;
  const expireAt = now + loadBudget;
  fs.mkdirSync(path.join(dir, "state"), { recursive: true });
  const out = fs.createWriteStream(path.join(dir, "state/rules.snapshot"));
  out.write(`# edgeblock snapshot v1 written at ${now} by bench\n`);
  const line = (key, ttl) => formatRecord(entryRecord("eb_rules_app", key, ruleEntry({ status: 404, ttl, reason: "bench", dryRun: false, bodyId: 0, originServerId: 0 }, now)), "bench") + "\n";
  for (let i = 0; i < N; i++) if (!out.write(line(`/exp/${i}`, expireAt - now))) await new Promise((r) => out.once("drain", r));
  for (let i = 0; i < KEEP; i++) out.write(line(`/keep/${i}`, 86400));
  await new Promise((r) => out.end(r));

  let log = "";
  const edge = track(spawn(HAPROXY, ["-db", "-f", "haproxy.cfg"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] }), "edge");
  // keep edgeblock's own lines only: rebuilding a big string per chunk would slow this process (and the probe it times)
  let partial = "";
  edge.stderr.on("data", (d) => {
    const lines = (partial + d).split("\n");
    partial = lines.pop();
    for (const l of lines) if (l.includes("edgeblock:") && l.startsWith("[")) log += l + "\n";
  });
  const t0 = Date.now();
  await waitFor(`edge on ${edgePort}`, () => portOpen(edgePort), 20000);
  await waitFor("state loaded", () => /state loaded/.test(log), GIVE_UP_MS);
  const loadedS = (Date.now() - t0) / 1000;
  const sock = path.join(dir, "admin.sock");
  // tableUsed reads the table list, which walks no table (a data filter on `show table <t>` would walk
  // every entry without yielding: 100+ ms at 1M, which this bench would then measure as a stall)
  const used = () => tableUsed(sock, "eb_rules_app");
  const loaded = await used();
  process.stderr.write(`loaded ${loaded} entries in ${loadedS.toFixed(1)} s; they expire at +${expireAt - Math.floor(Date.now() / 1000)} s\n`);

  // the probe: sequential pass-through requests, about 200/s, until the expired entries are gone
  const quiet = [];
  const freeing = [];
  let failed = 0;
  let phase = "quiet";
  let stop = false;
  let i = 0;
  const prober = (async () => {
    while (!stop) {
      const r = await probe(edgePort, `/probe/${i++}`);
      if (!r.ok) failed++;
      (phase === "quiet" ? quiet : freeing).push(r.ms);
      await sleep(5);
    }
  })();
  while (Date.now() / 1000 < expireAt) await sleep(200);
  phase = "freeing";
  const cpu0 = cpuMicros(edge.pid);
  const rss0 = rssBytes(edge.pid);
  let rssPeak = rss0;
  const tFree = Date.now();
  const deadline = Date.now() + GIVE_UP_MS;
  let left = loaded;
  while (Date.now() < deadline) {
    await sleep(500);
    rssPeak = Math.max(rssPeak, rssBytes(edge.pid));
    left = await used();
    if (left <= KEEP) break;
  }
  const freeS = (Date.now() - tFree) / 1000;
  const cpuS = (cpuMicros(edge.pid) - cpu0) / 1e6;
  await sleep(1000);
  stop = true;
  await prober;
  const freedLines = [...log.matchAll(/\[info\].*snapshot written records=(\d+) map_entries_pruned=\d+ expired_freed=(\d+) ms=(\S+) longest_slice_ms=(\d+)/g)].map((m) => ({ records: Number(m[1]), freed: Number(m[2]), msFoldWriteClear: m[3], longestSliceMs: Number(m[4]) }));
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
    haproxy: spawnSync(HAPROXY, ["-v"], { encoding: "utf8" }).stdout.split("\n")[0],
    rules: N,
    loadSeconds: +loadedS.toFixed(1),
    entriesLeft: left,
    freeSeconds: +freeS.toFixed(1),
    freeCpuSeconds: +cpuS.toFixed(2),
    rssBeforeMiB: +(rss0 / 1048576).toFixed(1),
    rssPeakMiB: +(rssPeak / 1048576).toFixed(1),
    snapshots: freedLines,
    probe: {
      quiet: { n: quiet.length, p50: +pct(quiet, 0.5).toFixed(2), p99: +pct(quiet, 0.99).toFixed(2), max: +Math.max(...quiet).toFixed(2) },
      freeing: { n: freeing.length, p50: +pct(freeing, 0.5).toFixed(2), p99: +pct(freeing, 0.99).toFixed(2), max: +Math.max(...freeing).toFixed(2) },
      failed,
    },
  };
  fs.writeFileSync(path.join(__dirname, quick ? "expiry-stall.quick.json" : "expiry-stall.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(`${N} rules expiring together (nbthread 1): freed ${loaded - left} entries in ${result.freeSeconds} s, ${result.freeCpuSeconds} s of edge CPU; RSS ${result.rssBeforeMiB} -> peak ${result.rssPeakMiB} MiB`);
  console.log(`probe latency ms   quiet: p50 ${result.probe.quiet.p50} p99 ${result.probe.quiet.p99} max ${result.probe.quiet.max} (n=${result.probe.quiet.n})`);
  console.log(`                 freeing: p50 ${result.probe.freeing.p50} p99 ${result.probe.freeing.p99} max ${result.probe.freeing.max} (n=${result.probe.freeing.n}); failed requests: ${failed}`);
  console.log(`snapshots: ${freedLines.map((s) => `${s.records} records/${s.freed} freed (ms fold journal/stream snapshot/clear ${s.msFoldWriteClear}, longest slice ${s.longestSliceMs} ms)`).join(", ")}`);
}

guarded(main);
