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

/*
 * Lua's `io` library (and os.rename / os.remove) over an in-memory file system, behaving like
 * PUC Lua 5.3/5.4 on glibc: failures are returned (nil, message, errno), never raised; writes are
 * buffered (stdio), so a full disk shows at a later write, the flush or the close, and leaves the
 * file short; a failed buffer flush drops the buffered bytes and a later flush then succeeds (glibc:
 * fflush does not look at the stream's error flag). Fengari's own io has no open, read, seek or lines,
 * and its os.rename / os.remove act on the real disk: both are replaced (see installIo).
 */

/** The errno values the model produces, with glibc's strerror text. */
export const ERRNO = {
  ENOENT: [2, "No such file or directory"],
  EIO: [5, "Input/output error"],
  EBADF: [9, "Bad file descriptor"],
  EACCES: [13, "Permission denied"],
  ENOTDIR: [20, "Not a directory"],
  EISDIR: [21, "Is a directory"],
  EINVAL: [22, "Invalid argument"],
  ENOSPC: [28, "No space left on device"],
  EROFS: [30, "Read-only file system"],
  ENOTEMPTY: [39, "Directory not empty"],
} as const;
export type Errno = keyof typeof ERRNO;

class FsError extends Error {
  constructor(readonly code: Errno) {
    super(ERRNO[code][1]);
  }
}

interface Inode {
  data: string;
}

/** One open stdio stream (FILE*). */
class Stream {
  closed = false;
  /** The stream's error flag (ferror): set by a failed read or write, cleared by every read call (Lua's g_read calls clearerr). */
  err: Errno | undefined;
  /** Bytes written but still in the stdio buffer, and the file offset they go to. */
  buf = "";
  bufAt = 0;
  pos = 0;
  vbuf: "full" | "line" | "no" = "full";
  constructor(
    readonly path: string,
    readonly node: Inode,
    readonly canRead: boolean,
    readonly canWrite: boolean,
    readonly append: boolean,
    readonly isDir: boolean,
    public size: number,
  ) {}
}

/** What the file system saw, in order: tests assert on the order of steps (flush before rename, ...). */
export interface FsEvent {
  readonly op: "open" | "write" | "flush" | "close" | "seek" | "read" | "rename" | "remove";
  readonly path: string;
  readonly detail: string;
  readonly error?: Errno;
}

type FaultOp = "open" | "write" | "close" | "rename" | "remove";
interface Fault {
  readonly op: FaultOp;
  readonly match: (path: string) => boolean;
  readonly code: Errno;
  times: number;
}

type Fail = MultiReturn;

function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

function parentOf(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.substring(0, i);
}

/**
 * An in-memory file system with a stdio layer on top. Paths are absolute (a relative one is taken
 * from `/`). Faults: `capacity` (a full disk: writes come out short, then fail with ENOSPC),
 * `lockedDirs` (a folder without write permission: EACCES on creating, renaming or removing its
 * entries, while its existing files stay writable), `readOnly` (a read-only mount: EROFS on any
 * open for writing, rename and remove), and `fail()` for any other errno on one operation.
 */
export class MemFs {
  private readonly files = new Map<string, Inode>();
  private readonly dirs = new Set<string>(["/"]);
  private readonly streams = new Map<number, Stream>();
  private nextId = 1;
  private readonly faults: Fault[] = [];
  /** Most bytes the files may hold together (files removed while open still count until closed). */
  capacity = Infinity;
  /** stdio buffer size of new streams (glibc: the file system's block size). */
  bufferSize = 4096;
  readonly lockedDirs = new Set<string>();
  readOnly = false;
  readonly events: FsEvent[] = [];
  /** Runs after a stream is closed: a test can play another process there (truncate, append, ...). */
  afterClose: ((path: string) => void) | undefined;

  constructor(files: Record<string, string> = {}) {
    for (const [p, data] of Object.entries(files)) this.writeFile(p, data);
  }

  // ---- the test's side: no faults, no events ----

  mkdir(dir: string): void {
    const d = normalize(dir);
    if (d !== "/") this.mkdir(parentOf(d));
    this.dirs.add(d);
  }

  writeFile(path: string, data: string): void {
    const p = normalize(path);
    this.mkdir(parentOf(p));
    const node = this.files.get(p);
    if (node) node.data = data;
    else this.files.set(p, { data });
  }

  appendFile(path: string, data: string): void {
    this.writeFile(path, (this.readFile(path) ?? "") + data);
  }

  readFile(path: string): string | undefined {
    return this.files.get(normalize(path))?.data;
  }

  exists(path: string): boolean {
    return this.files.has(normalize(path));
  }

  deleteFile(path: string): void {
    this.files.delete(normalize(path));
  }

  /** File names in a folder, sorted. */
  list(dir: string): string[] {
    const d = normalize(dir);
    return [...this.files.keys()].filter((p) => parentOf(p) === d).map((p) => p.substring(d.length + (d === "/" ? 0 : 1))).sort();
  }

  /** Bytes held: every linked file, and removed ones still open. */
  used(): number {
    const nodes = new Set<Inode>(this.files.values());
    for (const s of this.streams.values()) if (!s.closed) nodes.add(s.node);
    let n = 0;
    for (const node of nodes) n += node.data.length;
    return n;
  }

  /** Leave exactly `bytes` free (Infinity: no limit). */
  setFree(bytes: number): void {
    this.capacity = bytes === Infinity ? Infinity : this.used() + bytes;
  }

  /** Make the next `times` calls of `op` on a matching path fail with `code`. */
  fail(op: FaultOp, path: string | RegExp, code: Errno, times = Infinity): void {
    const match = typeof path === "string" ? (p: string) => p === normalize(path) : (p: string) => path.test(p);
    this.faults.push({ op, match, code, times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Paths of the streams the code opened and has not closed. */
  openStreams(): string[] {
    return [...this.streams.values()].filter((s) => !s.closed).map((s) => s.path);
  }

  // ---- the kernel ----

  private fault(op: FaultOp, path: string): void {
    for (const f of this.faults) {
      if (f.op === op && f.times > 0 && f.match(path)) {
        f.times--;
        throw new FsError(f.code);
      }
    }
  }

  private checkParent(p: string): void {
    const dir = parentOf(p);
    if (this.files.has(dir)) throw new FsError("ENOTDIR");
    if (!this.dirs.has(dir)) throw new FsError("ENOENT");
  }

  /** write(2): may write fewer bytes than asked when the disk fills; nothing at all is ENOSPC. */
  private sysWrite(s: Stream, data: string): number {
    this.fault("write", s.path);
    const node = s.node;
    const at = s.append ? node.data.length : s.bufAt;
    const growth = Math.max(0, at + data.length - node.data.length);
    const room = Math.max(0, this.capacity - this.used());
    const n = growth > room ? Math.max(0, data.length - (growth - room)) : data.length;
    if (n === 0 && data.length > 0) throw new FsError("ENOSPC");
    const d = node.data.length < at ? node.data + "\0".repeat(at - node.data.length) : node.data;
    node.data = d.substring(0, at) + data.substring(0, n) + d.substring(at + n);
    return n;
  }

  /** glibc's _IO_new_file_write: write until done or an error; on an error the unwritten bytes are dropped. */
  private commit(s: Stream, data: string): Errno | undefined {
    let done = 0;
    try {
      while (done < data.length) {
        const n = this.sysWrite(s, data.substring(done));
        done += n;
        s.bufAt += n;
      }
      if (s.append) s.pos = s.node.data.length;
      return undefined;
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      s.err = e.code;
      // the stream is where the kernel got to
      s.pos = s.append ? s.node.data.length : s.bufAt;
      return e.code;
    }
  }

  private flushBuffer(s: Stream): Errno | undefined {
    if (s.buf.length === 0) return undefined;
    const data = s.buf;
    s.buf = "";
    return this.commit(s, data);
  }

  private stream(id: number): Stream {
    const s = this.streams.get(id);
    if (!s) throw new Error("mock io: no stream " + id);
    return s;
  }

  private failWith(code: Errno, path?: string): Fail {
    return new MultiReturn([undefined, (path !== undefined ? path + ": " : "") + ERRNO[code][1], ERRNO[code][0]]);
  }

  private event(e: FsEvent): void {
    this.events.push(e);
  }

  /** fopen(3) with a mode Lua has already checked. */
  open(path: string, mode: string): number | Fail {
    const p = normalize(path);
    const plus = mode.includes("+");
    const kind = mode[0];
    const canRead = kind === "r" || plus;
    const canWrite = kind !== "r" || plus;
    try {
      this.fault("open", p);
      let node = this.files.get(p);
      let isDir = false;
      if (this.dirs.has(p)) {
        if (canWrite) throw new FsError("EISDIR");
        isDir = true;
        node = { data: "" };
      } else {
        this.checkParent(p);
        if (node === undefined) {
          if (kind === "r") throw new FsError("ENOENT");
          if (this.readOnly) throw new FsError("EROFS");
          if (this.lockedDirs.has(parentOf(p))) throw new FsError("EACCES");
          node = { data: "" };
          this.files.set(p, node);
        } else if (canWrite && this.readOnly) throw new FsError("EROFS");
        if (kind === "w") node.data = "";
      }
      const s = new Stream(p, node, canRead, canWrite, kind === "a", isDir, this.bufferSize);
      // "a": positioned at the end (glibc); "a+": reads start at the top
      s.pos = kind === "a" && !plus ? node.data.length : 0;
      s.bufAt = s.pos;
      const id = this.nextId++;
      this.streams.set(id, s);
      this.event({ op: "open", path: p, detail: mode });
      return id;
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      this.event({ op: "open", path: p, detail: mode, error: e.code });
      return this.failWith(e.code, path);
    }
  }

  isClosed(id: number): boolean {
    return this.stream(id).closed;
  }

  write(id: number, text: string): true | Fail {
    const s = this.stream(id);
    if (!s.canWrite) {
      s.err = "EBADF";
      this.event({ op: "write", path: s.path, detail: `${text.length} bytes`, error: "EBADF" });
      return this.failWith("EBADF");
    }
    if (s.buf.length === 0) s.bufAt = s.append ? s.node.data.length : s.pos;
    s.buf += text;
    if (!s.append) s.pos += text.length;
    // what stdio hands to write(2) now: whole buffers (full), up to the last newline (line), everything (no)
    let out = 0;
    if (s.vbuf === "no") out = s.buf.length;
    else if (s.buf.length >= s.size) out = s.buf.length - (s.buf.length % s.size);
    else if (s.vbuf === "line") out = s.buf.lastIndexOf("\n") + 1;
    let code: Errno | undefined;
    if (out > 0) {
      const rest = s.buf.substring(out);
      s.buf = s.buf.substring(0, out);
      code = this.flushBuffer(s);
      // glibc resets the buffer after a failed write: what was not written is gone
      s.buf = code === undefined ? rest : "";
    }
    this.event({ op: "write", path: s.path, detail: `${text.length} bytes`, ...(code ? { error: code } : {}) });
    return code === undefined ? true : this.failWith(code);
  }

  flush(id: number): true | Fail {
    const s = this.stream(id);
    const code = s.canWrite ? this.flushBuffer(s) : undefined;
    this.event({ op: "flush", path: s.path, detail: "", ...(code ? { error: code } : {}) });
    return code === undefined ? true : this.failWith(code);
  }

  close(id: number): true | Fail {
    const s = this.stream(id);
    let code = s.canWrite ? this.flushBuffer(s) : undefined;
    s.closed = true;
    try {
      this.fault("close", s.path);
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      code = code ?? e.code;
    }
    this.event({ op: "close", path: s.path, detail: "", ...(code ? { error: code } : {}) });
    this.afterClose?.(s.path);
    return code === undefined ? true : this.failWith(code);
  }

  seek(id: number, whence: string, offset: number): number | Fail {
    const s = this.stream(id);
    // fseek writes out the buffer first
    const code = s.canWrite ? this.flushBuffer(s) : undefined;
    if (code !== undefined) {
      this.event({ op: "seek", path: s.path, detail: `${whence} ${offset}`, error: code });
      return this.failWith(code);
    }
    const base = whence === "set" ? 0 : whence === "end" ? s.node.data.length : s.pos;
    const to = base + offset;
    if (to < 0) {
      this.event({ op: "seek", path: s.path, detail: `${whence} ${offset}`, error: "EINVAL" });
      return this.failWith("EINVAL");
    }
    s.pos = to;
    s.bufAt = to;
    this.event({ op: "seek", path: s.path, detail: `${whence} ${offset} -> ${to}` });
    return to;
  }

  setvbuf(id: number, mode: "no" | "full" | "line", size: number): true | Fail {
    const s = this.stream(id);
    const code = s.canWrite ? this.flushBuffer(s) : undefined;
    s.vbuf = mode;
    s.size = Math.max(1, size);
    return code === undefined ? true : this.failWith(code);
  }

  /** Before a read: clearerr, write out pending output, refuse a stream not open for reading. */
  private readable(s: Stream, what: string): boolean {
    s.err = undefined;
    if (s.canWrite && s.buf.length > 0) {
      const code = this.flushBuffer(s);
      if (code !== undefined) return false;
    }
    if (!s.canRead) s.err = "EBADF";
    else if (s.isDir) s.err = "EISDIR";
    this.event({ op: "read", path: s.path, detail: what, ...(s.err ? { error: s.err } : {}) });
    return s.err === undefined;
  }

  clearerr(id: number): void {
    this.stream(id).err = undefined;
  }

  /** The stream's error after a read call, as luaL_fileresult gives it, or nothing. */
  readError(id: number): Fail | undefined {
    const s = this.stream(id);
    return s.err === undefined ? undefined : this.failWith(s.err);
  }

  readLine(id: number, keepNewline: boolean): string | undefined {
    const s = this.stream(id);
    if (!this.readable(s, keepNewline ? "L" : "l")) return undefined;
    const d = s.node.data;
    if (s.pos >= d.length) return undefined;
    const nl = d.indexOf("\n", s.pos);
    const end = nl < 0 ? d.length : nl + 1;
    const line = d.substring(s.pos, end);
    s.pos = end;
    return keepNewline || nl < 0 ? line : line.substring(0, line.length - 1);
  }

  readAll(id: number): string {
    const s = this.stream(id);
    if (!this.readable(s, "a")) return "";
    const d = s.node.data;
    const out = s.pos < d.length ? d.substring(s.pos) : "";
    s.pos = Math.max(s.pos, d.length);
    return out;
  }

  /** n bytes (fewer at the end), nothing at EOF; n = 0 tests for EOF. */
  readChars(id: number, n: number): string | undefined {
    const s = this.stream(id);
    if (!this.readable(s, String(n))) return undefined;
    const d = s.node.data;
    if (s.pos >= d.length) return undefined;
    const out = d.substring(s.pos, s.pos + n);
    s.pos += out.length;
    return out;
  }

  /** The numeral at the current position (Lua converts it), as read_number scans it: at most 200 characters. */
  readNumeral(id: number): string | undefined {
    const s = this.stream(id);
    if (!this.readable(s, "n")) return undefined;
    const rest = s.node.data.substring(s.pos);
    const m = /^[ \t\n\r\f\v]*([+-]?(?:0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*(?:[pP][+-]?[0-9]+)?|[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]+)?))/.exec(rest);
    if (!m) return "";
    s.pos += m[0].length;
    return m[1].length > 200 ? "" : m[1];
  }

  // ---- os ----

  rename(from: string, to: string): true | Fail {
    const a = normalize(from);
    const b = normalize(to);
    try {
      this.fault("rename", a);
      if (this.dirs.has(a)) throw new Error("mock fs: renaming folders is not modelled");
      const node = this.files.get(a);
      if (node === undefined) throw new FsError("ENOENT");
      this.checkParent(b);
      if (this.readOnly) throw new FsError("EROFS");
      if (this.lockedDirs.has(parentOf(a)) || this.lockedDirs.has(parentOf(b))) throw new FsError("EACCES");
      if (this.dirs.has(b)) throw new FsError("EISDIR");
      this.files.delete(a);
      this.files.set(b, node);
      this.event({ op: "rename", path: a, detail: b });
      return true;
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      this.event({ op: "rename", path: a, detail: b, error: e.code });
      // os.rename: luaL_fileresult(L, ..., NULL): no file name in the message
      return this.failWith(e.code);
    }
  }

  remove(path: string): true | Fail {
    const p = normalize(path);
    try {
      this.fault("remove", p);
      const isDir = this.dirs.has(p) && p !== "/";
      if (!isDir && !this.files.has(p)) throw new FsError("ENOENT");
      if (this.readOnly) throw new FsError("EROFS");
      if (this.lockedDirs.has(parentOf(p))) throw new FsError("EACCES");
      if (isDir) {
        const prefix = p + "/";
        if ([...this.files.keys(), ...this.dirs].some((q) => q.startsWith(prefix))) throw new FsError("ENOTEMPTY");
        this.dirs.delete(p);
      } else this.files.delete(p);
      this.event({ op: "remove", path: p, detail: "" });
      return true;
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      this.event({ op: "remove", path: p, detail: "", error: e.code });
      // os.remove: luaL_fileresult(L, ..., filename)
      return this.failWith(e.code, path);
    }
  }
}

/** The Lua half of installIo: handles are tables with a shared metatable, so `f:write()` returns the handle itself. */
const IO_LUA = `
local K = ...
local std = io
local FILE = { __name = "FILE*" }
local methods = {}
FILE.__index = methods
local ids = setmetatable({}, { __mode = "k" })
local unpack = table.unpack

local function argerror(n, fname, msg) error(("bad argument #%d to '%s' (%s)"):format(n, fname, msg), 0) end

local function tofile(f, fname)
  local id = ids[f]
  if id == nil then argerror(1, fname, "FILE* expected, got " .. type(f)) end
  if K.isClosed(id) then error("attempt to use a closed file", 0) end
  return id
end

FILE.__tostring = function(f)
  local id = ids[f]
  if K.isClosed(id) then return "file (closed)" end
  return ("file (0x%08x)"):format(id)
end

local function checkint(v, n, fname)
  if type(v) ~= "number" then argerror(n, fname, "number expected, got " .. (v == nil and "no value" or type(v))) end
  local i = math.tointeger(v)
  if i == nil then argerror(n, fname, "number has no integer representation") end
  return i
end

function methods.close(f) return K.close(tofile(f, "close")) end
function methods.flush(f) return K.flush(tofile(f, "flush")) end

function methods.write(f, ...)
  local id = tofile(f, "write")
  local ok, msg, no = true
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    local s
    if math.type(v) == "integer" then s = ("%d"):format(v)
    elseif type(v) == "number" then s = ("%.14g"):format(v)
    elseif type(v) == "string" then s = v
    else argerror(i, "write", "string expected, got " .. (v == nil and "nil" or type(v))) end
    -- like g_write: after a failure nothing more is written
    if ok then
      local r, m, e = K.write(id, s)
      if r == nil then ok, msg, no = false, m, e end
    end
  end
  if ok then return f end
  return nil, msg, no
end

local function g_read(id, fname, ...)
  K.clearerr(id)
  local nargs = select("#", ...)
  local out, n, success = {}, 0, true
  if nargs == 0 then
    n = 1
    out[1] = K.readLine(id, false)
    success = out[1] ~= nil
  else
    for i = 1, nargs do
      if not success then break end
      local fmt = select(i, ...)
      local v
      if type(fmt) == "number" then
        local c = checkint(fmt, i, fname)
        v = K.readChars(id, c)
        if c == 0 and v ~= nil then v = "" end
      elseif type(fmt) == "string" then
        local p = fmt:sub(1, 1) == "*" and fmt:sub(2, 2) or fmt:sub(1, 1)
        if p == "n" then
          local s = K.readNumeral(id)
          v = s and tonumber(s)
        elseif p == "l" then v = K.readLine(id, false)
        elseif p == "L" then v = K.readLine(id, true)
        elseif p == "a" then v = K.readAll(id)
        else argerror(i, fname, "invalid format") end
      else
        argerror(i, fname, "string expected, got " .. type(fmt))
      end
      n = n + 1
      out[n] = v
      success = v ~= nil
    end
  end
  local r, msg, no = K.readError(id)
  if msg ~= nil then return nil, msg, no end
  return unpack(out, 1, n)
end

function methods.read(f, ...) return g_read(tofile(f, "read"), "read", ...) end

function methods.seek(f, whence, offset)
  local id = tofile(f, "seek")
  if whence == nil then whence = "cur" end
  if type(whence) ~= "string" then argerror(1, "seek", "string expected, got " .. type(whence)) end
  if whence ~= "set" and whence ~= "cur" and whence ~= "end" then argerror(1, "seek", "invalid option '" .. whence .. "'") end
  if offset == nil then offset = 0 else offset = checkint(offset, 2, "seek") end
  return K.seek(id, whence, offset)
end

function methods.setvbuf(f, mode, size)
  local id = tofile(f, "setvbuf")
  if mode ~= "no" and mode ~= "full" and mode ~= "line" then argerror(1, "setvbuf", "invalid option '" .. tostring(mode) .. "'") end
  return K.setvbuf(id, mode, size == nil and 4096 or checkint(size, 2, "setvbuf"))
end

function methods.lines(f, ...)
  tofile(f, "lines")
  local fmts = table.pack(...)
  return function()
    local id = ids[f]
    if K.isClosed(id) then error("file is already closed", 0) end
    return g_read(id, "lines", unpack(fmts, 1, fmts.n))
  end
end

local io = {}
for k, v in pairs(std) do io[k] = v end

local function checkmode(mode)
  return mode:match("^[rwa]%+?b*$") ~= nil
end

function io.open(filename, mode)
  if type(filename) ~= "string" then argerror(1, "open", "string expected, got " .. (filename == nil and "no value" or type(filename))) end
  if mode == nil then mode = "r" end
  if type(mode) ~= "string" or not checkmode(mode) then argerror(2, "open", "invalid mode") end
  local id, msg, no = K.open(filename, mode)
  if id == nil then return nil, msg, no end
  local f = setmetatable({}, FILE)
  ids[f] = id
  return f
end

function io.lines(filename, ...)
  if filename == nil then error("io.lines() on stdin is not modelled", 0) end
  local f, msg = io.open(filename, "r")
  if f == nil then error(msg, 0) end
  local fmts = table.pack(...)
  return function()
    local id = ids[f]
    if K.isClosed(id) then error("file is already closed", 0) end
    local r = table.pack(g_read(id, "lines", unpack(fmts, 1, fmts.n)))
    if r[1] == nil then f:close() end
    return unpack(r, 1, r.n)
  end
end

function io.type(x)
  if ids[x] ~= nil then return K.isClosed(ids[x]) and "closed file" or "file" end
  return std.type(x)
end

function io.close(f)
  if f ~= nil and ids[f] ~= nil then return f:close() end
  return std.close(f)
end

io.read = nil
io.popen = nil
io.tmpfile = nil

_G.io = io
package.loaded.io = io
os.rename = function(a, b)
  if type(a) ~= "string" then argerror(1, "rename", "string expected, got " .. type(a)) end
  if type(b) ~= "string" then argerror(2, "rename", "string expected, got " .. type(b)) end
  return K.rename(a, b)
end
os.remove = function(p)
  if type(p) ~= "string" then argerror(1, "remove", "string expected, got " .. type(p)) end
  return K.remove(p)
end
`;

/**
 * Replace the VM's io library and os.rename / os.remove with ones over `fs`. Kept from Fengari:
 * io.write, io.stdout, io.stderr, io.input, io.output. Not modelled: io.read (stdin), io.popen,
 * io.tmpfile, io.lines() without a file name, __gc (a handle never closed is never flushed).
 */
export function installIo(vm: LuaVM, fs: MemFs): void {
  const K = {
    open: (p: string, mode: string) => fs.open(p, mode),
    isClosed: (id: number) => fs.isClosed(id),
    write: (id: number, s: string) => fs.write(id, s),
    flush: (id: number) => fs.flush(id),
    close: (id: number) => fs.close(id),
    seek: (id: number, whence: string, off: number) => fs.seek(id, whence, off),
    setvbuf: (id: number, mode: "no" | "full" | "line", size: number) => fs.setvbuf(id, mode, size),
    clearerr: (id: number) => fs.clearerr(id),
    readError: (id: number) => fs.readError(id),
    readLine: (id: number, keep: boolean) => new MultiReturn([fs.readLine(id, keep)]),
    readAll: (id: number) => fs.readAll(id),
    readChars: (id: number, n: number) => new MultiReturn([fs.readChars(id, n)]),
    readNumeral: (id: number) => new MultiReturn([fs.readNumeral(id)]),
    rename: (a: string, b: string) => fs.rename(a, b),
    remove: (p: string) => fs.remove(p),
  };
  vm.run(IO_LUA, "mock-io", K);
}
