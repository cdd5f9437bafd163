#!/usr/bin/env node
// Setup for `npm start` and `npm test` on a fresh Debian/Ubuntu machine with Node 20:
// installs HAProxy from the OS packages when missing, and npm dependencies when missing.
// Plain CommonJS with no dependencies, because it runs before `npm ci`.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const purpose = process.argv[2] || "setup";

function say(msg) {
  process.stderr.write(`[edgeblock ${purpose}] ${msg}\n`);
}

function has(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

function run(cmd, args) {
  say(`$ ${[cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], cwd: root, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return r.status === 0;
}

const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  say(`Node ${process.versions.node} is too old: edgeblock needs Node 20 or newer.`);
  process.exit(1);
}

// What each entry point needs from the OS: [command, Debian package, why]
const NEEDS = {
  demo: [["haproxy", "haproxy", "the edge itself"]],
  bench: [["haproxy", "haproxy", "the edge itself"], ["wrk", "wrk", "the load generator"]],
  test: [
    ["haproxy", "haproxy", "the integration tests run a real HAProxy"],
    ["promtool", "prometheus", "the metrics tests run promtool and a real Prometheus"],
    ["chromium", "chromium", "the rules page test runs headless Chromium"],
    ["openssl", "openssl", "the cluster TLS test makes a CA and node certificates"],
  ],
};
// the matrix also fetches Debian's 3.x builds, made to run here with patchelf (scripts/provision-haproxy.cjs)
NEEDS.matrix = [...NEEDS.test, ["patchelf", "patchelf", "the 3.x builds need their own glibc (scripts/provision-haproxy.cjs)"]];
// EDGEBLOCK_HAPROXY picks the binary (the same variable src/node/haproxy-bin.ts reads): then nothing is installed for it
const chosen = (process.env.EDGEBLOCK_HAPROXY || "").trim();
if (chosen && spawnSync(chosen, ["-v"], { stdio: "ignore" }).status !== 0) {
  say(`EDGEBLOCK_HAPROXY=${chosen} does not run (\`${chosen} -v\` failed). Point it at a haproxy binary, or unset it to use haproxy on PATH.`);
  process.exit(1);
}
const missing = (NEEDS[purpose] || NEEDS.demo).filter(([cmd]) => !(cmd === "haproxy" && chosen) && !has(cmd));
if (missing.length > 0) {
  const rootUser = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = rootUser ? ["apt-get"] : ["sudo", "-n", "apt-get"];
  const pkgs = missing.map(([, pkg]) => pkg);
  const manual = `${rootUser ? "" : "sudo "}apt-get update && ${rootUser ? "" : "sudo "}apt-get install -y ${pkgs.join(" ")}`;
  for (const [cmd, pkg, why] of missing) say(`${cmd} is missing (${why}): installing Debian's ${pkg} package.`);
  if (!has("apt-get") || (!rootUser && !has("sudo"))) {
    say(`These cannot be installed automatically here. Run:\n  ${manual}`);
    process.exit(1);
  }
  const ok = run(apt[0], [...apt.slice(1), "update"]) && run(apt[0], [...apt.slice(1), "install", "-y", "--no-install-recommends", ...pkgs]);
  if (!ok || missing.some(([cmd]) => !has(cmd))) {
    say(`Installing failed. Run this yourself, then try again:\n  ${manual}`);
    process.exit(1);
  }
}
const v = spawnSync(chosen || "haproxy", ["-v"], { encoding: "utf8" });
const version = (/version (\S+)/.exec(v.stdout || "") || [])[1] || "unknown";
const branch = version.split(".").slice(0, 2).join(".");
const SUPPORTED = ["2.6", "3.0", "3.2", "3.4"];
say(`using HAProxy ${version} (${chosen || "haproxy on PATH"})`);
if (!SUPPORTED.includes(branch)) say(`note: edgeblock is tested on HAProxy ${SUPPORTED.join(", ")}; ${version} is not one of them.`);

const lock = path.join(root, "package-lock.json");
const marker = path.join(root, "node_modules", ".package-lock.json");
const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs;
if (stale) {
  say("npm dependencies are missing or out of date: installing them (npm ci).");
  if (!run("npm", ["ci", "--no-audit", "--no-fund"])) {
    say("npm ci failed; run it yourself and try again.");
    process.exit(1);
  }
}
