/**
 * The README's "add edgeblock to your own haproxy.cfg" steps, followed to the letter: its shell
 * commands, its global lines, its frontend and backend lines behind a user's own bind and defaults,
 * its start command, a reload, and its CLI line. Only `<edgeblock>` and the ports are filled in.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { haproxyBin } from "../../src/node/haproxy-bin";
import { freePort, request, startBackend, stopAll, waitFor } from "../helpers/haproxy";
import { portOpen } from "../../src/node/ports";

const ROOT = path.resolve(__dirname, "../..");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The fenced block between `<!-- <name>:start ... -->` and `<!-- <name>:end -->`, unindented. */
function block(name: string): string {
  const m = new RegExp(`<!-- ${name}:start[^>]*-->\\n( *)\`\`\`\\w*\\n([\\s\\S]*?)\\n *\`\`\`\\n *<!-- ${name}:end -->`).exec(README);
  if (!m) throw new Error(`README.md has no ${name} block`);
  return m[2].split("\n").map((l) => l.slice(m[1].length)).join("\n");
}

let haproxy: ChildProcess | undefined;
const dir = mkdtempSync(path.join(os.tmpdir(), "eb-dropin-"));
afterAll(async () => {
  if (haproxy?.pid && haproxy.exitCode === null) {
    haproxy.kill("SIGTERM");
    await new Promise((r) => haproxy!.once("exit", r));
  }
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("the README drop-in, followed to the letter", () => {
  it("serves the flow on two backends, routes on the normalised path, survives a reload, and the CLI needs no YAML", async () => {
    const sh = (cmd: string) => {
      const r = spawnSync("sh", ["-ec", cmd], { cwd: dir, encoding: "utf8" });
      expect(r.status, `${cmd}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    sh(block("dropin-setup").replaceAll("<edgeblock>", ROOT));
    const app = await startBackend({ "/yolo": { status: 200, body: "yolo\n" }, "*": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    const port = await freePort();
    // the user's own config: their defaults and bind line, then the README's lines
    const cfg = [
      block("dropin-global"),
      "",
      "defaults\n  mode http\n  log global\n  option httplog\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s",
      "",
      block("dropin").replace("frontend edge\n  # (bind lines)\n", `frontend edge\n  bind 127.0.0.1:${port}\n`),
      "",
    ].join("\n");
    writeFileSync(path.join(dir, "haproxy.cfg"), cfg);
    const env = { ...process.env, EDGEBLOCK_PORT: String(port), EDGEBLOCK_DEMO_PORT: String(app.port) };
    const [cmd, ...args] = block("dropin-start").trim().split(/\s+/);
    expect(cmd).toBe("haproxy");
    let log = "";
    haproxy = spawn(haproxyBin(), [...args, "-db"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    haproxy.stdout!.on("data", (d) => (log += d));
    haproxy.stderr!.on("data", (d) => (log += d));
    await waitFor(`haproxy on ${port}\n${log}`, async () => haproxy!.exitCode !== null || ((await portOpen(port)) && /edgeblock: state loaded/.test(log)), 15_000);
    expect(haproxy.exitCode, log).toBeNull();

    // the flow, on app and on api (routed by the normalised path)
    expect((await request(port, "GET", "/yolo")).status).toBe(200);
    for (const p of ["/yeet", "/api/nothing"]) {
      expect((await request(port, "GET", p)).status).toBe(404);
      const before = (await app.hits())[p];
      expect((await request(port, "GET", p)).status).toBe(404);
      expect((await app.hits())[p]).toBe(before);
    }
    expect((await request(port, "GET", "//api/./nothing")).status).toBe(404);
    expect((await app.hits())["//api/./nothing"] ?? 0).toBe(0);

    // a reload keeps the rules (state/ holds them)
    process.kill(haproxy.pid!, "SIGUSR2");
    await waitFor("a second 'state loaded'", () => (log.match(/edgeblock: state loaded/g) ?? []).length >= 2, 15_000);
    const before = (await app.hits())["/yeet"];
    expect((await request(port, "GET", "/yeet")).status).toBe(404);
    expect((await app.hits())["/yeet"]).toBe(before);

    // the CLI line as written, from the folder of the config
    const cli = block("dropin-cli").trim().replace(/^npx edgeblock/, `${process.execPath} ${path.join(ROOT, "dist/node/cli.js")}`);
    const out = sh(cli);
    expect(out).toMatch(/^backend app: 1 rules enforced/m);
    expect(out).toMatch(/^backend api: 1 rules enforced/m);
    expect(log).not.toMatch(/state folder cannot be written|journal not written|\[ALERT\].*edgeblock/);
  }, 60_000);
});
