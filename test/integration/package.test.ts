/**
 * The published package as a user gets it: `npm pack` of the built checkout, installed into an empty
 * project in a private temp folder, then the `edgeblock` command, the SDK (`require("edgeblock")`, with
 * none of the CLI's dependencies loaded), its types, and `edgeblock render` from the installed copy.
 * Assumes `npm run build` ran (`npm test` does it). Nothing is written into the checkout: the tarball
 * goes to the temp folder, and `npm pack --ignore-scripts` skips the `prepack` build.
 */
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const PKG = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
};

/** npm settings a user may need (a mirror, a cache, a CA) pass through; the outer npm run's own variables do not. */
const KEEP_NPM = new Set(["npm_config_registry", "npm_config_cache", "npm_config_userconfig", "npm_config_globalconfig", "npm_config_cafile", "npm_config_proxy", "npm_config_https_proxy", "npm_config_noproxy", "npm_config_strict_ssl"]);
const ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_") || KEEP_NPM.has(k.toLowerCase()))),
  npm_config_update_notifier: "false",
};

let tmp = "";
let project = "";
let tarball = "";
let packed: string[] = [];

function run(cmd: string, args: string[], cwd: string, timeout = 60_000): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env: ENV, encoding: "utf8", timeout, killSignal: "SIGKILL" });
  if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  for (const f of ["dist/sdk/index.js", "dist/node/cli.js", "lua-out/blocks.lua"]) {
    if (!existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), "eb-pack-"));
  chmodSync(tmp, 0o700);
  const json = ok(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", tmp], ROOT), "npm pack");
  const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(tmp, info.filename);
  packed = info.files.map((f) => f.path).sort();
  project = path.join(tmp, "app");
  mkdirSync(project);
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "eb-consumer", version: "1.0.0", private: true }, null, 2));
  const install = (mode: string) => run("npm", ["install", tarball, `--${mode}`, "--no-audit", "--no-fund"], project, 120_000);
  let installMode = "offline";
  let r = install(installMode);
  // npm install wants a new dependency's full metadata: `npm ci` caches only tarballs, `npm install` only abbreviated metadata
  if (r.status !== 0 && /ENOTCACHED/.test(`${r.stdout}${r.stderr}`)) {
    installMode = "prefer-offline";
    r = install(installMode);
  }
  ok(r, `npm install --${installMode} ${tarball}`);
  if (installMode !== "offline") console.info("package.test: the npm cache lacked the dependencies' metadata; installed with --prefer-offline");
}, 240_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("ships the CLI, blocks.lua, the template, the SDK and the docs, and no tests, benches or scripts", () => {
    for (const f of ["package.json", "README.md", "dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/node/cli.js", "dist/node/render.js", "dist/node/config.js", "dist/core/protocol.js", "lua-out/blocks.lua", "templates/haproxy.cfg.hbs", "docs/protocol.md", "docs/config.md"]) {
      expect(packed).toContain(f);
    }
    const unwanted = packed.filter((f) => /^(test|bench|scripts|src|\.ci|node_modules|haproxy\/(state|run))\//.test(f) || /^dist\/node\/demo/.test(f) || /\.test\.|\.tgz$/.test(f));
    expect(unwanted).toEqual([]);
    // everything that package.json points at is in the tarball
    const targets = [...Object.values(PKG.bin), ...Object.values(PKG.exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e)))];
    for (const t of targets) expect(packed).toContain(path.posix.normalize(t));
  });

  it("installs the edgeblock command: `npx edgeblock --help` exits 0 and prints the usage", () => {
    // --no-install: the local bin or nothing (never installs from the registry)
    const r = run("npx", ["--no-install", "edgeblock", "--help"], project, 30_000);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage:/m);
    expect(r.stdout).toContain("edgeblock render --config <file>");
  });

  it("require(\"edgeblock\") is the SDK, and loads neither handlebars nor yaml", () => {
    const script = `const eb = require("edgeblock");
console.log(typeof eb.edgeRule);
console.log(JSON.stringify(Object.keys(require.cache)));
console.log(eb.edgeRule({ block: { path: "/yeet", status: 410 } }));`;
    const [type, cache, header] = ok(run(process.execPath, ["-e", script], project), "node -e").trim().split("\n");
    expect(type).toBe("function");
    expect(header).toMatch(/^block;/);
    const loaded = (JSON.parse(cache) as string[]).map((f) => path.relative(project, f));
    expect(loaded.filter((f) => /handlebars|yaml/.test(f))).toEqual([]);
    // only the SDK and the pure core it is built on
    expect(loaded.filter((f) => !/^node_modules\/edgeblock\/dist\/(sdk|core)\/[\w-]+\.js$/.test(f))).toEqual([]);
  });

  it("exports the SDK to ESM, the CLI as edgeblock/cli, package.json, and nothing else", () => {
    expect(ok(run(process.execPath, ["--input-type=module", "-e", 'import { edgeRule } from "edgeblock"; console.log(typeof edgeRule)'], project), "import").trim()).toBe("function");
    expect(ok(run(process.execPath, ["-e", 'console.log(typeof require("edgeblock/cli").main)'], project), "require cli").trim()).toBe("function");
    expect(ok(run(process.execPath, ["-e", 'console.log(require("edgeblock/package.json").name)'], project), "require package.json").trim()).toBe(PKG.name);
    const deep = run(process.execPath, ["-e", 'require("edgeblock/dist/node/render.js")'], project);
    expect(deep.status).not.toBe(0);
    expect(deep.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("gives TypeScript users the SDK's types", () => {
    writeFileSync(
      path.join(project, "use.ts"),
      `import { edgeRule, EDGE_RULE_HEADER, type Block } from "edgeblock";
const b: Block = { methods: ["POST"], status: 405 };
const v: string = edgeRule({ block: b });
console.log(EDGE_RULE_HEADER, v);
`,
    );
    writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "node16", moduleResolution: "node16", target: "es2022", types: [], noEmit: true }, files: ["use.ts"] }),
    );
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const r = run(process.execPath, [tsc, "-p", "tsconfig.json"], project);
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  });

  it("renders and checks a config with the installed package (`npx edgeblock render`)", () => {
    // no lua.file: the installed package's own bundle
    writeFileSync(
      path.join(project, "edgeblock.yaml"),
      `listen: { port: 18980 }
stats: { port: 18984 }
backends:
  - { name: app, trusted: true, servers: [ { name: s1, address: 127.0.0.1, port: 18981 } ] }
`,
    );
    const r = run("npx", ["--no-install", "edgeblock", "render", "--config", "edgeblock.yaml", "--out", "edge"], project, 60_000);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/haproxy -c: valid/);
    const cfg = readFileSync(path.join(project, "edge/haproxy.cfg"), "utf8");
    expect(cfg).toContain("backend eb_rules_app");
    expect(cfg).toContain("lua-load ../node_modules/edgeblock/lua-out/blocks.lua");
    expect(existsSync(path.join(project, "edge/edgeblock.settings"))).toBe(true);
  });
});
