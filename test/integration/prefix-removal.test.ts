/**
 * Removing a prefix rule nested in a live shorter one: the shorter prefix covers the lifted paths
 * again (the lifted prefix's map entry would otherwise stay the longest match and let them through).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const CLI = path.resolve(__dirname, "../../dist/node/cli.js");
let backend: Backend;
let edge: Edge;

beforeAll(async () => {
  backend = await startBackend({
    "*": { status: 404 },
    "/teach/pp": { status: 404, headers: { "Edge-Rule": 'block;path="/pp";prefix;methods=*;status=403' } },
    "/teach/pp-sub": { status: 404, headers: { "Edge-Rule": 'block;path="/pp/sub";prefix;methods=*;status=410' } },
    "/lift/pp-sub": { status: 200, headers: { "Edge-Rule": 'remove;path="/pp/sub";prefix' } },
    "/teach/qq": { status: 404, headers: { "Edge-Rule": 'block;path="/qq";prefix;methods=*;status=403' } },
    "/teach/qq-sub": { status: 404, headers: { "Edge-Rule": 'block;path="/qq/sub";prefix;methods=*;status=410' } },
  });
  edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
});
afterAll(async () => {
  await edge?.stop();
  await stopAll();
});

describe("a lifted prefix rule nested in a live one", () => {
  it("a remove signal: the shorter prefix blocks the lifted prefix's paths again", async () => {
    for (const p of ["/teach/pp", "/teach/pp-sub"]) await edge.get(p);
    expect((await edge.get("/pp/sub/x")).status).toBe(410);
    expect((await edge.get("/lift/pp-sub")).status).toBe(200);
    const before = (await backend.hits())["/pp/sub/y"] ?? 0;
    expect((await edge.get("/pp/sub/y")).status).toBe(403);
    expect((await backend.hits())["/pp/sub/y"] ?? 0).toBe(before);
  });

  it("edgeblock rules remove: the same", async () => {
    for (const p of ["/teach/qq", "/teach/qq-sub"]) await edge.get(p);
    expect((await edge.get("/qq/sub/x")).status).toBe(410);
    const r = spawnSync(process.execPath, [CLI, "rules", "remove", "--backend", "app", "^/qq/sub", "--config", path.join(edge.dir, "edgeblock.yaml")], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect((await edge.get("/qq/sub/y")).status).toBe(403);
  });
});
