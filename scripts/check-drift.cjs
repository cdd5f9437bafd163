#!/usr/bin/env node
// CI guard: lua-out/ must be exactly what `npm run build` produces from src/.
"use strict";
const { execFileSync } = require("node:child_process");
const path = require("node:path");
const root = path.resolve(__dirname, "..");
const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=all", "--", "lua-out"], { cwd: root, encoding: "utf8" });
if (status.trim() !== "") {
  process.stderr.write(`lua-out/ differs from a fresh build (commit the rebuilt blocks.lua):\n${status}`);
  process.stderr.write(execFileSync("git", ["diff", "--stat", "--", "lua-out"], { cwd: root, encoding: "utf8" }));
  process.exit(1);
}
process.stdout.write("lua-out/ matches a fresh build\n");
