/**
 * A rule's answer packed into one unsigned 32-bit stick-table field, so that
 * haproxy.cfg can decode it natively with `and()` and `div()` converters.
 *
 *   bits 0..9   HTTP status (400..599)
 *   bit  10     dry-run: count and log, do not block
 *   bits 11..31 body id (0 = no body)
 */
export interface Answer {
  readonly status: number;
  readonly dryRun: boolean;
  readonly bodyId: number;
}

export const STATUS_MASK = 1024;
export const DRY_RUN_UNIT = 1024;
export const BODY_UNIT = 2048;
export const MAX_BODY_ID = 2097151;

export function packAnswer(a: Answer): number {
  return a.status + (a.dryRun ? DRY_RUN_UNIT : 0) + a.bodyId * BODY_UNIT;
}

/** The dry-run bit and the body id alone, for loops that read millions of answers (no table per call in Lua). */
export function answerDryRun(n: number): boolean {
  return Math.floor(n / DRY_RUN_UNIT) % 2 === 1;
}

export function answerBodyId(n: number): number {
  return Math.floor(n / BODY_UNIT);
}

export function unpackAnswer(n: number): Answer {
  return { status: n % STATUS_MASK, dryRun: answerDryRun(n), bodyId: answerBodyId(n) };
}
