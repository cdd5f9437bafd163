/**
 * The cluster's sync records (core/cluster-sync.ts): the key a map write is published under, which
 * record of a map key wins, which rule a map entry waits for, and what `show peers` says about a
 * starting node, the same in both runtimes.
 */
import { describe, expect, it } from "vitest";
import { clusterPrune, isQualMap, mapEntryBase, mergeSpecLists, needsReassert, peerLinks, peersLinked, peersResynced, reassertions, syncBase, syncCommands, syncKey, syncKeyLength, syncWinners } from "../../src/core/cluster-sync";
import { removalRecord } from "../../src/core/store-records";
import { JournalRecord } from "../../src/core/journal";
import { expectSameInBoth } from "../helpers/dual";

const prefixSet: JournalRecord = { kind: "map-set", file: "eb_prefix_app.map", key: "/admin/", value: "^/admin" };
const prefixDel: JournalRecord = { kind: "map-del", file: "eb_prefix_app.map", key: "/admin/" };
const body: JournalRecord = { kind: "map-set", file: "eb_bodies.map", key: "1029838", value: "no admin here" };
const table: JournalRecord = { kind: "table", table: "eb_rules_app", key: "/a", fields: [{ name: "gpt0", value: 1 }] };

describe("cluster sync records", () => {
  it("publish map writes (not table writes) under their journal line, with the latest marker, and refuse longer keys", () => {
    const len = syncKeyLength(160, 256);
    const cases: [JournalRecord[], string, number, number, number][] = [
      [[table, prefixSet, body], "na", 1800000000, 42, len],
      [[table], "na", 1800000000, 42, len],
      [[{ kind: "map-set", file: "eb_bodies.map", key: "1", value: "x".repeat(len) }, prefixDel], "nb", 1800000001, 0, len],
    ];
    const out = expectSameInBoth("core.cluster-sync", "syncCommands", syncCommands, cases);
    expect(out[0].cmds).toEqual([
      "set table eb_sync key M\\\tna\\\teb_prefix_app.map\\\t/admin/\\\t^/admin data.gpt0 1800000000 data.gpc0 42",
      "set table eb_sync key M\\\tna\\\teb_bodies.map\\\t1029838\\\tno\\ admin\\ here data.gpt0 1800000000 data.gpc0 42",
      "set table eb_sync key #latest data.gpt0 1800000000 data.gpc0 42",
    ]);
    expect(out[0].tooLong).toBe(0);
    expect(out[1]).toEqual({ cmds: [], tooLong: 0 });
    expect(out[2].tooLong).toBe(1);
    expect(out[2].cmds).toHaveLength(2);
    expect(expectSameInBoth("core.cluster-sync", "syncKey", syncKey, [[table, "na"], [prefixDel, "na"]])).toEqual([undefined, "D\tna\teb_prefix_app.map\t/admin/"]);
  });

  it("apply the newest record of each map key, once, and never an unreadable one", () => {
    const set = { key: syncKey(prefixSet, "na")!, sec: 100, usec: 5 };
    const del = { key: syncKey(prefixDel, "nb")!, sec: 100, usec: 7 };
    const relearned = { key: syncKey(prefixSet, "nc")!, sec: 101, usec: 0 };
    const sameInstantDel = { key: syncKey(prefixDel, "nc")!, sec: 100, usec: 5 };
    const bodyEntry = { key: syncKey(body, "na")!, sec: 90, usec: 0 };
    const latest = { key: "#latest", sec: 101, usec: 0 };
    const junk = { key: "X\tna\tnothing", sec: 200, usec: 0 };
    const group = "eb_prefix_app.map\t/admin/";
    const cases: [typeof set[], Record<string, number>][] = [
      [[set, bodyEntry, latest], {}],
      [[set, del], {}],
      [[del, set, relearned], {}],
      [[set, sameInstantDel], {}],
      // already applied at that stamp: nothing to do; an older stamp than the one applied: nothing either
      [[set], { [group]: 100000005 }],
      [[set], { [group]: 100000009 }],
      [[junk, set], {}],
    ];
    const out = expectSameInBoth("core.cluster-sync", "syncWinners", syncWinners, cases);
    const kinds = out.map((o) => o.winners.map((w) => `${w.record.kind}@${w.stamp}`));
    expect(kinds).toEqual([["map-set@100000005", "map-set@90000000"], ["map-del@100000007"], ["map-set@101000000"], ["map-del@100000005"], [], [], ["map-set@100000005"]]);
    expect(out[6].bad).toEqual([junk.key]);
  });

  it("a prefix or qualified entry waits for its rule; bodies and reasons do not", () => {
    const cases: [JournalRecord][] = [
      [prefixSet],
      [{ kind: "map-set", file: "eb_qual_api-v2.map", key: "/cart", value: "POST|h=x" }],
      [body],
      [prefixDel],
      [{ kind: "map-set", file: "eb_prefix_app", key: "/a/", value: "^/a" }],
    ];
    expect(expectSameInBoth("core.cluster-sync", "syncBase", syncBase, cases)).toEqual([
      { backend: "app", base: "^/admin" },
      { backend: "api-v2", base: "/cart" },
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("read a starting node's resync state and its established links from show peers", () => {
    const head = (flags: string) => `0x55d0: [06/Dec/2026:06:59:31] id=edgeblock disabled=0 flags=0x${flags} resync_timeout=4s task_calls=4\n`;
    const remote = (name: string, status: string) => `  0x55d1: id=${name}(remote,active) addr=127.0.0.1:35681 last_status=${status} last_hdshk=0s\n`;
    const local = "  0x55d2: id=nc(local,inactive) addr=127.0.0.1:46381 last_status=NONE last_hdshk=<NEVER>\n";
    const cases: [string, string, number][] = [
      // 2.6: taught partially by a node that never finished its own resync (0x800), or fully (0x200)
      [head("6811") + local + remote("nb", "ESTA"), "edgeblock", 2],
      [head("6201") + local, "edgeblock", 2],
      [head("6011") + local, "edgeblock", 2],
      // 3.x moved those flags (0x8000000 partially, 0x2000000 fully); 0x800 means something else there
      [head("6811"), "edgeblock", 3],
      [head("8000011"), "edgeblock", 3],
      [head("2000001"), "edgeblock", 3],
      [head("6813") + local, "edgeblock", 2],
      [head("3"), "edgeblock", 3],
      [head("2"), "edgeblock", 3],
      [head("3"), "edgeblock_local", 3],
      ["Unknown command", "edgeblock", 2],
    ];
    expect(expectSameInBoth("core.cluster-sync", "peersResynced", peersResynced, cases)).toEqual([true, true, false, false, true, true, true, true, false, undefined, undefined]);
    const links: [string][] = [[head("1") + local + remote("na", "ESTA") + remote("nb", "CONN")], [head("1") + local], [head("1") + remote("na", "ESTA") + remote("nb", "ESTA")]];
    expect(expectSameInBoth("core.cluster-sync", "peersLinked", peersLinked, links)).toEqual([1, 0, 2]);
    expect(expectSameInBoth("core.cluster-sync", "peerLinks", peerLinks, [links[0]])).toEqual([
      [
        { name: "nc", local: true, linked: false, status: "NONE", handshake: "<NEVER>", address: "127.0.0.1:46381" },
        { name: "na", local: false, linked: true, status: "ESTA", handshake: "0s", address: "127.0.0.1:35681" },
        { name: "nb", local: false, linked: false, status: "CONN", handshake: "0s", address: "127.0.0.1:35681" },
      ],
    ]);
  });

  it("write a removal again while nothing newer was written to its entry, and not once it is gone", () => {
    const lift = removalRecord("eb_rules_app", "/a", true, 500);
    expect(expectSameInBoth("core.cluster-sync", "reassertions", reassertions, [[[lift, table, prefixSet]]])).toEqual([
      [{ table: "eb_rules_app", key: "/a", stamp: 500, command: "set table eb_rules_app key /a data.gpc1 0 data.sess_cnt 500" }],
    ]);
    const cases: [{ gpt0: number; sessCnt: number; ruleExpiry: number } | undefined, number][] = [
      // an older write brought the rule back; the removal still holds (another node may not); a newer learn; gone
      [{ gpt0: 900, sessCnt: 400, ruleExpiry: 900 }, 500],
      [{ gpt0: 900, sessCnt: 500, ruleExpiry: 0 }, 500],
      [{ gpt0: 900, sessCnt: 501, ruleExpiry: 1200 }, 500],
      [undefined, 500],
    ];
    expect(expectSameInBoth("core.cluster-sync", "needsReassert", needsReassert, cases)).toEqual([true, true, false, false]);
  });

  it("a cluster node prunes a prefix or qualified entry only when its rule is not live, and never a body or reason", () => {
    const prune: JournalRecord[] = [prefixDel, { kind: "map-del", file: "eb_prefix_app.map", key: "/gone/" }, { kind: "map-del", file: "eb_bodies.map", key: "1" }, { kind: "map-set", file: "eb_qual_app.map", key: "/q", value: "POST" }];
    const live = (backend: string, base: string) => backend === "app" && base === "^/admin";
    expect(clusterPrune(prune, live)).toEqual([{ kind: "map-del", file: "eb_prefix_app.map", key: "/gone/" }, { kind: "map-set", file: "eb_qual_app.map", key: "/q", value: "POST" }]);
    expect(expectSameInBoth("core.cluster-sync", "mapEntryBase", mapEntryBase, [["eb_prefix_app.map", "/gone/"], ["eb_qual_app.map", "/q"], ["eb_bodies.map", "1"], ["eb_prefix_app.map", "/"]])).toEqual([
      { backend: "app", base: "^/gone" },
      { backend: "app", base: "/q" },
      undefined,
      undefined,
    ]);
  });

  it("merge qualified-spec lists: every spec a record names, and this node's own while their rule is in force", () => {
    const live = (sp: string) => sp !== "GET~h:gone.example.com";
    expect(mergeSpecLists("GET~h:b HEAD~h:b", "GET~h:a HEAD~h:a GET~h:gone.example.com", live)).toBe("GET~h:b HEAD~h:b GET~h:a HEAD~h:a");
    expect(mergeSpecLists(undefined, "GET~h:a GET~h:gone.example.com", live)).toBe("GET~h:a");
    expect(mergeSpecLists(undefined, "GET~h:gone.example.com", live)).toBe("");
    expect(mergeSpecLists("GET~h:a", "GET~h:a", live)).toBe("GET~h:a");
    expect(mergeSpecLists("GET~h:gone.example.com", undefined, live)).toBe("GET~h:gone.example.com");
    expect(expectSameInBoth("core.cluster-sync", "isQualMap", isQualMap, [["eb_qual_app.map"], ["eb_prefix_app.map"], ["eb_bodies.map"]])).toEqual([true, false, false]);
  });
});
