/** Compaction keeps its schedule across reloads: reloads more often than snapshot_interval still compact, so startup does not grow with them. */
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseSnapshotHeader } from "../../src/core/journal";
import { Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

let edge: Edge | undefined;
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
});
afterAll(stopAll);

describe("compaction schedule", () => {
  it("compacts on schedule when reloads come more often than snapshot_interval", async () => {
    const backend = await startBackend({ "*": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "state: { snapshot_interval: 4 }\n" });
    const state = path.join(edge.dir, "state");
    const written = () => parseSnapshotHeader(readFileSync(path.join(state, "rules.snapshot"), "latin1").split("\n")[0]);
    // the start compacts once; from then on every worker lives 1.5 s, less than the 4 s interval
    await edge.waitForLog(/snapshot written/, 5000);
    const first = written();
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 50; j++) await edge.get(`/r${i}/${j}`);
      await edge.reload();
      await new Promise((r) => setTimeout(r, 1500));
    }
    // 8 workers over about 15 s: the snapshot is at most one interval (plus a reload) old, and it holds every rule
    expect(written()).toBeGreaterThan(first);
    expect(Math.floor(Date.now() / 1000) - written()).toBeLessThanOrEqual(4 + 3);
    const snapshot = readFileSync(path.join(state, "rules.snapshot"), "latin1");
    expect(snapshot).toContain("\t/r0/0\t");
    const journal = path.join(state, "rules.journal");
    expect(existsSync(journal) ? statSync(journal).size : 0).toBeLessThan(statSync(path.join(state, "rules.snapshot")).size);
  }, 60_000);
});
