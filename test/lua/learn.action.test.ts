/** The learn and match actions and the normalise converter, driven through the Fengari mock. */
import { describe, expect, it } from "vitest";
import { unpackAnswer } from "../../src/core/answer";
import { bodyId, reasonId } from "../../src/core/rule";
import { DEFAULT_SETTINGS, formatSettings, Settings } from "../../src/core/settings";
import { LEVELS, MockHaproxy } from "../helpers/mock-haproxy";

function edgeWith(settings: Partial<Settings> | undefined, setup?: (m: MockHaproxy) => void): MockHaproxy {
  const env: Record<string, string> = settings === undefined ? {} : { EDGEBLOCK_SETTINGS: "/etc/eb.settings" };
  const files: Record<string, string> = settings === undefined ? {} : { "/etc/eb.settings": formatSettings({ ...DEFAULT_SETTINGS, ...settings }) };
  const m = new MockHaproxy(env, files).declareBackend("app");
  setup?.(m);
  return m.load();
}

interface Resp {
  resource?: string[];
  rule?: string[];
  path?: string;
  method?: string;
  status?: number;
  src?: string;
  mode?: string;
}

function respond(m: MockHaproxy, r: Resp) {
  const headers: Record<string, string[]> = {};
  if (r.resource) headers["x-edge-resource"] = r.resource;
  if (r.rule) headers["edge-rule"] = r.rule;
  const txn = m.txn({
    phase: "http-res",
    vars: { "txn.eb_be": "app", "txn.eb_path": r.path ?? "/yeet" },
    resHeaders: headers,
    fetches: { status: r.status ?? 404, src: r.src ?? "127.0.0.1", be_name: "app", method: r.method ?? "GET" },
  });
  m.runAction("edgeblock_learn", txn, "http-res", r.mode ?? "trusted");
  return txn;
}

const rules = (m: MockHaproxy) => m.tables.get("eb_rules_app")!;
const counter = (m: MockHaproxy, name: string) => Number(m.maps.get("eb_counters.map")!.get(`0:${name}`) ?? 0);

describe("edgeblock_learn action (Fengari mock)", () => {
  it("learns /yeet from `false`: one runtime API call with expiry, answer, creation time and reason", () => {
    const m = edgeWith({});
    const txn = respond(m, { resource: ["false"] });
    const entry = rules(m).get("/yeet")!;
    expect(entry.gpt0).toBe(m.nowSec + 3600);
    expect(entry.gpc1).toBe(m.nowSec + 3600);
    expect(unpackAnswer(entry.gpc0)).toEqual({ status: 404, dryRun: false, bodyId: 0 });
    expect(entry.sess_cnt).toBe(m.nowSec);
    expect(entry.server_id).toBe(reasonId("edge-resource"));
    expect(m.maps.get("eb_reasons.map")!.get(String(reasonId("edge-resource")))).toBe("edge-resource");
    expect(txn.vars.get("txn.eb_signal")).toBe("learned");
    expect(counter(m, "signal:learned:edge-resource")).toBe(1);
    expect(counter(m, "rules_learned:edge-resource")).toBe(1);
    expect(m.cliRequests).toHaveLength(1);
  });

  it("logs values sanitised: spaces, quotes and control bytes become `_`, a value is cut at 200 bytes", () => {
    const m = edgeWith({});
    respond(m, { resource: ["false"], path: '/a"b\tc' });
    expect(m.logs.map((l) => l.msg)).toContain("edgeblock: rule learned backend=app key=/a_b%09c status=404 ttl=3600 reason=edge-resource mode=enforce");
    // too long to be a rule: rejected, and the path in the warning is cut
    respond(m, { resource: ["false"], path: "/\t" + "c".repeat(400) });
    const line = m.logs.map((l) => l.msg).find((msg) => msg.startsWith("edgeblock: signal rejected"))!;
    expect(line).toContain(" path=/_" + "c".repeat(198) + " ");
    expect(line).not.toContain("c".repeat(200));
  });

  it("learns the status of false-451", () => {
    const m = edgeWith({});
    respond(m, { resource: ["false-451"], path: "/legal" });
    expect(unpackAnswer(rules(m).get("/legal")!.gpc0).status).toBe(451);
  });

  it("does nothing at all for a response without the headers", () => {
    const m = edgeWith({});
    const txn = respond(m, {});
    expect(m.cliRequests).toHaveLength(0);
    expect(txn.vars.has("txn.eb_signal")).toBe(false);
  });

  it("rejects a malformed value: no rule, no runtime API call, a warning with the reason, a counter", () => {
    const m = edgeWith({});
    const txn = respond(m, { resource: ["false-abc"] });
    expect(rules(m).size).toBe(0);
    expect(m.cliRequests).toHaveLength(0);
    expect(txn.vars.get("txn.eb_signal_reason")).toBe("malformed");
    expect(counter(m, "signal:rejected:malformed")).toBe(1);
    expect(m.logs.some((l) => l.level === LEVELS.warning && /signal rejected reason=malformed backend=app path=\/yeet/.test(l.msg))).toBe(true);
  });

  it("counts and drops signals from an untrusted backend without parsing them", () => {
    const m = edgeWith({});
    respond(m, { resource: ["false"], mode: "untrusted" });
    expect(rules(m).size).toBe(0);
    expect(counter(m, "signal:rejected:untrusted")).toBe(1);
  });

  it("fails open and counts edge-error when the runtime API is unreachable", () => {
    const m = edgeWith({});
    m.cliReachable = false;
    respond(m, { resource: ["false"] });
    expect(counter(m, "signal:rejected:edge-error")).toBe(1);
    expect(m.logs.some((l) => l.level === LEVELS.err && /signal rejected reason=edge-error/.test(l.msg))).toBe(true);
  });

  it("retries the runtime API when its accept queue is full or a socket raises, and still learns", () => {
    const m = edgeWith({});
    m.connectRefusals = 4;
    m.socketRaises = 2;
    respond(m, { resource: ["false"] });
    expect(rules(m).has("/yeet")).toBe(true);
    expect(counter(m, "signal:learned:edge-resource")).toBe(1);
    expect(m.connectRefusals + m.socketRaises).toBe(0);
  });

  it("refuses to load without settings, or with a bad settings line, naming the file and the line (HAProxy then does not start)", () => {
    expect(() => edgeWith(undefined)).toThrow(/EDGEBLOCK_SETTINGS is not set/);
    const bad = new MockHaproxy({ EDGEBLOCK_SETTINGS: "/etc/eb.settings" }, { "/etc/eb.settings": "default_ttl 0\nfrobnicate on\n" });
    expect(() => bad.load()).toThrow(/settings file \/etc\/eb.settings: settings line 1 \(default_ttl\): expected an integer .*; settings line 2 \(frobnicate\): unknown setting/);
    const missing = new MockHaproxy({ EDGEBLOCK_SETTINGS: "/etc/none.settings" }, {});
    expect(() => missing.load()).toThrow(/cannot read the settings file \/etc\/none.settings/);
  });

  it("sends a learn again when its runtime-API connection is lost (2.6 re-executes its master at a reload), and hands it over through the journal once stopping", () => {
    const m = edgeWith({});
    m.receiveCloses = 2;
    respond(m, { resource: ["false"], path: "/lost-twice" });
    expect(rules(m).has("/lost-twice")).toBe(true);
    expect(counter(m, "signal:learned:edge-resource")).toBe(1);
    expect(counter(m, "runtime_api_retries")).toBe(2);
    // once the worker is stopping, the new process gets it through the journal (it tails it)
    const s = edgeWith({ stateDir: "/state" });
    s.fs.mkdir("/state");
    s.receiveCloses = 1;
    s.onSleep = () => (s.stopping = true);
    respond(s, { resource: ["false"], path: "/handed" });
    expect(counter(s, "learns_handed_over")).toBe(1);
    expect(counter(s, "signal:learned:edge-resource")).toBe(1);
  });

  it("fails open in the normalise converter too: the raw value goes on, the failure is counted, and logged once per reason", () => {
    const m = edgeWith({});
    // HAProxy always hands a string; a number makes the core's string code raise inside the converter
    for (let i = 0; i < 3; i++) expect(m.convert("edgeblock_normalize", 42 as unknown as string)).toBe(42);
    expect(counter(m, "lua_errors:normalize")).toBe(3);
    expect(m.logs.filter((l) => /entry point failed entry=normalize fail_open=yes/.test(l.msg))).toHaveLength(1);
    expect(m.convert("edgeblock_normalize", "/a//b/%7e")).toBe("/a/b/~");
  });

  it("catches a Lua error inside the action (fail-open, counted) instead of letting HAProxy log a runtime error", () => {
    const m = edgeWith({});
    const txn = m.txn({ phase: "http-res", vars: { "txn.eb_be": "app", "txn.eb_path": "/yeet" }, resHeaders: { "x-edge-resource": ["false"] }, fetches: { be_name: "app", method: "GET" } });
    (txn.lua.http as Record<string, unknown>).res_get_headers = () => {
      throw new Error("boom");
    };
    m.runAction("edgeblock_learn", txn, "http-res", "trusted");
    expect(counter(m, "signal:rejected:edge-error")).toBe(1);
    expect(counter(m, "lua_errors:learn")).toBe(1);
    expect(m.logs.some((l) => /entry point failed entry=learn fail_open=yes detail=.*boom/.test(l.msg))).toBe(true);
  });

  it("Edge-Rule: stores one entry per method, a body, and keeps the path's index entry alive", () => {
    const m = edgeWith({});
    respond(m, { rule: ['block;methods="POST PUT";status=405;body="GET only";ttl=60;reason=method'], path: "/api/items" });
    const t = rules(m);
    expect([...t.keys()].sort()).toEqual(["/api/items", "/api/items POST", "/api/items PUT"]);
    expect(t.get("/api/items")!.gpc1 ?? 0).toBe(0);
    expect(t.get("/api/items")!.gpt0).toBe(m.nowSec + 60);
    const a = unpackAnswer(t.get("/api/items POST")!.gpc0);
    expect(a.status).toBe(405);
    expect(m.maps.get("eb_bodies.map")!.get(String(a.bodyId))).toBe("GET only");
    expect(a.bodyId).toBe(bodyId("GET only"));
  });

  it("Edge-Rule: a prefix rule goes into the prefix map, a qualified one into the spec list", () => {
    const m = edgeWith({});
    respond(m, { rule: ['block;path="/wp-admin";prefix;methods=*', 'block;path="/search";methods=GET;auth=anon;query="debug !token"'] });
    expect(m.maps.get("eb_prefix_app.map")!.get("/wp-admin/")).toBe("^/wp-admin");
    expect(rules(m).has("^/wp-admin")).toBe(true);
    // a GET rule covers HEAD (core/rulekey.ts withHead)
    expect(m.maps.get("eb_qual_app.map")!.get("/search")).toBe("GET~a:anon;q:debug,!token HEAD~a:anon;q:debug,!token");
    expect(rules(m).has("/search GET~a:anon;q:debug,!token")).toBe(true);
  });

  it("Edge-Rule: remove lifts a rule by zeroing its expiry", () => {
    const m = edgeWith({});
    respond(m, { rule: ["block;methods=*"], path: "/old" });
    expect(rules(m).get("/old")!.gpc1).toBeGreaterThan(m.nowSec);
    respond(m, { rule: ["remove"], path: "/old", status: 200 });
    expect(rules(m).get("/old")!.gpc1).toBe(0);
    expect(counter(m, "rules_removed:signal")).toBe(1);
  });

  it("refuses a rule for an allowlisted path", () => {
    const m = edgeWith({ allowExact: ["/health"], allowPrefix: ["/static"] });
    respond(m, { resource: ["false"], path: "/health" });
    respond(m, { resource: ["false"], path: "/static/app.js" });
    expect(rules(m).size).toBe(0);
    expect(counter(m, "signal:rejected:allowlisted")).toBe(2);
  });

  it("rate-limits learning per backend with a token bucket", () => {
    const m = edgeWith({ learnRate: 2, learnBurst: 3 });
    for (let i = 0; i < 5; i++) respond(m, { resource: ["false"], path: `/p${i}` });
    expect(rules(m).size).toBe(3);
    expect(counter(m, "signal:rejected:rate-limited")).toBe(2);
    m.nowSec += 1;
    respond(m, { resource: ["false"], path: "/later" });
    expect(rules(m).has("/later")).toBe(true);
  });

  it("enforces a rule only after N signals from M distinct clients", () => {
    const m = edgeWith({ confirmSignals: 3, confirmClients: 2 });
    respond(m, { resource: ["false"], src: "10.0.0.1" });
    respond(m, { resource: ["false"], src: "10.0.0.1" });
    expect(rules(m).size).toBe(0);
    expect(m.tables.get("eb_pending_app")!.get("/yeet")).toEqual({ gpc0: 2, gpt0: 1 });
    respond(m, { resource: ["false"], src: "10.0.0.1" });
    expect(rules(m).size).toBe(0);
    respond(m, { resource: ["false"], src: "10.0.0.2" });
    expect(rules(m).has("/yeet")).toBe(true);
  });

  it("refuses new rules when the table is full and on_full is refuse", () => {
    const m = edgeWith({ onFull: "refuse" }, (mm) => {
      mm.tableSize = 2;
    });
    respond(m, { resource: ["false"], path: "/a" });
    respond(m, { resource: ["false"], path: "/b" });
    respond(m, { resource: ["false"], path: "/c" });
    expect([...rules(m).keys()].sort()).toEqual(["/a", "/b"]);
    expect(counter(m, "signal:rejected:store-full")).toBe(1);
  });
});

describe("counter series cap (Fengari mock)", () => {
  it("folds reason labels past the cap into :other, so metrics stay bounded", () => {
    const m = edgeWith({}, (mm) => {
      mm.tableSize = 100000;
    });
    for (let i = 0; i < 260; i++) respond(m, { rule: [`block;methods=*;reason=r${i}`], path: `/p${i}` });
    const keys = [...m.maps.get("eb_counters.map")!.keys()];
    // the cap, plus one `:other` series per family
    expect(keys.length).toBeLessThanOrEqual(510);
    expect(counter(m, "rules_learned:other") + counter(m, "signal:learned:other")).toBeGreaterThan(0);
    const total = keys.filter((k) => k.startsWith("0:rules_learned:")).reduce((a, k) => a + Number(m.maps.get("eb_counters.map")!.get(k)), 0);
    expect(total).toBe(260);
  });
});

describe("edgeblock_match action (Fengari mock)", () => {
  function request(m: MockHaproxy, vars: Record<string, string>, host: string, query?: string) {
    const txn = m.txn({
      phase: "http-req",
      vars: { "txn.eb_method": "GET", ...vars },
      reqHeaders: { host: [host] },
      fetches: query === undefined ? {} : { query },
    });
    m.runAction("edgeblock_match", txn, "http-req", "exact");
    return txn.vars.get("txn.eb_qkey");
  }

  it("publishes the most specific matching qualified rule (haproxy.cfg checks it is live), or nothing", () => {
    const m = edgeWith({});
    respond(m, { rule: ['block;path="/s";methods=GET;query="debug"', 'block;path="/s";methods=GET;query="debug";host="a.example"'] });
    const specs = m.maps.get("eb_qual_app.map")!.get("/s")!;
    const base = { "txn.eb_path": "/s", "txn.eb_qual": specs };
    expect(request(m, base, "A.example:8080", "debug=1")).toBe("/s GET~h:a.example;q:debug");
    expect(request(m, base, "b.example", "debug=1&x")).toBe("/s GET~q:debug");
    expect(request(m, base, "b.example", "x=1")).toBeUndefined();
  });
});

describe("edgeblock_normalize converter (Fengari mock)", () => {
  it("normalises with the configured policy", () => {
    const m = edgeWith({ caseInsensitive: true });
    expect(m.convert("edgeblock_normalize", "//A/./%79eet/")).toBe("/a/yeet");
    expect(m.convert("edgeblock_normalize", "*")).toBe("*");
  });
});

describe("blocks.lua hygiene", () => {
  it("creates no global variables when loaded", () => {
    const m = new MockHaproxy({ EDGEBLOCK_SETTINGS: "/s" }, { "/s": formatSettings(DEFAULT_SETTINGS) }).declareBackend("app");
    m.load(undefined, { trapGlobals: true });
    expect(m.actions.has("edgeblock_learn")).toBe(true);
    expect(m.vm.getGlobal("__eb_new_globals")).toEqual({});
  });
});
