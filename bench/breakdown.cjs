#!/usr/bin/env node
// `node bench/breakdown.cjs` (after `npm run build`; needs valgrind): where the request-path
// work goes, in instructions per request counted by callgrind, which gives the same count for the
// same input whatever else the machine does (benchmarking.md). Not part of `npm run bench`.
//
// Each config runs alone under `valgrind --tool=callgrind haproxy -db` with 10k rules, gets a
// warm-up, then 2000 pass-through and 2000 blocked requests on one keep-alive connection, with
// the counters zeroed and dumped around each batch. Configs: plain, static, lua-per-request and
// edgeblock as rendered, then variants of the rendered edgeblock config with groups of lines
// removed or edited (the frontend stage every request runs, the evaluation backend app.edgeblock
// that only candidates reach, the lines every request meets), then edgeblock as rendered again,
// whose count must match the first. A variant whose patterns match no line (the template changed)
// is reported and skipped; `node bench/breakdown.cjs --show` prints what each variant changes (no
// valgrind needed). For plain, static, lua-per-request and edgeblock as rendered it also splits the
// count over HAProxy's functions (callgrind_annotate): request rules, response rules, log line.
// edgeblock runs with a sweep interval of a day, so that its maintenance task (a census walks the
// whole rule table) does not land inside some batches and not others.
// Callgrind counts user-space instructions only: kernel time (sockets) is not in these figures.
// Writes bench/breakdown.json (breakdown.<branch>.json on HAProxy other than 2.6; full runs only). For work on the groups: BREAKDOWN_ONLY=<regex> runs
// only the configs and variants whose name matches, BREAKDOWN_REQUESTS=<n> changes the batch size,
// BREAKDOWN_KEEP=<dir> keeps the callgrind dumps there for callgrind_annotate.
"use strict";
const { haproxyBin } = require("../dist/node/haproxy-bin.js");
const HAPROXY = haproxyBin(); // $EDGEBLOCK_HAPROXY, else haproxy on PATH
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
/** state.sweep_interval of the edgeblock configs here, in s: longer than a whole breakdown run. */
const SWEEP_INTERVAL = 86400;
const BATCH = Number(process.env.BREAKDOWN_REQUESTS || 2000);
const say = (m) => process.stderr.write(`[breakdown] ${m}\n`);
const { VARS } = require(path.join(configs.DIST, "core/contract.js"));

// The rendered config (one backend, `app`) has three places for edgeblock's lines: the frontend
// stage every request runs (facts, candidate lookups, use_backend), the lean backend `app` (response
// side only) and the evaluation backend `app.edgeblock` (the full rule evaluation, for candidates).
const BACKEND = "app";
const FRONTEND = /^frontend edge\b/;
const EVALUATION = new RegExp(`^backend ${BACKEND}\\.edgeblock\\b`);
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const V = (name) => (VARS[name] ? esc(VARS[name]) : "$^");
const { ACL, candidateAcl } = require(path.join(configs.DIST, "node/render.js"));
/** A rule line (http-request / http-response) that reads or writes one of these variables (not the log-format). */
const uses = (...names) => new RegExp(`^\\s*http-(?:request|response) .*(?:${names.map((n) => `${V(n)}\\b`).join("|")})`);
/** A line that tests one of these named ACLs (a rule, a use_backend), or the ACL's own declaration. */
const tests = (...roles) => new RegExp(`^\\s*(?:http-(?:request|response)|tcp-response|use_backend|acl)\\b.*\\b(?:${roles.map((r) => ACL[r]).join("|")})\\b`);
/** Edit: drop a trailing `|| <acl> …` alternative from a condition. */
const orTerm = (role) => [new RegExp(` \\|\\| ${ACL[role]}\\b.*$`), ""];

// Each variant edits, then drops lines of the rendered config. A drop pattern is a RegExp, or
// { re, in: section header, under: the last comment line above it in its section }. The liveness
// checks (`unset-var(...) unless <ACL: the entry's expiry against now>`) are no group of their own:
// a missing key reads 0 from table_gpt0, and those lines are what clear it.
const VARIANTS = [
  { stage: "always", name: "custom log-format (the five eb_* fields; default httplog instead)", drop: [/^\s*log-format /] },
  { stage: "always", name: "signal-header deletes (request, after-response)", drop: [/del-header (?:x-edge-resource|edge-rule)\b/] },
  { stage: "always", name: "trailer drop and Trailer delete (3.2+)", drop: [/http-drop-response-trailers|del-header trailer\b/] },
  { stage: "always", name: "response-side learn trigger (app and app.edgeblock)", drop: [/http-response lua\./] },
  { stage: "always", name: "1xx drop (http-buffer-request, tcp-response inspect and reject)", drop: [/http-buffer-request|tcp-response /, tests("interim")] },
  { stage: "always", name: "pattern cache left at HAProxy's default (10000) instead of off", drop: [/tune\.pattern\.cache-size/] },
  { stage: "frontend", name: "startup wait check (`lua.edgeblock_wait unless …`)", drop: [/lua\.edgeblock_wait\b/] },
  { stage: "frontend", name: "path normalisation tests (trailing-slash cut, Lua test; the path variable stays)", drop: [tests("pathNeedsLua", "trailingSlash", "root")] },
  { stage: "frontend", name: "stopping handoff (`use_backend eb_handoff if { stopping }`)", drop: [/use_backend eb_handoff\b/] },
  { stage: "frontend", name: "static-map candidate line", drop: [{ re: tests("staticListed"), in: FRONTEND }] },
  { stage: "frontend", name: "exact-rule candidate (exact and method rules are then never enforced)", drop: [{ re: new RegExp(`^\\s*acl ${candidateAcl(BACKEND)} .*table_gpt0\\(`), in: FRONTEND }] },
  {
    stage: "frontend",
    name: "prefix rules (candidate, prefix lookups and steps in app.edgeblock)",
    drop: [
      { re: new RegExp(`^\\s*acl ${candidateAcl(BACKEND)} .*map_beg\\(`), in: FRONTEND },
      uses("prefixBase", "prefixLive", "prefixQualSpecs"),
      tests("prefixFound", "prefixCurrent", "prefixLive", "prefixQualified", "prefixRuleLive", "prefixMethodRuleLive"),
      { re: /^\s*http-request set-var\S+ var\S+ if !\S+ \S+$/, in: EVALUATION },
    ],
    edit: [orTerm("prefixLive"), orTerm("prefixQualified")],
  },
  {
    stage: "frontend",
    name: "the whole frontend stage (its request lines but the header deletes; candidates)",
    drop: [{ re: /^\s*(?:http-request (?!del-header)|acl |use_backend (?!app$))/, in: FRONTEND }],
  },
  {
    stage: "evaluation",
    name: "static-map lines (lookup, status, key and reason)",
    drop: [uses("staticStatus"), /str\(static\)/, tests("staticStatus", "staticDefault")],
    edit: [[new RegExp(` !${ACL.decided}\\b`, "g"), ""], [new RegExp(` unless ${ACL.decided}$`), ""]],
  },
  { stage: "evaluation", name: "qualified rules (qualifier map lookups, auth, Lua match)", drop: [uses("qualSpecs", "prefixQualSpecs", "auth", "qualKey"), /lua\.edgeblock_match\b/, tests("pathQualified", "prefixQualified", "credentials", "qualifiedRuleLive")] },
  { stage: "evaluation", name: "method rules (method, method-key steps)", drop: [uses("method"), tests("pathMethodRuleLive", "prefixMethodRuleLive")] },
  { stage: "evaluation", name: "reason and body lookups", drop: [new RegExp(`set-var\\((?:${V("ruleReason")}|${V("ruleBody")})\\)`), tests("hasBody")] },
  { stage: "evaluation", name: "dry-run / kill-switch lines", drop: [uses("wouldBlock"), tests("ruleDryRun", "enforcementOff", "wouldBlock")] },
  { stage: "evaluation", name: "block counters (`track-sc1`, `sc-inc-gpc0`; the hit count stays: the answer is read through it)", drop: [/track-sc1|sc-inc-gpc/, uses("blockStat"), tests("counted")] },
  { stage: "evaluation", name: "one return line (404) instead of one per status", drop: [/http-request return status (?!404 )/] },
  {
    stage: "all",
    name: "all of edgeblock on the pass-through path (frontend stage, log-format, header deletes, learn trigger, 1xx drop)",
    drop: [/^\s*log-format /, /del-header/, /http-drop-response-trailers/, /http-response lua\./, /http-buffer-request|tcp-response /, tests("interim", "signal"), { re: /^\s*(?:http-request |acl |use_backend (?!app$))/, in: FRONTEND }],
  },
];

/** Apply a variant to the rendered text: edits first, then drops. Counts the rule lines removed and edited. */
function applyVariant(rendered, variant) {
  let section = "";
  let comment = "";
  let removed = 0;
  let edited = 0;
  const out = [];
  for (const original of rendered.split("\n")) {
    // a section header; `.if` / `.endif` (conditional blocks) are not one
    if (/^[^\s.]/.test(original)) {
      section = original;
      comment = "";
    } else if (/^\s*#/.test(original)) comment = original;
    let line = original;
    for (const [re, to] of variant.edit || []) line = line.replace(re, to);
    const dropped = (variant.drop || []).some((d) =>
      d instanceof RegExp ? d.test(line) : d.re.test(line) && (!d.in || d.in.test(section)) && (!d.under || d.under.test(comment)),
    );
    if (dropped) {
      if (!/^\s*#/.test(original)) removed++;
      continue;
    }
    if (line !== original) edited++;
    out.push(line);
  }
  return { text: out.join("\n"), removed, edited };
}

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

// HAProxy functions whose inclusive counts say where a request's instructions go. Debian's haproxy
// is stripped, but these are in its dynamic symbol table, which callgrind reads.
const FUNCTIONS = {
  http_process_req_common: "http-request rules, frontend and backend (with the return / deny)",
  http_process_res_common: "http-response rules",
  strm_log: "log line",
};

/** The stream's own work (rules, log line, analysers): inclusive counts here are the same in every run. */
const STREAM = "process_stream";

/** Inclusive instructions per request of FUNCTIONS in one callgrind dump (of BATCH requests). */
function functions(file) {
  const r = spawnSync("callgrind_annotate", ["--inclusive=yes", "--threshold=100", file], { encoding: "utf8", maxBuffer: 256 << 20 });
  const out = {};
  for (const m of (r.stdout || "").matchAll(/^\s*([\d,]+) \([^)]*\)\s+\S*:(\w+) \[/gm)) {
    if ((m[2] in FUNCTIONS || m[2] === STREAM) && !(m[2] in out)) out[m[2]] = Number(m[1].replace(/,/g, "")) / BATCH;
  }
  return out;
}

/** Instructions per pass-through and per blocked request of one config under callgrind. */
async function measure(name, e, backend, lists, preload) {
  configs.checkConfig(e.dir, e.cfgFile);
  const out = path.join(e.dir, "callgrind.out");
  const child = procs.track(
    procs.spawn("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, HAPROXY, "-db", "-f", e.cfgFile], { cwd: e.dir, stdio: "ignore" }),
    `callgrind ${name}`,
  );
  try {
    await procs.waitFor(`${name} under callgrind`, async () => !procs.alive(child) || (await procs.portOpen(e.port)), 180000);
    if (!procs.alive(child)) throw new Error(`${name}: haproxy exited under valgrind`);
    if (preload) await preload();
    const kinds = Object.keys(lists);
    for (const kind of kinds) await requests(e.port, lists[kind], 300);
    const counts = {};
    callgrind(child.pid, "-z");
    for (const kind of kinds) {
      const served0 = await backend.served();
      await requests(e.port, lists[kind], BATCH);
      callgrind(child.pid, "-d");
      counts[`${kind}Forwarded`] = ((await backend.served()) - served0) / BATCH;
    }
    const dumps = dumpFiles(e.dir);
    const last = dumps.slice(-kinds.length);
    kinds.forEach((kind, i) => (counts[kind] = dumpTotal(path.join(e.dir, last[i])) / BATCH));
    counts.functions = {};
    kinds.forEach((kind, i) => (counts.functions[kind] = functions(path.join(e.dir, last[i]))));
    if (process.env.BREAKDOWN_KEEP) {
      // for callgrind_annotate: <dir>/<config name>.<kind>.callgrind
      const slug = name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
      fs.mkdirSync(process.env.BREAKDOWN_KEEP, { recursive: true });
      kinds.forEach((kind, i) => fs.copyFileSync(path.join(e.dir, last[i]), path.join(process.env.BREAKDOWN_KEEP, `${slug}.${kind}.callgrind`)));
    }
    for (const f of dumps) fs.rmSync(path.join(e.dir, f));
    return counts;
  } finally {
    await procs.stop(child, "SIGTERM", 20000);
  }
}

/** callgrind's dumps in `dir` (callgrind.out.<n>), oldest first. */
function dumpFiles(dir) {
  return fs.readdirSync(dir).filter((f) => f.startsWith("callgrind.out.")).sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
}

/** The instruction total of one dump. */
function dumpTotal(file) {
  return Number((/^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(file, "utf8")) || [])[1]);
}

module.exports = { measure, requests, callgrind, dumpFiles, dumpTotal, BATCH };

/** `--show`: print what each variant changes in the rendered config and check it with `haproxy -c` (no valgrind, no requests). */
async function show() {
  const eb = await configs.prepareEdge("edgeblock", { backendPort: await procs.freePort(), maxRules: N + 1000, sweepInterval: SWEEP_INTERVAL });
  const rendered = fs.readFileSync(eb.cfgFile, "utf8");
  for (const variant of VARIANTS) {
    const { text, removed, edited } = applyVariant(rendered, variant);
    const cfgFile = path.join(eb.dir, "variant.cfg");
    fs.writeFileSync(cfgFile, text);
    configs.checkConfig(eb.dir, cfgFile);
    const diff = spawnSync("diff", ["-U0", eb.cfgFile, cfgFile], { encoding: "utf8" }).stdout.split("\n").filter((l) => /^[-+]\s/.test(l));
    process.stdout.write(`\n## ${variant.stage}: ${variant.name} (${removed} removed, ${edited} edited; haproxy -c ok)\n${diff.join("\n")}\n`);
  }
}

if (require.main === module) procs.guarded(async () => {
  if (process.argv.includes("--show")) return show();
  if (spawnSync("sh", ["-c", "command -v valgrind && command -v callgrind_control"], { stdio: "ignore" }).status !== 0) {
    say("valgrind is not installed: apt-get install -y valgrind");
    process.exit(1);
  }
  const only = process.env.BREAKDOWN_ONLY ? new RegExp(process.env.BREAKDOWN_ONLY) : undefined;
  const wanted = (name) => !only || only.test(name);
  const dir = procs.tempDir("eb-breakdown-");
  const backend = await configs.startBackend();
  const lists = {
    pass: Array.from({ length: 1000 }, (_, j) => rules.passKey(j * 1000)),
    blocked: Array.from({ length: 1000 }, (_, j) => rules.ruleKey(Math.floor((j * N) / 1000))),
  };
  const results = [];
  const mapText = rules.mapText(N);
  for (const kind of ["plain", "static", "lua"]) {
    if (!wanted(TITLES[kind])) continue;
    const e = await configs.prepareEdge(kind, { backendPort: backend.port, mapText });
    say(`${TITLES[kind]}...`);
    results.push({ stage: "reference", name: TITLES[kind], ...(await measure(kind, e, backend, lists)) });
  }
  // the maintenance task's sweep and census list the rule table every 10 s by default; slowed down
  // by valgrind, one would land inside some batches and not others: keep them out of the counts
  const eb = await configs.prepareEdge("edgeblock", { backendPort: backend.port, maxRules: N + 1000, sweepInterval: SWEEP_INTERVAL });
  const rendered = fs.readFileSync(eb.cfgFile, "utf8");
  const preload = async () => {
    const { cmds } = rules.edgeblockCommands(BACKEND, 0, N, Math.floor(Date.now() / 1000));
    const problems = await bulk(eb.socket, cmds);
    if (problems.length) throw new Error(`preload: ${problems[0]}`);
  };
  // edgeblock as rendered is measured first and again last: the two counts must agree
  const RENDERED = { stage: "rendered", name: "edgeblock as rendered" };
  for (const variant of [RENDERED, ...VARIANTS, { ...RENDERED, stage: "repeat", name: "edgeblock as rendered, measured again last" }]) {
    if (!wanted(variant.name)) continue;
    const { text, removed, edited } = applyVariant(rendered, variant);
    if ((variant.drop || variant.edit) && removed + edited === 0) {
      say(`skipped "${variant.name}": its patterns match no line of the rendered config`);
      continue;
    }
    const cfgFile = path.join(eb.dir, "variant.cfg");
    fs.writeFileSync(cfgFile, text);
    say(`${variant.name}...`);
    results.push({ stage: variant.stage, name: variant.name, removed, edited, ...(await measure(variant.name, { ...eb, cfgFile }, backend, lists, preload)) });
  }
  await backend.stop();

  const find = (name) => results.find((r) => r.name === name);
  const ref = find("edgeblock as rendered");
  const plain = find("plain");
  const stat = find("static");
  const k = (x) => (Number.isFinite(x) ? (x / 1000).toFixed(1) : "–");
  const delta = (x, y) => (x !== undefined && y !== undefined ? `${x - y >= 0 ? "+" : "−"}${k(Math.abs(x - y))}` : "–");
  const fwd = (r) => (r.blockedForwarded > 0.99 ? " (forwarded)" : r.blockedForwarded > 0.01 ? ` (${(r.blockedForwarded * 100).toFixed(0)}% forwarded)` : "");
  const refRows = results
    .filter((r) => r.stage === "reference" || r === ref)
    .map((r) => `| ${r === ref ? "**edgeblock as rendered**" : r.name} | ${k(r.pass)} | ${plain && r !== plain ? delta(r.pass, plain.pass) : ""} | ${k(r.blocked)}${fwd(r)} | ${stat && r !== plain && r !== stat ? delta(r.blocked, stat.blocked) : ""} |`);
  const STAGES = { always: "every request", frontend: "frontend stage", evaluation: "app.edgeblock", all: "all" };
  const stream = (r, kind) => r.functions[kind][STREAM];
  const variantRows = results
    .filter((r) => STAGES[r.stage])
    .map((r) => `| ${STAGES[r.stage]} | ${r.name} | ${r.removed}${r.edited ? ` (+${r.edited} edited)` : ""} | ${k(r.pass)} | ${ref ? delta(stream(r, "pass"), stream(ref, "pass")) : "–"} | ${k(r.blocked)}${fwd(r)} | ${ref ? delta(stream(r, "blocked"), stream(ref, "blocked")) : "–"} |`);
  const fnHead = Object.values(FUNCTIONS);
  const fnRows = results
    .filter((r) => r.stage === "reference" || r === ref)
    .flatMap((r) =>
      ["pass", "blocked"].map((kind) => {
        const f = r.functions[kind];
        const named = Object.keys(FUNCTIONS).reduce((a, fn) => a + (f[fn] || 0), 0);
        const label = kind === "pass" ? "pass-through" : `blocked${fwd(r)}`;
        return `| ${r === ref ? "edgeblock" : r.name} | ${label} | ${k(r[kind])} | ${Object.keys(FUNCTIONS).map((fn) => k(f[fn] || 0)).join(" | ")} | ${k(r[kind] - named)} |`;
      }),
    );
  const info = {
    commit: spawnSync("git", ["-C", configs.ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim(),
    date: new Date().toISOString(),
    rules: N,
    requestsPerBatch: BATCH,
  };
  const again = results.find((r) => r.stage === "repeat");
  const repeat = again && ref ? `\nedgeblock as rendered, measured again after all variants: ${k(again.pass)} pass-through, ${k(again.blocked)} blocked (first: ${k(ref.pass)}, ${k(ref.blocked)}).\n` : "";
  process.stdout.write(
    [
      `\nInstructions per request (thousands), counted by callgrind: ${N} rules, ${BATCH} requests per batch, one keep-alive connection (edgeblock ${info.commit}).\n`,
      "| config | pass-through kIr/req | Δ pass vs plain | blocked kIr/req | Δ blocked vs static |",
      "|---|---|---|---|---|",
      ...refRows,
      "\nWhere they go: inclusive instructions per request (thousands) in HAProxy's functions for them.\n",
      `| config | requests | total | ${fnHead.join(" | ")} | everything else (parsing, I/O, streams) |`,
      `|---|---|---|${fnHead.map(() => "---|").join("")}---|`,
      ...fnRows,
      "\nedgeblock with one group of lines removed (or edited): instructions per request (whole process), and Δ against edgeblock as rendered in the stream's own work (`process_stream`, inclusive: the same in every run, where the whole-process count moves by a few hundred).\n",
      "| where | group removed or edited | lines | pass-through kIr/req | Δ pass | blocked kIr/req | Δ blocked |",
      "|---|---|---|---|---|---|---|",
      ...variantRows,
      repeat,
    ].join("\n"),
  );
  if (!only && BATCH === 2000) {
    // one file per HAProxy branch (2.6, the default, keeps the plain name), as bench/run.cjs does
    const branch = ((/version (\d+\.\d+)/.exec(spawnSync(HAPROXY, ["-v"], { encoding: "utf8" }).stdout || "") || [])[1]) || "unknown";
    const file = path.join(__dirname, `breakdown${branch === "2.6" ? "" : `.${branch}`}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...info, results }, null, 1) + "\n");
    say(`wrote ${path.relative(configs.ROOT, file)}`);
  }
});
