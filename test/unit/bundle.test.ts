/** blocks.lua carries only what HAProxy runs: every module in the bundle is required from lua.main. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const BUNDLE = readFileSync(path.resolve(__dirname, "../../lua-out/blocks.lua"), "utf8");

/** Module name -> the modules its body requires. */
function modules(src: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const heads = [...src.matchAll(/^\["([^"]+)"\] = function\(\.\.\.\)/gm)];
  heads.forEach((h, i) => {
    const body = src.slice(h.index! + h[0].length, i + 1 < heads.length ? heads[i + 1].index : undefined);
    out.set(h[1], new Set([...body.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])));
  });
  return out;
}

describe("blocks.lua", () => {
  it("holds no module that HAProxy never requires (Node-only core such as explain stays out)", () => {
    const mods = modules(BUNDLE);
    expect(mods.has("lua.main")).toBe(true);
    const reached = new Set<string>(["lua.main"]);
    const queue = ["lua.main"];
    while (queue.length > 0) {
      for (const dep of mods.get(queue.pop()!) ?? []) if (!reached.has(dep)) (reached.add(dep), queue.push(dep));
    }
    const unreached = [...mods.keys()].filter((m) => !reached.has(m)).sort();
    expect(unreached).toEqual([]);
  });
});
