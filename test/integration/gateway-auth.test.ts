/**
 * Authentication (auth.jwt, auth.api_keys, auth.require): HAProxy verifies bearer tokens natively
 * (jwt_verify) and API keys from a map; a request without valid credentials gets a 401; the verified
 * state, not the mere presence of a header, is what auth=anon|authed rules test. Real HAProxy.
 */
import { createHmac, generateKeyPairSync, KeyObject, sign } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainLive } from "../../src/node/explain";
import { addRule, StoreLocation } from "../../src/node/rules";
import { Backend, Edge, startBackend, startEdge, stopAll } from "../helpers/haproxy";

afterAll(stopAll);

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** A compact JWS: the header names `alg`, signed with `key` (an HMAC secret or a private key). */
function token(alg: string, key: KeyObject | string, claims: Record<string, unknown>, headerAlg = alg): string {
  const data = `${b64url(JSON.stringify({ alg: headerAlg, typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  let sig: Buffer;
  if (alg === "HS256") sig = createHmac("sha256", key as string).update(data).digest();
  else if (alg === "ES256") sig = sign("sha256", Buffer.from(data), { key: key as KeyObject, dsaEncoding: "ieee-p1363" });
  else sig = sign("sha256", Buffer.from(data), key as KeyObject);
  return `${data}.${b64url(sig)}`;
}

const now = () => Math.floor(Date.now() / 1000);
const dir = mkdtempSync(path.join(os.tmpdir(), "eb-auth-"));
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pub = (name: string, k: KeyObject) => {
  const f = path.join(dir, name);
  writeFileSync(f, k.export({ type: "spki", format: "pem" }) as string);
  return f;
};
const good = { iss: "https://idp.example", aud: "api", sub: "alice" };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const one = (be: Backend) => `  - { name: app, trusted: true, servers: [ { name: s1, address: 127.0.0.1, port: ${be.port} } ] }`;

describe("JWT verification (RS256) and API keys", () => {
  let edge: Edge;
  let backend: Backend;
  beforeAll(async () => {
    backend = await startBackend({});
    const keys = path.join(dir, "keys.map");
    writeFileSync(keys, "# API key -> client\nk-123 acme\n");
    edge = await startEdge({
      backends: [],
      backendsYaml: one(backend),
      extraYaml: `auth:\n  jwt: { alg: RS256, key: ${pub("rsa.pub", rsa.publicKey)}, issuer: https://idp.example, audience: api, clock_skew: 30 }\n  api_keys: { map: ${keys} }`,
    });
  });

  it("a valid token passes; without one the answer is a 401 with WWW-Authenticate, and the backend never sees it", async () => {
    expect((await edge.get("/ok", bearer(token("RS256", rsa.privateKey, { ...good, exp: now() + 60 })))).status).toBe(200);
    const none = await edge.get("/none");
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe("Bearer");
    expect((await backend.hits())["/none"]).toBeUndefined();
  });

  it("refuses a forged, expired, not-yet-valid, wrong-issuer, wrong-audience, expiry-less or wrong-algorithm token", async () => {
    const cases: Array<[string, string]> = [
      ["another key's signature", token("RS256", other.privateKey, { ...good, exp: now() + 60 })],
      ["expired beyond the skew", token("RS256", rsa.privateKey, { ...good, exp: now() - 120 })],
      ["not valid before a minute from now", token("RS256", rsa.privateKey, { ...good, exp: now() + 600, nbf: now() + 120 })],
      ["another issuer", token("RS256", rsa.privateKey, { ...good, iss: "https://evil.example", exp: now() + 60 })],
      ["another audience", token("RS256", rsa.privateKey, { ...good, aud: "billing", exp: now() + 60 })],
      ["no exp", token("RS256", rsa.privateKey, { ...good })],
      ["a header naming HS256", token("RS256", rsa.privateKey, { ...good, exp: now() + 60 }, "HS256")],
      ["garbage", "not.a.token"],
    ];
    for (const [what, t] of cases) expect((await edge.get("/bad", bearer(t))).status, what).toBe(401);
    expect((await backend.hits())["/bad"]).toBeUndefined();
    // within the skew: expired 10 s ago still passes
    expect((await edge.get("/skew", bearer(token("RS256", rsa.privateKey, { ...good, exp: now() - 10 })))).status).toBe(200);
  });

  it("an API key listed in the map authenticates; an unlisted one does not, nor a listed one paired with another value", async () => {
    expect((await edge.get("/k", { "x-api-key": "k-123" })).status).toBe(200);
    expect((await edge.get("/k", { "x-api-key": "k-999" })).status).toBe(401);
    // a comma list, or a second line, could otherwise authenticate with one value and be counted under another
    expect((await edge.get("/k", { "x-api-key": "k-123, r1" })).status).toBe(401);
    expect((await edge.get("/k", { "x-api-key": ["k-123", "r2"] })).status).toBe(401);
    expect((await edge.get("/k", { "x-api-key": ["r3", "k-123"] })).status).toBe(401);
  });
});

describe("ES256 and HS256", () => {
  it("verifies ES256 with a public key file, and HS256 with a secret from HAProxy's environment that never appears in haproxy.cfg", async () => {
    const backend = await startBackend({});
    const es = await startEdge({ backends: [], backendsYaml: one(backend), extraYaml: `auth:\n  jwt: { alg: ES256, key: ${pub("ec.pub", ec.publicKey)} }` });
    expect((await es.get("/es", bearer(token("ES256", ec.privateKey, { exp: now() + 60 })))).status).toBe(200);
    expect((await es.get("/es", bearer(token("RS256", rsa.privateKey, { exp: now() + 60 }, "ES256")))).status).toBe(401);
    const secret = "s3cr3t-" + Math.random().toString(36).slice(2);
    process.env.EB_TEST_JWT_SECRET = secret;
    try {
      const hs = await startEdge({ backends: [], backendsYaml: one(backend), extraYaml: "auth:\n  jwt: { alg: HS256, secret_env: EB_TEST_JWT_SECRET }" });
      expect((await hs.get("/hs", bearer(token("HS256", secret, { exp: now() + 60 })))).status).toBe(200);
      expect((await hs.get("/hs", bearer(token("HS256", "guess", { exp: now() + 60 })))).status).toBe(401);
      expect(readFileSync(path.join(hs.dir, "haproxy.cfg"), "utf8")).not.toContain(secret);
    } finally {
      delete process.env.EB_TEST_JWT_SECRET;
    }
  });
});

describe("the auth rule dimension with verified credentials", () => {
  it("an auth=anon rule still blocks a request whose token is forged; a verified one passes (auth.require: [])", async () => {
    const backend = await startBackend({});
    const edge = await startEdge({ backends: [], backendsYaml: one(backend), extraYaml: `auth:\n  jwt: { alg: RS256, key: ${pub("rsa2.pub", rsa.publicKey)} }\n  require: []` });
    const loc: StoreLocation = { socket: edge.socket, stateDir: edge.config.state.dir, backends: ["app"] };
    await addRule(loc, { backend: "app", match: { path: "/admin", prefix: false, methods: [], query: [], auth: "anon" }, status: 403, ttl: 600, reason: "anon", dryRun: false, body: "" });
    const valid = bearer(token("RS256", rsa.privateKey, { exp: now() + 60 }));
    const requests: Array<[Record<string, string>, number]> = [
      [{}, 403],
      [bearer(token("RS256", other.privateKey, { exp: now() + 60 })), 403],
      [{ authorization: "Basic Zm9vOmJhcg==" }, 403],
      [valid, 200],
    ];
    for (const [headers, status] of requests) {
      expect((await edge.get("/admin", headers)).status).toBe(status);
      // rules explain checks the credentials as HAProxy does
      const x = await explainLive(edge.config, edge.socket, { method: "GET", url: "/admin", headers });
      expect(x.auth).toBe(status === 200 ? "authed" : "anon");
      expect(x.status ?? 200).toBe(status);
    }
    expect((await backend.hits())["/admin"]).toBe(1);
    // nothing required: a request without credentials reaches the backend where no rule says otherwise
    expect((await edge.get("/public")).status).toBe(200);
  });

  it("a rate limit per JWT claim counts verified tokens only", async () => {
    const backend = await startBackend({});
    const edge = await startEdge({
      backends: [],
      backendsYaml: one(backend),
      extraYaml: `auth:\n  jwt: { alg: RS256, key: ${pub("rsa3.pub", rsa.publicKey)} }\n  require: []\nrate_limits:\n  - { name: per_user, key: "jwt:sub", limit: 2, period: 10s }`,
    });
    const alice = bearer(token("RS256", rsa.privateKey, { sub: "alice", exp: now() + 60 }));
    const forged = bearer(token("RS256", other.privateKey, { sub: "alice", exp: now() + 60 }));
    expect((await edge.get("/r", alice)).status).toBe(200);
    expect((await edge.get("/r", alice)).status).toBe(200);
    expect((await edge.get("/r", alice)).status).toBe(429);
    // a forged token naming alice is anonymous here: not counted, not limited
    for (let i = 0; i < 4; i++) expect((await edge.get("/r", forged)).status).toBe(200);
  });
});
