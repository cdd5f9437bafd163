/**
 * Soak: reloads while learning (crashes, lost rules), the store cap under a threaded flood (overruns,
 * evicted earlier rules), hot rules under an evicting flood, and startup time across frequent
 * reloads. Bounded: each scenario runs for SOAK_SECONDS / 4 (default 120 s in all). Prints counts and
 * fails on any crash, lost rule or cap overrun.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseTableLine } from "../../src/core/runtime-cmd";
import { haproxyVersion } from "../../src/node/haproxy-bin";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const TOTAL = Number(process.env.SOAK_SECONDS ?? 120);
const EACH_MS = (TOTAL / 4) * 1000;
const results: Record<string, Record<string, number>> = {};

let edge: Edge | undefined;
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
});
afterAll(async () => {
  await stopAll();
  process.stdout.write(`\nsoak results (${TOTAL} s in all)\n`);
  for (const [name, r] of Object.entries(results)) process.stdout.write(`  ${name}: ${Object.entries(r).map(([k, v]) => `${k}=${v}`).join(" ")}\n`);
});

const SIGNAL = { "*": { status: 404, headers: { "X-Edge-Resource": "false" } } };

async function tableKeys(e: Edge): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const line of (await e.cli("show table eb_rules_app")).split("\n")) {
    const t = parseTableLine(line);
    if (t) keys.add(t.key);
  }
  return keys;
}

/** Requests from `workers` loops until `until`; returns the paths answered and the failures. */
async function load(e: Edge, workers: number, until: number, next: () => string): Promise<{ answered: string[]; failed: number }> {
  const answered: string[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < until) {
        const p = next();
        try {
          const r = await e.get(p);
          if (r.status === 404) answered.push(p);
          else failed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { answered, failed };
}

/**
 * HAProxy 2.6.10 to 2.6.13 (Debian bookworm ships 2.6.12) can crash at the very end of an old worker's exit,
 * in deinit, after it served everything (haproxy/haproxy#2114, fixed in 2.6.14 by b983145): counted apart.
 */
const v = haproxyVersion();
const patch = Number(/^\d+\.\d+\.(\d+)/.exec(v?.full ?? "")?.[1] ?? -1);
const exitCrashBug = v?.branch === "2.6" && patch >= 10 && patch <= 13;

/** Workers that crashed: every one, and those that are not HAProxy's known exit crash. */
function crashes(e: Edge): { all: number; ours: number } {
  const lines = e.logs().split("\n").filter((l) => /exited with code (1[2-9][0-9]|139)/.test(l) && !/code 143/.test(l));
  for (const l of lines) process.stdout.write(`crash: ${l}\n`);
  const ours = lines.filter((l) => !(exitCrashBug && /Former worker .* exited with code 139/.test(l)));
  return { all: lines.length, ours: ours.length };
}

describe("soak", () => {
  it("2: reloads about 2 s apart while learning: no worker crashes, no rule whose response reached the client is lost", async () => {
    const backend = await startBackend(SIGNAL);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    let n = 0;
    const until = Date.now() + EACH_MS;
    const e = edge;
    let reloads = 0;
    const reloader = (async () => {
      while (Date.now() < until - 2000) {
        await new Promise((r) => setTimeout(r, 2000));
        await e.reload();
        reloads++;
      }
    })();
    const r = await load(e, 8, until, () => `/learn/${n++}`);
    await reloader;
    await new Promise((res) => setTimeout(res, 2000));
    const keys = await tableKeys(e);
    const lost = r.answered.filter((p) => !keys.has(p)).length;
    const c = crashes(e);
    results["2 reload while learning"] = { reloads, answered: r.answered.length, failed: r.failed, lost, crashes: c.all, knownExitCrashes: c.all - c.ours };
    expect(c.ours).toBe(0);
    expect(r.failed).toBe(0);
    expect(lost).toBe(0);
  });

  it("4: on_full refuse under a threaded flood: no earlier rule is evicted, the cap is never overrun", async () => {
    const backend: Backend = await startBackend(SIGNAL);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], maxRules: 1000, threads: 4, luaLoad: "per-thread", extraYaml: "rules: { on_full: refuse }\n" });
    const early = Array.from({ length: 50 }, (_, i) => `/early/${i}`);
    for (const p of early) await edge.get(p);
    let n = 0;
    let overruns = 0;
    const e = edge;
    const until = Date.now() + EACH_MS;
    const watcher = (async () => {
      while (Date.now() < until) {
        const used = Number(/used:(\d+)/.exec(await e.cli("show table eb_rules_app"))?.[1] ?? 0);
        if (used > 1000) overruns++;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const r = await load(e, 32, until, () => `/flood/${n++}`);
    await watcher;
    const keys = await tableKeys(e);
    const earlyLost = early.filter((p) => !keys.has(p)).length;
    results["4 refuse flood"] = { signals: r.answered.length, earlyLost, overruns, crashes: crashes(e).all };
    expect(earlyLost).toBe(0);
    expect(overruns).toBe(0);
  });

  it("5: on_full evict under a flood: hot rules stay, and every eviction is counted", async () => {
    const backend = await startBackend({ "/hot-m": { status: 404, headers: { "Edge-Rule": "block;methods=GET" } }, ...SIGNAL });
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], maxRules: 5000 });
    const hot = ["/hot-a", "/hot-m"];
    for (const p of hot) await edge.get(p);
    const e = edge;
    const until = Date.now() + EACH_MS;
    let hotLost = 0;
    const hitter = (async () => {
      while (Date.now() < until) {
        for (const p of hot) {
          const before = (await backend.hits())[p] ?? 0;
          await e.get(p);
          if (((await backend.hits())[p] ?? 0) > before) hotLost++;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    let n = 0;
    const r = await load(e, 2, until, () => `/flood/${n++}`);
    await hitter;
    const c = await e.counters();
    const used = (await tableKeys(e)).size;
    // every entry written is still there, or was evicted or expired: nothing vanished uncounted
    const written = (c["rules_learned:edge-resource"] ?? 0) + 3;
    results["5 evict flood"] = { signals: r.answered.length, evicted: c["rules_evicted"] ?? 0, used, hotLost, unaccounted: written - used - (c["rules_evicted"] ?? 0) - (c["rules_expired"] ?? 0) };
    expect(hotLost).toBe(0);
    expect(written - used - (c["rules_evicted"] ?? 0) - (c["rules_expired"] ?? 0)).toBe(0);
  });

  it("11: reloads more often than snapshot_interval: compaction keeps its schedule and startup stays flat", async () => {
    const backend = await startBackend(SIGNAL);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "state: { snapshot_interval: 5 }\n" });
    const e = edge;
    const until = Date.now() + EACH_MS;
    let n = 0;
    const startups: number[] = [];
    while (Date.now() < until) {
      await load(e, 4, Date.now() + 1500, () => `/r/${n++}`);
      const t0 = Date.now();
      await e.reload();
      startups.push(Date.now() - t0);
    }
    const c = await e.counters();
    const first = startups.slice(0, 3).reduce((a, b) => a + b, 0) / Math.min(3, startups.length);
    const last = startups.slice(-3).reduce((a, b) => a + b, 0) / Math.min(3, startups.length);
    results["11 frequent reloads"] = { reloads: startups.length, rules: n, firstStartupMs: Math.round(first), lastStartupMs: Math.round(last), readyTimeouts: c["ready_timeouts"] ?? 0, snapshots: (e.logs().match(/edgeblock: snapshot written/g) ?? []).length };
    expect(c["ready_timeouts"] ?? 0).toBe(0);
    expect(last).toBeLessThan(Math.max(3 * first, first + 2000));
  });
});
