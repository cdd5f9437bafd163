/**
 * Time slices for the maintenance task: it shares its thread with traffic, so long work checks
 * the clock every few items and gives traffic a turn after SLICE_MS.
 */

/** The longest time the maintenance task held its thread between two yields since the last reset. */
let longestSlice = 0;
let sliceStart = 0;

/** Start measuring slices afresh (a snapshot logs its longest). */
export function startSlices(): void {
  longestSlice = 0;
  sliceStart = msNow();
}

/** The longest slice since startSlices(), in ms. */
export function longestSliceMs(): number {
  return longestSlice;
}

/**
 * A request waits for the task's current slice at each of its steps (accept, connect, response,
 * send), so a slice is kept to SLICE_MS: callers check every few items, this yields when it is time.
 */
export const SLICE_MS = 4;
/**
 * While a starting process loads its stored rules, requests wait for them anyway (edgeblock_wait): longer
 * slices, fewer 1 ms sleeps ([T] a third of a 1M-rule load was spent asleep between 4 ms slices).
 */
export const LOAD_SLICE_MS = 16;
let budget = SLICE_MS;

export function slice(): void {
  if (msNow() - sliceStart >= budget) pause();
}

/** Run `work` with slices of `ms` instead of SLICE_MS. */
export function withSlices(ms: number, work: () => void): void {
  const before = budget;
  budget = ms;
  try {
    work();
  } finally {
    budget = before;
  }
}

/** Yield to traffic, measuring how long this slice held the thread. */
export function pause(): void {
  const t = msNow();
  if (sliceStart > 0 && t - sliceStart > longestSlice) longestSlice = t - sliceStart;
  // not core.yield(): a task that wakes itself again can run many times before HAProxy polls for I/O
  // (up to tune.runqueue-depth tasks per loop); a 1 ms sleep leaves the run queue, so traffic gets a turn
  core.msleep(1);
  sliceStart = msNow();
}

/** Wall-clock milliseconds, for the phase timings a snapshot logs. */
export function msNow(): number {
  const t = core.now();
  return t.sec * 1000 + Math.floor(t.usec / 1000);
}
