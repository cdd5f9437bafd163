/**
 * Revalidation probes (backends[].probe, issue 14): a blocked request now and then (haproxy.cfg samples
 * them natively) queues its rule here; one task re-asks each backend about its queued rules, at most
 * `rate` a second and each rule at most once per `every` seconds, with the rule's method and path and a
 * header the SDK recognises, and nothing of any client's. The answer keeps the rule (it teaches it
 * again), lifts it (an answer below 500 without it), or leaves it (a 5xx or no answer), counted and logged.
 */
import { itoa } from "../core/bytes";
import { HEADERS, PROBE_HEADER } from "../core/contract";
import { parseRuleKey, ruleKeys } from "../core/rulekey";
import { Settings } from "../core/settings";
import { parseSignal } from "../core/signal";
import { inc } from "./counters";
import { headerValues } from "./headers";
import { logEvent } from "./log";
import { StoreMaps, storeBlocks, storeRemoves } from "./store";

interface Queue {
  keys: string[];
  interval: number;
  every: number;
  next: number;
}

/** Rules waiting per backend, and when each rule was last probed. */
const queues: { [backend: string]: Queue } = {};
const lastProbe: { [backendKey: string]: number } = {};
/** Waiting rules per backend beyond which new ones are dropped (they come again with the next blocks). */
const MAX_QUEUED = 1000;

/** The converter: queue the rule `key` of `backend` unless it was probed within `every` s or is queued. Returns the key. */
export function enqueue(key: string, backend: string, rate: string, every: string): string {
  const now = core.now().sec;
  const e = tonumber(every) ?? 3600;
  const r = tonumber(rate) ?? 1;
  let q = queues[backend];
  if (q === undefined) {
    q = { keys: [], interval: 1 / (r > 0 ? r : 1), every: e, next: 0 };
    queues[backend] = q;
  }
  const last = lastProbe[backend + "\t" + key];
  if (last !== undefined && now - last < e) return key;
  if (q.keys.length >= MAX_QUEUED) {
    inc("probes_dropped");
    return key;
  }
  q.keys.push(key);
  // marked when queued: later blocks do not queue it again (nor scan the queue) for `every` s
  lastProbe[backend + "\t" + key] = now;
  return key;
}

/** A server of the backend to ask: the first that is not down (its address as `ip:port`). */
function serverOf(backend: string): string | undefined {
  const px = core.backends.get(backend);
  if (px === undefined) return undefined;
  let fallback: string | undefined;
  for (const [, s] of pairs(px.servers)) {
    const sv = s as HaproxyServer;
    const addr = sv.get_addr();
    const status = tostring(sv.get_stats().get("status") ?? "");
    if (status.substring(0, 4) !== "DOWN" && status !== "MAINT") return addr;
    if (fallback === undefined) fallback = addr;
  }
  return fallback;
}

/** Send one probe and act on the answer. */
function probe(settings: Settings, maps: StoreMaps, backend: string, key: string): void {
  const parsed = parseRuleKey(key);
  // qualified rules need a client's host or credentials: not probed
  if (parsed === undefined || parsed.spec !== undefined) return;
  // a rule for any method is asked about with GET
  const method = parsed.method === "*" || parsed.method.length === 0 ? "GET" : parsed.method;
  const server = serverOf(backend);
  if (server === undefined) return;
  const hc = core.httpclient();
  const req = { url: "http://" + server + parsed.path, headers: { [PROBE_HEADER]: ["1"], host: [server] }, timeout: 5000 };
  let res: HaproxyHttpClientResponse | undefined;
  if (method === "GET") res = hc.get(req);
  else if (method === "HEAD") res = hc.head(req);
  else if (method === "POST") res = hc.post(req);
  else if (method === "PUT") res = hc.put(req);
  else if (method === "DELETE") res = hc.delete(req);
  else return;
  inc("probes_sent");
  const status = res === undefined ? 0 : (res.status ?? 0);
  const headers = res?.headers;
  const resource = headers === undefined ? [] : headerValues(headers, HEADERS.resource);
  const rule = headers === undefined ? [] : headerValues(headers, HEADERS.rule);
  const verdict = resource.length + rule.length > 0 ? parseSignal({ resource, rule }, { path: parsed.path, method, status }, settings) : undefined;
  // confirmed only when the answer teaches this very rule again (a signal about another path says nothing of it)
  let same = false;
  if (verdict !== undefined && verdict.kind === "apply") for (const b of verdict.blocks) for (const k of ruleKeys(b.match)) if (k === key) same = true;
  if (verdict !== undefined && verdict.kind === "apply" && same) {
    const error = storeBlocks(settings, maps, backend, verdict.blocks, core.now(), 0);
    inc(error === undefined ? "probes_confirmed" : "probes_failed");
    logEvent(core.info, "probe: rule confirmed", [["backend", backend], ["key", key], ["status", itoa(status)]]);
    return;
  }
  if (status === 0 || status >= 500) {
    inc("probes_failed");
    logEvent(core.warning, "probe: no answer, rule kept", [["backend", backend], ["key", key], ["status", itoa(status)]]);
    return;
  }
  const r = storeRemoves(settings, backend, [{ match: parsed.match, everything: false }], core.now().sec);
  inc(r.error === undefined ? "probes_lifted" : "probes_failed");
  logEvent(core.info, "probe: rule lifted, the backend no longer confirms it", [["backend", backend], ["key", key], ["status", itoa(status)]]);
}

/** The task body: forever, each backend's next queued rule when its rate allows. */
export function run(settings: Settings, maps: StoreMaps): void {
  for (;;) {
    const now = core.now();
    const t = now.sec + now.usec / 1000000;
    let sent = false;
    for (const [backend, q] of pairs(queues)) {
      const qq = q as Queue;
      if (qq.keys.length === 0 || t < qq.next) continue;
      qq.next = t + qq.interval;
      const key = qq.keys.shift() as string;
      const [ok, err] = pcall(() => probe(settings, maps, backend as string, key));
      if (!ok) {
        inc("probes_failed");
        logEvent(core.err, "probe failed", [["backend", backend as string], ["key", key], ["error", tostring(err)]]);
      }
      sent = true;
    }
    core.msleep(sent ? 10 : 100);
  }
}
