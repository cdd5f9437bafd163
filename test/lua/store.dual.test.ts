/** What learning writes, and what compaction keeps: the same records from the TS core and from blocks.lua. */
import { describe, expect, it } from "vitest";
import { applyRecord, compact, CompactState, emptyState } from "../../src/core/compact";
import { packAnswer } from "../../src/core/answer";
import { JournalRecord } from "../../src/core/journal";
import { bodyId, packReason, reasonId } from "../../src/core/rule";
import { blockRecords, StoreLookups } from "../../src/core/store-records";
import { BlockRule } from "../../src/core/verdict";
import { callLua, canon } from "../helpers/dual";

const NOW = 1_800_000_000;

const rule = (over: Partial<BlockRule> & { path: string; prefix?: boolean; methods?: string[]; host?: string }): BlockRule => ({
  match: { path: over.path, prefix: over.prefix ?? false, methods: over.methods ?? [], query: [], ...(over.host ? { host: over.host } : {}) },
  status: over.status ?? 404,
  body: over.body ?? "",
  ttl: over.ttl ?? 60,
  reason: over.reason ?? "edge-resource",
  dryRun: over.dryRun ?? false,
});

/** A store that already holds /live (liveness NOW+500), a spec list for /q, and the reason "scan". */
const existing = {
  liveness: (key: string) => (key === "/live" ? NOW + 500 : 0),
  specs: (base: string) => (base === "/q" ? "GET~q:debug" : undefined),
  hasMapKey: (file: string, key: string) => file === "eb_reasons.map" && key === String(reasonId("scan")),
};
const tsLookups: StoreLookups = existing;
// TSTL calls interface methods with self first
const luaLookups = {
  liveness: (_self: unknown, k: string) => existing.liveness(k),
  specs: (_self: unknown, b: string) => existing.specs(b),
  hasMapKey: (_self: unknown, f: string, k: string) => existing.hasMapKey(f, k),
};

const batches: BlockRule[][] = [
  [rule({ path: "/yeet" })],
  [rule({ path: "/live", ttl: 30 })],
  [rule({ path: "/live", methods: ["POST"], ttl: 900 })],
  [rule({ path: "/a", methods: ["GET", "HEAD"], reason: "scan", body: "nope", status: 451 })],
  [rule({ path: "/api", prefix: true, dryRun: true })],
  [rule({ path: "/q", host: "example.com", methods: ["GET"] })],
  [rule({ path: "/m" }), rule({ path: "/m", methods: ["DELETE"], ttl: 7200 })],
];

describe("learning writes the same records in both runtimes", () => {
  it("blockRecords agrees on every batch", () => {
    for (const usec of [0, 250000]) {
      for (const b of batches) {
        const inTs = blockRecords("app", b, NOW, 3, tsLookups, usec);
        const inLua = callLua("core.store-records", "blockRecords", "app", b, NOW, 3, luaLookups, usec);
        expect(canon(inLua), JSON.stringify(b)).toEqual(canon(inTs));
      }
    }
  });

  it("writes a rule keyed on its base once, carrying the index (one touch per learn)", () => {
    const recs = blockRecords("app", [rule({ path: "/yeet", ttl: 60 })], NOW, 0, tsLookups).filter((r) => r.kind === "table");
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ key: "/yeet", fields: expect.arrayContaining([{ name: "gpt0", value: NOW + 60 }, { name: "gpc1", value: NOW + 60 }]) });
    // learned part-way through a second: the expiry rounds up, so the rule lives at least its TTL
    const late = blockRecords("app", [rule({ path: "/yeet", ttl: 60 })], NOW, 0, tsLookups, 900000).filter((r) => r.kind === "table");
    expect(late[0]).toMatchObject({ fields: expect.arrayContaining([{ name: "gpc1", value: NOW + 61 }, { name: "sess_cnt", value: NOW }]) });
    // an existing longer-lived base keeps its liveness; the rule keeps its own expiry
    const live = blockRecords("app", [rule({ path: "/live", ttl: 30 })], NOW, 0, tsLookups).filter((r) => r.kind === "table");
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ fields: expect.arrayContaining([{ name: "gpt0", value: NOW + 500 }, { name: "gpc1", value: NOW + 30 }]) });
    // a method rule needs its own entry plus the index, written first (a full table then stores neither)
    const keys = blockRecords("app", [rule({ path: "/x", methods: ["POST"] })], NOW, 0, tsLookups).filter((r) => r.kind === "table").map((r) => (r as { key: string }).key);
    expect(keys).toEqual(["/x", "/x POST"]);
  });
});

describe("compaction keeps the same records in both runtimes", () => {
  const T = (key: string, f: Record<string, number>, table = "eb_rules_app"): JournalRecord => ({ kind: "table", table, key, fields: Object.entries(f).map(([name, value]) => ({ name, value })) });
  const live = { gpt0: NOW + 60, gpc1: NOW + 60, gpc0: packAnswer({ status: 404, dryRun: false, bodyId: bodyId("hi") }), sess_cnt: NOW, server_id: packReason("scan", 1) };
  const state = (): CompactState => {
    const s = emptyState();
    for (const r of [
      T("/a", live),
      T("/old", { ...live, gpt0: NOW - 1, gpc1: NOW - 1 }),
      T("^/p", { ...live, gpc1: NOW + 20 }),
      T("/q", { gpt0: NOW + 60 }),
      T("/q GET~q:debug", { ...live, gpc1: NOW + 9 }),
      { kind: "map-set", file: "eb_prefix_app.map", key: "/p/", value: "^/p" },
      { kind: "map-set", file: "eb_qual_app.map", key: "/q", value: "GET~q:debug POST~q:x" },
      { kind: "map-set", file: "eb_bodies.map", key: String(bodyId("hi")), value: "hi" },
      { kind: "map-set", file: "eb_bodies.map", key: "99", value: "unused" },
      T("enforcement_off", { gpt0: 1 }, "eb_ctl"),
    ] as JournalRecord[])
      applyRecord(s, r);
    return s;
  };
  // pairs() order differs from JS key order: compare as sorted lines
  const sorted = (c: { records: unknown[]; prune: unknown[]; expired: unknown[]; nextExpiry: number }) => ({
    records: c.records.map((r) => JSON.stringify(canon(r))).sort(),
    prune: c.prune.map((r) => JSON.stringify(canon(r))).sort(),
    expired: c.expired.map((r) => JSON.stringify(canon(r))).sort(),
    nextExpiry: c.nextExpiry,
  });

  it("compact agrees on records, pruning and the next expiry", () => {
    const inTs = compact(state(), NOW);
    const inLua = callLua("core.compact", "compact", state(), NOW) as { records: unknown[]; prune: unknown[]; expired: unknown[]; nextExpiry: number };
    expect(sorted(inLua)).toEqual(sorted(inTs));
    expect(inTs.nextExpiry).toBe(NOW + 9);
    expect(inTs.records.length).toBeGreaterThan(0);
  });
});
