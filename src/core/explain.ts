/**
 * Explain a request: which rule the edge would apply, and why, following the
 * same precedence as the rendered haproxy.cfg. Pure: the live store is passed in.
 */
import { unpackAnswer } from "./answer";
import { STATIC_RULE } from "./contract";
import { normalizePath, PathPolicy } from "./path";
import { Allowlist, allowlistEntry } from "./policy";
import { MATCH_STEPS } from "./precedence";
import { baseKey, bestSpec, RequestFacts } from "./rulekey";

/** What the store holds for one key. */
export interface StoredEntry {
  /** gpt0: the base is alive while this is in the future. */
  readonly live: number;
  /** gpc1: the rule's own expiry (0 = no rule on this exact key). */
  readonly ruleExpiry: number;
  readonly answer: number;
}

/** Read-only view of one backend's live store. */
export interface StoreView {
  entry(key: string): StoredEntry | undefined;
  /** Normalised prefix paths that have prefix rules (without the `^`). */
  readonly prefixes: readonly string[];
  /** Space-separated qualified specs listed for a base key. */
  specs(base: string): string | undefined;
  readonly enforcementOff: boolean;
}

export interface ExplainConfig extends Allowlist {
  readonly policy: PathPolicy;
  readonly maxKeyLength: number;
  /** Static map: path -> status. */
  readonly staticMap: ReadonlyMap<string, number>;
  readonly dryRun: boolean;
}

export interface ExplainRequest extends RequestFacts {
  /** Raw request path (before normalisation, without query). */
  readonly rawPath: string;
}

export type Verdict = "pass" | "block" | "would-block" | "allowlisted";

export interface Explanation {
  readonly key: string;
  readonly verdict: Verdict;
  readonly status?: number;
  /** The rule key that matched, `static` for the static map. */
  readonly rule?: string;
  readonly steps: readonly string[];
}

function segmentPrefixOf(prefix: string, path: string): boolean {
  return path === prefix || (path.length > prefix.length && path.substring(0, prefix.length + 1) === prefix + "/");
}

export function explain(req: ExplainRequest, cfg: ExplainConfig, store: StoreView, now: number): Explanation {
  const steps: string[] = [];
  const n = normalizePath(req.rawPath, cfg.policy, 1 << 30);
  const key = n.ok ? n.path : req.rawPath;
  steps.push(n.ok ? (key === req.rawPath ? `path ${key} is already normalised` : `path ${req.rawPath} normalises to ${key}`) : `path ${req.rawPath} cannot be normalised (${n.error}): no rule can match it`);
  const allowed = allowlistEntry(key, cfg);
  if (allowed !== undefined) return { key, verdict: "allowlisted", steps: [...steps, `allowlisted (allowlist.${allowed}): never blocked`] };
  const finish = (status: number, rule: string, dryRun: boolean, why: string): Explanation => {
    steps.push(why);
    if (dryRun || cfg.dryRun || store.enforcementOff) {
      const cause = dryRun ? "the rule is dry-run" : cfg.dryRun ? "global dry_run is on" : "enforcement is off (kill switch)";
      steps.push(`${cause}: the request would be answered ${status} but is passed to the backend, counted and logged`);
      return { key, verdict: "would-block", status, rule, steps };
    }
    steps.push(`answered ${status} by the edge; the backend is not contacted`);
    return { key, verdict: "block", status, rule, steps };
  };
  const st = cfg.staticMap.get(key);
  if (st !== undefined) return finish(st, STATIC_RULE, false, `listed in the static map with status ${st}`);
  steps.push("not in the static map");

  const bases: { [base: string]: { base: string; what: string } } = {};
  const exact = store.entry(key);
  if (exact !== undefined && exact.live > now) bases.exact = { base: key, what: "exact path" };
  else steps.push(`no live rule on the exact path ${key}`);
  let longest = "";
  for (const p of store.prefixes) if (segmentPrefixOf(p, key) && p.length > longest.length) longest = p;
  if (longest.length > 0) {
    const pb = baseKey(longest, true);
    const pe = store.entry(pb);
    if (pe !== undefined && pe.live > now) bases.prefix = { base: pb, what: `prefix ${longest}` };
    else steps.push(`prefix ${longest} has no live rule`);
  } else steps.push("no prefix rule covers the path");

  // the steps in the order haproxy.cfg takes them (core/precedence.ts): the first live rule answers
  for (const step of MATCH_STEPS) {
    const b = bases[step.base];
    if (b === undefined) continue;
    if (step.kind === "qualified") {
      const specs = store.specs(b.base);
      if (specs === undefined) continue;
      const spec = bestSpec(specs, req);
      const e = spec === undefined ? undefined : store.entry(b.base + " " + spec);
      if (spec !== undefined && e !== undefined && e.ruleExpiry > now) {
        const a = unpackAnswer(e.answer);
        return finish(a.status, b.base + " " + spec, a.dryRun, `${b.what}: qualified rule ${spec} matches (${req.method}, host ${req.host ?? "-"}, ${req.auth}, query [${req.queryNames.join(",")}])`);
      }
      steps.push(`${b.what}: no qualified rule matches this request`);
    } else if (step.kind === "method") {
      const mk = b.base + " " + req.method;
      const me = store.entry(mk);
      if (me !== undefined && me.ruleExpiry > now) {
        const a = unpackAnswer(me.answer);
        return finish(a.status, mk, a.dryRun, `${b.what}: rule for method ${req.method} matches`);
      }
    } else {
      const be = store.entry(b.base);
      if (be !== undefined && be.ruleExpiry > now) {
        const a = unpackAnswer(be.answer);
        return finish(a.status, b.base, a.dryRun, `${b.what}: rule for any method matches`);
      }
      steps.push(`${b.what}: no rule for ${req.method} or for any method`);
    }
  }
  steps.push("no rule matches: the request goes to the backend");
  return { key, verdict: "pass", steps };
}
