/**
 * edgeblock's own counters. Each Lua state (one, or one per thread) keeps
 * cumulative counts and publishes them as `<thread>:<name>` in a shared map,
 * so every key has a single writer and the metrics service sums across threads.
 */
import { itoa } from "../core/bytes";
import { STORE_MAPS } from "../core/contract";

const counts: { [name: string]: number } = {};
let distinct = 0;
let names = "";

/** Key (after `<thread>:`) of the space-separated list of counter names a Lua state has published. */
export const NAMES_KEY = "__names";

/** Reason labels come from backends: cap the series so metrics cannot grow without bound. */
export const MAX_COUNTER_SERIES = 500;

/** Add to a counter and publish its new cumulative value. Never throws. */
export function inc(counter: string, by = 1): void {
  let name = counter;
  if (counts[name] === undefined) {
    if (distinct >= MAX_COUNTER_SERIES) {
      // keep the family, fold the label: `signal:learned:<reason>` -> `signal:learned:other`
      let last = name.length - 1;
      while (last > 0 && name.charCodeAt(last) !== 58) last--;
      name = last > 0 ? name.substring(0, last) + ":other" : name;
    }
    if (counts[name] === undefined) {
      distinct++;
      names = names + (names.length > 0 ? " " : "") + name;
      // the registry of this state's names: the metrics service cannot list a map from Lua
      pcall(() => core.set_map(STORE_MAPS.counters, itoa(core.thread) + ":" + NAMES_KEY, names));
    }
  }
  const v = (counts[name] !== undefined ? counts[name] : 0) + by;
  counts[name] = v;
  pcall(() => core.set_map(STORE_MAPS.counters, itoa(core.thread) + ":" + name, itoa(v)));
}

/** Publish a gauge (one writer: the maintenance task). */
export function setGauge(name: string, value: number): void {
  const key = "gauge:" + name;
  if (counts[key] === undefined) {
    counts[key] = 0;
    names = names + (names.length > 0 ? " " : "") + key;
    pcall(() => core.set_map(STORE_MAPS.counters, itoa(core.thread) + ":" + NAMES_KEY, names));
  }
  pcall(() => core.set_map(STORE_MAPS.counters, itoa(core.thread) + ":" + key, itoa(value)));
}
