/**
 * A full or read-only state folder loses nothing: a snapshot replaces nothing unless it is on disk
 * in full, every failed write is logged and counted, and what could not be written waits in memory
 * until it can be.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseTableLine } from "../../src/core/runtime-cmd";
import { Edge, startBackend, startEdge, stopAll, waitFor } from "../helpers/haproxy";
import { cannotMount, mountSmallFs, savedKeys, SmallFs } from "../helpers/small-fs";

const ROUTES = { "*": { status: 404, headers: { "X-Edge-Resource": "false" } } };
const noMount = cannotMount();

let edge: Edge | undefined;
let fs: SmallFs | undefined;
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
  fs?.unmount();
  fs = undefined;
});
afterAll(stopAll);

/** Learn one rule per path, a few requests at a time. */
async function learn(e: Edge, paths: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < paths.length) {
        const p = paths[next++];
        expect((await e.get(p)).status).toBe(404);
      }
    }),
  );
}

async function liveKeys(e: Edge): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const line of (await e.cli("show table eb_rules_app")).split("\n")) {
    const t = parseTableLine(line);
    if (t) keys.add(`eb_rules_app ${t.key}`);
  }
  return keys;
}

const paths = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `/${tag}/${i}`);

describe.skipIf(noMount !== undefined)(`state folder on a small disk${noMount ? ` (skipped: ${noMount})` : ""}`, () => {
  it("a full disk never deletes saved rules: a failed snapshot keeps the previous snapshot and journal", async () => {
    fs = mountSmallFs(64);
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: `state: { dir: ${fs.dir}, snapshot_interval: 1 }\n` });
    await learn(edge, paths("full", 1500));
    const e = edge;
    await waitFor("a failed journal write and a failed snapshot, counted", async () => {
      const c = await e.counters();
      return (c["journal_errors"] ?? 0) > 0 && (c["snapshot_errors"] ?? 0) > 0;
    }, 15_000);
    expect(edge.logs()).toMatch(/edgeblock: journal not written detail=/);
    expect(edge.logs()).toMatch(/edgeblock: snapshot not written detail=\S+ kept=previous_snapshot_and_journal/);
    // what is on disk now is what a new process gets; it must be most of what 64 KiB can hold
    const onDisk = savedKeys(fs.dir);
    expect(onDisk.size).toBeGreaterThan(300);
    await edge.reload();
    const live = await liveKeys(edge);
    const lost = [...onDisk].filter((k) => !live.has(k));
    expect(lost).toEqual([]);
    expect(edge.luaErrors()).toEqual([]);
  });

  it("rules learned while the disk was full are saved once there is room, and survive a reload", async () => {
    fs = mountSmallFs(64);
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: `state: { dir: ${fs.dir}, snapshot_interval: 1 }\n` });
    await learn(edge, paths("room", 1500));
    const e = edge;
    await waitFor("a failed journal write", async () => ((await e.counters())["journal_errors"] ?? 0) > 0, 15_000);
    fs.remount("size=8m");
    await edge.waitForLog(/edgeblock: journal written again lines=\d+/, 10_000);
    await waitFor("every rule on disk", () => savedKeys(fs!.dir).size >= 1500, 10_000);
    await edge.reload();
    const live = await liveKeys(edge);
    expect(paths("room", 1500).filter((p) => !live.has(`eb_rules_app ${p}`))).toEqual([]);
  });

  it("rules learned while the state folder was read-only are saved once it is writable again", async () => {
    fs = mountSmallFs(1024);
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: `state: { dir: ${fs.dir}, snapshot_interval: 1 }\n` });
    await learn(edge, paths("before", 10));
    fs.remount("ro");
    await learn(edge, paths("ro", 200));
    const e = edge;
    await waitFor("failed journal writes", async () => ((await e.counters())["journal_errors"] ?? 0) >= 1, 5000);
    expect(edge.logs()).toMatch(/journal not written detail=\S*Read-only/);
    fs.remount("rw");
    await edge.waitForLog(/edgeblock: journal written again lines=\d+/, 10_000);
    await edge.reload();
    const live = await liveKeys(edge);
    expect([...paths("before", 10), ...paths("ro", 200)].filter((p) => !live.has(`eb_rules_app ${p}`))).toEqual([]);
    expect(edge.luaErrors()).toEqual([]);
  });
});

describe("a journal a crashed writer left with an unterminated last line", () => {
  it("keeps what the next process learns: its first line is not glued to the torn one", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    await learn(edge, ["/one"]);
    const journal = path.join(edge.config.state.dir, "rules.journal");
    await waitFor("journal written", () => existsSync(journal) && readFileSync(journal, "utf8").includes("/one"), 5000);
    // what a crash in the middle of an append leaves: the start of a line, no newline
    appendFileSync(journal, "T\t1000\teb_rules_app\t/cra");
    await edge.restart();
    await learn(edge, ["/three"]);
    await edge.restart();
    const saved = await liveKeys(edge);
    expect(saved.has("eb_rules_app /one")).toBe(true);
    expect(saved.has("eb_rules_app /three")).toBe(true);
    // the torn line is reported once, as corrupt, and nothing else is
    expect(edge.count(/corrupt=1/)).toBeGreaterThan(0);
  });
});
