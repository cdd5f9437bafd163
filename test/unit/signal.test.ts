import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../../src/core/settings";
import { parseShortForm } from "../../src/core/signal";
import { byteString } from "../helpers/arb";
import { SHORT_FORM_VECTORS } from "../vectors/signal";

describe("parseShortForm (X-Edge-Resource)", () => {
  for (const v of SHORT_FORM_VECTORS) {
    it(`${JSON.stringify(v.values).slice(0, 60)} on ${String(v.path).slice(0, 30)} -> ${v.expect.kind}`, () => {
      const r = parseShortForm(v.values, v.path, DEFAULT_SETTINGS);
      expect(r.kind).toBe(v.expect.kind);
      if (r.kind === "reject" && v.expect.kind === "reject") expect(r.reason).toBe(v.expect.reason);
      if (r.kind === "apply" && v.expect.kind === "apply") {
        expect(r.blocks).toEqual([
          { match: { path: v.expect.path, prefix: false, methods: [], query: [] }, status: v.expect.status, body: "", ttl: DEFAULT_SETTINGS.defaultTtl, reason: "edge-resource", dryRun: false },
        ]);
        expect(r.removes).toEqual([]);
      }
    });
  }

  it("never throws, and only learns from false[-NNN]", () => {
    fc.assert(
      fc.property(fc.array(byteString(40), { maxLength: 3 }), byteString(30), (values, p) => {
        const r = parseShortForm(values, "/" + p, DEFAULT_SETTINGS);
        if (r.kind === "apply") expect(values.length).toBe(1);
        if (r.kind === "apply") expect(values[0].trim().toLowerCase()).toMatch(/^false(-\d{3})?$/);
      }),
      { numRuns: 3000 },
    );
  });
});
