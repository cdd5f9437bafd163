/** Appending to the state journal (used by the store on every change, and by the maintenance task). */
import { formatRecord, JOURNAL_FILE, JournalRecord } from "../core/journal";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { logEvent } from "./log";

/** This process, as written in journal lines. */
export const writer = tostring(core.get_info().get("Pid") ?? "0");

export function statePath(settings: Settings, file: string): string {
  return settings.stateDir + "/" + file;
}

/** Append mutations to the journal. Best effort: a failure is logged and counted, the rule stays learned. */
export function journalAppend(settings: Settings, muts: readonly JournalRecord[]): void {
  if (settings.stateDir.length === 0 || muts.length === 0) return;
  let text = "";
  for (const m of muts) {
    const line = formatRecord(m, writer);
    if (line !== undefined) text = text + line + "\n";
  }
  const [f, err] = io.open(statePath(settings, JOURNAL_FILE), "a");
  if (f === undefined) {
    inc("journal_errors");
    logEvent(core.err, "journal not written", [["detail", tostring(err)]]);
    return;
  }
  f.write(text);
  f.close();
}
