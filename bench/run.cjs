#!/usr/bin/env node
// `npm run bench [-- --quick]`: the price of edgeblock, measured side by side with the
// alternatives (plain proxying, a static deny map, a Lua lookup on every request) on real HAProxy
// processes on loopback. See docs/benchmarks.md for the method and the figures.
//
// Full: 8 alternating rounds of 1 s runs, 10 / 10k / 100k / 1M rules, 100k rules learned (at
// most 75 s per config).
// --quick: 2 rounds of 0.4 s runs, 10 / 10k / 100k rules (the 1M row reads "not run"), 5k rules
// learned; the same tables, written to bench/results.quick.{json,md} and bench/chart.quick.svg so
// that they never overwrite a full run's files. HAProxy branches other than 2.6 add theirs: results.3.2.json.
"use strict";
const { haproxyBin } = require("../dist/node/haproxy-bin.js");
const HAPROXY = haproxyBin(); // $EDGEBLOCK_HAPROXY, else haproxy on PATH
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const procs = require("./lib/procs.cjs");
const configs = require("./lib/configs.cjs");
const scenarios = require("./lib/scenarios.cjs");
const report = require("./lib/report.cjs");
const chart = require("./lib/chart.cjs");
const wrk = require("./lib/wrk.cjs");

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write("usage: npm run bench [-- --quick]\n  --quick  fewer, shorter samples and no 1M-rule row; finishes in under a minute\n");
  process.exit(0);
}
for (const a of argv) {
  if (a !== "--quick") {
    process.stderr.write(`unknown argument ${a} (try --help)\n`);
    process.exit(2);
  }
}
const QUICK = argv.includes("--quick");

const MODE = QUICK
  ? { name: "quick", reps: 2, seconds: 0.4, warmSeconds: 0.15, ruleCounts: [10, 10000, 100000], refRules: 10000, learnTarget: 5000, learnCapSeconds: 4, pathsPerList: 1000 }
  : { name: "full", reps: 8, seconds: 1, warmSeconds: 0.5, ruleCounts: [10, 10000, 100000, 1000000], refRules: 10000, learnTarget: 100000, learnCapSeconds: 75, pathsPerList: 1000 };
// one set of files per HAProxy branch (2.6, the default, keeps the plain names)
const BRANCH = ((/version (\d+\.\d+)/.exec(spawnSync(HAPROXY, ["-v"], { encoding: "utf8" }).stdout || "") || [])[1]) || "unknown";
const TAG = `${QUICK ? ".quick" : ""}${BRANCH === "2.6" ? "" : `.${BRANCH}`}`;
const OUT = {
  json: path.join(__dirname, `results${TAG}.json`),
  md: path.join(__dirname, `results${TAG}.md`),
  svg: path.join(__dirname, `chart${TAG}.svg`),
};

const say = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return `${r.stdout || ""}${r.stderr || ""}`.trim();
};

function machine() {
  const git = (args) => sh("git", ["-C", configs.ROOT, ...args]);
  return {
    nproc: os.cpus().length,
    cpu: os.cpus()[0] ? os.cpus()[0].model.trim() : "unknown",
    memory: `${Math.round(os.totalmem() / 1048576)} MiB`,
    kernel: `${os.type()} ${os.release()}`,
    os: (/^PRETTY_NAME="?([^"\n]*)/m.exec(fs.existsSync("/etc/os-release") ? fs.readFileSync("/etc/os-release", "utf8") : "") || [])[1] || "unknown",
    haproxy: (/version (\S+)/.exec(sh(HAPROXY, ["-v"])) || [])[1] || "unknown",
    lua: (/Built with Lua version : (.*)/.exec(sh(HAPROXY, ["-vv"])) || [])[1] || "unknown",
    wrk: (/wrk (\S+)/.exec(sh("wrk", ["-v"])) || [])[1] || "unknown",
    node: process.version,
    date: new Date().toISOString(),
    commit: git(["rev-parse", "--short", "HEAD"]),
    dirty: git(["status", "--porcelain", "--", "src", "templates", "lua-out"]).length > 0,
  };
}

procs.guarded(async () => {
  const t0 = Date.now();
  wrk.ensureWrk(say);
  for (const f of ["dist/node/render.js", "dist/node/config.js", "dist/core/rule.js", "dist/core/runtime-cmd.js", "lua-out/blocks.lua"]) {
    if (!fs.existsSync(path.join(configs.ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first (npm run bench does)`);
  }
  const info = machine();
  say(`${MODE.name} run: HAProxy ${info.haproxy}, ${info.nproc} cores, ${info.cpu}; edgeblock ${info.commit}${info.dirty ? " (uncommitted changes)" : ""}`);
  const dir = procs.tempDir("eb-bench-");
  const backend = await configs.startBackend();
  say(`backend: a second HAProxy (nbthread 1) answering with http-request return, on 127.0.0.1:${backend.port}`);

  say("scenarios 1, 2, 3 and 5: pass-through, blocked, lookup cost and memory against rule count");
  const lookups = await scenarios.lookups(MODE, backend, dir, say);
  say(`  done in ${lookups.seconds.toFixed(0)} s`);
  say(`scenario 4: learning ${MODE.learnTarget} rules per config (at most ${MODE.learnCapSeconds} s each) while unrelated traffic is measured`);
  const learning = await scenarios.learning(MODE, backend, dir, say);
  await backend.stop();

  const results = {
    mode: { ...MODE },
    machine: info,
    method: {
      edge: "HAProxy master-worker (-W), nbthread 1; CPU = utime+stime of the worker from /proc/<pid>/stat",
      backend: "a second HAProxy, nbthread 1, answering every request itself with http-request return",
      load: "wrk -t1 -c16 --latency, cycling through 1000 paths (wrk-paths.lua)",
      configs: Object.fromEntries(Object.entries(configs.EDGE_KINDS).map(([k, v]) => [k, v.describe]).concat([["edgeblock", "rendered by dist/node/render.js from a YAML config"]])),
    },
    lookups,
    learning,
    wallSeconds: 0,
  };
  results.wallSeconds = (Date.now() - t0) / 1000;
  const sum = report.summarize(results);
  results.summary = sum;
  const md = report.markdown(results, sum);
  fs.writeFileSync(OUT.json, JSON.stringify(results, null, 1) + "\n");
  fs.writeFileSync(OUT.md, `<!-- written by bench/run.cjs (${MODE.name} run, ${info.date}) -->\n\n${md}\n`);
  fs.writeFileSync(OUT.svg, chart.svg(results, sum));
  process.stdout.write(`\n${md}\n\n`);
  const problems = [...lookups.problems, ...Object.entries(learning).flatMap(([c, l]) => l.problems.map((p) => `${c} learning: ${p}`))];
  if (problems.length) {
    say(`${problems.length} sample(s) did not behave as expected:`);
    for (const p of problems.slice(0, 20)) say(`  ${p}`);
  }
  say(`wrote ${path.relative(configs.ROOT, OUT.json)}, ${path.relative(configs.ROOT, OUT.md)}, ${path.relative(configs.ROOT, OUT.svg)} in ${results.wallSeconds.toFixed(0)} s`);
});
