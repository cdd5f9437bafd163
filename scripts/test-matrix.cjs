#!/usr/bin/env node
// The version matrix: the whole suite once per supported HAProxy (Debian's system 2.6, and 3.0, 3.2,
// 3.4 fetched by provision-haproxy.cjs), one summary line per version. Exits 1 when any version fails.
//   node scripts/test-matrix.cjs [2.6 3.0 3.2 3.4] [--no-provision]
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { provision, binaries } = require("./provision-haproxy.cjs");
const { guarded } = require("./checkout-guard.cjs");

const root = path.resolve(__dirname, "..");
const SUPPORTED = ["2.6", "3.0", "3.2", "3.4"];
const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith("-"));
const branches = wanted.length ? wanted : SUPPORTED;
const say = (m) => process.stdout.write(`[edgeblock matrix] ${m}\n`);

if (!args.includes("--no-provision")) {
  const fetch = branches.filter((b) => b !== "2.6");
  if (fetch.length) {
    try {
      provision(fetch, say);
    } catch (e) {
      say(`provisioning failed:\n${e.message}`);
      process.exit(1);
    }
  }
}
const bins = binaries();
const rows = [];
for (const b of branches) {
  const bin = bins[b];
  if (!bin) {
    rows.push({ branch: b, line: `HAProxy ${b}: not available (${b === "2.6" ? "install Debian bookworm's haproxy" : "run node scripts/provision-haproxy.cjs"})`, ok: false });
    continue;
  }
  const version = (/version (\S+)/.exec(spawnSync(bin, ["-v"], { encoding: "utf8" }).stdout || "") || [])[1] || "?";
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "eb-matrix-")), "results.json");
  say(`HAProxy ${version} (${bin}): running the suite`);
  const t0 = Date.now();
  // the run fails too when a test left files in the checkout (scripts/checkout-guard.cjs)
  const r = guarded(process.execPath, [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`], {
    env: { ...process.env, EDGEBLOCK_HAPROXY: bin },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  let j = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTotalTests: 0 };
  try {
    j = JSON.parse(fs.readFileSync(out, "utf8"));
  } catch {
    // no report: the run itself failed (its output is above)
  }
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  const ok = r.status === 0 && j.numFailedTests === 0 && j.numTotalTests > 0;
  rows.push({
    branch: b,
    ok,
    line: `HAProxy ${version}: ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests} skipped of ${j.numTotalTests} in ${secs} s${r.written.length ? `, wrote ${r.written.length} file(s) into the checkout` : ""}${ok ? "" : ` (exit ${r.status})`}`,
  });
}
say("summary");
for (const row of rows) process.stdout.write(`${row.ok ? "ok  " : "FAIL"} ${row.line}\n`);
process.exit(rows.every((x) => x.ok) ? 0 : 1);
