#!/usr/bin/env node
// Rewrites the README's drop-in block and docs/config.md's field table from the rendered example (haproxy/haproxy.cfg): the edge
// frontend without its bind lines, and every backend section. test/unit/render.test.ts checks it.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const root = path.resolve(__dirname, "..");
const cfg = fs.readFileSync(path.join(root, "haproxy/haproxy.cfg"), "utf8");
// sections start with a keyword or their comment; .if/.endif lines belong to the section they are in
const sections = cfg.split(/\n(?=[a-z#])/);
// a section may open with its one-line comment (the peers section does)
const head = (s) => s.replace(/^(#.*\n)+/, "");
const keep = sections
  .filter((s) => head(s).startsWith("frontend edge\n") || head(s).startsWith("backend ") || head(s).startsWith("peers "))
  .map((s) => s.replace(/^frontend edge\n(  bind .*\n)+/, "frontend edge\n  # (bind lines)\n").replace(/\n+$/, ""));
// the global section as a hand-wired config has it: no presetenv (the demo's ports), blocks.lua copied next to it
const global = sections
  .find((s) => s.startsWith("global\n"))
  .replace(/\n+$/, "")
  .split("\n")
  .filter((l) => !/^\s*presetenv /.test(l))
  .map((l) => l.replace(/^(\s*lua-load(?:-per-thread)? ).*blocks\.lua$/, "$1blocks.lua"))
  .map((l) => "   " + l)
  .join("\n");
const file = path.join(root, "README.md");
let readme = fs.readFileSync(file, "utf8");
const re = /(<!-- dropin:start[^>]*-->\n```\n)[\s\S]*?(\n?```\n<!-- dropin:end -->)/;
const reGlobal = /(<!-- dropin-global:start[^>]*-->\n   ```\n)[\s\S]*?(\n?   ```\n   <!-- dropin-global:end -->)/;
if (!re.test(readme) || !reGlobal.test(readme)) throw new Error("README.md has no dropin or dropin-global block");
readme = readme.replace(re, (_, a, b) => a + keep.join("\n\n") + b.replace(/^\n?/, "\n"));
readme = readme.replace(reGlobal, (_, a, b) => a + global + b.replace(/^\n?/, "\n"));
fs.writeFileSync(file, readme);
process.stdout.write("README.md drop-in block rewritten from haproxy/haproxy.cfg\n");

// docs/config.md's field table, from the schema's FIELD_DOCS (needs `npm run build`)
const { FIELD_DOCS } = require(path.join(root, "dist/node/config.js"));
const rows = FIELD_DOCS.map(([field, def, meaning]) => `| \`${field}\` | ${def.includes(",") ? "`" + def + "`" : def} | ${meaning} |`);
const docFile = path.join(root, "docs/config.md");
const doc = fs.readFileSync(docFile, "utf8");
const table = /(<!-- fields:start[^>]*-->\n\| Field \| Default \| Meaning \|\n\|---\|---\|---\|\n)[\s\S]*?(\n<!-- fields:end -->)/;
if (!table.test(doc)) throw new Error("docs/config.md has no fields block");
fs.writeFileSync(docFile, doc.replace(table, (_, a, b) => a + rows.join("\n") + b));
process.stdout.write("docs/config.md field table rewritten from FIELD_DOCS\n");
