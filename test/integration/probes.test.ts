/**
 * Revalidation probes (backends[].probe, issue 14): blocked requests now and then queue their rule, and
 * blocks.lua re-asks the backend at a bounded rate, with nothing of any client's; the answer keeps, lifts
 * or leaves the rule. Real HAProxy, with a backend in this process that records every probe.
 */
import * as http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { listRules } from "../../src/node/rules";
import { blockRecords } from "../../src/core/store-records";
import { recordCommand } from "../../src/core/journal";
import { App } from "../helpers/app";
import { Edge, startEdge, stopAll, waitFor } from "../helpers/haproxy";

afterAll(stopAll);

/** A deployable app: `/orders` and `/m/<n>` are missing (404 with a signal) until `deployed`; it records probes. */
class TestApp extends App {
  deployed = false;
  probes: http.IncomingHttpHeaders[] = [];
  probePaths: string[] = [];
  protected answer(req: http.IncomingMessage, res: http.ServerResponse, p: string): void {
    if (req.headers["edge-probe"] !== undefined) {
      this.probes.push(req.headers);
      this.probePaths.push(`${req.method} ${p}`);
    }
    if (!this.deployed && (p === "/orders" || p.startsWith("/m/"))) res.writeHead(404, { "x-edge-resource": "false" });
    else res.writeHead(200);
    res.end(p);
  }
}

async function setup(rate: number, every: number): Promise<{ app: TestApp; edge: Edge; loc: { socket: string; stateDir: string; backends: string[] } }> {
  const app = new TestApp();
  const port = await app.start();
  const edge = await startEdge({ backends: [], backendsYaml: `  - { name: app, trusted: true, probe: { rate: ${rate}, every: ${every} }, servers: [ { name: s1, port: ${port} } ] }` });
  return { app, edge, loc: { socket: edge.socket, stateDir: edge.config.state.dir, backends: ["app"] } };
}

describe("revalidation probes", () => {
  it("a rule the backend still confirms stays; once it no longer does, the next probe lifts it", async () => {
    const { app, edge, loc } = await setup(10, 10);
    expect((await edge.get("/orders")).status).toBe(404);
    expect((await edge.get("/orders", { cookie: "session=secret", authorization: "Bearer client-token", "x-forwarded-for": "10.1.2.3" })).status).toBe(404);
    await waitFor("a probe", () => app.probes.length >= 1, 3000);
    expect(app.probePaths[0]).toBe("GET /orders");
    await edge.waitForLog(/probe: rule confirmed backend=app key=\/orders/);
    expect((await listRules(loc)).some((r) => r.key === "/orders")).toBe(true);
    // nothing of the client's: no cookie, no credentials, no forwarded address
    for (const h of app.probes) {
      expect(h.cookie).toBeUndefined();
      expect(h.authorization).toBeUndefined();
      expect(h["x-forwarded-for"]).toBeUndefined();
    }
    // the deploy: /orders exists; once `every` (10 s) has passed, the next sampled block (one in 16) queues a probe, which lifts the rule
    app.deployed = true;
    await new Promise((r) => setTimeout(r, 10_500));
    for (let i = 0; i < 16; i++) expect((await edge.get("/orders")).status).toBe(404);
    await edge.waitForLog(/probe: rule lifted, the backend no longer confirms it backend=app key=\/orders/, 3000);
    expect((await edge.get("/orders")).status).toBe(200);
    expect(app.probes.length).toBe(2);
  }, 30_000);

  it("a backend that is down during a probe keeps the rule and counts the failure", async () => {
    const { app, edge, loc } = await setup(10, 10);
    expect((await edge.get("/orders")).status).toBe(404);
    await app.stop();
    expect((await edge.get("/orders")).status).toBe(404);
    await edge.waitForLog(/probe: no answer, rule kept backend=app key=\/orders/, 8000);
    expect((await listRules(loc)).some((r) => r.key === "/orders")).toBe(true);
    expect((await edge.counters()).probes_failed).toBe(1);
  }, 20_000);

  it("with 10,000 rules blocking, probes stay within their rate", async () => {
    const { app, edge } = await setup(5, 3600);
    const now = Math.floor(Date.now() / 1000);
    const none = { liveness: () => 0, specs: () => undefined, hasMapKey: () => true };
    const rules = Array.from({ length: 10_000 }, (_, i) => ({ match: { path: `/m/${i}`, prefix: false, methods: [], query: [] }, status: 404, body: "", ttl: 3600, reason: "bench", dryRun: false }));
    const cmds = blockRecords("app", rules, now, 0, none).filter((r) => r.kind === "table").map((r) => recordCommand(r)!);
    // batches well under a request buffer (3.x refuses a longer command line)
    for (let i = 0; i < cmds.length; i += 50) await edge.cli(cmds.slice(i, i + 50).join(";"));
    expect((await listRules({ socket: edge.socket, stateDir: edge.config.state.dir, backends: ["app"] })).length).toBe(10_000);
    // 400 distinct rules block at once: each queues a probe
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 400 }, (_, i) => edge.get(`/m/${i}`)));
    await new Promise((r) => setTimeout(r, 3000));
    const seconds = (Date.now() - t0) / 1000;
    expect(app.probes.length).toBeGreaterThanOrEqual(5);
    expect(app.probes.length).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 1);
  }, 60_000);
});
