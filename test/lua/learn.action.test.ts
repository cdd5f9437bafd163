/** The learn action and the normalise converter, driven through the Fengari mock. */
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, formatSettings } from "../../src/core/settings";
import { unpackAnswer } from "../../src/core/answer";
import { reasonId } from "../../src/core/rule";
import { LEVELS, MockHaproxy } from "../helpers/mock-haproxy";

function edgeWith(settingsText: string | undefined): MockHaproxy {
  const env: Record<string, string> = settingsText === undefined ? {} : { EDGEBLOCK_SETTINGS: "/etc/eb.settings" };
  const files: Record<string, string> = settingsText === undefined ? {} : { "/etc/eb.settings": settingsText };
  const m = new MockHaproxy(env, files);
  m.declareTable("eb_rules_app");
  return m.load();
}

function respond(m: MockHaproxy, value: string[] | undefined, path = "/yeet") {
  const txn = m.txn({
    phase: "http-res",
    vars: { "txn.eb_be": "app", "txn.eb_path": path },
    resHeaders: value === undefined ? {} : { "x-edge-resource": value },
  });
  m.runAction("edgeblock_learn", txn, "http-res");
  return txn;
}

describe("edgeblock_learn action (Fengari mock)", () => {
  it("learns /yeet from `false`: one set table command with expiry, answer, creation time and reason", () => {
    const m = edgeWith(formatSettings(DEFAULT_SETTINGS));
    const txn = respond(m, ["false"]);
    const entry = m.tables.get("eb_rules_app")!.get("/yeet")!;
    expect(entry.gpt0).toBe(m.nowSec + 3600);
    expect(entry.gpc1).toBe(m.nowSec + 3600);
    expect(unpackAnswer(entry.gpc0)).toEqual({ status: 404, dryRun: false, bodyId: 0 });
    expect(entry.sess_cnt).toBe(m.nowSec);
    expect(entry.server_id).toBe(reasonId("edge-resource"));
    expect(txn.vars.get("txn.eb_signal")).toBe("learned");
    expect(txn.vars.get("txn.eb_stat")).toBe("signal_learned:edge-resource");
    expect(m.cliRequests).toHaveLength(1);
  });

  it("learns the status of false-451", () => {
    const m = edgeWith(formatSettings(DEFAULT_SETTINGS));
    respond(m, ["false-451"], "/legal");
    expect(unpackAnswer(m.tables.get("eb_rules_app")!.get("/legal")!.gpc0).status).toBe(451);
  });

  it("does nothing at all for a response without the header", () => {
    const m = edgeWith(formatSettings(DEFAULT_SETTINGS));
    const txn = respond(m, undefined);
    expect(m.cliRequests).toHaveLength(0);
    expect(txn.vars.has("txn.eb_signal")).toBe(false);
  });

  it("rejects a malformed value: no rule, no CLI call, a warning with the reason, and a counter key", () => {
    const m = edgeWith(formatSettings(DEFAULT_SETTINGS));
    const txn = respond(m, ["false-abc"]);
    expect(m.tables.get("eb_rules_app")!.size).toBe(0);
    expect(m.cliRequests).toHaveLength(0);
    expect(txn.vars.get("txn.eb_stat")).toBe("signal_rejected:malformed");
    expect(m.logs.some((l) => l.level === LEVELS.warning && /signal rejected reason=malformed backend=app path=\/yeet/.test(l.msg))).toBe(true);
  });

  it("fails open and counts edge-error when the runtime API is unreachable", () => {
    const m = edgeWith(formatSettings(DEFAULT_SETTINGS));
    m.cliReachable = false;
    const txn = respond(m, ["false"]);
    expect(txn.vars.get("txn.eb_stat")).toBe("signal_rejected:edge-error");
    expect(m.logs.some((l) => l.level === LEVELS.err && /signal not stored reason=edge-error/.test(l.msg))).toBe(true);
  });

  it("refuses to learn without settings, and says so once at load time", () => {
    const m = edgeWith(undefined);
    expect(m.logs.filter((l) => l.level === LEVELS.alert && /settings error, learning disabled/.test(l.msg))).toHaveLength(1);
    const txn = respond(m, ["false"]);
    expect(m.cliRequests).toHaveLength(0);
    expect(txn.vars.get("txn.eb_stat")).toBe("signal_rejected:edge-error");
  });

  it("catches a Lua error inside the action (fail-open, counted) instead of letting HAProxy log a runtime error", () => {
    const m = edgeWith(formatSettings(DEFAULT_SETTINGS));
    const txn = m.txn({ phase: "http-res", vars: { "txn.eb_be": "app", "txn.eb_path": "/yeet" }, resHeaders: { "x-edge-resource": ["false"] } });
    // break the header API to force an error inside execute()
    (txn.lua.http as Record<string, unknown>).res_get_headers = () => {
      throw new Error("boom");
    };
    m.runAction("edgeblock_learn", txn, "http-res");
    expect(txn.vars.get("txn.eb_stat")).toBe("signal_rejected:edge-error");
    expect(m.logs.some((l) => /signal not handled reason=edge-error detail=.*boom/.test(l.msg))).toBe(true);
  });
});

describe("edgeblock_normalize converter (Fengari mock)", () => {
  it("normalises with the configured policy", () => {
    const m = edgeWith(formatSettings({ ...DEFAULT_SETTINGS, pathPolicy: { ...DEFAULT_SETTINGS.pathPolicy, caseInsensitive: true } }));
    expect(m.convert("edgeblock_normalize", "//A/./%79eet/")).toBe("/a/yeet");
    expect(m.convert("edgeblock_normalize", "*")).toBe("*");
  });
});

describe("blocks.lua hygiene", () => {
  it("creates no global variables when loaded", () => {
    const m = new MockHaproxy({ EDGEBLOCK_SETTINGS: "/s" }, { "/s": formatSettings(DEFAULT_SETTINGS) });
    m.load(undefined, { trapGlobals: true });
    expect(m.actions.has("edgeblock_learn")).toBe(true);
    expect(m.vm.getGlobal("__eb_new_globals")).toEqual({});
  });
});
