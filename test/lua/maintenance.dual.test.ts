/**
 * The maintenance task's file work (journal append and tail, snapshot written and verified, compaction,
 * startup replay) as compiled Lua in Fengari over the mock io (test/helpers/fengari.ts MemFs), and as a
 * TypeScript model in Node over the same bytes: the same records survive, the same lines are reported
 * corrupt, the same snapshot is written. Failure vectors: a full disk, a read-only folder, torn lines.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { applyRecord, compact, CompactState, Compactor, EntryVerdict, emptyState } from "../../src/core/compact";
import { STORE_MAPS } from "../../src/core/contract";
import {
  formatRecord,
  isExpiredRecord,
  JOURNAL_FILE,
  JOURNAL_OLD_FILE,
  JournalRecord,
  parseRecord,
  parseSnapshotHeader,
  reconcile,
  recordCommand,
  SNAPSHOT_FILE,
  snapshotHeader,
  TORN_MARK,
} from "../../src/core/journal";
import { bodyId, reasonId } from "../../src/core/rule";
import { DEFAULT_SETTINGS, formatSettings, Settings } from "../../src/core/settings";
import { blockRecords, StoreLookups } from "../../src/core/store-records";
import { SNAPSHOT_COMMANDS_FILE } from "../../src/core/snapshot-commands";
import { BlockRule } from "../../src/core/verdict";
import { journalAppend as nodeJournalAppend } from "../../src/node/runtime";
import { canon } from "../helpers/dual";
import { LuaFn } from "../helpers/fengari";
import { LEVELS, MockHaproxy } from "../helpers/mock-haproxy";

const NOW = 1_800_000_000;
const DIR = "/var/lib/edgeblock";
const SETTINGS_FILE = "/etc/edgeblock/edgeblock.settings";
/** The mock's pid: the writer of every line the Lua side writes. */
const ME = "4242";
const SNAP = `${DIR}/${SNAPSHOT_FILE}`;
const OLD = `${DIR}/${JOURNAL_OLD_FILE}`;
const JOURNAL = `${DIR}/${JOURNAL_FILE}`;
const TMP = `${SNAP}.tmp.${ME}`;
const COMMANDS = `${DIR}/${SNAPSHOT_COMMANDS_FILE}`;

// ---------------------------------------------------------------- vectors

const noStore: StoreLookups = { liveness: () => 0, specs: () => undefined, hasMapKey: () => false };
type RuleOpts = Partial<Omit<BlockRule, "match">> & { prefix?: boolean; methods?: string[]; host?: string };
const rule = (p: string, ttl: number, o: RuleOpts = {}): BlockRule => ({
  match: { path: p, prefix: o.prefix ?? false, methods: o.methods ?? [], query: [], ...(o.host ? { host: o.host } : {}) },
  status: o.status ?? 404,
  body: o.body ?? "",
  ttl,
  reason: o.reason ?? "scan",
  dryRun: o.dryRun ?? false,
});
/** What learning writes for `rules` at `at` (core/store-records.ts, the same in both runtimes: store.dual.test.ts). */
const learned = (at: number, ...rules: BlockRule[]): JournalRecord[] => blockRecords("app", rules, at, 1, noStore);
const T = (key: string, fields: Record<string, number>, table = "eb_rules_app"): JournalRecord => ({ kind: "table", table, key, fields: Object.entries(fields).map(([name, value]) => ({ name, value })) });
const text = (writer: string, recs: readonly JournalRecord[]) => recs.map((r) => formatRecord(r, writer)! + "\n").join("");

interface StateFiles {
  snapshot?: string;
  old?: string;
  journal?: string;
}

/** A snapshot and journal with every kind of line: live, expired, merged, removed, map-only, corrupt, torn. */
function mixedVector(): StateFiles {
  const snapshot =
    snapshotHeader(NOW - 600, "1000") +
    "\n" +
    text("1000", learned(NOW - 700, rule("/live", 3600, { body: "nope" }))) +
    text("1000", learned(NOW - 700, rule("/expired", 60))) +
    "T\t1000\teb_rules_app\t/broken\tgpt0=12x\n" +
    text("1000", learned(NOW - 700, rule("/soon", 720))) +
    text("1000", learned(NOW - 700, rule("/api", 3600, { prefix: true, dryRun: true }))) +
    "\n" +
    "# written by hand\n" +
    text("1000", learned(NOW - 700, rule("/deadp", 60, { prefix: true }))) +
    "X\tnot a record\n" +
    text("1000", learned(NOW - 700, rule("/q", 3600, { methods: ["GET"], host: "example.com" }))) +
    text("1000", learned(NOW - 700, rule("/gone", 3600))) +
    "M\t1000\teb_bodies.map\n" +
    "T\t1000\teb_rules_app\t/cut\tgpt0=18" + TORN_MARK + "\n" +
    text("1000", [T("enforcement_off", { gpt0: 1 }, "eb_ctl")]);
  const journal =
    text("1000", learned(NOW - 100, rule("/new", 3600))) +
    text("1000", learned(NOW - 50, rule("/live", 7200, { status: 451 }))) +
    text("1000", [T("/gone", { gpc1: 0, gpt0: 0, sess_cnt: NOW - 40 })]) +
    text("cli-77", learned(NOW - 30, rule("/cli", 600))) +
    text("1000", [{ kind: "map-set", file: STORE_MAPS.reasons, key: "77", value: "stale" }]) +
    "T\t1000\teb_rules_app\n" +
    text(ME, learned(NOW - 20, rule("/mine", 600, { methods: ["POST"] }))) +
    "T\t1000\teb_rules_app\t/torn\tgpt0=18";
  return { snapshot, journal };
}

/** A journal only (no snapshot yet), with an old journal an interrupted compaction left. */
function oldJournalVector(): StateFiles {
  return {
    old:
      text("1000", learned(NOW - 300, rule("/a", 3600), rule("/b", 100))) +
      "garbage\n" +
      text("1000", learned(NOW - 250, rule("/p", 3600, { prefix: true }), rule("/e", 350))) +
      text("1000", [T("^/p", { gpc1: 0, gpt0: 0, sess_cnt: NOW - 240 })]),
    journal:
      text("1000", learned(NOW - 200, rule("/a", 7200))) +
      text("1000", [T("/e", { gpc1: 0, gpt0: 0, sess_cnt: NOW - 150 })]) +
      text("1000", learned(NOW - 100, rule("/c", 900))),
  };
}

// ---------------------------------------------------------------- the Lua side

interface Edge {
  readonly m: MockHaproxy;
  readonly settings: Settings;
}

function edge(files: StateFiles, over: Partial<Settings> = {}): Edge {
  const settings: Settings = { ...DEFAULT_SETTINGS, stateDir: DIR, snapshotInterval: 60, ...over };
  const m = new MockHaproxy({ EDGEBLOCK_SETTINGS: SETTINGS_FILE }, { [SETTINGS_FILE]: formatSettings(settings) });
  m.declareBackend("app");
  m.declareTable("eb_ctl");
  m.declareTable("eb_ready");
  m.nowSec = NOW;
  m.fs.mkdir(DIR);
  writeState(m, files);
  m.load();
  return { m, settings };
}

function writeState(m: MockHaproxy, files: StateFiles): void {
  for (const [name, content] of [[SNAP, files.snapshot], [OLD, files.old], [JOURNAL, files.journal]] as const) {
    if (content === undefined) m.fs.deleteFile(name);
    else m.fs.writeFile(name, content);
  }
}

function readState(m: MockHaproxy): StateFiles {
  return { snapshot: m.fs.readFile(SNAP), old: m.fs.readFile(OLD), journal: m.fs.readFile(JOURNAL) };
}

/** Module functions by VM: converting a module table to JS walks its classes (state-files: ~100 ms), so once. */
const fns = new WeakMap<MockHaproxy, Map<string, LuaFn>>();

function call(e: Edge, mod: string, fn: string, ...args: unknown[]): unknown[] {
  const byVm = fns.get(e.m) ?? new Map<string, LuaFn>();
  fns.set(e.m, byVm);
  let f = byVm.get(mod + "." + fn);
  if (f === undefined) {
    f = e.m.require(mod)[fn] as LuaFn | undefined;
    if (typeof f !== "function") throw new Error(`${mod}.${fn} is not in blocks.lua`);
    byVm.set(mod + "." + fn, f);
  }
  return f(...args);
}

/**
 * Run the maintenance task as HAProxy starts it: the startup load, then `seconds` upkeep steps (each
 * core.sleep(1) moves the clock one second and runs `each`), then the process is told to stop.
 */
function runTask(e: Edge, seconds: number, each?: (second: number) => void): void {
  const m = e.m;
  let t = 0;
  m.stopping = false;
  m.onSleep = (s) => {
    if (s < 1 || m.stopping) return;
    if (++t > seconds) {
      m.stopping = true;
      return;
    }
    m.nowSec += s;
    each?.(t);
  };
  try {
    expect(m.tasks.length).toBeGreaterThan(0);
    m.tasks[0]();
  } finally {
    m.onSleep = undefined;
    m.stopping = false;
  }
  expect(lua(m, "alert").filter((l) => l.includes("maintenance")), "the task ended by stopping, not by an error").toEqual([]);
}

function lua(m: MockHaproxy, level: keyof typeof LEVELS): string[] {
  return m.logs.filter((l) => l.level === LEVELS[level]).map((l) => l.msg);
}

function logged(m: MockHaproxy, event: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const l of m.logs) {
    if (!l.msg.startsWith(`edgeblock: ${event}`)) continue;
    const kv: Record<string, string> = { level: String(l.level) };
    for (const part of l.msg.substring(`edgeblock: ${event}`.length).trim().split(" ")) {
      const eq = part.indexOf("=");
      if (eq > 0) kv[part.substring(0, eq)] = part.substring(eq + 1);
    }
    out.push(kv);
  }
  return out;
}

/** This Lua state's counters and gauges (thread 0), as published in the counters map. */
function counters(m: MockHaproxy): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of m.maps.get(STORE_MAPS.counters) ?? []) if (k.startsWith("0:") && !k.endsWith("__names")) out[k.substring(2)] = Number(v);
  return out;
}

/** What the lines the Lua side reported corrupt say (warnings): file, line number, detail. */
function luaSkips(m: MockHaproxy): Skip[] {
  return logged(m, "state line skipped").map((kv) => ({ file: kv.file, line: Number(kv.line), detail: kv.level === String(LEVELS.warning) ? kv.detail : "not a warning" }));
}

/** The live tables and maps of the mock, minus what is not state (the ready key, the counters). */
function liveState(m: MockHaproxy): { tables: Record<string, Record<string, Record<string, number>>>; maps: Record<string, Record<string, string>> } {
  const tables: Record<string, Record<string, Record<string, number>>> = {};
  for (const [t, entries] of m.tables) {
    const o: Record<string, Record<string, number>> = {};
    for (const [k, v] of entries) if (t !== "eb_ready") o[k] = { ...v };
    tables[t] = o;
  }
  const maps: Record<string, Record<string, string>> = {};
  for (const [f, entries] of m.maps) if (f !== STORE_MAPS.counters) maps[f] = Object.fromEntries(entries);
  return { tables, maps };
}

// ---------------------------------------------------------------- the Node side: a model over the same bytes

interface Skip {
  file: string;
  line: number;
  detail: string;
}

/** log.ts clean(): what a value looks like in a log line. */
function clean(v: string): string {
  let out = "";
  for (let i = 0; i < v.length && i < 200; i++) {
    const c = v.charCodeAt(i);
    out += c < 33 || c > 126 || c === 34 ? "_" : v[i];
  }
  return out;
}

/** The complete lines of a file from `offset` (a last line without its newline is not one), numbered from 1 at the offset. */
function completeLines(content: string | undefined, offset = 0): { lines: { body: string; n: number }[]; offset: number } {
  if (content === undefined) return { lines: [], offset: 0 };
  let at = content.length < offset ? 0 : offset;
  const lines: { body: string; n: number }[] = [];
  for (let nl = content.indexOf("\n", at); nl >= 0; nl = content.indexOf("\n", at)) {
    lines.push({ body: content.substring(at, nl), n: lines.length + 1 });
    at = nl + 1;
  }
  return { lines, offset: at };
}

/** Records of a journal from `offset`, skipping comments, blank lines and (tailing) a writer's own and the CLI's lines. */
function tsReadFrom(file: string, content: string | undefined, offset: number, skipWriter?: string): { records: JournalRecord[]; skips: Skip[]; offset: number } {
  const { lines, offset: next } = completeLines(content, offset);
  const records: JournalRecord[] = [];
  const skips: Skip[] = [];
  for (const { body, n } of lines) {
    if (body.length === 0 || body[0] === "#") continue;
    const p = parseRecord(body);
    if (!p.ok) {
      skips.push({ file, line: n, detail: clean(p.error) });
      continue;
    }
    if (skipWriter !== undefined && (p.writer === skipWriter || p.writer.startsWith("cli-"))) continue;
    records.push(p.record);
  }
  return { records, skips, offset: next };
}

/** The live tables and maps as the runtime API and set_map leave them, and the replay's counts. */
class TsStore {
  tables: Record<string, Record<string, Record<string, number>>> = {};
  maps: Record<string, Record<string, string>> = {};
  applied = 0;
  skipped = 0;
  /** Table writes wait in a batch (one runtime API call) until a map record or the end of the file. */
  private batch: JournalRecord[] = [];

  constructor(tables: Iterable<string>, maps: Iterable<string>) {
    for (const t of tables) this.tables[t] = {};
    for (const f of maps) if (f !== STORE_MAPS.counters) this.maps[f] = {};
  }

  /** state-files.ts Replayer.push (guard: tailing, reconcile with what the table holds). */
  push(r: JournalRecord, now: number, guard: boolean): void {
    if (isExpiredRecord(r, now)) {
      this.skipped++;
      return;
    }
    const cur = r.kind === "table" ? this.tables[r.table]?.[r.key] : undefined;
    const x = guard ? reconcile(r, cur === undefined ? undefined : { gpt0: cur.gpt0 ?? 0, sessCnt: cur.sess_cnt ?? 0 }) : r;
    if (x === undefined) {
      this.skipped++;
      return;
    }
    if (x.kind === "table") {
      if (recordCommand(x) === undefined) return;
      this.batch.push(x);
    } else {
      this.flush();
      const m = this.maps[x.file];
      if (m === undefined) {
        this.skipped++;
        return;
      }
      if (x.kind === "map-set") m[x.key] = x.value;
      else delete m[x.key];
    }
    this.applied++;
  }

  flush(): void {
    for (const r of this.batch) {
      if (r.kind !== "table") continue;
      const t = this.tables[r.table];
      if (t === undefined) continue;
      const e = (t[r.key] = t[r.key] ?? {});
      for (const f of r.fields) e[f.name] = f.value;
    }
    this.batch = [];
  }

  /** persist.ts loadState over the three files. */
  load(files: StateFiles, now: number): { skips: Skip[]; offset: number } {
    const skips: Skip[] = [];
    let offset = 0;
    for (const [file, content] of [[SNAP, files.snapshot], [OLD, files.old], [JOURNAL, files.journal]] as const) {
      const r = tsReadFrom(file, content, 0);
      for (const rec of r.records) this.push(rec, now, false);
      this.flush();
      skips.push(...r.skips);
      if (file === JOURNAL) offset = r.offset;
    }
    return { skips, offset };
  }
}

interface TsSnapshot {
  rotated: boolean;
  /** The new snapshot's lines: header, table lines (`verbatim`: copied from the old snapshot), map lines. */
  header: string;
  tableLines: { line: string; verbatim: boolean }[];
  mapLines: string[];
  skips: Skip[];
  prune: JournalRecord[];
  census: { backend: string; enforce: number; dryRun: number }[];
  nextExpiry: number;
  /** Entries the compaction found expired: the clearer frees those the live table holds expired. */
  expired: { table: string; key: string }[];
  records: number;
}

/** snapshot.ts over text: the Compactor fed the way the Lua streams the files. */
function tsSnapshot(files: StateFiles, now: number): TsSnapshot {
  const rotated = files.old === undefined;
  const old = rotated ? files.journal : files.old;
  const skips: Skip[] = [];
  const c = new Compactor(now);
  const snapLines = completeLines(files.snapshot).lines;
  // pass 1: the snapshot's map records (a corrupt M or D line is reported here)
  for (const { body, n } of snapLines) {
    if (body.length === 0 || !"MD".includes(body[0])) continue;
    const p = parseRecord(body);
    if (p.ok) c.foldSnapshotMap(p.record);
    else skips.push({ file: SNAP, line: n, detail: clean(p.error) });
  }
  const j = tsReadFrom(OLD, old, 0);
  skips.push(...j.skips);
  for (const r of j.records) c.foldJournal(r);
  c.prepare();
  const tableLines: { line: string; verbatim: boolean }[] = [];
  const expired: { table: string; key: string }[] = [];
  let records = 0;
  const emit = (table: string, key: string, v: EntryVerdict, line: string | undefined) => {
    if (v.keep) {
      const verbatim = !v.merged && line !== undefined;
      const t = verbatim ? line : formatRecord({ kind: "table", table, key, fields: v.fields }, ME);
      if (t !== undefined) tableLines.push({ line: t, verbatim });
      records++;
    } else if (v.expired) expired.push({ table, key });
  };
  // pass 2: the snapshot's table records, and lines of no known kind (reported)
  for (const { body, n } of snapLines) {
    if (body.length === 0 || "MD#".includes(body[0])) continue;
    const p = parseRecord(body);
    if (!p.ok) skips.push({ file: SNAP, line: n, detail: clean(p.error) });
    else if (p.record.kind === "table") emit(p.record.table, p.record.key, c.snapshotEntry(p.record.table, p.record.key, p.record.fields), body);
  }
  for (const e of c.journalEntries()) emit(e.table, e.key, e.verdict, undefined);
  const fin = c.finish();
  const mapLines: string[] = [];
  for (const m of fin.maps) {
    const line = formatRecord(m, ME);
    if (line !== undefined) mapLines.push(line);
    records++;
  }
  return { rotated, header: snapshotHeader(now, ME), tableLines, mapLines, skips, prune: fin.prune, census: fin.census, nextExpiry: fin.nextExpiry, expired, records };
}

/** Every valid record of the files, folded in replay order: what a restart could rebuild (expired ones included). */
function saved(files: StateFiles): CompactState {
  const s = emptyState();
  for (const [file, content] of [[SNAP, files.snapshot], [OLD, files.old], [JOURNAL, files.journal]] as const) for (const r of tsReadFrom(file, content, 0).records) applyRecord(s, r);
  return s;
}

/** Line `n` (from 1) of one of the state files. */
function lineAt(files: StateFiles, file: string, n: number): string | undefined {
  const content = file === SNAP ? files.snapshot : file === OLD ? files.old : files.journal;
  return content?.split("\n")[n - 1];
}

/** A record as a comparable string: writer dropped, fields in name order (Lua lists merged fields in pairs() order). */
function canonRecord(line: string): string {
  const p = parseRecord(line);
  if (!p.ok) return "corrupt: " + line;
  const r = p.record;
  return r.kind === "table" ? JSON.stringify([r.table, r.key, [...r.fields].sort((a, b) => (a.name < b.name ? -1 : 1))]) : JSON.stringify(canon(r));
}

function canonRecs(recs: readonly JournalRecord[]): string[] {
  return recs.map((r) => canonRecord(formatRecord(r, "x")!)).sort();
}

/** Assert the Lua-written snapshot is the model's: same header, same table lines in order (copied ones byte for byte), same maps. */
function expectSnapshot(written: string | undefined, want: TsSnapshot): void {
  expect(written, "a snapshot was written").toBeDefined();
  expect(written!.endsWith("\n")).toBe(true);
  const lines = written!.substring(0, written!.length - 1).split("\n");
  expect(lines[0]).toBe(want.header);
  const tables = lines.slice(1, 1 + want.tableLines.length);
  expect(tables.map(canonRecord)).toEqual(want.tableLines.map((l) => canonRecord(l.line)));
  want.tableLines.forEach((l, i) => {
    if (l.verbatim) expect(tables[i], "an entry the journal did not change is copied as it was").toBe(l.line);
  });
  expect(lines.slice(1 + want.tableLines.length).sort()).toEqual([...want.mapLines].sort());
}

// ---------------------------------------------------------------- tests

describe("the mock io behaves like Lua's on glibc", () => {
  it("returns nil, message, errno instead of raising; seek reports positions; writes return the handle", () => {
    const e = edge({});
    e.m.fs.writeFile("/d/f", "one\ntwo\nthree");
    const [out] = e.m.vm.run(`
      local r = {}
      local function put(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end r[#r + 1] = table.concat(t, "|", 1, t.n) end
      put(io.open("/d/missing"))
      put(io.open("/nowhere/x", "w"))
      put(pcall(io.open, "/d/f", "rw"))
      local f = io.open("/d/f")
      put(f:seek("end"), f:seek("set", 4), f:read("L"), f:seek(), f:read("l"), f:read("l"), f:read("a"), f:read(0))
      put(f:seek("cur", -100))
      put(f:write("x"))
      put(f:close(), io.type(f), tostring(f))
      put(pcall(f.read, f, "l"))
      local w = io.open("/d/g", "w")
      put(w:write("ab", 12, 1.5) == w, w:seek("cur"), w:read("a"))
      put(w:close())
      put(os.rename("/d/g", "/d/h"), os.rename("/d/g", "/d/h"))
      put(os.remove("/d/h"), os.remove("/d/h"))
      local n = io.open("/d/f", "a+"); n:write("\\n4 0x10\\n"); n:seek("set", 14); put(n:read("n", "n", "n")); n:close()
      local all = {}
      for l in io.lines("/d/f", "L") do all[#all + 1] = l end
      local g = io.open("/d/f")
      for a, b in g:lines(1, "l") do all[#all + 1] = a .. "+" .. b end
      local it = g:lines()
      g:close()
      put(#all, all[3], all[7], pcall(it))
      put(pcall(g.lines, g))
      return r
    `);
    expect(out).toEqual([
      "nil|/d/missing: No such file or directory|2",
      "nil|/nowhere/x: No such file or directory|2",
      "false|bad argument #2 to 'open' (invalid mode)",
      "13|4|two\n|8|three|nil||nil",
      "nil|Invalid argument|22",
      "nil|Bad file descriptor|9",
      "true|closed file|file (closed)",
      "false|attempt to use a closed file",
      "true|7|nil|Bad file descriptor|9",
      "true",
      "true|nil|No such file or directory|2",
      "true|nil|/d/h: No such file or directory|2",
      "4|16|nil",
      "8|three\n|t+hree|false|file is already closed",
      "false|attempt to use a closed file",
    ]);
    expect(e.m.fs.openStreams()).toEqual([]);
  });

  it("a full disk shows at a later write, the flush or the close, leaves the file short, and a flush after a failure succeeds", () => {
    const e = edge({});
    const fs = e.m.fs;
    fs.bufferSize = 8;
    fs.mkdir("/s");
    fs.setFree(10);
    const [out] = e.m.vm.run(`
      local r = {}
      local function put(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end r[#r + 1] = table.concat(t, "|", 1, t.n) end
      local f = io.open("/s/x", "w")
      put(f:write("12345") == f, f:write("67890") == f)
      put(f:write("abcdefgh"))
      put(f:flush())
      put(f:write("z") == f, f:flush())
      put(f:close())
      local a = io.open("/s/x", "a")
      put(a:write("q") == a, a:close())
      return r
    `);
    expect(out).toEqual(["true|true", "nil|No space left on device|28", "true", "true|nil|No space left on device|28", "true", "true|nil|No space left on device|28"]);
    // 8 bytes went out with the second write, 2 of the third's buffer fitted, the rest was dropped
    expect(fs.readFile("/s/x")).toBe("1234567890");
  });

  it("a read-only folder refuses new entries but not writes to its files; a read-only mount refuses both", () => {
    const e = edge({});
    const fs = e.m.fs;
    fs.writeFile("/ro/f", "x");
    fs.lockedDirs.add("/ro");
    const run = (src: string) => e.m.vm.run(`local r = table.pack(${src}) for i = 1, r.n do r[i] = tostring(r[i]) end return table.concat(r, "|", 1, r.n)`)[0];
    expect(run(`io.open("/ro/f", "a") ~= nil`)).toBe("true");
    expect(run(`io.open("/ro/new", "w")`)).toBe("nil|/ro/new: Permission denied|13");
    expect(run(`os.rename("/ro/f", "/ro/g")`)).toBe("nil|Permission denied|13");
    expect(run(`os.remove("/ro/f")`)).toBe("nil|/ro/f: Permission denied|13");
    fs.lockedDirs.clear();
    fs.readOnly = true;
    expect(run(`io.open("/ro/f", "a")`)).toBe("nil|/ro/f: Read-only file system|30");
    expect(run(`io.open("/ro/f", "r") ~= nil`)).toBe("true");
  });
});

describe("journal append and read: the Lua and Node sides write and read the same lines", () => {
  const recs: JournalRecord[] = [
    ...learned(NOW, rule("/a b", 60, { body: "go away" }), rule("/p", 600, { prefix: true })),
    ...learned(NOW, rule("/q", 60, { methods: ["GET", "HEAD"], host: "example.com" })),
    T("/a b", { gpc1: 0, gpt0: 0, sess_cnt: NOW }),
    { kind: "map-del", file: "eb_prefix_app.map", key: "/p/" },
  ];

  it("journalAppend writes formatRecord's lines; readFrom gives back the records, the offset and nothing corrupt", () => {
    const e = edge({});
    call(e, "lua.journal-file", "journalAppend", e.settings, recs.slice(0, 3));
    call(e, "lua.journal-file", "journalAppend", e.settings, recs.slice(3));
    const written = e.m.fs.readFile(JOURNAL)!;
    expect(written).toBe(text(ME, recs));
    const got: unknown[] = [];
    const [res] = call(e, "lua.state-files", "readFrom", JOURNAL, 0, undefined, { push: (_s: unknown, r: unknown) => got.push(r), flush: () => undefined }) as [{ offset: number; corrupt: number }];
    const want = tsReadFrom(JOURNAL, written, 0);
    expect(canon(got)).toEqual(canon(want.records));
    expect(res).toEqual({ offset: written.length, corrupt: 0 });
    // tailing skips this process's own lines
    const tail: unknown[] = [];
    call(e, "lua.state-files", "readFrom", JOURNAL, 0, ME, { push: (_s: unknown, r: unknown) => tail.push(r), flush: () => undefined });
    expect(tail).toEqual([]);
    expect(e.m.fs.openStreams()).toEqual([]);
  });

  it("lines the Node CLI appends (src/node/runtime.ts) replay at startup, and are skipped when tailed (the CLI wrote to the live process)", () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "eb-journal-"));
    try {
      nodeJournalAppend(tmp, recs);
      const fromNode = readFileSync(path.join(tmp, JOURNAL_FILE), "latin1");
      expect(tsReadFrom(JOURNAL, fromNode, 0).records).toEqual(recs);
      const e = edge({ journal: fromNode });
      const [res] = call(e, "lua.state-files", "readFrom", JOURNAL, 0, ME, { push: () => undefined, flush: () => undefined }) as [{ offset: number; corrupt: number }];
      expect(res).toEqual({ offset: fromNode.length, corrupt: 0 });
      const want = new TsStore(e.m.tables.keys(), e.m.maps.keys());
      want.load({ journal: fromNode }, NOW);
      runTask(e, 0);
      expect(liveState(e.m)).toEqual({ tables: want.tables, maps: want.maps });
      expect(Object.keys(want.tables.eb_rules_app).sort()).toEqual(["/a b", "^/p", "/q", "/q GET~h:example.com", "/q HEAD~h:example.com"].sort());
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("startup replay: snapshot, old journal and journal into the tables and maps", () => {
  for (const [name, vector] of [
    ["snapshot and journal", mixedVector],
    ["old journal and journal", oldJournalVector],
  ] as const) {
    it(`${name}: the same entries, map entries, counts and corrupt lines as the model`, () => {
      const files = vector();
      const e = edge(files);
      const want = new TsStore(e.m.tables.keys(), e.m.maps.keys());
      const { skips } = want.load(files, NOW);
      runTask(e, 0);
      expect(liveState(e.m)).toEqual({ tables: want.tables, maps: want.maps });
      expect(luaSkips(e.m)).toEqual(skips);
      expect(logged(e.m, "state loaded")[0]).toMatchObject({ applied: String(want.applied), expired_skipped: String(want.skipped), corrupt: String(skips.length) });
      expect(counters(e.m).state_lines_corrupt ?? 0).toBe(skips.length);
      // nothing is written at startup but the probe's empty append: the files are as they were
      expect(readState(e.m)).toEqual(files);
      expect(e.m.fs.openStreams()).toEqual([]);
    });
  }

  /** The state a compaction of `files` leaves on disk, its commands file included. */
  function compacted(files: StateFiles): StateFiles & { commands?: string } {
    const c = edge(files);
    runTask(c, 0);
    call(c, "lua.snapshot", "snapshot", c.settings, NOW);
    return { ...readState(c.m), commands: c.m.fs.readFile(COMMANDS) };
  }

  function restartFrom(files: StateFiles & { commands?: string }, at = NOW): Edge {
    const e = edge(files);
    e.m.nowSec = at;
    if (files.commands !== undefined) e.m.fs.writeFile(COMMANDS, files.commands);
    runTask(e, 0);
    return e;
  }

  it("a restart from the snapshot's commands file gives the same tables and maps as one from its records, in batched writes", () => {
    const state = compacted(mixedVector());
    expect(state.commands).toBeDefined();
    const fromRecords = restartFrom({ ...state, commands: undefined });
    const fromCommands = restartFrom(state);
    expect(logged(fromRecords.m, "state loaded")[0]).toMatchObject({ snapshot: "records" });
    expect(logged(fromCommands.m, "state loaded")[0]).toMatchObject({ snapshot: "commands" });
    expect(liveState(fromCommands.m)).toEqual(liveState(fromRecords.m));
    expect(liveState(fromCommands.m).tables.eb_rules_app["/live"]).toBeDefined();
    // the commands file's rule entries went out as whole batch lines, not one request per rule
    const batches = fromCommands.m.cliRequests.filter((r) => r.split(";").length > 1);
    expect(batches.length).toBeGreaterThan(0);
    // later, once /soon (learned for 720 s at NOW - 700) has expired: left out of both, and counted as skipped
    const later = NOW + 60;
    const recordsLater = restartFrom({ ...state, commands: undefined }, later);
    const commandsLater = restartFrom(state, later);
    expect(logged(commandsLater.m, "state loaded")[0]).toMatchObject({ snapshot: "commands" });
    expect(liveState(commandsLater.m)).toEqual(liveState(recordsLater.m));
    expect(commandsLater.m.cliRequests.some((r) => r.includes("key /soon "))).toBe(false);
    expect(logged(commandsLater.m, "state loaded")[0].expired_skipped).toBe(logged(recordsLater.m, "state loaded")[0].expired_skipped);
    expect(Number(logged(commandsLater.m, "state loaded")[0].expired_skipped)).toBeGreaterThan(0);
  });

  it("ignores a commands file written with another snapshot, and refuses one that holds anything but rule-table writes", () => {
    const state = compacted(mixedVector());
    const fromRecords = liveState(restartFrom({ ...state, commands: undefined }).m);
    // another snapshot: one byte more in the snapshot
    const stale = restartFrom({ ...state, snapshot: state.snapshot + "\n" });
    expect(logged(stale.m, "snapshot commands file not used: written with another snapshot")).toHaveLength(1);
    expect(logged(stale.m, "state loaded")[0]).toMatchObject({ snapshot: "records" });
    // a batch line that would also clear a table: nothing of it is sent, the snapshot is replayed instead
    const lines = state.commands!.split("\n");
    const at = lines.findIndex((l) => /^C \d+ set table eb_rules_/.test(l));
    lines[at] = lines[at] + ";clear table eb_rules_app key /live";
    const forged = restartFrom({ ...state, commands: lines.join("\n") });
    expect(logged(forged.m, "snapshot commands file refused, the snapshot is replayed instead")).toHaveLength(1);
    expect(forged.m.cliRequests.some((r) => r.includes("clear table eb_rules_app key /live"))).toBe(false);
    expect(liveState(forged.m).tables.eb_rules_app["/live"]).toBeDefined();
    expect(logged(forged.m, "state loaded")[0]).toMatchObject({ snapshot: "records" });
    expect(liveState(forged.m)).toEqual(fromRecords);
    expect(counters(forged.m).state_lines_corrupt ?? 0).toBeGreaterThan(0);
  });

  it("the mixed vector proves what it should: live and merged rules back, expired, removed, corrupt and torn ones not", () => {
    const files = mixedVector();
    const e = edge(files);
    runTask(e, 0);
    const rules = e.m.tables.get("eb_rules_app")!;
    for (const k of ["/live", "/soon", "^/api", "/q", "/q GET~h:example.com", "/new", "/cli", "/mine POST"]) expect(rules.has(k), k).toBe(true);
    for (const k of ["/expired", "/broken", "/cut", "/torn", "^/deadp"]) expect(rules.has(k), k).toBe(false);
    // the journal's later learn of /live wins over the snapshot's
    expect(rules.get("/live")!.gpt0).toBe(NOW - 50 + 7200);
    // the removal is replayed as a removal (zeroed, for the sweep to free)
    expect(rules.get("/gone")).toMatchObject({ gpt0: 0, gpc1: 0 });
    // the lines reported are the corrupt ones, by file and number; the torn last line is not among them
    expect(luaSkips(e.m).map((s) => [s.file, lineAt(readState(e.m), s.file, s.line)])).toEqual([
      [SNAP, "T\t1000\teb_rules_app\t/broken\tgpt0=12x"],
      [SNAP, "X\tnot a record"],
      [SNAP, "M\t1000\teb_bodies.map"],
      [SNAP, "T\t1000\teb_rules_app\t/cut\tgpt0=18" + TORN_MARK],
      [JOURNAL, "T\t1000\teb_rules_app"],
    ]);
  });

  it("a torn last line is left for later: applied once its writer completes it, never reported", () => {
    const files = mixedVector();
    // snapshot_interval 900: no compaction (which would rotate the journal) in these seconds
    const e = edge(files, { snapshotInterval: 900 });
    runTask(e, 3, (t) => {
      // another process (pid 1000) finishes the line it was writing, then writes one more
      if (t === 2) e.m.fs.appendFile(JOURNAL, "00009000,gpc1=1800009000,gpc0=404\n" + text("1000", learned(NOW, rule("/later", 60))));
    });
    const rules = e.m.tables.get("eb_rules_app")!;
    expect(rules.get("/torn")).toEqual({ gpt0: 1800009000, gpc1: 1800009000, gpc0: 404 });
    expect(rules.has("/later")).toBe(true);
    // only the startup's corrupt lines were reported: the unfinished line never was
    expect(luaSkips(e.m)).toEqual(new TsStore([], []).load(files, NOW).skips);
  });
});

describe("tailing: other processes' journal lines reach the live tables", () => {
  it("applies another writer's lines, skips its own and the CLI's, never lets an older record undo a newer one", () => {
    // a snapshot just written: no compaction (which would clear the removed entry) in these seconds
    const start = { snapshot: snapshotHeader(NOW, "1000") + "\n", journal: text("1000", learned(NOW - 100, rule("/x", 3600))) };
    const e = edge(start, { snapshotInterval: 900 });
    const appended: string[] = [];
    const tail =
      text(ME, learned(NOW, rule("/own", 60))) +
      text("cli-9", learned(NOW, rule("/cli", 60))) +
      text("999", learned(NOW + 1, rule("/other", 600))) +
      // an older record for /x (sess_cnt before the table's) loses; a newer one wins
      text("999", [T("/x", { gpc1: 0, gpt0: 0, sess_cnt: NOW - 200 })]) +
      text("999", [T("/other", { gpc1: 0, gpt0: 0, sess_cnt: NOW + 5 })]) +
      "T\t999\tbroken\n";
    runTask(e, 2, (t) => {
      if (t === 1) {
        e.m.fs.appendFile(JOURNAL, tail);
        appended.push(tail);
      }
    });
    const want = new TsStore(e.m.tables.keys(), e.m.maps.keys());
    const { offset } = want.load(start, NOW);
    const r = tsReadFrom(JOURNAL, start.journal + appended.join(""), offset, ME);
    for (const rec of r.records) want.push(rec, NOW + 1, true);
    want.flush();
    expect(liveState(e.m).tables).toEqual(want.tables);
    expect(e.m.tables.get("eb_rules_app")!.has("/own")).toBe(false);
    expect(e.m.tables.get("eb_rules_app")!.has("/cli")).toBe(false);
    expect(e.m.tables.get("eb_rules_app")!.get("/x")!.gpt0).toBe(NOW - 100 + 3600);
    expect(e.m.tables.get("eb_rules_app")!.get("/other")).toMatchObject({ gpt0: 0, gpc1: 0 });
    // a corrupt tailed line is reported, numbered from where the tail started (line 9 of the tail, 11 of the file)
    expect(luaSkips(e.m)).toEqual(r.skips);
    expect(r.skips).toEqual([{ file: JOURNAL, line: 9, detail: "table_record_needs_5_fields,_has_3" }]);
    expect(lineAt({ journal: start.journal + tail }, JOURNAL, 11)).toBe("T\t999\tbroken");
  });
});

describe("compaction: the Lua snapshot is the Node model's, and compact()'s", () => {
  for (const [name, vector, at] of [
    ["snapshot and journal", mixedVector, NOW + 30],
    ["old journal left by an interrupted compaction, and a journal", oldJournalVector, NOW + 150],
  ] as const) {
    it(`${name}`, () => {
      const files = vector();
      const e = edge(files);
      runTask(e, 0);
      const tables = liveState(e.m).tables;
      e.m.nowSec = at;
      const before = counters(e.m);
      const skipsBefore = luaSkips(e.m).length;
      const [done] = call(e, "lua.snapshot", "snapshot", e.settings, at);
      const want = tsSnapshot(files, at);
      expect(done).toEqual({ nextExpiry: want.nextExpiry, rotated: want.rotated });
      const after = readState(e.m);
      expectSnapshot(after.snapshot, want);
      // the old journal is gone, the journal was rotated (or kept, when an old one was folded), no temp file is left
      expect(after.old).toBeUndefined();
      expect(e.m.fs.exists(TMP)).toBe(false);
      // map entries whose rules are gone are pruned from the live maps and journaled
      const journalKept = want.rotated ? "" : files.journal!;
      const journalNow = after.journal ?? "";
      expect(journalNow.startsWith(journalKept)).toBe(true);
      expect(journalNow.substring(journalKept.length).split("\n").filter(Boolean).map(canonRecord).sort()).toEqual(canonRecs(want.prune));
      expect(want.prune.length).toBeGreaterThan(0);
      // the live entries that expired are cleared by key; the counts and gauges follow
      const clears = e.m.cliRequests.flatMap((r) => r.split(";")).filter((c) => c.startsWith("clear table") && c.includes(" key ")).map((c) => c.trim());
      const expected = want.expired.filter((x) => tables[x.table]?.[x.key] !== undefined && (tables[x.table][x.key].gpt0 ?? 0) <= at);
      expect(clears.sort()).toEqual(expected.map((x) => `clear table ${x.table} key ${x.key.replace(/ /g, "\\ ")}`).sort());
      expect(expected.length).toBeGreaterThan(0);
      expect(luaSkips(e.m).slice(skipsBefore)).toEqual(want.skips);
      const c = counters(e.m);
      expect((c.rules_expired ?? 0) - (before.rules_expired ?? 0)).toBe(expected.length);
      for (const k of want.census) expect([c[`gauge:rules_active:${k.backend}:enforce`], c[`gauge:rules_active:${k.backend}:dry-run`]]).toEqual([k.enforce, k.dryRun]);
      expect(logged(e.m, "snapshot written")[0]).toMatchObject({ records: String(want.records), map_entries_pruned: String(want.prune.length), expired_freed: String(expected.length) });
      expect(c.snapshot_errors).toBeUndefined();
      // the in-memory compaction over every saved record keeps the same records, prunes the same map entries
      const oracle = compact(saved({ snapshot: files.snapshot, old: want.rotated ? files.journal : files.old }), at);
      const written = after.snapshot!.split("\n").slice(1).filter(Boolean).map(canonRecord).sort();
      expect(written).toEqual(canonRecs(oracle.records));
      expect(canonRecs(want.prune)).toEqual(canonRecs(oracle.prune));
      expect(want.nextExpiry).toBe(oracle.nextExpiry);
      expect(e.m.fs.openStreams()).toEqual([]);
      // and a process started on the new files rebuilds the same live rules
      const next = edge(after);
      runTask(next, 0);
      const model = new TsStore(next.m.tables.keys(), next.m.maps.keys());
      model.load(after, at);
      expect(liveState(next.m)).toEqual({ tables: model.tables, maps: model.maps });
      expect(luaSkips(next.m)).toEqual([]);
    });
  }

  it("the mixed vector's snapshot holds what it should", () => {
    const files = mixedVector();
    const want = tsSnapshot(files, NOW + 30);
    const keys = want.tableLines.map((l) => JSON.parse(canonRecord(l.line))[1]);
    expect(keys).toEqual(["/live", "^/api", "/q", "/q GET~h:example.com", "enforcement_off", "/new", "/cli", "/mine", "/mine POST"]);
    expect(want.tableLines.filter((l) => !l.verbatim).map((l) => JSON.parse(canonRecord(l.line))[1])).toEqual(["/live", "/new", "/cli", "/mine", "/mine POST"]);
    // the journal relearned /live without a body: its body goes too
    expect(canonRecs(want.prune)).toEqual(canonRecs([
      { kind: "map-del", file: STORE_MAPS.bodies, key: String(bodyId("nope")) },
      { kind: "map-del", file: "eb_prefix_app.map", key: "/deadp/" },
      { kind: "map-del", file: STORE_MAPS.reasons, key: "77" },
    ]));
    expect(want.expired.map((x) => x.key).sort()).toEqual(["/expired", "/gone", "/soon", "^/deadp"]);
    // the map pass reports a corrupt map line, the old journal its own, the table pass the rest
    expect(want.skips.map((s) => [s.file, lineAt({ snapshot: files.snapshot, old: files.journal }, s.file, s.line)])).toEqual([
      [SNAP, "M\t1000\teb_bodies.map"],
      [OLD, "T\t1000\teb_rules_app"],
      [SNAP, "T\t1000\teb_rules_app\t/broken\tgpt0=12x"],
      [SNAP, "X\tnot a record"],
      [SNAP, "T\t1000\teb_rules_app\t/cut\tgpt0=18" + TORN_MARK],
    ]);
    // the reason name still used is kept
    expect(want.mapLines.some((l) => l.includes(`\t${reasonId("scan")}\tscan`))).toBe(true);
    expect(want.mapLines.some((l) => l.includes("nope") || l.includes("stale"))).toBe(false);
  });

  it("the schedule: a worker compacts when the snapshot on disk is due, not snapshot_interval after its own start", () => {
    const files = mixedVector();
    // the snapshot was written 600 s ago; with snapshot_interval 900 the next one is due 300 s after start
    const e = edge(files, { snapshotInterval: 900 });
    // each callback runs before that second's upkeep: the snapshot must still be the old one up to NOW + 300
    runTask(e, 320, (t) => {
      if (t <= 300) expect(e.m.fs.readFile(SNAP), `second ${t}`).toBe(files.snapshot);
    });
    expect(parseSnapshotHeader(e.m.fs.readFile(SNAP)!.split("\n")[0])).toBe(NOW + 300);
  });
});

describe("a snapshot replaces nothing until it is on disk in full: written, flushed, sized", () => {
  it("steps in order: temp file written, flushed, closed, reopened and sized, renamed over the snapshot, then the old journal removed", () => {
    const files = mixedVector();
    const e = edge(files);
    runTask(e, 0);
    e.m.fs.events.length = 0;
    call(e, "lua.snapshot", "snapshot", e.settings, NOW);
    const ev = e.m.fs.events.map((x) => `${x.op} ${x.path.split("/").pop()}${x.op === "open" || x.op === "seek" ? " " + x.detail : ""}${x.op === "rename" ? " -> " + x.detail.split("/").pop() : ""}`);
    const tmp = TMP.split("/").pop();
    const at = (s: string) => {
      const i = ev.indexOf(s);
      expect(i, s).toBeGreaterThanOrEqual(0);
      return i;
    };
    const rotation = at(`rename ${JOURNAL_FILE} -> ${JOURNAL_OLD_FILE}`);
    const open = at(`open ${tmp} w`);
    const flush = at(`flush ${tmp}`);
    const closed = at(`close ${tmp}`);
    const reopen = ev.indexOf(`open ${tmp} r`, closed);
    const sized = ev.indexOf(`seek ${tmp} end 0 -> ${e.m.fs.readFile(SNAP)!.length}`, reopen);
    const renamed = at(`rename ${tmp} -> ${SNAPSHOT_FILE}`);
    const removed = at(`remove ${JOURNAL_OLD_FILE}`);
    expect([rotation, open, flush, closed, reopen, sized, renamed, removed]).toEqual([...[rotation, open, flush, closed, reopen, sized, renamed, removed]].sort((a, b) => a - b));
    expect(reopen).toBeGreaterThan(closed);
    expect(sized).toBeGreaterThan(reopen);
    // the snapshot's commands file is written alongside (core/snapshot-commands.ts), and renamed after the snapshot
    const commandsTmp = (x: string) => x.includes(`${SNAPSHOT_COMMANDS_FILE}.tmp.`);
    expect(ev.filter((x) => x.startsWith("write ") && !x.endsWith(tmp!) && !commandsTmp(x)).every((x) => ev.indexOf(x) > removed)).toBe(true);
    expect(ev.indexOf(`rename ${ev.find(commandsTmp)?.split(" ")[1]} -> ${SNAPSHOT_COMMANDS_FILE}`)).toBeGreaterThan(renamed);
  });

  function expectKept(e: Edge, files: StateFiles, detail: RegExp, errorsBefore = 0): void {
    const now = readState(e.m);
    expect(now.snapshot, "the previous snapshot is untouched").toBe(files.snapshot);
    // the journal was rotated (or was already), and the old journal stays until a snapshot holds it
    expect(now.old).toBe(files.old ?? files.journal);
    expect(saved(now)).toEqual(saved(files));
    expect(e.m.fs.exists(TMP), "the temp file is removed").toBe(false);
    expect(counters(e.m).snapshot_errors).toBe(errorsBefore + 1);
    const log = logged(e.m, "snapshot not written").pop()!;
    expect(log).toMatchObject({ level: String(LEVELS.err), kept: "previous_snapshot_and_journal" });
    expect(log.detail).toMatch(detail);
    expect(e.m.fs.openStreams()).toEqual([]);
  }

  it("a full disk at every size: either the model's snapshot, or the old files kept and the failure counted; then the retry folds the old journal", () => {
    const files = mixedVector();
    const want = tsSnapshot(files, NOW);
    const wantRetry = tsSnapshot({ snapshot: files.snapshot, old: files.journal }, NOW);
    const size = want.header.length + 1 + [...want.tableLines.map((l) => l.line), ...want.mapLines].reduce((n, l) => n + l.length + 1, 0);
    const e = edge(files);
    runTask(e, 0);
    e.m.fs.bufferSize = 256;
    const stages = new Set<string>();
    let errors = 0;
    const sizes = [0, 1, 255, 256, 257, size - 1, size, size + 1];
    for (let free = 0; free <= size + 300; free += 23) sizes.push(free);
    for (const free of sizes) {
      writeState(e.m, files);
      e.m.fs.deleteFile(TMP);
      e.m.fs.setFree(free);
      const [done] = call(e, "lua.snapshot", "snapshot", e.settings, NOW);
      if (free >= size) {
        // the prune may not fit in the journal afterwards: that is the journal's business (kept in memory)
        expect(done, `free ${free}`).toEqual({ nextExpiry: want.nextExpiry, rotated: true });
        expectSnapshot(e.m.fs.readFile(SNAP), want);
        expect(e.m.fs.exists(OLD)).toBe(false);
        stages.add("written");
        continue;
      }
      expect(done, `free ${free}`).toBeUndefined();
      expectKept(e, files, /^(write|flush):_No_space_left_on_device$/, errors++);
      stages.add(logged(e.m, "snapshot not written").pop()!.detail.split(":")[0]);
      // space again: the next compaction folds the old journal it left, and rotates nothing
      e.m.fs.setFree(Infinity);
      const [retry] = call(e, "lua.snapshot", "snapshot", e.settings, NOW);
      expect(retry).toEqual({ nextExpiry: wantRetry.nextExpiry, rotated: false });
      expectSnapshot(e.m.fs.readFile(SNAP), wantRetry);
      expect(e.m.fs.exists(OLD)).toBe(false);
    }
    // the failure showed at a write (buffer full) and at the flush (the tail of the file)
    expect([...stages].sort()).toEqual(["flush", "write", "written"]);
    expect(tsSnapshot({ snapshot: files.snapshot, old: files.journal }, NOW).tableLines).toEqual(want.tableLines);
  });

  it("a close that fails (EIO: NFS reports at close) keeps everything", () => {
    const files = mixedVector();
    const e = edge(files);
    e.m.fs.fail("close", TMP, "EIO", 1);
    expect(call(e, "lua.snapshot", "snapshot", e.settings, NOW)[0]).toBeUndefined();
    expectKept(e, files, /^close:_Input\/output_error$/);
  });

  it("a temp file that is short on disk although every call succeeded (another process truncated it) is refused by the size check", () => {
    const files = mixedVector();
    const e = edge(files);
    let once = true;
    e.m.fs.afterClose = (p) => {
      if (p === TMP && once) {
        once = false;
        const t = e.m.fs.readFile(TMP)!;
        e.m.fs.writeFile(TMP, t.substring(0, t.length - 40));
      }
    };
    expect(call(e, "lua.snapshot", "snapshot", e.settings, NOW)[0]).toBeUndefined();
    expectKept(e, files, /^size_\d+_on_disk,_\d+_written$/);
  });

  it("a rename that fails keeps everything; a process told to stop mid-way replaces nothing and counts nothing", () => {
    const files = mixedVector();
    const e = edge(files);
    e.m.fs.fail("rename", TMP, "EIO", 1);
    expect(call(e, "lua.snapshot", "snapshot", e.settings, NOW)[0]).toBeUndefined();
    expectKept(e, files, /^rename:_Input\/output_error$/);
    writeState(e.m, files);
    e.m.fs.afterClose = (p) => {
      if (p === TMP) e.m.stopping = true;
    };
    expect(call(e, "lua.snapshot", "snapshot", e.settings, NOW)[0]).toBeUndefined();
    expect(readState(e.m)).toEqual({ snapshot: files.snapshot, old: files.journal, journal: undefined });
    expect(e.m.fs.exists(TMP)).toBe(false);
    expect(counters(e.m).snapshot_errors).toBe(1);
  });

  it("a read-only folder: the rotation fails and nothing moves; with an old journal already there the temp file cannot be created", () => {
    const files = mixedVector();
    const e = edge(files);
    e.m.fs.lockedDirs.add(DIR);
    // the journal exists and its file is writable: the startup probe succeeds, no alert
    runTask(e, 0);
    expect(logged(e.m, "state folder cannot be written")).toEqual([]);
    expect(call(e, "lua.snapshot", "snapshot", e.settings, NOW)[0]).toBeUndefined();
    expect(readState(e.m)).toEqual(files);
    expect(counters(e.m).snapshot_errors).toBe(1);
    expect(logged(e.m, "snapshot not written")[0].detail).toBe("journal_rotation:_Permission_denied");
    const withOld = { snapshot: files.snapshot, old: files.journal };
    writeState(e.m, withOld);
    expect(call(e, "lua.snapshot", "snapshot", e.settings, NOW)[0]).toBeUndefined();
    expect(readState(e.m)).toEqual(withOld);
    expect(logged(e.m, "snapshot not written")[1].detail).toBe(clean(`open: ${TMP}: Permission denied`));
    expect(counters(e.m).snapshot_errors).toBe(2);
    expect(e.m.fs.openStreams()).toEqual([]);
    // without a journal yet, the startup probe has to create one: alerted and counted at once
    const fresh = edge({ snapshot: files.snapshot });
    fresh.m.fs.lockedDirs.add(DIR);
    runTask(fresh, 0);
    expect(logged(fresh.m, "state folder cannot be written")[0]).toMatchObject({ level: String(LEVELS.alert), detail: clean(`${JOURNAL}: Permission denied`) });
    expect(counters(fresh.m).journal_errors).toBe(1);
  });
});

describe("the journal on a full disk or a read-only mount: lines wait in memory, nothing saved is lost", () => {
  const first = [...learned(NOW, rule("/one", 600, { body: "b1" })), ...learned(NOW, rule("/two", 600, { methods: ["GET"] }))];
  const second = learned(NOW + 1, rule("/three", 600));

  it("at every cut: the torn line is marked and reported, every record replays, in order, the same in Lua and Node", () => {
    const full = text(ME, first).length;
    const e = edge({});
    const fold = (recs: readonly JournalRecord[]) => {
      const s = emptyState();
      for (const r of recs) applyRecord(s, r);
      return s;
    };
    for (let free = 0; free <= full; free++) {
      e.m.fs.deleteFile(JOURNAL);
      e.m.logs.length = 0;
      const errorsBefore = counters(e.m).journal_errors ?? 0;
      e.m.fs.setFree(free);
      call(e, "lua.journal-file", "journalAppend", e.settings, first);
      const partial = e.m.fs.readFile(JOURNAL) ?? "";
      if (free < full) {
        expect(partial, "a short write").toBe(text(ME, first).substring(0, free));
        expect(counters(e.m).journal_errors).toBe(errorsBefore + 1);
        expect(logged(e.m, "journal not written")[0].detail).toMatch(/^(write|flush):_No_space_left_on_device$/);
        expect(counters(e.m)["gauge:journal_backlog_bytes"]).toBe(full);
      }
      e.m.fs.setFree(Infinity);
      call(e, "lua.journal-file", "journalAppend", e.settings, second);
      const journal = e.m.fs.readFile(JOURNAL)!;
      const got: unknown[] = [];
      const [res] = call(e, "lua.state-files", "readFrom", JOURNAL, 0, undefined, { push: (_s: unknown, r: unknown) => got.push(r), flush: () => undefined }) as [{ offset: number; corrupt: number }];
      const model = tsReadFrom(JOURNAL, journal, 0);
      expect(canon(got), `free ${free}`).toEqual(canon(model.records));
      expect(luaSkips(e.m)).toEqual(model.skips);
      expect(res).toEqual({ offset: journal.length, corrupt: model.skips.length });
      // the lines that made it before the cut come again: replaying them twice gives the same state
      expect(fold(model.records)).toEqual(fold([...first, ...second]));
      expect(model.records.slice(-first.length - second.length)).toEqual([...first, ...second]);
      expect(model.skips.map((s) => s.detail)).toEqual(free < full ? ["cut_short_by_a_failed_write"] : []);
      expect(counters(e.m)["gauge:journal_backlog_bytes"]).toBe(0);
    }
  });

  it("a read-only mount: alerted at startup, learns wait, the upkeep writes them once the folder is writable", () => {
    const files = { journal: text("1000", learned(NOW - 10, rule("/before", 600))) };
    const e = edge(files);
    e.m.fs.readOnly = true;
    runTask(e, 3, (t) => {
      if (t === 1) call(e, "lua.journal-file", "journalAppend", e.settings, first);
      if (t === 2) e.m.fs.readOnly = false;
    });
    expect(logged(e.m, "state folder cannot be written")[0]).toMatchObject({ level: String(LEVELS.alert), detail: clean(`${JOURNAL}: Read-only file system`) });
    expect(logged(e.m, "journal not written")[0].detail).toBe(clean(`${JOURNAL}: Read-only file system`));
    expect(logged(e.m, "journal written again")[0]).toMatchObject({ lines: "1" });
    expect(counters(e.m).journal_errors).toBe(2);
    const journal = e.m.fs.readFile(JOURNAL)!;
    expect(journal.startsWith(files.journal)).toBe(true);
    const model = tsReadFrom(JOURNAL, journal, 0);
    expect(model.records).toEqual([...learned(NOW - 10, rule("/before", 600)), ...first]);
    // nothing was cut, yet the retry marks a torn line: a lone mark, reported as corrupt on every replay
    expect(journal.substring(files.journal.length).startsWith(TORN_MARK + "\n")).toBe(true);
    expect(model.skips).toEqual([{ file: JOURNAL, line: completeLines(files.journal).lines.length + 1, detail: "cut_short_by_a_failed_write" }]);
  });

  /** A journal a process left when it died mid-append, and the next process's first learn (table records only: the maps know its names). */
  function afterCrash(): { e: Edge; journal: string } {
    const crashed = text("1000", learned(NOW - 10, rule("/before", 600))) + "T\t1000\teb_rules_app\t/cra";
    const e = edge({ journal: crashed });
    runTask(e, 0);
    call(e, "lua.journal-file", "journalAppend", e.settings, blockRecords("app", [rule("/three", 600)], NOW + 1, 1, { ...noStore, hasMapKey: () => true }));
    return { e, journal: e.m.fs.readFile(JOURNAL)! };
  }

  it("a torn last line a crashed process left, then an append: Lua and Node read the result alike", () => {
    const { e, journal } = afterCrash();
    const model = tsReadFrom(JOURNAL, journal, 0);
    const got: unknown[] = [];
    call(e, "lua.state-files", "readFrom", JOURNAL, 0, undefined, { push: (_s: unknown, r: unknown) => got.push(r), flush: () => undefined });
    expect(canon(got)).toEqual(canon(model.records));
    expect(luaSkips(e.m)).toEqual(model.skips);
  });

  // without the tail check (journal-file.ts checkTail) the next append was glued to the partial line
  // ("/craT\t4242\t...": one corrupt line) and the rule it saved was gone at the next restart
  it("a torn last line a crashed process left: what the next process learns survives a restart", () => {
    const { journal } = afterCrash();
    const next = edge({ journal });
    runTask(next, 0);
    expect(next.m.tables.get("eb_rules_app")!.has("/three")).toBe(true);
  });
});
