#!/usr/bin/env node
// `node bench/breakdown.cjs` (after `npm run build`; needs valgrind): where the request-path
// work goes, in instructions per request counted by callgrind, which gives the same count for the
// same input whatever else the machine does (benchmarking.md). Not part of `npm run bench`.
//
// Each config runs alone under `valgrind --tool=callgrind haproxy -db` with 10k rules, gets a
// warm-up, then 2000 pass-through and 2000 blocked requests on one keep-alive connection, with
// the counters zeroed and dumped around each batch. Configs: plain, static, lua-per-request and
// edgeblock as rendered, then variants of the rendered edgeblock config with groups of lines
// removed. A variant whose patterns match no line (the template changed) is reported and skipped.
// Callgrind counts user-space instructions only: kernel time (sockets) is not in these figures.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const procs = require("./lib/procs.cjs");
const configs = require("./lib/configs.cjs");
const rules = require("./lib/rules.cjs");
const { bulk } = require("./lib/cli.cjs");
const { TITLES } = require("./lib/report.cjs");

const N = 10000;
const BATCH = Number(process.env.BREAKDOWN_REQUESTS || 2000);
const say = (m) => process.stderr.write(`[breakdown] ${m}\n`);
const { VARS } = require(path.join(configs.DIST, "core/contract.js"));
const v = (...names) => new RegExp(names.filter((n) => VARS[n]).map((n) => VARS[n].replace(".", "\\.") + "\\b").join("|") || "$^");

// Each variant drops the rendered lines matching any of its patterns.
const VARIANTS = [
  ["no custom log-format (default httplog)", [/^\s*log-format /]],
  ["no signal-header deletes (request, response, after-response)", [/del-header/]],
  ["no startup wait check", [/lua\.edgeblock_wait/]],
  ["no static-map lines", [v("staticStatus"), /str\(static\)/]],
  ["no prefix / qualified / method lookups", [v("prefixBase", "prefixLive", "qualSpecs", "prefixQualSpecs", "auth", "methodKey"), /lua\.edgeblock_match/]],
  ["no dry-run / kill-switch lines", [v("wouldBlock")]],
  ["no counting (track-sc, block stats)", [/track-sc|sc-inc-gpc/, v("blockStat")]],
  ["one return line (404) instead of one per status", [/http-request return status (?!404 )/]],
  ["no response-side learn action", [/http-response lua\./]],
  ["no edgeblock request side at all", [/^\s*http-request (?!del-header)/]],
];

/** `n` sequential GETs on one keep-alive connection, cycling through `paths`. */
function requests(port, paths, n) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise((resolve, reject) => {
    let i = 0;
    const next = () => {
      if (i >= n) {
        agent.destroy();
        resolve();
        return;
      }
      const p = paths[i++ % paths.length];
      http.get({ host: "127.0.0.1", port, path: p, agent }, (res) => res.resume().on("end", next)).on("error", reject);
    };
    next();
  });
}

function callgrind(pid, flag) {
  const r = spawnSync("callgrind_control", [flag, String(pid)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`callgrind_control ${flag} ${pid}: ${r.stdout}${r.stderr}`);
}

/** Instructions per pass-through and per blocked request of one config under callgrind. */
async function measure(name, e, backend, lists, preload) {
  configs.checkConfig(e.dir, e.cfgFile);
  const out = path.join(e.dir, "callgrind.out");
  const child = procs.track(
    procs.spawn("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, "haproxy", "-db", "-f", e.cfgFile], { cwd: e.dir, stdio: "ignore" }),
    `callgrind ${name}`,
  );
  try {
    await procs.waitFor(`${name} under callgrind`, async () => !procs.alive(child) || (await procs.portOpen(e.port)), 180000);
    if (!procs.alive(child)) throw new Error(`${name}: haproxy exited under valgrind`);
    if (preload) await preload();
    await requests(e.port, lists.pass, 300);
    await requests(e.port, lists.blocked, 300);
    const counts = {};
    callgrind(child.pid, "-z");
    for (const kind of ["pass", "blocked"]) {
      const served0 = await backend.served();
      await requests(e.port, lists[kind], BATCH);
      callgrind(child.pid, "-d");
      counts[`${kind}Forwarded`] = ((await backend.served()) - served0) / BATCH;
    }
    const dumps = fs.readdirSync(e.dir).filter((f) => f.startsWith("callgrind.out.")).sort();
    const total = (f) => Number((/^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(path.join(e.dir, f), "utf8")) || [])[1]);
    counts.pass = total(dumps[dumps.length - 2]) / BATCH;
    counts.blocked = total(dumps[dumps.length - 1]) / BATCH;
    for (const f of dumps) fs.rmSync(path.join(e.dir, f));
    return counts;
  } finally {
    await procs.stop(child, "SIGTERM", 20000);
  }
}

procs.guarded(async () => {
  if (spawnSync("sh", ["-c", "command -v valgrind && command -v callgrind_control"], { stdio: "ignore" }).status !== 0) {
    say("valgrind is not installed: apt-get install -y valgrind");
    process.exit(1);
  }
  const dir = procs.tempDir("eb-breakdown-");
  const backend = await configs.startBackend();
  const lists = {
    pass: Array.from({ length: 1000 }, (_, j) => rules.passKey(j * 1000)),
    blocked: Array.from({ length: 1000 }, (_, j) => rules.ruleKey(Math.floor((j * N) / 1000))),
  };
  const results = [];
  const mapText = rules.mapText(N);
  for (const kind of ["plain", "static", "lua"]) {
    const e = await configs.prepareEdge(kind, { backendPort: backend.port, mapText });
    say(`${TITLES[kind]}...`);
    results.push({ name: TITLES[kind], removed: "", ...(await measure(kind, e, backend, lists)) });
  }
  const eb = await configs.prepareEdge("edgeblock", { backendPort: backend.port, maxRules: N + 1000 });
  const rendered = fs.readFileSync(eb.cfgFile, "utf8");
  const preload = async () => {
    const { cmds } = rules.edgeblockCommands("app", 0, N, Math.floor(Date.now() / 1000));
    const problems = await bulk(eb.socket, cmds, { perLine: 50 });
    if (problems.length) throw new Error(`preload: ${problems[0]}`);
  };
  for (const [name, drop] of [["edgeblock as rendered", []], ...VARIANTS]) {
    let removed = 0;
    const text = rendered
      .split("\n")
      .filter((l) => !(drop.some((re) => re.test(l)) && ++removed))
      .join("\n");
    if (drop.length && removed === 0) {
      say(`skipped "${name}": its patterns match no line of the rendered config`);
      continue;
    }
    const cfgFile = path.join(eb.dir, "variant.cfg");
    fs.writeFileSync(cfgFile, text);
    say(`${name}...`);
    results.push({ name, removed, ...(await measure(name, { ...eb, cfgFile }, backend, lists, preload)) });
  }
  const ref = results.find((r) => r.name === "edgeblock as rendered");
  const plain = results[0];
  const k = (x) => (x / 1000).toFixed(1);
  const delta = (x, y) => `${x - y >= 0 ? "+" : ""}${k(x - y)}`;
  const rows = results.map((r) => {
    const eb = r.removed !== "";
    const blocks = r.blockedForwarded < 0.01;
    return `| ${r.name} | ${r.removed} | ${k(r.pass)} | ${eb ? delta(r.pass, ref.pass) : delta(r.pass, plain.pass) + " vs plain"} | ${k(r.blocked)}${blocks ? "" : " (forwarded)"} | ${eb ? delta(r.blocked, ref.blocked) : ""} |`;
  });
  process.stdout.write(
    [
      `\nInstructions per request (thousands), counted by callgrind: ${N} rules, ${BATCH} requests per batch, one keep-alive connection.`,
      "Δ for edgeblock variants is against edgeblock as rendered; for the other configs, against plain.\n",
      "| config | lines removed | pass-through kIr/req | Δ pass | blocked kIr/req | Δ blocked |",
      "|---|---|---|---|---|---|",
      ...rows,
      "",
    ].join("\n"),
  );
  await backend.stop();
});
