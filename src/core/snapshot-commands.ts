/**
 * The snapshot's rule entries as ready runtime-API request lines, written beside the snapshot by each
 * compaction, so that a starting process sends them as they are instead of parsing a line per rule in
 * Lua (at 1M rules, parsing was most of a restart's CPU). The file repeats every other snapshot record
 * (maps, keys that need escaping) as its snapshot line, and its last line names the snapshot it was
 * written with: a loader uses it only for that snapshot, and only lines it can vouch for (vouchedBatch).
 */
import { itoa } from "./bytes";
import { RULE_FIELDS, RULE_TABLE_PREFIX } from "./contract";
import { TableField } from "./journal";
import { CLI_BATCH_BYTES, escapeCliArg } from "./runtime-cmd";

export const SNAPSHOT_COMMANDS_FILE = "rules.snapshot.cli";

/** A line of ready commands starts with this; any other line is a snapshot record. */
export const BATCH_MARK = "C ";

/** First line: what the file is. */
export const COMMANDS_HEADER = "# edgeblock snapshot commands v1: a restart sends these instead of replaying rules.snapshot";

const TRAILER = "# for snapshot of ";

/** Last line, written once every other line is: the snapshot's size in bytes and its first line, which the loader checks against the snapshot on disk. */
export function commandsTrailer(snapshotHeaderLine: string, snapshotBytes: number): string {
  return TRAILER + itoa(snapshotBytes) + " bytes: " + snapshotHeaderLine;
}

/** Whether a commands file's last line names this snapshot (its first line and its size). */
export function trailerMatches(line: string, snapshotHeaderLine: string, snapshotBytes: number): boolean {
  return line === commandsTrailer(snapshotHeaderLine, snapshotBytes);
}

/** The command for a rule entry, or undefined when it needs escaping or is not a rule table's (it then stays a record line). */
export function entryCommand(table: string, key: string, fields: readonly TableField[]): string | undefined {
  if (fields.length === 0 || table.substring(0, RULE_TABLE_PREFIX.length) !== RULE_TABLE_PREFIX) return undefined;
  if (escapeCliArg(table) !== table || escapeCliArg(key) !== key) return undefined;
  let cmd = "set table " + table + " key " + key;
  for (const f of fields) cmd = cmd + " data." + f.name + " " + itoa(f.value);
  return cmd;
}

const FIRST = "set table " + RULE_TABLE_PREFIX;
const NEXT = ";" + FIRST;

/**
 * Whether a batch line (without its mark) holds nothing but `set table eb_rules_...` commands: it starts
 * with one, every `;` starts another (keys in it have no `;`, space, tab or backslash: entryCommand), and
 * it ends with a digit.
 * A file that anyone else wrote cannot make the loader run another command.
 */
export function vouchedBatch(batch: string): boolean {
  if (batch.substring(0, FIRST.length) !== FIRST) return false;
  if (batch.indexOf("\n") >= 0 || batch.indexOf("\r") >= 0) return false;
  // a set table line ends with a value: nothing else (`<<` would open a payload) can end the request
  const last = batch.charCodeAt(batch.length - 1);
  if (last < 48 || last > 57) return false;
  return countOf(batch, ";") === countOf(batch, NEXT);
}

/** Commands in a vouched batch. */
export function batchSize(batch: string): number {
  return countOf(batch, ";") + 1;
}

function countOf(s: string, part: string): number {
  let n = 0;
  for (let at = s.indexOf(part); at >= 0; at = s.indexOf(part, at + part.length)) n++;
  return n;
}

/**
 * Joins commands into batch lines of at most CLI_BATCH_BYTES; `emit` gets each line: the mark, the
 * soonest rule expiry in it (0 when none), and the commands. A loader sends a line whose soonest expiry
 * is still ahead as it is, and sifts the others (liveCommands).
 */
export class BatchLines {
  private parts: string[] = [];
  private size = 0;
  private soonest = 0;
  constructor(private readonly emit: (line: string) => void) {}

  add(command: string, expiry: number): void {
    if (this.size + command.length + 1 > CLI_BATCH_BYTES && this.parts.length > 0) this.flush();
    this.parts.push(command);
    this.size = this.size + command.length + 1;
    if (expiry > 0 && (this.soonest === 0 || expiry < this.soonest)) this.soonest = expiry;
  }

  flush(): void {
    if (this.parts.length === 0) return;
    this.emit(batchLine(this.soonest, this.parts.join(";")));
    this.parts = [];
    this.size = 0;
    this.soonest = 0;
  }
}

/** A batch line: the mark, the soonest rule expiry in it (0 when none) and the commands joined by `;`. */
export function batchLine(soonest: number, joined: string): string {
  return BATCH_MARK + itoa(soonest) + " " + joined;
}

/** A batch line's soonest expiry and commands, or undefined when it is not one. */
export function splitBatchLine(line: string): { soonest: number; batch: string } | undefined {
  if (line.substring(0, BATCH_MARK.length) !== BATCH_MARK) return undefined;
  const space = line.indexOf(" ", BATCH_MARK.length);
  if (space < 0) return undefined;
  const digits = line.substring(BATCH_MARK.length, space);
  if (digits.length === 0 || digits.length > 10) return undefined;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return { soonest: Number(digits), batch: line.substring(space + 1) };
}

const EXPIRY = " data." + RULE_FIELDS.expiry + " ";

/** The commands of a vouched batch whose rule is still live at `now` (as isExpiredRecord judges), joined again, and how many were left out. */
export function liveCommands(batch: string, now: number): { kept: string; skipped: number } {
  const kept: string[] = [];
  let skipped = 0;
  for (const cmd of batch.split(";")) {
    const at = cmd.indexOf(EXPIRY);
    let live = 0;
    if (at >= 0) {
      let end = at + EXPIRY.length;
      while (end < cmd.length && cmd.charCodeAt(end) >= 48 && cmd.charCodeAt(end) <= 57) end++;
      live = Number(cmd.substring(at + EXPIRY.length, end));
    }
    if (live > 0 && live <= now) skipped++;
    else kept.push(cmd);
  }
  return { kept: kept.join(";"), skipped };
}
