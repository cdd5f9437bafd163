/**
 * Appending to the state journal (used by the store on every change, and by the maintenance task).
 * A failed append (full disk, read-only folder) loses nothing while the process lives: the lines
 * wait in memory and go out with the next append or the next upkeep second.
 */
import { itoa } from "../core/bytes";
import { formatRecord, JOURNAL_FILE, JournalRecord, TORN_MARK } from "../core/journal";
import { Settings } from "../core/settings";
import { inc, setGauge } from "./counters";
import { logEvent } from "./log";
import { CheckedLuaFile } from "./checked-file";
import { ownPid } from "./ready";

/**
 * This process, as written in journal lines: the worker's pid, read at first use. [T] A load-time read gave
 * the master's pid (it loads blocks.lua before forking), the same for the old and the new worker of a reload,
 * so the new one took the old one's handed-over lines for its own and skipped them while tailing.
 */
export function writer(): string {
  return ownPid();
}

export function statePath(settings: Settings, file: string): string {
  return settings.stateDir + "/" + file;
}

/** Journal text not yet written (this Lua state's), oldest first. */
let backlog: string[] = [];
let backlogBytes = 0;
/** A failed append may have left a partial last line: the next append marks it torn (core/journal.ts). */
let mayBePartial = false;
/** Whether this Lua state has looked at the journal's last byte yet. */
let tailChecked = false;

/** A writer that crashed mid-line left the journal without its final newline: the first append of this state marks that line torn, instead of being glued to it. */
function checkTail(file: string): void {
  if (tailChecked) return;
  tailChecked = true;
  const [f] = io.open(file, "r");
  if (f === undefined) return;
  const [size] = f.seek("end");
  if (size !== undefined && size > 0) {
    f.seek("set", size - 1);
    if (f.read(1) !== "\n") {
      // another writer may be in the middle of its line (a thread's state, a stopping worker): torn only if it stays so
      core.msleep(20);
      const [again] = f.seek("end");
      f.seek("set", (again ?? size) - 1);
      if (again === size && f.read(1) !== "\n") mayBePartial = true;
    }
  }
  f.close();
}

/**
 * Most journal text kept in memory while the state folder cannot be written (per Lua state).
 * Beyond it the oldest lines are dropped and counted: the rules stay live, only their copy on disk is lost.
 */
export const BACKLOG_MAX_BYTES = 32 * 1024 * 1024;

/** Write `text` at the end of `file`, checking every step (buffered writes fail at flush or close). */
export function appendAll(file: string, text: string): string | undefined {
  const [opened, err] = io.open(file, "a");
  if (opened === undefined) return tostring(err);
  const f = opened as unknown as CheckedLuaFile;
  const [w, werr] = f.write(text);
  if (w === undefined) {
    f.close();
    return "write: " + tostring(werr);
  }
  const [fl, ferr] = f.flush();
  if (fl === undefined) {
    f.close();
    return "flush: " + tostring(ferr);
  }
  const [c, cerr] = f.close();
  if (c === undefined) return "close: " + tostring(cerr);
  return undefined;
}

/** Journal lines waiting in memory (for the metrics gauge and the tests). */
export function backlogSize(): { lines: number; bytes: number } {
  return { lines: backlog.length, bytes: backlogBytes };
}

function publishBacklog(): void {
  setGauge("journal_backlog_bytes", backlogBytes);
}

/** Try to write every waiting line. True when nothing is left waiting. */
export function flushBacklog(settings: Settings): boolean {
  if (backlog.length === 0) return true;
  const text = (mayBePartial ? TORN_MARK + "\n" : "") + backlog.join("");
  const error = appendAll(statePath(settings, JOURNAL_FILE), text);
  if (error !== undefined) {
    mayBePartial = true;
    return false;
  }
  logEvent(core.notice, "journal written again", [["lines", itoa(backlog.length)], ["bytes", itoa(backlogBytes)]]);
  backlog = [];
  backlogBytes = 0;
  mayBePartial = false;
  publishBacklog();
  return true;
}

function keep(text: string): void {
  backlog.push(text);
  backlogBytes = backlogBytes + text.length;
  let dropped = 0;
  while (backlogBytes > BACKLOG_MAX_BYTES && backlog.length > 1) {
    const old = backlog.shift() as string;
    backlogBytes = backlogBytes - old.length;
    dropped++;
  }
  if (dropped > 0) {
    inc("journal_dropped", dropped);
    logEvent(core.err, "journal lines dropped", [["appends", itoa(dropped)], ["reason", "backlog over " + itoa(BACKLOG_MAX_BYTES) + " bytes"]]);
  }
  publishBacklog();
}

/** Append mutations to the journal. A failure is logged and counted, the rule stays learned, and the lines wait. */
export function journalAppend(settings: Settings, muts: readonly JournalRecord[]): void {
  if (settings.stateDir.length === 0 || muts.length === 0) return;
  const lines: string[] = [];
  for (const m of muts) {
    const line = formatRecord(m, writer());
    if (line !== undefined) lines.push(line + "\n");
  }
  if (lines.length === 0) return;
  const text = lines.join("");
  checkTail(statePath(settings, JOURNAL_FILE));
  // order matters (a later record wins on replay): waiting lines go first, after the torn-line mark if one is due
  if (backlog.length > 0 || mayBePartial) {
    keep(text);
    if (!flushBacklog(settings)) {
      inc("journal_errors");
      logEvent(core.err, "journal not written", [["detail", "earlier lines still waiting"], ["waiting_bytes", itoa(backlogBytes)]]);
    }
    return;
  }
  const error = appendAll(statePath(settings, JOURNAL_FILE), text);
  if (error !== undefined) {
    mayBePartial = true;
    keep(text);
    inc("journal_errors");
    logEvent(core.err, "journal not written", [["detail", error], ["waiting_bytes", itoa(backlogBytes)]]);
  }
}
