#!/usr/bin/env node
// Provisions Debian's own HAProxy 3.0 (trixie), 3.2 (sid) and 3.4 (experimental) into a cache outside git,
// installing nothing: apt-get with a private config downloads haproxy and its runtime libraries, dpkg-deb
// unpacks them, and patchelf points a copy of the binary at that root's glibc.
// Plain CommonJS with no dependencies, because it may run before `npm ci`.
//   node scripts/provision-haproxy.cjs [3.0 3.2 3.4]   provision (a no-op for branches already there)
//   node scripts/provision-haproxy.cjs --print|--json  list the binaries: "<branch> <path>" lines, or a JSON object
// To refresh a branch, delete <cache>/<branch> and run again.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

// branch -> suites in the private sources list; haproxy comes from the first, libraries from apt's candidate
const BRANCHES = { "3.0": ["trixie"], "3.2": ["sid"], "3.4": ["experimental", "sid"] };
const ARCHES = { amd64: ["x86_64-linux-gnu", "ld-linux-x86-64.so.2"], arm64: ["aarch64-linux-gnu", "ld-linux-aarch64.so.1"] };
const MIRROR = (process.env.EDGEBLOCK_DEBIAN_MIRROR || "http://deb.debian.org/debian").replace(/\/+$/, "");
const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
const MARKER = ".provisioned.json";

function cacheDir() {
  if (process.env.EDGEBLOCK_HAPROXY_CACHE) return path.resolve(process.env.EDGEBLOCK_HAPROXY_CACHE);
  // root's home is private (mode 700): a binary kept there cannot run as the haproxy user a container uses
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const base = process.env.XDG_CACHE_HOME || (isRoot ? "/var/cache" : path.join(os.homedir(), ".cache"));
  return path.resolve(base, "edgeblock", "haproxy");
}

function which(cmd) {
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    const p = path.resolve(dir || ".", cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {}
  }
  return null;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  return r;
}

function must(cmd, args, opts) {
  const r = run(cmd, args, opts);
  const shown = args.filter((a, i) => a !== "-o" && args[i - 1] !== "-o"); // the private apt options are noise here
  if (r.status !== 0) throw new Error(`${cmd} ${shown.join(" ")} failed:\n${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

function checkTools() {
  const missing = [];
  for (const [cmd, pkg] of [["apt-get", "apt"], ["apt-cache", "apt"], ["dpkg-deb", "dpkg"], ["dpkg", "dpkg"], ["patchelf", "patchelf"]]) {
    if (!which(cmd)) missing.push(`${cmd} (Debian package ${pkg})`);
  }
  if (missing.length) {
    const sudo = process.getuid && process.getuid() !== 0 ? "sudo " : "";
    const pkgs = [...new Set(missing.map((m) => m.match(/package (\S+)\)/)[1]))].join(" ");
    throw new Error(`missing ${missing.join(", ")}. Install with: ${sudo}apt-get install -y ${pkgs}` +
      (pkgs === "patchelf" ? "" : " (this script needs a Debian or Ubuntu system)"));
  }
  if (!fs.existsSync(KEYRING)) throw new Error(`missing ${KEYRING} to check the archive's signatures. Install with: apt-get install -y debian-archive-keyring`);
  const arch = must("dpkg", ["--print-architecture"]).trim();
  if (!ARCHES[arch]) throw new Error(`architecture ${arch} is not supported (only ${Object.keys(ARCHES).join(", ")})`);
  return arch;
}

// A private apt: own sources, lists, cache and an empty dpkg status, so nothing of the system's apt state is read or written.
function privateApt(dir, suites, arch) {
  for (const d of ["lists/partial", "cache/archives/partial", "state"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, "sources.list"), suites.map((s) => `deb [signed-by=${KEYRING}] ${MIRROR} ${s} main\n`).join(""));
  fs.writeFileSync(path.join(dir, "state/status"), "");
  const o = {
    "Dir::Etc::SourceList": path.join(dir, "sources.list"), "Dir::Etc::SourceParts": "/dev/null",
    "Dir::Etc::Preferences": "/dev/null", "Dir::Etc::PreferencesParts": "/dev/null",
    "Dir::State": path.join(dir, "state"), "Dir::State::Lists": path.join(dir, "lists"),
    "Dir::State::status": path.join(dir, "state/status"), "Dir::Cache": path.join(dir, "cache"),
    "Dir::Cache::pkgcache": "pkgcache.bin", "Dir::Cache::srcpkgcache": "srcpkgcache.bin", // Docker images disable these; each apt-cache call would reparse the lists
    "APT::Architectures": arch, "Acquire::Languages": "none", "APT::Update::Error-Mode": "any",
  };
  if (process.getuid && process.getuid() === 0) o["APT::Sandbox::User"] = "root"; // _apt cannot write into root's home
  return Object.entries(o).flatMap(([k, v]) => ["-o", `${k}=${v}`]);
}

function aptUpdate(apt) {
  const r = run("apt-get", [...apt, "-q", "update"]);
  if (r.status === 0) return;
  const out = `${r.stdout}\n${r.stderr}`;
  const failed = out.match(/Failed to fetch (\S+)\s+(.*)/);
  if (failed) throw new Error(`cannot fetch ${failed[1]} (${failed[2].trim()}). Check network access to ${MIRROR}, or set EDGEBLOCK_DEBIAN_MIRROR to a reachable Debian mirror.`);
  throw new Error(`apt-get update against ${MIRROR} failed:\n${r.stderr.trim()}`);
}

// `apt-cache show` stanzas as objects; names apt does not know are simply absent from the result.
function aptShow(apt, specs, all = false) {
  if (!specs.length) return [];
  const r = run("apt-cache", [...apt, "show", ...(all ? [] : ["--no-all-versions"]), ...specs]);
  return r.stdout.split(/\n\n+/).filter((s) => s.trim()).map((s) => {
    const f = {};
    for (const m of s.replace(/\n[ \t]/g, " ").split("\n")) {
      const i = m.indexOf(":");
      if (i > 0) f[m.slice(0, i)] = m.slice(i + 1).trim();
    }
    return f;
  });
}

// "a (>= 1), b | c" -> [[{name:"a", op:">=", ver:"1"}], [{name:"b"}, {name:"c"}]]
function parseDeps(s) {
  return (s || "").split(",").filter((g) => g.trim()).map((g) => g.split("|").map((alt) => {
    const m = alt.trim().match(/^([^\s(:]+)(?::\S+)?\s*(?:\(\s*([<>=]+)\s*([^)\s]+)\s*\))?/);
    return { name: m[1], op: m[2], ver: m[3] };
  }));
}

const isLib = (st) => /(^|\/)(libs|oldlibs)$/.test(st.Section || "");
const satisfies = (ver, d) => !d.op || run("dpkg", ["--compare-versions", ver, d.op, d.ver]).status === 0;

// haproxy from suites[0], then the closure of its Depends/Pre-Depends over library packages (adduser, lsb-base,
// systemd and the like are skipped: the binary does not load them). A library takes apt's candidate, or the newest
// version that satisfies the constraints when the candidate does not (e.g. an experimental-only library).
function resolve(apt, suites) {
  const root = aptShow(apt, [`haproxy/${suites[0]}`])[0];
  if (!root) throw new Error(`package haproxy not found in ${suites[0]} at ${MIRROR} (see ${MIRROR}/dists/${suites[0]}/)`);
  const picked = new Map([["haproxy", root]]);
  const needs = [];
  const skipped = new Set();
  let todo = [root];
  while (todo.length) {
    const groups = todo.flatMap((st) => parseDeps([st["Pre-Depends"], st.Depends].filter(Boolean).join(", ")).map((g) => ({ g, by: st.Package })));
    const names = [...new Set(groups.flatMap(({ g }) => g.map((d) => d.name)))].filter((n) => !picked.has(n) && !skipped.has(n));
    const cand = new Map(aptShow(apt, names).map((st) => [st.Package, st]));
    todo = [];
    for (const { g, by } of groups) {
      const d = g.find((x) => picked.has(x.name) || skipped.has(x.name)) || g.find((x) => cand.has(x.name));
      if (!d) { skipped.add(`${g.map((x) => x.name).join("|")} (not found)`); continue; }
      needs.push({ ...d, by });
      if (picked.has(d.name) || skipped.has(d.name)) continue;
      let st = cand.get(d.name);
      if (!isLib(st)) { skipped.add(d.name); continue; }
      const want = needs.filter((n) => n.name === d.name);
      if (!want.every((n) => satisfies(st.Version, n))) st = aptShow(apt, [d.name], true).find((s) => want.every((n) => satisfies(s.Version, n))) || st;
      picked.set(d.name, st);
      todo.push(st);
    }
  }
  const bad = needs.filter((n) => picked.has(n.name) && !satisfies(picked.get(n.name).Version, n));
  if (bad.length) throw new Error(`cannot satisfy ${bad.map((n) => `${n.name} (${n.op} ${n.ver}) for ${n.by}, have ${picked.get(n.name).Version}`).join("; ")}`);
  return { pkgs: [...picked.values()], skipped: [...skipped] };
}

function readMarker(branch) {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(cacheDir(), branch, MARKER), "utf8"));
    return fs.existsSync(m.binary) ? m : null;
  } catch {
    return null;
  }
}

// The patched binary must load every library from its own root (never bookworm's) and answer -vv.
function verify(bin, root) {
  const env = { ...process.env, LD_TRACE_LOADED_OBJECTS: "1" };
  const libs = run(bin, [], { env }).stdout.split("\n").map((l) => l.match(/=>\s*(.*?)\s*(\(0x|$)/)).filter(Boolean).map((m) => m[1]);
  const outside = libs.filter((p) => !p.startsWith(root + "/"));
  if (!libs.length || outside.length) throw new Error(`${bin} loads libraries from outside ${root}: ${outside.join(", ") || "(ldd trace failed)"}`);
  const r = run(bin, ["-vv"]);
  if (r.status !== 0) throw new Error(`${bin} -vv failed (exit ${r.status}):\n${(r.stderr || r.stdout).trim()}`);
  const lines = r.stdout.split("\n");
  return { first: lines[0].trim(), lua: (lines.find((l) => /Built with Lua version/.test(l)) || "no Lua").trim() };
}

function provisionBranch(branch, arch, log) {
  const t0 = Date.now();
  const dir = path.join(cacheDir(), branch);
  const suites = BRANCHES[branch];
  fs.rmSync(dir, { recursive: true, force: true }); // a run without a marker (e.g. interrupted) starts over
  const aptDir = path.join(dir, "apt");
  const debs = path.join(dir, "debs");
  const root = path.join(dir, "root");
  fs.mkdirSync(debs, { recursive: true });
  const apt = privateApt(aptDir, suites, arch);
  aptUpdate(apt);
  const { pkgs, skipped } = resolve(apt, suites);
  must("apt-get", [...apt, "-q", "download", ...pkgs.map((p) => `${p.Package}=${p.Version}`)], { cwd: debs });
  const files = fs.readdirSync(debs).filter((f) => f.endsWith(".deb"));
  const bytes = files.reduce((n, f) => n + fs.statSync(path.join(debs, f)).size, 0);
  for (const f of files) must("dpkg-deb", ["-x", path.join(debs, f), root]);
  const [triplet, ldso] = ARCHES[arch];
  const interp = [`usr/lib/${triplet}/${ldso}`, `lib/${triplet}/${ldso}`].map((p) => path.join(root, p)).find((p) => fs.existsSync(p));
  if (!interp) throw new Error(`no ${ldso} in the unpacked libc6 under ${root}`);
  const bin = path.join(dir, "haproxy");
  fs.copyFileSync(path.join(root, "usr/sbin/haproxy"), bin);
  // RPATH, not RUNPATH: RUNPATH does not apply to liblua's own libm lookup, which would then find bookworm's old libm
  must("patchelf", ["--set-interpreter", interp, "--force-rpath", "--set-rpath", `${root}/usr/lib/${triplet}:${root}/lib/${triplet}`, bin]);
  const v = verify(bin, root);
  const lists = path.join(aptDir, "lists");
  const indexBytes = fs.readdirSync(lists).reduce((n, f) => n + fs.statSync(path.join(lists, f)).size, 0);
  fs.rmSync(aptDir, { recursive: true, force: true }); // indexes and .debs are not needed once unpacked
  fs.rmSync(debs, { recursive: true, force: true });
  const h = pkgs[0];
  const marker = { branch, package: h.Package, version: h.Version, suite: suites[0], mirror: MIRROR, binary: bin, root, vv: v.first, lua: v.lua,
    packages: pkgs.map((p) => `${p.Package}=${p.Version}`), skipped, downloadedBytes: bytes, indexBytes, provisionedAt: new Date().toISOString() };
  fs.writeFileSync(path.join(dir, MARKER), JSON.stringify(marker, null, 2) + "\n"); // written last: its presence means "verified"
  log(`${branch}: haproxy ${h.Version} from ${suites[0]} -> ${bin}`);
  const mb = (n) => (n / 1048576).toFixed(1);
  log(`  ${pkgs.length} packages (${mb(bytes)} MB, plus ${mb(indexBytes)} MB of package indexes) in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${marker.packages.join(" ")}`);
  if (skipped.length) log(`  not needed by the binary, skipped: ${skipped.join(", ")}`);
  log(`  ${v.first}\n  ${v.lua}`);
  return { ...marker, fetched: true };
}

// Provisions the given branches (all by default); throws after trying them all if any failed.
function provision(branches = Object.keys(BRANCHES), log = (m) => process.stdout.write(m + "\n")) {
  const unknown = branches.filter((b) => !BRANCHES[b]);
  if (unknown.length) throw new Error(`unknown branch ${unknown.join(", ")} (known: ${Object.keys(BRANCHES).join(", ")})`);
  const results = [];
  const errors = [];
  let arch = null;
  for (const branch of branches) {
    const m = readMarker(branch);
    if (m) {
      log(`${branch}: haproxy ${m.version} from ${m.suite} already there -> ${m.binary}`);
      results.push({ ...m, fetched: false });
      continue;
    }
    arch = arch || checkTools(); // only needed when something is to be fetched
    try {
      results.push(provisionBranch(branch, arch, log));
    } catch (e) {
      errors.push(`${branch}: ${e.message}`);
    }
  }
  if (errors.length) throw Object.assign(new Error(errors.join("\n")), { results });
  return results;
}

// {"2.6": system haproxy if it is 2.6, "3.0": path, ...} for what is provisioned; reads markers only.
function binaries() {
  const out = {};
  const sys = which("haproxy");
  if (sys) {
    const r = spawnSync(sys, ["-v"], { encoding: "utf8" });
    if (/version 2\.6\./.test(r.stdout || "")) out["2.6"] = sys;
  }
  for (const b of Object.keys(BRANCHES)) {
    const m = readMarker(b);
    if (m) out[b] = m.binary;
  }
  return out;
}

module.exports = { provision, binaries, cacheDir };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes("--print")) {
    for (const [b, p] of Object.entries(binaries())) process.stdout.write(`${b} ${p}\n`);
  } else if (args.includes("--json")) {
    process.stdout.write(JSON.stringify(binaries()) + "\n");
  } else if (args.some((a) => a.startsWith("-"))) {
    process.stderr.write(`usage: node scripts/provision-haproxy.cjs [${Object.keys(BRANCHES).join(" ")}] | --print | --json\n`);
    process.exit(2);
  } else {
    try {
      provision(args.length ? args : undefined);
    } catch (e) {
      process.stderr.write(`provision-haproxy: ${e.message}\n`);
      process.exit(1);
    }
  }
}
