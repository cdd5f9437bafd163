/**
 * Signal protocol v1 (`Edge-Rule`) on a real HAProxy: every match dimension,
 * every answer, removal, several rules per response, and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const R = (status: number, rule: string | string[], body?: string) => ({ status, headers: { "Edge-Rule": rule }, ...(body ? { body } : {}) });

const ROUTES = {
  "/exact": R(404, "block;methods=*"),
  "/wp-admin": R(404, 'block;path="/wp-admin";prefix;methods=*;reason=scanner'),
  "/form": R(405, 'block;methods="POST PUT";status=405;body="GET only"'),
  "/only-post": R(404, "block"),
  "/head-too": R(404, "block"),
  "/search": R(400, ['block;methods=*;query="debug";status=403', 'block;path="/report";methods=*;query="!token";status=401']),
  "/report": { status: 200, body: "report\n" },
  "/members": R(403, 'block;methods=*;auth=anon;status=401;body="log in first"'),
  "/vhost": R(404, 'block;methods=*;host="a.example"'),
  "/legal": R(451, 'block;methods=*;body="Unavailable for legal reasons";reason=legal'),
  "/gone": R(410, "block;methods=*"),
  "/brief": R(404, "block;methods=*;ttl=1"),
  "/multi": R(404, 'block;path="/m1";methods=*, block;path="/m2";methods=*;status=410'),
  "/lift": R(200, 'remove;path="/exact"'),
  "/dry": R(404, "block;methods=*;dry-run;reason=trial"),
  "/bad-syntax": R(404, "block;methods=*;status=4o4"),
  "/bad-param": R(404, "block;methods=*;colour=blue"),
  "/bad-range": R(404, "block;methods=*;ttl=0"),
  "/bad-status": R(404, "block;methods=*;status=302"),
  "/bad-action": R(404, "forbid;methods=*"),
  "/bad-root-prefix": R(404, 'block;path="/";prefix;methods=*'),
  "/oversized": R(404, "block;methods=*;body=\"" + "x".repeat(3000) + '"'),
  "/too-many": R(404, Array.from({ length: 9 }, (_, i) => `block;path="/t${i}";methods=*`).join(", ")),
  "*": { status: 200, body: "ok\n" },
};

describe("Edge-Rule protocol on real HAProxy", () => {
  let backend: Backend;
  let edge: Edge;
  const hits = async (p: string) => (await backend.hits())[p] ?? 0;

  beforeAll(async () => {
    backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "auth: { cookie: session }\n" });
  });
  afterAll(async () => {
    await edge?.stop();
    await stopAll();
  });

  it("matches an exact path, and not the paths below it", async () => {
    await edge.get("/exact");
    expect((await edge.get("/exact")).status).toBe(404);
    expect(await hits("/exact")).toBe(1);
    expect((await edge.get("/exact/child")).status).toBe(200);
  });

  it("matches a prefix segment-wise: /wp-admin and below, not /wp-adminx", async () => {
    await edge.get("/wp-admin");
    for (const p of ["/wp-admin", "/wp-admin/", "/wp-admin/setup.php", "/wp-admin/a/b"]) expect((await edge.get(p)).status, p).toBe(404);
    expect(await hits("/wp-admin")).toBe(1);
    expect((await edge.get("/wp-adminx")).status).toBe(200);
    await edge.waitForLog(/"GET \/wp-admin\/setup.php HTTP\/1.1" eb_key="\^\/wp-admin" eb_reason=scanner/);
  });

  it("matches methods: POST and PUT are answered 405 with the body, GET still reaches the backend", async () => {
    await edge.req("POST", "/form");
    const post = await edge.req("POST", "/form");
    expect(post.status).toBe(405);
    expect(post.body).toBe("GET only");
    expect((await edge.req("PUT", "/form")).status).toBe(405);
    const before = await hits("/form");
    expect((await edge.get("/form")).status).toBe(405);
    expect(await hits("/form")).toBe(before + 1);
  });

  it("defaults to the method of the request that caused the signal", async () => {
    await edge.req("POST", "/only-post");
    expect((await edge.req("POST", "/only-post")).status).toBe(404);
    expect(await hits("/only-post")).toBe(1);
    await edge.get("/only-post");
    expect(await hits("/only-post")).toBe(2);
  });

  it("matches a query parameter that is present, or absent", async () => {
    await edge.get("/search");
    expect((await edge.get("/search?debug=1")).status).toBe(403);
    expect((await edge.get("/search?q=x&debug")).status).toBe(403);
    const before = await hits("/search");
    await edge.get("/search?q=x");
    expect(await hits("/search")).toBe(before + 1);
    expect((await edge.get("/report")).status).toBe(401);
    expect((await edge.get("/report?token=abc")).status).toBe(200);
  });

  it("matches query parameter names the way backends decode them: %64ebug and de%62ug are debug", async () => {
    await edge.get("/search");
    const before = await hits("/search");
    for (const q of ["?%64ebug=1", "?q=x&de%62ug", "?%64%65%62%75%67"]) expect((await edge.get(`/search${q}`)).status, q).toBe(403);
    expect(await hits("/search")).toBe(before);
    // %token is the token: the absent-token rule does not match
    expect((await edge.get("/report?%74oken=abc")).status).toBe(200);
  });

  it("counts an empty session cookie as anonymous", async () => {
    await edge.get("/members", { cookie: "session=abc" });
    expect((await edge.get("/members", { cookie: "session=" })).status).toBe(401);
  });

  it("extends a rule learned from a GET to HEAD, which backends answer with the GET handler", async () => {
    await edge.get("/head-too");
    const before = await hits("/head-too");
    expect((await edge.req("HEAD", "/head-too")).status).toBe(404);
    expect(await hits("/head-too")).toBe(before);
    await edge.req("POST", "/head-too");
    expect(await hits("/head-too")).toBe(before + 1);
  });

  it("matches the auth state: anonymous requests get 401, requests with the session cookie pass", async () => {
    await edge.get("/members", { cookie: "session=abc" });
    const anon = await edge.get("/members");
    expect(anon.status).toBe(401);
    expect(anon.body).toBe("log in first");
    const before = await hits("/members");
    await edge.get("/members", { cookie: "theme=dark; session=abc" });
    expect(await hits("/members")).toBe(before + 1);
  });

  it("matches the host, case-insensitively and without the port", async () => {
    await edge.get("/vhost", { host: "a.example" });
    expect((await edge.get("/vhost", { host: "A.Example:8080" })).status).toBe(404);
    const before = await hits("/vhost");
    expect((await edge.get("/vhost", { host: "b.example" })).status).toBe(404);
    expect(await hits("/vhost")).toBe(before + 1);
  });

  it("answers with any 4xx/5xx status, 451 included, and the rule's body", async () => {
    await edge.get("/legal");
    const r = await edge.get("/legal");
    expect(r.status).toBe(451);
    expect(r.body).toBe("Unavailable for legal reasons");
    expect(r.headers["content-type"]).toBe("text/plain");
    await edge.waitForLog(/"GET \/legal HTTP\/1.1" eb_key="\/legal" eb_reason=legal/);
  });

  it("defaults the status to the backend's own error status", async () => {
    await edge.get("/gone");
    expect((await edge.get("/gone")).status).toBe(410);
  });

  it("stops matching when the TTL runs out, without a reload", async () => {
    await edge.get("/brief");
    expect((await edge.get("/brief")).status).toBe(404);
    expect(await hits("/brief")).toBe(1);
    await new Promise((r) => setTimeout(r, 2100));
    await edge.get("/brief");
    expect(await hits("/brief")).toBe(2);
  });

  it("learns several rules from one response", async () => {
    await edge.get("/multi");
    expect((await edge.get("/m1")).status).toBe(404);
    expect((await edge.get("/m2")).status).toBe(410);
    expect(await hits("/m1")).toBe(0);
    expect(await hits("/m2")).toBe(0);
  });

  it("lifts a rule when a backend sends remove", async () => {
    await edge.get("/exact");
    expect((await edge.get("/exact")).status).toBe(404);
    await edge.get("/lift");
    const before = await hits("/exact");
    await edge.get("/exact");
    expect(await hits("/exact")).toBe(before + 1);
  });

  it("dry-run rules count and log would-block requests and let them pass", async () => {
    await edge.get("/dry");
    const r = await edge.get("/dry");
    expect(r.status).toBe(404);
    expect(await hits("/dry")).toBe(2);
    await edge.waitForLog(/"GET \/dry HTTP\/1.1" eb_key="\/dry" eb_reason=trial eb_would_block=404/);
    expect(await edge.cli("show table eb_stats")).toMatch(/key=would_block:404:trial .*gpc0=1\b/);
  });

  it("rejects malformed, unknown, out-of-range and oversized signals: no rule, counted, logged, no Lua error", async () => {
    const cases: Array<[string, string]> = [
      ["/bad-syntax", "malformed"],
      ["/bad-param", "unknown-parameter"],
      ["/bad-range", "out-of-range"],
      ["/bad-status", "status-not-allowed"],
      ["/bad-action", "malformed"],
      ["/bad-root-prefix", "out-of-range"],
      ["/oversized", "oversized"],
      ["/too-many", "out-of-range"],
    ];
    for (const [p] of cases) {
      const r = await edge.get(p);
      expect(r.headers["edge-rule"], p).toBeUndefined();
      await edge.get(p);
      expect(await hits(p), p).toBe(2);
    }
    expect(await hits("/t0")).toBe(0);
    expect((await edge.get("/t0")).status).toBe(200);
    const counters = await edge.counters();
    for (const [p, reason] of cases) await edge.waitForLog(new RegExp(`signal rejected reason=${reason} backend=app path=${p.replace("/", "\\/")}`));
    expect(counters["signal:rejected:malformed"]).toBe(4);
    expect(counters["signal:rejected:out-of-range"]).toBe(6);
    expect(edge.luaErrors()).toEqual([]);
  });
});
