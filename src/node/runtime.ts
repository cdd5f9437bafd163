/** HAProxy runtime API client for the Node side, with errors an operator can act on. */
import { appendFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { formatRecord, JOURNAL_FILE, JournalRecord } from "../core/journal";

export class RuntimeApiError extends Error {
  constructor(
    message: string,
    /** missing | permission | not-running | level | timeout | other */
    readonly kind: string,
  ) {
    super(message);
  }
}

/** `unix@/path`, `/path`, or `host:port`. */
export function parseAddress(addr: string): net.NetConnectOpts {
  const a = addr.startsWith("unix@") ? addr.slice(5) : addr;
  if (a.startsWith("/") || a.startsWith(".")) return { path: a };
  const m = /^(.*):(\d+)$/.exec(a.replace(/^ipv4@/, ""));
  if (!m) throw new RuntimeApiError(`bad runtime API address ${JSON.stringify(addr)}: use a socket path or host:port`, "other");
  return { host: m[1], port: Number(m[2]) };
}

/** Run commands (`;`-joined, one connection) and return the output. */
export function runtimeCommand(addr: string, commands: readonly string[], timeoutMs = 30_000): Promise<string> {
  const opts = parseAddress(addr);
  return new Promise((resolve, reject) => {
    const s = net.connect(opts);
    let out = "";
    const where = "path" in opts ? opts.path : `${opts.host}:${opts.port}`;
    s.setEncoding("latin1");
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new RuntimeApiError(`runtime API at ${where} did not answer within ${timeoutMs} ms`, "timeout"));
    });
    s.on("data", (d) => (out += d));
    s.on("end", () => {
      if (/^Permission denied/m.test(out)) {
        reject(new RuntimeApiError(`the runtime API at ${where} refused the command: its level is too low (edgeblock needs "level admin" on the stats socket)`, "level"));
      } else resolve(out);
    });
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") reject(new RuntimeApiError(`no runtime API socket at ${where}: is HAProxy running with this config (stats socket ... level admin)?`, "missing"));
      else if (e.code === "EACCES") reject(new RuntimeApiError(`permission denied on ${where}: run as the user that owns the socket, or change its mode`, "permission"));
      else if (e.code === "ECONNREFUSED") reject(new RuntimeApiError(`nothing listens on ${where}: HAProxy is not running (stale socket?)`, "not-running"));
      else reject(new RuntimeApiError(`runtime API at ${where}: ${e.message}`, "other"));
    });
    s.write(commands.join(";") + "\n");
  });
}

/** Append records to the journal so that operator changes survive reloads like learned rules do. */
export function journalAppend(stateDir: string, records: readonly JournalRecord[]): void {
  if (!stateDir) return;
  const lines = records.map((r) => formatRecord(r, `cli-${process.pid}`)).filter((l): l is string => l !== undefined);
  if (lines.length > 0) appendFileSync(path.join(stateDir, JOURNAL_FILE), lines.join("\n") + "\n");
}
