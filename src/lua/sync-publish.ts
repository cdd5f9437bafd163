/**
 * Cluster: a node's own map writes, published in the replicated sync table in the same runtime-API
 * call as the rest of a learn (lua/cluster-sync.ts applies the other nodes' ones).
 */
import { itoa } from "../core/bytes";
import { reassertions, syncCommands, syncKeyLength, syncStamp } from "../core/cluster-sync";
import { JournalRecord } from "../core/journal";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { logEvent } from "./log";

/** Map key (file TAB key) -> stamp of the record this node applied or wrote itself. */
export const applied: { [group: string]: number } = {};

/** Add the sync-table writes of `muts`' map records to `cmds` (sent in the same runtime-API call). */
export function publishMapWrites(settings: Settings, muts: readonly JournalRecord[], cmds: string[]): void {
  const now = core.now();
  const out = syncCommands(muts, settings.clusterNode, now.sec, now.usec, syncKeyLength(settings.maxKeyLength, settings.maxBodyBytes));
  for (const c of out.cmds) cmds.push(c);
  const stamp = syncStamp(now.sec, now.usec);
  for (const m of muts) if (m.kind !== "table") applied[m.file + "\t" + m.key] = stamp;
  if (out.tooLong > 0) {
    inc("cluster_sync_too_long", out.tooLong);
    logEvent(core.warning, "map write too long for the cluster's sync table: other nodes do not get it", [["records", itoa(out.tooLong)]]);
  }
}

/** Map writes this node makes for itself (a compaction's pruning): not published, and the next full read may apply the cluster's record again. */
export function forgetApplied(muts: readonly JournalRecord[]): void {
  for (const m of muts) if (m.kind !== "table") delete applied[m.file + "\t" + m.key];
}

/** Removals this node writes again (core/cluster-sync.ts REASSERT_AFTER_MS), each with the time it is due next. */
export interface Reassertion {
  readonly table: string;
  readonly key: string;
  readonly stamp: number;
  readonly command: string;
  readonly start: number;
  next: number;
}
export const reassertQueue: Reassertion[] = [];

/** Queue the removals among `muts` to be written again (a cluster node's; the sync task writes them). */
export function queueReassertions(muts: readonly JournalRecord[]): void {
  const now = core.now();
  const ms = now.sec * 1000 + Math.floor(now.usec / 1000);
  for (const r of reassertions(muts)) reassertQueue.push({ ...r, start: ms, next: 0 });
}
