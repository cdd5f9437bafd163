/**
 * Rule lifecycle on a real HAProxy: expiry without reload, operator removal,
 * survival across reloads and restarts, corrupt state, and the kill switch.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Backend, Edge, request, startBackend, startEdge, stopAll, waitFor } from "../helpers/haproxy";
import { atLeast, haproxyVersion } from "../../src/node/haproxy-bin";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "dist/node/cli.js");

const ROUTES = {
  "/short": { status: 404, headers: { "Edge-Rule": "block;methods=*;ttl=2" } },
  "*": { status: 404, headers: { "X-Edge-Resource": "false" } },
  "/ok": { status: 200, body: "ok\n" },
};

function edgeblock(edge: Edge, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args, "--config", path.join(edge.dir, "edgeblock.yaml")], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function blocked(edge: Edge, backend: Backend, p: string): Promise<boolean> {
  const before = (await backend.hits())[p] ?? 0;
  await edge.get(p);
  return ((await backend.hits())[p] ?? 0) === before;
}

let edge: Edge | undefined;
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
});
afterAll(stopAll);

describe("expiry", () => {
  it("stops matching at expiry within 1 s, with no reload, and frees the entry", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "state: { sweep_interval: 1 }\n" });
    await edge.get("/short");
    const learnedAt = Date.now();
    expect(await blocked(edge, backend, "/short")).toBe(true);
    // TTL 2 s, rounded up to the next second: the rule must be gone within 1 s of its nominal expiry
    await new Promise((r) => setTimeout(r, Math.max(0, learnedAt + 3000 - Date.now())));
    expect(await blocked(edge, backend, "/short")).toBe(false);
    // the answer to that request taught the rule again (about 3 s to live); the sweeper (every 1 s) must free it
    const e = edge;
    await waitFor("the entry swept", async () => !(await e.cli("show table eb_rules_app")).includes("key=/short "), 8000);
    expect((await edge.counters())["rules_expired"]).toBeGreaterThanOrEqual(1);
  });
});

describe("expiry in a big table", () => {
  it("frees expired entries key by key after a snapshot, with no table walk, above state.walk_limit", async () => {
    const routes: Record<string, { status: number; headers: Record<string, string> }> = { "*": { status: 404, headers: { "X-Edge-Resource": "false" } } };
    for (let i = 1; i <= 5; i++) routes[`/s${i}`] = { status: 404, headers: { "Edge-Rule": "block;methods=*;ttl=1" } };
    const backend = await startBackend(routes);
    // walk_limit 2: these tables count as big, so only compaction's list of expired keys may free entries
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "state: { sweep_interval: 1, snapshot_interval: 1, walk_limit: 2 }\n" });
    await edge.get("/keep");
    for (let i = 1; i <= 5; i++) await edge.get(`/s${i}`);
    expect(Number(/used:(\d+)/.exec(await edge.cli("show table eb_rules_app"))![1])).toBe(6);
    const e = edge;
    const freed = () => [...e.logs().matchAll(/edgeblock: snapshot written .*expired_freed=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    await waitFor("expired entries freed", () => freed() >= 5, 8000);
    // every one of them was freed by name: a walk would have left nothing for the keyed clears
    expect(freed()).toBe(5);
    const table = await edge.cli("show table eb_rules_app");
    expect(table).toMatch(/used:1\b/);
    expect(table).toContain("key=/keep ");
    expect(await blocked(edge, backend, "/keep")).toBe(true);
    expect((await edge.counters())["rules_expired"]).toBe(5);
    expect(edge.luaErrors()).toEqual([]);
  });
});

describe("bounded maps", () => {
  it("drops prefix, qualified-spec, body and reason entries once their rules are gone, even in a quiet store", async () => {
    const backend = await startBackend({
      "/pfx": { status: 404, headers: { "Edge-Rule": 'block;path="/pfx";prefix;methods=*;ttl=1;reason=shortlived;body="gone soon"' } },
      "/q": { status: 404, headers: { "Edge-Rule": 'block;methods=*;query="debug";ttl=1' } },
    });
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "state: { sweep_interval: 1, snapshot_interval: 1 }\n" });
    await edge.get("/pfx");
    await edge.get("/q");
    expect(await edge.cli("show map eb_prefix_app.map")).toContain("/pfx/ ^/pfx");
    expect(await edge.cli("show map eb_qual_app.map")).toContain("/q GET~q:debug".replace("GET", "*"));
    expect(await edge.cli("show map eb_bodies.map")).toContain("gone soon");
    // nothing else is learned: the store must still be compacted once these rules expire (ttl 1 s)
    const e = edge;
    // the two rules may be learned in different seconds: wait for the later one's compaction too
    const pruned = async () =>
      (await e.cli("show map eb_prefix_app.map")).trim() === "" &&
      (await e.cli("show map eb_qual_app.map")).trim() === "" &&
      !(await e.cli("show map eb_bodies.map")).includes("gone soon");
    await waitFor("map entries pruned", pruned, 8000);
    expect((await edge.cli("show map eb_prefix_app.map")).trim()).toBe("");
    expect((await edge.cli("show map eb_qual_app.map")).trim()).toBe("");
    expect(await edge.cli("show map eb_bodies.map")).not.toContain("gone soon");
    expect(await edge.cli("show map eb_reasons.map")).not.toContain("shortlived");
    expect(edge.luaErrors()).toEqual([]);
  });
});

describe("operator removal", () => {
  it("edgeblock rules remove lifts a rule at runtime, and it stays lifted after a reload", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    await edge.get("/gone-soon");
    expect(await blocked(edge, backend, "/gone-soon")).toBe(true);
    const r = edgeblock(edge, "rules", "remove", "--backend", "app", "/gone-soon");
    expect(r.err).toBe("");
    expect(r.out).toBe("removed 1 rule(s)\n");
    expect(r.code).toBe(0);
    expect(await blocked(edge, backend, "/gone-soon")).toBe(false);
    // that request taught it again (the backend still signals); remove it again, then reload
    expect(edgeblock(edge, "rules", "remove", "--backend", "app", "/gone-soon").code).toBe(0);
    await edge.reload();
    expect(await blocked(edge, backend, "/gone-soon")).toBe(false);
  });
});

describe.each([
  { mode: "master-worker (-W, kill -USR2)", masterWorker: true },
  { mode: "standalone (-sf <oldpid>)", masterWorker: false },
])("survival across a graceful reload: $mode", ({ masterWorker }) => {
  it("keeps every valid rule, brings back no expired one, loses nothing learned during the reload", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], masterWorker, extraYaml: "state: { snapshot_interval: 1 }\n" });
    for (let i = 0; i < 20; i++) await edge.get(`/r${i}`);
    await edge.get("/short");
    await new Promise((r) => setTimeout(r, 1500)); // let a snapshot happen, so both snapshot and journal are used
    for (let i = 20; i < 30; i++) await edge.get(`/r${i}`);
    await new Promise((r) => setTimeout(r, 1600)); // /short (ttl 2) has expired now
    await edge.reload();
    for (let i = 0; i < 30; i++) expect(await blocked(edge, backend, `/r${i}`), `/r${i}`).toBe(true);
    // 3.0+ hands the old table over through the local peer, possibly after the new process's first sweep: the next one (2 s after its start) frees it
    const e = edge;
    await waitFor("the expired rule freed", async () => !/key=\/short /.test(await e.cli("show table eb_rules_app")), 6000);
    expect(edge.luaErrors()).toEqual([]);
  });
});

describe("survival across a full stop and start", () => {
  it("reloads the rules from the state folder", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    for (let i = 0; i < 10; i++) await edge.get(`/s${i}`);
    await edge.restart();
    for (let i = 0; i < 10; i++) expect(await blocked(edge, backend, `/s${i}`), `/s${i}`).toBe(true);
  });

  it("keeps thousands of rules across a snapshot and a restart, which sends them from the snapshot's commands file (snapshots never read the live tables)", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "state: { snapshot_interval: 1 }\n" });
    // ~100 bytes per entry in `show table`: far beyond the 16 kB a Lua cosocket could read
    const N = 1000;
    for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => edge!.get(`/bulk/${i + j}`)));
    // every rule, plus the reasons map entry they share
    const { waitFor } = await import("../helpers/haproxy");
    await waitFor("a snapshot with every rule", () => [...edge!.logs().matchAll(/snapshot written records=(\d+)/g)].some((m) => Number(m[1]) >= N + 1), 45_000);
    await edge.restart();
    await edge.waitForLog(/edgeblock: state loaded applied=\d+ expired_skipped=\d+ corrupt=0 snapshot=commands/);
    expect(Number(/used:(\d+)/.exec(await edge.cli("show table eb_rules_app"))![1])).toBe(N);
    for (const i of [0, 777, N - 1]) expect(await blocked(edge, backend, `/bulk/${i}`), `/bulk/${i}`).toBe(true);
  }, 90_000);

  it("skips corrupt and truncated state lines, reports them, and keeps the good ones", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    await edge.get("/good1");
    await edge.get("/good2");
    const journal = path.join(edge.dir, "state/rules.journal");
    const good = readFileSync(journal, "utf8");
    writeFileSync(journal, "garbage line\nT\tx\teb_rules_app\t/bad\tgpt0=notanumber\n" + good + "T\t1\teb_rules_app\t/truncated\tgpt0=99");
    appendFileSync(journal, "");
    await edge.restart();
    expect(await blocked(edge, backend, "/good1")).toBe(true);
    expect(await blocked(edge, backend, "/good2")).toBe(true);
    await edge.waitForLog(/edgeblock: state line skipped file=state\/rules.journal line=1 detail=unknown_record_type/);
    await edge.waitForLog(/edgeblock: state loaded applied=\d+ expired_skipped=\d+ corrupt=2/);
    expect(edge.luaErrors()).toEqual([]);
  });

  it("reports a corrupt snapshot line found while compacting, leaves it out, and keeps the rules", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "state: { snapshot_interval: 1 }\n" });
    await edge.get("/good1");
    const snap = path.join(edge.dir, "state/rules.snapshot");
    const e = edge;
    // a settled store: /good1 is in the snapshot and no compaction is under way (none pending either)
    const settled = () => {
      const journal = path.join(e.dir, "state/rules.journal");
      return existsSync(snap) && readFileSync(snap, "utf8").includes("/good1") && !existsSync(journal + ".old") && (!existsSync(journal) || readFileSync(journal, "utf8") === "");
    };
    await waitFor("a settled snapshot", settled, 8000);
    appendFileSync(snap, "T\tx\teb_rules_app\t/bad\tgpt0=notanumber\nnonsense\n");
    await edge.get("/good2"); // a learn: the next compaction reads the snapshot again
    await edge.waitForLog(/edgeblock: state line skipped file=state\/rules.snapshot line=\d+ detail=bad_field/, 8000);
    await edge.waitForLog(/edgeblock: state line skipped file=state\/rules.snapshot line=\d+ detail=unknown_record_type/, 8000);
    await waitFor("a clean snapshot", () => !readFileSync(snap, "utf8").includes("nonsense"), 8000);
    await edge.restart();
    expect(await blocked(edge, backend, "/good1")).toBe(true);
    expect(await blocked(edge, backend, "/good2")).toBe(true);
    expect(edge.luaErrors()).toEqual([]);
  });
});

describe("reload under load", () => {
  it("serves every request and keeps every rule while reloading twice", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    for (let i = 0; i < 50; i++) await edge.get(`/l${i}`);
    let failed = 0;
    let done = 0;
    let stop = false;
    const deadline = Date.now() + 8000;
    // bounded loopback load: 8 concurrent loops, each stops at the deadline or when told to
    const worker = async (w: number) => {
      let i = 0;
      while (!stop && Date.now() < deadline) {
        const p = i % 2 === 0 ? "/ok" : `/l${(w * 7 + i) % 50}`;
        try {
          const r = await request(edge!.port, "GET", p);
          if (r.status !== (p === "/ok" ? 200 : 404)) failed++;
        } catch {
          failed++;
        }
        done++;
        i++;
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    await new Promise((r) => setTimeout(r, 500));
    await edge.reload();
    await new Promise((r) => setTimeout(r, 500));
    await edge.reload();
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await load;
    expect(done).toBeGreaterThan(100);
    expect(failed).toBe(0);
    const hits = await backend.hits();
    for (let i = 0; i < 50; i++) expect(hits[`/l${i}`], `/l${i}`).toBe(1);
  });
});

describe("kill switch", () => {
  it("edgeblock enforce off disables blocking without a reload; on re-enables it; it survives a reload", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    await edge.get("/k");
    expect(await blocked(edge, backend, "/k")).toBe(true);
    expect(edgeblock(edge, "enforce", "off").code).toBe(0);
    expect(await blocked(edge, backend, "/k")).toBe(false);
    await edge.waitForLog(/"GET \/k HTTP\/1.1" eb_key="\/k" eb_reason=edge-resource eb_would_block=404/);
    await edge.reload();
    expect(await blocked(edge, backend, "/k")).toBe(false);
    expect(edgeblock(edge, "enforce", "on").code).toBe(0);
    expect(await blocked(edge, backend, "/k")).toBe(true);
  });
});

describe("journal writers", () => {
  it("marks journal lines with the worker's own pid, so a reload's new worker does not take the old one's handed-over lines for its own", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    await edge.get("/k");
    const workerPid = /^Pid: (\d+)/m.exec(await edge.cli("show info"))![1];
    const stateDir = path.resolve(edge.dir, edge.config.state.dir);
    const writers = new Set(readFileSync(path.join(stateDir, "rules.journal"), "utf8").split("\n").filter((l) => l.startsWith("T\t") || l.startsWith("M\t")).map((l) => l.split("\t")[1]));
    expect([...writers]).toEqual([workerPid]);
    expect(workerPid).not.toBe(String(edge.pid));
  });
});

describe("reload hand-over through the local peer", () => {
  it("hands the kill switch to the new process on 3.0+, with no state folder to replay (2.6 cannot: it needs state.dir)", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "state: { dir: none }\n" });
    await edge.get("/ks");
    expect(await blocked(edge, backend, "/ks")).toBe(true);
    expect(edgeblock(edge, "enforce", "off").code).toBe(0);
    await edge.reload();
    const handedOver = atLeast(haproxyVersion(), 3, 0);
    // with the switch handed over the rule only counts; without it, the rule (handed over too on 3.0+) blocks
    if (handedOver) expect(await blocked(edge, backend, "/ks")).toBe(false);
    expect((await edge.cli("show table eb_ctl")).includes("key=enforcement_off")).toBe(handedOver);
  });

  it("carries the rule tables to the new process on 3.0+, with no state folder to replay (2.6 cannot: its rules need state.dir)", async () => {
    const backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: "state: { dir: none }\n" });
    await edge.get("/handed-over");
    expect(await blocked(edge, backend, "/handed-over")).toBe(true);
    await edge.reload();
    // [T] 2.6.12 drops the tables at a reload even with a local peer; 3.0.11, 3.2.26 and 3.4.7 hand them over
    expect(await blocked(edge, backend, "/handed-over")).toBe(atLeast(haproxyVersion(), 3, 0));
  });
});
