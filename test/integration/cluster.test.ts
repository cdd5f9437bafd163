/**
 * A cluster of three edges over HAProxy peers, on loopback: a rule learned, added, removed or
 * switched off on one node holds on every node; a node that starts with an empty state folder
 * catches up from its peers; a stopped node does not stop the others.
 */
import { spawnSync } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend, Edge, freePort, Response, startBackend, startEdge, stopAll, waitFor } from "../helpers/haproxy";

const CLI = path.resolve(__dirname, "../../dist/node/cli.js");
const NAMES = ["na", "nb", "nc"];
/** Replication is asynchronous: how long a node may take to enforce what another learned (the benchmark measures the real figure). */
const CONVERGE_MS = 5000;

let backend: Backend;
let nodes: Edge[];

function eb(on: Edge, args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args, "--config", path.join(on.dir, "edgeblock.yaml")], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The node's answer once it answers `p` itself (the backend not contacted), waiting for replication. */
async function blockedOn(on: Edge, p: string, timeoutMs = CONVERGE_MS): Promise<Response> {
  let last: Response | undefined;
  await waitFor(`${p} blocked on ${on.config.peers?.local}`, async () => {
    const before = (await backend.hits())[p] ?? 0;
    last = await on.get(p);
    return ((await backend.hits())[p] ?? 0) === before;
  }, timeoutMs);
  return last!;
}

/** True once the node passes `p` to the backend. */
async function passedOn(on: Edge, p: string): Promise<void> {
  await waitFor(`${p} passed on ${on.config.peers?.local}`, async () => {
    const before = (await backend.hits())[p] ?? 0;
    await on.get(p);
    return ((await backend.hits())[p] ?? 0) > before;
  }, CONVERGE_MS);
}

beforeAll(async () => {
  backend = await startBackend({
    "/yolo": { status: 200 },
    // only these teach: a request that reaches the backend before a rule replicated must not teach one of its own
    "*": { status: 404 },
    "/yeet": { status: 404, headers: { "X-Edge-Resource": "false" } },
    "/scanned": { status: 404, headers: { "X-Edge-Resource": "false" } },
    "/after-a": { status: 404, headers: { "X-Edge-Resource": "false" } },
    "/p1": { status: 404, headers: { "X-Edge-Resource": "false" } },
    "/p2": { status: 404, headers: { "X-Edge-Resource": "false" } },
    "/p3": { status: 404, headers: { "Edge-Rule": 'block;path="/p3";prefix;status=410;body="partitioned";reason=cut' } },
    ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`/c${i}`, { status: 404, headers: { "X-Edge-Resource": "false" } }])),
    ...Object.fromEntries(
      [0, 1, 2, 3, 4, 5].flatMap((i) => ["a", "b"].map((h) => [`/teach-${h}/${i}`, { status: 404, headers: { "Edge-Rule": `block;path="/q${i}";host="${h}.example.com";status=403` } }])),
    ),
    "/trial": { status: 404, headers: { "Edge-Rule": "block;dry-run;reason=trial" } },
    "/lift": { status: 200, headers: { "Edge-Rule": 'remove;path="/retired2"' } },
    "/admin/x": { status: 404, headers: { "Edge-Rule": 'block;path="/admin";prefix;methods=*;status=403;body="no admin here";reason=scanner' } },
    "/short": { status: 404, headers: { "Edge-Rule": "block;ttl=3;reason=short" } },
  });
  const ports = [await freePort(), await freePort(), await freePort()];
  // every link of nc goes through a relay this test can cut: the others reach nc, and nc reaches them, through it
  const relayTo = async (port: number) => {
    const r = await startRelay(port);
    relays.push(r);
    return r.port;
  };
  const seen: number[][] = [
    [ports[0], ports[1], await relayTo(ports[2])],
    [ports[0], ports[1], await relayTo(ports[2])],
    [await relayTo(ports[0]), await relayTo(ports[1]), ports[2]],
  ];
  nodes = [];
  for (const [i, n] of NAMES.entries()) {
    const list = NAMES.map((m, j) => `{ name: ${m}, address: 127.0.0.1, port: ${seen[i][j]} }`).join(", ");
    nodes.push(await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: `peers: { local: ${n}, nodes: [ ${list} ] }\nstate: { snapshot_interval: 1, sweep_interval: 1 }` }));
  }
});
afterAll(async () => {
  for (const n of nodes ?? []) await n.stop();
  for (const r of relays) await r.close();
  await stopAll();
});

/** A TCP relay on loopback to `port` that can be cut (open links closed, new ones refused) and restored. */
interface Relay {
  readonly port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}
const relays: Relay[] = [];

async function startRelay(target: number): Promise<Relay> {
  const open = new Set<net.Socket>();
  let up = true;
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target, "127.0.0.1");
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  return {
    port,
    cut: () => {
      up = false;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore: () => {
      up = true;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}

describe("a cluster over HAProxy peers", () => {
  it("a rule learned on one node blocks on every node: exact and prefix rules, with their status, body and reason", async () => {
    const [a, b, c] = nodes;
    expect((await a.get("/yolo")).status).toBe(200);
    expect((await a.get("/yeet")).status).toBe(404);
    expect((await a.get("/admin/x")).status).toBe(404);
    for (const n of [b, c]) {
      expect((await blockedOn(n, "/yeet")).status).toBe(404);
      const r = await blockedOn(n, "/admin/panel");
      expect(r.status).toBe(403);
      expect(r.body).toBe("no admin here");
      await n.waitForLog(/"GET \/admin\/panel HTTP\/1\.1" eb_key="\^\/admin" eb_reason=scanner/);
    }
    expect((await backend.hits())["/yeet"]).toBe(1);
    for (const n of nodes) expect(n.luaErrors()).toEqual([]);
  });

  it("a node's compaction keeps the rules other nodes taught it (its own records do not hold them)", async () => {
    const b = nodes[1];
    const before = b.count(/edgeblock: snapshot written/);
    await waitFor("a compaction on nb", () => b.count(/edgeblock: snapshot written/) > before, 5000);
    const hits = (await backend.hits())["/admin/after-compaction"] ?? 0;
    const r = await b.get("/admin/after-compaction");
    expect(r.status).toBe(403);
    expect(r.body).toBe("no admin here");
    expect((await backend.hits())["/admin/after-compaction"] ?? 0).toBe(hits);
  });

  it("a dry-run rule learned on one node is dry-run on every node: matched, logged, let through", async () => {
    const [a, b] = nodes;
    expect((await a.get("/trial")).status).toBe(404);
    await waitFor("/trial on nb", async () => (await b.cli("show table eb_rules_app key /trial")).includes("key=/trial"), CONVERGE_MS);
    await passedOn(b, "/trial");
    // a block member without methods covers GET and HEAD; the reason's name follows through the sync table
    // (a match in the first few ms after the rule arrived logs it as unknown)
    await b.waitForLog(/"GET \/trial HTTP\/1\.1" eb_key="\/trial GET" eb_reason=(trial|unknown) eb_would_block=404/);
  });

  it("qualified rules for one path learned on two nodes at the same moment both hold on every node", async () => {
    const [a, b] = nodes;
    // each node publishes its whole spec list for the path: merged, not the newest alone
    await Promise.all([0, 1, 2, 3, 4, 5].flatMap((i) => [a.get(`/teach-a/${i}`), b.get(`/teach-b/${i}`)]));
    for (const n of nodes) {
      for (const i of [0, 1, 2, 3, 4, 5]) {
        for (const h of ["a", "b"]) {
          await waitFor(`/q${i} for ${h}.example.com blocked on ${n.config.peers?.local}`, async () => (await n.get(`/q${i}`, { host: `${h}.example.com` })).status === 403, CONVERGE_MS);
        }
      }
    }
  });

  it("rules added by the CLI on one node block on every node", async () => {
    const [a, b, c] = nodes;
    const prefix = eb(c, ["rules", "add", "--backend", "app", "--path", "/ops", "--prefix", "--status", "410", "--body", "gone for good", "--reason", "retired"]);
    expect(prefix.err).toBe("");
    expect(prefix.code).toBe(0);
    expect(eb(c, ["rules", "add", "--backend", "app", "--path", "/retired", "--status", "451"]).code).toBe(0);
    for (const n of [a, b]) {
      const res = await blockedOn(n, "/ops/x");
      expect(res.status).toBe(410);
      expect(res.body).toBe("gone for good");
      expect((await blockedOn(n, "/retired")).status).toBe(451);
    }
  });

  it("a removal signal on one node lifts the rule on every node", async () => {
    const [a, b, c] = nodes;
    expect(eb(a, ["rules", "add", "--backend", "app", "--path", "/retired2", "--status", "451"]).code).toBe(0);
    for (const n of [b, c]) expect((await blockedOn(n, "/retired2")).status).toBe(451);
    expect((await c.get("/lift")).status).toBe(200);
    for (const n of nodes) await passedOn(n, "/retired2");
  });

  it("a removal on one node lifts the rule on every node", async () => {
    const b = nodes[1];
    const r = eb(b, ["rules", "remove", "--backend", "app", "/retired", "^/ops"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    for (const n of nodes) {
      await passedOn(n, "/retired");
      await passedOn(n, "/ops/y");
      // and every node still holds the other rules
      expect((await blockedOn(n, "/admin/y")).status).toBe(403);
    }
  });

  it("the kill switch on one node applies to every node", async () => {
    const [a, b, c] = nodes;
    expect(eb(a, ["enforce", "off"]).code).toBe(0);
    for (const n of [b, c]) await passedOn(n, "/admin/z");
    expect(eb(a, ["enforce", "on"]).code).toBe(0);
    for (const n of [b, c]) expect((await blockedOn(n, "/admin/z")).status).toBe(403);
  });

  it("expiry: every node holds the same deadline, and the rule ends everywhere at it", async () => {
    const [a, b, c] = nodes;
    await a.get("/short");
    const deadlines: string[] = [];
    for (const n of nodes) {
      await blockedOn(n, "/short");
      const line = (await n.cli("show table eb_rules_app key /short")).split("\n").find((l) => l.includes("key=/short"));
      deadlines.push(/gpc1=(\d+)/.exec(line ?? "")?.[1] ?? "none");
    }
    expect(deadlines[0]).not.toBe("none");
    expect(new Set(deadlines).size).toBe(1);
    for (const n of [b, c]) await passedOn(n, "/short");
  });

  it("a node restarted with an empty state folder catches up from its peers", async () => {
    const [a, , c] = nodes;
    await a.get("/scanned");
    await blockedOn(c, "/scanned");
    const gaveUp = c.count(/peers did not finish teaching/);
    await c.restart({ emptyState: true });
    const started = Date.now();
    // the others taught it: it did not wait out its bound
    expect(c.count(/peers did not finish teaching/)).toBe(gaveUp);
    // the first requests: a starting node holds requests until its peers taught it (bounded), so none passes unchecked
    const hits = await backend.hits();
    expect((await c.get("/scanned")).status).toBe(404);
    const admin = await c.get("/admin/again");
    expect(admin.status).toBe(403);
    expect(admin.body).toBe("no admin here");
    expect(await backend.hits()).toEqual(hits);
    // a removed rule stays removed on the node that caught up
    await passedOn(c, "/retired");
    await passedOn(c, "/ops/again");
    console.log(`node restarted empty: enforcing what its peers hold after ${Date.now() - started} ms`);
  });

  it("a node restarted with its own older state does not bring back a rule removed while it was down", async () => {
    const [a, b, c] = nodes;
    // the rule is in c's own journal: c's CLI wrote it
    expect(eb(c, ["rules", "add", "--backend", "app", "--path", "/stale", "--status", "451"]).code).toBe(0);
    for (const n of [a, b]) expect((await blockedOn(n, "/stale")).status).toBe(451);
    await c.restart({
      whileDown: async () => {
        // stamps are whole seconds: the removal is later than c's record
        await new Promise((r) => setTimeout(r, 1100));
        expect(eb(a, ["rules", "remove", "--backend", "app", "/stale"]).code).toBe(0);
        await passedOn(b, "/stale");
        // sweeps run on a and b meanwhile (state.sweep_interval: 1)
        await new Promise((r) => setTimeout(r, 2500));
      },
    });
    expect(c.count(/peers did not finish teaching/)).toBe(0);
    for (const n of [c, a, b]) await passedOn(n, "/stale");
    // and it stays lifted: c's own record did not travel to the others after its load
    await new Promise((r) => setTimeout(r, 500));
    for (const n of nodes) {
      const before = (await backend.hits())["/stale"] ?? 0;
      await n.get("/stale");
      expect((await backend.hits())["/stale"]).toBe(before + 1);
    }
  });

  it("a node cut off from its peers while another learns converges once its links are back", async () => {
    const [a, b, c] = nodes;
    for (const r of relays) r.cut();
    await waitFor("nc sees no peer", async () => !/connected,/.test(eb(c, ["status"]).out), 10_000);
    for (const p of ["/p1", "/p2", "/p3"]) expect((await a.get(p)).status).toBe(404);
    await blockedOn(b, "/p1");
    // nc has none of them meanwhile (asking nc itself would teach it through its own backend)
    await new Promise((r) => setTimeout(r, 300));
    expect(await c.cli("show table eb_rules_app key /p1")).not.toContain("key=/p1");
    for (const r of relays) r.restore();
    const back = Date.now();
    // HAProxy retries a lost peer link every 5 s
    expect((await blockedOn(c, "/p1", 12_000)).status).toBe(404);
    expect((await blockedOn(c, "/p2")).status).toBe(404);
    const p3 = await blockedOn(c, "/p3/x");
    expect(p3.status).toBe(410);
    expect(p3.body).toBe("partitioned");
    console.log(`partition healed: nc enforcing what it missed after ${Date.now() - back} ms`);
    type Status = { cluster: { node: string; peers: { name: string; connected: boolean }[] } };
    const st = JSON.parse(eb(c, ["status", "--json"]).out) as Status;
    expect(st.cluster.node).toBe("nc");
    expect(st.cluster.peers.map((p) => p.name).sort()).toEqual(["na", "nb"]);
    await waitFor("nc linked again", () => (JSON.parse(eb(c, ["status", "--json"]).out) as Status).cluster.peers.every((p) => p.connected), 10_000);
    expect(eb(c, ["status"]).out).toMatch(/^  peer na 127\.0\.0\.1:\d+: connected, last handshake \S+ ago$/m);
  });

  it("every node reloaded in turn under load: no request fails, no rule is lost", async () => {
    const [a] = nodes;
    for (let i = 0; i < 30; i++) await a.get(`/c${i}`);
    for (const n of nodes) for (let i = 0; i < 30; i++) await blockedOn(n, `/c${i}`);
    let failed = 0;
    let done = 0;
    let stop = false;
    const deadline = Date.now() + 20_000;
    // bounded loopback load: 6 loops over the three nodes, each stops at the deadline or when told to
    const worker = async (w: number) => {
      for (let i = 0; !stop && Date.now() < deadline; i++) {
        const n = nodes[(w + i) % 3];
        const p = i % 2 === 0 ? "/yolo" : `/c${(w * 7 + i) % 30}`;
        try {
          const r = await n.get(p);
          if (r.status !== (p === "/yolo" ? 200 : 404)) failed++;
        } catch {
          failed++;
        }
        done++;
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
    for (const n of nodes) {
      await new Promise((r) => setTimeout(r, 300));
      await n.reload();
    }
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await load;
    expect(done).toBeGreaterThan(100);
    expect(failed).toBe(0);
    const hits = await backend.hits();
    for (let i = 0; i < 30; i++) expect(hits[`/c${i}`], `/c${i}`).toBe(1);
    for (const n of nodes) expect(n.luaErrors()).toEqual([]);
  });

  it("a stopped node does not stop the others: they keep enforcing and keep learning from each other", async () => {
    const [a, b, c] = nodes;
    await a.stop();
    expect((await blockedOn(b, "/admin/still")).status).toBe(403);
    expect((await blockedOn(c, "/yeet")).status).toBe(404);
    await b.get("/after-a");
    expect((await blockedOn(c, "/after-a")).status).toBe(404);
  });

  it("a flush on one node lifts every rule on the others", async () => {
    const [, b, c] = nodes;
    const before = JSON.parse(eb(c, ["rules", "list", "--json"]).out) as unknown[];
    expect(before.length).toBeGreaterThan(30);
    const r = eb(b, ["rules", "flush", "--backend", "app"]);
    expect(r.code).toBe(0);
    await waitFor("nc holding no rule", async () => (JSON.parse(eb(c, ["rules", "list", "--json"]).out) as unknown[]).length === 0, 10_000);
    await passedOn(c, "/c3");
    await passedOn(c, "/admin/flushed");
  });
});
