/**
 * Runtime API (CLI) command text and output parsing, shared by the Lua
 * adapter (which writes rules) and the Node CLI (which lists them).
 */
import { hexValue, parseDecimal, splitOn, trimOws } from "./bytes";

/** Escape one CLI argument: the 2.6 parser splits on space/tab, cuts commands on `;`, and treats `\` as escape. */
export function escapeCliArg(s: string): string {
  // most keys need nothing: four substring searches run in C, the byte loop below in the VM
  if (s.indexOf("\\") < 0 && s.indexOf(";") < 0 && s.indexOf(" ") < 0 && s.indexOf("\t") < 0) return s;
  let out = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 59 || c === 32 || c === 9) {
      out = out + s.substring(start, i) + "\\" + String.fromCharCode(c);
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.substring(start);
}

/**
 * What `set table` answers when a full table could not evict an entry for a new key: on 2.6 eviction
 * examines only 2x(size/256+1) of the oldest entries and gives up on recently touched ones, requeueing
 * them, so the same commands succeed when sent again (at most EVICTION_RETRIES times).
 */
export const NO_ENTRY_ANSWER = "Unable to allocate a new entry";
export const EVICTION_RETRIES = 8;

/**
 * The one eviction retry (the Lua store and the CLI): send the same commands again after `attempt`
 * tries when the answer says a full table gave up, unless the table never purges (on_full: refuse
 * answers "full" for good).
 */
export function retryEviction(output: string, attempt: number, neverPurges: boolean): boolean {
  return !neverPurges && attempt < EVICTION_RETRIES && output.indexOf(NO_ENTRY_ANSWER) >= 0;
}

/** Field values of one rule entry, all unsigned integers. */
export interface RuleEntryData {
  readonly expiry: number;
  readonly answer: number;
  readonly ruleExpiry: number;
  readonly created: number;
  readonly reason: number;
}

/** `clear table ... key` command removing one entry. */
export function clearKeyCommand(table: string, key: string): string {
  return "clear table " + escapeCliArg(table) + " key " + escapeCliArg(key);
}

/** Undo the escaping `show table` applies to keys: `\\` for a backslash, `\xHH` for other bytes. */
export function unescapeDump(s: string): string {
  if (s.indexOf("\\") < 0) return s;
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 92 && i + 1 < s.length) {
      const n = s.charCodeAt(i + 1);
      if (n === 120 && i + 3 < s.length && hexValue(s.charCodeAt(i + 2)) >= 0 && hexValue(s.charCodeAt(i + 3)) >= 0) {
        out = out + String.fromCharCode(hexValue(s.charCodeAt(i + 2)) * 16 + hexValue(s.charCodeAt(i + 3)));
        i = i + 4;
        continue;
      }
      const simple = n === 116 ? 9 : n === 110 ? 10 : n === 114 ? 13 : n === 101 ? 27 : n;
      out = out + String.fromCharCode(simple);
      i = i + 2;
      continue;
    }
    out = out + String.fromCharCode(c);
    i = i + 1;
  }
  return out;
}

/** One entry of a `show table <name>` dump. */
export interface TableEntry {
  readonly key: string;
  /** Milliseconds until the table itself expires the entry. */
  readonly expMs: number;
  /** Data fields by name, e.g. gpt0, http_req_cnt. */
  readonly data: { readonly [field: string]: number };
}

/**
 * Parse one entry line of `show table`:
 * `0x55..: key=/a b use=0 exp=3599 gpt0=1 gpc0=2`. The key runs up to ` use=`,
 * so keys with spaces survive.
 */
export function parseTableLine(line: string): TableEntry | undefined {
  const k = line.indexOf(": key=");
  if (k < 0) return undefined;
  const u = line.indexOf(" use=", k);
  if (u < 0) return undefined;
  const key = unescapeDump(line.substring(k + 6, u));
  const data: { [field: string]: number } = {};
  let expMs = -1;
  for (const word of splitOn(line.substring(u + 1), 32)) {
    const eq = word.indexOf("=");
    if (eq <= 0) continue;
    const name = word.substring(0, eq);
    const v = parseDecimal(word.substring(eq + 1), 999999999999999);
    if (v < 0) continue;
    if (name === "exp") expMs = v;
    else if (name !== "use") data[name] = v;
  }
  return { key, expMs, data };
}

/**
 * From the master CLI's `show proc` answer: whether a worker other than `pid` is still listed among the
 * old workers (a reload's previous process, which may still share the stats socket). Unreadable answers
 * say yes: the caller then keeps addressing its own worker through the master, which is always safe.
 */
export function olderWorkerListed(showProc: string, pid: string): boolean {
  const lines = splitOn(showProc, 10);
  let sawWorkers = false;
  let inOld = false;
  for (const raw of lines) {
    const line = trimOws(raw);
    if (line === "# workers") sawWorkers = true;
    if (line.length > 0 && line.charCodeAt(0) === 35) {
      inOld = line === "# old workers";
      continue;
    }
    if (!inOld || line.length === 0) continue;
    const sp = line.indexOf(" ");
    const first = sp < 0 ? line : line.substring(0, sp);
    if (first !== pid) return true;
  }
  return !sawWorkers;
}

/** One runtime-API request line holds at most this many bytes: below the CLI's 16 kB buffer (tune.bufsize) with room for its reserve. */
export const CLI_BATCH_BYTES = 12000;
