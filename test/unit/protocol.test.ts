import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatBlocks, parseEdgeRule, SignalContext } from "../../src/core/protocol";
import { DEFAULT_SETTINGS } from "../../src/core/settings";
import { parseList, serializeList } from "../../src/core/sfv";
import { edgeRule, EdgeRuleError, edgeResourceFalse } from "../../src/sdk";
import { byteString } from "../helpers/arb";
import { blockRule } from "../helpers/rules";

const CTX: SignalContext = { path: "/req", method: "GET", status: 404 };
const S = { ...DEFAULT_SETTINGS, maxSignalBytes: 65536 };

describe("RFC 8941 lists", () => {
  it("parse the examples of the RFC family we rely on", () => {
    expect(parseList(['block;path="/a";prefix, remove'])).toEqual({
      ok: true,
      items: [
        { value: { t: "tok", v: "block" }, params: [{ key: "path", value: { t: "str", v: "/a" } }, { key: "prefix", value: { t: "bool", v: true } }], inner: false },
        { value: { t: "tok", v: "remove" }, params: [], inner: false },
      ],
    });
    expect(parseList(["a", "b"]).ok && (parseList(["a", "b"]) as { items: unknown[] }).items.length).toBe(2);
    expect(parseList(['"unterminated']).ok).toBe(false);
    expect(parseList(["a,"]).ok).toBe(false);
    expect(parseList(["a;k=?2"]).ok).toBe(false);
    expect(parseList(["a;K=1"]).ok).toBe(false);
    expect(parseList(["a;k=1.2345"]).ok).toBe(false);
  });

  it("serialise then parse gives the same items", () => {
    fc.assert(
      fc.property(fc.array(blockRule, { minLength: 1, maxLength: 3 }), (rules) => {
        const text = formatBlocks(rules);
        const p = parseList([text]);
        expect(p.ok).toBe(true);
        if (p.ok) expect(serializeList(p.items)).toBe(text);
      }),
    );
  });
});

describe("parseEdgeRule", () => {
  it("formatting a rule and parsing it back gives the same rule", () => {
    fc.assert(
      fc.property(fc.array(blockRule, { minLength: 1, maxLength: 4 }), (rules) => {
        const v = parseEdgeRule([formatBlocks(rules)], CTX, S);
        expect(v).toEqual({ kind: "apply", blocks: rules, removes: [] });
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on random bytes, and never learns from them", () => {
    fc.assert(
      fc.property(fc.array(byteString(60), { maxLength: 2 }), (lines) => {
        const v = parseEdgeRule(lines, CTX, S);
        expect(["none", "apply", "reject"]).toContain(v.kind);
      }),
      { numRuns: 3000 },
    );
  });

  it("fills defaults from the request: its path, its method, its error status, the default TTL", () => {
    const v = parseEdgeRule(["block"], { path: "/x", method: "POST", status: 410 }, S);
    expect(v).toEqual({
      kind: "apply",
      blocks: [{ match: { path: "/x", prefix: false, methods: ["POST"], query: [] }, status: 410, body: "", ttl: 3600, reason: "edge-rule", dryRun: false }],
      removes: [],
    });
    const ok200 = parseEdgeRule(["block"], { path: "/x", method: "GET", status: 200 }, S);
    expect(ok200.kind === "apply" && ok200.blocks[0].status).toBe(404);
  });

  it("caps the TTL at max_ttl instead of refusing it", () => {
    const v = parseEdgeRule(["block;ttl=999999999"], CTX, S);
    expect(v.kind === "apply" && v.blocks[0].ttl).toBe(S.maxTtl);
  });

  it("rejects a whole signal when one member is bad", () => {
    const v = parseEdgeRule(['block;path="/ok", block;colour=red'], CTX, S);
    expect(v).toMatchObject({ kind: "reject", reason: "unknown-parameter", detail: "colour" });
  });

  const REJECTS: Array<[string, string]> = [
    ["block;status=302", "status-not-allowed"],
    ["block;ttl=0", "out-of-range"],
    ["block;ttl=1.5", "malformed"],
    ["block;methods=\"GET g3t\"", "malformed"],
    ["block;host=\"a b\"", "malformed"],
    ["block;auth=maybe", "malformed"],
    ["block;query=\"\"", "malformed"],
    ["block;query=\"a !a\"", "malformed"],
    ["block;path=\"relative\"", "path-invalid"],
    ["block;path=/tok", "malformed"],
    ["block;path=\"/\";prefix", "out-of-range"],
    ["block;reason=\"Bad Label\"", "malformed"],
    ["block;dry-run=1", "malformed"],
    ["(block)", "malformed"],
    ["allow", "malformed"],
    ["remove;status=404", "unknown-parameter"],
  ];
  for (const [text, reason] of REJECTS) {
    it(`rejects ${text} as ${reason}`, () => {
      expect(parseEdgeRule([text], CTX, S)).toMatchObject({ kind: "reject", reason });
    });
  }
});

describe("backend SDK", () => {
  it("extends a GET rule to HEAD, which backends answer with the GET handler", () => {
    const v = parseEdgeRule(["block;methods=GET", 'block;path="/b";methods="GET POST"', 'block;path="/c";methods=HEAD', 'block;path="/d";methods=POST'], { path: "/a", method: "GET", status: 404 }, S);
    expect(v.kind).toBe("apply");
    if (v.kind !== "apply") return;
    expect(v.blocks.map((b) => b.match.methods)).toEqual([["GET", "HEAD"], ["GET", "HEAD", "POST"], ["HEAD"], ["POST"]]);
  });

  it("builds headers the edge parses into the intended rules", () => {
    const h = edgeRule(
      { block: { methods: ["post", "PUT"], status: 405, body: "GET only", ttl: 600, reason: "method" } },
      { block: { path: "/wp-admin", prefix: true, methods: "*", reason: "scanner" } },
      { block: { query: { present: ["debug"], absent: ["token"] }, auth: "anon", host: "api.example.com" } },
      { remove: { path: "/old" } },
    );
    const v = parseEdgeRule([h], { path: "/items", method: "GET", status: 404 }, S);
    expect(v.kind).toBe("apply");
    if (v.kind !== "apply") return;
    expect(v.blocks[0]).toMatchObject({ match: { path: "/items", methods: ["POST", "PUT"] }, status: 405, body: "GET only", ttl: 600, reason: "method" });
    expect(v.blocks[1]).toMatchObject({ match: { path: "/wp-admin", prefix: true, methods: [] }, status: 404, reason: "scanner" });
    expect(v.blocks[2].match).toEqual({ path: "/items", prefix: false, methods: ["GET", "HEAD"], host: "api.example.com", auth: "anon", query: [{ name: "debug", present: true }, { name: "token", present: false }] });
    expect(v.removes).toEqual([{ match: { path: "/old", prefix: false, methods: [], query: [] }, everything: true }]);
  });

  it("refuses rules the edge would reject, naming the field", () => {
    expect(() => edgeRule({ block: { status: 302 } })).toThrow(EdgeRuleError);
    expect(() => edgeRule({ block: { reason: "Has Spaces" } })).toThrow(/reason/);
    expect(() => edgeRule({ block: { path: "no-slash" } })).toThrow(/path/);
    expect(() => edgeRule()).toThrow(/at least one/);
    expect(edgeResourceFalse()).toBe("false");
    expect(edgeResourceFalse(410)).toBe("false-410");
  });
});
