/**
 * Verify that `edgeblock rules add` stores exactly the rule a backend's equivalent signal teaches: random
 * operator inputs go through the CLI into one backend's table, and the same parameters as an Edge-Rule
 * header through a real HAProxy's learn path into another's; both accept or refuse alike (with the same
 * reason), and the stored rules are the same. One validator: core/protocol.ts operatorBlock.
 */
import fc from "fast-check";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mainAsync } from "../../src/node/cli";
import { listRules, Rule } from "../../src/node/rules";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

interface Input {
  path: string;
  prefix: boolean;
  methods?: string;
  host?: string;
  auth?: string;
  query?: string;
  status?: number;
  ttl?: number;
  reason: string;
  body?: string;
  dryRun: boolean;
}

/** Mostly values the edge accepts, sometimes one it refuses: both outcomes are compared. */
const mostly = <T>(good: T[], bad: T[]) => fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const input: fc.Arbitrary<Input> = fc.record(
  {
    // spellings that normalise (case_insensitive: true below), and some that cannot be rules
    path: mostly(["/Admin", "/admin/", "//admin/./x", "/a%2Fb", "/%7Euser", "/x/../y", "/API/v1"], ["/health/x", "relative", "/café", "/a b"]),
    prefix: fc.boolean(),
    methods: mostly(["*", "GET", "post put", "GET,DELETE"], ["BREW!"]),
    host: mostly(["Example.COM", "api.example.com:8443"], ["bad host"]),
    auth: mostly(["anon", "authed", "any"], ["maybe"]),
    query: mostly(["debug", "!token debug"], ["a=b"]),
    status: mostly([403, 404, 410, 451], [402, 302, 599]),
    ttl: mostly([1, 60, 604800, 99999999], [0]),
    reason: mostly(["operator", "scanner", "ops.v2"], ["Bad Label"]),
    body: mostly(["nope", ""], ["tab\there"]),
    dryRun: fc.boolean(),
  },
  { requiredKeys: ["path", "prefix", "reason", "dryRun"] },
);

const q = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** The Edge-Rule member a backend would send for the same parameters (methods=* when the operator gave none: any method; the CLI also splits methods on commas). */
function signalOf(i: Input): string {
  let h = `block;path=${q(i.path)}`;
  if (i.prefix) h += ";prefix";
  h += `;methods=${q((i.methods ?? "*").replace(/,/g, " "))}`;
  if (i.host !== undefined) h += `;host=${q(i.host)}`;
  if (i.auth !== undefined) h += `;auth=${q(i.auth)}`;
  if (i.query !== undefined) h += `;query=${q(i.query)}`;
  if (i.status !== undefined) h += `;status=${i.status}`;
  if (i.ttl !== undefined) h += `;ttl=${i.ttl}`;
  h += `;reason=${q(i.reason)}`;
  if (i.body !== undefined) h += `;body=${q(i.body)}`;
  if (i.dryRun) h += ";dry-run";
  return h;
}

function argsOf(i: Input): string[] {
  const a = ["rules", "add", "--backend", "ops", "--path", i.path, "--reason", i.reason];
  if (i.prefix) a.push("--prefix");
  for (const [opt, v] of [["--methods", i.methods], ["--host", i.host], ["--auth", i.auth], ["--query", i.query], ["--body", i.body]] as const) if (v !== undefined) a.push(opt, v);
  if (i.status !== undefined) a.push("--status", String(i.status));
  if (i.ttl !== undefined) a.push("--ttl", String(i.ttl));
  if (i.dryRun) a.push("--dry-run");
  return a;
}

/** What a stored rule is, whoever taught it: everything but its backend, origin, creation time and hits. */
const comparable = (r: Rule) => ({ key: r.key, match: r.match, status: r.status, body: r.body, reason: r.reason, mode: r.mode });
/** Expiry rounds up to the next second from the moment of the add (core/rule.ts): its TTL, or one second more when the add was not on a whole second. */
const span = (r: Rule) => r.expires - r.created;

const seed = Date.now() % 1_000_000;
const cases = fc.sample(input, { numRuns: 40, seed });
let edge: Edge;
let backend: Backend;

beforeAll(async () => {
  const routes = Object.fromEntries(cases.map((c, i) => [`/t${i}`, { status: 404, headers: { "Edge-Rule": signalOf(c) } }]));
  backend = await startBackend(routes);
  // both backends are trusted; every request goes to app (the first), ops only gets the CLI's rules
  edge = await startEdge({
    backends: [
      { name: "app", port: backend.port },
      { name: "ops", port: backend.port },
    ],
    extraYaml: "paths: { case_insensitive: true }\nallowlist: { prefix: [/health] }\n",
  });
});
afterAll(stopAll);

describe("rules add and the equivalent signal", () => {
  it(`accept, refuse and store alike (fast-check seed ${seed}, 40 cases)`, async () => {
    const cfg = path.join(edge.dir, "edgeblock.yaml");
    const loc = { socket: edge.socket, stateDir: edge.config.state.dir };
    const outcomes: string[] = [];
    for (const [i, c] of cases.entries()) {
      const what = `case ${i} (seed ${seed}): ${signalOf(c)}`;
      await edge.get(`/t${i}`);
      // the access log line of that response says what the learn path made of the signal
      const line = new RegExp(`"GET /t${i} HTTP/1.1" .*eb_signal=([a-z]+):(\\S+)`);
      await edge.waitForLog(line, 3000);
      const [, outcome, reason] = line.exec(edge.logs())!;
      let err = "";
      const code = await mainAsync([...argsOf(c), "--config", cfg], { out: () => undefined, err: (s) => (err += s) });
      outcomes.push(outcome);
      if (code === 0) expect(`${outcome}`, `${what}: the CLI accepted it (${err})`).toBe("learned");
      else {
        expect(code, `${what}: ${err}`).toBe(2);
        expect(`${outcome}:${reason}`, `${what}: ${err}`).toBe(`rejected:${/^edgeblock rules add: ([a-z-]+): /m.exec(err)?.[1]}`);
      }
      const appRules = await listRules({ ...loc, backends: ["app"] });
      const opsRules = await listRules({ ...loc, backends: ["ops"] });
      expect(opsRules.map(comparable), what).toEqual(appRules.map(comparable));
      // an add at exactly .000 s keeps its TTL, any other rounds up one second: the CLI clock has milliseconds (1 add in 1000), the edge microseconds
      opsRules.forEach((r, k) => expect(Math.abs(span(r) - span(appRules[k])), `${what}: ${r.key} lives ${span(r)} s, ${span(appRules[k])} s when learned`).toBeLessThanOrEqual(1));
    }
    // both sides of the comparison were exercised
    expect(outcomes.filter((o) => o === "learned").length).toBeGreaterThan(2);
    expect(outcomes.filter((o) => o === "rejected").length).toBeGreaterThan(2);
  });
});

describe("rules add with the edge's own normalisation", () => {
  it("stores /Admin as /admin under case_insensitive, so both spellings are blocked", async () => {
    const cfg = path.join(edge.dir, "edgeblock.yaml");
    let err = "";
    const code = await mainAsync(["rules", "add", "--backend", "app", "--path", "/Admin/Panel", "--status", "403", "--config", cfg], { out: () => undefined, err: (s) => (err += s) });
    expect(code, err).toBe(0);
    const keys = (await listRules({ socket: edge.socket, stateDir: edge.config.state.dir, backends: ["app"] })).map((r) => r.key);
    expect(keys).toContain("/admin/panel");
    expect(keys).not.toContain("/Admin/Panel");
    for (const p of ["/Admin/Panel", "/admin/panel", "/ADMIN/panel"]) expect((await edge.get(p)).status, p).toBe(403);
    expect((await backend.hits())["/Admin/Panel"]).toBeUndefined();
  });
});
