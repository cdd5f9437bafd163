/** One log line format for every edgeblock event: `edgeblock: <event> k=v ...`, values sanitised. */
import { LogStream } from "../core/settings";
import { haproxyMajor } from "./version";

/** Longest value a log field shows. */
const FIELD_MAX = 200;

/**
 * Bytes a log value shows as `_`: outside printable ASCII, and `"` (a Lua pattern, run by the string library in C:
 * [T] a byte loop in Lua made logging a third of a learn's instructions).
 */
const HIDDEN = "[^!#-~]";

function clean(v: string): string {
  const [out] = string.gsub(v.length > FIELD_MAX ? string.sub(v, 1, FIELD_MAX) : v, HIDDEN, "_");
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
