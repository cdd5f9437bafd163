#!/usr/bin/env node
// `node bench/callgrind-learn.cjs [learns]` (after `npm run build`; needs valgrind): instructions the edge
// process spends per learned rule, which callgrind counts the same whatever else the machine does.
// The edge runs as rendered (its defaults, state folder included) under callgrind on one keep-alive
// connection; it first serves N pass-through requests (the reference: what proxying one request
// costs), then N requests whose 404 carries `x-edge-resource: false`, each teaching one new rule.
// About 20 s. EDGEBLOCK_HAPROXY picks the binary.
"use strict";
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const procs = require("./lib/procs.cjs");
const configs = require("./lib/configs.cjs");
const { requests, callgrind, dumpFiles, dumpTotal } = require("./breakdown.cjs");
const { haproxyBin } = require("../dist/node/haproxy-bin.js");

const N = Number(process.argv[2] || 300);
const say = (m) => process.stderr.write(`[callgrind-learn] ${m}\n`);

if (require.main === module) procs.guarded(async () => {
  if (spawnSync("sh", ["-c", "command -v valgrind && command -v callgrind_control"], { stdio: "ignore" }).status !== 0) {
    say("valgrind is not installed: apt-get install -y valgrind");
    process.exit(1);
  }
  const version = (/version (\S+)/.exec(spawnSync(haproxyBin(), ["-v"], { encoding: "utf8" }).stdout || "") || [])[1];
  const backend = await configs.startBackend();
  const e = await configs.prepareEdge("edgeblock", { backendPort: backend.port, maxRules: 100000, sweepInterval: 86400 });
  const out = path.join(e.dir, "callgrind.out");
  const child = procs.track(procs.spawn("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, haproxyBin(), "-db", "-f", e.cfgFile], { cwd: e.dir, stdio: "ignore" }), "callgrind edge");
  try {
    await procs.waitFor("the edge under callgrind", async () => !procs.alive(child) || (await procs.portOpen(e.port)), 180000);
    if (!procs.alive(child)) throw new Error("haproxy exited under valgrind");
    const learnPaths = (from, n) => Array.from({ length: n }, (_, i) => `${configs.LEARN_PREFIX}cg/${from + i}`);
    // warm-up: the first learns open maps, fill caches and grow the Lua state
    await requests(e.port, learnPaths(0, 200), 200);
    callgrind(child.pid, "-z");
    await requests(e.port, Array.from({ length: N }, (_, i) => `/pass/${i}`), N);
    callgrind(child.pid, "-d");
    await requests(e.port, learnPaths(1000, N), N);
    callgrind(child.pid, "-d");
    const [pass, learn] = dumpFiles(e.dir).slice(-2).map((f) => dumpTotal(path.join(e.dir, f)) / N);
    const k = (v) => `${(v / 1000).toFixed(1)}k`;
    process.stdout.write(`HAProxy ${version}: ${k(pass)} instructions per pass-through request, ${k(learn)} per request that teaches a rule (${k(learn - pass)} more), ${N} of each\n`);
  } finally {
    await procs.stop(child, "SIGTERM", 20000);
    await backend.stop();
  }
});
