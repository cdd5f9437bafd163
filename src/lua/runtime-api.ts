/** Minimal runtime API (CLI) client over HAProxy's own cosockets. Yields: actions and tasks only. */

export interface CliResult {
  readonly ok: boolean;
  /** Everything the CLI answered, or the connection error. */
  readonly output: string;
}

/**
 * Send commands in one non-interactive connection (`;`-separated, as the CLI
 * accepts) and read until HAProxy closes it. Commands must be pre-escaped.
 */
export function runCli(address: string, commands: readonly string[], timeoutSeconds: number): CliResult {
  const sock = core.tcp();
  sock.settimeout(timeoutSeconds);
  const [connected, cerr] = sock.connect(address);
  if (connected === undefined) {
    sock.close();
    return { ok: false, output: "connect " + address + ": " + tostring(cerr) };
  }
  let line = "";
  for (let i = 0; i < commands.length; i++) line = line + (i > 0 ? ";" : "") + commands[i];
  const [sent, serr] = sock.send(line + "\n");
  if (sent === undefined) {
    sock.close();
    return { ok: false, output: "send: " + tostring(serr) };
  }
  const [answer, rerr] = sock.receive("*a");
  sock.close();
  if (answer === undefined) return { ok: false, output: "receive: " + tostring(rerr) };
  return { ok: true, output: answer };
}

/** True when a CLI answer to `set table`/`clear table` commands reports no error (they print nothing on success). */
export function cliSucceeded(output: string): boolean {
  for (let i = 0; i < output.length; i++) {
    const c = output.charCodeAt(i);
    if (c !== 10 && c !== 13 && c !== 32) return false;
  }
  return true;
}
