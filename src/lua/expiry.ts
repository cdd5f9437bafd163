/** Freeing expired rules: a walk for tables up to walk_limit, clears by key for bigger ones. */
import { itoa } from "../core/bytes";
import { RULE_FIELDS, RULE_TABLE_PREFIX } from "../core/contract";
import { escapeCliArg } from "../core/runtime-cmd";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { logEvent } from "./log";
import { CommandBatch, runCli } from "./runtime-api";
import { edgeBackends } from "./rule-tables";
import { pause, slice } from "./slices";

/**
 * Free expired rules. A table up to `walk_limit` entries: one data-filtered clear (a walk, at most
 * ~17 ms). A bigger one is never walked when there is a journal: compaction names the keys that
 * expired and the ExpiredClearer frees them one by one; a bigger table 90% full reports memory
 * pressure (with on_full: refuse, compaction then frees expired entries sooner). Without a journal
 * a bigger table is walked only under that pressure.
 */
export function sweep(settings: Settings, now: number, persist: boolean): boolean {
  let pressure = false;
  for (const be of edgeBackends()) {
    const px = core.backends.get(RULE_TABLE_PREFIX + be);
    const info = px !== undefined && px.stktable !== undefined ? px.stktable.info() : undefined;
    const before = info !== undefined ? info.used : 0;
    // on 2.6 the walk does not yield (125 ms at 1M entries)
    if (info !== undefined && info.used > settings.walkLimit) {
      const full = info.used >= info.size * 0.9;
      if (full) pressure = true;
      if (persist || !full) continue;
    }
    const res = runCli(settings.runtimeApi, ["clear table " + escapeCliArg(RULE_TABLE_PREFIX + be) + " data." + RULE_FIELDS.expiry + " lt " + itoa(now)], 10);
    if (!res.ok) {
      logEvent(core.err, "sweep failed", [["backend", be], ["detail", res.output]]);
      continue;
    }
    const after = px !== undefined && px.stktable !== undefined ? px.stktable.info().used : 0;
    if (before > after) inc("rules_expired", before - after);
  }
  return pressure;
}

/**
 * Clears, key by key, the entries compaction found expired that the live table still holds
 * expired (a key learned again since then is kept). Each `clear table ... key` is O(log n);
 * batches stay below the CLI's buffer and the task yields between them.
 */
export class ExpiredClearer {
  /** The entries of the batch being gathered, to count what its clears freed. */
  private pending: { t: HaproxyStickTable; key: string }[] = [];
  private readonly batch: CommandBatch;
  private freed = 0;
  private seen = 0;
  constructor(
    settings: Settings,
    private readonly now: number,
  ) {
    this.batch = new CommandBatch((cmds) => {
      const res = runCli(settings.runtimeApi, cmds, 10);
      if (!res.ok) logEvent(core.err, "clearing expired rules failed", [["detail", res.output]]);
      // an entry a request is tracking at this moment stays; the table's own expiry or eviction frees it later
      for (const b of this.pending) if (b.t.lookup(b.key) === undefined) this.freed++;
      this.pending = [];
      pause();
    });
  }

  add(table: string, key: string): void {
    this.seen++;
    if (this.seen % 20 === 0) slice();
    const px = core.backends.get(table);
    const t = px === undefined ? undefined : px.stktable;
    if (t === undefined) return;
    const e = t.lookup(key);
    if (e === undefined || (e.get(RULE_FIELDS.expiry) ?? 0) > this.now) return;
    // added after a full batch is sent, so `pending` always matches the batch being gathered
    this.batch.add("clear table " + escapeCliArg(table) + " key " + escapeCliArg(key));
    this.pending.push({ t, key });
  }

  /** Send what is left; returns how many entries were freed. */
  finish(): number {
    this.batch.flush();
    return this.freed;
  }
}
