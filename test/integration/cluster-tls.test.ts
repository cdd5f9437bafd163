/**
 * A cluster whose peer links use TLS both ways (peers.tls): nodes with a certificate from the
 * cluster's CA share their rules and their confirmation counts; a node with another certificate
 * cannot join.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend, Edge, freePort, startBackend, startEdge, stopAll, waitFor } from "../helpers/haproxy";

let backend: Backend;
let nodes: Edge[] = [];
let pki: string;

/** A certificate and key in one PEM, signed by the CA in `pki` (or self-signed with `rogue`). */
function certFor(name: string, rogue = false): string {
  const key = path.join(pki, `${name}.key`);
  const crt = path.join(pki, `${name}.crt`);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key];
  if (rogue) execFileSync("openssl", ["req", "-x509", ...ec, "-out", crt, "-days", "2", "-subj", `/CN=${name}`], { stdio: "ignore" });
  else {
    execFileSync("openssl", ["req", ...ec, "-out", `${crt}.csr`, "-subj", `/CN=${name}`], { stdio: "ignore" });
    execFileSync("openssl", ["x509", "-req", "-in", `${crt}.csr`, "-CA", path.join(pki, "ca.pem"), "-CAkey", path.join(pki, "ca.key"), "-CAcreateserial", "-out", crt, "-days", "2"], { stdio: "ignore" });
  }
  const pem = path.join(pki, `${name}.pem`);
  writeFileSync(pem, readFileSync(crt, "utf8") + readFileSync(key, "utf8"), { mode: 0o600 });
  return pem;
}

beforeAll(async () => {
  pki = mkdtempSync(path.join(os.tmpdir(), "eb-pki-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path.join(pki, "ca.key"), "-out", path.join(pki, "ca.pem"), "-days", "2", "-subj", "/CN=edgeblock test CA"], { stdio: "ignore" });
  backend = await startBackend({ "*": { status: 404 }, "/yeet": { status: 404, headers: { "X-Edge-Resource": "false" } }, "/rogue": { status: 404, headers: { "X-Edge-Resource": "false" } } });
  const names = ["na", "nb", "rogue"];
  const ports = [await freePort(), await freePort(), await freePort()];
  const list = names.map((n, i) => `{ name: ${n}, address: 127.0.0.1, port: ${ports[i]} }`).join(", ");
  for (const n of names) {
    const cert = certFor(n, n === "rogue");
    nodes.push(await startEdge({ backends: [{ name: "app", port: backend.port }], extraYaml: `peers: { local: ${n}, nodes: [ ${list} ], tls: { cert: ${cert}, ca: ${path.join(pki, "ca.pem")} } }\nlearning: { confirm_signals: 2 }` }));
  }
});
afterAll(async () => {
  for (const n of nodes) await n.stop();
  await stopAll();
});

describe("peer links over TLS", () => {
  it("renders the links with the node's certificate and the CA, verified both ways", () => {
    const cfg = readFileSync(path.join(nodes[0].dir, "haproxy.cfg"), "utf8");
    expect(cfg).toMatch(/^  bind 127\.0\.0\.1:\d+ ssl crt \S+na\.pem ca-file \S+ca\.pem verify required$/m);
    expect(cfg).toMatch(/^  default-server ssl crt \S+na\.pem ca-file \S+ca\.pem verify required$/m);
    expect(cfg).toMatch(/^  server na$/m);
    expect(cfg).toMatch(/^  server nb 127\.0\.0\.1:\d+$/m);
  });

  it("nodes with the CA's certificates share a learned rule, and count its confirmations together", async () => {
    const [a, b] = nodes;
    // learning.confirm_signals: 2, one signal on each node
    expect((await a.get("/yeet")).status).toBe(404);
    await waitFor("/yeet pending on nb", async () => (await b.cli("show table eb_pending_app")).includes("key=/yeet"), 10_000);
    expect(await a.cli("show table eb_rules_app key /yeet")).not.toContain("key=/yeet");
    expect((await b.get("/yeet")).status).toBe(404);
    await waitFor("/yeet on na", async () => (await a.cli("show table eb_rules_app key /yeet")).includes("key=/yeet"), 10_000);
    const before = (await backend.hits())["/yeet"];
    expect((await a.get("/yeet")).status).toBe(404);
    expect((await backend.hits())["/yeet"]).toBe(before);
  });

  it("a node whose certificate the CA did not sign cannot join: it neither gets nor gives rules", async () => {
    const [a, b, rogue] = nodes;
    for (let i = 0; i < 2; i++) expect((await rogue.get("/rogue")).status).toBe(404);
    await waitFor("/rogue learned on the rogue node", async () => (await rogue.cli("show table eb_rules_app key /rogue")).includes("key=/rogue"), 5000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await rogue.cli("show table eb_rules_app key /yeet")).not.toContain("key=/yeet");
    for (const n of [a, b]) expect(await n.cli("show table eb_rules_app key /rogue")).not.toContain("key=/rogue");
    expect((await a.cli("show peers edgeblock")).split("\n").find((l) => l.includes("id=rogue("))).not.toContain("last_status=ESTA");
  });
});
