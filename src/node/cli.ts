#!/usr/bin/env node
/**
 * `edgeblock` command line. Exit codes: 0 ok, 1 operation failed,
 * 2 usage error, 3 invalid config, 4 haproxy -c rejected the rendered config.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ConfigError, ConfigInvalid, EdgeConfig, loadConfig } from "./config";
import { renderToDisk } from "./render";
import { checkStaticMap, readStaticMap } from "./static-map";

export const EXIT = { ok: 0, failed: 1, usage: 2, config: 3, haproxy: 4 } as const;

interface Io {
  out(s: string): void;
  err(s: string): void;
}

const USAGE = `edgeblock: let backends block garbage requests at the HAProxy edge

Usage:
  edgeblock render --config <file> [--out <dir>]   validate, render haproxy.cfg, run haproxy -c
  edgeblock check  --config <file> [--out <dir>]   the same, and say what is wrong if anything
  edgeblock --help

Exit codes: 0 ok, 1 failed, 2 usage, 3 invalid config, 4 haproxy -c failed.
`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  return args[i + 1];
}

function formatErrors(file: string, errors: readonly ConfigError[]): string {
  return errors.map((e) => `${file}:${e.line}: ${e.field}: ${e.message}`).join("\n") + "\n";
}

/** Validate everything a config refers to. Returns the errors (empty when fine). */
function validateAll(c: EdgeConfig): { file: string; errors: ConfigError[] }[] {
  const problems: { file: string; errors: ConfigError[] }[] = [];
  const sm = checkStaticMap(readStaticMap(c.staticMap), c.paths, c.rules.allowedStatuses, c.rules.maxKeyLength);
  if (sm.errors.length > 0) problems.push({ file: c.staticMap, errors: sm.errors });
  return problems;
}

/** `haproxy -c` on the rendered file, from its folder (relative paths are relative to it). */
export function haproxyCheck(cfgFile: string): { ok: boolean; output: string } {
  const r = spawnSync("haproxy", ["-c", "-f", path.basename(cfgFile)], { cwd: path.dirname(cfgFile), encoding: "utf8" });
  if (r.error) return { ok: false, output: `cannot run haproxy: ${r.error.message}` };
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function renderCommand(args: string[], io: Io): number {
  const file = option(args, "--config");
  if (!file) {
    io.err("edgeblock render: --config <file> is required\n");
    return EXIT.usage;
  }
  let c: EdgeConfig;
  try {
    c = loadConfig(file);
  } catch (e) {
    if (e instanceof ConfigInvalid) {
      io.err(formatErrors(file, e.errors));
      return EXIT.config;
    }
    throw e;
  }
  const problems = validateAll(c);
  if (problems.length > 0) {
    for (const p of problems) io.err(formatErrors(path.relative(process.cwd(), p.file) || p.file, p.errors));
    return EXIT.config;
  }
  const outDir = path.resolve(option(args, "--out") ?? path.dirname(c.source));
  const r = renderToDisk(c, { outDir });
  const check = haproxyCheck(r.files.cfg);
  if (!check.ok) {
    io.err(`haproxy -c rejected ${r.files.cfg}:\n${check.output}`);
    return EXIT.haproxy;
  }
  if (!args.includes("--quiet")) io.out(`rendered ${path.relative(process.cwd(), r.files.cfg)} (haproxy -c: valid)\n`);
  return EXIT.ok;
}

export function main(argv: string[], io: Io): number {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    io.out(USAGE);
    return cmd ? EXIT.ok : EXIT.usage;
  }
  if (rest.includes("--help")) {
    io.out(USAGE);
    return EXIT.ok;
  }
  switch (cmd) {
    case "render":
    case "check":
      return renderCommand(rest, io);
    default:
      io.err(`edgeblock: unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
      return EXIT.usage;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
}
