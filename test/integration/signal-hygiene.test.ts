/**
 * Security of the signal channel on real HAProxy: signal headers never reach a
 * client, clients cannot forge them, and only trusted backends are heard.
 */
import * as http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const SIGNALS = { "X-Edge-Resource": "true", "Edge-Rule": 'remove;path="/nothing"' };

function h2get(port: number, path: string, method = "GET"): Promise<{ status: number; headers: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const client = http2.connect(`http://127.0.0.1:${port}`);
    client.on("error", reject);
    const req = client.request({ ":path": path, ":method": method });
    req.on("response", (headers) => {
      req.on("data", () => undefined);
      req.on("end", () => {
        client.close();
        resolve({ status: Number(headers[":status"]), headers });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("signal headers on real HAProxy", () => {
  let trusted: Backend;
  let untrusted: Backend;
  let edge: Edge;

  beforeAll(async () => {
    const routes: Record<string, { status: number; headers?: Record<string, string>; echo?: boolean }> = {
      "/echo": { status: 200, echo: true },
      "/ok": { status: 200, headers: SIGNALS },
      "/missing": { status: 404, headers: SIGNALS },
      "/error": { status: 500, headers: SIGNALS },
      "/redirect": { status: 302, headers: { ...SIGNALS, location: "/ok" } },
      "/cached": { status: 304, headers: SIGNALS },
      "/learn": { status: 404, headers: { "X-Edge-Resource": "false" } },
      "/other/learn": { status: 404, headers: { "X-Edge-Resource": "false" } },
    };
    trusted = await startBackend(routes);
    untrusted = await startBackend(routes);
    edge = await startEdge({
      backends: [
        { name: "app", port: trusted.port, trusted: true },
        { name: "other", port: untrusted.port, trusted: false },
      ],
      h2c: true,
      extraYaml: "routes:\n  - { backend: other, path_prefix: /other }\n",
    });
  });
  afterAll(async () => {
    await edge?.stop();
    await stopAll();
  });

  it("never reach a client over HTTP/1.1, whatever the status or method", async () => {
    for (const p of ["/ok", "/missing", "/error", "/redirect", "/cached"]) {
      for (const method of ["GET", "HEAD"]) {
        const r = await edge.req(method, p);
        expect(r.headers["x-edge-resource"], `${method} ${p}`).toBeUndefined();
        expect(r.headers["edge-rule"], `${method} ${p}`).toBeUndefined();
      }
    }
  });

  it("never reach a client over HTTP/2", async () => {
    for (const p of ["/ok", "/missing", "/error", "/cached"]) {
      for (const method of ["GET", "HEAD"]) {
        const r = await h2get(edge.h2cPort, p, method);
        expect(r.headers["x-edge-resource"], `h2 ${method} ${p}`).toBeUndefined();
        expect(r.headers["edge-rule"], `h2 ${method} ${p}`).toBeUndefined();
      }
    }
  });

  it("cannot be forged by a client: they are removed before the backend sees the request", async () => {
    const r = await edge.get("/echo", { "X-Edge-Resource": "false", "Edge-Rule": "block;methods=*", "X-Other": "kept" });
    const seen = JSON.parse(r.body) as Record<string, string>;
    expect(seen["x-other"]).toBe("kept");
    expect(seen["x-edge-resource"]).toBeUndefined();
    expect(seen["edge-rule"]).toBeUndefined();
    // and nothing was learned from the forged header
    await edge.get("/echo");
    expect((await trusted.hits())["/echo"]).toBe(2);
  });

  it("are only learned from trusted backends: an untrusted backend's signal is counted and dropped", async () => {
    const r = await edge.get("/other/learn");
    expect(r.headers["x-edge-resource"]).toBeUndefined();
    await edge.get("/other/learn");
    expect((await untrusted.hits())["/other/learn"]).toBe(2);
    expect((await edge.counters())["signal:rejected:untrusted"]).toBe(2);
    await edge.get("/learn");
    expect((await edge.get("/learn")).status).toBe(404);
    expect((await trusted.hits())["/learn"]).toBe(1);
  });

  it("logged no Lua runtime error", () => {
    expect(edge.luaErrors()).toEqual([]);
  });
});
