/**
 * The API gateway's TLS termination, load balancing, health checks, retries and timeouts, rendered from
 * edgeblock.yaml (listen.tls, backends[].balance, health, retries, redispatch, timeouts, servers[].weight
 * and maxconn), each proven on real HAProxy with real backends on loopback.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as http2 from "node:http2";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeRule } from "../../src/sdk";
import { addRule, StoreLocation } from "../../src/node/rules";
import { Backend, Edge, freePort, request, Response, startBackend, startEdge, stopAll, waitFor } from "../helpers/haproxy";

afterAll(stopAll);

const SIGNAL = { "X-Edge-Resource": "false" };
/** A read-only endpoint: its answers teach the edge to refuse POST. */
const READ_ONLY = { "Edge-Rule": edgeRule({ block: { methods: ["POST"] } }) };

/** One HTTPS request over HTTP/1.1 on a fresh connection (the test certificate is self-signed). */
function httpsGet(port: number, p: string, method = "GET"): Promise<Response & { alpn: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port, path: p, method, rejectUnauthorized: false, agent: false, ALPNProtocols: ["http/1.1"] }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, alpn: (res.socket as tls.TLSSocket).alpnProtocol || "" }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** One request over HTTP/2 (ALPN h2). */
function h2Get(port: number, p: string): Promise<{ status: number; headers: http2.IncomingHttpHeaders; alpn: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    session.on("error", reject);
    const req = session.request({ ":path": p });
    req.on("response", (headers) => {
      req.resume();
      req.on("end", () => {
        const alpn = (session.socket as tls.TLSSocket).alpnProtocol || "";
        session.close();
        resolve({ status: Number(headers[":status"]), headers, alpn });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Per-path hit counts of two backends, as one list of which server answered. */
async function hitsOf(b: Backend, p: string): Promise<number> {
  return (await b.hits())[p] ?? 0;
}

describe("TLS termination (listen.tls)", () => {
  let edge: Edge;
  let backend: Backend;
  let tlsPort: number;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-tls-"));
    const key = path.join(dir, "key.pem");
    const crt = path.join(dir, "crt.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=localhost"], { stdio: "ignore" });
    const site = path.join(dir, "site.pem");
    writeFileSync(site, readFileSync(crt, "utf8") + readFileSync(key, "utf8"), { mode: 0o600 });
    tlsPort = await freePort();
    backend = await startBackend({ "/yolo": { status: 200, body: "yolo" }, "/yeet": { status: 404, headers: SIGNAL } });
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], listenYaml: `tls: { port: ${tlsPort}, cert: ${site}, hsts_max_age: 31536000 }` });
  });

  it("serves the seed flow over HTTPS: learned from the backend's answer, then blocked at the edge, and no signal reaches the client", async () => {
    expect((await httpsGet(tlsPort, "/yolo")).status).toBe(200);
    const first = await httpsGet(tlsPort, "/yeet");
    expect(first.status).toBe(404);
    expect(first.headers["x-edge-resource"]).toBeUndefined();
    const second = await httpsGet(tlsPort, "/yeet");
    expect(second.status).toBe(404);
    expect(await hitsOf(backend, "/yeet")).toBe(1);
  });

  it("offers HTTP/2 and HTTP/1.1 by ALPN", async () => {
    const h2 = await h2Get(tlsPort, "/yolo");
    expect(h2.alpn).toBe("h2");
    expect(h2.status).toBe(200);
    const h1 = await httpsGet(tlsPort, "/yolo");
    expect(h1.alpn).toBe("http/1.1");
  });

  it("redirects plain HTTP with a 308 to the same URL over HTTPS", async () => {
    const r = await request(edge.port, "POST", "/orders?id=7", { host: `shop.example:${edge.port}` });
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe(`https://shop.example:${tlsPort}/orders?id=7`);
    // nothing reached the backend
    expect(await hitsOf(backend, "/orders")).toBe(0);
  });

  it("sends Strict-Transport-Security on every HTTPS answer, edgeblock's own blocks included, and never over plain HTTP", async () => {
    const served = await httpsGet(tlsPort, "/yolo");
    expect(served.headers["strict-transport-security"]).toBe("max-age=31536000");
    const blocked = await httpsGet(tlsPort, "/yeet");
    expect(blocked.status).toBe(404);
    expect(await hitsOf(backend, "/yeet")).toBe(1);
    expect(blocked.headers["strict-transport-security"]).toBe("max-age=31536000");
    const plain = await request(edge.port, "GET", "/yolo");
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
  });

  it("a reload under HTTPS load fails no request, and the new process still blocks", async () => {
    let stop = false;
    const statuses: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) statuses.push((await httpsGet(tlsPort, i % 2 ? "/yolo" : "/yeet")).status);
    })();
    await new Promise((r) => setTimeout(r, 300));
    await edge.reload();
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await loop;
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((s) => s !== 200 && s !== 404)).toEqual([]);
    expect(await hitsOf(backend, "/yeet")).toBe(1);
  });
});

describe("load balancing, health checks, retries and timeouts (backends[])", () => {
  /** Start two backends with the same routes, and an edge whose backend `app` has both as servers. */
  async function pair(routes: Parameters<typeof startBackend>[0], backendYaml: (a: Backend, b: Backend) => string): Promise<{ edge: Edge; a: Backend; b: Backend }> {
    const a = await startBackend(routes);
    const b = await startBackend(routes);
    const edge = await startEdge({ backends: [], backendsYaml: backendYaml(a, b) });
    return { edge, a, b };
  }
  const server = (n: string, be: Backend, extra = "") => `{ name: ${n}, address: 127.0.0.1, port: ${be.port}${extra} }`;

  it("roundrobin spreads requests by server weight, on requests a rule may match as on the others", async () => {
    const { edge, a, b } = await pair({ "/items": { status: 200, headers: READ_ONLY } }, (a, b) => `  - name: app\n    trusted: true\n    servers: [ ${server("s1", a, ", weight: 3")}, ${server("s2", b, ", weight: 1")} ]`);
    for (let i = 0; i < 40; i++) expect((await edge.get("/plain")).status).toBe(200);
    expect([await hitsOf(a, "/plain"), await hitsOf(b, "/plain")]).toEqual([30, 10]);
    // a POST rule on /items makes every GET /items a candidate: it goes through the evaluation backend
    expect((await edge.get("/items")).status).toBe(200);
    expect((await edge.req("POST", "/items")).status).toBe(404);
    for (let i = 0; i < 39; i++) expect((await edge.get("/items")).status).toBe(200);
    const items = [await hitsOf(a, "/items"), await hitsOf(b, "/items")];
    expect(items[0] + items[1]).toBe(40);
    expect(items[0]).toBeGreaterThanOrEqual(27);
    expect(items[0]).toBeLessThanOrEqual(31);
  });

  it("uri balancing keeps each path on one server", async () => {
    const { edge, a, b } = await pair({}, (a, b) => `  - name: app\n    balance: uri\n    servers: [ ${server("s1", a)}, ${server("s2", b)} ]`);
    const paths = ["/p1", "/p2", "/p3", "/p4", "/p5", "/p6"];
    for (let i = 0; i < 3; i++) for (const p of paths) expect((await edge.get(p)).status).toBe(200);
    const ha = await a.hits();
    const hb = await b.hits();
    for (const p of paths) expect([ha[p] ?? 0, hb[p] ?? 0].sort()).toEqual([0, 3]);
    // and the paths do not all land on one server
    expect(paths.some((p) => (ha[p] ?? 0) === 3) && paths.some((p) => (hb[p] ?? 0) === 3)).toBe(true);
  });

  it("leastconn sends new requests to the server with fewer connections", async () => {
    const { edge, a, b } = await pair({ "/slow": { status: 200, delayMs: 1500 } }, (a, b) => `  - name: app\n    balance: leastconn\n    servers: [ ${server("s1", a)}, ${server("s2", b)} ]`);
    const slow = edge.get("/slow");
    await waitFor("the slow request reached a server", async () => (await hitsOf(a, "/slow")) + (await hitsOf(b, "/slow")) === 1);
    const busy = (await hitsOf(a, "/slow")) === 1 ? a : b;
    const idle = busy === a ? b : a;
    for (let i = 0; i < 6; i++) expect((await edge.get("/quick")).status).toBe(200);
    expect(await hitsOf(idle, "/quick")).toBe(6);
    expect(await hitsOf(busy, "/quick")).toBe(0);
    expect((await slow).status).toBe(200);
  });

  it("per-server maxconn queues the excess, and a request that waits longer than timeouts.queue gets a 503", async () => {
    const { edge, a } = await pair({ "/slow": { status: 200, delayMs: 1200 } }, (a) => `  - name: app\n    timeouts: { queue: 300ms }\n    servers: [ ${server("s1", a, ", maxconn: 1")} ]`);
    const started = Date.now();
    const all = await Promise.all([0, 1, 2].map(() => edge.get("/slow")));
    const statuses = all.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 503, 503]);
    expect(await hitsOf(a, "/slow")).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("per-server maxconn holds for requests a rule may match as for the others: they reach the servers, listed once, through a loopback hop", async () => {
    const { edge, a } = await pair(
      { "/slow": { status: 200, delayMs: 1200, headers: READ_ONLY }, "/other": { status: 200, delayMs: 1200 } },
      (a) => `  - name: app\n    trusted: true\n    timeouts: { queue: 300ms }\n    servers: [ ${server("s1", a, ", maxconn: 1")} ]`,
    );
    // the first answer teaches "no POST on /slow": every GET /slow is then a candidate, evaluated in app.edgeblock
    const first = await edge.get("/slow");
    expect(first.status).toBe(200);
    expect(first.headers["edge-rule"]).toBeUndefined();
    expect((await edge.req("POST", "/slow")).status).toBe(404);
    const both = await Promise.all([edge.get("/slow"), new Promise<Response>((r) => setTimeout(() => r(edge.get("/other")), 100))]);
    // one server slot for both paths: the second waits 300 ms in the queue, then 503 (two copies of the server would serve both)
    expect(both.map((r) => r.status)).toEqual([200, 503]);
    expect(both[0].headers["edge-rule"]).toBeUndefined();
    expect(await hitsOf(a, "/other")).toBe(0);
    // the hop carries the rule's signal back like any answer: learned again, stripped, still enforced
    expect((await edge.req("POST", "/slow")).status).toBe(404);
    expect(await hitsOf(a, "/slow")).toBe(2);
  });

  it("the loopback hop keeps the client's address: learning.confirm_clients counts distinct clients behind it", async () => {
    const { edge } = await pair({ "/items": { status: 200, headers: READ_ONLY } }, (a) => `  - name: app\n    trusted: true\n    servers: [ ${server("s1", a, ", maxconn: 10")} ]`);
    await edge.stop();
    const { edge: e2, a } = await pair({ "/items": { status: 200, headers: READ_ONLY } }, (a) => `  - name: app\n    trusted: true\n    servers: [ ${server("s1", a, ", maxconn: 10")} ]\nlearning: { confirm_clients: 2 }`);
    // a DELETE rule makes every GET /items a candidate: its answers come back through the hop
    const loc: StoreLocation = { socket: e2.socket, stateDir: e2.config.state.dir, backends: ["app"] };
    await addRule(loc, { backend: "app", match: { path: "/items", prefix: false, methods: ["DELETE"], query: [] }, status: 405, ttl: 600, reason: "test", dryRun: false, body: "" });
    expect((await e2.req("DELETE", "/items")).status).toBe(405);
    const from = (addr: string) => request(e2.port, "GET", "/items", {}, addr);
    expect((await from("127.0.0.2")).status).toBe(200);
    expect((await from("127.0.0.2")).status).toBe(200);
    expect((await e2.req("POST", "/items")).status).toBe(200);
    expect((await from("127.0.0.3")).status).toBe(200);
    expect((await e2.req("POST", "/items")).status).toBe(404);
    expect(await hitsOf(a, "/items")).toBe(4);
  });

  it("an active health check takes a failing server out, for requests a rule may match too (the evaluation backend follows its state)", async () => {
    const ok = await startBackend({ "/health": { status: 200 }, "/items": { status: 200, headers: READ_ONLY } });
    const sick = await startBackend({ "/health": { status: 503 }, "/items": { status: 200, headers: READ_ONLY } });
    const edge = await startEdge({
      backends: [],
      backendsYaml: `  - name: app\n    trusted: true\n    health: { path: /health, expect_status: 200, inter: 200ms, fall: 1, rise: 1 }\n    servers: [ ${server("ok", ok)}, ${server("sick", sick)} ]`,
    });
    await edge.waitForLog(/app\/sick is DOWN/, 5000);
    await edge.waitForLog(/app\.edgeblock\/sick is DOWN/, 5000);
    for (let i = 0; i < 10; i++) expect((await edge.get("/plain")).status).toBe(200);
    expect(await hitsOf(ok, "/plain")).toBe(10);
    expect(await hitsOf(sick, "/plain")).toBe(0);
    // learn a POST rule: GET /items is then a candidate, evaluated in app.edgeblock
    expect((await edge.get("/items")).status).toBe(200);
    expect((await edge.req("POST", "/items")).status).toBe(404);
    for (let i = 0; i < 10; i++) expect((await edge.get("/items")).status).toBe(200);
    expect(await hitsOf(sick, "/items")).toBe(0);
    expect(await hitsOf(ok, "/items")).toBe(11);
    // the checks run once per server: app.edgeblock's copies track app's and send none of their own
    const checks = (await sick.hits())["/health"] ?? 0;
    await new Promise((r) => setTimeout(r, 1000));
    const rate = ((await sick.hits())["/health"] ?? 0) - checks;
    expect(rate).toBeGreaterThanOrEqual(3);
    expect(rate).toBeLessThanOrEqual(6);
  });

  it("passive checks take a server out after error_limit failed answers on live traffic", async () => {
    const good = await startBackend({ "/health": { status: 200 } });
    const bad = await startBackend({ "/health": { status: 200 }, "/work": { status: 500 } });
    const edge = await startEdge({
      backends: [],
      backendsYaml: `  - name: app\n    health: { path: /health, inter: 30s, error_limit: 3, on_error: mark-down }\n    servers: [ ${server("good", good)}, ${server("bad", bad)} ]`,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await edge.get("/work")).status);
    // roundrobin: the bad server answered 500 until its third error took it out
    expect(statuses.filter((s) => s === 500).length).toBe(3);
    await edge.waitForLog(/app\/bad is DOWN/);
    for (let i = 0; i < 10; i++) expect((await edge.get("/work")).status).toBe(200);
    expect(await hitsOf(bad, "/work")).toBe(3);
  });

  it("retries with redispatch send a request whose server refuses connections to another", async () => {
    const up = await startBackend({});
    const deadPort = await freePort();
    const edge = await startEdge({ backends: [], backendsYaml: `  - name: app\n    retries: 1\n    redispatch: true\n    servers: [ ${server("up", up)}, { name: dead, address: 127.0.0.1, port: ${deadPort} } ]` });
    for (let i = 0; i < 10; i++) expect((await edge.get("/x")).status).toBe(200);
    expect(await hitsOf(up, "/x")).toBe(10);
  });

  it("timeouts.server answers 504 when a server stays silent longer", async () => {
    const { edge } = await pair({ "/slow": { status: 200, delayMs: 1500 } }, (a) => `  - name: app\n    timeouts: { server: 300ms }\n    servers: [ ${server("s1", a)} ]`);
    const started = Date.now();
    expect((await edge.get("/slow")).status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1400);
  });
});
