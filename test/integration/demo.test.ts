/**
 * `npm start`'s launcher on ephemeral ports: the founding flow on the rendered
 * example, a graceful reload on SIGHUP that keeps the rules, and a clean stop.
 */
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, request, waitFor } from "../helpers/haproxy";

const DEMO = path.resolve(__dirname, "../../dist/node/demo.js");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm start (the demo launcher)", () => {
  let demo: ChildProcess | undefined;
  let pids: number[] = [];
  const cleanup: Array<() => void> = [];
  afterAll(async () => {
    // after a failure: ask the launcher to stop its children, then kill whatever of ours is left, by pid
    if (demo?.pid && alive(demo.pid)) process.kill(demo.pid, "SIGTERM");
    await waitFor("demo processes gone", () => [demo?.pid ?? 0, ...pids].every((p) => !p || !alive(p)), 5000).catch(() => undefined);
    for (const p of [demo?.pid ?? 0, ...pids]) if (p && alive(p)) process.kill(p, "SIGKILL");
    for (const c of cleanup) c();
  });

  it("serves the flow, reloads on SIGHUP keeping the rules, and stops both processes on SIGTERM", async () => {
    const [port, demoPort, statsPort] = [await freePort(), await freePort(), await freePort()];
    // its own folder: the demo's rendered files, rules and sockets never land in the checkout
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-demo-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    demo = spawn(process.execPath, [DEMO, "--fresh", "--dir", dir], {
      env: { ...process.env, EDGEBLOCK_PORT: String(port), EDGEBLOCK_DEMO_PORT: String(demoPort), EDGEBLOCK_STATS_PORT: String(statsPort) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    demo.stdout!.on("data", (d) => (out += d));
    demo.stderr!.on("data", (d) => (out += d));
    await waitFor("demo ready", () => out.includes("Try the flow"), 20_000);
    pids = [...out.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(2);
    expect(out).toContain(`curl -i http://127.0.0.1:${port}/yeet`);

    expect((await request(port, "GET", "/yolo")).status).toBe(200);
    const first = await request(port, "GET", "/yeet");
    expect(first.status).toBe(404);
    expect(first.headers["x-edge-resource"]).toBeUndefined();
    expect((await request(port, "GET", "/yeet")).status).toBe(404);
    const hits = JSON.parse((await request(demoPort, "GET", "/__demo/hits")).body) as Record<string, number>;
    expect(hits).toEqual({ "/yolo": 1, "/yeet": 1 });

    process.kill(demo.pid!, "SIGHUP");
    // the new worker says it loaded its rules once (it used to be twice on 2.6: its stderr copy of the log line)
    await waitFor("reload", () => /SIGHUP: reloading HAProxy gracefully[\s\S]*edgeblock: state loaded/.test(out), 20_000);
    expect((await request(port, "GET", "/yeet")).status).toBe(404);
    expect((JSON.parse((await request(demoPort, "GET", "/__demo/hits")).body) as Record<string, number>)["/yeet"]).toBe(1);

    process.kill(demo.pid!, "SIGTERM");
    await new Promise((r) => demo!.once("exit", r));
    expect(demo.exitCode).toBe(0);
    await waitFor("children gone", () => pids.every((p) => !alive(p)), 10_000);
  }, 60_000);
});
