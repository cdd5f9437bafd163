/**
 * edgeblock's Prometheus metrics on a real HAProxy: valid exposition (promtool),
 * exact counts across threads, and a real Prometheus server scraping them.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, request, startBackend, startEdge, stopAll, waitFor } from "../helpers/haproxy";

const ROUTES = {
  "*": { status: 404, headers: { "X-Edge-Resource": "false" } },
  "/bad": { status: 404, headers: { "Edge-Rule": "block;colour=red" } },
  "/trial": { status: 404, headers: { "Edge-Rule": "block;methods=*;dry-run;reason=trial" } },
};

afterAll(stopAll);

function metricValue(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("metrics", () => {
  it("pass promtool check metrics, and count exactly across 2 threads with lua-load-per-thread", async () => {
    const backend = await startBackend(ROUTES);
    const edge = await startEdge({ backends: [{ name: "app", port: backend.port }], luaLoad: "per-thread", threads: 2 });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => edge.get(`/p${i}`)));
      await Promise.all(Array.from({ length: 20 }, (_, i) => edge.get(`/p${i}`)));
      await edge.get("/bad");
      await edge.get("/trial");
      await edge.get("/trial");
      const r = await request(edge.statsPort, "GET", "/edgeblock/metrics");
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
      const check = spawnSync("promtool", ["check", "metrics"], { input: r.body, encoding: "utf8" });
      expect(check.stdout + check.stderr).toBe("");
      expect(check.status).toBe(0);
      expect(metricValue(r.body, 'edgeblock_signals_total{outcome="learned",reason="edge-resource"}')).toBe(20);
      expect(metricValue(r.body, 'edgeblock_rules_learned_total{reason="edge-resource"}')).toBe(20);
      expect(metricValue(r.body, 'edgeblock_signals_total{outcome="rejected",reason="unknown-parameter"}')).toBe(1);
      expect(metricValue(r.body, 'edgeblock_requests_blocked_total{status="404",reason="edge-resource"}')).toBe(20);
      expect(metricValue(r.body, 'edgeblock_requests_would_block_total{status="404",reason="trial"}')).toBe(1);
      expect(metricValue(r.body, 'edgeblock_store_capacity_entries{backend="app"}')).toBe(100000);
      expect(metricValue(r.body, "edgeblock_enforcement_enabled")).toBe(1);
      // both threads really served signals (otherwise this test proves nothing about aggregation)
      const perThread = (await edge.cli("show map eb_counters.map")).split("\n").filter((l) => / \d+:signal:learned:edge-resource /.test(l));
      expect(perThread.length).toBe(2);
    } finally {
      await edge.stop();
    }
  });

  it("are scraped by a real Prometheus server, and PromQL shows a blocked request", async () => {
    const backend = await startBackend(ROUTES);
    const edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-prom-"));
    const port = await freePort();
    writeFileSync(
      path.join(dir, "prometheus.yml"),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: edgeblock
    metrics_path: /edgeblock/metrics
    static_configs: [ { targets: ["127.0.0.1:${edge.statsPort}"] } ]
`,
    );
    let prom: ChildProcess | undefined;
    try {
      await edge.get("/scraped");
      await edge.get("/scraped");
      prom = spawn("prometheus", [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
      let value = 0;
      await waitFor(
        "PromQL result",
        async () => {
          try {
            const q = await request(port, "GET", `/api/v1/query?query=${encodeURIComponent('sum(edgeblock_requests_blocked_total{reason="edge-resource"})')}`);
            const j = JSON.parse(q.body) as { data?: { result?: Array<{ value: [number, string] }> } };
            value = Number(j.data?.result?.[0]?.value[1] ?? 0);
            return value >= 1;
          } catch {
            return false;
          }
        },
        30_000,
      );
      expect(value).toBe(1);
    } finally {
      if (prom?.pid) {
        process.kill(prom.pid, "SIGTERM");
        await new Promise((r) => prom!.once("exit", r));
      }
      rmSync(dir, { recursive: true, force: true });
      await edge.stop();
    }
  }, 60_000);
});
