/**
 * Deploy generations (issue 14): a backend names its generation in Edge-Generation, or the CLI sets it; a
 * generation never seen retires the rules created before it (on_new_generation: drop or dry-run), within
 * one request and with no reload, and a rolling deploy's old servers do not switch it back. Real HAProxy,
 * with a backend in this process whose deploys the test makes.
 */
import * as http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { listRules, setGeneration, StoreLocation } from "../../src/node/rules";
import { App } from "../helpers/app";
import { Edge, request, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

/** A deployable app: `/orders` does not exist until a deploy adds it; every answer names the generation. */
class TestApp extends App {
  generation = "v1";
  ordersExist = false;
  protected answer(_req: http.IncomingMessage, res: http.ServerResponse, p: string): void {
    const headers: Record<string, string> = { "edge-generation": this.generation };
    if (p === "/orders" && !this.ordersExist) res.writeHead(404, { ...headers, "x-edge-resource": "false" });
    else if (p === "/gone") res.writeHead(410, { ...headers, "x-edge-resource": "false-410" });
    else res.writeHead(200, headers);
    res.end(`${p} ${this.generation}\n`);
  }
}

async function setup(mode: "drop" | "dry-run", trusted = true): Promise<{ app: TestApp; edge: Edge; loc: StoreLocation }> {
  const app = new TestApp();
  const port = await app.start();
  const edge = await startEdge({
    backends: [],
    backendsYaml: `  - { name: app, trusted: ${trusted}, on_new_generation: ${mode}, servers: [ { name: s1, port: ${port} } ] }`,
  });
  return { app, edge, loc: { socket: edge.socket, stateDir: edge.config.state.dir, backends: ["app"] } };
}

describe("deploy generations", () => {
  it("drop: a path the backend starts serving is unblocked by the first response of the new generation; the rule is listed stale", async () => {
    const { app, edge, loc } = await setup("drop");
    expect((await edge.get("/orders")).status).toBe(404);
    expect((await edge.get("/orders")).status).toBe(404);
    expect(app.hits["/orders"]).toBe(1);
    // the deploy: /orders exists now, and every answer says v2
    app.generation = "v2";
    app.ordersExist = true;
    const first = await edge.get("/home");
    expect(first.headers["edge-generation"]).toBeUndefined();
    const t0 = Date.now();
    const r = await edge.get("/orders");
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(app.hits["/orders"]).toBe(2);
    expect((await listRules(loc)).find((x) => x.key === "/orders")?.stale).toBe(true);
    await edge.waitForLog(/generation changed backend=app token=v2/);
  });

  it("a rule the backend still confirms under the new generation blocks again, and an old server of a rolling deploy does not switch back", async () => {
    const { app, edge } = await setup("drop");
    expect((await edge.get("/gone")).status).toBe(410);
    expect((await edge.get("/gone")).status).toBe(410);
    expect(app.hits["/gone"]).toBe(1);
    app.generation = "v2";
    await edge.get("/home");
    // stale now: the request goes to the backend, whose answer teaches the rule again under v2
    expect((await edge.get("/gone")).status).toBe(410);
    expect(app.hits["/gone"]).toBe(2);
    expect((await edge.get("/gone")).status).toBe(410);
    expect(app.hits["/gone"]).toBe(2);
    // a server still on v1 answers: v1 is known, nothing changes
    app.generation = "v1";
    await edge.get("/home");
    expect((await edge.get("/gone")).status).toBe(410);
    expect(app.hits["/gone"]).toBe(2);
    expect(edge.count(/generation changed/)).toBe(2);
  });

  it("during a rolling deploy, a server still on the old generation cannot make a retired rule current again", async () => {
    const { app, edge, loc } = await setup("drop");
    expect((await edge.get("/orders")).status).toBe(404);
    app.generation = "v2";
    await edge.get("/home");
    // past the switch second: the old server answers /orders (404, its signal, v1)
    await new Promise((r) => setTimeout(r, 2100));
    app.generation = "v1";
    expect((await edge.get("/orders")).status).toBe(404);
    expect(app.hits["/orders"]).toBe(2);
    expect((await listRules(loc)).find((x) => x.key === "/orders")?.stale).toBe(true);
    // the new server has /orders: it is asked, not blocked by the old server's teaching
    app.generation = "v2";
    app.ordersExist = true;
    expect((await edge.get("/orders")).status).toBe(200);
    expect(app.hits["/orders"]).toBe(3);
  });

  it("dry-run: stale rules only would-block until a signal under the new generation confirms them", async () => {
    const { app, edge } = await setup("dry-run");
    expect((await edge.get("/orders")).status).toBe(404);
    expect((await edge.get("/orders")).status).toBe(404);
    expect(app.hits["/orders"]).toBe(1);
    app.generation = "v2";
    await edge.get("/home");
    // still missing under v2: the stale rule lets it through (would-block), and the answer confirms it
    expect((await edge.get("/orders")).status).toBe(404);
    expect(app.hits["/orders"]).toBe(2);
    await edge.waitForLog(/eb_would_block=404/);
    expect((await edge.get("/orders")).status).toBe(404);
    expect(app.hits["/orders"]).toBe(2);
  });

  it("edgeblock generation set retires the rules at once, and the generation survives a restart", async () => {
    const { app, edge, loc } = await setup("drop");
    expect((await edge.get("/orders")).status).toBe(404);
    app.ordersExist = true;
    expect((await edge.get("/orders")).status).toBe(404);
    expect(app.hits["/orders"]).toBe(1);
    await setGeneration(loc, "app", "release-42");
    expect((await edge.get("/orders")).status).toBe(200);
    await edge.restart();
    // the rule is still stored (its TTL runs), and still stale after the restart
    expect((await listRules(loc)).find((x) => x.key === "/orders")?.stale).toBe(true);
    expect((await edge.get("/orders")).status).toBe(200);
  });

  it("a malformed token changes nothing and runs no Lua", async () => {
    const { app, edge } = await setup("drop");
    expect((await edge.get("/orders")).status).toBe(404);
    app.generation = "v2 with spaces";
    await edge.get("/home");
    app.generation = "x".repeat(65);
    await edge.get("/home");
    expect((await edge.get("/orders")).status).toBe(404);
    expect(app.hits["/orders"]).toBe(1);
    expect(edge.count(/generation (changed|refused)/)).toBe(1);
  });

  it("an untrusted backend's generation changes nothing, and no client ever sees the header", async () => {
    const { app, edge } = await setup("drop", false);
    const r = await request(edge.port, "GET", "/home", { "edge-generation": "forged" });
    expect(r.status).toBe(200);
    expect(r.headers["edge-generation"]).toBeUndefined();
    expect(edge.count(/generation changed/)).toBe(0);
    expect(await edge.cli("show map eb_generations.map")).not.toMatch(/app/);
  });
});
