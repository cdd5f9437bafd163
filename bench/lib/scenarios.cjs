// The measurements. Each sample is one wrk run against one edge, with the CPU time the edge's
// worker process spent during the run divided by the requests wrk completed (benchmarking.md).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const procs = require("./procs.cjs");
const configs = require("./configs.cjs");
const rules = require("./rules.cjs");
const wrk = require("./wrk.cjs");
const { bulk, tableUsed } = require("./cli.cjs");

const CONFIGS = ["plain", "static", "edgeblock", "lua"];
const PRELOAD_CHUNK = 100000;

/** Load rules 0..n-1 into an edgeblock edge through the runtime API, as blocks.lua writes them. */
async function preloadEdgeblock(edge, n, say) {
  const t0 = Date.now();
  const now = Math.floor(Date.now() / 1000);
  let table;
  for (let from = 0; from < n; from += PRELOAD_CHUNK) {
    const batch = rules.edgeblockCommands("app", from, Math.min(n, from + PRELOAD_CHUNK), now);
    table = batch.table;
    const problems = await bulk(edge.socket, batch.cmds);
    if (problems.length) throw new Error(`runtime API refused rules for ${edge.name}: ${problems.slice(0, 3).join(" | ")}`);
  }
  const used = await tableUsed(edge.socket, table);
  if (used < n) throw new Error(`${edge.name}: ${used} rules in ${table} after loading ${n}`);
  say(`  ${edge.name}: ${n} rules loaded through the runtime API in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { table, seconds: (Date.now() - t0) / 1000 };
}

/** One wrk run against `edge`, with the edge's and the backend's CPU time and the backend's request count. */
async function sample(edge, backend, list, seconds, connections = 16) {
  const served0 = await backend.served();
  const c0 = procs.cpuMicros(edge.worker);
  const b0 = procs.cpuMicros(backend.worker);
  const r = await wrk.run({ port: edge.port, seconds, connections, script: "wrk-paths.lua", args: [list] });
  const c1 = procs.cpuMicros(edge.worker);
  const b1 = procs.cpuMicros(backend.worker);
  const served = (await backend.served()) - served0;
  return {
    requests: r.requests,
    rps: r.rps,
    p50: r.p50,
    p99: r.p99,
    max: r.max,
    non2xx: r.non2xx,
    socketErrors: r.socketErrors,
    usPerReq: (c1 - c0) / r.requests,
    backendUsPerReq: (b1 - b0) / r.requests,
    backendShare: served / r.requests,
  };
}

const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

/** What each sample must look like; anything else means the configs do not do what they claim. */
function check(config, kind, s) {
  const problems = [];
  if (s.socketErrors > 0) problems.push(`${s.socketErrors} socket errors`);
  const blocksHere = kind === "blocked" && config !== "plain";
  if (kind === "pass" && s.non2xx > 0) problems.push(`${s.non2xx} non-2xx answers to pass-through requests`);
  if (kind === "blocked" && s.non2xx < s.requests) problems.push(`${s.requests - s.non2xx} of ${s.requests} rule paths answered 2xx`);
  if (blocksHere && s.backendShare > 0.001) problems.push(`${(s.backendShare * 100).toFixed(1)}% of blocked requests reached the backend`);
  if (!blocksHere && s.backendShare < 0.99) problems.push(`only ${(s.backendShare * 100).toFixed(1)}% of forwarded requests reached the backend`);
  return problems;
}

/**
 * Scenarios 1, 2, 3 and 5: one edge per (config, rule count), all running at once (plain once, it
 * has no rules); then `reps` rounds, each measuring every rule count's pass-through and blocked
 * paths on plain, static, edgeblock, lua-per-request in turn (the order rotates every round).
 */
async function lookups(mode, backend, dir, say) {
  const started = Date.now();
  const passList = rules.writePathList(path.join(dir, "pass.txt"), 1000000, mode.pathsPerList, rules.passKey);
  const lists = {};
  for (const n of mode.ruleCounts) lists[n] = { pass: passList, blocked: rules.writePathList(path.join(dir, `blocked-${n}.txt`), n, mode.pathsPerList, rules.ruleKey) };

  say(`starting edges: plain, and static, edgeblock, lua-per-request with ${mode.ruleCounts.join(", ")} rules`);
  const edges = { plain: {} };
  const plain = await configs.startEdge("plain", { backendPort: backend.port });
  const preload = {};
  await Promise.all(
    mode.ruleCounts.map(async (n) => {
      const mapText = rules.mapText(n);
      const [st, lua, eb] = await Promise.all([
        configs.startEdge("static", { backendPort: backend.port, mapText, label: `static@${n}` }),
        configs.startEdge("lua", { backendPort: backend.port, mapText, label: `lua@${n}` }),
        configs.startEdge("edgeblock", { backendPort: backend.port, maxRules: n + 1000, label: `edgeblock@${n}` }),
      ]);
      preload[n] = await preloadEdgeblock(eb, n, say);
      edges[n] = { plain, static: st, edgeblock: eb, lua };
    }),
  );

  say(`warming up every edge (${mode.warmSeconds} s per path list), then reading RSS`);
  const rss = {};
  for (const n of mode.ruleCounts) {
    rss[n] = {};
    for (const c of CONFIGS) {
      for (const kind of ["pass", "blocked"]) await sample(edges[n][c], backend, lists[n][kind], mode.warmSeconds);
      rss[n][c] = procs.rssBytes(edges[n][c].worker);
    }
  }

  // CPU each edge spends outside its own samples (its background work: edgeblock's maintenance
  // task, for instance), per second of the rounds
  const own = new Map();
  const each = (f) => {
    for (const n of mode.ruleCounts) for (const c of CONFIGS) f(edges[n][c], n, c);
  };
  each((e) => own.set(e, { cpu0: procs.cpuMicros(e.worker), sampled: 0 }));
  const roundsStart = Date.now();
  const samples = [];
  const problems = [];
  for (let rep = 1; rep <= mode.reps; rep++) {
    const t0 = Date.now();
    // rotate the order every round, so that no config or rule count always runs in the same slot
    for (const n of rotate(mode.ruleCounts, rep)) {
      for (const kind of ["pass", "blocked"]) {
        for (const c of rotate(CONFIGS, rep)) {
          const c0 = procs.cpuMicros(edges[n][c].worker);
          const w0 = Date.now();
          const s = await sample(edges[n][c], backend, lists[n][kind], mode.seconds);
          const o = own.get(edges[n][c]);
          o.sampled += procs.cpuMicros(edges[n][c].worker) - c0;
          o.sampledMs = (o.sampledMs || 0) + Date.now() - w0;
          samples.push({ config: c, rules: n, kind, rep, ...s });
          for (const p of check(c, kind, s)) problems.push(`${c}@${n} ${kind} rep ${rep}: ${p}`);
        }
      }
    }
    say(`  round ${rep}/${mode.reps} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const roundsMs = Date.now() - roundsStart;
  const idleCpuMsPerSecond = {};
  each((e, n, c) => {
    const o = own.get(e);
    const idle = procs.cpuMicros(e.worker) - o.cpu0 - o.sampled;
    (idleCpuMsPerSecond[n] = idleCpuMsPerSecond[n] || {})[c] = idle / 1000 / ((roundsMs - o.sampledMs) / 1000);
  });
  const rssEnd = {};
  for (const n of mode.ruleCounts) {
    rssEnd[n] = {};
    for (const c of CONFIGS) rssEnd[n][c] = procs.rssBytes(edges[n][c].worker);
  }
  const stops = [plain.stop()];
  for (const n of mode.ruleCounts) for (const c of ["static", "edgeblock", "lua"]) stops.push(edges[n][c].stop());
  await Promise.all(stops);
  return { samples, rss, rssEnd, idleCpuMsPerSecond, preload, problems, seconds: (Date.now() - started) / 1000 };
}

/**
 * Scenario 4, per config on a fresh edge: `target` requests for unique paths under /learn/, each
 * answered by the backend with `X-Edge-Resource: false`, while unrelated traffic (pass-through
 * paths, 4 connections) is measured. static cannot learn: its run pushes the same number of
 * entries with runtime `add map` commands instead, the way a script would. plain learns nothing:
 * its run is the same load without any learning, the reference for the latencies.
 */
async function learning(mode, backend, dir, say) {
  const passList = path.join(dir, "pass.txt");
  const out = {};
  for (const c of CONFIGS) {
    const edge = await configs.startEdge(c, { backendPort: backend.port, maxRules: Math.max(2 * mode.learnTarget, 1000), label: `${c} (learning)` });
    await sample(edge, backend, passList, mode.warmSeconds);
    const runId = `${c}-${Date.now()}`;
    const rss0 = procs.rssBytes(edge.worker);
    const cpu0 = procs.cpuMicros(edge.worker);
    const master0 = procs.cpuMicros(edge.master.pid);
    const t0 = Date.now();
    const unrelated = wrk.start({ port: edge.port, seconds: mode.learnCapSeconds + 30, connections: 4, script: "wrk-paths.lua", args: [passList] });
    const marker = path.join(dir, `${runId}.done`);
    const learner = wrk.start({ port: edge.port, seconds: mode.learnCapSeconds, connections: 16, script: "wrk-learn.lua", args: [runId, String(mode.learnTarget), marker] });
    let push;
    if (c === "static") {
      const cmds = [];
      for (let i = 1; i <= mode.learnTarget; i++) cmds.push(`add map ${edge.mapFile} ${configs.LEARN_PREFIX}${runId}/${i} 404`);
      const p0 = Date.now();
      push = bulk(edge.socket, cmds).then((problems) => ({ problems, seconds: (Date.now() - p0) / 1000 }));
    }
    const timeline = [];
    let finished = false;
    const poller = (async () => {
      for (let i = 0; !finished && i < (mode.learnCapSeconds + 30) * 2; i++) {
        await procs.sleep(500);
        if (c === "edgeblock" && !finished) timeline.push([(Date.now() - t0) / 1000, await tableUsed(edge.socket, edge.ruleTable)]);
      }
    })().catch((e) => timeline.push([(Date.now() - t0) / 1000, `poll failed: ${e.message}`]));
    // wrk-learn.lua writes the marker after `learnTarget` responses; wrk itself stops at the cap
    await procs.waitFor("the learning load", () => fs.existsSync(marker) || learner.exited(), (mode.learnCapSeconds + 30) * 1000);
    const learnSeconds = (Date.now() - t0) / 1000;
    learner.interrupt();
    const lr = await learner.done;
    const pushed = push ? await push : undefined;
    unrelated.interrupt();
    const ur = await unrelated.done;
    finished = true;
    await poller;
    const cpu1 = procs.cpuMicros(edge.worker);
    const master1 = procs.cpuMicros(edge.master.pid);
    let learned = 0;
    let counters;
    if (c === "edgeblock") {
      learned = await tableUsed(edge.socket, edge.ruleTable);
      counters = await configs.edgeblockCounters(edge);
    }
    if (c === "lua" || c === "static") learned = await configs.mapCount(edge);
    const rss1 = procs.rssBytes(edge.worker);
    const seconds = c === "static" ? pushed.seconds : learnSeconds;
    out[c] = {
      learned,
      seconds,
      perSecond: c === "plain" ? null : learned / seconds,
      hitCap: lr.requests < mode.learnTarget,
      learner: { requests: lr.requests, rps: lr.rps, p50: lr.p50, p99: lr.p99, max: lr.max, socketErrors: lr.socketErrors },
      unrelated: { requests: ur.requests, rps: ur.rps, p50: ur.p50, p99: ur.p99, max: ur.max, non2xx: ur.non2xx, socketErrors: ur.socketErrors },
      over100ms: ur.max > 100,
      edgeCpuSeconds: (cpu1 - cpu0) / 1e6,
      // the master relays blocks.lua's runtime API commands to the worker (master CLI)
      masterCpuSeconds: (master1 - master0) / 1e6,
      rssBefore: rss0,
      rssAfter: rss1,
      bytesPerRule: learned > 0 ? (rss1 - rss0) / learned : null,
      timeline,
      counters,
      problems: pushed && pushed.problems.length ? pushed.problems : [],
    };
    say(
      `  ${c}: ${learned} rules in ${seconds.toFixed(1)} s` +
        `${c === "plain" ? " (nothing to learn: reference load)" : ""}${out[c].hitCap ? " (time cap reached)" : ""};` +
        ` unrelated p99 ${ur.p99.toFixed(2)} ms, max ${ur.max.toFixed(2)} ms`,
    );
    await edge.stop();
  }
  return out;
}

module.exports = { CONFIGS, lookups, learning };
