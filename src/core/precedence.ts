/**
 * Match precedence, declared once: the steps a request's candidate rules are tried in, most specific
 * first and the exact path before its longest prefix; the first live rule answers. The renderer writes
 * the evaluation lines of `<backend>.edgeblock` from these steps (node/render.ts), and explain follows
 * them (core/explain.ts); test/integration/precedence.test.ts checks on real HAProxy that both agree.
 */

/** Whose rules a step looks at: the exact path's base key, or the longest covering prefix's (`^/p`). */
export type StepBase = "exact" | "prefix";

/** What a step matches on that base: a qualified spec (host, auth, query; chosen by Lua), the request's method, any method. */
export type StepKind = "qualified" | "method" | "any";

export interface MatchStep {
  readonly base: StepBase;
  readonly kind: StepKind;
  /** What explain says when this step's rule answers. */
  readonly label: string;
}

export const MATCH_STEPS: readonly MatchStep[] = [
  { base: "exact", kind: "qualified", label: "qualified rule on the exact path" },
  { base: "exact", kind: "method", label: "rule for the method on the exact path" },
  { base: "exact", kind: "any", label: "rule for any method on the exact path" },
  { base: "prefix", kind: "qualified", label: "qualified rule on the prefix" },
  { base: "prefix", kind: "method", label: "rule for the method on the prefix" },
  { base: "prefix", kind: "any", label: "rule for any method on the prefix" },
];
