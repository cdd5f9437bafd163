/**
 * A stopping process (the old one during a reload) hands its last requests to the new one: the new one
 * must see the client's own address, or an allowlisted client address (the edge's own) or a per-address
 * rate limit would apply to the handoff instead of the client (found by the hostile review of issue 12).
 */
import * as net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { addRule, StoreLocation } from "../../src/node/rules";
import { startBackend, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

/** A connection from a chosen local address; send() writes raw text and returns what arrived within `ms`. */
function conn(port: number, local: string) {
  const s = net.connect({ port, host: "127.0.0.1", localAddress: local });
  let buf = "";
  s.setEncoding("latin1");
  s.on("data", (d) => (buf += d));
  s.on("error", () => undefined);
  return {
    async send(t: string, ms: number): Promise<string> {
      buf = "";
      s.write(t);
      const until = Date.now() + ms;
      while (Date.now() < until && !/\r\n\r\n/.test(buf)) await new Promise((r) => setTimeout(r, 20));
      return buf;
    },
    end: () => s.destroy(),
  };
}

describe("the reload handoff", () => {
  it("a request the old process hands over is judged with the client's own address, not the edge's", async () => {
    const backend = await startBackend({ "*": { status: 200, body: "served" } });
    const edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "allowlist:\n  clients: [127.0.0.1]" });
    const loc: StoreLocation = { socket: edge.socket, stateDir: edge.config.state.dir, backends: ["app"] };
    await addRule(loc, { backend: "app", match: { path: "/secret", prefix: false, methods: [], query: [] }, status: 403, ttl: 600, reason: "x", dryRun: false, body: "" });
    const first = conn(edge.port, "127.0.0.2");
    expect((await first.send("GET /secret HTTP/1.1\r\nHost: a\r\n\r\n", 2000)).split("\r\n")[0]).toBe("HTTP/1.1 403 Forbidden");
    first.end();
    // headers not complete when the reload comes: the old process gets the rest while stopping, and hands it over
    const c = conn(edge.port, "127.0.0.2");
    await c.send("GET /secret HTTP/1.1\r\nHost: a\r\n", 100);
    await edge.reload();
    const answer = await c.send("\r\n", 3000);
    c.end();
    expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 403 Forbidden");
    expect(edge.logs()).toMatch(/eb_handoff\/next/);
    expect((await backend.hits())["/secret"]).toBeUndefined();
  });
});
