/**
 * Headers on every answer (headers.security, headers.content_security_policy, headers.cors), edgeblock's
 * own blocks included, and CORS preflights answered by the edge before credentials and rules. Real HAProxy.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startBackend, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

describe("answer headers", () => {
  it("security headers and the CSP go on every answer, edgeblock's own blocks included", async () => {
    const backend = await startBackend({ "/yeet": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    const edge = await startEdge({
      backends: [],
      backendsYaml: `  - { name: app, trusted: true, servers: [ { name: s1, port: ${backend.port} } ] }`,
      extraYaml: `headers:\n  security: true\n  content_security_policy: "default-src 'none'; report-uri /csp?x=100%"`,
    });
    const served = await edge.get("/ok");
    expect((await edge.get("/yeet")).status).toBe(404);
    const blocked = await edge.get("/yeet");
    expect(blocked.status).toBe(404);
    expect((await backend.hits())["/yeet"]).toBe(1);
    for (const r of [served, blocked]) {
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["x-frame-options"]).toBe("DENY");
      expect(r.headers["referrer-policy"]).toBe("no-referrer");
      expect(r.headers["content-security-policy"]).toBe("default-src 'none'; report-uri /csp?x=100%");
    }
  });

  it("CORS: an allowed origin's preflight is answered 204 before credentials are asked for; answers name allowed origins only; every answer varies by Origin", async () => {
    const backend = await startBackend({});
    const keys = path.join(mkdtempSync(path.join(os.tmpdir(), "eb-cors-")), "keys.map");
    writeFileSync(keys, "k-1 acme\n");
    const edge = await startEdge({
      backends: [],
      backendsYaml: `  - { name: app, servers: [ { name: s1, port: ${backend.port} } ] }`,
      extraYaml: `auth:\n  api_keys: { map: ${keys} }\nheaders:\n  cors: { origins: [https://app.example], methods: [GET, POST], headers: [X-Api-Key], expose: [X-Request-Id], max_age: 300 }`,
    });
    const pre = await edge.req("OPTIONS", "/orders", { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "x-api-key" });
    expect(pre.status).toBe(204);
    expect(pre.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(pre.headers["access-control-allow-methods"]).toBe("GET, POST");
    expect(pre.headers["access-control-allow-headers"]).toBe("X-Api-Key");
    expect(pre.headers["access-control-max-age"]).toBe("300");
    expect(pre.headers.vary).toBe("Origin");
    expect((await backend.hits())["/orders"]).toBeUndefined();
    // a preflight from another origin is an ordinary request: no key, so 401, and no CORS header
    const foreign = await edge.req("OPTIONS", "/orders", { origin: "https://evil.example", "access-control-request-method": "POST" });
    expect(foreign.status).toBe(401);
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
    const ok = await edge.get("/orders", { origin: "https://app.example", "x-api-key": "k-1" });
    expect(ok.status).toBe(200);
    expect(ok.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(ok.headers["access-control-expose-headers"]).toBe("X-Request-Id");
    const denied = await edge.get("/orders", { origin: "https://app.example" });
    expect(denied.status).toBe(401);
    expect(denied.headers["access-control-allow-origin"]).toBe("https://app.example");
    // a list of origins, or two Origin lines, is no allowed origin: nothing to reflect
    for (const origin of ["https://app.example, https://evil.example", ["https://app.example", "https://evil.example"]]) {
      const r = await edge.get("/orders", { origin, "x-api-key": "k-1" } as Record<string, string | string[]>);
      expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    }
    const other = await edge.get("/orders", { origin: "https://evil.example", "x-api-key": "k-1" });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    expect(other.headers.vary).toBe("Origin");
  });
});
