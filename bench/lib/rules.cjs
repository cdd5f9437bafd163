// Rule sets for the bench: the same paths for every config. Rule paths and pass-through paths
// share their shape and interleave in every index, so a miss walks the index as deep as a hit.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { DIST, MISSING_SUFFIX } = require("./configs.cjs");

function mix(i) {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Path of rule i: blocked by every blocking config, answered 404 by the backend itself. */
const ruleKey = (i) => `/r/${mix(i).toString(36)}/${i}${MISSING_SUFFIX}`;
/** Path of pass-through request j: matches no rule, answered 200 by the backend. */
const passKey = (j) => `/r/${mix(j + 0x7fffffff).toString(36)}/p${j}`;

/** Static map / Lua map text with rules 0..n-1, all answered 404. */
function mapText(n) {
  const lines = new Array(n);
  for (let i = 0; i < n; i++) lines[i] = `${ruleKey(i)} 404`;
  return n ? lines.join("\n") + "\n" : "";
}

/** Write a wrk path list: `count` paths spread evenly over 0..n-1. */
function writePathList(file, n, count, key) {
  const k = Math.min(n, count);
  const lines = [];
  for (let j = 0; j < k; j++) lines.push(key(Math.floor((j * n) / k)));
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/**
 * Runtime API commands that store rules 0..n-1 in edgeblock's rule table exactly as blocks.lua
 * stores an exact-path, any-method rule: the keys come from rulekey.ruleKeys, the fields from
 * rule.ruleEntry, the record from store-records.entryRecord and its command from journal.recordCommand
 * (all compiled from src/core), plus
 * the reason label in the reasons map, as blocks.lua adds it.
 */
function edgeblockCommands(backend, from, to, now) {
  const contract = require(path.join(DIST, "core/contract.js"));
  const { ruleEntry, reasonId } = require(path.join(DIST, "core/rule.js"));
  const { escapeCliArg } = require(path.join(DIST, "core/runtime-cmd.js"));
  const { entryRecord } = require(path.join(DIST, "core/store-records.js"));
  const { recordCommand } = require(path.join(DIST, "core/journal.js"));
  const commandFor = (table, key, entry) => recordCommand(entryRecord(table, key, entry));
  let ruleKeys = (m) => [m.path];
  try {
    ruleKeys = require(path.join(DIST, "core/rulekey.js")).ruleKeys;
  } catch {
    /* older layout: one key per rule, the path */
  }
  const reason = "bench";
  const entry = ruleEntry({ status: 404, ttl: 3600, reason, dryRun: false, bodyId: 0 }, now);
  const table = contract.RULE_TABLE_PREFIX + backend;
  // Every rule has the same data, so build the command once around a placeholder key (a million
  // command builds cost seconds of Node CPU); keys that need escaping go the long way.
  const mark = "EBBENCHKEY";
  const [head, tail] = commandFor(table, mark, entry).split(mark);
  const cmds = [];
  if (from === 0 && contract.STORE_MAPS && contract.STORE_MAPS.reasons) cmds.push(`add map ${contract.STORE_MAPS.reasons} ${reasonId(reason)} ${reason}`);
  for (let i = from; i < to; i++) {
    for (const key of ruleKeys({ path: ruleKey(i), prefix: false, methods: [], query: [] })) {
      cmds.push(escapeCliArg(key) === key ? head + key + tail : commandFor(table, key, entry));
    }
  }
  return { table, cmds };
}

module.exports = { ruleKey, passKey, mapText, writePathList, edgeblockCommands };
