#!/usr/bin/env node
// `node bench/restart.cjs [rules] [--records] [--cluster]` (after `npm run build`): how long a restart takes to enforce a stored
// store. Writes a state folder whose snapshot holds N exact-path rules (default 1M) in the format
// blocks.lua writes (src/core: blockRecords, formatRecord), starts the edge on it (master-worker, as
// `npm start` does) and reports, from the moment HAProxy is started: when the port accepts, when the
// worker has loaded every rule (the rule table's `used`), and when the last rule of the snapshot is
// enforced (a request for it answered by the edge without reaching the backend), with the worker's
// CPU seconds. Target (native-speed issue): every rule enforced within 10 s at 1M. Loopback only;
// every process it starts is stopped by pid.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const http = require("node:http");
const procs = require("./lib/procs.cjs");
const configs = require("./lib/configs.cjs");
const { cli } = require("./lib/cli.cjs");

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) || 1000000);
/** --records: no commands file, the snapshot's records are replayed one by one (what a restart did before). */
const RECORDS = process.argv.includes("--records");
/** --cluster: the node is one of a cluster whose other node is down (its own state replayed reconciled, after waiting for peers). */
const CLUSTER = process.argv.includes("--cluster");
const say = (m) => process.stderr.write(`[restart] ${m}\n`);
const core = (m) => require(path.join(configs.DIST, "core", m));

/**
 * The snapshot blocks.lua would write for rules 0..n-1 of the bench's rule set (table entries, then map
 * entries, as a compaction orders them) and, unless `records` only, its commands file as a compaction
 * writes it beside the snapshot (core/snapshot-commands.ts).
 */
function writeSnapshot(file, n, now, commands = true) {
  const { blockRecords } = core("store-records.js");
  const { formatRecord, snapshotHeader } = core("journal.js");
  const sc = core("snapshot-commands.js");
  const rules = require("./lib/rules.cjs");
  const none = { liveness: () => 0, specs: () => undefined, hasMapKey: () => false };
  const head = snapshotHeader(now, "bench");
  const fd = fs.openSync(file, "w");
  const cfile = path.join(path.dirname(file), sc.SNAPSHOT_COMMANDS_FILE);
  const cfd = commands ? fs.openSync(cfile, "w") : undefined;
  fs.writeSync(fd, head + "\n");
  if (cfd !== undefined) fs.writeSync(cfd, sc.COMMANDS_HEADER + "\n");
  let bytes = Buffer.byteLength(head) + 1;
  let chunk = [];
  let cchunk = [];
  const batches = new sc.BatchLines((l) => cchunk.push(l));
  const maps = {};
  const out = (text) => {
    chunk.push(text);
    bytes += Buffer.byteLength(text) + 1;
  };
  for (let i = 0; i < n; i++) {
    const rule = { match: { path: rules.ruleKey(i), prefix: false, methods: [], query: [] }, status: 404, body: "", ttl: 86400, reason: "bench", dryRun: false };
    for (const r of blockRecords("app", [rule], now, 0, none)) {
      if (r.kind !== "table") {
        maps[r.file + "\t" + r.key] = r;
        continue;
      }
      out(formatRecord(r, "bench"));
      batches.add(sc.entryCommand(r.table, r.key, r.fields), (r.fields.find((f) => f.name === "gpt0") || { value: 0 }).value);
    }
    if (chunk.length >= 10000) {
      fs.writeSync(fd, chunk.join("\n") + "\n");
      chunk = [];
      if (cfd !== undefined && cchunk.length) fs.writeSync(cfd, cchunk.join("\n") + "\n");
      cchunk = [];
    }
  }
  batches.flush();
  for (const r of Object.values(maps)) {
    out(formatRecord(r, "bench"));
    cchunk.push(formatRecord(r, "bench"));
  }
  if (chunk.length) fs.writeSync(fd, chunk.join("\n") + "\n");
  fs.closeSync(fd);
  if (cfd !== undefined) {
    if (cchunk.length) fs.writeSync(cfd, cchunk.join("\n") + "\n");
    fs.writeSync(cfd, sc.commandsTrailer(head, bytes) + "\n");
    fs.closeSync(cfd);
  }
}

function get(port, p) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: p, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

if (require.main === module) procs.guarded(async () => {
  const rules = require("./lib/rules.cjs");
  const backend = await configs.startBackend();
  const peers = CLUSTER ? `peers: { local: n1, nodes: [ { name: n1, address: 127.0.0.1, port: ${await procs.freePort()} }, { name: n2, address: 127.0.0.1, port: ${await procs.freePort()} } ] }` : undefined;
  const e = await configs.prepareEdge("edgeblock", { backendPort: backend.port, maxRules: N + 1000, extraYaml: peers });
  // edgeblock's default state folder, next to the rendered config
  const stateDir = path.join(e.dir, "state");
  if (!fs.existsSync(stateDir)) throw new Error(`no state folder at ${stateDir}: did render stop creating it?`);
  const now = Math.floor(Date.now() / 1000);
  say(`writing a snapshot of ${N} rules...`);
  writeSnapshot(path.join(stateDir, "rules.snapshot"), N, now, !RECORDS);
  say(`snapshot: ${(fs.statSync(path.join(stateDir, "rules.snapshot")).size / 1048576).toFixed(1)} MiB; starting the edge`);
  const last = rules.ruleKey(N - 1);
  const t0 = Date.now();
  const edge = await configs.startEdge("edgeblock", { prepared: e });
  const listening = (Date.now() - t0) / 1000;
  let loaded;
  let enforced;
  for (let i = 0; i < 1200 && (loaded === undefined || enforced === undefined); i++) {
    const t = (Date.now() - t0) / 1000;
    if (loaded === undefined) {
      const used = Number((/table: eb_rules_app, type: \S+, size:\d+, used:(\d+)/.exec(await cli(edge.socket, "show table")) || [])[1]);
      if (used >= N) loaded = t;
    }
    if (enforced === undefined) {
      const served0 = await backend.served();
      const status = await get(edge.port, last);
      // CumReq counts the `show info` that reads it too: +1 means the probe never reached the backend
      if (status === 404 && (await backend.served()) === served0 + 1) enforced = (Date.now() - t0) / 1000;
    }
    await procs.sleep(100);
  }
  const cpu = procs.cpuMicros(edge.worker) / 1e6;
  const out = { rules: N, from: CLUSTER ? "cluster node, its peers down" : RECORDS ? "snapshot records" : "snapshot commands file", listeningSeconds: listening, loadedSeconds: loaded, lastRuleEnforcedSeconds: enforced, workerCpuSeconds: cpu, target: "every rule enforced within 10 s", met: enforced !== undefined && enforced <= 10 };
  process.stdout.write(JSON.stringify(out) + "\n");
  await edge.stop();
  await backend.stop();
});

module.exports = { writeSnapshot };
