import fc from "fast-check";
import { describe, it } from "vitest";
import { DEFAULT_PATH_POLICY, nativeKey, lookupKeyForPath, normalizePath } from "../../src/core/path";
import { byteString } from "../helpers/arb";
import { expectSameInBoth } from "../helpers/dual";
import { PATH_VECTORS, policyOf } from "../vectors/path";

describe("path normalisation: same verdicts in TypeScript and in blocks.lua", () => {
  it("agrees on every vector", () => {
    expectSameInBoth("core.path", "normalizePath", normalizePath, PATH_VECTORS.map((v) => [v.raw, policyOf(v), 254] as [string, typeof DEFAULT_PATH_POLICY, number]));
  });

  it("agrees on random byte strings (normalizePath, lookupKeyForPath, nativeKey)", () => {
    const samples = fc.sample(fc.tuple(byteString(40), fc.boolean(), fc.boolean(), fc.boolean()), { numRuns: 400, seed: 42 });
    const vectors = samples.map(([s, a, b, c]) => ["/" + s, { caseInsensitive: a, mergeSlashes: b, stripTrailingSlash: c }] as [string, typeof DEFAULT_PATH_POLICY]);
    expectSameInBoth("core.path", "normalizePath", normalizePath, vectors.map(([p, pol]) => [p, pol, 254] as [string, typeof DEFAULT_PATH_POLICY, number]));
    expectSameInBoth("core.path", "lookupKeyForPath", lookupKeyForPath, vectors);
    expectSameInBoth("core.path", "nativeKey", nativeKey, vectors);
  });
});
