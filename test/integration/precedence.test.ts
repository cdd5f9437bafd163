/**
 * Verify that `edgeblock rules explain` (core/explain.ts) and the rendered haproxy.cfg agree on every
 * request: random rule sets (exact and prefix, methods, host, auth and query qualifiers, dry-run) are
 * stored as learned rules are, then random requests (spellings, methods, hosts, credentials, query
 * parameters, allowlisted and static paths) go through real HAProxy and through explain. Whatever
 * explain says (block with a status, would-block, pass, allowlisted), HAProxy does.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuleMatch } from "../../src/core/rulekey";
import { explainLive } from "../../src/node/explain";
import { addRule, flushRules, StoreLocation } from "../../src/node/rules";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const PATHS = ["/a", "/a/b", "/a/b/c", "/x", "/static/y", "/legacy"];
const QUALIFIERS: ReadonlyArray<Partial<RuleMatch>> = [{}, {}, {}, { host: "example.com" }, { auth: "anon" }, { auth: "authed" }, { query: [{ name: "debug", present: true }] }, { query: [{ name: "debug", present: false }] }];
const METHODS = [[], [], ["GET", "HEAD"], ["POST"], ["GET", "HEAD", "POST"]];

interface GenRule {
  match: RuleMatch;
  status: number;
  dryRun: boolean;
}
const ruleArb: fc.Arbitrary<GenRule> = fc.record({
  path: fc.constantFrom(...PATHS),
  prefix: fc.boolean(),
  methods: fc.constantFrom(...METHODS),
  q: fc.constantFrom(...QUALIFIERS),
  status: fc.constantFrom(403, 404, 410, 451),
  dryRun: fc.boolean().map((b) => b && Math.random() < 0.2),
}).map(({ path, prefix, methods, q, status, dryRun }) => ({ match: { path, prefix, methods, query: [], ...q }, status, dryRun }));

interface GenRequest {
  method: string;
  path: string;
  host: string;
  authed: boolean;
}
const requestArb: fc.Arbitrary<GenRequest> = fc.record({
  method: fc.constantFrom("GET", "GET", "POST", "HEAD", "PUT"),
  path: fc.constantFrom("/a", "/a/", "//a", "/a/./b", "/a/b", "/a/b/", "/a/b/c", "/a/b/c/d", "/a%2fb", "/%61/b", "/ab", "/x", "/x?debug=1", "/x?other=1&debug", "/static/y", "/static/y/z", "/health", "/legacy", "/old", "/old/"),
  host: fc.constantFrom("example.com", "EXAMPLE.com:8080", "other.org"),
  authed: fc.boolean(),
});

const seed = Date.now() % 1_000_000;
const sets = fc.sample(fc.array(ruleArb, { minLength: 1, maxLength: 8 }), { numRuns: 5, seed });
// every set also meets the allowlisted and static paths, whatever the sample drew
const fixed: GenRequest[] = ["/health", "/static/y/z", "/legacy", "/old"].map((path) => ({ method: "GET", path, host: "example.com", authed: false }));
const requests = [...fc.sample(requestArb, { numRuns: 40, seed: seed + 1 }), ...fixed];

let edge: Edge;
let backend: Backend;
beforeAll(async () => {
  backend = await startBackend({ "*": { status: 200 } });
  edge = await startEdge({
    backends: [{ name: "app", port: backend.port }],
    staticMap: "/legacy 410\n/old\n",
    extraYaml: "allowlist: { exact: [/health], prefix: [/static] }\n",
  });
});
afterAll(stopAll);

const served = async () => Object.values(await backend.hits()).reduce((a, b) => a + b, 0);

describe("explain and the request path", () => {
  it(`agree on every request, for random rule sets (fast-check seed ${seed}: 5 sets, 40 requests each)`, async () => {
    const loc: StoreLocation = { socket: edge.socket, stateDir: edge.config.state.dir, backends: ["app"] };
    const seen = new Set<string>();
    for (const [n, set] of sets.entries()) {
      await flushRules(loc, "app");
      // stored as a learned rule is (core/store-records.ts); an allowlisted path too, which no request may then meet
      for (const r of set) await addRule(loc, { backend: "app", match: r.match, status: r.status, ttl: 600, reason: "prop", dryRun: r.dryRun, body: "" });
      for (const q of requests) {
        const headers: Record<string, string> = { host: q.host, ...(q.authed ? { authorization: "Bearer t" } : {}) };
        const x = await explainLive(edge.config, edge.socket, { method: q.method, url: q.path, headers });
        const before = await served();
        const res = await edge.req(q.method, q.path, headers);
        const reached = (await served()) - before === 1;
        const what = `set ${n} (seed ${seed}) ${JSON.stringify(set)}\n${q.method} ${q.path} host=${q.host} authed=${q.authed}: explain says ${x.verdict} ${x.status ?? ""} (${x.steps.join("; ")})`;
        seen.add(x.verdict);
        if (x.verdict === "block") {
          expect({ status: res.status, reached }, what).toEqual({ status: x.status, reached: false });
        } else {
          expect({ status: res.status, reached }, what).toEqual({ status: 200, reached: true });
        }
      }
    }
    // the sets exercised blocking and passing, and the allowlist
    expect([...seen].sort()).toEqual(expect.arrayContaining(["allowlisted", "block", "pass"]));
  });
});
