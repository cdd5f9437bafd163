/** Every config error message names the line and the field. */
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigInvalid, parseConfig } from "../../src/node/config";
import { checkStaticMap } from "../../src/node/static-map";
import { DEFAULT_PATH_POLICY } from "../../src/core/path";
import { DEFAULT_ALLOWED_STATUSES } from "../../src/core/settings";

const GOOD = `listen: { address: 127.0.0.1, port: 8080 }
backends:
  - name: app
    trusted: true
    servers: [ { name: s1, address: 127.0.0.1, port: 8081 } ]
`;

function errorsOf(yaml: string) {
  try {
    parseConfig(yaml, "/tmp/x/edgeblock.yaml");
  } catch (e) {
    if (e instanceof ConfigInvalid) return e.errors;
    throw e;
  }
  return [];
}

describe("config validation", () => {
  it("accepts a minimal config and fills the documented defaults", () => {
    const c = parseConfig(GOOD, "/tmp/x/edgeblock.yaml");
    expect(c.rules.defaultTtl).toBe(3600);
    expect(c.rules.defaultStatus).toBe(404);
    expect(c.paths).toEqual({ caseInsensitive: false, mergeSlashes: true, stripTrailingSlash: true });
    expect(c.staticMap).toBe("/tmp/x/path_status.map");
    expect(c.runtimeApiSocket).toBe("/tmp/x/run/admin.sock");
    expect(c.defaultBackend).toBe("app");
    expect(c.backends[0]).toMatchObject({ name: "app", trusted: true, maxRules: 100000 });
  });

  const CASES: Array<[string, string, number, string, RegExp]> = [
    ["a port out of range", GOOD.replace("port: 8080", "port: 80800"), 1, "listen.port", /integer from 1 to 65535/],
    ["an unknown top-level field", GOOD + "colour: blue\n", 6, "colour", /unknown field/],
    ["an unknown backend field", GOOD.replace("trusted: true", "trusted: true\n    weight: 3"), 5, "backends[0].weight", /unknown field/],
    ["a non-boolean trusted", GOOD.replace("trusted: true", "trusted: yes please"), 4, "backends[0].trusted", /true or false/],
    ["a bad backend name", GOOD.replace("name: app", "name: my app"), 3, "backends[0].name", /letters, digits/],
    ["no backends", "listen: { port: 8080 }\n", 1, "backends", /at least one backend/],
    ["a server without a port", GOOD.replace(", port: 8081", ""), 5, "backends[0].servers[0].port", /required/],
    ["a status outside 400-599", GOOD + "rules:\n  allowed_statuses: [404, 302]\n", 7, "rules.allowed_statuses[1]", /400 to 599/],
    ["a default status that is not allowed", GOOD + "rules:\n  allowed_statuses: [410]\n", 7, "rules.default_status", /not in rules.allowed_statuses/],
    ["default_ttl above max_ttl", GOOD + "rules:\n  max_ttl: 60\n  default_ttl: 120\n", 8, "rules.default_ttl", /must not exceed/],
    ["max_ttl beyond what a stick table can expire", GOOD + "rules:\n  max_ttl: 99999999\n", 7, "rules.max_ttl", /integer from 1 to 2147483/],
    ["an unknown lua load mode", GOOD + "lua: { load: sometimes }\n", 6, "lua.load", /shared or per-thread/],
    ["a default backend that does not exist", GOOD + "default_backend: nope\n", 6, "default_backend", /no backend named nope/],
    ["broken YAML", GOOD + "rules: [\n", 7, "(yaml)", /./],
    ...(["eb_ctl", "eb_stats", "eb_handoff", "eb_rules_app", "eb_pending_x", "eb_seen_y", "edge", "stats"].map((n) => [`a reserved backend name (${n})`, GOOD.replace("name: app", `name: ${n}`), 3, "backends[0].name", /edgeblock/] as [string, string, number, string, RegExp])),
    ["stats on the listen port", GOOD + "stats: { port: 8080 }\n", 6, "stats.port", /port 8080 is already listen.port/],
    ["h2c on the stats port", GOOD.replace("port: 8080 }", "port: 8080, h2c_port: 8404 }"), 1, "listen.h2c_port", /port 8404 is already stats.port/],
    ["stats on 0.0.0.0 and the listen port", GOOD + "stats: { address: 0.0.0.0, port: 8080 }\n", 6, "stats.port", /already listen.port/],
    ["a server that is the edge itself", GOOD.replace("port: 8081", "port: 8080"), 5, "backends[0].servers[0].port", /the edge's own listen.port: requests would loop/],
    ["a static map that does not exist", GOOD + "static_map: /nonexistent/typo.map\n", 6, "static_map", /\/nonexistent\/typo.map does not exist/],
    ["a state folder that is a file", GOOD + "state: { dir: /etc/hostname }\n", 6, "state.dir", /\/etc\/hostname is a file, not a folder/],
    ["a route prefix that is not normalised", GOOD + "routes:\n  - { backend: app, path_prefix: /api/ }\n", 7, "routes[0].path_prefix", /not normalised; write "\/api"/],
    ["a route prefix in upper case when paths are case-insensitive", GOOD + "paths: { case_insensitive: true }\nroutes:\n  - { backend: app, path_prefix: /API }\n", 8, "routes[0].path_prefix", /write "\/api"/],
    ["a peers block without nodes", GOOD + "peers: { local: a }\n", 6, "peers.nodes", /non-empty list of nodes/],
    ["a local node that is not in peers.nodes", GOOD + "peers:\n  local: c\n  nodes:\n    - { name: a, address: 10.0.0.1, port: 10000 }\n    - { name: b, address: 10.0.0.2, port: 10000 }\n", 7, "peers.local", /c is not in peers.nodes \(a, b\)/],
    ["a peers block without local", GOOD + "peers:\n  nodes: [ { name: a, address: 10.0.0.1, port: 10000 } ]\n", 7, "peers.local", /required/],
    ["two nodes of the same name", GOOD + "peers:\n  local: a\n  nodes:\n    - { name: a, address: 10.0.0.1, port: 10000 }\n    - { name: a, address: 10.0.0.2, port: 10000 }\n", 10, "peers.nodes[1].name", /duplicate node name a/],
    ["two nodes on one address", GOOD + "peers:\n  local: a\n  nodes:\n    - { name: a, address: 10.0.0.1, port: 10000 }\n    - { name: b, address: 10.0.0.1, port: 10000 }\n", 10, "peers.nodes[1].port", /already another node's peer link/],
    ["a node without a port", GOOD + "peers:\n  local: a\n  nodes:\n    - { name: a, address: 10.0.0.1 }\n", 9, "peers.nodes[0].port", /required/],
    ["this node's peer link on the listen port", GOOD + "peers:\n  local: a\n  nodes: [ { name: a, address: 127.0.0.1, port: 8080 } ]\n", 7, "peers.local", /is the edge's own listen.port/],
    ["an unknown peers field", GOOD + "peers:\n  local: a\n  ssl: true\n  nodes: [ { name: a, address: 10.0.0.1, port: 10000 } ]\n", 8, "peers.ssl", /unknown field/],
    ["peer TLS without a CA", GOOD + "peers:\n  local: a\n  nodes: [ { name: a, address: 10.0.0.1, port: 10000 } ]\n  tls: { cert: /etc/hostname }\n", 9, "peers.tls.ca", /required/],
    ["a peer TLS certificate that does not exist", GOOD + "peers:\n  local: a\n  nodes: [ { name: a, address: 10.0.0.1, port: 10000 } ]\n  tls: { cert: /nonexistent/node.pem, ca: /etc/hostname }\n", 9, "peers.tls.cert", /\/nonexistent\/node.pem does not exist/],
    ["a reserved backend name (eb_sync)", GOOD.replace("name: app", "name: eb_sync"), 3, "backends[0].name", /edgeblock uses for its own sections/],
    // the gateway: TLS, balancing, health checks
    ["TLS without a certificate", GOOD.replace("port: 8080 }", "port: 8080, tls: { port: 8443 } }"), 1, "listen.tls.cert", /required/],
    ["a TLS certificate that does not exist", GOOD.replace("port: 8080 }", "port: 8080, tls: { port: 8443, cert: /nonexistent/site.pem } }"), 1, "listen.tls.cert", /\/nonexistent\/site.pem does not exist/],
    ["a world-readable TLS certificate", GOOD.replace("port: 8080 }", "port: 8080, tls: { port: 8443, cert: /etc/hostname } }"), 1, "listen.tls.cert", /\/etc\/hostname is readable by every user/],
    ["TLS on the stats port", GOOD.replace("port: 8080 }", "port: 8080, tls: { port: 8404, cert: /etc/hostname } }"), 1, "listen.tls.port", /port 8404 is already stats.port/],
    ["an unknown ALPN list", GOOD.replace("port: 8080 }", "port: 8080, tls: { port: 8443, cert: /etc/hostname, alpn: h3 } }"), 1, "listen.tls.alpn", /h2,http\/1.1 or http\/1.1/],
    ["an unknown balance algorithm", GOOD.replace("trusted: true", "trusted: true\n    balance: fastest"), 5, "backends[0].balance", /roundrobin or leastconn or uri or random/],
    ["a timeout without its unit", GOOD.replace("trusted: true", "trusted: true\n    timeouts: { queue: 30 }"), 5, "backends[0].timeouts.queue", /a HAProxy duration with its unit/],
    ["a server weight above 256", GOOD.replace("port: 8081 }", "port: 8081, weight: 300 }"), 5, "backends[0].servers[0].weight", /integer from 0 to 256/],
    ["an expected status without a check path", GOOD.replace("trusted: true", "trusted: true\n    health: { expect_status: 200 }"), 5, "backends[0].health.expect_status", /needs health.path/],
    ["both an expected status and an expected text", GOOD.replace("trusted: true", "trusted: true\n    health: { path: /health, expect_status: 200, expect_string: ok }"), 5, "backends[0].health.expect_string", /not both/],
    ["on_error without error_limit", GOOD.replace("trusted: true", "trusted: true\n    health: { on_error: fastinter }"), 5, "backends[0].health.on_error", /needs health.error_limit/],
    ["a rate limit on an unknown key kind", GOOD + "rate_limits:\n  - { name: a, key: cookie:sid, limit: 5 }\n", 7, "rate_limits[0].key", /ip, header:<name>, query:<param> or jwt:<claim>/],
    ["a rate limit period without its unit", GOOD + "rate_limits:\n  - { name: a, limit: 5, period: 60 }\n", 7, "rate_limits[0].period", /60 has no unit/],
    ["a rate limit without a limit", GOOD + "rate_limits:\n  - { name: a }\n", 7, "rate_limits[0].limit", /required/],
    ["a rate limit on a backend that does not exist", GOOD + "rate_limits:\n  - { name: a, limit: 5, backends: [shop] }\n", 7, "rate_limits[0].backends[0]", /no backend named shop/],
    ["two rate limits of one name", GOOD + "rate_limits:\n  - { name: a, limit: 5 }\n  - { name: a, limit: 6 }\n", 8, "rate_limits[1].name", /duplicate limit name a/],
    ["a tier map that does not exist", GOOD + "rate_limits:\n  - { name: a, limit: 5, tiers: { map: /nonexistent/tiers.map, limits: { gold: 9 } } }\n", 7, "rate_limits[0].tiers.map", /does not exist/],
    ["tiers without limits", GOOD + "rate_limits:\n  - { name: a, limit: 5, tiers: { map: /etc/hostname } }\n", 7, "rate_limits[0].tiers.limits", /mapping of tier names/],
    ["HS256 without its secret's variable", GOOD + "auth:\n  jwt: { alg: HS256 }\n", 7, "auth.jwt.secret_env", /required for HS256/],
    ["RS256 without a key", GOOD + "auth:\n  jwt: { alg: RS256 }\n", 7, "auth.jwt.key", /required for RS256/],
    ["a JWT key file that holds no public key", GOOD + "auth:\n  jwt: { alg: ES256, key: /etc/hostname }\n", 7, "auth.jwt.key", /holds no PEM public key/],
    ["auth.require with nothing to verify", GOOD + "auth:\n  require: [app]\n", 7, "auth.require", /needs auth.jwt or auth.api_keys/],
    ["auth.cookie beside verified credentials", GOOD + "auth:\n  cookie: sid\n  api_keys: { map: /etc/hostname }\n", 7, "auth.cookie", /drop auth.cookie/],
    ["a rate limit on a JWT claim without auth.jwt", GOOD + "rate_limits:\n  - { name: a, key: \"jwt:sub\", limit: 5 }\n", 7, "rate_limits[0].key", /needs auth.jwt/],
    ["a cache object limit above half the cache", GOOD + "cache: { size_mb: 1, max_object_bytes: 600000 }\n", 6, "cache.max_object_bytes", /at most half of cache.size_mb/],
    ["a CORS origin that is not an origin", GOOD + "headers:\n  cors: { origins: [app.example] }\n", 7, "headers.cors.origins[0]", /scheme:\/\/host/],
    ["CORS credentials with any origin", GOOD + "headers:\n  cors: { origins: [\"*\"], credentials: true }\n", 7, "headers.cors.credentials", /browsers refuse credentials with origin \*/],
    ["a CSP with a double quote", GOOD + "headers: { content_security_policy: 'default-src \"self\"' }\n", 6, "headers.content_security_policy", /without "/],
    ["a route with nothing to match", GOOD + "routes:\n  - { backend: app }\n", 7, "routes[0]", /needs path_prefix, host, domain or header/],
    ["a header route without a value", GOOD + "routes:\n  - { backend: app, header: { name: X-V } }\n", 7, "routes[0].header.value", /required/],
    ["a JWT issuer with a # (a comment to HAProxy)", GOOD + "auth:\n  jwt: { alg: HS256, secret_env: S, issuer: \"https://idp.example/#t1\" }\n", 7, "auth.jwt.issuer", /without spaces, #, quotes or backslashes/],
    ["a CORS header name with a % (log-format)", GOOD + "headers:\n  cors: { origins: [https://a.example], expose: [\"X-%H\"] }\n", 7, "headers.cors.expose[0]", /invalid value/],
    ["a CSP with a $ (environment expansion)", GOOD + "headers: { content_security_policy: \"default-src $HOME\" }\n", 6, "headers.content_security_policy", /without ", \$ or/],
    ["a route header value with a #", GOOD + "routes:\n  - { backend: app, header: { name: X-V, value: \"a#b\" } }\n", 7, "routes[0].header.value", /without spaces, #/],
    ["a log header with a quote", GOOD + "observability: { log_headers: [\"X-A'b\"] }\n", 6, "observability.log_headers[0]", /a header name/],
    ["let_through 1 (every match through)", GOOD.replace("trusted: true", "trusted: true\n    let_through: 1"), 5, "backends[0].let_through", /at least 2/],
    ["an unknown health field", GOOD.replace("trusted: true", "trusted: true\n    health: { url: /health }"), 5, "backends[0].health.url", /unknown field/],
  ];
  for (const [what, yaml, line, field, message] of CASES) {
    it(`reports ${what} at line ${line}, field ${field}`, () => {
      const errs = errorsOf(yaml);
      const e = errs.find((x) => x.field === field);
      expect(e, JSON.stringify(errs)).toBeDefined();
      expect(e!.line).toBe(line);
      expect(e!.message).toMatch(message);
    });
  }

  it("names the line of a tier map whose tier has no limit", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-cfg-"));
    writeFileSync(path.join(dir, "tiers.map"), "k1 gold\nk2 platinum\n");
    const errs = errorsOf(GOOD + `rate_limits:\n  - { name: a, limit: 5, tiers: { map: ${dir}/tiers.map, limits: { gold: 9 } } }\n`);
    expect(errs.map((e) => e.message)).toEqual([`${dir}/tiers.map:2: tier platinum has no limit in tiers.limits`]);
  });

  it("names the line of a route map that names no backend or a key of the wrong kind", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-cfg-"));
    writeFileSync(path.join(dir, "paths.map"), "# prefix -> backend\n/api/ app\n/v2 app\n/shop/ shop\n");
    const errs = errorsOf(GOOD + `routes_map: { file: ${dir}/paths.map, by: path_prefix }\n`);
    expect(errs.map((e) => e.message)).toEqual([`${dir}/paths.map:3: /v2 is not a normalised path ending with / (write /v2/)`, `${dir}/paths.map:4: no backend named shop`]);
  });

  it("names the line of an API key map with a key alone", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-cfg-"));
    writeFileSync(path.join(dir, "keys.map"), "# key -> client\nk-1 acme\nk-2\n");
    const errs = errorsOf(GOOD + `auth:\n  api_keys: { map: ${dir}/keys.map }\n`);
    expect(errs.map((e) => e.message)).toEqual([`${dir}/keys.map:3: expected "<key> <client name>"`]);
  });

  it("reports every problem at once, sorted by line", () => {
    const errs = errorsOf(GOOD.replace("port: 8080", "port: 0").replace("trusted: true", "trusted: 3"));
    expect(errs.map((e) => e.field)).toEqual(["listen.port", "backends[0].trusted"]);
  });
});

describe("static map validation", () => {
  const check = (t: string) => checkStaticMap(t, DEFAULT_PATH_POLICY, DEFAULT_ALLOWED_STATUSES, 254);
  it("accepts paths with and without a status, comments and blank lines", () => {
    const r = check("# c\n\n/a\n/b 410\n");
    expect(r.errors).toEqual([]);
    expect(r.entries).toEqual([{ line: 3, path: "/a" }, { line: 4, path: "/b", status: 410 }]);
  });
  it("names the line of a path that is not normalised, with the spelling to use", () => {
    expect(check("/a\n//b/\n").errors).toEqual([{ line: 2, field: "static_map line 2", message: expect.stringMatching(/not normalised; write "\/b"/) }]);
  });
  it("names the line of a bad status, a duplicate and extra words", () => {
    const r = check("/a 200\n/b\n/b\n/c 404 x\n");
    expect(r.errors.map((e) => e.line)).toEqual([1, 3, 4]);
    expect(r.errors[0].message).toMatch(/not in rules.allowed_statuses/);
    expect(r.errors[1].message).toMatch(/already listed on line 2/);
    expect(r.errors[2].message).toMatch(/expected "<path> \[status\]"/);
  });
});

describe("docs/config.md", () => {
  it("documents every field of the schema, as FIELD_DOCS says", async () => {
    const { readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { FIELD_DOCS } = await import("../../src/node/config");
    const doc = readFileSync(path.resolve(__dirname, "../../docs/config.md"), "utf8");
    for (const [field, def, meaning] of FIELD_DOCS) {
      const d = def.includes(",") ? "`" + def + "`" : def;
      expect(doc, field).toContain(`| \`${field}\` | ${d} | ${meaning} |`);
    }
  });
});
