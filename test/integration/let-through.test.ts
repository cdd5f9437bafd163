/**
 * Revalidation by real traffic (backends[].let_through, issue 14): one in N requests a learned rule
 * matches goes on to the backend, whose answer keeps the rule (it teaches it again), lifts it (an answer
 * below 500 without it), or leaves it (the backend is down). With and without the loopback hop.
 */
import * as http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { listRules } from "../../src/node/rules";
import { App } from "../helpers/app";
import { startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

/** A backend the test deploys: /orders is missing (404 with a signal) until `deployed`; /gone always is. */
class TestApp extends App {
  deployed = false;
  /** After a deploy: answers carry a signal for another path, and the edge's own hop header (a server must not speak for the edge). */
  noisy = false;
  protected answer(req: http.IncomingMessage, res: http.ServerResponse, p: string): void {
    const extra: Record<string, string> = this.noisy ? { "edge-rule": 'block;path="/retired";status=410', "x-edgeblock-taught": "/orders" } : {};
    // auth before routing, and CORS preflights: answers that say nothing about the path
    if (req.headers.authorization === undefined && req.headers["x-auth-first"] !== undefined) res.writeHead(401, extra);
    else if (req.method === "OPTIONS") res.writeHead(204, extra);
    else if ((p === "/orders" && !this.deployed) || p === "/gone") res.writeHead(404, { "x-edge-resource": "false" });
    else res.writeHead(200, extra);
    res.end(p);
  }
}

describe.each([
  { name: "servers listed in both backends", extra: "" },
  { name: "the loopback hop (maxconn)", extra: ", maxconn: 10" },
])("let-through ($name)", ({ extra }) => {
  async function setup(n: number) {
    const app = new TestApp();
    const port = await app.start();
    const edge = await startEdge({ backends: [], backendsYaml: `  - { name: app, trusted: true, let_through: ${n}, servers: [ { name: s1, port: ${port}${extra} } ] }` });
    return { app, edge, loc: { socket: edge.socket, stateDir: edge.config.state.dir, backends: ["app"] } };
  }

  it("one in N matches reaches the backend; a rule it still teaches stays", async () => {
    const { app, edge, loc } = await setup(3);
    expect((await edge.get("/gone")).status).toBe(404);
    for (let i = 0; i < 6; i++) expect((await edge.get("/gone")).status).toBe(404);
    // the learning request, then matches 3 and 6
    expect(app.hits["/gone"]).toBe(3);
    expect((await listRules(loc)).some((r) => r.key === "/gone")).toBe(true);
    expect((await edge.counters()).revalidations_confirmed).toBe(2);
  });

  it("a rule the backend no longer confirms is lifted by the request let through", async () => {
    const { app, edge, loc } = await setup(2);
    expect((await edge.get("/orders")).status).toBe(404);
    expect((await edge.get("/orders")).status).toBe(404);
    expect(app.hits["/orders"]).toBe(1);
    app.deployed = true;
    // the second match goes through, gets a 200, and the rule goes
    expect((await edge.get("/orders")).status).toBe(200);
    await edge.waitForLog(/rule lifted: the backend no longer confirms it backend=app key=\/orders/);
    expect((await listRules(loc)).some((r) => r.key === "/orders")).toBe(false);
    for (let i = 0; i < 3; i++) expect((await edge.get("/orders")).status).toBe(200);
    expect(app.hits["/orders"]).toBe(5);
  });

  it("a client cannot pick the answer that lifts a rule: a 401, a 204 to OPTIONS, a request with credentials keep it", async () => {
    const { app, edge, loc } = await setup(2);
    expect((await edge.get("/orders")).status).toBe(404);
    app.deployed = true;
    const alive = async () => (await listRules(loc)).some((r) => r.key === "/orders");
    // each second match goes through; none of these answers says the path works for a plain GET
    for (const [method, headers] of [["GET", { "x-auth-first": "1" }], ["OPTIONS", {}], ["GET", { cookie: "s=1" }], ["GET", { authorization: "Bearer x" }]] as const) {
      await edge.req(method, "/orders", headers);
      await edge.req(method, "/orders", headers);
      expect(await alive(), `${method} ${JSON.stringify(headers)}`).toBe(true);
    }
    expect((await edge.counters()).revalidations_inconclusive).toBe(4);
  });

  it("an answer that teaches another rule, or carries the edge's own header, does not confirm this one; the header never reaches a client", async () => {
    const { app, edge, loc } = await setup(2);
    expect((await edge.get("/orders")).status).toBe(404);
    app.deployed = true;
    app.noisy = true;
    const plain = await edge.get("/home");
    expect(plain.headers["x-edgeblock-taught"]).toBeUndefined();
    expect((await edge.get("/orders")).status).toBe(404);
    const through = await edge.get("/orders");
    expect(through.status).toBe(200);
    expect(through.headers["x-edgeblock-taught"]).toBeUndefined();
    await edge.waitForLog(/rule lifted: the backend no longer confirms it backend=app key=\/orders/);
    expect((await listRules(loc)).some((r) => r.key === "/orders")).toBe(false);
    expect((await edge.get("/orders")).status).toBe(200);
  });

  it("a let-through request to a backend that is down keeps the rule and counts the failure", async () => {
    const { app, edge, loc } = await setup(2);
    expect((await edge.get("/gone")).status).toBe(404);
    expect((await edge.get("/gone")).status).toBe(404);
    await app.stop();
    expect((await edge.get("/gone")).status).toBeGreaterThanOrEqual(500);
    expect((await listRules(loc)).some((r) => r.key === "/gone")).toBe(true);
    expect((await edge.get("/gone")).status).toBe(404);
    expect((await edge.counters()).revalidations_failed).toBe(1);
  });
});
