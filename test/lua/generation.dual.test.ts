/**
 * Deploy generations (core/generation.ts): which tokens are accepted, the writes that make one current,
 * when a rule is stale, and the creation second a signal under the current generation gets, the same in
 * both runtimes.
 */
import { describe, expect, it } from "vitest";
import { createdUnder, generationRecords, generationsOf, ruleStale, validGenerationToken } from "../../src/core/generation";
import { expectSameInBoth } from "../helpers/dual";

describe("deploy generations", () => {
  it("accept tokens of letters, digits, . _ and - up to 64 bytes, nothing else", () => {
    const cases: [string][] = [["v2"], ["3f9a1c0"], ["release-2026.12.06_1"], [""], ["a b"], ["app:v2"], ["x".repeat(64)], ["x".repeat(65)], ["v2\n"], ["é"]];
    expect(expectSameInBoth("core.generation", "validGenerationToken", validGenerationToken, cases)).toEqual([true, true, true, false, false, false, true, false, false, false]);
  });

  it("a new generation counts from the next second, and after the previous one's", () => {
    const cases: [string, string, number, string | undefined][] = [
      ["app", "v2", 1800000000, undefined],
      ["app", "v3", 1800000000, "1800000001"],
      ["app", "v4", 1800000005, "1800000001"],
    ];
    const out = expectSameInBoth("core.generation", "generationRecords", generationRecords, cases);
    expect(out[0]).toEqual([
      { kind: "map-set", file: "eb_generations.map", key: "app:v2", value: "1800000001" },
      { kind: "map-set", file: "eb_generations.map", key: "app", value: "1800000001" },
    ]);
    expect(out[1][1]).toEqual({ kind: "map-set", file: "eb_generations.map", key: "app", value: "1800000002" });
    expect(out[2][1]).toEqual({ kind: "map-set", file: "eb_generations.map", key: "app", value: "1800000006" });
  });

  it("a rule created before its backend's generation began is stale; with no generation, none is", () => {
    const cases: [number, number | undefined][] = [[100, 101], [101, 101], [102, 101], [100, undefined]];
    expect(expectSameInBoth("core.generation", "ruleStale", ruleStale, cases)).toEqual([true, false, false, false]);
  });

  it("a signal under the current generation is created at its first second, one under an older generation just before it, one with none now", () => {
    const cases: [number, string | undefined, string | undefined][] = [
      [1800000000, "1800000001", "1800000001"],
      [1800000005, "1800000001", "1800000001"],
      [1800000000, "1800000001", "1799990000"],
      [1800000010, "1800000001", "1799990000"],
      [1800000000, undefined, undefined],
      [1800000000, "1800000001", undefined],
    ];
    expect(expectSameInBoth("core.generation", "createdUnder", createdUnder, cases)).toEqual([1800000001, 1800000005, 1800000000, 1800000000, 1800000000, 1800000000]);
  });

  it("show names each backend's current token and the earlier ones (Node only: the CLI's view)", () => {
    const g = generationsOf([["app:v1", "100"], ["app", "205"], ["app:v2", "205"], ["api:r7", "150"], ["api", "150"]]);
    expect(g).toEqual({ app: { token: "v2", since: 205, earlier: ["v1"] }, api: { token: "r7", since: 150, earlier: [] } });
  });
});
