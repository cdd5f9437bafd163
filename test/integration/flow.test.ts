/**
 * The founding flow, on a real HAProxy, in both Lua load modes:
 * /yolo passes, /yeet teaches the edge, the next /yeet never reaches the backend.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const ROUTES = {
  "/yolo": { status: 200, body: "yolo\n" },
  "/yeet": { status: 404, headers: { "X-Edge-Resource": "false" }, body: "no yeet\n" },
  "/gone": { status: 410, headers: { "X-Edge-Resource": "false-410" } },
  "/legal": { status: 451, headers: { "X-Edge-Resource": "false-451" } },
  "/exists": { status: 200, headers: { "X-Edge-Resource": "true" } },
  "/plain404": { status: 404 },
  "/odd": { status: 404, headers: { "X-Edge-Resource": "maybe" } },
  "/bad-status": { status: 404, headers: { "X-Edge-Resource": "false-4x4" } },
  "/status-200": { status: 404, headers: { "X-Edge-Resource": "false-200" } },
  "/twice": { status: 404, headers: { "X-Edge-Resource": ["false", "false-410"] } },
  "/huge": { status: 404, headers: { "X-Edge-Resource": "false-" + "4".repeat(2000) } },
};

const MODES = [
  { name: "lua-load, 1 thread", luaLoad: "shared" as const, threads: 1 },
  { name: "lua-load-per-thread, nbthread 2", luaLoad: "per-thread" as const, threads: 2 },
];

describe.each(MODES)("flow on real HAProxy ($name)", (mode) => {
  let backend: Backend;
  let edge: Edge;

  beforeAll(async () => {
    backend = await startBackend(ROUTES);
    edge = await startEdge({
      backends: [{ name: "app", port: backend.port }],
      luaLoad: mode.luaLoad,
      threads: mode.threads,
      staticMap: "/static-default\n/static-403 403\n",
    });
  });
  afterAll(async () => {
    await edge?.stop();
    await stopAll();
  });

  it("serves /yolo from the backend", async () => {
    const r = await edge.get("/yolo");
    expect(r.status).toBe(200);
    expect(r.body).toBe("yolo\n");
  });

  it("passes the backend's 404 for /yeet without the signal header, then answers /yeet itself", async () => {
    const first = await edge.get("/yeet");
    expect(first.status).toBe(404);
    expect(first.body).toBe("no yeet\n");
    expect(first.headers["x-edge-resource"]).toBeUndefined();
    expect((await backend.hits())["/yeet"]).toBe(1);

    const second = await edge.get("/yeet");
    expect(second.status).toBe(404);
    expect(second.body).not.toBe("no yeet\n");
    expect((await backend.hits())["/yeet"]).toBe(1);
  });

  it("answers later matches with the status of false-<status>, including statuses deny_status refuses", async () => {
    await edge.get("/gone");
    await edge.get("/legal");
    expect((await edge.get("/gone")).status).toBe(410);
    expect((await edge.get("/legal")).status).toBe(451);
    const hits = await backend.hits();
    expect(hits["/gone"]).toBe(1);
    expect(hits["/legal"]).toBe(1);
  });

  it("learns nothing from a response without the header, or with `true`", async () => {
    for (const p of ["/plain404", "/exists"]) {
      await edge.get(p);
      await edge.get(p);
      expect((await backend.hits())[p]).toBe(2);
    }
  });

  it("learns nothing from malformed values, logs why, and raises no Lua error", async () => {
    for (const p of ["/odd", "/bad-status", "/status-200", "/twice", "/huge"]) {
      const r = await edge.get(p);
      expect(r.headers["x-edge-resource"]).toBeUndefined();
      await edge.get(p);
      expect((await backend.hits())[p], p).toBe(2);
    }
    await edge.waitForLog(/signal rejected reason=malformed backend=app path=\/odd/);
    await edge.waitForLog(/signal rejected reason=malformed backend=app path=\/bad-status/);
    await edge.waitForLog(/signal rejected reason=status-not-allowed backend=app path=\/status-200/);
    await edge.waitForLog(/signal rejected reason=duplicate backend=app path=\/twice/);
    await edge.waitForLog(/signal rejected reason=oversized backend=app path=\/huge/);
    const counters = await edge.counters();
    expect(counters["signal:rejected:malformed"]).toBe(4);
    expect(counters["signal:rejected:status-not-allowed"]).toBe(2);
    expect(counters["signal:rejected:duplicate"]).toBe(2);
    expect(counters["signal:learned:edge-resource"]).toBe(3);
  });

  it("blocks paths listed in the static map from startup, with their status or the default", async () => {
    const a = await edge.get("/static-default");
    const b = await edge.get("/static-403");
    expect(a.status).toBe(404);
    expect(b.status).toBe(403);
    const hits = await backend.hits();
    expect(hits["/static-default"]).toBeUndefined();
    expect(hits["/static-403"]).toBeUndefined();
  });

  it("logged no Lua runtime error", () => {
    expect(edge.luaErrors()).toEqual([]);
  });
});
