/**
 * The `edgeblock` CLI against a real HAProxy: every command, and every runtime
 * API error an operator can meet, with its exit code.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";
import { haproxyVersion } from "../../src/node/haproxy-bin";

const CLI = path.resolve(__dirname, "../../dist/node/cli.js");
/** What the CLI needs at run time (npm ls --omit=dev). */
const RUNTIME_DEPS = ["handlebars", "yaml", "minimist", "neo-async", "uglify-js", "wordwrap"];

let backend: Backend;
let edge: Edge;

function eb(args: string[], opts: { uid?: number } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args, "--config", path.join(edge.dir, "edgeblock.yaml")], { encoding: "utf8", ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}) });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  backend = await startBackend({
    "*": { status: 404, headers: { "X-Edge-Resource": "false" } },
    "/api/items": { status: 200, headers: { "Edge-Rule": 'block;methods="POST PUT";status=405;reason=method' } },
    "/wp-admin": { status: 404, headers: { "Edge-Rule": 'block;path="/wp-admin";prefix;methods=*;reason=scanner' } },
    "/trial": { status: 404, headers: { "Edge-Rule": "block;methods=*;dry-run;reason=trial" } },
  });
  edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraGlobal: ["stats socket unix@user.sock mode 666 level user"] });
  for (const p of ["/yeet", "/api/items", "/wp-admin", "/trial"]) await edge.get(p);
});
afterAll(async () => {
  await edge?.stop();
  await stopAll();
});

describe("edgeblock rules", () => {
  it("list shows every active rule with key, status, reason, origin, creation, time left, hits and mode", () => {
    const r = eb(["rules", "list"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^KEY +STATUS +REASON +ORIGIN +CREATED +TTL LEFT +HITS +MODE$/m);
    expect(r.out).toMatch(/^\/yeet +404 +edge-resource +s1 +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +(59|60)m +0 +enforce$/m);
    expect(r.out).toMatch(/^\/api\/items POST +405 +method /m);
    expect(r.out).toMatch(/^\^\/wp-admin +404 +scanner /m);
    expect(r.out).toMatch(/^\/trial +404 +trial .* dry-run$/m);
  });

  it("list --json, filtered by path prefix and by reason", () => {
    const all = JSON.parse(eb(["rules", "list", "--json"]).out) as Array<{ key: string; ttlLeft: number; hits: number }>;
    expect(all.map((x) => x.key).sort()).toEqual(["/api/items POST", "/api/items PUT", "/trial", "/yeet", "^/wp-admin"]);
    // expiry rounds up to the next second: a rule lives at least its TTL and less than TTL + 1
    expect(all.every((x) => x.ttlLeft > 3500 && x.ttlLeft <= 3601)).toBe(true);
    expect(JSON.parse(eb(["rules", "list", "--json", "--prefix", "/api"]).out).map((x: { key: string }) => x.key)).toEqual(["/api/items POST", "/api/items PUT"]);
    expect(JSON.parse(eb(["rules", "list", "--json", "--reason", "scanner"]).out).map((x: { key: string }) => x.key)).toEqual(["^/wp-admin"]);
  });

  it("counts hits", async () => {
    await edge.get("/yeet");
    await edge.get("/yeet");
    const rules = JSON.parse(eb(["rules", "list", "--json"]).out) as Array<{ key: string; hits: number }>;
    expect(rules.find((x) => x.key === "/yeet")!.hits).toBe(2);
  });

  it("add creates a rule the edge enforces at once, remove lifts it, flush lifts them all", async () => {
    const add = eb(["rules", "add", "--backend", "app", "--path", "/admin", "--prefix", "--methods", "*", "--status", "403", "--ttl", "600", "--reason", "ops"]);
    expect(add.err).toBe("");
    expect(add.out).toBe("added ^/admin\n");
    expect((await edge.get("/admin/panel")).status).toBe(403);
    expect((await backend.hits())["/admin/panel"]).toBeUndefined();
    expect(eb(["rules", "list"]).out).toMatch(/^\^\/admin +403 +ops +operator /m);
    expect(eb(["rules", "remove", "--backend", "app", "^/admin"]).out).toBe("removed 1 rule(s)\n");
    await edge.get("/admin/panel");
    expect((await backend.hits())["/admin/panel"]).toBe(1);
    const flush = eb(["rules", "flush", "--backend", "app"]);
    expect(flush.code).toBe(0);
    expect(flush.out).toMatch(/^removed \d+ rule\(s\)$/m);
    expect(eb(["rules", "list"]).out).toBe("no active rules\n");
    // relearn for the following tests
    for (const p of ["/yeet", "/api/items", "/wp-admin", "/trial"]) await edge.get(p);
  });

  it("remove exits 1 when a key is not an active rule, and add refuses bad input with exit 2", () => {
    expect(eb(["rules", "remove", "--backend", "app", "/nope"]).code).toBe(1);
    expect(eb(["rules", "add", "--backend", "app", "--path", "/x", "--status", "302"]).code).toBe(2);
    expect(eb(["rules", "add", "--backend", "nope", "--path", "/x"]).code).toBe(2);
  });

  it("explain says which rule matches and why, agreeing with what HAProxy does", async () => {
    const cases: Array<[string, string, string[], RegExp, number | undefined]> = [
      ["POST", "/api/items", [], /verdict: block 405 \(rule \/api\/items POST\)/, 405],
      ["GET", "/api/items", [], /verdict: pass/, 200],
      ["GET", "//wp-admin/./setup.php", [], /normalises to \/wp-admin\/setup.php[\s\S]*prefix \/wp-admin: rule for any method matches[\s\S]*verdict: block 404 \(rule \^\/wp-admin\)/, 404],
      ["GET", "/trial", [], /the rule is dry-run[\s\S]*verdict: would-block 404/, 404],
      ["GET", "http://example.com/fresh?x=1", ["Host: example.com"], /no rule matches[\s\S]*verdict: pass/, undefined],
    ];
    for (const [method, url, headers, re, httpStatus] of cases) {
      const r = eb(["rules", "explain", method, url, ...headers.flatMap((h) => ["-H", h])]);
      expect(r.code, r.err).toBe(0);
      expect(r.out, `${method} ${url}`).toMatch(re);
      if (httpStatus !== undefined) {
        const p = url.replace(/^https?:\/\/[^/]+/, "");
        expect((await edge.req(method, p)).status, `${method} ${p}`).toBe(httpStatus);
      }
    }
    const j = JSON.parse(eb(["rules", "explain", "GET", "/yeet", "--json"]).out) as { key: string; verdict: string; rule: string; status: number };
    expect(j).toMatchObject({ key: "/yeet", verdict: "block", rule: "/yeet", status: 404 });
  });
});

describe("edgeblock without a YAML file", () => {
  const bare = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args, "--settings", path.join(edge.dir, "edgeblock.settings")], { encoding: "utf8", cwd: os.tmpdir() });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("reads the socket, state folder and rule settings from the edge's own edgeblock.settings", async () => {
    const s = bare(["status"]);
    expect(s.err).toBe("");
    expect(s.out).toMatch(/^backend app: \d+ rules enforced/m);
    expect(bare(["rules", "add", "--backend", "app", "--path", "/no-yaml", "--status", "410"]).code).toBe(0);
    expect(bare(["rules", "list"]).out).toMatch(/^\/no-yaml +410 +operator /m);
    expect((await edge.get("/no-yaml")).status).toBe(410);
    expect(bare(["rules", "remove", "--backend", "app", "/no-yaml"]).code).toBe(0);
  });

  it("validates as a signal is: a status outside rules.allowed_statuses is refused, a TTL above max_ttl is capped", () => {
    const a = bare(["rules", "add", "--backend", "app", "--path", "/x", "--status", "402"]);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/status-not-allowed: status 402 is not in rules.allowed_statuses \(400,401,/);
    const t = bare(["rules", "add", "--backend", "app", "--path", "/x", "--ttl", "99999999"]);
    expect(t.code).toBe(0);
    expect(t.err).toMatch(/--ttl 99999999 capped to rules.max_ttl \(604800 s\)/);
    const x = (JSON.parse(bare(["rules", "list", "--json"]).out) as Array<{ key: string; ttlLeft: number }>).find((r) => r.key === "/x");
    expect(x?.ttlLeft).toBeGreaterThan(604000);
    expect(x?.ttlLeft).toBeLessThanOrEqual(604801);
    expect(bare(["rules", "remove", "--backend", "app", "/x"]).code).toBe(0);
  });
});

describe("edgeblock finds the edge by itself", () => {
  /** The CLI run from `cwd` with no --config and none of the EDGEBLOCK_* variables. */
  const plain = (args: string[], cwd: string) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("EDGEBLOCK_CONFIG") && k !== "EDGEBLOCK_SETTINGS"));
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd, env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("reads ./edgeblock.yaml, then ./haproxy/edgeblock.yaml, and otherwise says in one line how to point it at one", () => {
    expect(plain(["rules", "list"], edge.dir).out).toMatch(/^\/yeet +404 /m);
    const project = mkdtempSync(path.join(os.tmpdir(), "eb-project-"));
    try {
      cpSync(path.join(edge.dir, "edgeblock.yaml"), path.join(project, "haproxy", "edgeblock.yaml"));
      expect(plain(["rules", "list"], project).out).toMatch(/^\/yeet +404 /m);
      rmSync(path.join(project, "haproxy"), { recursive: true });
      const none = plain(["rules", "list"], project);
      expect(none.code).toBe(2);
      expect(none.err).toBe("edgeblock rules: no edgeblock.yaml in ./edgeblock.yaml or ./haproxy/edgeblock.yaml: give --config <edgeblock.yaml> (or set EDGEBLOCK_CONFIG), --settings <edgeblock.settings>, or --socket <admin socket>\n");
      expect(plain(["rules", "explain", "GET", "/yeet"], project).err).toMatch(/^edgeblock rules: this command needs the YAML config: no edgeblock.yaml in .*\n$/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it("works from --socket alone: the settings file HAProxy was started with gives the rule settings and the state folder", async () => {
    const elsewhere = os.tmpdir();
    const s = plain(["status", "--socket", edge.socket], elsewhere);
    expect(s.err).toBe("");
    expect(s.out).toMatch(/^backend app: \d+ rules enforced/m);
    const add = plain(["rules", "add", "--socket", edge.socket, "--backend", "app", "--path", "/by-socket", "--status", "410"], elsewhere);
    expect(add.err).toBe("");
    expect((await edge.get("/by-socket")).status).toBe(410);
    expect(plain(["rules", "remove", "--socket", edge.socket, "--backend", "app", "/by-socket"], elsewhere).code).toBe(0);
    expect(plain(["rules", "list", "--socket", edge.socket], elsewhere).out).not.toMatch(/by-socket/);
  });
});

describe("edgeblock enforce and status", () => {
  it("status shows versions, rule counts, store fill and enforcement; enforce off/on flips it", () => {
    const s = eb(["status"]);
    expect(s.code).toBe(0);
    // the version of the binary under test, whichever it is (EDGEBLOCK_HAPROXY)
    const v = haproxyVersion();
    expect(v).toBeDefined();
    expect(s.out).toMatch(new RegExp(`^edgeblock \\d+\\.\\d+\\.\\d+, HAProxy ${v!.full.replace(/[.+]/g, "\\$&")}$`, "m"));
    expect(s.out).toMatch(/^enforcement: on$/m);
    expect(s.out).toMatch(/^backend app: 4 rules enforced, 1 dry-run; store \d+\/100000 entries \(0\.0% full\)$/m);
    expect(eb(["enforce", "off"]).code).toBe(0);
    const j = JSON.parse(eb(["status", "--json"]).out) as { enforcement: string; haproxy: string; backends: Array<{ store: { capacity: number } }> };
    expect(j.enforcement).toBe("off");
    expect(j.backends[0].store.capacity).toBe(100000);
    expect(eb(["enforce", "on"]).code).toBe(0);
    expect(eb(["status"]).out).toMatch(/^enforcement: on$/m);
    expect(eb(["enforce", "sideways"]).code).toBe(2);
  });
});

describe("edgeblock ui", () => {
  it("serves the read-only rules page on the address given, until stopped", async () => {
    const { freePort, request, waitFor } = await import("../helpers/haproxy");
    const { spawn } = await import("node:child_process");
    const port = await freePort();
    const ui = spawn(process.execPath, [CLI, "ui", "--listen", `127.0.0.1:${port}`, "--config", path.join(edge.dir, "edgeblock.yaml")], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    ui.stdout!.on("data", (d) => (out += d));
    try {
      await waitFor("ui", () => out.includes("rules page on"));
      const r = await request(port, "GET", "/rules.json");
      expect(r.status).toBe(200);
      expect((JSON.parse(r.body) as { rules: Array<{ key: string }> }).rules.map((x) => x.key)).toContain("/yeet");
      expect((await request(port, "POST", "/")).status).toBe(405);
    } finally {
      ui.kill("SIGTERM");
      await new Promise((res) => ui.once("exit", res));
    }
    expect(ui.exitCode).toBe(0);
  });
});

describe("runtime API errors", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "eb-cli-err-"));

  it("a missing socket: exit 5 and what to check", () => {
    const r = eb(["rules", "list", "--socket", path.join(tmp, "nope.sock")]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/no runtime API socket at .*nope\.sock: is HAProxy running with this config/);
  });

  it("HAProxy not running (a stale socket file): exit 5", async () => {
    const stale = path.join(tmp, "stale.sock");
    // bind and exit without unlinking, like a crashed HAProxy leaves its socket behind
    spawnSync("python3", ["-c", `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(stale)})`]);
    const r = eb(["status", "--socket", stale]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/nothing listens on .*stale\.sock: HAProxy is not running/);
  });

  it("permission denied on the socket: exit 5", () => {
    chmodSync(edge.dir, 0o755);
    writeFileSync(path.join(tmp, "cfg-readable"), "");
    // the other user cannot read a checkout in a private folder: it runs a copy of the CLI and its runtime dependencies
    const copy = mkdtempSync(path.join(os.tmpdir(), "eb-cli-copy-"));
    const ROOT = path.resolve(__dirname, "../..");
    for (const p of ["dist", "package.json", ...RUNTIME_DEPS.map((d) => `node_modules/${d}`)]) cpSync(path.join(ROOT, p), path.join(copy, p), { recursive: true });
    spawnSync("chmod", ["-R", "a+rX", copy]);
    const run = spawnSync(process.execPath, [path.join(copy, "dist/node/cli.js"), "rules", "list", "--config", path.join(edge.dir, "edgeblock.yaml")], { encoding: "utf8", uid: 65534, gid: 65534 });
    const r = { code: run.status, err: run.stderr };
    rmSync(copy, { recursive: true, force: true });
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/permission denied on .*admin\.sock: run as the user that owns the socket/);
  });

  it("a socket below the level edgeblock needs: exit 5", () => {
    const r = eb(["enforce", "off", "--socket", path.join(edge.dir, "user.sock")]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/level is too low \(edgeblock needs "level admin"/);
  });

  it("every command has --help, and --help exits 0", () => {
    for (const cmd of [["rules", "list"], ["rules", "explain"], ["enforce"], ["status"], ["ui"], ["render"], ["check"]]) {
      const r = eb([...cmd, "--help"]);
      expect(r.code, cmd.join(" ")).toBe(0);
      expect(r.out).toMatch(/Exit codes/);
    }
  });
});
