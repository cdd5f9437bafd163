/**
 * Verify that a settings file blocks.lua cannot load is a loud startup error on real HAProxy: the
 * start (or `haproxy -c`) fails naming the file, the line and the key, and a reload onto it keeps the
 * running worker and its rules. No request is ever held for a loader that does not exist.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { haproxyBin } from "../../src/node/haproxy-bin";
import { Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

let edge: Edge | undefined;
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
});
afterAll(stopAll);

describe("settings that cannot be loaded", () => {
  it("fail the config check and a reload with the file, line and key named; the running worker keeps its rules", async () => {
    const backend = await startBackend({ "*": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    await edge.get("/yeet");
    const before = (await backend.hits())["/yeet"];
    const settings = path.join(edge.dir, "edgeblock.settings");
    const good = readFileSync(settings, "utf8");
    appendFileSync(settings, "frobnicate on\n");
    const line = good.split("\n").length;
    const check = spawnSync(haproxyBin(), ["-c", "-f", "haproxy.cfg"], { cwd: edge.dir, encoding: "utf8" });
    expect(check.status).not.toBe(0);
    expect(`${check.stdout}${check.stderr}`).toMatch(new RegExp(`settings file edgeblock\\.settings: settings line ${line} \\(frobnicate\\): unknown setting`));
    // a reload onto it fails, loudly; the worker that runs keeps serving and blocking
    const logged = edge.count(/settings line \d+ \(frobnicate\)/);
    process.kill(edge.pid, "SIGUSR2");
    await edge.waitForLog(/settings line \d+ \(frobnicate\): unknown setting/, 10_000);
    expect(edge.count(/settings line \d+ \(frobnicate\)/)).toBeGreaterThan(logged);
    const t0 = Date.now();
    expect((await edge.get("/yeet")).status).toBe(404);
    expect((await edge.get("/yolo")).status).toBe(404);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await backend.hits())["/yeet"]).toBe(before);
    writeFileSync(settings, good);
  });
});
