/**
 * Loading a snapshot: lines the string-pattern fast path (lua/state-files.ts fastTableCommand) turns
 * into runtime-API commands give exactly what the careful path gives (core/journal.ts parseRecord,
 * isExpiredRecord, recordCommand), and it never vouches for a line the careful path refuses.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatRecord, isExpiredRecord, JournalRecord, parseRecord, recordCommand } from "../../src/core/journal";
import { olderWorkerListed } from "../../src/core/runtime-cmd";
import { callLua } from "../helpers/dual";

const NOW = 1800000000;

/** What loading does with a line by the careful path: its command, false when expired, undefined when corrupt or not a table line. */
function careful(line: string): string | false | undefined {
  const p = parseRecord(line);
  if (!p.ok || p.record.kind !== "table") return undefined;
  if (isExpiredRecord(p.record, NOW)) return false;
  return recordCommand(p.record);
}

const fast = (line: string) => callLua("lua.state-files", "fastTableCommand", line, NOW) as string | false | undefined;
const fastRecord = (line: string) => callLua("lua.state-files", "fastRecord", line) as ReturnType<typeof parseRecord> | undefined;

const rule = (key: string, fields: string) => `T\t4242\teb_rules_app\t${key}\t${fields}`;
const LIVE = `gpt0=${NOW + 60},gpc0=404,gpc1=${NOW + 60},sess_cnt=${NOW - 5},server_id=7257785`;

describe("snapshot fast path (Fengari)", () => {
  it("turns an ordinary rule line into the same command as the careful path, and skips an expired one", () => {
    expect(fast(rule("/a/b", LIVE))).toBe(careful(rule("/a/b", LIVE)));
    expect(fast(rule("/a/b", LIVE))).toBe(`set table eb_rules_app key /a/b data.gpt0 ${NOW + 60} data.gpc0 404 data.gpc1 ${NOW + 60} data.sess_cnt ${NOW - 5} data.server_id 7257785`);
    expect(fast(rule("/old", `gpt0=${NOW},gpc0=404`))).toBe(false);
    expect(careful(rule("/old", `gpt0=${NOW},gpc0=404`))).toBe(false);
    // zeroed expiry (a removal) and control tables are always replayed
    expect(fast(rule("/gone", "gpt0=0,gpc1=0"))).toBe(careful(rule("/gone", "gpt0=0,gpc1=0")));
    expect(fast("T\tcli-1\teb_ctl\tenforcement_off\tgpt0=1")).toBe("set table eb_ctl key enforcement_off data.gpt0 1");
  });

  const cases = [
    rule("/a b", LIVE), // a key that needs escaping
    rule("/a;b", LIVE),
    rule("/a\\b", LIVE),
    rule("/a", LIVE + ","), // a trailing comma
    rule("/a", "=5"),
    rule("/a", "gpt0=007"), // a leading zero
    rule("/a", "gpt0=4294967296"), // above the widest value
    rule("/a", "gpt0=99999999999"),
    rule("/a", "GPT0=1"),
    rule("/a", "a".repeat(33) + "=1"),
    rule("/a", "a".repeat(32) + "=1"),
    rule("/a", "gpt0=1gpc0=2"),
    rule("/a", "gpt0=1,,gpc0=2"),
    rule("/a", "gpt0=-1"),
    rule("/a", LIVE) + "\t#torn",
    "T\t4242\teb_rules_app\t/a",
    "T\t4242\t\t/a\tgpt0=1",
    "T\t\teb_rules_app\t/a\tgpt0=1",
    "M\t4242\teb_reasons.map\t1\tbench",
    "D\t4242\teb_reasons.map\t1",
    "X\t4242\teb_rules_app\t/a\tgpt0=1",
    `T\t4242\teb_rules_app\t/a\tserver_id=5,gpt0=${NOW - 1},gpt0=${NOW + 9}`,
    `T\t4242\teb_pending_app\t/a\tgpt0=${NOW - 100}`,
    // pairs glued together, with a spare comma elsewhere: the comma count alone let these through
    rule("/a", "gpt0=1b=2,,c=3"),
    rule("/a", "gpt0=1gpc0=2,"),
    rule("/a", ",gpt0=1sess_cnt=5"),
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c]))("never answers differently from the careful path: %s", (_name, line) => {
    const f = fast(line);
    if (f !== undefined) expect(f).toBe(careful(line));
    // the compactor's fast parse: parseRecord's record, or no answer
    const r = fastRecord(line);
    if (r !== undefined) expect(r).toEqual(parseRecord(line));
  });

  it("parses an ordinary line for the compactor as parseRecord does, and leaves the rest to it", () => {
    for (const line of [rule("/a/b", LIVE), rule("/a b", LIVE), rule("/gone", "gpt0=0,gpc1=0"), "T\tcli-1\teb_ctl\tenforcement_off\tgpt0=1"]) {
      expect(fastRecord(line), line).toEqual(parseRecord(line));
    }
    for (const line of [rule("/a", "gpt0=007"), rule("/a", LIVE) + "\t#torn", "M\t4242\teb_reasons.map\t1\tbench", rule("/a", "GPT0=1")]) {
      expect(fastRecord(line), line).toBeUndefined();
    }
  });

  it("agrees on random lines written by formatRecord, and vouches for every plain one", { timeout: 60000 }, () => {
    const key = fc.string({ unit: fc.constantFrom("/", "a", "z", "0", "9", ".", "-", "_", "%", " ", ";", "\\", "\u00e9"), minLength: 1, maxLength: 30 });
    const name = fc.constantFrom("gpt0", "gpc0", "gpc1", "sess_cnt", "server_id", "http_req_cnt");
    const value = fc.oneof(fc.integer({ min: 0, max: 4294967295 }), fc.constantFrom(0, NOW, NOW + 1, NOW - 1));
    fc.assert(
      fc.property(key, fc.array(fc.record({ name, value }), { minLength: 1, maxLength: 6 }), fc.constantFrom("eb_rules_app", "eb_ctl"), (k, fields, table) => {
        const r: JournalRecord = { kind: "table", table, key: k, fields };
        const line = formatRecord(r, "77");
        if (line === undefined) return;
        const f = fast(line);
        const plain = !/[ ;\\]/.test(k);
        if (plain) expect(f).not.toBeUndefined();
        if (f !== undefined) expect(f).toBe(careful(line));
        const parsed = fastRecord(line);
        expect(parsed).not.toBeUndefined();
        expect(parsed).toEqual(parseRecord(line));
      }),
      { numRuns: 20, seed: 11 },
    );
  });
});

describe("olderWorkerListed (the master CLI's show proc)", () => {
  const answer = (old: string[]) =>
    [
      "#<PID>          <type>          <reloads>       <uptime>        <version>      ",
      "27600           master          1 [failed: 0]   0d00h00m02s     2.6.12-1+deb12u4",
      "# workers",
      "27618           worker          0               0d00h00m01s     2.6.12-1+deb12u4",
      ...(old.length > 0 ? ["# old workers", ...old.map((p) => `${p}           worker          1               0d00h00m02s     2.6.12-1+deb12u4`)] : []),
      "# programs",
      "",
    ].join("\n");
  it("is false when no old worker is listed, true when one is, and true for an answer it cannot read", () => {
    expect(olderWorkerListed(answer([]), "27618")).toBe(false);
    expect(olderWorkerListed(answer(["27603"]), "27618")).toBe(true);
    expect(olderWorkerListed(answer(["27618"]), "27618")).toBe(false);
    expect(olderWorkerListed("Unknown command\n", "27618")).toBe(true);
    expect(olderWorkerListed("", "27618")).toBe(true);
    for (const a of [answer([]), answer(["27603"]), "x"]) expect(callLua("core.runtime-cmd", "olderWorkerListed", a, "27618")).toBe(olderWorkerListed(a, "27618"));
  });
});
