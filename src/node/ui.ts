/**
 * `edgeblock ui`: a read-only rules page served by Node beside HAProxy, so that
 * no Lua runs on the data plane for it and it reuses the CLI's store and explain code.
 *
 *   GET /            live rules, counts, enforcement state, and a form to explain any request
 *   GET /why         the explain steps for a rule (?backend=&key=) or a request (?method=&url=)
 *   GET /rules.json  the same data as the rules page
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import { isMethodToken, parseRuleKey } from "../core/rulekey";
import { routeMatches } from "../core/route";
import { EdgeConfig } from "./config";
import { explainLive, ExplainInput, ExplainResult, routeOf } from "./explain";
import { enforcementOn, listRules, Rule, StoreLocation } from "./rules";
import { RuntimeApiError } from "./runtime";

export interface UiOptions {
  readonly config: EdgeConfig;
  /** Runtime API address (socket path or host:port). */
  readonly socket: string;
  readonly stateDir: string;
  /** Address to bind; the CLI defaults it to 127.0.0.1. */
  readonly host: string;
  /** Port to bind; 0 picks a free one (read it from `server.address()`). */
  readonly port: number;
}

// ---------------------------------------------------------------- markup

/** Markup that is already safe; anything else interpolated by `html` is escaped. */
class Safe {
  constructor(readonly text: string) {}
}

type Part = string | number | Safe | readonly Part[];

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escape text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function renderPart(p: Part): string {
  if (p instanceof Safe) return p.text;
  if (typeof p === "string" || typeof p === "number") return escapeHtml(String(p));
  return p.map(renderPart).join("");
}

/** Template tag: backend-supplied text (keys, reasons, origins) can only ever land escaped. */
function html(strings: TemplateStringsArray, ...parts: Part[]): Safe {
  let out = strings[0];
  parts.forEach((p, i) => (out += renderPart(p) + strings[i + 1]));
  return new Safe(out);
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
header a{font-weight:600;color:inherit;text-decoration:none}
table{border-collapse:collapse;margin:1rem 0}th,td{border-bottom:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right}code,td.key{font-family:ui-monospace,monospace}
.on,.block{color:#0a7d32;font-weight:600}.off,.would-block{color:#b35900;font-weight:600}.pass,.allowlisted{color:#57606a;font-weight:600}
.dry-run{color:#b35900}.note{color:#57606a}form label{margin-right:.6rem}`;

// the stylesheet is the only inline content, so the policy allows exactly it and nothing else
const CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256").update(CSS).digest("base64")}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

function page(title: string, body: Safe): string {
  const doc = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${new Safe(CSS)}</style></head>
<body><header><a href="/">edgeblock</a> · <a href="/rules.json">rules.json</a></header><main>
${body}
</main></body></html>
`;
  return doc.text;
}

// ---------------------------------------------------------------- data

/** The rules page's data, also served as /rules.json. */
export interface RulesSnapshot {
  /** Epoch seconds the snapshot was taken. */
  readonly now: number;
  readonly enforcement: "on" | "off";
  /** Global dry_run from the config: nothing is blocked whatever the rules say. */
  readonly globalDryRun: boolean;
  readonly counts: { readonly total: number; readonly enforce: number; readonly dryRun: number; readonly byBackend: Readonly<Record<string, { enforce: number; dryRun: number }>> };
  readonly rules: ReadonlyArray<Rule & { readonly ttlLeft: number }>;
}

function location(o: UiOptions): StoreLocation {
  return { socket: o.socket, stateDir: o.stateDir, backends: o.config.backends.map((b) => b.name) };
}

function countRules(backends: readonly string[], rules: readonly Rule[]): RulesSnapshot["counts"] {
  const byBackend: Record<string, { enforce: number; dryRun: number }> = {};
  for (const b of backends) byBackend[b] = { enforce: 0, dryRun: 0 };
  for (const r of rules) byBackend[r.backend][r.mode === "enforce" ? "enforce" : "dryRun"]++;
  const enforce = rules.filter((r) => r.mode === "enforce").length;
  return { total: rules.length, enforce, dryRun: rules.length - enforce, byBackend };
}

async function snapshot(o: UiOptions): Promise<RulesSnapshot> {
  const loc = location(o);
  const now = Math.floor(Date.now() / 1000);
  const [rules, on] = await Promise.all([listRules(loc, now), enforcementOn(loc)]);
  return {
    now,
    enforcement: on ? "on" : "off",
    globalDryRun: o.config.dryRun,
    counts: countRules(loc.backends, rules),
    rules: rules.map((r) => ({ ...r, ttlLeft: r.expires - now })),
  };
}

const SPANS: ReadonlyArray<readonly [below: number, unit: number, suffix: string]> = [
  [120, 1, "s"],
  [7200, 60, "m"],
  [172800, 3600, "h"],
  [Infinity, 86400, "d"],
];

/** `45s`, `59m`, `23h`, `6d`: the same rounding as `edgeblock rules list`. */
export function humanDuration(seconds: number): string {
  const [, unit, suffix] = SPANS.find(([below]) => seconds < below) ?? SPANS[SPANS.length - 1];
  return `${Math.floor(seconds / unit)}${suffix}`;
}

function isoSeconds(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(".000Z", "Z");
}

/** A host that makes the frontend route `path` to `backend`, when only a host route reaches it. */
function routingHost(c: EdgeConfig, backend: string, path: string): string | undefined {
  if (routeOf(c, undefined, path) === backend) return undefined;
  return c.routes.find((r) => r.backend === backend && r.host !== undefined && routeMatches({ backend, pathPrefix: r.pathPrefix }, path, undefined))?.host;
}

/** Headers that make a request count as authenticated under the config's auth setting. */
function authHeaders(c: EdgeConfig): Record<string, string> {
  return c.auth.cookie ? { cookie: `${c.auth.cookie}=1` } : { [c.auth.header]: "1" };
}

/** A request the rule matches: its path, its first method (GET for any), and what its qualifier requires. */
export function sampleRequest(c: EdgeConfig, backend: string, key: string): ExplainInput | undefined {
  const k = parseRuleKey(key);
  if (!k) return undefined;
  const m = k.match;
  const query = m.query.filter((q) => q.present).map((q) => q.name).join("&");
  const host = m.host ?? routingHost(c, backend, m.path);
  return {
    method: m.methods[0] ?? "GET",
    url: m.path + (query ? `?${query}` : ""),
    headers: { ...(host ? { host } : {}), ...(m.auth === "authed" ? authHeaders(c) : {}) },
  };
}

// ---------------------------------------------------------------- views

function whyHref(r: Rule): string {
  return `/why?${new URLSearchParams({ backend: r.backend, key: r.key }).toString()}`;
}

function ruleRow(r: Rule & { ttlLeft: number }): Safe {
  return html`<tr><td>${r.backend}</td><td class="key">${r.key}</td><td class="num">${r.status}</td><td>${r.reason}</td><td>${r.origin}</td>
<td class="${r.mode}">${r.mode}${r.stale ? " (stale: learned before the current generation)" : ""}</td><td class="num">${r.hits}</td><td class="num">${humanDuration(r.ttlLeft)}</td><td>${isoSeconds(r.created)}</td>
<td><a class="why" href="${whyHref(r)}">why</a></td></tr>`;
}

function summary(s: RulesSnapshot): Safe {
  const perBackend = Object.entries(s.counts.byBackend).map(([b, n]) => html`<li>${b}: ${n.enforce} enforced, ${n.dryRun} dry-run</li>`);
  const global = s.globalDryRun ? html` <span class="off">(global dry_run: nothing is blocked)</span>` : "";
  return html`<p>Enforcement: <strong id="enforcement" class="${s.enforcement}">${s.enforcement}</strong>${global}</p>
<p id="counts"><strong>${s.counts.total}</strong> live rules: ${s.counts.enforce} enforced, ${s.counts.dryRun} dry-run</p><ul>${perBackend}</ul>`;
}

const EXPLAIN_FORM = html`<h2>Explain a request</h2>
<form method="get" action="/why"><label>Method <input name="method" value="GET" size="8" required></label>
<label>URL <input name="url" size="40" placeholder="/some/path?x=1" required></label>
<label>Host <input name="host" size="20" placeholder="(any)"></label>
<label><input type="checkbox" name="auth" value="1"> authenticated</label> <button type="submit">Explain</button></form>`;

function rulesPage(s: RulesSnapshot): string {
  const head = ["backend", "key", "status", "reason", "origin", "mode", "hits", "time left", "created", ""].map((h) => html`<th>${h}</th>`);
  const table = s.rules.length
    ? html`<table id="rules"><thead><tr>${head}</tr></thead><tbody>${s.rules.map(ruleRow)}</tbody></table>`
    : html`<p class="note">No live rules.</p>`;
  return page("edgeblock rules", html`<h1>Live rules</h1>${summary(s)}${table}${EXPLAIN_FORM}<p class="note">As of ${isoSeconds(s.now)}. Read-only: use <code>edgeblock rules</code> to change rules.</p>`);
}

/** What the why page explains: a rule (with the sample request derived from it) or a request as given. */
interface WhySubject {
  readonly input: ExplainInput;
  readonly rule?: { readonly backend: string; readonly key: string };
}

function verdictLine(x: ExplainResult): Safe {
  const status = x.status !== undefined ? ` ${x.status}` : "";
  const rule = x.rule !== undefined ? html` by rule <code id="matched-rule">${x.rule}</code>` : html` (no rule matched)`;
  return html`<p id="verdict">Verdict: <span class="${x.verdict}">${x.verdict}${status}</span>${rule}</p>`;
}

/** Says when the explained request is not decided by the rule the operator clicked, and why that can be. */
function ruleNote(subject: WhySubject, x: ExplainResult): Safe | string {
  const r = subject.rule;
  if (!r) return "";
  if (x.backend !== r.backend) return html`<p class="note">This request routes to backend ${x.backend}, not ${r.backend}: the rule cannot match it as written.</p>`;
  if (x.rule === r.key) return html`<p class="note">The rule decides this request.</p>`;
  return html`<p class="note">Another step decides this request before the rule (see the steps), or the rule is no longer live.</p>`;
}

function whyPage(subject: WhySubject, x: ExplainResult): string {
  const headers = Object.entries(subject.input.headers).map(([k, v]) => html`<li><code>${k}: ${v}</code></li>`);
  const about = subject.rule ? html`<p>Rule <code id="subject-rule">${subject.rule.key}</code> on backend ${subject.rule.backend}, explained with a request it should match:</p>` : "";
  return page(
    `why: ${x.method} ${subject.input.url}`,
    html`<h1>Why: <code id="request">${x.method} ${subject.input.url}</code></h1>${about}
<p>Backend <strong>${x.backend}</strong>, key <code id="key">${x.key}</code>, ${x.auth}${x.host ? `, host ${x.host}` : ""}</p>
${headers.length ? html`<ul>${headers}</ul>` : ""}<ol id="steps">${x.steps.map((s) => html`<li>${s}</li>`)}</ol>${verdictLine(x)}${ruleNote(subject, x)}
<p><a href="/">back to the rules</a></p>`,
  );
}

function errorPage(status: number, message: string): string {
  return page(`edgeblock: ${status}`, html`<h1>${status}</h1><p>${message}</p><p><a href="/">back to the rules</a></p>`);
}

// ---------------------------------------------------------------- routing

interface Reply {
  readonly status: number;
  readonly type: "html" | "json";
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

class BadRequest extends Error {}

function htmlReply(body: string, status = 200): Reply {
  return { status, type: "html", body };
}

/** The subject of /why from its query: a rule of a configured backend, or a method and URL. */
function whySubject(c: EdgeConfig, q: URLSearchParams): WhySubject {
  const backend = q.get("backend");
  const key = q.get("key");
  if (backend !== null || key !== null) {
    if (!backend || !c.backends.some((b) => b.name === backend)) throw new BadRequest(`unknown backend ${JSON.stringify(backend ?? "")}`);
    const input = sampleRequest(c, backend, key ?? "");
    if (!input) throw new BadRequest(`not a rule key: ${JSON.stringify(key ?? "")}`);
    return { input, rule: { backend, key: key ?? "" } };
  }
  const method = (q.get("method") || "GET").toUpperCase();
  const url = q.get("url") ?? "";
  const host = q.get("host")?.trim();
  if (!isMethodToken(method)) throw new BadRequest(`not an HTTP method: ${JSON.stringify(method)}`);
  if (!/^(\/|https?:\/\/)/.test(url) || url.length > 8192) throw new BadRequest("url must be a path starting with / or an http(s) URL");
  return { input: { method, url, headers: { ...(host ? { host } : {}), ...(q.get("auth") ? authHeaders(c) : {}) } } };
}

async function route(o: UiOptions, method: string, url: URL): Promise<Reply> {
  if (method !== "GET" && method !== "HEAD") return { status: 405, type: "html", body: errorPage(405, "read-only: only GET and HEAD"), headers: { allow: "GET, HEAD" } };
  if (url.pathname === "/") return htmlReply(rulesPage(await snapshot(o)));
  if (url.pathname === "/rules.json") return { status: 200, type: "json", body: JSON.stringify(await snapshot(o), null, 2) + "\n" };
  if (url.pathname === "/why") {
    const subject = whySubject(o.config, url.searchParams);
    return htmlReply(whyPage(subject, await explainLive(o.config, o.socket, subject.input)));
  }
  return htmlReply(errorPage(404, `no page at ${url.pathname}`), 404);
}

function failure(e: unknown): Reply {
  if (e instanceof BadRequest) return htmlReply(errorPage(400, e.message), 400);
  if (e instanceof RuntimeApiError) return htmlReply(errorPage(503, e.message), 503);
  return htmlReply(errorPage(500, e instanceof Error ? e.message : String(e)), 500);
}

function send(res: http.ServerResponse, r: Reply): void {
  res.writeHead(r.status, {
    "content-type": r.type === "html" ? "text/html; charset=utf-8" : "application/json; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "content-security-policy": CSP,
    ...r.headers,
  });
  res.end(r.body);
}

async function handle(o: UiOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    reply = await route(o, req.method ?? "GET", new URL(req.url ?? "/", "http://ui.invalid"));
  } catch (e) {
    reply = failure(e);
  }
  send(res, reply);
}

/** Start the rules page on host:port; resolves once it listens. Close the returned server to stop it. */
export function startUi(o: UiOptions): Promise<http.Server> {
  const server = http.createServer((req, res) => void handle(o, req, res));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
