/**
 * Signal parsing entry point: the `X-Edge-Resource` short form, `Edge-Rule`
 * (protocol v1), or both in one response. Pure: every input gives a verdict.
 */
import { asciiLower, parseDecimal, trimOws } from "./bytes";
import { normalizePath } from "./path";
import { parseEdgeRule, SignalContext } from "./protocol";
import { Settings } from "./settings";
import { BlockRule, isAllowedStatus, statusNotAllowed, RemoveRule, SignalVerdict } from "./verdict";

/** Label given to rules learned from the short form. */
export const SHORT_FORM_REASON = "edge-resource";

/**
 * `X-Edge-Resource` short form. `false` blocks the request's own path, any
 * method, with the default status; `false-<status>` with that status; `true`
 * is a valid no-op.
 */
export function parseShortForm(values: readonly string[], requestPath: string | undefined, settings: Settings): SignalVerdict {
  if (values.length === 0) return { kind: "none" };
  if (values.length > 1) return { kind: "reject", reason: "duplicate", detail: values.length + " header lines" };
  const raw = values[0];
  if (raw.length > settings.maxSignalBytes) {
    return { kind: "reject", reason: "oversized", detail: raw.length + " bytes > " + settings.maxSignalBytes };
  }
  const v = asciiLower(trimOws(raw));
  if (v === "true") return { kind: "ignore", why: "resource exists" };
  let status = settings.defaultStatus;
  if (v !== "false") {
    if (v.length < 7 || v.substring(0, 6) !== "false-") {
      return { kind: "reject", reason: "malformed", detail: "expected false, false-<status> or true" };
    }
    status = parseDecimal(v.substring(6), 999);
    if (status < 0 || v.length !== 9) return { kind: "reject", reason: "malformed", detail: "status must be three digits" };
  }
  if (!isAllowedStatus(status, settings)) return { kind: "reject", reason: "status-not-allowed", detail: statusNotAllowed(status, settings) };
  if (requestPath === undefined) return { kind: "reject", reason: "no-request-path", detail: "path var not set" };
  const p = normalizePath(requestPath, settings, settings.maxKeyLength);
  if (!p.ok) return { kind: "reject", reason: "path-invalid", detail: p.error };
  const rule: BlockRule = {
    match: { path: p.path, prefix: false, methods: [], query: [] },
    status,
    body: "",
    ttl: settings.defaultTtl,
    reason: SHORT_FORM_REASON,
    dryRun: false,
  };
  return { kind: "apply", blocks: [rule], removes: [] };
}

/** Both headers of one response. */
export interface SignalHeaders {
  readonly resource: readonly string[];
  readonly rule: readonly string[];
}

/** Parse everything a response signals. Either header alone, or both (their rules are merged). */
export function parseSignal(h: SignalHeaders, ctx: SignalContext, settings: Settings): SignalVerdict {
  const a = parseShortForm(h.resource, ctx.path, settings);
  const b = parseEdgeRule(h.rule, ctx, settings);
  if (a.kind === "reject") return a;
  if (b.kind === "reject") return b;
  if (b.kind === "none") return a;
  if (b.kind !== "apply") return b;
  if (a.kind !== "apply") return b;
  const blocks: BlockRule[] = [];
  const removes: RemoveRule[] = [];
  for (const r of a.blocks) blocks.push(r);
  for (const r of b.blocks) blocks.push(r);
  for (const r of b.removes) removes.push(r);
  if (blocks.length + removes.length > settings.maxRulesPerSignal) {
    return { kind: "reject", reason: "out-of-range", detail: "more than " + settings.maxRulesPerSignal + " rules" };
  }
  return { kind: "apply", blocks, removes };
}
