/**
 * Routes decide on the normalised path, as rules do: no spelling of a path reaches another
 * backend (and so another backend's rules) than the path itself; an absolute-form request's
 * authority is its host, for routes and host rules alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend, Edge, rawRequest, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const SPELLINGS = ["//api/admin/x", "/./api/admin/x", "/%61pi/admin/x", "/api//admin/x", "/x/../api/admin/x", "/api/admin/./x", "/api/%61dmin/x"];

describe.each([
  { name: "case-sensitive paths", yaml: "", extra: [] as string[] },
  { name: "case-insensitive paths", yaml: "paths: { case_insensitive: true }\n", extra: ["/API/admin/x", "/Api/ADMIN/x", "//%41PI/admin"] },
])("a prefix rule behind a path route is not bypassed ($name)", ({ yaml, extra }) => {
  let app: Backend;
  let api: Backend;
  let edge: Edge;
  const total = async (b: Backend) => Object.values(await b.hits()).reduce((a, n) => a + n, 0);

  beforeAll(async () => {
    app = await startBackend({ "*": { status: 200, body: "app\n" } });
    api = await startBackend({
      "/api/admin": { status: 404, headers: { "Edge-Rule": 'block;path="/api/admin";prefix;methods=*' } },
      "*": { status: 200, body: "api\n" },
    });
    edge = await startEdge({
      backends: [{ name: "app", port: app.port }, { name: "api", port: api.port }],
      extraYaml: `${yaml}routes: [ { backend: api, path_prefix: /api } ]\ndefault_backend: app\n`,
    });
    expect((await edge.get("/api/admin")).status).toBe(404);
  });
  afterAll(async () => {
    await edge?.stop();
    await stopAll();
  });

  it("blocks every spelling of a path under the rule at the edge; neither backend sees one", async () => {
    const before = { app: await total(app), api: await total(api) };
    for (const p of [...SPELLINGS, ...extra]) expect((await edge.get(p)).status, p).toBe(404);
    expect(await total(app)).toBe(before.app);
    expect(await total(api)).toBe(before.api);
  });

  it("routes segment-wise: /api and below go to api, /apix to the default", async () => {
    expect((await edge.get("/api/items")).body).toBe("api\n");
    expect((await edge.get("//api")).body).toBe("api\n");
    expect((await edge.get("/apix")).body).toBe("app\n");
  });

  it("logged no Lua runtime error", () => {
    expect(edge.luaErrors()).toEqual([]);
  });
});

describe("an absolute-form request without a Host header", () => {
  let app: Backend;
  let legacy: Backend;
  let edge: Edge;

  beforeAll(async () => {
    app = await startBackend({ "/hosty": { status: 404, headers: { "Edge-Rule": 'block;methods=*;host="legacy.example.com"' } }, "*": { status: 200, body: "app\n" } });
    legacy = await startBackend({ "*": { status: 200, body: "legacy\n" } });
    edge = await startEdge({
      backends: [{ name: "app", port: app.port }, { name: "legacy", port: legacy.port }],
      extraYaml: "routes: [ { backend: legacy, host: old.example.com } ]\ndefault_backend: app\n",
    });
    await edge.get("/hosty", { host: "legacy.example.com" });
  });
  afterAll(async () => {
    await edge?.stop();
    await stopAll();
  });

  it("is matched by a host rule on its authority", async () => {
    const before = (await app.hits())["/hosty"] ?? 0;
    for (const line of ["GET http://legacy.example.com/hosty HTTP/1.0", "GET http://LEGACY.example.com:80/hosty HTTP/1.0", "GET http://u@legacy.example.com/hosty HTTP/1.1"]) {
      const res = await rawRequest(edge.port, `${line}\r\nConnection: close\r\n\r\n`);
      expect(res.split("\r\n")[0], line).toMatch(/^HTTP\/1\.[01] 404 /);
    }
    expect((await app.hits())["/hosty"] ?? 0).toBe(before);
    // another authority is another host
    expect((await rawRequest(edge.port, "GET http://other.example.com/hosty HTTP/1.0\r\n\r\n")).split("\r\n")[0]).toMatch(/ 200 /);
  });

  it("is routed by its authority", async () => {
    const res = await rawRequest(edge.port, "GET http://old.example.com/page HTTP/1.0\r\n\r\n");
    expect(res.endsWith("legacy\n"), res).toBe(true);
  });
});
