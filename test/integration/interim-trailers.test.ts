/**
 * No signal header reaches a client in an interim (1xx) response or in trailers, over HTTP/1.1 and h2.
 * The backend is a raw socket server, so that it can send exactly those bytes.
 */
import * as http2 from "node:http2";
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atLeast, haproxyVersion } from "../../src/node/haproxy-bin";
import { Edge, freePort, rawRequest, startEdge, stopAll } from "../helpers/haproxy";

const SIGNAL = /x-edge-resource|edge-rule/i;
const SIGNALS = "X-Edge-Resource: false\r\nEdge-Rule: block;methods=*\r\n";
const ANSWERS: Record<string, string> = {
  "/early": `HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n${SIGNALS}\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n`,
  "/two-early": `HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 103 Early Hints\r\n${SIGNALS}\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n`,
  "/trailers": `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Edge-Resource, Edge-Rule\r\n\r\n3\r\nok\n\r\n0\r\n${SIGNALS}X-Other: kept-out\r\n\r\n`,
  "/continue": `HTTP/1.1 100 Continue\r\n${SIGNALS}\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n`,
};
// [T] HAProxy before 3.2 has no way to drop or edit response trailers (no option; Lua filters cannot touch trailer blocks)
const trailersDroppable = atLeast(haproxyVersion(), 3, 2);

let server: net.Server;
let edge: Edge;
let pathsSeen: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  server = net.createServer((s) => {
    let buf = "";
    s.on("data", (d) => {
      buf += d.toString("latin1");
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const line = buf.slice(0, buf.indexOf("\r\n"));
      const p = line.split(" ")[1] ?? "/";
      pathsSeen.push(p);
      const answer = ANSWERS[p] ?? "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
      // a 100 Continue is sent only to a request that asks for it, as a compliant server does
      const headers = buf.slice(0, end).toLowerCase();
      s.end(p === "/continue" && !headers.includes("expect: 100-continue") ? "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n" : answer, "latin1");
    });
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  edge = await startEdge({ backends: [{ name: "app", port }], h2c: true });
});
afterAll(async () => {
  await edge?.stop();
  server?.close();
  await stopAll();
});

/** Every header an h2 client sees for one request: informational, final and trailers. */
function h2Headers(port: number, p: string): Promise<string> {
  return new Promise((resolve) => {
    const c = http2.connect(`http://127.0.0.1:${port}`);
    const seen: string[] = [];
    c.on("error", () => resolve(seen.join("\n")));
    const req = c.request({ ":path": p });
    req.on("headers", (h) => seen.push(JSON.stringify(h)));
    req.on("response", (h) => seen.push(JSON.stringify(h)));
    req.on("trailers", (h) => seen.push(JSON.stringify(h)));
    req.on("data", () => undefined);
    const done = () => {
      c.close();
      resolve(seen.join("\n"));
    };
    req.on("end", done);
    req.on("error", done);
    req.on("close", done);
    req.end();
  });
}

describe("signal headers on interim responses and in trailers", () => {
  it.each(["/early", "/two-early"])("never reach an HTTP/1.1 client on a 103 (%s): the response is dropped whole", async (p) => {
    const res = await rawRequest(edge.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res).not.toMatch(SIGNAL);
    expect(res).not.toMatch(/^HTTP\/1\.1 103/);
  });

  it("never reach an h2 client on a 103", async () => {
    expect(await h2Headers(edge.h2cPort, "/early")).not.toMatch(SIGNAL);
  });

  it("never reach a client on a 100 Continue: the edge answers Expect itself, and the request still succeeds", async () => {
    const res = await rawRequest(edge.port, "POST /continue HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\nbody");
    expect(res).not.toMatch(SIGNAL);
    expect(res).toMatch(/HTTP\/1\.1 200 OK/);
  });

  it.skipIf(!trailersDroppable)(`never reach a client in chunked trailers, over HTTP/1.1 and h2${trailersDroppable ? "" : " (skipped: HAProxy before 3.2 cannot drop or edit trailers)"}`, async () => {
    const res = await rawRequest(edge.port, "GET /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n");
    expect(res).toMatch(/ok\n/);
    expect(res).not.toMatch(SIGNAL);
    expect(await h2Headers(edge.h2cPort, "/trailers")).not.toMatch(SIGNAL);
  });

  it("taught no rule and logged no Lua error", async () => {
    expect(await edge.cli("show table eb_rules_app")).not.toMatch(/key=\/(early|trailers|continue)/);
    expect(edge.luaErrors()).toEqual([]);
    expect(pathsSeen.length).toBeGreaterThan(0);
  });
});
