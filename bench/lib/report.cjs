// Turn samples into medians, ratios and target verdicts, and print them as markdown tables.
"use strict";

const TITLES = { plain: "plain", static: "static", edgeblock: "edgeblock", lua: "lua-per-request" };
const TARGETS = {
  passThrough: { text: "pass-through ≥ 0.97× plain", min: 0.97 },
  blocked: { text: "blocked ≥ 0.95× static", min: 0.95 },
  lookups: { text: "lookups at 1M rules ≥ 0.95× lookups at 10 rules", min: 0.95 },
  learning: { text: "no request over 100 ms while learning", maxMs: 100 },
  memory: { text: "≤ 300 bytes of RSS per rule", maxBytes: 300 },
};

function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** median, min and max of one field over samples. */
function stat(samples, field) {
  const xs = samples.map((s) => s[field]).filter(Number.isFinite);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

const FIELDS = ["usPerReq", "rps", "p50", "p99", "max", "backendUsPerReq"];

/** Per (rules, kind, config): stats of every field. */
function cells(samples) {
  const out = {};
  for (const s of samples) {
    const k = `${s.rules}|${s.kind}|${s.config}`;
    (out[k] = out[k] || []).push(s);
  }
  const res = {};
  for (const [k, ss] of Object.entries(out)) {
    res[k] = {};
    for (const f of FIELDS) res[k][f] = stat(ss, f);
  }
  return res;
}

/** Everything the tables, the chart and the docs need, derived from the raw results. */
function summarize(results) {
  const { lookups, learning, mode } = results;
  const c = cells(lookups.samples);
  const get = (n, kind, config) => c[`${n}|${kind}|${config}`];
  const counts = mode.ruleCounts;
  const refN = mode.refRules;
  const ratio = (a, b) => (a && b ? a.usPerReq.median / b.usPerReq.median : NaN); // b's cost relative to a: a/b of µs
  const passThrough = {};
  const blocked = {};
  for (const config of Object.keys(TITLES)) {
    const p = get(refN, "pass", config);
    const b = get(refN, "blocked", config);
    passThrough[config] = { ...p, perCpuVsPlain: ratio(get(refN, "pass", "plain"), p), rpsVsPlain: p.rps.median / get(refN, "pass", "plain").rps.median };
    blocked[config] = {
      ...b,
      perCpuVsStatic: ratio(get(refN, "blocked", "static"), b),
      rpsVsStatic: b.rps.median / get(refN, "blocked", "static").rps.median,
      // what the edge + backend pair spends per request, against forwarding to a backend that answers 404
      totalUs: b.usPerReq.median + b.backendUsPerReq.median,
    };
  }
  const lookupRows = {};
  for (const config of Object.keys(TITLES)) {
    lookupRows[config] = {};
    for (const n of counts) lookupRows[config][n] = { pass: get(n, "pass", config).usPerReq, blocked: get(n, "blocked", config).usPerReq };
    const lo = counts[0];
    const hi = counts[counts.length - 1];
    lookupRows[config].scale = { from: lo, to: hi, pass: lookupRows[config][lo].pass.median / lookupRows[config][hi].pass.median, blocked: lookupRows[config][lo].blocked.median / lookupRows[config][hi].blocked.median };
  }
  const memory = {};
  for (const config of Object.keys(TITLES)) {
    const rss = (n) => (lookups.rss[n] ? lookups.rss[n][config] : NaN);
    const base = rss(counts[0]);
    const per = (n) => (config === "plain" || !lookups.rss[n] ? null : (rss(n) - base) / (n - counts[0]));
    memory[config] = {
      rss: Object.fromEntries(counts.map((n) => [n, rss(n)])),
      per100k: per(100000),
      per1M: per(1000000),
      learned: learning[config].bytesPerRule,
      idleCpu: Object.fromEntries(counts.map((n) => [n, lookups.idleCpuMsPerSecond[n][config]])),
    };
  }
  const targets = {
    passThrough: { value: passThrough.edgeblock.perCpuVsPlain, met: passThrough.edgeblock.perCpuVsPlain >= TARGETS.passThrough.min },
    blocked: { value: blocked.edgeblock.perCpuVsStatic, met: blocked.edgeblock.perCpuVsStatic >= TARGETS.blocked.min },
    lookups: { value: Math.min(lookupRows.edgeblock.scale.pass, lookupRows.edgeblock.scale.blocked), at: lookupRows.edgeblock.scale.to, met: Math.min(lookupRows.edgeblock.scale.pass, lookupRows.edgeblock.scale.blocked) >= TARGETS.lookups.min },
    // "no request": the unrelated requests and the learning requests themselves
    learning: {
      value: Math.max(learning.edgeblock.unrelated.max, learning.edgeblock.learner.max),
      unrelated: learning.edgeblock.unrelated.max,
      learner: learning.edgeblock.learner.max,
      met: Math.max(learning.edgeblock.unrelated.max, learning.edgeblock.learner.max) <= TARGETS.learning.maxMs,
    },
    memory: { value: memory.edgeblock.per100k, met: memory.edgeblock.per100k <= TARGETS.memory.maxBytes },
  };
  return { refN, counts, passThrough, blocked, lookupRows, memory, learning, targets };
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "–");
const k = (x) => (Number.isFinite(x) ? `${(x / 1000).toFixed(1)}k` : "–");
const mib = (x) => (Number.isFinite(x) ? `${(x / 1048576).toFixed(1)} MiB` : "–");
const range = (s, fmt = f1) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
const rules = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** Signals edgeblock refused or failed to store during learning, by reason, from its own counters. */
function refused(counters) {
  if (!counters) return "–";
  const parts = Object.entries(counters)
    .filter(([name]) => name.startsWith("signal:rejected:"))
    .map(([name, v]) => `${v} ${name.slice("signal:rejected:".length)}`);
  return parts.length ? parts.join(", ") : "0";
}

function table(head, rows) {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** The five scenarios as markdown tables (printed by the bench, pasted into docs/benchmarks.md). */
function markdown(results, sum) {
  const out = [];
  const { refN } = sum;
  const configs = Object.keys(TITLES);
  const all = [10, 10000, 100000, 1000000];
  out.push(`### 1. Pass-through overhead (${rules(refN)} rules loaded, paths that match none)`);
  out.push("CPU µs per request of the edge worker: median (min–max). Ratio = plain µs ÷ config µs (requests per CPU second, relative to plain).\n");
  out.push(
    table(
      ["config", "edge CPU µs/req", "vs plain", "req/s", "req/s vs plain", "p50 ms", "p99 ms"],
      configs.map((c) => {
        const p = sum.passThrough[c];
        return [TITLES[c], range(p.usPerReq), f2(p.perCpuVsPlain), k(p.rps.median), f2(p.rpsVsPlain), f2(p.p50.median), f2(p.p99.median)];
      }),
    ),
  );
  out.push(`\n### 2. Blocked requests (${rules(refN)} rules loaded, paths that match one)`);
  out.push("plain has no rules: it forwards these requests and the backend answers 404 itself. Ratio = static µs ÷ config µs.\n");
  out.push(
    table(
      ["config", "edge CPU µs/req", "vs static", "req/s", "req/s vs static", "p50 ms", "p99 ms", "backend CPU µs/req", "edge + backend µs/req"],
      configs.map((c) => {
        const b = sum.blocked[c];
        return [c === "plain" ? "plain (backend 404)" : TITLES[c], range(b.usPerReq), f2(b.perCpuVsStatic), k(b.rps.median), f2(b.rpsVsStatic), f2(b.p50.median), f2(b.p99.median), f1(b.backendUsPerReq.median), f1(b.totalUs)];
      }),
    ),
  );
  out.push("\n### 3. Lookup cost against rule count");
  out.push(`Edge CPU µs/req, median (min–max), pass-through / blocked. Scale = µs at ${rules(sum.counts[0])} ÷ µs at ${rules(sum.counts[sum.counts.length - 1])} (1.00 = no slower with more rules).\n`);
  out.push(
    table(
      ["rules", ...configs.map((c) => `${TITLES[c]} pass`), ...configs.map((c) => `${TITLES[c]} blocked`)],
      [
        ...all.map((n) => [
          rules(n),
          ...configs.map((c) => (sum.lookupRows[c][n] ? range(sum.lookupRows[c][n].pass) : `not run (${results.mode.name})`)),
          ...configs.map((c) => (sum.lookupRows[c][n] ? range(sum.lookupRows[c][n].blocked) : `not run (${results.mode.name})`)),
        ]),
        [`scale ${rules(sum.counts[0])}→${rules(sum.counts[sum.counts.length - 1])}`, ...configs.map((c) => f2(sum.lookupRows[c].scale.pass)), ...configs.map((c) => f2(sum.lookupRows[c].scale.blocked))],
      ],
    ),
  );
  const L = sum.learning;
  out.push(`\n### 4. Learning (${rules(results.mode.learnTarget)} unique paths, 16 connections; unrelated traffic on 4 more)`);
  out.push("plain learns nothing (same load, the reference latencies); static cannot learn: its row is a script pushing the same number of entries with runtime `add map`.\n");
  out.push(
    table(
      ["config", "rules stored", "signals refused", "seconds", "rules/s", "unrelated p50 ms", "unrelated p99 ms", "unrelated max ms", "any request > 100 ms", "learning requests p99 ms", "learning requests max ms"],
      configs.map((c) => {
        const l = L[c];
        return [
          c === "static" ? "static (add map script)" : TITLES[c],
          String(l.learned),
          refused(l.counters),
          f1(l.seconds) + (l.hitCap ? " (cap)" : ""),
          l.perSecond === null ? "–" : Math.round(l.perSecond).toString(),
          f2(l.unrelated.p50),
          f2(l.unrelated.p99),
          f2(l.unrelated.max),
          l.over100ms || l.learner.max > 100 ? "yes" : "no",
          f2(l.learner.p99),
          f2(l.learner.max),
        ];
      }),
    ),
  );
  out.push("\n### 5. Memory (and background CPU)");
  out.push(`RSS of the edge worker after warm-up; bytes per rule = (RSS with N rules − RSS with ${rules(sum.counts[0])}) ÷ (N − ${sum.counts[0]}); learned = RSS growth ÷ rules stored in scenario 4.\n`);
  out.push(
    table(
      ["config", ...all.map((n) => `RSS @${rules(n)}`), "bytes/rule @100k", "bytes/rule @1M", "bytes/rule learned"],
      configs.map((c) => {
        const m = sum.memory[c];
        return [TITLES[c], ...all.map((n) => (m.rss[n] !== undefined ? mib(m.rss[n]) : "not run")), m.per100k === null ? "–" : f1(m.per100k), m.per1M === null || !Number.isFinite(m.per1M) ? "–" : f1(m.per1M), m.learned === null ? "–" : f1(m.learned)];
      }),
    ),
  );
  out.push(`\nCPU the edge worker spent outside its own samples during scenario 3, in ms per second (background work such as edgeblock's maintenance task):\n`);
  out.push(
    table(
      ["config", ...all.map((n) => `@${rules(n)}`)],
      configs.map((c) => [TITLES[c], ...all.map((n) => (sum.memory[c].idleCpu[n] !== undefined ? f2(sum.memory[c].idleCpu[n]) : "not run"))]),
    ),
  );
  const t = sum.targets;
  out.push("\n### Targets (edgeblock)\n");
  out.push(
    table(
      ["target", "measured", "met"],
      [
        [TARGETS.passThrough.text, `${f2(t.passThrough.value)}× plain`, t.passThrough.met ? "yes" : "**no**"],
        [TARGETS.blocked.text, `${f2(t.blocked.value)}× static`, t.blocked.met ? "yes" : "**no**"],
        [TARGETS.lookups.text, `${f2(t.lookups.value)}× (at ${rules(t.lookups.at)})`, t.lookups.met ? "yes" : "**no**"],
        [TARGETS.learning.text, `max ${f1(t.learning.unrelated)} ms unrelated, ${f1(t.learning.learner)} ms learning requests`, t.learning.met ? "yes" : "**no**"],
        [TARGETS.memory.text, `${f1(t.memory.value)} bytes/rule`, t.memory.met ? "yes" : "**no**"],
      ],
    ),
  );
  return out.join("\n");
}

module.exports = { TITLES, TARGETS, summarize, markdown, median };
