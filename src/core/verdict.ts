/** What parsing a signal can conclude. Shared by the short form and protocol v1. */
import { RuleMatch } from "./rulekey";
import { Settings } from "./settings";

/** Why a signal was refused. These are metric label values: keep the set closed. */
export type RejectReason =
  | "malformed"
  | "oversized"
  | "duplicate"
  | "unknown-parameter"
  | "out-of-range"
  | "status-not-allowed"
  | "path-invalid"
  | "no-request-path"
  | "allowlisted"
  | "rate-limited"
  | "store-full"
  | "untrusted"
  | "edge-error";

/** A rule to learn, validated and normalised. */
export interface BlockRule {
  readonly match: RuleMatch;
  readonly status: number;
  /** Body sent with the answer; empty for none. */
  readonly body: string;
  /** Seconds, already capped by the settings. */
  readonly ttl: number;
  readonly reason: string;
  readonly dryRun: boolean;
}

/** What a `remove` member asks to lift. */
export interface RemoveRule {
  readonly match: RuleMatch;
  /** True when the member named no methods and no qualifier: lift every rule on the path. */
  readonly everything: boolean;
}

export type SignalVerdict =
  | { readonly kind: "none" }
  | { readonly kind: "ignore"; readonly why: string }
  | { readonly kind: "apply"; readonly blocks: readonly BlockRule[]; readonly removes: readonly RemoveRule[] }
  | { readonly kind: "reject"; readonly reason: RejectReason; readonly detail: string };

/** Why a status is refused: it and the statuses rules.allowed_statuses lists. */
export function statusNotAllowed(status: number, settings: Settings): string {
  let list = "";
  for (const s of settings.allowedStatuses) list = list + (list.length > 0 ? "," : "") + s;
  return "status " + status + " is not in rules.allowed_statuses (" + list + ")";
}

export function isAllowedStatus(status: number, settings: Settings): boolean {
  for (const s of settings.allowedStatuses) if (s === status) return true;
  return false;
}
