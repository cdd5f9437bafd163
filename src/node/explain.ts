/** `edgeblock rules explain`: the live store, fetched for one request, run through core/explain. */
import { verifiedAs } from "./credentials";
import { CONTROL_FIELD, CONTROL_TABLE, ENFORCEMENT_OFF_KEY, RULE_FIELDS, RULE_TABLE_PREFIX } from "../core/contract";
import { prefixMapFile, qualMapFile } from "../core/store-records";
import { explain, Explanation, StoredEntry, StoreView } from "../core/explain";
import { normalizePath } from "../core/path";
import { routeFor } from "../core/route";
import { normalizeHost, queryNames } from "../core/rulekey";
import { escapeCliArg, parseTableLine } from "../core/runtime-cmd";
import { EdgeConfig } from "./config";
import { parseShowMap } from "./rules";
import { runtimeCommand } from "./runtime";
import { checkStaticMap, readStaticMap } from "./static-map";

export interface ExplainInput {
  readonly method: string;
  /** A URL (`http://host/path?q`) or a path (`/path?q`). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Which backend the rendered frontend routes a request to: `path` is the normalised path (core/route.ts). */
export function routeOf(c: EdgeConfig, host: string | undefined, path: string, headers: Readonly<Record<string, string>> = {}): string {
  return routeFor(c.routes, c.defaultBackend, path, host, (name) => headers[name], c.routesMap);
}

export interface ExplainResult extends Explanation {
  readonly backend: string;
  readonly method: string;
  readonly host?: string;
  readonly auth: "anon" | "authed";
}

export async function explainLive(c: EdgeConfig, socket: string, input: ExplainInput, now = Math.floor(Date.now() / 1000)): Promise<ExplainResult> {
  const u = new URL(input.url, "http://edge.invalid");
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) lower[k.toLowerCase()] = v;
  const hostHeader = lower.host ?? (/^https?:\/\//.test(input.url) ? u.host : undefined);
  const host = hostHeader ? normalizeHost(hostHeader) : undefined;
  // as the rendered ACL decides: verified credentials where the gateway checks them, else a present, non-empty cookie or header
  const authed =
    c.auth.jwt || c.auth.apiKeys
      ? verifiedAs(c.auth, lower, now) !== undefined
      : c.auth.cookie
        ? (lower.cookie ?? "").split(";").some((p) => p.trim().startsWith(`${c.auth.cookie}=`) && p.trim().length > c.auth.cookie!.length + 1)
        : (lower[c.auth.header] ?? "").trim() !== "";
  const method = input.method.toUpperCase();
  // a path is taken as typed (URL parsing would normalise it); a full URL gives its path
  const rawPath = input.url.startsWith("/") ? input.url.split("?")[0] : u.pathname;
  const n = normalizePath(rawPath, c.paths, 1 << 30);
  const key = n.ok ? n.path : rawPath;
  const backend = routeOf(c, host, key, lower);
  const table = RULE_TABLE_PREFIX + backend;

  const [prefixOut, qualOut, ctlOut] = await Promise.all([
    runtimeCommand(socket, [`show map ${prefixMapFile(backend)}`]),
    runtimeCommand(socket, [`show map ${qualMapFile(backend)}`]),
    runtimeCommand(socket, [`show table ${CONTROL_TABLE} key ${ENFORCEMENT_OFF_KEY}`]),
  ]);
  const prefixes = [...parseShowMap(prefixOut).values()].map((b) => b.slice(1));
  const quals = parseShowMap(qualOut);
  const candidates = new Set<string>([key, `${key} ${method}`]);
  for (const p of prefixes) candidates.add(`^${p}`).add(`^${p} ${method}`);
  for (const [base, list] of quals) for (const spec of list.split(" ")) if (spec) candidates.add(`${base} ${spec}`);
  const entries = new Map<string, StoredEntry>();
  const keys = [...candidates];
  const out = keys.length ? await runtimeCommand(socket, keys.map((k) => `show table ${escapeCliArg(table)} key ${escapeCliArg(k)}`)) : "";
  for (const line of out.split("\n")) {
    const e = parseTableLine(line);
    if (e) entries.set(e.key, { live: e.data[RULE_FIELDS.expiry] ?? 0, ruleExpiry: e.data[RULE_FIELDS.ruleExpiry] ?? 0, answer: e.data[RULE_FIELDS.answer] ?? 0 });
  }
  const ctl = parseTableLine(ctlOut.split("\n").find((l) => l.includes(": key=")) ?? "");
  const store: StoreView = {
    entry: (k) => entries.get(k),
    prefixes,
    specs: (b) => quals.get(b),
    enforcementOff: (ctl?.data[CONTROL_FIELD] ?? 0) > 0,
  };
  const staticMap = new Map<string, number>();
  for (const e of checkStaticMap(readStaticMap(c.staticMap), c.paths, c.rules.allowedStatuses, c.rules.maxKeyLength).entries) {
    staticMap.set(e.path, e.status ?? c.rules.defaultStatus);
  }
  const x = explain(
    { rawPath, method, ...(host ? { host } : {}), auth: authed ? "authed" : "anon", queryNames: queryNames(u.search.slice(1)) },
    { policy: c.paths, maxKeyLength: c.rules.maxKeyLength, allowExact: c.allowlist.exact, allowPrefix: c.allowlist.prefix, staticMap, dryRun: c.dryRun },
    store,
    now,
  );
  return { ...x, backend, method, ...(host ? { host } : {}), auth: authed ? "authed" : "anon" };
}
