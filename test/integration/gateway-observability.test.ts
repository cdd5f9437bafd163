/**
 * Observability (observability.stats_socket, observability.log_headers, the Prometheus exporter): a
 * read-only socket for exporters beside edgeblock's admin one, and request headers in the log line.
 */
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliCommand, request, startBackend, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

describe("observability", () => {
  it("a user-level socket reads stats but can change nothing; headers land in the log line; HAProxy's exporter serves /metrics", async () => {
    const backend = await startBackend({});
    const edge = await startEdge({
      backends: [],
      backendsYaml: `  - { name: app, servers: [ { name: s1, port: ${backend.port} } ] }`,
      extraYaml: "observability: { stats_socket: stats.sock, log_headers: [User-Agent, X-Request-Id] }",
    });
    const sock = path.join(edge.dir, "stats.sock");
    expect(await cliCommand(sock, "show info")).toMatch(/^Name: HAProxy/m);
    expect(await cliCommand(sock, "show stat")).toMatch(/^app,s1,/m);
    // writing a rule, or any table, needs the admin socket
    await expect(cliCommand(sock, "set table eb_rules_app key /x data.gpt0 1")).rejects.toThrow(/level is too low/);
    expect(await edge.cli("show table eb_rules_app")).not.toMatch(/key=\/x /);
    // nor clear one: HAProxy answers nothing at level user, and the entry stays
    await edge.cli("set table eb_ctl key probe data.gpt0 1");
    await cliCommand(sock, "clear table eb_ctl").catch(() => "");
    expect(await edge.cli("show table eb_ctl")).toMatch(/key=probe /);
    expect(await cliCommand(sock, "show table eb_ctl")).toMatch(/not dumped due to insufficient privileges/);
    await edge.get("/logged", { "user-agent": "probe/1.0", "x-request-id": "req-42" });
    await edge.waitForLog(/\{probe\/1\.0\|req-42\}.*GET \/logged/);
    const metrics = await request(edge.statsPort, "GET", "/metrics");
    expect(metrics.body).toMatch(/^haproxy_backend_http_responses_total\{proxy="app",code="2xx"\} 1$/m);
  });
});
