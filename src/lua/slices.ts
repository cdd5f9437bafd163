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
export function slice(): void {
  if (msNow() - sliceStart >= SLICE_MS) pause();
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
