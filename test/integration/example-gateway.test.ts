/**
 * The API gateway example (examples/api-gateway), started as `npm run example:gateway` starts it (in a
 * copy of the folder, on free ports), and every feature in its edgeblock.yaml driven once.
 */
import { mkdtempSync } from "node:fs";
import * as http2 from "node:http2";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, GatewayExample, startGatewayExample } from "../../src/node/demo-gateway";
import { freePort, request, Response } from "../helpers/haproxy";

let gw: GatewayExample;
beforeAll(async () => {
  const ports = { http: await freePort(), https: await freePort(), stats: await freePort(), catalog1: await freePort(), catalog2: await freePort(), cart: await freePort() };
  gw = await startGatewayExample(copyExample(mkdtempSync(path.join(os.tmpdir(), "eb-gw-example-"))), ports);
}, 60_000);
afterAll(async () => gw?.stop());

function get(p: string, headers: Record<string, string> = {}, method = "GET"): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port: gw.ports.https, path: p, method, headers, rejectUnauthorized: false, agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the API gateway example", () => {
  it("TLS with HTTP/2, the redirect, HSTS and the security headers", async () => {
    const session = http2.connect(`https://127.0.0.1:${gw.ports.https}`, { rejectUnauthorized: false });
    const status = await new Promise<number>((resolve, reject) => {
      const r = session.request({ ":path": "/catalog/items" });
      r.on("response", (h) => resolve(Number(h[":status"])));
      r.on("error", reject);
      r.end();
    });
    session.close();
    expect(status).toBe(200);
    const plain = await request(gw.ports.http, "GET", "/catalog/items", { host: "127.0.0.1" });
    expect(plain.status).toBe(308);
    expect(plain.headers.location).toBe(`https://127.0.0.1:${gw.ports.https}/catalog/items`);
    const r = await get("/catalog/items");
    expect(r.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("the catalog's answers are cached, spread over its two servers by weight, and its unknown paths learned", async () => {
    const first = await get("/catalog/items?fresh=1");
    const again = await get("/catalog/items?fresh=1");
    expect(again.headers["x-cache-status"]).toBe("HIT");
    expect(again.body).toBe(first.body);
    const served: string[] = [];
    for (let i = 0; i < 6; i++) served.push((await get(`/catalog/items?n=${i}`)).body.includes("catalog1") ? "1" : "2");
    expect(served.filter((s) => s === "1").length).toBe(4);
    expect((await get("/catalog/wp-login.php")).status).toBe(404);
    const blocked = await get("/catalog/wp-login.php");
    expect(blocked.status).toBe(404);
    expect(blocked.body).not.toContain("no such page");
    expect(blocked.headers["x-edge-resource"]).toBeUndefined();
    expect((await get("/.env")).status).toBe(404);
  });

  it("the cart needs a verified JWT or a listed API key, limits keys by tier, and learns that PUT is refused", async () => {
    expect((await get("/cart")).status).toBe(401);
    const jwt = { authorization: `Bearer ${gw.token("alice")}` };
    expect((await get("/cart", jwt)).status).toBe(200);
    const bronze = { "x-api-key": "key-bronze-1" };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get("/cart/items", bronze)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    for (let i = 0; i < 6; i++) expect((await get("/cart/items", { "x-api-key": "key-gold-1" })).status).toBe(200);
    const put = await get("/cart", jwt, "PUT");
    expect(put.status).toBe(405);
    expect(put.body).toBe("use POST /cart/items");
  });

  it("answers a CORS preflight for the shop's origin, and the stats page shows both catalog servers up", async () => {
    const pre = await get("/cart", { origin: "https://shop.example", "access-control-request-method": "DELETE" }, "OPTIONS");
    expect(pre.status).toBe(204);
    expect(pre.headers["access-control-allow-methods"]).toBe("GET, POST, DELETE");
    const stat = (await request(gw.ports.stats, "GET", "/;csv")).body;
    expect(stat).toMatch(/^catalog,catalog1,.*,UP/m);
    expect(stat).toMatch(/^catalog,catalog2,.*,UP/m);
  });
});
