/**
 * docs/grafana-dashboard.json imports cleanly (datasource input) and asks only
 * for series edgeblock exports: metric names src/core/metrics.ts can emit, with
 * labels those families carry.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const read = (p: string): string => readFileSync(path.join(ROOT, p), "utf8");

interface Target {
  readonly expr?: string;
  readonly datasource?: { readonly uid?: string };
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly uid?: string };
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly __inputs: ReadonlyArray<{ name: string; type: string; pluginId: string }>;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: ReadonlyArray<{ name: string; definition: string; datasource?: { uid?: string } }> };
}

const DS = "${DS_PROMETHEUS}";
// every series carries the scrape's own labels besides the family's
const SCRAPE_LABELS = ["instance", "job"];

/** Family -> labels, for every `add("edgeblock_...", ..., [["label", ...]], ...)` line of metrics.ts. */
function literalFamilies(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of read("src/core/metrics.ts").split("\n")) {
    const m = /\badd\(\s*"(edgeblock_[a-z_]+)"/.exec(line);
    if (m) out.set(m[1], [...line.matchAll(/\["([a-z_]+)", /g)].map((l) => l[1]));
  }
  return out;
}

/** Internal counters: metrics.ts exports each single-name counter the Lua increments as `edgeblock_<name>_total`. */
function internalCounters(): string[] {
  const names: string[] = [];
  for (const f of readdirSync(path.join(ROOT, "src/lua"))) {
    for (const m of read(`src/lua/${f}`).matchAll(/\binc\("([a-z_]+)"/g)) names.push(`edgeblock_${m[1]}_total`);
  }
  return names;
}

function emittable(): Map<string, string[]> {
  const all = literalFamilies();
  for (const n of internalCounters()) if (!all.has(n)) all.set(n, []);
  return all;
}

/** Metric selectors of a PromQL expression: `name{label=..., ...}`. */
function selectors(expr: string): { metric: string; labels: string[] }[] {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)].map((m) => ({ metric: m[1], labels: [...m[2].matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]) }));
}

/** Labels named in `by (...)` clauses. */
function byLabels(expr: string): string[] {
  return [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(",").map((s) => s.trim()));
}

const dashboard = JSON.parse(read("docs/grafana-dashboard.json")) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== "row");
const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? "" })));

describe("Grafana dashboard", () => {
  it("takes its Prometheus datasource as an import input, on every panel and query", () => {
    expect(dashboard.__inputs).toContainEqual(expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" }));
    for (const p of queryPanels) {
      expect(p.datasource?.uid, p.title).toBe(DS);
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe(DS);
    }
    for (const v of dashboard.templating.list) expect(v.datasource?.uid, v.name).toBe(DS);
  });

  it("has unique panel ids, and a query on every panel", () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of queryPanels) expect(p.targets?.filter((t) => t.expr).length, p.title).toBeGreaterThan(0);
  });

  it("queries only metrics edgeblock emits, with labels those metrics carry", () => {
    const known = emittable();
    expect(known.size).toBeGreaterThan(10);
    for (const { panel, expr } of exprs) {
      const sel = selectors(expr);
      // every metric is written as a selector, so the check below sees all of them
      expect(sel.length, `${panel}: ${expr}`).toBe((expr.match(/edgeblock_\w+/g) ?? []).length);
      for (const s of sel) {
        expect(known.has(s.metric), `${panel}: unknown metric ${s.metric}`).toBe(true);
        for (const l of s.labels) expect([...(known.get(s.metric) ?? []), ...SCRAPE_LABELS], `${panel}: ${s.metric}{${l}}`).toContain(l);
        for (const l of byLabels(expr)) expect([...(known.get(s.metric) ?? []), ...SCRAPE_LABELS], `${panel}: by (${l}) on ${s.metric}`).toContain(l);
      }
    }
    for (const v of dashboard.templating.list) {
      for (const m of v.definition.match(/edgeblock_\w+/g) ?? []) expect(known.has(m), `variable ${v.name}: ${m}`).toBe(true);
    }
  });

  it("shows every metric family metrics.ts exports by name", () => {
    const used = new Set(exprs.flatMap(({ expr }) => selectors(expr).map((s) => s.metric)));
    for (const name of literalFamilies().keys()) expect(used.has(name), name).toBe(true);
  });
});
