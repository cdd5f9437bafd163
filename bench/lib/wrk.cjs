// wrk: make sure it is installed, run it, parse what it prints.
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const procs = require("./procs.cjs");

const SCRIPTS = path.resolve(__dirname, "..");

function has(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Install wrk with apt-get when it is missing (sudo -n when not root), or say exactly what to run. */
function ensureWrk(say) {
  if (has("wrk")) return;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const pre = root ? [] : ["sudo", "-n"];
  const manual = `${root ? "" : "sudo "}apt-get update && ${root ? "" : "sudo "}apt-get install -y wrk`;
  if (!has("apt-get") || (!root && !has("sudo"))) {
    say(`wrk is not installed and cannot be installed automatically here. Run:\n  ${manual}`);
    process.exit(1);
  }
  say("wrk is not installed: installing Debian's wrk package (apt-get install -y wrk).");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "wrk"]]) {
    const cmd = [...pre, "apt-get", ...args];
    say(`$ ${cmd.join(" ")}`);
    const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ["ignore", "inherit", "inherit"], env });
    if (r.status !== 0) break;
  }
  if (!has("wrk")) {
    say(`Installing wrk failed. Run this yourself, then try again:\n  ${manual}`);
    process.exit(1);
  }
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000 };

function ms(text) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : NaN;
}

/** Parse wrk's report (with --latency). Latencies in ms. */
function parse(out) {
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : NaN;
  };
  const lat = /^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(out);
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out);
    return m ? ms(m[1]) : NaN;
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests: num(/(\d+) requests in/),
    seconds: (() => {
      const m = /requests in ([\d.]+\w+),/.exec(out);
      return m ? ms(m[1]) / 1000 : NaN;
    })(),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: pct(50),
    p99: pct(99),
    max: lat ? ms(lat[3]) : NaN,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
    socketErrors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    timeouts: errors ? Number(errors[4]) : 0,
  };
}

/**
 * Start wrk against 127.0.0.1:port. `script` is a file under bench/, `args` go after `--`.
 * Returns { done: Promise<parsed result>, interrupt() } ; interrupt() sends SIGINT, on which wrk
 * stops and still prints its report. wrk takes whole seconds only: shorter runs are interrupted.
 */
function start({ port, seconds, connections = 16, script, args = [], timeout = "10s" }) {
  const whole = Number.isInteger(seconds);
  const argv = ["-t1", `-c${connections}`, `-d${whole ? seconds : Math.ceil(seconds) + 1}s`, `--timeout`, timeout, "--latency", "-s", path.join(SCRIPTS, script), `http://127.0.0.1:${port}`, "--", ...args];
  const child = procs.track(procs.spawn("wrk", argv, { stdio: ["ignore", "pipe", "pipe"] }), "wrk");
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const interrupt = () => procs.alive(child) && process.kill(child.pid, "SIGINT");
  const timer = whole ? undefined : setTimeout(interrupt, seconds * 1000);
  const done = new Promise((resolve, reject) => {
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const r = parse(out);
      if (!Number.isFinite(r.requests)) reject(new Error(`wrk failed (${code ?? signal}): ${argv.join(" ")}\n${out}`));
      else resolve({ ...r, raw: out });
    });
  });
  done.catch(() => {}); // a run abandoned on error must not crash the cleanup
  return { done, interrupt, exited: () => !procs.alive(child) };
}

function run(opts) {
  return start(opts).done;
}

module.exports = { ensureWrk, start, run, parse };
