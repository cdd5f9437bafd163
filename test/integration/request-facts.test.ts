/**
 * Verify that what the learn action knows of the request (its path) and what the request side looks up
 * (the static map) hold whatever the frontend logs and whenever the static map was filled: a long path
 * is learned whole, a frontend that logs no request line still learns, and a static map filled after
 * render is enforced after a reload, and at runtime with `add map`, as explain says.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { explainLive } from "../../src/node/explain";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const SIGNAL = { "*": { status: 404, headers: { "X-Edge-Resource": "false" } } };

let edge: Edge | undefined;
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
});
afterAll(stopAll);

const served = async (b: Backend) => Object.values(await b.hits()).reduce((a, n) => a + n, 0);

/** True when a request for `p` reached the backend. */
async function reaches(e: Edge, b: Backend, p: string): Promise<boolean> {
  const before = await served(b);
  await e.get(p);
  return (await served(b)) === before + 1;
}

describe("the learn action's request path", () => {
  it("is the whole path, however long (HAProxy keeps only the first 1024 bytes of a logged request line)", async () => {
    const backend = await startBackend(SIGNAL);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "rules: { max_key_length: 2000 }\n" });
    const long = "/" + "a/".repeat(550) + "end";
    expect(await reaches(edge, backend, long)).toBe(true);
    expect(await reaches(edge, backend, long)).toBe(false);
    // the path a 1024-byte request line would have kept was never signalled, so it is not blocked
    const cut = long.slice(0, 1019);
    expect(await reaches(edge, backend, cut)).toBe(true);
    expect((await edge.counters())["signal:rejected:no-request-path"] ?? 0).toBe(0);
  });

  it("is known when the frontend logs no request line", async () => {
    const backend = await startBackend(SIGNAL);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    const file = path.join(edge.dir, "haproxy.cfg");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^\s*log-format .*\n/m, "").replace(/^\s*option httplog\n/m, "").replace(/^\s*log global\n/m, "  no log\n"));
    // a full restart (a reload sent this soon after the start was sometimes not acted on by 2.6's master)
    await edge.restart();
    expect(await reaches(edge, backend, "/nolog")).toBe(true);
    expect(await reaches(edge, backend, "/nolog")).toBe(false);
    expect((await edge.counters())["signal:rejected:no-request-path"] ?? 0).toBe(0);
  });
});

describe("the static map", () => {
  it("is looked up even when it was empty at render: entries added before a reload, or at runtime, block as explain says", async () => {
    const backend = await startBackend({ "*": { status: 200 } });
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], staticMap: "" });
    writeFileSync(path.join(edge.dir, "path_status.map"), "/legacy 410\n");
    await edge.reload();
    const x = await explainLive(edge.config, edge.socket, { method: "GET", url: "/legacy", headers: {} });
    expect({ verdict: x.verdict, status: x.status }).toEqual({ verdict: "block", status: 410 });
    expect((await edge.get("/legacy")).status).toBe(410);
    expect(await reaches(edge, backend, "/legacy")).toBe(false);
    expect(await edge.cli(`add map ${edge.config.staticMap} /rt 403`)).toMatch(/^\s*$/);
    expect((await edge.get("/rt")).status).toBe(403);
  });
});
