/**
 * The response cache (cache.*, backends[].cache): answers served from HAProxy's cache with X-Cache-Status,
 * ordered so that a cached answer never replays a signal or feeds the confirmation threshold, and a
 * request a rule blocks never gets a cached answer. Real HAProxy.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { addRule, StoreLocation } from "../../src/node/rules";
import { edgeRule } from "../../src/sdk";
import { request, startBackend, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

const CACHEABLE = { "cache-control": "max-age=60" };

describe("the response cache", () => {
  it("serves a cacheable answer from the cache with X-Cache-Status: the backend sees it once", async () => {
    const backend = await startBackend({ "/catalog": { status: 200, headers: CACHEABLE, body: "items" } });
    const edge = await startEdge({ backends: [], backendsYaml: `  - { name: app, cache: true, servers: [ { name: s1, port: ${backend.port} } ] }` });
    const first = await edge.get("/catalog");
    expect(first.headers["x-cache-status"]).toBe("MISS");
    const second = await edge.get("/catalog");
    expect(second.status).toBe(200);
    expect(second.body).toBe("items");
    expect(second.headers["x-cache-status"]).toBe("HIT");
    expect((await backend.hits())["/catalog"]).toBe(1);
  });

  it("a cached answer never carries a signal nor counts toward learning.confirm_clients", async () => {
    // a read-only page: its answers say "no POST here", and it may be cached
    const backend = await startBackend({ "/page": { status: 200, headers: { ...CACHEABLE, "Edge-Rule": edgeRule({ block: { methods: ["POST"] } }) }, body: "page" } });
    const edge = await startEdge({
      backends: [],
      backendsYaml: `  - { name: app, trusted: true, cache: true, servers: [ { name: s1, port: ${backend.port} } ] }`,
      extraYaml: "learning: { confirm_clients: 2 }",
    });
    const a = await request(edge.port, "GET", "/page", {}, "127.0.0.2");
    expect(a.headers["edge-rule"]).toBeUndefined();
    const b = await request(edge.port, "GET", "/page", {}, "127.0.0.3");
    expect(b.headers["x-cache-status"]).toBe("HIT");
    expect(b.headers["edge-rule"]).toBeUndefined();
    // only one client got the signal from the backend: not confirmed, POST still passes
    expect((await backend.hits())["/page"]).toBe(1);
    const counters = await edge.counters();
    expect(counters.rules_pending).toBe(1);
    expect(Object.keys(counters).filter((k) => k.startsWith("rules_learned"))).toEqual([]);
    // (this POST's own answer is a second client's signal: it confirms the rule for the next one)
    expect((await edge.req("POST", "/page")).status).toBe(200);
  });

  it("a request that a rule blocks never gets the cached answer", async () => {
    const backend = await startBackend({ "/promo": { status: 200, headers: CACHEABLE, body: "promo" } });
    const edge = await startEdge({ backends: [], backendsYaml: `  - { name: app, cache: true, servers: [ { name: s1, port: ${backend.port} } ] }` });
    expect((await edge.get("/promo")).status).toBe(200);
    expect((await edge.get("/promo")).headers["x-cache-status"]).toBe("HIT");
    const loc: StoreLocation = { socket: edge.socket, stateDir: edge.config.state.dir, backends: ["app"] };
    await addRule(loc, { backend: "app", match: { path: "/promo", prefix: false, methods: [], query: [] }, status: 410, ttl: 600, reason: "ended", dryRun: false, body: "" });
    const blocked = await edge.get("/promo");
    expect(blocked.status).toBe(410);
    expect(blocked.headers["x-cache-status"]).toBeUndefined();
    expect((await backend.hits())["/promo"]).toBe(1);
  });

  it("backends routed by other means than the path have caches of their own, and an answer to an authenticated request is never stored", async () => {
    const site = await startBackend({ "/report": { status: 200, headers: CACHEABLE, body: "public report" } });
    const partner = await startBackend({ "/report": { status: 200, headers: CACHEABLE, body: "PRIVATE report" } });
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-cache-"));
    writeFileSync(path.join(dir, "keys.map"), "k-1 acme\n");
    const edge = await startEdge({
      backends: [],
      backendsYaml: [
        `  - { name: site, cache: true, servers: [ { name: s1, port: ${site.port} } ] }`,
        `  - { name: partner, cache: true, servers: [ { name: s1, port: ${partner.port} } ] }`,
        'routes:\n  - { backend: partner, header: { name: X-Partner, value: "1" } }\ndefault_backend: site',
        `auth:\n  api_keys: { map: ${dir}/keys.map }\n  require: [partner]`,
      ].join("\n"),
    });
    const priv = { "x-partner": "1", "x-api-key": "k-1" };
    expect((await edge.get("/report", priv)).body).toBe("PRIVATE report");
    expect((await edge.get("/report", priv)).headers["x-cache-status"]).toBe("MISS");
    expect((await partner.hits())["/report"]).toBe(2);
    // the same host and URI, routed to the other backend: its own answer, never the partner's
    expect((await edge.get("/report")).body).toBe("public report");
    const again = await edge.get("/report");
    expect(again.body).toBe("public report");
    expect(again.headers["x-cache-status"]).toBe("HIT");
  });
});
