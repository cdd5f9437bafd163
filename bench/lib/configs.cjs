// The HAProxy configs the bench compares, and the backend they proxy to.
// plain, static and lua-per-request are hand-written here; edgeblock is always rendered by
// edgeblock's own renderer (dist/node/render.js) from a YAML file, so the bench follows the template.
"use strict";
const { haproxyBin } = require("../../dist/node/haproxy-bin.js");
const HAPROXY = haproxyBin(); // $EDGEBLOCK_HAPROXY, else haproxy on PATH
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const procs = require("./procs.cjs");
const { cli } = require("./cli.cjs");

const ROOT = path.resolve(__dirname, "../..");
const DIST = path.join(ROOT, "dist");
const BLOCKS = path.join(ROOT, "lua-out/blocks.lua");
const REF_LUA = path.join(ROOT, "bench/lua-per-request.lua");

/** Paths the backend answers itself with a 404 (what blocking saves) end with this suffix. */
const MISSING_SUFFIX = ".gone";
/** Paths under this prefix make the backend send a learning signal. */
const LEARN_PREFIX = "/learn/";

// Shared by every edge config except edgeblock's (which the renderer writes): the same logging,
// timeouts and threads as the rendered config, so that the differences are the blocking itself.
function common(dir, port, extraGlobal = []) {
  return [
    "global",
    "  nbthread 1",
    "  log stderr format raw local0 info",
    `  stats socket unix@${dir}/admin.sock mode 600 level admin`,
    ...extraGlobal,
    "",
    "defaults",
    "  mode http",
    "  log global",
    "  option httplog",
    "  timeout connect 5s",
    "  timeout client 30s",
    "  timeout server 30s",
    "  timeout http-request 10s",
    "",
    "frontend edge",
    `  bind 127.0.0.1:${port}`,
    "  default_backend app",
    "",
    "backend app",
  ];
}

const EDGE_KINDS = {
  plain: {
    title: "plain",
    describe: "HAProxy proxying, no blocking",
    cfg: (dir, o) => [...common(dir, o.port), `  server s1 127.0.0.1:${o.backendPort}`],
  },
  static: {
    title: "static",
    describe: "hand-written `http-request deny` on a static map (`path,map_str(file) -m found`)",
    cfg: (dir, o) => [
      ...common(dir, o.port),
      `  http-request deny deny_status 404 if { path,map_str(${o.mapFile}) -m found }`,
      `  server s1 127.0.0.1:${o.backendPort}`,
    ],
  },
  lua: {
    title: "lua-per-request",
    describe: "Lua action on every request (Map:lookup), learning with core.set_map, as CrowdSec's Lua bouncer does",
    cfg: (dir, o) => [
      ...common(dir, o.port, [`  setenv EB_REF_MAP ${o.mapFile}`, `  lua-load ${REF_LUA}`]),
      "  http-request lua.ref_check",
      "  http-request return status 404 if { var(txn.ref_status) -m int 404 }",
      "  http-response lua.ref_learn if { res.hdr(x-edge-resource) -m found }",
      "  http-response del-header x-edge-resource",
      `  server s1 127.0.0.1:${o.backendPort}`,
    ],
  },
};

/** The backend: a second HAProxy answering everything itself with `http-request return` (cheaper than the edge). */
function backendCfg(dir, port) {
  return [
    "global",
    "  nbthread 1",
    `  stats socket unix@${dir}/admin.sock mode 600 level admin`,
    "defaults",
    "  mode http",
    "  timeout connect 5s",
    "  timeout client 30s",
    "  timeout server 30s",
    "frontend backend",
    `  bind 127.0.0.1:${port}`,
    `  http-request return status 404 content-type text/plain string "learn me" hdr x-edge-resource false if { path_beg ${LEARN_PREFIX} }`,
    `  http-request return status 404 content-type text/plain string "not found" if { path_end ${MISSING_SUFFIX} }`,
    '  http-request return status 200 content-type text/plain string "ok"',
    "",
  ].join("\n");
}

/** Render the edgeblock config with edgeblock's own config parser and renderer. */
function renderEdgeblock(dir, o) {
  const { parseConfig } = require(path.join(DIST, "node/config.js"));
  const { renderToDisk } = require(path.join(DIST, "node/render.js"));
  const yaml = [
    `listen: { address: 127.0.0.1, port: ${o.port} }`,
    `stats: { address: 127.0.0.1, port: ${o.statsPort} }`,
    `runtime_api: { socket: ${dir}/admin.sock }`,
    `lua: { file: ${BLOCKS}, load: shared }`,
    "threads: 1",
    "log: stderr",
    `static_map: ${dir}/path_status.map`,
    ...(o.sweepInterval ? [`state: { sweep_interval: ${o.sweepInterval} }`] : []),
    "backends:",
    `  - { name: app, trusted: true, max_rules: ${o.maxRules}, servers: [ { name: s1, address: 127.0.0.1, port: ${o.backendPort} } ] }`,
    ...(o.extraYaml ? [o.extraYaml] : []),
    "",
  ].join("\n");
  const file = path.join(dir, "edgeblock.yaml");
  fs.writeFileSync(file, yaml);
  // a static map the config names must exist (an empty one blocks nothing)
  if (!fs.existsSync(path.join(dir, "path_status.map"))) fs.writeFileSync(path.join(dir, "path_status.map"), "");
  const config = parseConfig(yaml, file);
  const rendered = renderToDisk(config, { outDir: dir });
  return { cfgFile: rendered.files.cfg, socket: config.runtimeApiSocket, yaml };
}

function checkConfig(dir, cfgFile, env) {
  const r = spawnSync(HAPROXY, ["-c", "-f", cfgFile], { cwd: dir, encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`haproxy -c failed for ${cfgFile}:\n${r.stdout}${r.stderr}`);
}

/**
 * Start HAProxy in master-worker mode with a master CLI (-S), as `npm start` does (blocks.lua then
 * writes rules through the master CLI, addressed to its own worker), from `dir`. Its stderr (where
 * every config logs) goes to /dev/null: logging costs the same in every config and nobody reads
 * it. Resolves once the port accepts connections and the worker is known.
 */
async function startHaproxy(name, dir, cfgFile, port, env = {}) {
  checkConfig(dir, cfgFile, env);
  const args = ["-W", "-S", `unix@${path.join(dir, "master.sock")},mode,600`, "-db", "-f", cfgFile];
  const child = procs.track(
    procs.spawn(HAPROXY, args, { cwd: dir, stdio: "ignore", env: { ...process.env, ...env } }),
    `haproxy ${name}`,
  );
  await procs.waitFor(`${name} listening on ${port}`, async () => !procs.alive(child) || (await procs.portOpen(port)), 60000);
  if (!procs.alive(child)) throw new Error(`haproxy ${name} exited at startup (code ${child.exitCode}); try: cd ${dir} && haproxy -db -f ${cfgFile}`);
  let worker;
  await procs.waitFor(`${name} worker`, () => {
    const kids = procs.childrenOf(child.pid);
    worker = kids.length === 1 ? kids[0] : undefined;
    return worker !== undefined;
  });
  return { name, dir, port, master: child, worker, stop: () => procs.stop(child) };
}

async function startBackend() {
  const dir = procs.tempDir("eb-bench-backend-");
  const port = await procs.freePort();
  const cfgFile = path.join(dir, "backend.cfg");
  fs.writeFileSync(cfgFile, backendCfg(dir, port));
  const be = await startHaproxy("backend", dir, cfgFile, port);
  const socket = path.join(dir, "admin.sock");
  /** Requests the backend has served so far (CumReq of `show info`). */
  const served = async () => Number((/^CumReq: (\d+)/m.exec(await cli(socket, "show info")) || [])[1]);
  return { ...be, socket, served };
}

/**
 * Write one edge's folder and config without starting it. kind: plain | static | lua | edgeblock.
 * For static and lua, `mapText` is the map file they load at startup; edgeblock starts empty
 * (rules are loaded through the runtime API, as blocks.lua writes them). `sweepInterval` (edgeblock
 * only) sets `state.sweep_interval`; by default the bench measures edgeblock's defaults.
 */
async function prepareEdge(kind, { backendPort, mapText = "", maxRules = 100000, sweepInterval, extraYaml }) {
  const dir = procs.tempDir(`eb-bench-${kind}-`);
  const port = await procs.freePort();
  if (kind === "edgeblock") {
    const statsPort = await procs.freePort();
    const r = renderEdgeblock(dir, { port, statsPort, backendPort, maxRules, sweepInterval, extraYaml });
    const contract = require(path.join(DIST, "core/contract.js"));
    return { kind, dir, port, socket: r.socket, cfgFile: r.cfgFile, ruleTable: contract.RULE_TABLE_PREFIX + "app", countersMap: (contract.STORE_MAPS || {}).counters };
  }
  const mapFile = path.join(dir, "rules.map");
  fs.writeFileSync(mapFile, mapText);
  const cfgFile = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(cfgFile, EDGE_KINDS[kind].cfg(dir, { port, backendPort, mapFile }).join("\n") + "\n");
  return { kind, dir, port, socket: path.join(dir, "admin.sock"), cfgFile, mapFile };
}

/** Prepare and start one edge (see prepareEdge). */
async function startEdge(kind, opts) {
  // `prepared`: an edge prepareEdge wrote earlier (its folder may have been filled since)
  const e = opts.prepared || (await prepareEdge(kind, opts));
  const edge = await startHaproxy(opts.label || kind, e.dir, e.cfgFile, e.port);
  return { ...e, ...edge };
}

/** Count the entries of a map through the runtime API (dumps the map: call it outside measurements). */
async function mapCount(edge) {
  const out = await cli(edge.socket, `show map ${edge.mapFile}`);
  return out.split("\n").filter((l) => l.startsWith("0x")).length;
}

/** edgeblock's own counters (`<thread>:<name> <value>` in its counters map), summed over threads. */
async function edgeblockCounters(edge) {
  const out = {};
  if (!edge.countersMap) return out;
  for (const line of (await cli(edge.socket, `show map ${edge.countersMap}`)).split("\n")) {
    const m = /^0x[0-9a-f]+ \d+:(\S+) (\d+)$/.exec(line.trim());
    if (m) out[m[1]] = (out[m[1]] || 0) + Number(m[2]);
  }
  return out;
}

module.exports = { checkConfig, prepareEdge, ROOT, DIST, BLOCKS, EDGE_KINDS, MISSING_SUFFIX, LEARN_PREFIX, startBackend, startEdge, startHaproxy, mapCount, edgeblockCounters };
