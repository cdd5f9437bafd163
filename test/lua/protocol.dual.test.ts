import fc from "fast-check";
import { describe, it } from "vitest";
import { formatBlocks, parseEdgeRule, SignalContext } from "../../src/core/protocol";
import { bestSpec, parseRuleKey, ruleKeys } from "../../src/core/rulekey";
import { DEFAULT_SETTINGS } from "../../src/core/settings";
import { byteString } from "../helpers/arb";
import { expectSameInBoth } from "../helpers/dual";
import { blockRule } from "../helpers/rules";

const CTX: SignalContext = { path: "/req", method: "GET", status: 404 };
const S = { ...DEFAULT_SETTINGS, maxSignalBytes: 65536 };

describe("protocol v1: same verdicts in TypeScript and in blocks.lua", () => {
  it("round-trips generated rules identically", () => {
    const rules = fc.sample(fc.array(blockRule, { minLength: 1, maxLength: 3 }), { numRuns: 150, seed: 11 });
    expectSameInBoth("core.protocol", "formatBlocks", formatBlocks, rules.map((r) => [r]));
    expectSameInBoth("core.protocol", "parseEdgeRule", parseEdgeRule, rules.map((r) => [[formatBlocks(r)], CTX, S]) as never);
  });

  it("gives the same verdict on random bytes", () => {
    const lines = fc.sample(fc.array(byteString(50), { maxLength: 2 }), { numRuns: 400, seed: 5 });
    expectSameInBoth("core.protocol", "parseEdgeRule", parseEdgeRule, lines.map((l) => [l, CTX, S]) as never);
  });

  it("gives the same verdict on near-valid mutations", () => {
    const base = 'block;path="/a/b";prefix;methods="GET POST";host="x.example";auth=anon;query="q !t";status=451;body="no";ttl=60;reason=r1;dry-run';
    const muts = fc.sample(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { numRuns: 300, seed: 9 });
    const vectors = muts.map(([i, c]) => [[base.slice(0, i) + String.fromCharCode(c) + base.slice(i + 1)], CTX, S]);
    expectSameInBoth("core.protocol", "parseEdgeRule", parseEdgeRule, vectors as never);
  });

  it("derives the same keys, parses them back the same, and picks the same qualified spec", () => {
    const rules = fc.sample(blockRule, { numRuns: 150, seed: 2 });
    expectSameInBoth("core.rulekey", "ruleKeys", ruleKeys, rules.map((r) => [r.match]));
    expectSameInBoth("core.rulekey", "parseRuleKey", parseRuleKey, rules.flatMap((r) => ruleKeys(r.match).map((k) => [k])));
    const list = "GET~q:debug GET~h:a.example;q:debug *~a:anon POST~q:!token";
    const reqs = [
      { method: "GET", host: "a.example", auth: "anon", queryNames: ["debug"] },
      { method: "GET", host: "b.example", auth: "authed", queryNames: ["debug"] },
      { method: "POST", auth: "authed", queryNames: [] },
      { method: "PUT", auth: "anon", queryNames: ["x"] },
      { method: "PUT", auth: "authed", queryNames: [] },
    ];
    expectSameInBoth("core.rulekey", "bestSpec", bestSpec, reqs.map((r) => [list, r]) as never);
  });
});
