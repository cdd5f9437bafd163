/**
 * The layout the README gives for the official haproxy:3.2 Docker image, without Docker: config, Lua
 * bundle and settings in a read-only folder (the image's /usr/local/etc/haproxy), rule state and
 * sockets in separate writable ones, HAProxy run as the image's user (uid 99), in master-worker
 * foreground mode as the image's entrypoint runs it.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/node/config";
import { haproxyBin } from "../../src/node/haproxy-bin";
import { portOpen } from "../../src/node/ports";
import { renderToDisk } from "../../src/node/render";
import { freePort, request, startBackend, stopAll, waitFor } from "../helpers/haproxy";

const ROOT = path.resolve(__dirname, "../..");
const IMAGE_UID = 99;
const notRoot = typeof process.getuid === "function" && process.getuid() !== 0 ? "running as another user and a read-only bind mount need root" : undefined;

let haproxy: ChildProcess | undefined;
const top = mkdtempSync(path.join(os.tmpdir(), "eb-image-"));
const etc = path.join(top, "etc/haproxy");
afterAll(async () => {
  if (haproxy?.pid && haproxy.exitCode === null) {
    haproxy.kill("SIGTERM");
    await new Promise((r) => haproxy!.once("exit", r));
  }
  spawnSync("umount", [etc]);
  await stopAll();
  rmSync(top, { recursive: true, force: true });
});

describe.skipIf(notRoot !== undefined)(`the container layout${notRoot ? ` (skipped: ${notRoot})` : ""}`, () => {
  it("learns and blocks with config read-only, state and sockets writable, as uid 99, and keeps the rules over a reload", async () => {
    chmodSync(top, 0o755);
    const state = path.join(top, "var/lib/edgeblock");
    const run = path.join(top, "var/run/edgeblock");
    for (const d of [etc, state, run]) mkdirSync(d, { recursive: true });
    for (const d of [path.join(top, "etc"), path.join(top, "var"), path.join(top, "var/lib"), path.join(top, "var/run")]) chmodSync(d, 0o755);
    for (const d of [state, run]) chownSync(d, IMAGE_UID, IMAGE_UID);
    const backend = await startBackend({ "*": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    const port = await freePort();
    const statsPort = await freePort();
    // what an operator renders on the host for the image: absolute container paths stay absolute
    const yaml = [
      `listen: { address: 127.0.0.1, port: ${port} }`,
      `stats: { address: 127.0.0.1, port: ${statsPort} }`,
      `runtime_api: { socket: ${run}/admin.sock }`,
      `lua: { file: blocks.lua }`,
      `state: { dir: ${state} }`,
      `backends:`,
      `  - { name: app, trusted: true, servers: [ { name: s1, address: 127.0.0.1, port: ${backend.port} } ] }`,
    ].join("\n");
    copyFileSync(path.join(ROOT, "lua-out/blocks.lua"), path.join(etc, "blocks.lua"));
    writeFileSync(path.join(etc, "edgeblock.yaml"), yaml);
    const rendered = renderToDisk(parseConfig(yaml, path.join(etc, "edgeblock.yaml")), { outDir: etc });
    expect(rendered.settings).toContain(`state_dir ${state}\n`);
    expect(rendered.settings).toContain(`runtime_api unix@${run}/admin.sock\n`);
    for (const f of readdirSync(etc)) chmodSync(path.join(etc, f), 0o644);
    chmodSync(etc, 0o755);
    // the image mounts the config read-only
    expect(spawnSync("mount", ["--bind", etc, etc]).status).toBe(0);
    expect(spawnSync("mount", ["-o", "remount,ro,bind", etc]).status).toBe(0);
    let log = "";
    haproxy = spawn(haproxyBin(), ["-W", "-db", "-S", `unix@${run}/master.sock`, "-f", path.join(etc, "haproxy.cfg")], { cwd: etc, uid: IMAGE_UID, gid: IMAGE_UID, stdio: ["ignore", "pipe", "pipe"] });
    haproxy.stdout!.on("data", (d) => (log += d));
    haproxy.stderr!.on("data", (d) => (log += d));
    await waitFor(`haproxy on ${port}`, async () => haproxy!.exitCode !== null || ((await portOpen(port)) && /edgeblock: state loaded/.test(log)), 15_000);
    expect(haproxy.exitCode, log).toBeNull();
    expect((await request(port, "GET", "/in-a-box")).status).toBe(404);
    expect((await request(port, "GET", "/in-a-box")).status).toBe(404);
    expect((await backend.hits())["/in-a-box"]).toBe(1);
    process.kill(haproxy.pid!, "SIGUSR2");
    await waitFor("the new worker", () => (log.match(/edgeblock: state loaded/g) ?? []).length >= 2, 15_000);
    expect((await request(port, "GET", "/in-a-box")).status).toBe(404);
    expect((await backend.hits())["/in-a-box"]).toBe(1);
    expect(log).not.toMatch(/cannot be written|journal not written|\[ALERT\].*edgeblock/);
  }, 60_000);
});
