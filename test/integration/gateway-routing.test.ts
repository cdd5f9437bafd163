/**
 * Routing beyond path prefix and exact host (routes[].domain, header; routes_map by
 * host or by path prefix): each on real HAProxy, with `rules explain` choosing the same backend, and a
 * rule of the backend a route picks applying to every spelling that takes the route.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainLive } from "../../src/node/explain";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

const be = (name: string, b: Backend) => `  - { name: ${name}, trusted: true, servers: [ { name: s1, port: ${b.port} } ] }`;

describe("routes by domain and header, then a map by host", () => {
  let edge: Edge;
  const b: Record<string, Backend> = {};
  beforeAll(async () => {
    for (const n of ["app", "shop", "v2", "docs", "partner"]) b[n] = await startBackend({ "*": { status: 200, body: n } });
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-routes-"));
    const map = path.join(dir, "hosts.map");
    writeFileSync(map, "# host -> backend\npartner.example partner\n");
    edge = await startEdge({
      backends: [],
      backendsYaml: ["app", "shop", "v2", "docs", "partner"].map((n) => be(n, b[n])).join("\n"),
      extraYaml: [
        "routes:",
        "  - { backend: shop, domain: shop.example }",
        '  - { backend: v2, header: { name: X-Api-Version, value: "2" } }',
        "  - { backend: docs, path_prefix: /docs }",
        `routes_map: { file: ${map}, by: host }`,
        "default_backend: app",
      ].join("\n"),
    });
  });

  const cases: Array<[string, Record<string, string>, string]> = [
    ["/x", { host: "shop.example" }, "shop"],
    ["/x", { host: "eu.shop.example:8080" }, "shop"],
    ["/x", { host: "notshop.example" }, "app"],
    ["/x", { "x-api-version": "2" }, "v2"],
    ["/x", { "x-api-version": "3" }, "app"],
    ["/docs/intro", {}, "docs"],
    // paths are case-sensitive here, for routes as for rules
    ["/Docs", {}, "app"],
    ["/docsx", {}, "app"],
    ["/x", { host: "partner.example" }, "partner"],
    ["/x", { host: "PARTNER.example." }, "partner"],
    ["/x", { host: "other.example" }, "app"],
  ];
  it("sends each request where its route says, and rules explain agrees", async () => {
    for (const [p, headers, want] of cases) {
      const r = await edge.get(p, headers);
      expect(r.body, `${p} ${JSON.stringify(headers)}`).toBe(want);
      const x = await explainLive(edge.config, edge.socket, { method: "GET", url: p, headers });
      expect(x.backend, `explain ${p} ${JSON.stringify(headers)}`).toBe(want);
    }
  });
});

describe("a map by path prefix", () => {
  it("routes on the normalised path, the longest key first; a rule of the backend it picks covers every spelling", async () => {
    const app = await startBackend({ "*": { status: 200, body: "app" } });
    const api = await startBackend({ "*": { status: 200, body: "api" }, "/api/v1/old": { status: 410, headers: { "X-Edge-Resource": "false-410" } } });
    const v1 = await startBackend({ "*": { status: 200, body: "v1" } });
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-routes-"));
    const map = path.join(dir, "paths.map");
    writeFileSync(map, "/api/ api\n/api/v1/legacy/ v1\n");
    const edge = await startEdge({
      backends: [],
      backendsYaml: [be("app", app), be("api", api), be("v1", v1)].join("\n"),
      extraYaml: `routes_map: { file: ${map}, by: path_prefix }\ndefault_backend: app`,
    });
    expect((await edge.get("/api/x")).body).toBe("api");
    expect((await edge.get("//api/./x")).body).toBe("api");
    expect((await edge.get("/api")).body).toBe("api");
    expect((await edge.get("/apix")).body).toBe("app");
    expect((await edge.get("/api/v1/legacy/y")).body).toBe("v1");
    expect((await edge.get("/api/v1/old")).status).toBe(410);
    for (const p of ["/api/v1/old", "//api/v1/old", "/api/v1/./old", "/%61pi/v1/old"]) expect((await edge.get(p)).status, p).toBe(410);
    expect((await api.hits())["/api/v1/old"]).toBe(1);
    const x = await explainLive(edge.config, edge.socket, { method: "GET", url: "/api/v1/legacy/y", headers: {} });
    expect(x.backend).toBe("v1");
  });
});
