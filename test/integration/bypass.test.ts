/**
 * Path normalisation on real HAProxy: a rule learned on /yeet is not bypassed
 * by any other spelling of the same path. The backend's own counter proves it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const VARIANTS = ["/yeet/", "//yeet", "/./yeet", "/x/../yeet", "/%79eet", "/yeet?x=1", "/%2e/yeet", "/yeet/.", "/x/%2E%2E/yeet", "///yeet//"];

describe.each([
  { name: "default policy", yaml: "", caseVariants: [] as string[], caseSensitiveVariants: ["/YEET", "/Yeet"] },
  { name: "case-insensitive paths", yaml: "paths: { case_insensitive: true }\n", caseVariants: ["/YEET", "/Yeet", "/%59EET", "//YeEt/"], caseSensitiveVariants: [] as string[] },
])("a rule on /yeet is not bypassed ($name)", ({ yaml, caseVariants, caseSensitiveVariants }) => {
  let backend: Backend;
  let edge: Edge;

  beforeAll(async () => {
    backend = await startBackend({ "*": { status: 404, headers: { "X-Edge-Resource": "false" } } });
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: yaml });
    await edge.get("/yeet");
  });
  afterAll(async () => {
    await edge?.stop();
    await stopAll();
  });

  it("blocks every spelling of /yeet without contacting the backend", async () => {
    for (const v of [...VARIANTS, ...caseVariants]) {
      const r = await edge.get(v);
      expect(r.status, v).toBe(404);
    }
    const hits = await backend.hits();
    expect(Object.values(hits).reduce((a, b) => a + b, 0), JSON.stringify(hits)).toBe(1);
  });

  it("treats a different case as a different path when paths are case-sensitive", async () => {
    for (const v of caseSensitiveVariants) {
      const before = (await backend.hits())[v] ?? 0;
      await edge.get(v);
      expect((await backend.hits())[v], v).toBe(before + 1);
    }
  });

  it("does not block longer paths that merely start with /yeet", async () => {
    for (const v of ["/yeet2", "/yeetx/", "/yeet/child"]) {
      const before = (await backend.hits())[v] ?? 0;
      await edge.get(v);
      expect((await backend.hits())[v], v).toBe(before + 1);
    }
  });

  it("logged no Lua runtime error", () => {
    expect(edge.luaErrors()).toEqual([]);
  });
});
