/**
 * Same vectors, two runtimes: run a core function as TypeScript in Node and
 * as compiled Lua from blocks.lua in Fengari, and compare the results.
 */
import { expect } from "vitest";
import { MockHaproxy } from "./mock-haproxy";

let shared: MockHaproxy | undefined;

/** One Fengari VM with blocks.lua loaded (settings absent: the core does not need them). */
export function luaCore(): MockHaproxy {
  if (!shared) shared = new MockHaproxy().load();
  return shared;
}

/** Canonical form for comparing Lua and JS values: Lua has no undefined fields and no empty-array/object distinction. */
export function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? {} : v.map(canon);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined && typeof x !== "function") out[k] = canon(x);
    }
    return out;
  }
  return v;
}

/** Call `mod.fn` in the compiled Lua. */
export function callLua(mod: string, fn: string, ...args: unknown[]): unknown {
  const m = luaCore().require(mod);
  const f = m[fn] as ((...a: unknown[]) => unknown[]) | undefined;
  if (typeof f !== "function") throw new Error(`${mod}.${fn} is not a function in blocks.lua`);
  return f(...args)[0];
}

/** Assert that TS and Lua agree on every vector; returns the TS results for further assertions. */
export function expectSameInBoth<A extends unknown[], R>(mod: string, fn: string, ts: (...a: A) => R, vectors: A[]): R[] {
  const results: R[] = [];
  for (const args of vectors) {
    const inTs = ts(...args);
    const inLua = callLua(mod, fn, ...args);
    expect(canon(inLua), `${fn}(${JSON.stringify(args)})`).toEqual(canon(inTs));
    results.push(inTs);
  }
  return results;
}
