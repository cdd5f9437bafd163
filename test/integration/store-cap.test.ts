/**
 * The store cap under concurrency: with on_full: refuse no existing rule is ever evicted and the
 * table never holds more than max_rules entries, whatever the thread count.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

let edge: Edge | undefined;
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
});
afterAll(stopAll);

async function flood(e: Edge, paths: string[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) await e.get(paths[next++]);
    }),
  );
}

async function reachesBackend(e: Edge, b: Backend, p: string): Promise<boolean> {
  const before = (await b.hits())[p] ?? 0;
  await e.get(p);
  return ((await b.hits())[p] ?? 0) === before + 1;
}

describe.each([
  { threads: 4, load: "per-thread" as const },
  { threads: 8, load: "shared" as const },
])("on_full: refuse with $threads threads ($load Lua)", ({ threads, load }) => {
  it("evicts no earlier rule and never holds more than max_rules entries under a flood", async () => {
    const backend = await startBackend({ "*": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], maxRules: 1000, threads, luaLoad: load, extraYaml: "rules: { on_full: refuse }\n" });
    const early = ["/early/1", "/early/2", "/early/3", "/early/4", "/early/5"];
    for (const p of early) await edge.get(p);
    await flood(edge, Array.from({ length: 3000 }, (_, i) => `/flood/${i}`), 48);
    const table = await edge.cli("show table eb_rules_app");
    const used = Number(/used:(\d+)/.exec(table)![1]);
    expect(used).toBeLessThanOrEqual(1000);
    for (const p of early) {
      expect(table, p).toContain(`key=${p} `);
      expect(await reachesBackend(edge, backend, p), p).toBe(false);
    }
    const c = await edge.counters();
    expect((c["signal:learned:edge-resource"] ?? 0) + early.length).toBeLessThanOrEqual(1000 + early.length);
    expect(c["signal:learned:edge-resource"]).toBe(used);
    expect(c["signal:rejected:store-full"]).toBe(3000 + early.length - used);
    expect(c["rules_evicted"] ?? 0).toBe(0);
  }, 60_000);
});
