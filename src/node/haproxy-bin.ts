/** Which HAProxy binary edgeblock runs, and what version it is: one choice for the CLI, the demo, tests and benches. */
import { spawnSync } from "node:child_process";

/** The binary: `$EDGEBLOCK_HAPROXY` (a path), else `haproxy` on PATH. */
export function haproxyBin(env: NodeJS.ProcessEnv = process.env): string {
  const b = env.EDGEBLOCK_HAPROXY;
  return b !== undefined && b.trim() !== "" ? b.trim() : "haproxy";
}

export interface HaproxyVersion {
  /** As printed, e.g. `2.6.12-1+deb12u4`. */
  readonly full: string;
  readonly major: number;
  readonly minor: number;
  /** `2.6`, `3.2`: the branch. */
  readonly branch: string;
}

/** Parse the first line of `haproxy -v` (`HAProxy version 3.2.26-1 2026/...`). */
export function parseHaproxyVersion(text: string): HaproxyVersion | undefined {
  const m = /version (\d+)\.(\d+)(\S*)/.exec(text);
  if (!m) return undefined;
  return { full: `${m[1]}.${m[2]}${m[3]}`, major: Number(m[1]), minor: Number(m[2]), branch: `${m[1]}.${m[2]}` };
}

const cache = new Map<string, HaproxyVersion | undefined>();

/** The version of a binary (default: haproxyBin()); undefined when it cannot be run. */
export function haproxyVersion(bin: string = haproxyBin()): HaproxyVersion | undefined {
  if (!cache.has(bin)) {
    const r = spawnSync(bin, ["-v"], { encoding: "utf8" });
    cache.set(bin, r.error ? undefined : parseHaproxyVersion(r.stdout ?? ""));
  }
  return cache.get(bin);
}

/** True when `v` is at least `major.minor`. */
export function atLeast(v: HaproxyVersion | undefined, major: number, minor: number): boolean {
  return v !== undefined && (v.major > major || (v.major === major && v.minor >= minor));
}
