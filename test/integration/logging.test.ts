/** Every edgeblock event reaches the log once: HAProxy 2.6 also copies Lua log lines to stderr, which is the log target here. */
import { afterAll, describe, expect, it } from "vitest";
import { startBackend, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

describe("edgeblock's log lines", () => {
  it("appear once each on stderr when stderr is the log target", async () => {
    const backend = await startBackend({ "*": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    const edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    await edge.get("/logged-once");
    await edge.waitForLog(/edgeblock: rule learned backend=app key=\/logged-once /);
    await new Promise((r) => setTimeout(r, 300));
    expect(edge.count(/edgeblock: rule learned backend=app key=\/logged-once /)).toBe(1);
    expect(edge.count(/edgeblock: state loaded /)).toBe(1);
    await edge.stop();
  });
});
