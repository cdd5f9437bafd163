// HAProxy runtime API (CLI) over its unix socket: one-shot commands and a pipelined bulk loader.
"use strict";
const net = require("node:net");

/** One command line on a fresh (non-interactive) connection; resolves with everything HAProxy answered. */
function cliOnce(socket, line) {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    let out = "";
    s.setEncoding("latin1");
    s.on("data", (d) => (out += d));
    s.on("end", () => resolve(out));
    s.on("error", reject);
    s.setTimeout(30000, () => s.destroy(new Error(`runtime API timeout: ${line.slice(0, 80)}`)));
    s.write(line + "\n");
  });
}

/**
 * cliOnce, retried while the socket is busy: the runtime API accepts `stats maxconn` (10 by default,
 * 64 on edgeblock's socket) connections at once, and edgeblock's own learning holds some while it writes rules.
 */
async function cli(socket, line) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await cliOnce(socket, line);
    } catch (e) {
      if (attempt >= 50 || !["EAGAIN", "ECONNREFUSED"].includes(e.code)) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/**
 * Send many commands on one interactive (`prompt`) connection, one per line, keeping at most `window`
 * lines in flight. In interactive mode each line is answered by its output and a prompt ([T] 2.6
 * answers every `;`-separated command with a prompt, 3.x the whole line once, so lines carry one
 * command). Commands that succeed print nothing; any other output is collected and returned (the
 * caller decides whether it is an error).
 */
function bulk(socket, commands, { perLine = 1, window = 3200, timeoutMs = 300000 } = {}) {
  const lines = [];
  for (let i = 0; i < commands.length; i += perLine) lines.push(commands.slice(i, i + perLine).join(";"));
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    s.setEncoding("latin1");
    let sent = 0; // lines
    let sentCmds = 0;
    let answered = -1; // commands; the `prompt` command itself answers with a prompt too
    let pending = "";
    const problems = [];
    const timer = setTimeout(() => s.destroy(new Error(`bulk load timed out after ${answered}/${commands.length} commands`)), timeoutMs);
    const pump = () => {
      let chunk = "";
      while (sent < lines.length && sentCmds - answered < window * perLine) {
        sentCmds += Math.min(perLine, commands.length - sent * perLine);
        chunk += lines[sent++] + "\n";
      }
      if (chunk) s.write(chunk);
      if (answered === commands.length) {
        clearTimeout(timer);
        s.end("quit\n");
        resolve(problems);
      }
    };
    s.on("data", (d) => {
      pending += d;
      let i;
      while ((i = pending.indexOf("\n> ")) >= 0) {
        const text = pending.slice(0, i).trim();
        if (text && problems.length < 20) problems.push(text);
        pending = pending.slice(i + 3);
        answered++;
      }
      pump();
    });
    s.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on("connect", () => {
      s.write("prompt\n");
      pump();
    });
  });
}

/** `used` count of a stick table, from the header line of `show table <name>` (without dumping entries). */
async function tableUsed(socket, table) {
  const out = await cli(socket, "show table");
  const m = new RegExp(`# table: ${table}, type: \\S+, size:\\d+, used:(\\d+)`).exec(out);
  if (!m) throw new Error(`no table ${table} in: ${out.slice(0, 200)}`);
  return Number(m[1]);
}

module.exports = { cli, bulk, tableUsed };
