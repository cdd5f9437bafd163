/**
 * Every behaviour the Fengari mock claims, proven on a real HAProxy: the same
 * probe (test/fixtures/probe.lua) runs in both and must observe the same things.
 */
import * as path from "node:path";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTableLine } from "../../src/core/runtime-cmd";
import { cliCommands, MockHaproxy } from "../helpers/mock-haproxy";
import { Backend, Edge, freePort, request, startBackend, startEdge, stopAll } from "../helpers/haproxy";

const PROBE = path.resolve(__dirname, "../fixtures/probe.lua");

/** Run the probe in the Fengari mock, for one phase. */
function probeInMock(phase: "http-req" | "http-res"): string {
  const mock = new MockHaproxy();
  mock.declareTable("probe_table");
  mock.tableSize = 16;
  mock.tables.get("probe_table")!.set("present", { gpt0: 7 });
  mock.load();
  mock.vm.run(readFileSync(PROBE, "latin1"), "probe.lua");
  const headers = { "x-multi": ["a, b", "c"] };
  const txn = mock.txn({
    phase,
    // [T] before use_backend, be_name names the frontend
    fetches: { path: "/probe", method: "GET", query: "q=1", src: "127.0.0.1", srv_id: 1, be_name: phase === "http-req" ? "probe" : "probe_be" },
    ...(phase === "http-req" ? { reqHeaders: headers } : { resHeaders: headers }),
  });
  mock.runAction(phase === "http-req" ? "probe_req" : "probe_res", txn, phase);
  return String(txn.vars.get("txn.probe"));
}

describe("the Fengari mock behaves like HAProxy 2.6", () => {
  let backend: Backend;
  let edge: Edge;
  let probePort: number;

  beforeAll(async () => {
    backend = await startBackend({ "/probe": { status: 200, headers: { "X-Multi": ["a, b", "c"] } } });
    probePort = await freePort();
    // test-only proxies: the request probe answers with its observations; the response probe reports in a header
    edge = await startEdge({
      extraGlobal: [],
      backends: [{ name: "app", port: backend.port }],
      extraLua: [PROBE],
      extraCfg: `
frontend probe
  bind 127.0.0.1:${probePort}
  http-request lua.probe_req if { req.hdr(x-probe-phase) req }
  http-request return status 200 content-type text/plain lf-string "%[var(txn.probe)]" if { req.hdr(x-probe-phase) req }
  default_backend probe_be

backend probe_table
  stick-table type string len 32 size 16 store gpt0

backend probe_be
  http-response lua.probe_res
  http-response set-header x-probe "%[var(txn.probe)]"
  server s1 127.0.0.1:${backend.port}
`,
    });
    await edge.cli("set table probe_table key present data.gpt0 7");
  });
  afterAll(async () => {
    await edge?.stop();
    await stopAll();
  });

  it("http-res: path and query fetches are nil (method, src, srv_id are not), req_get_headers raises, header values are 0-indexed, floats in vars become 0, set_map on a map never loaded raises, stick-table lookup/info and get_info", async () => {
    // the probe runs from a test-only http-response rule added through the backend's config
    const r = await request(probePort, "GET", "/probe?q=1", { "x-probe-phase": "res" });
    const real = String(r.headers["x-probe"]);
    expect(real).toContain("path_nil=true");
    expect(real).toBe(probeInMock("http-res"));
  });

  it("http-req: request fetches exist, res_get_headers raises, header values are 0-indexed", async () => {
    const r = await request(probePort, "GET", "/probe?q=1", { "x-multi": ["a, b", "c"], "x-probe-phase": "req" });
    const real = r.body.trim();
    expect(real).toContain("path_nil=false");
    expect(real).toBe(probeInMock("http-req"));
  });

  it("runtime API: set table accepts backslash-escaped keys and the mock's CLI tokenizer agrees", async () => {
    const key = "/a;b\\c d";
    const escaped = key.replace(/([\\; \t])/g, "\\$1");
    const out = await edge.cli(`set table eb_rules_app key ${escaped} data.gpt0 7`);
    expect(out.trim()).toBe("");
    const shown = await edge.cli("show table eb_rules_app");
    // [T] show table escapes backslashes and spaces in keys; parseTableLine undoes it
    const line = shown.split("\n").find((l) => l.includes("key=/a;b"));
    expect(line).toContain("key=/a;b\\\\c\\ d use=");
    expect(parseTableLine(line!)?.key).toBe(key);
    expect(cliCommands(`set table eb_rules_app key ${escaped} data.gpt0 7`)).toEqual([["set", "table", "eb_rules_app", "key", key, "data.gpt0", "7"]]);
  });
});
