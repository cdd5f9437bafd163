import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_PATH_POLICY, nativeKey, normalizePath } from "../../src/core/path";
import { byteString } from "../helpers/arb";
import { PATH_VECTORS, policyOf } from "../vectors/path";

const MAX = 254;

describe("normalizePath", () => {
  for (const v of PATH_VECTORS) {
    it(`${JSON.stringify(v.raw)} ${v.policy ? JSON.stringify(v.policy) : ""} -> ${JSON.stringify(v.expect)}`, () => {
      const r = normalizePath(v.raw, policyOf(v), MAX);
      if (typeof v.expect === "string") expect(r).toEqual({ ok: true, path: v.expect });
      else expect(r).toEqual({ ok: false, error: v.expect.error });
    });
  }

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii", maxLength: 60 }), fc.boolean(), fc.boolean(), fc.boolean(), (s, ci, ms, ts) => {
        const policy = { caseInsensitive: ci, mergeSlashes: ms, stripTrailingSlash: ts };
        const once = normalizePath("/" + s, policy, 1000);
        if (!once.ok) return;
        expect(normalizePath(once.path, policy, 1000)).toEqual(once);
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with the key haproxy.cfg computes natively whenever it does", () => {
    // The rendered config skips Lua when nativeKey is defined: the two must be the same key.
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."/a.bA%?-_~9;#".split("")), maxLength: 20 }), fc.boolean(), fc.boolean(), (s, ci, ts) => {
        const raw = "/" + s;
        const policy = { ...DEFAULT_PATH_POLICY, caseInsensitive: ci, stripTrailingSlash: ts };
        const k = nativeKey(raw, policy);
        if (k === undefined) return;
        expect(normalizePath(raw, policy, 1000)).toEqual({ ok: true, path: k });
      }),
      { numRuns: 5000 },
    );
    expect(nativeKey("/blog/", DEFAULT_PATH_POLICY)).toBe("/blog");
    expect(nativeKey("/", DEFAULT_PATH_POLICY)).toBe("/");
    expect(nativeKey("//x", DEFAULT_PATH_POLICY)).toBeUndefined();
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(byteString(80), (s) => {
        const r = normalizePath(s, DEFAULT_PATH_POLICY, MAX);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });
});
