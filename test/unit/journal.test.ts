import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatRecord, isExpiredRecord, JournalRecord, parseRecord, reconcile, TORN_MARK } from "../../src/core/journal";
import { byteString } from "../helpers/arb";

const T = (fields: Array<[string, number]>, table = "eb_rules_app", key = "/a b"): JournalRecord => ({
  kind: "table",
  table,
  key,
  fields: fields.map(([name, value]) => ({ name, value })),
});

describe("journal records", () => {
  it("format and parse back", () => {
    const recs: JournalRecord[] = [
      T([["gpt0", 1800000000], ["gpc0", 404]]),
      { kind: "map-set", file: "eb_qual_app.map", key: "/s", value: "GET~q:debug POST~a:anon" },
      { kind: "map-del", file: "eb_prefix_app.map", key: "/wp-admin/" },
    ];
    for (const r of recs) expect(parseRecord(formatRecord(r, "123")!)).toEqual({ ok: true, writer: "123", record: r });
  });

  it("never parses a line a failed write cut short, once the retry marks it torn", () => {
    const recs: JournalRecord[] = [
      T([["gpt0", 1800000000], ["gpc0", 404], ["gpc1", 1800000000]], "eb_rules_app", "/full/595"),
      { kind: "map-set", file: "eb_qual_app.map", key: "/s", value: "GET~q:debug POST~a:anon" },
      { kind: "map-del", file: "eb_prefix_app.map", key: "/wp-admin/" },
    ];
    for (const r of recs) {
      const line = formatRecord(r, "123")!;
      // every cut, including none (the write failed right after a full line)
      for (let cut = 0; cut <= line.length; cut++) expect(parseRecord(line.substring(0, cut) + TORN_MARK).ok).toBe(false);
    }
  });

  it("refuses to format a field with a TAB or newline (it would corrupt the file)", () => {
    expect(formatRecord({ kind: "map-set", file: "f", key: "k", value: "a\tb" }, "1")).toBeUndefined();
  });

  it("reports corrupt or truncated lines instead of throwing", () => {
    fc.assert(
      fc.property(byteString(80), (line) => {
        const p = parseRecord(line);
        expect(typeof p.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
    expect(parseRecord("T\t1\teb_rules_app\t/a\tgpt0=12x")).toMatchObject({ ok: false });
    expect(parseRecord("T\t1\teb_rules_app\t/a")).toMatchObject({ ok: false });
    expect(parseRecord("X\tanything")).toMatchObject({ ok: false, error: "unknown record type" });
  });

  it("skips expired rule records, never control switches or removals", () => {
    expect(isExpiredRecord(T([["gpt0", 100]]), 200)).toBe(true);
    expect(isExpiredRecord(T([["gpt0", 300]]), 200)).toBe(false);
    expect(isExpiredRecord(T([["gpt0", 0], ["gpc1", 0]]), 200)).toBe(false);
    expect(isExpiredRecord(T([["gpt0", 1]], "eb_ctl", "enforcement_off"), 200)).toBe(false);
  });

  it("reconcile: an older replayed record cannot undo a newer change, and liveness never goes down", () => {
    expect(reconcile(T([["gpc1", 0], ["sess_cnt", 10]]), { gpt0: 500, sessCnt: 20 })).toBeUndefined();
    expect(reconcile(T([["gpc1", 0], ["sess_cnt", 30]]), { gpt0: 500, sessCnt: 20 })).toBeDefined();
    expect(reconcile(T([["gpt0", 400]]), { gpt0: 500, sessCnt: 20 })).toBeUndefined();
    expect(reconcile(T([["gpt0", 600]]), { gpt0: 500, sessCnt: 20 })).toBeDefined();
    expect(reconcile(T([["gpt0", 600]]), undefined)).toBeDefined();
    // a removal wins a tie of whole-second stamps: a live record of the same second does not undo it
    expect(reconcile(T([["gpc1", 900], ["sess_cnt", 20]]), { gpt0: 500, sessCnt: 20, ruleExpiry: 0 })).toBeUndefined();
    expect(reconcile(T([["gpc1", 900], ["sess_cnt", 20]]), { gpt0: 500, sessCnt: 20, ruleExpiry: 800 })).toBeDefined();
    expect(reconcile(T([["gpc1", 0], ["sess_cnt", 20]]), { gpt0: 500, sessCnt: 20, ruleExpiry: 0 })).toBeDefined();
    expect(reconcile(T([["gpc1", 900], ["sess_cnt", 21]]), { gpt0: 500, sessCnt: 20, ruleExpiry: 0 })).toBeDefined();
  });
});
