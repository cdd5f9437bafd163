/** The eviction policy (core/eviction.ts) decides the same in both runtimes. */
import { describe, expect, it } from "vitest";
import { evictable, leastRecent, takenByHand } from "../../src/core/eviction";
import { expectSameInBoth } from "../helpers/dual";

const E = (key: string, remainingMs: number, live = 2000000000, ruleExpiry = 2000000000, answer = 404, created = 1800000000, hits = 0) => ({ key, remainingMs, live, answer, ruleExpiry, created, hits });

describe("eviction policy", () => {
  const entries = [E("/rule", 5000), E("/index-only", 5000, 2000000000, 0, 0), E("/index-for-longer", 5000, 2000003600, 2000000000), E("/lifted", 5000, 0, 0)];
  it("takes rules only, never an index that keeps a longer-lived rule reachable", () => {
    expect(expectSameInBoth("core.eviction", "evictable", evictable, entries.map((e) => [e]))).toEqual([true, false, false, false]);
  });
  it("spares an entry used since the hand last passed it, or since its learn", () => {
    const e = E("/r", 1);
    const v = expectSameInBoth("core.eviction", "takenByHand", takenByHand, [
      // first pass: untouched since the recorded learn; hit once; learned again later
      [e, 1800000000, undefined, 0],
      [E("/hit", 1, 2000000000, 2000000000, 404, 1800000000, 1), 1800000000, undefined, 0],
      [E("/again", 1, 2000000000, 2000000000, 404, 1800000100), 1800000000, undefined, 0],
      // later passes: touched 50 s ago, spared 60 s ago (used since: spared again) or 40 s ago (taken)
      [e, 1800000000, 60000, 50000],
      [e, 1800000000, 40000, 50000],
      [E("/index", 1, 2000003600), 1800000000, undefined, 0],
    ]);
    expect(v).toEqual([true, false, false, false, true, false]);
  });
  it("falls back to the least recently touched (ties: the smaller key)", () => {
    const v = expectSameInBoth("core.eviction", "leastRecent", leastRecent, [[[E("/b", 10), E("/a", 10), E("/c", 5, 2000003600)]]]);
    expect(v[0]?.key).toBe("/a");
  });
});
