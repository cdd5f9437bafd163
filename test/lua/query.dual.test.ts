/** Query parameter names are decoded as backends decode them: same in both runtimes, and the same as URLSearchParams and Python. */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { queryNames } from "../../src/core/rulekey";
import { expectSameInBoth } from "../helpers/dual";

const VECTORS = ["debug", "%64ebug", "%64%65%62%75%67=1", "de%62ug&x", "a+b=1", "%zz", "%6", "%", "a=%64ebug", "d%45bug", "x&&%64ebug=&y", "%2564ebug", "debug[]=1", "%5B%5D"];
const queryish = fc.stringMatching(/^[a-z%+=&0-9A-F.\-_[\]]{0,24}$/);

describe("query parameter names", () => {
  it("decode the same in TS and in blocks.lua", () => {
    expectSameInBoth("core.rulekey", "queryNames", queryNames, [...VECTORS, ...fc.sample(queryish, { numRuns: 300, seed: 11 })].map((q) => [q]));
  });

  it("are the names URLSearchParams gives, wherever those are ASCII", () => {
    fc.assert(
      fc.property(queryish, (q) => {
        const expected = [...new URLSearchParams(q).keys()];
        if (expected.some((k) => /[^\x00-\x7f]/.test(k))) return;
        expect(queryNames(q)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it.skipIf(spawnSync("python3", ["-c", "1"]).status !== 0)("are the names Python's parse_qsl gives (python3 present)", () => {
    const py = spawnSync("python3", ["-c", "import json,sys,urllib.parse as u; print(json.dumps([[k for k,_ in u.parse_qsl(q, keep_blank_values=True)] for q in json.load(sys.stdin)]))"], { input: JSON.stringify(VECTORS), encoding: "utf8" });
    const expected = JSON.parse(py.stdout) as string[][];
    VECTORS.forEach((q, i) => expect(queryNames(q), q).toEqual(expected[i]));
  });
});
