/**
 * Which way a worker's runtime-API commands go. A worker started with `-W -S` (2.6 and 3.0 export the
 * master CLI's address to it) addresses its own pid through the master while an old worker, which may
 * still share the stats socket, is listed by the master; with no old worker (a start, a restart, or a
 * reload whose old worker is gone) it uses the stats socket, which is then its own.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { Backend, cliCommand, Edge, startBackend, startEdge, stopAll, waitFor } from "../helpers/haproxy";

describe("runtime API route (real HAProxy, master-worker)", () => {
  let backend: Backend;
  let edge: Edge;

  beforeAll(async () => {
    backend = await startBackend({
      "/a": { status: 404, headers: { "X-Edge-Resource": "false" } },
      "/b": { status: 404, headers: { "X-Edge-Resource": "false" } },
      "/c": { status: 404, headers: { "X-Edge-Resource": "false" } },
    });
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
  });
  afterAll(async () => {
    await stopAll();
  });

  const viaMaster = async () => (await edge.counters())["runtime_api_via_master"] ?? 0;
  const learn = async (p: string) => {
    await edge.get(p);
    expect((await edge.get(p)).headers["content-length"], `${p} is blocked by the edge`).toBe("0");
  };

  it("writes through its own socket when no old worker is listed, through the master while one is", async () => {
    const exported = (await edge.cli("show env HAPROXY_MASTER_CLI")).includes("HAPROXY_MASTER_CLI=");
    // a first start: no old worker, so learning skips the master (the worker asks it at most once a second,
    // and a loaded machine can keep a starting master from answering the first time: wait for its answer)
    if (exported) await edge.waitForLog(/runtime API: no older worker listed/, 10000);
    const atStart = await viaMaster();
    await learn("/a");
    expect(await viaMaster()).toBe(atStart);
    // a reload while the old worker still holds a connection (a request half sent): the new worker goes through the master
    const held = net.connect(edge.port, "127.0.0.1");
    await new Promise<void>((resolve) => held.on("connect", () => resolve()));
    held.write("GET /held HTTP/1.1\r\nHost: edge\r\n");
    await edge.reload();
    await learn("/b");
    if (exported) expect(await viaMaster()).toBeGreaterThan(0);
    else expect(await viaMaster()).toBe(0);
    // once the old worker is gone, the socket is this worker's own: no more relaying
    const oldListed = async () => /# old workers\s*\n\d/.test(await cliCommand(path.join(edge.dir, "master.sock"), "show proc;quit"));
    if (exported) expect(await oldListed()).toBe(true);
    held.destroy();
    await waitFor("the old worker to leave the master's list", async () => !(await oldListed()), 15000);
    // the worker asks the master at most once a second, and says when it is alone
    if (exported) await waitFor("the new worker to find itself alone", () => edge.count(/runtime API: no older worker listed/) >= 2, 10000);
    const before = await viaMaster();
    await learn("/c");
    expect(await viaMaster()).toBe(before);
  });
});
