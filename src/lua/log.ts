/** One log line format for every edgeblock event: `edgeblock: <event> k=v ...`, values sanitised. */
import { runEnd } from "../core/bytes";
import { LogStream } from "../core/settings";
import { haproxyMajor } from "./version";

/** Longest value a log field shows. */
const FIELD_MAX = 200;

/** A byte a log value shows as it is: printable ASCII other than `"`. */
function shown(c: number): boolean {
  return c > 32 && c < 127 && c !== 34;
}

function clean(v: string): string {
  const n = v.length < FIELD_MAX ? v.length : FIELD_MAX;
  let out = "";
  let i = 0;
  while (i < n) {
    // runs of bytes shown as they are are copied in one piece ([T] a string per byte made logging most of a learn's cost)
    const j = runEnd(v, i, n, shown);
    if (j > i) {
      if (i === 0 && j === v.length) return v;
      out = out + v.substring(i, j);
      i = j;
    } else {
      out = out + "_";
      i++;
    }
  }
  return out;
}

/** Where events go: through core.log (the log target), or straight to the target's own stream. */
let direct: LuaFile | undefined;

/**
 * [T] HAProxy 2.6 writes every core.log line to stderr as well as to the log target (hlua_sendlog;
 * -db clears `quiet`, -q closes stdio), so with `log stderr` each event appeared twice. When the target
 * is the process's own stdout or stderr, 2.6 gets the line written there once; 3.0+ has
 * tune.lua.log.stderr, whose default (auto) sends no copy when a log target is set.
 */
export function configureLog(stream: LogStream): void {
  const major = haproxyMajor();
  const copiesToStderr = major > 0 && major < 3;
  direct = copiesToStderr && stream === "stderr" ? io.stderr : copiesToStderr && stream === "stdout" ? io.stdout : undefined;
}

export function logEvent(level: HaproxyLogLevel, event: string, fields: ReadonlyArray<readonly [string, string | undefined]>): void {
  let line = "edgeblock: " + event;
  for (const [k, v] of fields) line = line + " " + k + "=" + (v === undefined ? "-" : clean(v));
  if (direct !== undefined) {
    // the rendered target logs at info and above: every edgeblock event is at least info
    direct.write(line + "\n");
    return;
  }
  core.log(level, line);
}
