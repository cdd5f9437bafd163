/**
 * A mock of the HAProxy 2.6 Lua API, installed into a Fengari VM. Every
 * behaviour it claims has an integration twin in test/integration/mock-twins.test.ts
 * that proves it on a real HAProxy.
 */
import { installIo, LuaFn, LuaKeyed, LuaVM, MemFs, MultiReturn, loadBlocks } from "./fengari";
import { DEFAULT_SETTINGS, formatSettings } from "../../src/core/settings";

const DEFAULT_SETTINGS_FILE = "/mock/edgeblock.settings";

export type Phase = "http-req" | "http-res";

export interface LogLine {
  readonly level: number;
  readonly msg: string;
}

/** HAProxy's log level numbers (core.emerg .. core.debug). */
export const LEVELS = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;

/** Request fetches that are [T] nil in http-res. `method` is not among them: it survives into the response phase. */
const REQUEST_FETCHES = new Set(["path", "query", "req_hdr"]);

export interface TxnSpec {
  readonly phase: Phase;
  readonly vars?: Record<string, string | number | boolean>;
  /** Header name (lower case) -> values, one per header line. */
  readonly reqHeaders?: Record<string, string[]>;
  readonly resHeaders?: Record<string, string[]>;
  readonly fetches?: Record<string, string | number>;
}

export interface MockTxn {
  readonly lua: Record<string, unknown>;
  readonly vars: Map<string, unknown>;
}

/** Split a CLI request the way 2.6's cli.c does: `;` ends a command unless escaped, `\` escapes. */
export function cliCommands(line: string): string[][] {
  const cmds: string[][] = [];
  let args: string[] = [];
  let cur = "";
  let inArg = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      inArg = true;
    } else if (c === ";" || c === "\n") {
      if (inArg) args.push(cur);
      if (args.length) cmds.push(args);
      args = [];
      cur = "";
      inArg = false;
    } else if (c === " " || c === "\t") {
      if (inArg) args.push(cur);
      cur = "";
      inArg = false;
    } else {
      cur += c;
      inArg = true;
    }
  }
  if (inArg) args.push(cur);
  if (args.length) cmds.push(args);
  return cmds;
}

export class MockHaproxy {
  readonly vm = new LuaVM();
  readonly actions = new Map<string, { phases: string[]; fn: LuaFn }>();
  readonly converters = new Map<string, LuaFn>();
  readonly services = new Map<string, LuaFn>();
  readonly logs: LogLine[] = [];
  /** Stick tables by proxy name: key -> data fields. Declared tables only, like HAProxy. */
  readonly tables = new Map<string, Map<string, Record<string, number>>>();
  readonly cliRequests: string[] = [];
  /** Map files by name: key -> value. Declared (loaded) maps only, like HAProxy. */
  readonly maps = new Map<string, Map<string, string>>();
  readonly inits: LuaFn[] = [];
  /** Registered background tasks; never started by the mock (they loop forever). */
  readonly tasks: LuaFn[] = [];
  /** Size of every declared stick table. */
  tableSize = 1000;
  nbthread = 1;
  thread = 0;
  nowSec = 1_800_000_000;
  cliReachable = true;
  /** The next N connects are refused (a full accept queue). */
  connectRefusals = 0;
  /** The next N sockets raise from settimeout, as 2.6 does on a socket whose applet is gone ("not yet initialised"). */
  socketRaises = 0;
  /** The next N answers are lost: the connection closes before the reply, as 2.6's master CLI does when a reload re-executes the master. */
  receiveCloses = 0;
  /** `Stopping` in core.get_info(): the process was told to stop (a reload or a soft stop). */
  stopping = false;
  /** Called by core.sleep / core.msleep (which return at once): a test can advance `nowSec` or stop the process here. */
  onSleep: ((seconds: number) => void) | undefined;
  /** The file system of Lua's io and os.rename / os.remove (fengari.ts MemFs), holding `files` when load() runs. */
  readonly fs = new MemFs();
  require!: (mod: string) => Record<string, unknown>;

  /** Without arguments, the edge's default settings file (blocks.lua refuses to load without one). */
  constructor(
    readonly env: Record<string, string> = { EDGEBLOCK_SETTINGS: DEFAULT_SETTINGS_FILE },
    readonly files: Record<string, string> = { [DEFAULT_SETTINGS_FILE]: formatSettings(DEFAULT_SETTINGS) },
  ) {}

  declareTable(name: string): void {
    this.tables.set(name, new Map());
  }

  declareMap(name: string): void {
    if (!this.maps.has(name)) this.maps.set(name, new Map());
  }

  /** Declare what the rendered config declares for an edgeblock backend: its tables and maps. */
  declareBackend(name: string): this {
    for (const t of [`eb_rules_${name}`, `eb_pending_${name}`, `eb_seen_${name}`]) this.declareTable(t);
    this.declareMap(`eb_prefix_${name}.map`);
    this.declareMap(`eb_qual_${name}.map`);
    return this;
  }

  private mapOf(file: string): Map<string, string> {
    const m = this.maps.get(file);
    // [T] set_map on a map the configuration never loaded is an error
    if (!m) throw new Error(`map ${file} is not loaded`);
    return m;
  }

  /** Install the mock globals and load blocks.lua. */
  load(bundle?: string, opts: { trapGlobals?: boolean } = {}): this {
    const vm = this.vm;
    const logger = (level: number) => (msg: string) => {
      this.logs.push({ level, msg });
    };
    vm.setGlobal("core", {
      ...LEVELS,
      thread: this.thread,
      log: (level: number, msg: string) => this.logs.push({ level, msg }),
      Debug: logger(LEVELS.debug),
      Info: logger(LEVELS.info),
      Warning: logger(LEVELS.warning),
      Alert: logger(LEVELS.alert),
      now: () => ({ sec: this.nowSec, usec: 0 }),
      register_action: (name: string, phases: string[], fn: LuaFn) => {
        this.actions.set(name, { phases, fn });
      },
      register_converters: (name: string, fn: LuaFn) => {
        this.converters.set(name, fn);
      },
      register_service: (name: string, _mode: string, fn: LuaFn) => {
        this.services.set(name, fn);
      },
      tcp: () => this.socket(),
      set_map: (file: string, key: string, value: string) => {
        this.mapOf(file).set(key, value);
      },
      del_map: (file: string, key: string) => {
        this.mapOf(file).delete(key);
      },
      // [T] numeric show-info fields are numbers in Lua
      get_info: () => ({ Nbthread: this.nbthread, Pid: 4242, Stopping: this.stopping ? 1 : 0 }),
      register_task: (fn: LuaFn) => {
        this.tasks.push(fn);
      },
      yield: () => undefined,
      msleep: (ms: number) => this.onSleep?.(ms / 1000),
      sleep: (sec: number) => this.onSleep?.(sec),
      register_init: (fn: LuaFn) => {
        this.inits.push(fn);
      },
      backends: Object.fromEntries(
        [...this.tables.keys()].map((name) => [
          name,
          {
            name,
            stktable: {
              lookup: (_self: unknown, key: string) => {
                const e = this.tables.get(name)!.get(key);
                return e ? { ...e } : undefined;
              },
              info: () => ({ type: "string", size: this.tableSize, used: this.tables.get(name)!.size }),
            },
          },
        ]),
      ),
    });
    vm.setGlobal("Map", {
      _str: 2,
      _beg: 3,
      _int: 1,
      new: (file: string) => {
        this.declareMap(file);
        return { lookup: (_self: unknown, key: string) => this.maps.get(file)!.get(key) };
      },
    });
    vm.setGlobal("act", { CONTINUE: 0, STOP: 1, YIELD: 2, ERROR: 3, DONE: 4, DENY: 5, ABORT: 6, INVALID: 7 });
    vm.run("local getenv = ...; os.getenv = getenv", "mock-os", (name: string) => this.env[name]);
    for (const [file, content] of Object.entries(this.files)) if (!this.fs.exists(file)) this.fs.writeFile(file, content);
    installIo(vm, this.fs);
    if (opts.trapGlobals) {
      // record every global the bundle creates while loading (habit 8: no globals)
      vm.run("__eb_new_globals = {}; setmetatable(_G, { __newindex = function(t, k, v) table.insert(__eb_new_globals, k); rawset(t, k, v) end })");
    }
    this.require = loadBlocks(vm, bundle);
    // HAProxy runs init functions once the configuration is parsed
    for (const fn of this.inits) fn();
    return this;
  }

  /** A cosocket whose peer is a tiny runtime API that understands set/clear table. */
  private socket(): Record<string, unknown> {
    let request = "";
    let connected = false;
    return {
      settimeout: () => {
        if (this.socketRaises > 0) {
          this.socketRaises--;
          throw new Error("socket: not yet initialised, you can't set timeouts.");
        }
        return undefined;
      },
      connect: (_self: unknown, addr: string) => {
        if (!this.cliReachable) return new MultiReturn([undefined, "can't connect"]);
        if (this.connectRefusals > 0) {
          this.connectRefusals--;
          return new MultiReturn([undefined, "can't connect to destination unix socket"]);
        }
        connected = addr.length > 0;
        return 1;
      },
      send: (_self: unknown, data: string) => {
        if (!connected) return new MultiReturn([undefined, "not connected"]);
        request += data;
        return data.length;
      },
      receive: () => {
        if (!connected) return new MultiReturn([undefined, "not connected"]);
        if (this.receiveCloses > 0) {
          this.receiveCloses--;
          return new MultiReturn([undefined, "connection closed."]);
        }
        this.cliRequests.push(request);
        let out = "";
        for (const args of cliCommands(request)) out += this.cli(args);
        return out;
      },
      close: () => undefined,
    };
  }

  private cli(args: string[]): string {
    if (args[0] === "set" && args[1] === "table" && args[3] === "key") {
      const t = this.tables.get(args[2]);
      if (!t) return "Unknown table name\n";
      const entry = t.get(args[4]) ?? {};
      for (let i = 5; i + 1 < args.length; i += 2) {
        if (!args[i].startsWith("data.")) return "Optional argument only supports \"data.<store_data_type>\" <value>\n";
        entry[args[i].slice(5)] = Number(args[i + 1]);
      }
      t.set(args[4], entry);
      return "\n";
    }
    if (args[0] === "clear" && args[1] === "table" && args[3] === "key") {
      this.tables.get(args[2])?.delete(args[4]);
      return "\n";
    }
    return "Unknown command\n";
  }

  /** Build a txn whose API behaves per phase like HAProxy's. */
  txn(spec: TxnSpec): MockTxn {
    const vars = new Map<string, unknown>(Object.entries(spec.vars ?? {}));
    const phase = spec.phase;
    const headerTable = (h: Record<string, string[]> | undefined) =>
      new LuaKeyed(Object.entries(h ?? {}).map(([k, vs]) => [k, new LuaKeyed(vs.map((v, i) => [i, v] as const))] as const));
    const fetch = (name: string) => (_self: unknown) => {
      if (phase === "http-res" && REQUEST_FETCHES.has(name)) return undefined;
      return spec.fetches?.[name];
    };
    const f: Record<string, unknown> = {};
    for (const name of ["path", "method", "query", "be_name", "srv_name", "srv_id", "src", "status", "date"]) f[name] = fetch(name);
    // [T] `stopping` is a number (1/0) unless 3.2's bool-sample-conversion is `normal`: the mock answers as 2.6 does
    f.stopping = (_self: unknown) => (this.stopping ? 1 : 0);
    // req.hdr(name): the last value of a request header, nil in http-res like the other request fetches
    f.req_hdr = (_self: unknown, name: string) => {
      if (phase === "http-res") return undefined;
      const vs = spec.reqHeaders?.[name.toLowerCase()];
      return vs && vs.length ? vs[vs.length - 1] : undefined;
    };
    const lua: Record<string, unknown> = {
      f,
      sf: f,
      get_var: (_self: unknown, name: string) => vars.get(name),
      set_var: (_self: unknown, name: string, value: unknown) => {
        // [T] floats stored in vars become 0
        vars.set(name, typeof value === "number" && !Number.isInteger(value) ? 0 : value);
      },
      unset_var: (_self: unknown, name: string) => {
        vars.delete(name);
      },
      http: {
        req_get_headers: () => {
          if (phase !== "http-req") throw new Error("req_get_headers: not available in this phase");
          return headerTable(spec.reqHeaders);
        },
        res_get_headers: () => {
          if (phase !== "http-res") throw new Error("res_get_headers: not available in this phase");
          return headerTable(spec.resHeaders);
        },
      },
    };
    for (const [name, level] of Object.entries({ Info: LEVELS.info, Warning: LEVELS.warning, Alert: LEVELS.alert })) {
      lua[name] = (_self: unknown, msg: string) => this.logs.push({ level, msg });
    }
    return { lua, vars };
  }

  /** Run a registered action the way HAProxy does: only in a phase it registered for. */
  runAction(name: string, txn: MockTxn, phase: Phase, ...args: string[]): unknown[] {
    const a = this.actions.get(name);
    if (!a) throw new Error(`action ${name} not registered`);
    if (!a.phases.includes(phase)) throw new Error(`action ${name} not registered for ${phase}`);
    return a.fn(txn.lua, ...args);
  }

  convert(name: string, value: string): unknown {
    const c = this.converters.get(name);
    if (!c) throw new Error(`converter ${name} not registered`);
    return c(value)[0];
  }
}
