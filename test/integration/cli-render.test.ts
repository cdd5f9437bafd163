/** `edgeblock render|check` as an operator runs it: real files, real `haproxy -c`, exit codes. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "dist/node/cli.js");
const dir = mkdtempSync(path.join(os.tmpdir(), "eb-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function edgeblock(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function writeConfig(name: string, body: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, body);
  return f;
}

const VALID = `listen: { port: 18080 }
stats: { port: 18404 }
lua: { file: ${path.join(ROOT, "lua-out/blocks.lua")} }
backends:
  - { name: app, trusted: true, servers: [ { name: s1, address: 127.0.0.1, port: 18081 } ] }
`;

describe("edgeblock render / check", () => {
  it("renders a valid config, runs haproxy -c on it, and exits 0", () => {
    const f = writeConfig("ok.yaml", VALID);
    const r = edgeblock("render", "--config", f, "--out", path.join(dir, "out"));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/haproxy -c: valid/);
    expect(readFileSync(path.join(dir, "out/haproxy.cfg"), "utf8")).toContain("backend eb_rules_app");
  });

  it("exits 3 and names file, line and field for an invalid config", () => {
    const f = writeConfig("bad.yaml", VALID.replace("port: 18081", "port: 70000"));
    const r = edgeblock("check", "--config", f);
    expect(r.code).toBe(3);
    expect(r.err).toContain("bad.yaml:5: backends[0].servers[0].port: expected an integer from 1 to 65535, got 70000");
  });

  it("exits 3 and names the line of a static map entry that is not normalised", () => {
    writeFileSync(path.join(dir, "path_status.map"), "/ok\n/Not//normal/\n");
    const f = writeConfig("map.yaml", VALID);
    const r = edgeblock("check", "--config", f);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/path_status.map:2: static_map line 2: path "\/Not\/\/normal\/" is not normalised; write "\/Not\/normal"/);
    rmSync(path.join(dir, "path_status.map"));
  });

  it("exits 4 with HAProxy's own message when haproxy -c rejects the result", () => {
    const f = writeConfig("nolua.yaml", VALID.replace(/file: .*blocks.lua/, "file: /nonexistent/blocks.lua"));
    const r = edgeblock("check", "--config", f, "--out", path.join(dir, "out2"));
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/haproxy -c rejected/);
    expect(r.err).toMatch(/blocks\.lua/);
  });

  it("never replaces a working haproxy.cfg with one haproxy -c rejects, and leaves no candidate files behind", () => {
    const out = path.join(dir, "out3");
    expect(edgeblock("render", "--config", writeConfig("good3.yaml", VALID), "--out", out).code).toBe(0);
    const before = readFileSync(path.join(out, "haproxy.cfg"), "utf8");
    const settings = readFileSync(path.join(out, "edgeblock.settings"), "utf8");
    const broken = writeConfig("broken3.yaml", VALID.replace(/file: .*blocks.lua/, "file: /nonexistent/blocks.lua").replace("port: 18080", "port: 18090"));
    const r = edgeblock("render", "--config", broken, "--out", out);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/nothing was replaced/);
    expect(readFileSync(path.join(out, "haproxy.cfg"), "utf8")).toBe(before);
    expect(readFileSync(path.join(out, "edgeblock.settings"), "utf8")).toBe(settings);
    expect(readdirSync(out).filter((f) => f.includes(".check."))).toEqual([]);
  });

  it("exits 2 on usage errors and 0 on --help", () => {
    expect(edgeblock("render").code).toBe(2);
    expect(edgeblock("frobnicate").code).toBe(2);
    const h = edgeblock("--help");
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/Exit codes/);
  });
});
