/**
 * edgeblock's own counters. Each Lua state (one, or one per thread) keeps
 * cumulative counts and publishes them as `<thread>:<name>` in a shared map,
 * so every key has a single writer and the metrics service sums across threads.
 */
import { itoa } from "../core/bytes";
import { STORE_MAPS } from "../core/contract";

const counts: { [name: string]: number } = {};

/** Add to a counter and publish its new cumulative value. Never throws. */
export function inc(name: string, by = 1): void {
  const v = (counts[name] !== undefined ? counts[name] : 0) + by;
  counts[name] = v;
  pcall(() => core.set_map(STORE_MAPS.counters, itoa(core.thread) + ":" + name, itoa(v)));
}

/** Publish a gauge (one writer: the maintenance task). */
export function setGauge(name: string, value: number): void {
  pcall(() => core.set_map(STORE_MAPS.counters, itoa(core.thread) + ":gauge:" + name, itoa(value)));
}
