/** One log line format for every edgeblock event: `edgeblock: <event> k=v ...`, values sanitised. */

function clean(v: string): string {
  let out = "";
  for (let i = 0; i < v.length && i < 200; i++) {
    const c = v.charCodeAt(i);
    out = out + (c < 33 || c > 126 || c === 34 ? "_" : String.fromCharCode(c));
  }
  return out;
}

export function logEvent(level: HaproxyLogLevel, event: string, fields: ReadonlyArray<readonly [string, string | undefined]>): void {
  let line = "edgeblock: " + event;
  for (const [k, v] of fields) line = line + " " + k + "=" + (v === undefined ? "-" : clean(v));
  core.log(level, line);
}
