/**
 * The snapshot's commands file (core/snapshot-commands.ts): what a compaction writes for each rule entry,
 * and what a starting process agrees to send, the same in both runtimes.
 */
import { describe, expect, it } from "vitest";
import { batchSize, BatchLines, commandsTrailer, entryCommand, liveCommands, splitBatchLine, trailerMatches, vouchedBatch } from "../../src/core/snapshot-commands";
import { CLI_BATCH_BYTES } from "../../src/core/runtime-cmd";
import { expectSameInBoth } from "../helpers/dual";

const fields = [
  { name: "gpt0", value: 1800000000 },
  { name: "gpc0", value: 404 },
];

describe("snapshot commands", () => {
  it("write a rule entry as one set table command, and leave keys that need escaping and other tables to the records", () => {
    const cases: [string, string, typeof fields][] = [
      ["eb_rules_app", "/a/b", fields],
      ["eb_rules_app", "/a b", fields],
      ["eb_rules_app", "/a;b", fields],
      ["eb_rules_app", "/a\\b", fields],
      ["eb_rules_app", "/a\tb", fields],
      ["eb_pending_app", "/a", fields],
      ["eb_rules_app", "/a", []],
      ["eb_rules_app", "/a GET", fields],
    ];
    expect(expectSameInBoth("core.snapshot-commands", "entryCommand", entryCommand, cases)).toEqual([
      "set table eb_rules_app key /a/b data.gpt0 1800000000 data.gpc0 404",
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      // a method key has a space: it stays a record line
      undefined,
    ]);
  });

  it("send only batch lines that hold nothing but rule-table writes", () => {
    const one = "set table eb_rules_app key /a data.gpt0 1";
    const cases: [string][] = [
      [one],
      [`${one};${one};${one}`],
      [`${one};clear table eb_rules_app key /b`],
      [`${one};set table eb_ctl key enforcement_off data.gpt0 1`],
      [`shutdown sessions;${one}`],
      [`${one}\nshow info`],
      [`${one};`],
      [""],
      [`set table eb_rules_x key /a data.gpt0 1;set table eb_rules_y key /b data.gpt0 2`],
      // a request ending in `<<` would put the CLI in payload mode
      [`${one} <<`],
    ];
    expect(expectSameInBoth("core.snapshot-commands", "vouchedBatch", vouchedBatch, cases)).toEqual([true, true, false, false, false, false, false, false, true, false]);
    expect(expectSameInBoth("core.snapshot-commands", "batchSize", batchSize, [[one], [`${one};${one};${one}`]])).toEqual([1, 3]);
  });

  it("name their snapshot by its first line and size", () => {
    const head = "# edgeblock snapshot v1 written at 1800000000 by 123";
    const line = commandsTrailer(head, 4096);
    expect(expectSameInBoth("core.snapshot-commands", "trailerMatches", trailerMatches, [[line, head, 4096], [line, head, 4097], [line, head.replace("123", "124"), 4096]])).toEqual([true, false, false]);
  });

  it("join commands into lines the runtime API takes whole, each with its soonest rule expiry", () => {
    const lines: string[] = [];
    const b = new BatchLines((l) => lines.push(l));
    const cmd = (i: number) => `set table eb_rules_app key /rule/${i} data.gpt0 ${1800000000 + i} data.gpc0 404 data.gpc1 1800000000`;
    for (let i = 0; i < 1000; i++) b.add(cmd(i), 1800000000 + ((i * 7919) % 1000));
    b.flush();
    expect(lines.length).toBeGreaterThan(1);
    const parsed = lines.map((l) => splitBatchLine(l)!);
    expect(parsed.every((p) => p !== undefined && p.batch.length <= CLI_BATCH_BYTES && vouchedBatch(p.batch))).toBe(true);
    expect(parsed.map((p) => batchSize(p.batch)).reduce((a, n) => a + n, 0)).toBe(1000);
    expect(parsed.map((p) => p.batch).join(";")).toBe(Array.from({ length: 1000 }, (_, i) => cmd(i)).join(";"));
    let first = 0;
    for (const p of parsed) {
      const n = batchSize(p.batch);
      const soonest = Math.min(...Array.from({ length: n }, (_, j) => 1800000000 + (((first + j) * 7919) % 1000)));
      expect(p.soonest).toBe(soonest);
      first += n;
    }
  });

  it("read a batch line's soonest expiry, and leave out the commands of rules that expired since", () => {
    const c = (k: string, live: number) => `set table eb_rules_app key ${k} data.gpt0 ${live} data.gpc0 404`;
    const lines: [string][] = [[`C 100 ${c("/a", 100)}`], ["C  x"], ["C x set table"], ["set table eb_rules_app key /a"], ["C 12345678901 x"]];
    expect(expectSameInBoth("core.snapshot-commands", "splitBatchLine", splitBatchLine, lines)).toEqual([{ soonest: 100, batch: c("/a", 100) }, undefined, undefined, undefined, undefined]);
    const batch = [c("/a", 100), c("/b", 200), c("/gone", 0), c("/c", 150), "set table eb_rules_app key /d data.gpc0 1"].join(";");
    expect(expectSameInBoth("core.snapshot-commands", "liveCommands", liveCommands, [[batch, 150], [batch, 99]])).toEqual([
      // expiry 0 is a removal the sweep frees, kept as the records' replay keeps it; no expiry: kept
      { kept: [c("/b", 200), c("/gone", 0), "set table eb_rules_app key /d data.gpc0 1"].join(";"), skipped: 2 },
      { kept: batch, skipped: 0 },
    ]);
  });
});
