/**
 * One schema (core/schema.ts): the settings file means the same to Node and to blocks.lua (defaults,
 * bounds, errors), and a YAML config that sets nothing renders the settings blocks.lua would assume.
 */
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/node/config";
import { settingsOf } from "../../src/node/render";
import { settingFields } from "../../src/core/schema";
import { DEFAULT_SETTINGS, formatSettings, parseSettings } from "../../src/core/settings";
import { expectSameInBoth } from "../helpers/dual";

describe("settings schema", () => {
  it("gives the same defaults in Node and in Lua", () => {
    const [r] = expectSameInBoth("core.settings", "parseSettings", parseSettings, [[""]]);
    expect(r).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
  });

  it("takes every bound of every integer setting the same way in both runtimes", () => {
    const vectors: [string][] = [];
    for (const f of settingFields()) {
      if (f.kind !== "int") continue;
      for (const v of [f.min! - 1, f.min!, f.max!, f.max! + 1]) if (v >= 0) vectors.push([`${f.setting!.key} ${v}\n`]);
    }
    const results = expectSameInBoth("core.settings", "parseSettings", parseSettings, vectors);
    // the bounds themselves are accepted, one past them refused
    results.forEach((r, i) => {
      const [key, v] = vectors[i][0].trim().split(" ");
      const f = settingFields().find((x) => x.setting!.key === key)!;
      expect(r.ok, vectors[i][0]).toBe(Number(v) >= f.min! && Number(v) <= f.max!);
    });
    expect(vectors.length).toBeGreaterThan(40);
  });

  it("reads back what it writes, in both runtimes, and names the line of every bad value", () => {
    const text = formatSettings({ ...DEFAULT_SETTINGS, allowExact: ["/health"], allowPrefix: ["/static/"], stateDir: "state", caseInsensitive: true, allowedStatuses: [404, 451] });
    const [back] = expectSameInBoth("core.settings", "parseSettings", parseSettings, [[text]]);
    expect(back.ok && back.settings.allowPrefix).toEqual(["/static/"]);
    expect(back.ok && back.settings.caseInsensitive).toBe(true);
    const [bad] = expectSameInBoth("core.settings", "parseSettings", parseSettings, [["max_ttl 0\non_full maybe\nlog_stream /dev/log\nallowed_statuses 404,302\nfrobnicate 1\n"]]);
    expect(bad).toEqual({
      ok: false,
      errors: [
        "settings line 1 (max_ttl): expected an integer from 1 to 2147483, got '0'",
        "settings line 2 (on_full): expected evict or refuse, got 'maybe'",
        "settings line 3 (log_stream): expected stderr or stdout or off, got '/dev/log'",
        "settings line 4 (allowed_statuses): '302' is not a status from 400 to 599",
        "settings line 5 (frobnicate): unknown setting",
      ],
    });
  });

  it("renders, for a YAML config that sets nothing, the defaults blocks.lua assumes (but the derived socket, state folder and log stream)", () => {
    const file = path.join(os.tmpdir(), "eb-schema", "edgeblock.yaml");
    const c = parseConfig("backends: [ { name: app, servers: [ { port: 9 } ] } ]\n", file);
    const s = settingsOf(c, path.dirname(file));
    expect({ ...s, runtimeApi: "", stateDir: "", logStream: "" }).toEqual({ ...DEFAULT_SETTINGS, runtimeApi: "", stateDir: "", logStream: "" });
    expect(s).toMatchObject({ runtimeApi: "unix@run/admin.sock", stateDir: "state", logStream: "stderr" });
  });
});
