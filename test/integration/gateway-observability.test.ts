/**
 * Observability (observability.stats_socket, observability.log_headers, the Prometheus exporter): a
 * read-only socket for exporters beside edgeblock's admin one, and request headers in the log line.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { haproxyCheck } from "../../src/node/cli";
import { parseConfig } from "../../src/node/config";
import { atLeast, haproxyVersion } from "../../src/node/haproxy-bin";
import { renderToDisk } from "../../src/node/render";
import { cliCommand, request, startBackend, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

describe("observability", () => {
  it("before HAProxy 3.4, where a level-user socket can write maps, a config asking for one does not load", async () => {
    if (atLeast(haproxyVersion(), 3, 4)) return;
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-obs-"));
    const file = path.join(dir, "edgeblock.yaml");
    const yaml = "listen: { port: 18097 }\nstats: { port: 18096 }\nbackends:\n  - { name: app, servers: [ { port: 18095 } ] }\nobservability: { stats_socket: stats.sock }\n";
    writeFileSync(file, yaml);
    expect(() => renderToDisk(parseConfig(yaml, file), { outDir: dir, check: haproxyCheck })).toThrow(/observability.stats_socket needs HAProxy 3.4 or later/);
  });

  it("a user-level socket (3.4+) reads stats but can change nothing, maps included; headers land in the log line; HAProxy's exporter serves /metrics", async () => {
    if (!atLeast(haproxyVersion(), 3, 4)) return;
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
    // nor write a map (a rule's prefix, an API key)
    await expect(cliCommand(sock, "add map eb_prefix_app.map /wp-admin/ ^/wp-admin")).rejects.toThrow(/level is too low|Permission denied/);
    await edge.get("/logged", { "user-agent": "probe/1.0", "x-request-id": "req-42" });
    await edge.waitForLog(/\{probe\/1\.0\|req-42\}.*GET \/logged/);
    const metrics = await request(edge.statsPort, "GET", "/metrics");
    expect(metrics.body).toMatch(/^haproxy_backend_http_responses_total\{proxy="app",code="2xx"\} 1$/m);
  });
});
