/**
 * Signal parsing: what a backend's response header asks the edge to learn.
 * Pure: no HAProxy globals. Every input gives a verdict, never an exception.
 */
import { asciiLower, parseDecimal, trimOws } from "./bytes";
import { normalizePath } from "./path";
import { Settings } from "./settings";

/** Why a signal was refused. These are metric label values: keep the set closed. */
export type RejectReason =
  | "malformed"
  | "oversized"
  | "duplicate"
  | "status-not-allowed"
  | "path-invalid"
  | "no-request-path"
  | "edge-error";

export const REJECT_REASONS: readonly RejectReason[] = [
  "malformed",
  "oversized",
  "duplicate",
  "status-not-allowed",
  "path-invalid",
  "no-request-path",
  "edge-error",
];

/** One rule a signal asks for, already validated and normalised. */
export interface LearnRequest {
  /** Normalised exact path. */
  readonly path: string;
  readonly status: number;
  /** Lifetime in seconds, already capped by the settings. */
  readonly ttl: number;
  /** Label for logs and metrics. */
  readonly reason: string;
}

export type SignalVerdict =
  | { readonly kind: "none" }
  | { readonly kind: "ignore"; readonly why: string }
  | { readonly kind: "learn"; readonly rules: readonly LearnRequest[] }
  | { readonly kind: "reject"; readonly reason: RejectReason; readonly detail: string };

/** Label given to rules learned from the short form. */
export const SHORT_FORM_REASON = "edge-resource";

/**
 * `X-Edge-Resource` short form. `false` blocks the request's own path with the
 * default status; `false-<status>` with that status; `true` is a valid no-op.
 *
 * @param values every line of the header, in order (empty when absent)
 * @param requestPath the raw request path captured in the request phase, or undefined
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
    if (status < 0 || v.length !== 9) {
      return { kind: "reject", reason: "malformed", detail: "status must be three digits" };
    }
  }
  if (!isAllowedStatus(status, settings)) {
    return { kind: "reject", reason: "status-not-allowed", detail: "status " + status };
  }
  if (requestPath === undefined) return { kind: "reject", reason: "no-request-path", detail: "path var not set" };
  const p = normalizePath(requestPath, settings.pathPolicy, settings.maxPathLength);
  if (!p.ok) return { kind: "reject", reason: "path-invalid", detail: p.error };
  return {
    kind: "learn",
    rules: [{ path: p.path, status, ttl: settings.defaultTtl, reason: SHORT_FORM_REASON }],
  };
}

export function isAllowedStatus(status: number, settings: Settings): boolean {
  for (const s of settings.allowedStatuses) if (s === status) return true;
  return false;
}
