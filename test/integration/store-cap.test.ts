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

/** Requests for every path, `concurrency` at a time; returns how many came back without the backend's 404 (no signal to count). */
async function flood(e: Edge, paths: string[], concurrency: number): Promise<number> {
  let next = 0;
  let other = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) if ((await e.get(paths[next++])).status !== 404) other++;
    }),
  );
  return other;
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
    // on a loaded machine a request can fail on its way to the backend (a 502/503 carries no signal)
    const unsignalled = await flood(edge, Array.from({ length: 3000 }, (_, i) => `/flood/${i}`), 48);
    expect(unsignalled).toBeLessThan(10);
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
    expect(c["signal:rejected:store-full"], JSON.stringify(c)).toBe(3000 - unsignalled + early.length - used);
    expect(c["rules_evicted"] ?? 0).toBe(0);
  }, 60_000);
});

describe("on_full: evict", () => {
  it("keeps hot rules (any method, a method rule, a prefix rule) through a flood of new ones", async () => {
    const backend = await startBackend({
      "/hot-method": { status: 404, headers: { "Edge-Rule": "block;methods=GET" } },
      "/hot-prefix": { status: 404, headers: { "Edge-Rule": 'block;path="/hot-prefix";prefix;methods=*' } },
      "*": { status: 404, headers: { "X-Edge-Resource": "false" } },
    });
    // about 1,000 new rules a second through 2,000 entries: a true LRU keeps what is hit every 0.3 s
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], maxRules: 2000 });
    const hot = ["/hot-any", "/hot-method", "/hot-prefix/x"];
    for (const p of hot) await edge.get(p);
    const e = edge;
    let stop = false;
    const reached: string[] = [];
    const hitter = (async () => {
      while (!stop) {
        for (const p of hot) if (await reachesBackend(e, backend, p)) reached.push(p);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    let n = 0;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 2 }, async () => {
      while (Date.now() - t0 < 8000) await e.get(`/flood/${n++}`);
    }));
    stop = true;
    await hitter;
    // the flood went through the table many times over, the hot rules never left it
    expect((await edge.counters())["rules_evicted"]).toBeGreaterThan(1000);
    expect(reached).toEqual([]);
  }, 60_000);

  it("evicts the least recently learned first and counts every eviction", async () => {
    const backend = await startBackend({ "*": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    // 1000 entries: HAProxy's own eviction would free (1000 >> 8) + 1 = 4 at a time
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], maxRules: 1000 });
    for (let i = 0; i < 1500; i++) await edge.get(`/seq/${i}`);
    const table = await edge.cli("show table eb_rules_app");
    expect(table).toMatch(/size:1000, used:1000/);
    // one entry per rule: 500 went, and they were the oldest 500
    expect((await edge.counters())["rules_evicted"]).toBe(500);
    for (let i = 500; i < 1500; i++) expect(table, `/seq/${i}`).toContain(`key=/seq/${i} `);
  }, 60_000);
});
