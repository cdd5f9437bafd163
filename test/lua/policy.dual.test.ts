/** The allowlist (core/policy.ts) decides the same in both runtimes, and as the rendered prefix lines do. */
import { describe, expect, it } from "vitest";
import { allowlistEntry, allowPrefixProbe } from "../../src/core/policy";
import { expectSameInBoth } from "../helpers/dual";

const allow = { allowExact: ["/health"], allowPrefix: ["/static/", "/api/public", "/"] };
const noRoot = { allowExact: ["/health"], allowPrefix: ["/static/", "/api/public"] };

describe("allowlist", () => {
  it("covers a prefix written with or without its trailing slash, segment-wise", () => {
    const paths = ["/health", "/health/x", "/static", "/static/", "/static/app.js", "/staticx", "/api/public", "/api/public/", "/api/publicx", "/api", "/"];
    const v = expectSameInBoth("core.policy", "allowlistEntry", allowlistEntry, paths.map((p) => [p, noRoot] as [string, typeof noRoot]));
    expect(v).toEqual(["exact /health", undefined, "prefix /static/", "prefix /static/", "prefix /static/", undefined, "prefix /api/public", "prefix /api/public", undefined, undefined, undefined]);
    // "/" as a prefix covers everything
    expect(expectSameInBoth("core.policy", "allowlistEntry", allowlistEntry, [["/anything", allow]])).toEqual(["prefix /"]);
  });
  it("is what the rendered lines compare with: path + / begins with the probe", () => {
    for (const p of noRoot.allowPrefix) {
      for (const path of ["/static", "/static/a", "/staticx", "/api/public/x", "/api/publicx"]) {
        expect((path + "/").startsWith(allowPrefixProbe(p)), `${path} under ${p}`).toBe(allowlistEntry(path, { allowExact: [], allowPrefix: [p] }) !== undefined);
      }
    }
  });
});
