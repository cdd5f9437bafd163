/** The rendered haproxy.cfg against the variable contract, and the committed example against a fresh render. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { HEADERS, LOCAL_PEERS_SECTION, LUA_NAMES, PEERS_SECTION, RULE_TABLE_PREFIX, RULE_TABLE_STORE, SETTINGS_ENV, STATS_TABLE, SYNC_TABLE, VARS } from "../../src/core/contract";
import { syncKeyLength } from "../../src/core/cluster-sync";
import { loadConfig, parseConfig } from "../../src/node/config";
import { ACL, render } from "../../src/node/render";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "haproxy/edgeblock.yaml");

describe("rendered haproxy.cfg", () => {
  const c = loadConfig(EXAMPLE);
  const r = render(c, { outDir: path.dirname(EXAMPLE) });

  it("is what is committed in haproxy/ (render again after changing the template or the config)", () => {
    expect(r.cfg).toBe(readFileSync(path.join(ROOT, "haproxy/haproxy.cfg"), "utf8"));
    expect(r.settings).toBe(readFileSync(path.join(ROOT, "haproxy/edgeblock.settings"), "utf8"));
  });

  it("uses every request/response var of the contract, and no txn.eb_* var outside it", () => {
    const used = new Set([...r.cfg.matchAll(/txn\.eb_[a-z_]+/g)].map((m) => m[0]));
    const declared = new Set(Object.values(VARS));
    for (const v of used) expect(declared.has(v as never), `${v} is not in VARS`).toBe(true);
    for (const v of Object.values(VARS)) {
      // set by Lua, or only with a setting the example leaves off (let_through)
      if (v === VARS.signalOutcome || v === VARS.signalReason || v === VARS.ruleExpiry || v === VARS.letThrough || v === VARS.letThroughCredentials || v === VARS.taughtKeys || v === VARS.probeQueued) continue;
      expect(used.has(v), `${v} is declared but the template never uses it`).toBe(true);
    }
  });

  it("calls the Lua names blocks.lua registers, and sets the settings env var it reads", () => {
    const lua = readFileSync(path.join(ROOT, "lua-out/blocks.lua"), "utf8");
    // revalidate and count run only with let_through, which the example leaves off (the gateway test below has it)
    for (const name of Object.values(LUA_NAMES)) {
      if (name !== LUA_NAMES.revalidate && name !== LUA_NAMES.count && name !== LUA_NAMES.probe) expect(r.cfg).toContain(`lua.${name}`);
      expect(lua).toContain(`"${name}"`);
    }
    expect(r.cfg).toContain(`setenv ${SETTINGS_ENV} edgeblock.settings`);
  });

  it("declares one rule table per backend with the contract's store clause (nopurge: edgeblock evicts), and the stats table", () => {
    for (const b of c.backends) {
      expect(r.cfg).toMatch(new RegExp(`backend ${RULE_TABLE_PREFIX}${b.name}\\n.*\\n  stick-table type string len ${c.rules.maxKeyLength + 2} size ${b.maxRules} expire 604800s nopurge peers ${PEERS_SECTION} store ${RULE_TABLE_STORE}`));
    }
    expect(r.cfg).toContain(`backend ${STATS_TABLE}\n`);
  });

  it("strips the signal header from client requests and after every response, whatever produced it (one place per direction)", () => {
    const frontend = r.cfg.slice(r.cfg.indexOf("frontend edge\n"), r.cfg.indexOf("frontend stats\n"));
    for (const h of [HEADERS.resource, HEADERS.rule]) {
      expect(frontend).toContain(`http-request del-header ${h}`);
      expect(frontend).toContain(`http-after-response del-header ${h}`);
    }
  });

  it("runs the learn action only in trusted backends; untrusted ones only count", () => {
    const yaml = `backends:
  - { name: good, trusted: true, servers: [ { port: 1 } ] }
  - { name: bad, servers: [ { port: 2 } ] }
`;
    const cfg = render(parseConfig(yaml, "/tmp/eb/x.yaml"), { outDir: "/tmp/eb" }).cfg;
    const good = cfg.slice(cfg.indexOf("backend good\n"), cfg.indexOf("backend eb_rules_good"));
    const bad = cfg.slice(cfg.indexOf("backend bad\n"), cfg.indexOf("backend eb_rules_bad"));
    expect(good).toContain(`lua.${LUA_NAMES.learn} trusted if`);
    expect(bad).toContain(`lua.${LUA_NAMES.learn} untrusted if`);
  });

  it("drops responses that start with a 1xx and every trailer by default; forward turns each off", () => {
    const reject = `acl ${ACL.interim} status 100 102:199\n  option http-buffer-request\n  tcp-response inspect-delay 1h\n  tcp-response content reject if ${ACL.interim}\n`;
    expect(r.cfg.split(reject).length - 1).toBe(2 * c.backends.length);
    expect(r.cfg).toContain(".if version_atleast(3.2)\n  option http-drop-response-trailers\n");
    const yaml = "backends:\n  - { name: a, interim_responses: forward, servers: [ { port: 1 } ] }\nresponse_trailers: forward\n";
    const cfg = render(parseConfig(yaml, "/tmp/eb/x.yaml"), { outDir: "/tmp/eb" }).cfg;
    expect(cfg).not.toContain(reject);
    expect(cfg).not.toContain("http-drop-response-trailers");
  });

  it("gives each backend frontend ACLs no other backend's name can produce (y_candidate and to_y)", () => {
    const yaml = [
      "backends:",
      "  - { name: y_candidate, servers: [ { port: 1 } ] }",
      "  - { name: to_y, servers: [ { port: 2 } ] }",
      "routes:",
      "  - { path_prefix: /y, backend: to_y }",
      "default_backend: y_candidate",
      "",
    ].join("\n");
    const cfg = render(parseConfig(yaml, "/tmp/eb/x.yaml"), { outDir: "/tmp/eb" }).cfg;
    const names = [...cfg.matchAll(/^\s*acl (\S+) /gm)].map((m) => m[1]);
    const frontend = cfg.slice(cfg.indexOf("frontend edge"), cfg.indexOf("frontend stats"));
    // each backend's routed and candidate ACLs are declared by lines for that backend only
    for (const be of ["y_candidate", "to_y"]) {
      const own = [...frontend.matchAll(/^\s*acl (\S+) (.*)$/gm)].filter((m) => m[2].includes(`eb_rules_${be})`) || m[2].includes(`eb_prefix_${be}.map`) || m[2].endsWith(`-m str ${be}`));
      for (const m of own) expect(frontend.split("\n").filter((l) => l.trim().startsWith(`acl ${m[1]} `)).every((l) => l.includes(be))).toBe(true);
    }
    expect(new Set(names.filter((n) => /candidate|routed_to/.test(n))).size).toBe(4);
  });

  it("answers a 451 with http-request return (deny_status refuses it), with the rule's body", () => {
    expect(r.cfg).toContain('http-request return status 451 content-type text/plain lf-string "%[var(txn.eb_body)]" if { var(txn.eb_status) -m int 451 }');
  });
});

describe("README drop-in lines", () => {
  it("show the rendered example's global section (blocks.lua copied next to the config)", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const m = /<!-- dropin-global:start[^>]*-->\n   ```\n([\s\S]*?)\n   ```\n/.exec(readme);
    expect(m).not.toBeNull();
    const cfg = readFileSync(path.join(ROOT, "haproxy/haproxy.cfg"), "utf8");
    const global = cfg.slice(cfg.indexOf("global\n"), cfg.indexOf("\n\n", cfg.indexOf("global\n")));
    const expected = global.split("\n").filter((l) => l && !/presetenv/.test(l)).map((l) => l.replace(/(lua-load(-per-thread)? ).*blocks\.lua$/, "$1blocks.lua"));
    expect(m![1].split("\n").map((l) => l.slice(3))).toEqual(expected);
  });

  it("are exactly the rendered example's backend and table sections", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const m = /<!-- dropin:start[^>]*-->\n```\n([\s\S]*?)\n```\n<!-- dropin:end -->/.exec(readme);
    expect(m).not.toBeNull();
    const cfg = readFileSync(path.join(ROOT, "haproxy/haproxy.cfg"), "utf8");
    for (const block of m![1].split(/\n\n(?=backend |frontend |# a reload)/)) {
      const body = block.replace("frontend edge\n  # (bind lines)\n", "");
      expect(cfg, block.split("\n")[0]).toContain(body);
    }
  });
});

describe("templates/haproxy.cfg.hbs", () => {
  it("names no data field, mask or edgeblock literal itself: they come from src/core through the renderer", () => {
    // comments may say what a line does in words; the log-format's eb_* labels are the log line's own
    const tpl = readFileSync(path.resolve(__dirname, "../../templates/haproxy.cfg.hbs"), "utf8").split("\n").filter((l) => !/^\s*#/.test(l)).join("\n");
    const literals = tpl.match(/\b(gpt0|gpc0|gpc1|sess_cnt|server_id|http_req_cnt|1023|1024|2048|16777215|authed)\b|\.edgeblock\b|str\((static|blocked:|would_block:)\)/g) ?? [];
    expect(literals).toEqual([]);
  });
});

describe("rendered haproxy.cfg of a cluster node", () => {
  const yaml = `backends:
  - { name: app, trusted: true, servers: [ { address: 127.0.0.1, port: 8081 } ] }
peers:
  local: edge-b
  nodes:
    - { name: edge-a, address: 10.0.0.1, port: 10000 }
    - { name: edge-b, address: 10.0.0.2, port: 10000 }
    - { name: edge-c, address: "fd00::3", port: 10000 }
`;
  const c = parseConfig(yaml, "/tmp/cluster/edgeblock.yaml");
  const r = render(c, { outDir: "/tmp/cluster" });

  it("names this node, lists every node in the replicated section, and keeps the counters in a local one", () => {
    expect(r.cfg).toMatch(/^  localpeer edge-b$/m);
    expect(r.cfg).toContain(`peers ${PEERS_SECTION}\n  peer edge-a 10.0.0.1:10000\n  peer edge-b 10.0.0.2:10000\n  peer edge-c [fd00::3]:10000\n`);
    expect(r.cfg).toContain(`peers ${LOCAL_PEERS_SECTION}\n  peer edge-b unix@run/eb_peer.sock\n`);
    expect(r.cfg).toMatch(new RegExp(`backend ${STATS_TABLE}\\n.*\\n  stick-table .* peers ${LOCAL_PEERS_SECTION} `));
    for (const t of [`${RULE_TABLE_PREFIX}app`, "eb_pending_app", "eb_seen_app", "eb_ctl", SYNC_TABLE]) {
      expect(r.cfg).toMatch(new RegExp(`backend ${t}\\n.*\\n  stick-table .* peers ${PEERS_SECTION} `));
    }
    expect(r.cfg).toMatch(new RegExp(`backend ${SYNC_TABLE}\\n.*\\n  stick-table type string len ${syncKeyLength(c.rules.maxKeyLength, c.rules.maxBodyBytes)} size 10000 peers ${PEERS_SECTION} store gpt0,gpc0\\n`));
    expect(r.settings).toMatch(/^cluster_node edge-b$/m);
    // learning.rate is the cluster's: each node takes its share
    expect(r.settings).toMatch(/^cluster_nodes 3$/m);
  });

  it("renders a node alone as before: no sync table, no cluster setting", () => {
    const alone = render(parseConfig(yaml.replace(/peers:[\s\S]*/, ""), "/tmp/cluster/edgeblock.yaml"), { outDir: "/tmp/cluster" });
    expect(alone.cfg).not.toContain(SYNC_TABLE);
    expect(alone.cfg).not.toContain(`peers ${LOCAL_PEERS_SECTION}`);
    expect(alone.settings).not.toMatch(/^cluster_node /m);
    expect(alone.settings).toMatch(/^cluster_nodes 1$/m);
  });
});

describe("rendered haproxy.cfg of a gateway with every feature", () => {
  it("has each part's lines, in an order that keeps rules ahead of the cache and credentials ahead of the 401", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const os = await import("node:os");
    const { generateKeyPairSync } = await import("node:crypto");
    const dir = mkdtempSync(path.join(os.tmpdir(), "eb-render-gw-"));
    writeFileSync(path.join(dir, "site.pem"), "cert and key\n", { mode: 0o600 });
    writeFileSync(path.join(dir, "idp.pub"), generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ type: "spki", format: "pem" }) as string);
    writeFileSync(path.join(dir, "tiers.map"), "k1 gold\n");
    writeFileSync(path.join(dir, "keys.map"), "k1 acme\n");
    const yaml = `listen: { port: 8080, tls: { port: 8443, cert: site.pem, hsts_max_age: 600 } }
backends:
  - name: api
    trusted: true
    cache: true
    health: { path: /health }
    servers: [ { name: a1, port: 9001, weight: 2 }, { name: a2, port: 9002 } ]
  - name: shop
    balance: leastconn
    let_through: 100
    servers: [ { name: s1, port: 9003, maxconn: 10 } ]
routes:
  - { backend: shop, path_prefix: /shop }
auth:
  jwt: { alg: ES256, key: idp.pub }
  api_keys: { map: keys.map }
  require: [api]
rate_limits:
  - { name: per_ip, limit: 10, period: 1s }
  - { name: per_key, key: "header:X-Api-Key", limit: 5, period: 1m, backends: [shop], tiers: { map: tiers.map, limits: { gold: 50 } } }
headers:
  security: true
  cors: { origins: [https://app.example] }
`;
    const file = path.join(dir, "edgeblock.yaml");
    writeFileSync(file, yaml);
    const cfg = render(parseConfig(yaml, file), { outDir: dir }).cfg;
    const at = (s: string) => {
      const i = cfg.indexOf(s);
      expect(i, s).toBeGreaterThanOrEqual(0);
      return i;
    };
    at("bind 127.0.0.1:8443 ssl crt site.pem alpn h2,http/1.1");
    at('Strict-Transport-Security "max-age=600"');
    at("server a1 127.0.0.1:9001 weight 2 track api/a1");
    at("server eb_pass unix@");
    // both limits can count a request to shop: the second takes sc3 (sc1 and sc2 are edgeblock's)
    at("track-sc3 req.fhdr(x-api-key) table eb_rl_per_key");
    at("tune.stick-counters 4");
    // CORS preflight, then credentials, then limits, then the 401
    expect(at("http-request return status 204")).toBeLessThan(at("acl eb_bearer"));
    expect(at("acl eb_bearer")).toBeLessThan(at("http-request return status 429"));
    expect(at("http-request return status 429")).toBeLessThan(at("http-request return status 401"));
    // in the evaluation backend the cache comes after every rule's answer
    const evalStart = at("\nbackend api.edgeblock\n");
    expect(cfg.indexOf("http-request cache-use eb_cache_api", evalStart)).toBeGreaterThan(cfg.indexOf("http-request return status 503", evalStart));
    at("cache eb_cache_api");
    at("http-response lua.edgeblock_revalidate");
    at(",lua.edgeblock_count(revalidations_failed)");
  });
});
