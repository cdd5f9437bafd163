/** Minimal runtime API (CLI) client over HAProxy's own cosockets. Yields: actions and tasks only. */
import { olderWorkerListed, CLI_BATCH_BYTES } from "../core/runtime-cmd";
import { inc } from "./counters";
import { logEvent } from "./log";
import { ownPid } from "./ready";

/**
 * Where this process's own runtime API is. In master-worker mode the workers
 * share the stats socket during a reload, so a starting worker could write into
 * the old worker's tables; with a master CLI (`haproxy -W -S <sock>`, exported
 * as HAPROXY_MASTER_CLI) every command is addressed to this worker by pid.
 */
export interface CliTarget {
  readonly address: string;
  /** `@!<pid> ` in front of every command, or "". */
  readonly prefix: string;
}

let viaMaster: CliTarget | undefined;
const startedAt = core.now().sec;

/**
 * The old worker stops listening on the shared stats socket once it is told to stop, shortly after
 * the new one starts; until then a starting worker goes through the master (a relay that costs CPU
 * and latency on every command), afterwards straight to the socket, which is then its own.
 */
export const MASTER_WINDOW_SECONDS = 30;

export function cliTarget(statsSocket: string): CliTarget {
  if (viaMaster === undefined) {
    const master = os.getenv("HAPROXY_MASTER_CLI");
    if (master !== undefined && master.length > 0) {
      const semi = master.indexOf(";");
      const first = semi >= 0 ? master.substring(0, semi) : master;
      viaMaster = { address: first, prefix: "@!" + ownPid() + " " };
    } else {
      viaMaster = { address: "", prefix: "" };
    }
  }
  if (viaMaster.address !== "" && core.now().sec - startedAt < MASTER_WINDOW_SECONDS && !aloneNow(viaMaster.address)) return viaMaster;
  return { address: statsSocket, prefix: "" };
}

/** No older worker is left: the stats socket is this process's own. Once true, true for good. */
let alone = false;
let aloneCheckedAt = -1;

/**
 * Whether the master lists no older worker (a restart, or a reload whose old worker is gone). Asked at
 * most once a second; an unanswered question keeps the master route. [T] Loading 100k stored rules took
 * 12 s through the master's relay and 3.6 s on the socket: a restart has no older worker to avoid.
 */
function aloneNow(master: string): boolean {
  if (alone) return true;
  const now = core.now().sec;
  if (now === aloneCheckedAt) return false;
  aloneCheckedAt = now;
  const res = exchange(master, "show proc;quit", 2);
  if (res.ok && !olderWorkerListed(res.output, ownPid())) {
    alone = true;
    logEvent(core.info, "runtime API: no older worker listed, commands go to the stats socket", [["socket", master]]);
  }
  return alone;
}

/** True when this process can address its own runtime API during a reload (haproxy -W -S). */
export function hasMasterCli(): boolean {
  const master = os.getenv("HAPROXY_MASTER_CLI");
  return master !== undefined && master.length > 0;
}

/** How long a command keeps retrying to connect to a socket whose accept queue is full. */
export const CONNECT_RETRY_MS = 1500;

export interface CliResult {
  readonly ok: boolean;
  /** Everything the CLI answered, or the connection error. */
  readonly output: string;
}

/**
 * Send commands in one non-interactive connection (`;`-separated, as the CLI
 * accepts) and read until HAProxy closes it. Commands must be pre-escaped.
 */
/**
 * One request line of commands already joined by `;` (a batch line of the snapshot's commands file): sent
 * as it is, or with each command addressed to this worker when it goes through the master CLI.
 */
export function runCliJoined(statsSocket: string, joined: string, timeoutSeconds: number): CliResult {
  // the route is chosen once: the prefixes written here must be the ones the line is sent with
  const target = cliTarget(statsSocket);
  const [each] = target.prefix.length === 0 ? [joined] : string.gsub(joined, ";", ";" + target.prefix);
  return sendLine(target, [each], timeoutSeconds);
}

export function runCli(statsSocket: string, commands: readonly string[], timeoutSeconds: number): CliResult {
  return sendLine(cliTarget(statsSocket), commands, timeoutSeconds);
}

function sendLine(target: CliTarget, commands: readonly string[], timeoutSeconds: number): CliResult {
  const address = target.address;
  const conn = connectRetrying(address, timeoutSeconds);
  const sock = conn.sock;
  if (sock === undefined) return { ok: false, output: "connect " + address + ": " + conn.error };
  // one table.concat, not a string rebuilt per command (batches hold ~100 commands)
  let line = target.prefix.length > 0 ? target.prefix + commands.join(";" + target.prefix) : commands.join(";");
  // the master CLI keeps a connection open until the client half-closes, which cosockets cannot: say quit
  if (target.prefix.length > 0) {
    line = line + ";quit";
    inc("runtime_api_via_master");
  }
  return converse(sock, line);
}

/**
 * Connect, backing off up to CONNECT_RETRY_MS: under a burst of learns the accept queue can stay full while
 * the machine is busy (the master CLI's backlog is small), and a starting master accepts a moment after its worker runs.
 */
function connectRetrying(address: string, timeoutSeconds: number): { sock?: HaproxySocket; error: string } {
  let conn = connectOnce(address, timeoutSeconds);
  let wait = 2;
  for (let waited = 0; conn.sock === undefined && waited < CONNECT_RETRY_MS; waited = waited + wait, wait = Math.min(wait * 2, 100)) {
    core.msleep(wait);
    conn = connectOnce(address, timeoutSeconds);
  }
  return conn;
}

/** One request line on a fresh connection, and everything answered. */
function exchange(address: string, line: string, timeoutSeconds: number): CliResult {
  const conn = connectRetrying(address, timeoutSeconds);
  if (conn.sock === undefined) return { ok: false, output: "connect " + address + ": " + conn.error };
  return converse(conn.sock, line);
}

/** Send one request line on a connected socket, read until HAProxy closes it, and close. */
function converse(sock: HaproxySocket, line: string): CliResult {
  const [ok, res] = pcall((): CliResult => {
    const [sent, serr] = sock.send(line + "\n");
    if (sent === undefined) return { ok: false, output: "send: " + tostring(serr) };
    const [answer, rerr] = sock.receive("*a");
    if (answer === undefined) return { ok: false, output: "receive: " + tostring(rerr) };
    return { ok: true, output: answer };
  });
  pcall(() => sock.close());
  return ok ? (res as CliResult) : { ok: false, output: "socket: " + tostring(res) };
}

/**
 * One connection attempt. Socket methods can raise instead of returning an error (seen here under load:
 * "socket: not yet initialised" from settimeout, which killed the maintenance task): a failed attempt, not a crash.
 */
function connectOnce(address: string, timeoutSeconds: number): { sock?: HaproxySocket; error: string } {
  const [ok, res] = pcall((): { sock?: HaproxySocket; error: string } => {
    const s = core.tcp();
    s.settimeout(timeoutSeconds);
    const [connected, cerr] = s.connect(address);
    if (connected === undefined) {
      s.close();
      return { error: tostring(cerr) };
    }
    return { sock: s, error: "" };
  });
  return ok ? (res as { sock?: HaproxySocket; error: string }) : { error: tostring(res) };
}

/** True when a CLI answer to `set table`/`clear table` commands reports no error (they print nothing on success). */
export function cliSucceeded(output: string): boolean {
  for (let i = 0; i < output.length; i++) {
    const c = output.charCodeAt(i);
    if (c !== 10 && c !== 13 && c !== 32) return false;
  }
  return true;
}


/** Commands gathered into request lines of at most CLI_BATCH_BYTES; `send` gets each full batch, in order. */
export class CommandBatch {
  private cmds: string[] = [];
  private size = 0;
  constructor(private readonly send: (cmds: string[]) => void) {}

  add(command: string): void {
    if (this.size + command.length > CLI_BATCH_BYTES) this.flush();
    this.cmds.push(command);
    this.size = this.size + command.length + 1;
  }

  flush(): void {
    if (this.cmds.length === 0) return;
    const cmds = this.cmds;
    this.cmds = [];
    this.size = 0;
    this.send(cmds);
  }
}
