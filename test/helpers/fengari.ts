/**
 * A small JS <-> Lua bridge over Fengari, for running lua-out/blocks.lua in
 * tests. Strings cross as *binary strings* (one JS char per Lua byte), which
 * is the convention the core is written in.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
// fengari ships no types
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fengari = require("fengari");
const { lua, lauxlib, lualib } = fengari;

export const BLOCKS_LUA = path.resolve(__dirname, "../../lua-out/blocks.lua");

/** A Lua table with explicit keys, for shapes JS arrays cannot express (HAProxy's 0-indexed header tables). */
export class LuaKeyed {
  constructor(readonly entries: ReadonlyArray<readonly [string | number, unknown]>) {}
}

/** A Lua function held by JS. */
export type LuaFn = (...args: unknown[]) => unknown[];

type LuaState = unknown;

function toBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new Error(`not a binary string: char ${c} at ${i}`);
    b[i] = c;
  }
  return b;
}

function fromBytes(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

export class LuaVM {
  readonly L: LuaState;

  constructor() {
    this.L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(this.L);
  }

  /** Set a global. */
  setGlobal(name: string, value: unknown): void {
    this.push(value);
    lua.lua_setglobal(this.L, toBytes(name));
  }

  getGlobal(name: string): unknown {
    lua.lua_getglobal(this.L, toBytes(name));
    const v = this.toJs(-1);
    lua.lua_pop(this.L, 1);
    return v;
  }

  /** Run a chunk; returns its results converted to JS. Lua errors become JS errors. */
  run(source: string, chunkName = "chunk", ...args: unknown[]): unknown[] {
    const L = this.L;
    const top = lua.lua_gettop(L);
    if (lauxlib.luaL_loadbuffer(L, toBytes(source), null, toBytes("@" + chunkName)) !== lua.LUA_OK) {
      const msg = this.toJs(-1);
      lua.lua_settop(L, top);
      throw new Error(`Lua load error: ${String(msg)}`);
    }
    for (const a of args) this.push(a);
    if (lua.lua_pcall(L, args.length, lua.LUA_MULTRET, 0) !== lua.LUA_OK) {
      const msg = this.toJs(-1);
      lua.lua_settop(L, top);
      throw new Error(`Lua error: ${String(msg)}`);
    }
    const n = lua.lua_gettop(L) - top;
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(this.toJs(top + 1 + i));
    lua.lua_settop(L, top);
    return out;
  }

  /** Push a JS value as Lua. Objects become tables, functions become Lua-callable functions. */
  push(v: unknown, depth = 0): void {
    const L = this.L;
    if (depth > 20) throw new Error("value nested too deeply for Lua");
    if (v === undefined || v === null) lua.lua_pushnil(L);
    else if (typeof v === "boolean") lua.lua_pushboolean(L, v);
    else if (typeof v === "number") {
      // Fengari's integers are 32-bit: larger integral values travel as floats
      if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) lua.lua_pushinteger(L, v);
      else lua.lua_pushnumber(L, v);
    } else if (typeof v === "string") lua.lua_pushstring(L, toBytes(v));
    else if (typeof v === "function") this.pushFunction(v as (...a: unknown[]) => unknown);
    else if (v instanceof LuaKeyed) {
      lua.lua_createtable(L, 0, v.entries.length);
      for (const [k, val] of v.entries) {
        this.push(k, depth + 1);
        this.push(val, depth + 1);
        lua.lua_settable(L, -3);
      }
    } else if (Array.isArray(v)) {
      lua.lua_createtable(L, v.length, 0);
      v.forEach((item, i) => {
        this.push(item, depth + 1);
        lua.lua_rawseti(L, -2, i + 1);
      });
    } else if (typeof v === "object") {
      const obj = v as Record<string, unknown>;
      lua.lua_createtable(L, 0, 0);
      for (const k of Object.keys(obj)) {
        this.push(obj[k], depth + 1);
        lua.lua_setfield(L, -2, toBytes(k));
      }
    } else throw new Error(`cannot push ${typeof v}`);
  }

  private pushFunction(fn: (...a: unknown[]) => unknown): void {
    lua.lua_pushcfunction(this.L, (L: LuaState) => {
      const n = lua.lua_gettop(L);
      const args: unknown[] = [];
      for (let i = 1; i <= n; i++) args.push(this.toJs(i));
      let result: unknown;
      try {
        result = fn(...args);
      } catch (e) {
        lua.lua_settop(L, 0);
        lua.lua_pushstring(L, toBytes(e instanceof Error ? e.message : String(e)));
        return lua.lua_error(L);
      }
      if (result instanceof MultiReturn) {
        for (const r of result.values) this.push(r);
        return result.values.length;
      }
      if (result === undefined) return 0;
      this.push(result);
      return 1;
    });
  }

  /** Convert the Lua value at idx to JS. Tables become arrays (keys 1..n) or objects. */
  toJs(idx: number, depth = 0): unknown {
    const L = this.L;
    const t = lua.lua_type(L, idx);
    switch (t) {
      case lua.LUA_TNIL:
      case lua.LUA_TNONE:
        return undefined;
      case lua.LUA_TBOOLEAN:
        return lua.lua_toboolean(L, idx);
      case lua.LUA_TNUMBER:
        return lua.lua_isinteger(L, idx) ? Number(lua.lua_tointeger(L, idx)) : lua.lua_tonumber(L, idx);
      case lua.LUA_TSTRING:
        return fromBytes(lua.lua_tolstring(L, idx));
      case lua.LUA_TFUNCTION: {
        lua.lua_pushvalue(L, idx);
        const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
        const call: LuaFn = (...args: unknown[]) => {
          const top = lua.lua_gettop(L);
          lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
          for (const a of args) this.push(a);
          if (lua.lua_pcall(L, args.length, lua.LUA_MULTRET, 0) !== lua.LUA_OK) {
            const msg = this.toJs(-1);
            lua.lua_settop(L, top);
            throw new Error(`Lua error: ${String(msg)}`);
          }
          const out: unknown[] = [];
          for (let i = top + 1; i <= lua.lua_gettop(L); i++) out.push(this.toJs(i));
          lua.lua_settop(L, top);
          return out;
        };
        return call;
      }
      case lua.LUA_TTABLE: {
        if (depth > 20) return "<deep table>";
        // nested tables (a class's prototype points back at the class) push a key and a value per level
        if (!lua.lua_checkstack(L, 4)) throw new Error("Lua stack exhausted while converting a table");
        const abs = lua.lua_absindex(L, idx);
        const entries: Array<[unknown, unknown]> = [];
        lua.lua_pushnil(L);
        while (lua.lua_next(L, abs) !== 0) {
          const k = this.toJs(-2, depth + 1);
          const v = this.toJs(-1, depth + 1);
          entries.push([k, v]);
          lua.lua_pop(L, 1);
        }
        const n = entries.length;
        const isArray = n > 0 && entries.every(([k]) => typeof k === "number" && Number.isInteger(k) && k >= 1 && k <= n);
        if (isArray) {
          const arr: unknown[] = new Array(n);
          for (const [k, v] of entries) arr[(k as number) - 1] = v;
          return arr;
        }
        const obj: Record<string, unknown> = {};
        for (const [k, v] of entries) obj[String(k)] = v;
        return obj;
      }
      default:
        return `<${fromBytes(lua.lua_typename(L, t))}>`;
    }
  }
}

/** Returned from a JS function called by Lua to give several results. */
export class MultiReturn {
  constructor(readonly values: unknown[]) {}
}

/**
 * Load blocks.lua and return the bundle's module loader, so tests can reach
 * the core modules exactly as compiled. The only change to the source is the
 * last statement, which returns `require` instead of the entry's result.
 */
export function loadBlocks(vm: LuaVM, file = BLOCKS_LUA): (mod: string) => Record<string, unknown> {
  const src = readFileSync(file, "latin1");
  const tail = "local ____entry = require(\"lua.main\", ...)\nreturn ____entry\n";
  if (!src.endsWith(tail)) throw new Error("unexpected bundle tail; TSTL output changed shape");
  const patched = src.slice(0, src.length - tail.length) + "local ____entry = require(\"lua.main\", ...)\nreturn require\n";
  const [req] = vm.run(patched, "blocks.lua");
  const requireFn = req as LuaFn;
  return (mod: string) => requireFn(mod)[0] as Record<string, unknown>;
}
