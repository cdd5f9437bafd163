#!/usr/bin/env node
// `node bench/callgrind.cjs` (after `npm run build`; needs valgrind): the request-path ratios of the
// native-speed targets in instructions per request, which callgrind counts the same whatever else the
// machine does. About a minute: plain, static deny (a 10k-entry map) and edgeblock as rendered (10k
// exact rules, 100 method rules, 100 prefix rules), each under callgrind on one keep-alive
// connection. Prints one table: pass-through against plain, and blocked (by an exact, a method and a
// prefix rule) against static deny. EDGEBLOCK_HAPROXY picks the binary; CALLGRIND_REQUESTS the batch.
"use strict";
process.env.BREAKDOWN_REQUESTS = process.env.CALLGRIND_REQUESTS || process.env.BREAKDOWN_REQUESTS || "1000";
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const procs = require("./lib/procs.cjs");
const configs = require("./lib/configs.cjs");
const rules = require("./lib/rules.cjs");
const { bulk } = require("./lib/cli.cjs");
const { measure, BATCH } = require("./breakdown.cjs");
const { haproxyBin } = require("../dist/node/haproxy-bin.js");

const N = 10000;
const SPECIAL = 100;
const say = (m) => process.stderr.write(`[callgrind] ${m}\n`);
const core = (m) => require(path.join(configs.DIST, "core", m));

/** Runtime API commands that store rules as blocks.lua does (core/store-records.ts), maps included. */
function recordCommands(backend, blocks, now) {
  const { blockRecords } = core("store-records.js");
  const { recordCommand } = core("journal.js");
  const { escapeCliArg } = core("runtime-cmd.js");
  const none = { liveness: () => 0, specs: () => undefined, hasMapKey: () => false };
  const cmds = [];
  for (const r of blockRecords(backend, blocks, now, 0, none)) {
    if (r.kind === "table") cmds.push(recordCommand(r));
    else if (r.kind === "map-set") cmds.push(`add map ${escapeCliArg(r.file)} ${escapeCliArg(r.key)} ${escapeCliArg(r.value)}`);
  }
  return cmds;
}

const rule = (match) => ({ match: { prefix: false, methods: [], query: [], ...match }, status: 404, body: "", ttl: 3600, reason: "bench", dryRun: false });
const methodPath = (i) => `/m/${i}${configs.MISSING_SUFFIX}`;
const prefixPath = (i) => `/pfx/${i}`;

if (require.main === module) procs.guarded(async () => {
  if (spawnSync("sh", ["-c", "command -v valgrind && command -v callgrind_control"], { stdio: "ignore" }).status !== 0) {
    say("valgrind is not installed: apt-get install -y valgrind");
    process.exit(1);
  }
  const t0 = Date.now();
  const version = (/version (\S+)/.exec(spawnSync(haproxyBin(), ["-v"], { encoding: "utf8" }).stdout || "") || [])[1];
  const backend = await configs.startBackend();
  const pass = Array.from({ length: 1000 }, (_, j) => rules.passKey(j * 1000));
  const exact = Array.from({ length: 1000 }, (_, j) => rules.ruleKey(Math.floor((j * N) / 1000)));
  const method = Array.from({ length: SPECIAL }, (_, i) => methodPath(i));
  const prefix = Array.from({ length: SPECIAL }, (_, i) => `${prefixPath(i)}/x${configs.MISSING_SUFFIX}`);
  const results = {};
  for (const kind of ["plain", "static"]) {
    const e = await configs.prepareEdge(kind, { backendPort: backend.port, mapText: rules.mapText(N) });
    say(`${kind}...`);
    results[kind] = await measure(kind, e, backend, kind === "plain" ? { pass } : { pass, exact });
  }
  const eb = await configs.prepareEdge("edgeblock", { backendPort: backend.port, maxRules: N + 4 * SPECIAL + 1000, sweepInterval: 86400 });
  const preload = async () => {
    const now = Math.floor(Date.now() / 1000);
    const cmds = [
      ...rules.edgeblockCommands("app", 0, N, now).cmds,
      ...recordCommands("app", Array.from({ length: SPECIAL }, (_, i) => rule({ path: methodPath(i), methods: ["GET"] })), now),
      ...recordCommands("app", Array.from({ length: SPECIAL }, (_, i) => rule({ path: prefixPath(i), prefix: true })), now),
    ];
    const problems = await bulk(eb.socket, cmds);
    if (problems.length) throw new Error(`preload: ${problems[0]}`);
  };
  say("edgeblock...");
  results.edgeblock = await measure("edgeblock", eb, backend, { pass, exact, method, prefix }, preload);
  await backend.stop();

  const k = (x) => (x / 1000).toFixed(1);
  const r = (a, b) => (a / b).toFixed(2);
  const p = results.plain;
  const s = results.static;
  const e = results.edgeblock;
  const forwarded = ["exact", "method", "prefix"].filter((kind) => e[`${kind}Forwarded`] > 0.01);
  process.stdout.write(
    [
      `\nInstructions per request (thousands) on HAProxy ${version}, callgrind, ${BATCH} requests per batch on one keep-alive connection; ${N} exact rules, ${SPECIAL} method rules, ${SPECIAL} prefix rules. Ratio: reference ÷ edgeblock (1.00 = as cheap).`,
      "",
      "| request | plain | static deny | edgeblock | ratio | target |",
      "|---|---|---|---|---|---|",
      `| pass-through | ${k(p.pass)} | ${k(s.pass)} | ${k(e.pass)} | ${r(p.pass, e.pass)}x plain | ≥ 0.95x |`,
      `| blocked, exact rule | – | ${k(s.exact)} | ${k(e.exact)} | ${r(s.exact, e.exact)}x static | ≥ 0.90x |`,
      `| blocked, method rule | – | ${k(s.exact)} | ${k(e.method)} | ${r(s.exact, e.method)}x static | ≥ 0.85x |`,
      `| blocked, prefix rule | – | ${k(s.exact)} | ${k(e.prefix)} | ${r(s.exact, e.prefix)}x static | ≥ 0.85x |`,
      "",
      forwarded.length ? `WARNING: some ${forwarded.join(", ")} requests reached the backend: the rules were not all loaded.` : "Every blocked request was answered by the edge.",
      `(${((Date.now() - t0) / 1000).toFixed(0)} s)`,
      "",
    ].join("\n"),
  );
});
