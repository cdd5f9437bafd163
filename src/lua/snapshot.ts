/** Compaction: a new snapshot streamed from the old one and the rotated journal. */
import { itoa } from "../core/bytes";
import { RULE_FIELDS, RULE_TABLE_PREFIX } from "../core/contract";
import { Compactor, EntryVerdict } from "../core/compact";
import { formatRecord, JOURNAL_FILE, JOURNAL_OLD_FILE, SNAPSHOT_FILE, snapshotHeader } from "../core/journal";
import { Settings } from "../core/settings";
import { inc, setGauge } from "./counters";
import { ExpiredClearer } from "./expiry";
import { statePath as path, writer } from "./journal-file";
import { logEvent } from "./log";
import { isStopping } from "./ready";
import { eachRecord, exists, MAP_LINES, readFrom, TABLE_LINES } from "./state-files";
import { longestSliceMs, msNow, slice, startSlices } from "./slices";
import { applyMutations } from "./store";
import { CheckedFile } from "./checked-file";
import { batchLine, COMMANDS_HEADER, commandsTrailer, SNAPSHOT_COMMANDS_FILE } from "../core/snapshot-commands";
import { CLI_BATCH_BYTES } from "../core/runtime-cmd";
import { clusterPrune } from "../core/cluster-sync";
import { ruleLive } from "./store";

/** How long compactions leave the commands file out after a snapshot failed while writing both. */
const COMMANDS_PAUSE_S = 3600;
let commandsPausedUntil = 0;

/**
 * Compact: rotate the journal, then stream snapshot + rotated journal through the Compactor
 * (core/compact.ts) into a temp file renamed over the snapshot. Memory follows the journal, not
 * the store: the old snapshot is read twice (its maps, then its entries one by one). Also frees
 * the entries that expired (clear by key), drops map entries whose rules are gone, and publishes
 * the rule census. Never reads the live tables wholesale (see core/compact.ts).
 */
export function snapshot(settings: Settings, now: number): { nextExpiry: number; rotated: boolean } | undefined {
  // an old journal left by an interrupted snapshot (or a process that stopped mid-way) holds records the
  // snapshot may lack: fold it in this time instead of overwriting it with a new rotation
  const rotated = !exists(path(settings, JOURNAL_OLD_FILE));
  if (rotated && exists(path(settings, JOURNAL_FILE))) {
    const [ok, err] = os.rename(path(settings, JOURNAL_FILE), path(settings, JOURNAL_OLD_FILE));
    if (ok === undefined) {
      // a read-only folder: nothing can be compacted, and the journal stays as it is
      inc("snapshot_errors");
      logEvent(core.err, "snapshot not written", [["detail", "journal rotation: " + tostring(err)], ["kept", "previous snapshot and journal"]]);
      return undefined;
    }
  }
  const t0 = msNow();
  startSlices();
  const c = new Compactor(now, slice);
  eachRecord(path(settings, SNAPSHOT_FILE), MAP_LINES, (r) => c.foldSnapshotMap(r));
  readFrom(path(settings, JOURNAL_OLD_FILE), 0, undefined, { push: (r) => c.foldJournal(r), flush: () => undefined });
  c.prepare();
  const t1 = msNow();
  const tmp = path(settings, SNAPSHOT_FILE) + ".tmp." + writer();
  const out = new CheckedFile(tmp);
  const head = snapshotHeader(now, writer());
  out.write(head + "\n");
  // the same records as ready runtime-API lines, for a restart (core/snapshot-commands.ts); its last line names this snapshot.
  // After a failed snapshot it is left out for a while: a disk that holds the snapshot alone must still get it
  const cmdsFile = path(settings, SNAPSHOT_COMMANDS_FILE);
  const cmdsTmp = cmdsFile + ".tmp." + writer();
  const withCommands = now >= commandsPausedUntil;
  if (!withCommands) os.remove(cmdsFile);
  const cmds = withCommands ? new CheckedFile(cmdsTmp) : undefined;
  cmds?.write(COMMANDS_HEADER + "\n");
  const batches = new LineBatches((l) => cmds?.write(l + "\n"));
  const clearer = new ExpiredClearer(settings, now);
  let records = 0;
  const emit = (table: string, key: string, v: EntryVerdict, line: string | undefined) => {
    if (v.keep) {
      const text = !v.merged && line !== undefined ? line : formatRecord({ kind: "table", table, key, fields: v.fields }, writer());
      if (text !== undefined) {
        out.write(text + "\n");
        if (cmds !== undefined && !batches.add(text)) cmds.write(text + "\n");
      }
      records++;
    } else if (v.expired) clearer.add(table, key);
  };
  eachRecord(path(settings, SNAPSHOT_FILE), TABLE_LINES, (r, line) => {
    if (r.kind === "table") emit(r.table, r.key, c.snapshotEntry(r.table, r.key, r.fields), line);
  });
  for (const j of c.journalEntries()) emit(j.table, j.key, j.verdict, undefined);
  batches.flush();
  const fin = c.finish();
  for (const m of fin.maps) {
    const line = formatRecord(m, writer());
    if (line !== undefined) {
      out.write(line + "\n");
      cmds?.write(line + "\n");
    }
    records++;
  }
  // nothing the new snapshot replaces is removed unless it is on disk in full: written, flushed, sized
  const failure = out.finish();
  const t2 = msNow();
  // from here on, every way out but the end drops the commands file being written
  const dropCommands = () => {
    if (cmds === undefined) return;
    cmds.finish();
    os.remove(cmdsTmp);
  };
  if (failure !== undefined) {
    dropCommands();
    if (withCommands) {
      commandsPausedUntil = now + COMMANDS_PAUSE_S;
      logEvent(core.warning, "snapshot commands file left out of the next compactions", [["seconds", itoa(COMMANDS_PAUSE_S)], ["reason", "a snapshot failed while it was written too"]]);
    }
    os.remove(tmp);
    inc("snapshot_errors");
    logEvent(core.err, "snapshot not written", [["detail", failure], ["kept", "previous snapshot and journal"]]);
    return undefined;
  }
  if (isStopping()) {
    // a stopping process must not overwrite what the new one writes
    dropCommands();
    os.remove(tmp);
    return undefined;
  }
  const [renamed, rerr] = os.rename(tmp, path(settings, SNAPSHOT_FILE));
  if (renamed === undefined) {
    dropCommands();
    os.remove(tmp);
    inc("snapshot_errors");
    logEvent(core.err, "snapshot not written", [["detail", "rename: " + tostring(rerr)], ["kept", "previous snapshot and journal"]]);
    return undefined;
  }
  os.remove(path(settings, JOURNAL_OLD_FILE));
  if (cmds !== undefined) writeCommands(settings, cmds, cmdsTmp, head, out.written());
  // a cluster node's records hold only its own rules: it prunes by its live tables (core/cluster-sync.ts)
  const prune = settings.clusterNode.length > 0 ? clusterPrune(fin.prune, ruleLive) : fin.prune;
  if (prune.length > 0) applyMutations(settings, prune, [], isStopping, true);
  const freed = clearer.finish();
  const t3 = msNow();
  if (freed > 0) inc("rules_expired", freed);
  for (const k of fin.census) {
    setGauge("rules_active:" + k.backend + ":enforce", k.enforce);
    setGauge("rules_active:" + k.backend + ":dry-run", k.dryRun);
  }
  logEvent(core.info, "snapshot written", [
    ["records", itoa(records)],
    ["map_entries_pruned", itoa(prune.length)],
    ["expired_freed", itoa(freed)],
    ["ms", itoa(t1 - t0) + "/" + itoa(t2 - t1) + "/" + itoa(t3 - t2)],
    ["longest_slice_ms", itoa(longestSliceMs())],
  ]);
  return { nextExpiry: fin.nextExpiry, rotated };
}

/**
 * The commands file of the snapshot just renamed into place. A failure loses nothing: a restart then
 * finds no file, or one whose header names another snapshot, and replays the snapshot itself.
 */
function writeCommands(settings: Settings, cmds: CheckedFile, tmp: string, head: string, snapshotBytes: number): void {
  cmds.write(commandsTrailer(head, snapshotBytes) + "\n");
  let failure = cmds.finish();
  if (failure === undefined) {
    const [renamed, rerr] = os.rename(tmp, path(settings, SNAPSHOT_COMMANDS_FILE));
    if (renamed === undefined) failure = "rename: " + tostring(rerr);
  }
  if (failure !== undefined) {
    os.remove(tmp);
    inc("snapshot_errors");
    logEvent(core.err, "snapshot commands file not written", [["detail", failure], ["kept", "the snapshot, which a restart replays instead"]]);
  }
}

/** A snapshot line that becomes a command as it is: a rule table's, with a key that needs no escaping and holds no `=` or `,`. */
const PLAIN_RULE_LINE = "^T\t[^\t]*\t" + RULE_TABLE_PREFIX + "[^\t\r\n;\\ =,]*\t[^\t\r\n;\\ =,]+\t[^\t]+$";
/** Bytes a line can grow by as a command (`set table`, `key`, `data.` per field): the lines of a batch stay under the CLI's buffer. */
const GROWTH = 64;

/**
 * Rule-table lines of the snapshot turned into batch lines of set table commands, a batch at a time by
 * the string library in C: the same commands as core's entryCommand and BatchLines (a per-record build in
 * the Lua VM added 34 s to a 1M-rule compaction, one per line still 18 s).
 */
class LineBatches {
  private lines: string[] = [];
  private size = 0;
  constructor(private readonly emit: (line: string) => void) {}

  /** Takes the line when it can become a command; false when it stays a record line. */
  add(line: string): boolean {
    const [at] = string.find(line, PLAIN_RULE_LINE);
    if (at === undefined) return false;
    if (this.size + line.length + GROWTH > CLI_BATCH_BYTES && this.lines.length > 0) this.flush();
    this.lines.push(line);
    this.size = this.size + line.length + GROWTH;
    return true;
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const text = this.lines.join("\n");
    this.lines = [];
    this.size = 0;
    let soonest = 0;
    for (const [v] of string.gmatch(text, "[\t,]" + RULE_FIELDS.expiry + "=(%d+)")) {
      const n = tonumber(v) as number;
      if (n > 0 && (soonest === 0 || n < soonest)) soonest = n;
    }
    const [cmds] = string.gsub(text, "T\t[^\t\n]*\t([^\t\n]*)\t([^\t\n]*)\t([^\t\n]*)", "set table %1 key %2 data.%3");
    const [spaced] = string.gsub(cmds, "=", " ");
    const [fields] = string.gsub(spaced, ",", " data.");
    const [joined] = string.gsub(fields, "\n", ";");
    this.emit(batchLine(soonest, joined));
  }
}
