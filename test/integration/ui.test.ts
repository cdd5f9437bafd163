/**
 * The rules page (`edgeblock ui`) against a real HAProxy, driven by headless
 * Chromium: it lists what the edge learned, explains rules and requests, shows
 * markup as text, and is read-only. Leaves rules-page.png in $EDGEBLOCK_ARTIFACTS (default: <tmp>/edgeblock-artifacts).
 */
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { Browser, chromium, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUi } from "../../src/node/ui";
import { Backend, Edge, request, startBackend, startEdge, stopAll } from "../helpers/haproxy";

// outside the checkout (tests never write into it); CI can point EDGEBLOCK_ARTIFACTS at its artefact folder
const ARTIFACTS = process.env.EDGEBLOCK_ARTIFACTS ?? path.join(os.tmpdir(), "edgeblock-artifacts");

const ROUTES = {
  "/old-page": { status: 404, headers: { "X-Edge-Resource": "false" } },
  "/wp-admin": { status: 404, headers: { "Edge-Rule": 'block;path="/wp-admin";prefix;methods=*;reason=scanner' } },
  "/items": { status: 405, headers: { "Edge-Rule": 'block;methods="POST PUT";status=405;reason=method' } },
  "/beta": { status: 404, headers: { "Edge-Rule": "block;methods=*;dry-run;reason=trial" } },
  // a backend may name any printable path, markup included: the page must show it as text
  "/probe": { status: 404, headers: { "Edge-Rule": 'block;path="/<script>alert(1)</script>";methods=*;reason=probe' } },
  "*": { status: 200, body: "ok\n" },
};

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const SCRIPT_PATH = "/<script>alert(1)</script>";
const WHY_CASES = [
  { key: "/items POST", request: "POST /items", step: "exact path: rule for method POST matches", verdict: "Verdict: block 405 by rule /items POST" },
  { key: "/beta", request: "GET /beta", step: "the rule is dry-run", verdict: "Verdict: would-block 404 by rule /beta" },
  { key: "^/wp-admin", request: "GET /wp-admin", step: "prefix /wp-admin: rule for any method matches", verdict: "Verdict: block 404 by rule ^/wp-admin" },
];
const KEYS = ["/beta", "/items POST", "/items PUT", "/old-page", SCRIPT_PATH, "^/wp-admin"].sort();

function closeServer(s: Server | undefined): Promise<void> {
  if (!s) return Promise.resolve();
  s.closeAllConnections();
  return new Promise((resolve) => s.close(() => resolve()));
}

describe("rules page (edgeblock ui) in a browser", () => {
  let backend: Backend;
  let edge: Edge | undefined;
  let ui: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let uiPort = 0;
  const dialogs: string[] = [];
  const url = (p: string) => `http://127.0.0.1:${uiPort}${p}`;

  /** The rules table as key -> cells, read from the rendered page. */
  async function tableRows(): Promise<Map<string, string[]>> {
    const rows = new Map<string, string[]>();
    for (const tr of await page.locator("#rules tbody tr").all()) {
      const cells = (await tr.locator("td").allInnerTexts()).map((c) => c.trim());
      rows.set(cells[1], cells);
    }
    return rows;
  }

  const text = (selector: string): Promise<string> => page.locator(selector).innerText();

  async function explainTyped(requestUrl: string): Promise<void> {
    await page.goto(url("/"));
    await page.locator("input[name=url]").fill(requestUrl);
    await page.getByRole("button", { name: "Explain" }).click();
    await page.waitForURL(/\/why\?/);
  }

  async function openWhy(key: string): Promise<void> {
    await page.goto(url("/"));
    await page.locator("#rules tbody tr", { hasText: key }).getByRole("link", { name: "why" }).click();
    await page.waitForURL(/\/why\?/);
  }

  beforeAll(async () => {
    backend = await startBackend(ROUTES);
    edge = await startEdge({ backends: [{ name: "app", port: backend.port }] });
    await edge.get("/old-page");
    await edge.get("/old-page");
    await edge.get("/wp-admin");
    await edge.req("POST", "/items");
    await edge.get("/beta");
    await edge.get("/probe");
    ui = await startUi({ config: edge.config, socket: edge.socket, stateDir: edge.config.state.dir, host: "127.0.0.1", port: 0 });
    uiPort = (ui.address() as AddressInfo).port;
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterAll(async () => {
    await Promise.allSettled([browser?.close(), closeServer(ui)]);
    await edge?.stop();
    await stopAll();
  });

  it("lists every learned rule with its status, reason, mode, hits and time left, and saves a screenshot", async () => {
    const res = await page.goto(url("/"));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "rules-page.png"), fullPage: true });
    expect(res?.status()).toBe(200);
    expect(res?.headers()["cache-control"]).toBe("no-store");
    const rows = await tableRows();
    expect([...rows.keys()].sort()).toEqual(KEYS);
    // columns: backend, key, status, reason, origin, mode, hits, time left, created, why
    expect(rows.get("/old-page")?.slice(0, 7)).toEqual(["app", "/old-page", "404", "edge-resource", "s1", "enforce", "1"]);
    expect(rows.get("^/wp-admin")?.slice(2, 7)).toEqual(["404", "scanner", "s1", "enforce", "0"]);
    expect(rows.get("/items POST")?.slice(2, 6)).toEqual(["405", "method", "s1", "enforce"]);
    expect(rows.get("/beta")?.slice(2, 6)).toEqual(["404", "trial", "s1", "dry-run"]);
    for (const cells of rows.values()) expect(cells[7]).toMatch(/^(59|60)m$/);
    expect(await text("#enforcement")).toBe("on");
    expect(await text("#counts")).toBe("6 live rules: 5 enforced, 1 dry-run");
  });

  it.each(WHY_CASES)("explains rule $key from its why link: $verdict", async (c) => {
    await openWhy(c.key);
    expect(await text("#subject-rule")).toBe(c.key);
    expect(await text("#request")).toBe(c.request);
    expect(await text("#steps")).toContain(c.step);
    expect(await text("#verdict")).toBe(c.verdict);
  });

  it("explains any request typed into the form", async () => {
    await explainTyped("/wp-admin/setup.php");
    expect(await text("#request")).toBe("GET /wp-admin/setup.php");
    expect(await text("#verdict")).toBe("Verdict: block 404 by rule ^/wp-admin");
  });

  it("shows a rule key with markup as text, in the table and in its explanation", async () => {
    await page.goto(url("/"));
    expect((await tableRows()).get(SCRIPT_PATH)?.slice(2, 4)).toEqual(["404", "probe"]);
    expect(await page.locator("script").count()).toBe(0);
    await openWhy(SCRIPT_PATH);
    expect(await text("#subject-rule")).toBe(SCRIPT_PATH);
    expect(await text("#verdict")).toBe(`Verdict: block 404 by rule ${SCRIPT_PATH}`);
    expect(await page.locator("script").count()).toBe(0);
    const raw = await request(uiPort, "GET", "/");
    expect(raw.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(raw.body).not.toContain("<script");
    expect(dialogs).toEqual([]);
  });

  it("shows markup typed into the form as text, never as a tag", async () => {
    const typed = "/x/<img src=x onerror=alert(2)>?a=<b>";
    await explainTyped(typed);
    expect(await text("#request")).toBe(`GET ${typed}`);
    expect(await text("#verdict")).toBe("Verdict: pass (no rule matched)");
    expect(await page.locator("main img, main b").count()).toBe(0);
    const raw = await request(uiPort, "GET", `/why?url=${encodeURIComponent(typed)}`);
    expect(raw.body).toContain("&lt;img src=x onerror=alert(2)&gt;");
    expect(raw.body).not.toContain("<img");
    expect(dialogs).toEqual([]);
  });

  it("serves the same rules as JSON", async () => {
    const res = await request(uiPort, "GET", "/rules.json");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const data = JSON.parse(res.body) as { enforcement: string; counts: { total: number; dryRun: number }; rules: { key: string; mode: string; ttlLeft: number }[] };
    expect(data.enforcement).toBe("on");
    expect(data.counts).toMatchObject({ total: 6, dryRun: 1 });
    expect(data.rules.map((r) => r.key).sort()).toEqual(KEYS);
    expect(data.rules.find((r) => r.key === "/beta")?.mode).toBe("dry-run");
  });

  it("is read-only: other methods get 405, bad queries 400, unknown pages 404", async () => {
    for (const [method, p] of [["POST", "/"], ["PUT", "/rules.json"], ["DELETE", "/why?backend=app&key=/beta"]]) {
      const res = await request(uiPort, method, p);
      expect(res.status, `${method} ${p}`).toBe(405);
      expect(res.headers.allow).toBe("GET, HEAD");
    }
    expect((await request(uiPort, "GET", "/why?backend=nope&key=/beta")).status).toBe(400);
    expect((await request(uiPort, "GET", "/why?url=javascript:alert(1)")).status).toBe(400);
    expect((await request(uiPort, "GET", "/admin")).status).toBe(404);
    expect(await backend.hits()).toMatchObject({ "/items": 1, "/beta": 1 });
  });
});
