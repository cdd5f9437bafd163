import fc from "fast-check";
import { describe, it } from "vitest";
import { DEFAULT_SETTINGS, formatSettings, parseSettings } from "../../src/core/settings";
import { parseShortForm } from "../../src/core/signal";
import { byteString } from "../helpers/arb";
import { expectSameInBoth } from "../helpers/dual";
import { SHORT_FORM_VECTORS } from "../vectors/signal";

describe("signal parsing: same verdicts in TypeScript and in blocks.lua", () => {
  it("agrees on every short-form vector", () => {
    expectSameInBoth("core.signal", "parseShortForm", parseShortForm, SHORT_FORM_VECTORS.map((v) => [v.values, v.path, DEFAULT_SETTINGS] as const) as never);
  });

  it("agrees on random header bytes", () => {
    const samples = fc.sample(fc.tuple(fc.array(byteString(24), { maxLength: 2 }), byteString(16)), { numRuns: 300, seed: 7 });
    expectSameInBoth("core.signal", "parseShortForm", parseShortForm, samples.map(([v, p]) => [v, "/" + p, DEFAULT_SETTINGS]) as never);
  });

  it("settings text round-trips identically in both runtimes", () => {
    const text = formatSettings(DEFAULT_SETTINGS);
    expectSameInBoth("core.settings", "parseSettings", parseSettings, [[text], ["max_ttl 5\ndefault_ttl 9\n"], ["bogus 1\n"], ["allowed_statuses 404,4x4\n"], ["path_merge_slashes maybe\n"]]);
  });
});
