/**
 * Rate limits (rate_limits): per client address, API key header or query parameter, per backend, with
 * tiers from a map; a 429 with Retry-After, counted in the metrics; sticky counters allocated beside
 * edgeblock's own, and a config that needs more than the HAProxy version has refused. Real HAProxy.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { haproxyCheck } from "../../src/node/cli";
import { parseConfig } from "../../src/node/config";
import { atLeast, haproxyVersion } from "../../src/node/haproxy-bin";
import { renderToDisk, RenderRejected } from "../../src/node/render";
import { Backend, Edge, request, startBackend, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

async function metric(edge: Edge, name: string): Promise<number> {
  const text = (await request(edge.statsPort, "GET", "/edgeblock/metrics")).body;
  const line = text.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "{"));
  return line ? Number(line.split(" ").pop()) : 0;
}

const one = (name: string, be: Backend) => `  - { name: ${name}, trusted: true, servers: [ { name: s1, address: 127.0.0.1, port: ${be.port} } ] }`;

describe("rate limits", () => {
  it("a client over its per-address limit gets a 429 with Retry-After, counted in the metrics; other clients are not limited", async () => {
    const backend = await startBackend({});
    const edge = await startEdge({ backends: [], backendsYaml: one("app", backend), extraYaml: "rate_limits:\n  - { name: per_ip, key: ip, limit: 3, period: 10s }" });
    const from = (addr: string) => request(edge.port, "GET", "/x", {}, addr);
    for (let i = 0; i < 3; i++) expect((await from("127.0.0.2")).status).toBe(200);
    const over = await from("127.0.0.2");
    expect(over.status).toBe(429);
    expect(over.headers["retry-after"]).toBe("10");
    expect((await from("127.0.0.3")).status).toBe(200);
    expect((await backend.hits())["/x"]).toBe(4);
    expect(await metric(edge, 'edgeblock_requests_rate_limited_total{limit="per_ip"}')).toBe(1);
  });

  it("tiers: an API key gets its tier's limit, a key in no tier the default one, a request without a key is not counted", async () => {
    const backend = await startBackend({});
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-tiers-"));
    const map = path.join(dir, "tiers.map");
    writeFileSync(map, "# API key -> tier\nk-gold gold\nk-bronze bronze\n");
    const edge = await startEdge({
      backends: [],
      backendsYaml: one("app", backend),
      extraYaml: `rate_limits:\n  - name: per_key\n    key: header:X-Api-Key\n    limit: 2\n    period: 1m\n    tiers: { map: ${map}, limits: { bronze: 3, gold: 5 } }`,
    });
    const burst = async (key: string | undefined, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await edge.get("/k", key ? { "x-api-key": key } : {})).status);
      return out;
    };
    expect(await burst("k-gold", 6)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await burst("k-bronze", 4)).toEqual([200, 200, 200, 429]);
    expect(await burst("k-unknown", 3)).toEqual([200, 200, 429]);
    expect(await burst(undefined, 8)).toEqual(Array(8).fill(200));
    expect((await edge.get("/k", { "x-api-key": "k-gold" })).headers["retry-after"]).toBe("60");
  });

  it("a limit on a query parameter, scoped to one backend, counts only the requests routed there", async () => {
    const app = await startBackend({});
    const api = await startBackend({});
    const edge = await startEdge({
      backends: [],
      backendsYaml: `${one("app", app)}\n${one("api", api)}\nroutes:\n  - { backend: api, path_prefix: /api }`,
      extraYaml: "rate_limits:\n  - { name: per_token, key: \"query:token\", limit: 2, period: 10s, backends: [api] }",
    });
    expect((await edge.get("/api/a?token=t1")).status).toBe(200);
    expect((await edge.get("/api/b?token=t1")).status).toBe(200);
    expect((await edge.get("/api/c?token=t1")).status).toBe(429);
    expect((await edge.get("/api/c?token=t2")).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await edge.get("/app?token=t1")).status).toBe(200);
  });

  it("edgeblock's own counters and hit counts keep their sticky counters beside a rate limit", async () => {
    const backend = await startBackend({ "/yeet": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    const edge = await startEdge({ backends: [], backendsYaml: one("app", backend), extraYaml: "rate_limits:\n  - { name: per_ip, key: ip, limit: 1000, period: 10s }" });
    expect((await edge.get("/yeet")).status).toBe(404);
    for (let i = 0; i < 3; i++) expect((await edge.get("/yeet")).status).toBe(404);
    expect((await backend.hits())["/yeet"]).toBe(1);
    expect(await metric(edge, 'edgeblock_requests_blocked_total{status="404",reason="edge-resource"}')).toBe(3);
    // the rule entry counted its hits (http_req_cnt), and the limit's table its own requests
    const rule = await edge.cli("show table eb_rules_app key /yeet");
    expect(rule).toMatch(/http_req_cnt=3/);
    const rl = await edge.cli("show table eb_rl_per_ip");
    expect(rl).toMatch(/http_req_rate\(10000\)=4/);
  });

  it("two limits that count the same requests need four sticky counters: refused before HAProxy 2.8 with the reason, both enforced on 2.8+", async () => {
    const backend = await startBackend({});
    const limits = "rate_limits:\n  - { name: per_ip, key: ip, limit: 100, period: 10s }\n  - { name: per_key, key: header:X-Api-Key, limit: 2, period: 10s }";
    if (!atLeast(haproxyVersion(), 2, 8)) {
      const dir = mkdtempSync(path.join(os.tmpdir(), "eb-sc-"));
      const file = path.join(dir, "edgeblock.yaml");
      writeFileSync(file, `listen: { port: 18099 }\nstats: { port: 18098 }\nbackends:\n${one("app", backend)}\n${limits}\n`);
      let err: unknown;
      try {
        renderToDisk(parseConfig(`listen: { port: 18099 }\nstats: { port: 18098 }\nbackends:\n${one("app", backend)}\n${limits}\n`, file), { outDir: dir, check: haproxyCheck });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RenderRejected);
      expect((err as RenderRejected).output).toMatch(/rate_limits need 4 sticky counters and HAProxy before 2\.8 has 3/);
      return;
    }
    const edge = await startEdge({ backends: [], backendsYaml: one("app", backend), extraYaml: limits });
    expect((await edge.get("/x", { "x-api-key": "k" })).status).toBe(200);
    expect((await edge.get("/x", { "x-api-key": "k" })).status).toBe(200);
    expect((await edge.get("/x", { "x-api-key": "k" })).status).toBe(429);
    const rl = await edge.cli("show table eb_rl_per_ip");
    expect(rl).toMatch(/http_req_rate\(10000\)=3/);
  });
});

describe("allowlisted clients", () => {
  it("no rate limit or rule stops a client in allowlist.clients, and it is routed as everyone is (what a hand-written http-request allow broke: a 503)", async () => {
    const app = await startBackend({});
    const api = await startBackend({ "/api/yeet": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    const edge = await startEdge({
      backends: [],
      backendsYaml: `${one("app", app)}\n${one("api", api)}\nroutes:\n  - { backend: api, path_prefix: /api }`,
      extraYaml: "allowlist: { clients: [127.0.0.2, 10.0.0.0/8] }\nrate_limits:\n  - { name: per_ip, limit: 2, period: 10s }",
    });
    const from = (addr: string, p: string) => request(edge.port, "GET", p, {}, addr);
    expect((await from("127.0.0.3", "/api/yeet")).status).toBe(404);
    expect((await from("127.0.0.3", "/api/yeet")).status).toBe(404);
    expect((await api.hits())["/api/yeet"]).toBe(1);
    expect((await from("127.0.0.3", "/api/x")).status).toBe(429);
    for (let i = 0; i < 4; i++) expect((await from("127.0.0.2", "/api/x")).status).toBe(200);
    // the rule on /api/yeet lets the allowlisted client through, to the backend its route names
    const r = await from("127.0.0.2", "/api/yeet");
    expect(r.status).toBe(404);
    expect((await api.hits())["/api/yeet"]).toBe(2);
    expect((await api.hits())["/api/x"]).toBe(4);
    expect((await app.hits())["/api/x"]).toBeUndefined();
  });
});
