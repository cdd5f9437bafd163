import { describe, expect, it } from "vitest";
import { applyRecord, compact, Compactor, emptyState } from "../../src/core/compact";
import { packAnswer } from "../../src/core/answer";
import { bodyId, packReason, reasonId } from "../../src/core/rule";
import { JournalRecord } from "../../src/core/journal";

const NOW = 1_800_000_000;
const T = (key: string, f: Record<string, number>, table = "eb_rules_app"): JournalRecord => ({ kind: "table", table, key, fields: Object.entries(f).map(([name, value]) => ({ name, value })) });
const M = (file: string, key: string, value: string): JournalRecord => ({ kind: "map-set", file, key, value });

describe("journal compaction", () => {
  it("keeps live rules with their latest fields, drops expired and removed ones, and prunes maps they no longer use", () => {
    const s = emptyState();
    const live = { gpt0: NOW + 60, gpc1: NOW + 60, gpc0: packAnswer({ status: 404, dryRun: false, bodyId: bodyId("hi") }), sess_cnt: NOW, server_id: packReason("scan", 1) };
    const recs: JournalRecord[] = [
      T("/a", live),
      T("/old", { ...live, gpt0: NOW - 1, gpc1: NOW - 1 }),
      T("/gone", live),
      T("/gone", { gpc1: 0, gpt0: 0, sess_cnt: NOW + 1 }),
      T("^/p", { ...live, gpc0: packAnswer({ status: 403, dryRun: true, bodyId: 0 }) }),
      T("^/dead", { ...live, gpt0: NOW - 5, gpc1: NOW - 5 }),
      T("/q", { gpt0: NOW + 60 }),
      T("/q GET~q:debug", live),
      T("/q POST~q:x", { ...live, gpt0: NOW - 1, gpc1: NOW - 1 }),
      M("eb_prefix_app.map", "/p/", "^/p"),
      M("eb_prefix_app.map", "/dead/", "^/dead"),
      M("eb_qual_app.map", "/q", "GET~q:debug POST~q:x"),
      M("eb_bodies.map", String(bodyId("hi")), "hi"),
      M("eb_bodies.map", "99", "unused"),
      M("eb_reasons.map", String(reasonId("scan")), "scan"),
      M("eb_reasons.map", "5", "stale"),
      T("enforcement_off", { gpt0: 1 }, "eb_ctl"),
    ];
    for (const r of recs) applyRecord(s, r);
    const c = compact(s, NOW);
    const keys = c.records.filter((r) => r.kind === "table").map((r) => (r as { key: string }).key).sort();
    expect(keys).toEqual(["/a", "/q", "/q GET~q:debug", "^/p", "enforcement_off"]);
    const id = (r: JournalRecord) => (r.kind === "table" ? r.table : r.file) + "\t" + r.key;
    expect([...c.prune].sort((a, b) => (id(a) < id(b) ? -1 : 1))).toEqual([
      { kind: "map-del", file: "eb_bodies.map", key: "99" },
      { kind: "map-del", file: "eb_prefix_app.map", key: "/dead/" },
      { kind: "map-set", file: "eb_qual_app.map", key: "/q", value: "GET~q:debug" },
      { kind: "map-del", file: "eb_reasons.map", key: "5" },
    ]);
    expect(c.census).toEqual([{ backend: "app", enforce: 2, dryRun: 1 }]);
    expect(c.nextExpiry).toBe(NOW + 60);
    // what the live tables may still hold and the maintenance task clears by key
    expect(c.expired.map((x) => x.key).sort()).toEqual(["/gone", "/old", "/q POST~q:x", "^/dead"]);
  });

  it("reports the earliest future expiry of a kept rule entry, so a quiet store is compacted again then", () => {
    const s = emptyState();
    applyRecord(s, T("/x", { gpt0: NOW + 30, gpc1: NOW + 7, gpc0: 404 }));
    applyRecord(s, T("/y", { gpt0: NOW + 9, gpc1: NOW + 9, gpc0: 404 }));
    applyRecord(s, T("/old", { gpt0: NOW - 1, gpc1: NOW - 1, gpc0: 404 }));
    applyRecord(s, T("enforcement_off", { gpt0: NOW + 2 }, "eb_ctl"));
    expect(compact(s, NOW).nextExpiry).toBe(NOW + 7);
    expect(compact(emptyState(), NOW).nextExpiry).toBe(0);
  });

  it("calls the tick (core.yield in HAProxy) every 20 entries, so a big store is compacted in slices", () => {
    const s = emptyState();
    for (let i = 0; i < 2600; i++) applyRecord(s, T(`/k${i}`, { gpt0: NOW + 10, gpc1: NOW + 10, gpc0: 404 }));
    let ticks = 0;
    const c = compact(s, NOW, () => ticks++);
    expect(c.records).toHaveLength(2600);
    expect(ticks).toBe(130);
  });

  it("streams a snapshot: the journal's newer fields win, removals and deletions in the journal apply, journal-only entries come last", () => {
    const live = { gpt0: NOW + 60, gpc1: NOW + 60, gpc0: packAnswer({ status: 404, dryRun: false, bodyId: 0 }), sess_cnt: NOW - 10, server_id: packReason("scan", 1) };
    const c = new Compactor(NOW);
    // the snapshot's maps, then the rotated journal, in file order
    c.foldSnapshotMap(M("eb_prefix_app.map", "/p/", "^/p"));
    c.foldSnapshotMap(M("eb_prefix_app.map", "/gone/", "^/gone"));
    c.foldJournal({ kind: "map-del", file: "eb_prefix_app.map", key: "/gone/" });
    c.foldJournal(T("/a", { gpc1: 0, gpt0: 0, sess_cnt: NOW }));
    c.foldJournal(T("/b", { gpc1: NOW + 30 }));
    c.foldJournal(T("/new", live));
    c.prepare();
    const fields = (f: Record<string, number>) => Object.entries(f).map(([name, value]) => ({ name, value }));
    const a = c.snapshotEntry("eb_rules_app", "/a", fields(live));
    expect(a).toMatchObject({ keep: false, expired: true, merged: true });
    const b = c.snapshotEntry("eb_rules_app", "/b", fields(live));
    expect(b.keep && b.merged).toBe(true);
    expect(b.fields).toContainEqual({ name: "gpc1", value: NOW + 30 });
    expect(b.fields).toContainEqual({ name: "sess_cnt", value: NOW - 10 });
    const p = c.snapshotEntry("eb_rules_app", "^/p", fields(live));
    expect(p).toMatchObject({ keep: true, merged: false, expired: false });
    const rest = c.journalEntries();
    expect(rest.map((r) => r.key)).toEqual(["/new"]);
    const f = c.finish();
    expect(f.maps).toEqual([M("eb_prefix_app.map", "/p/", "^/p")]);
    expect(f.census).toEqual([{ backend: "app", enforce: 3, dryRun: 0 }]);
    expect(f.nextExpiry).toBe(NOW + 30);
    expect(f.expired).toBe(1);
  });

  it("gives every rule table a census line, so gauges fall to 0 when its last rule expires", () => {
    const s = emptyState();
    applyRecord(s, T("/old", { gpt0: NOW - 1, gpc1: NOW - 1, gpc0: 404 }));
    expect(compact(s, NOW).census).toEqual([{ backend: "app", enforce: 0, dryRun: 0 }]);
  });
});
