#!/usr/bin/env node
// Runs a command (the test suite) and fails when it left files in the checkout: no demo state in
// haproxy/, no artefacts, no rendered files. Compares `git status --porcelain --ignored` before and
// after, leaving out what the build writes (dist/, lua-out/, node_modules/).
//   node scripts/checkout-guard.cjs <command> [args...]
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const BUILT = /^(dist|lua-out|node_modules)\//;

function status() {
  const r = spawnSync("git", ["status", "--porcelain", "--ignored", "--untracked-files=all"], { cwd: ROOT, encoding: "utf8" });
  // not a git checkout (an unpacked tarball): nothing to compare
  if (r.status !== 0) return new Set();
  return new Set(r.stdout.split("\n").filter((l) => l.length > 3 && !BUILT.test(l.slice(3))));
}

function guarded(cmd, args, opts = {}) {
  const before = status();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", ...opts });
  const added = [...status()].filter((l) => !before.has(l));
  if (added.length > 0) process.stderr.write(`\nFAIL: the tests wrote into the checkout (${ROOT}):\n${added.slice(0, 20).join("\n")}\n`);
  return { status: r.status === 0 && added.length > 0 ? 1 : r.status, written: added };
}

module.exports = { guarded };

if (require.main === module) {
  const [cmd, ...args] = process.argv.slice(2);
  process.exit(guarded(cmd, args).status ?? 1);
}
