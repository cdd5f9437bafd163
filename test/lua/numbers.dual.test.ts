/** Numbers that become text must be the same text in Node and in blocks.lua (Fengari's integers are 32-bit). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fnv1a32, itoa } from "../../src/core/bytes";
import { bodyId, reasonId, ruleEntry } from "../../src/core/rule";
import { recordCommand } from "../../src/core/journal";
import { entryRecord } from "../../src/core/store-records";
import { byteString } from "../helpers/arb";
import { expectSameInBoth } from "../helpers/dual";

describe("numbers as text: same in both runtimes", () => {
  const labels = fc.sample(byteString(20), { numRuns: 200, seed: 3 });
  it("fnv1a32, reasonId and bodyId", () => {
    expectSameInBoth("core.bytes", "fnv1a32", fnv1a32, labels.map((l) => [l]));
    expectSameInBoth("core.rule", "reasonId", reasonId, labels.map((l) => [l]));
    expectSameInBoth("core.rule", "bodyId", bodyId, labels.map((l) => [l]));
  });
  it("fnv1a32 is FNV-1a (a reference written with 32-bit multiplication), and ids stay the same after the memo of recent labels is emptied", () => {
    const reference = (s: string) => {
      let h = 2166136261;
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ (s.charCodeAt(i) & 255), 16777619) >>> 0;
      return h;
    };
    const many = fc.sample(byteString(12), { numRuns: 700, seed: 5 });
    for (const l of many) expect(fnv1a32(l)).toBe(reference(l));
    // 700 labels: more than the memo keeps, so it is emptied on the way; asked twice, each id is the same
    const first = many.map((l) => reasonId(l));
    expect(many.map((l) => reasonId(l))).toEqual(first);
    expect(first).toEqual(many.map((l) => reference(l) % 16777216));
    expectSameInBoth("core.rule", "reasonId", reasonId, [...many, ...many].map((l) => [l]));
  });
  it("itoa of values above 2^31 (floats in Fengari, integers in HAProxy's Lua)", () => {
    expectSameInBoth("core.bytes", "itoa", itoa, [[0], [7], [2147483647], [2147483648], [4294967295], [1800003600], [fnv1a32("edge-resource")]]);
  });
  it("set table commands", () => {
    const entry = ruleEntry({ status: 451, ttl: 3600, reason: "scanner", dryRun: true, bodyId: bodyId("no"), originServerId: 3 }, 1800000000);
    expectSameInBoth("core.journal", "recordCommand", recordCommand, [[entryRecord("eb_rules_app", "/a b;c", entry)]]);
  });
});
