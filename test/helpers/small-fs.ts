/** A tiny tmpfs for full-disk and read-only tests (mounting needs root, which CI has: it installs packages). */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JOURNAL_FILE, JOURNAL_OLD_FILE, parseRecord, SNAPSHOT_FILE } from "../../src/core/journal";

export interface SmallFs {
  readonly dir: string;
  /** `mount -o remount,<opts>`: `ro`, `rw`, `size=4m`. */
  remount(opts: string): void;
  unmount(): void;
}

/** Why a tmpfs cannot be mounted here, or undefined when it can (tests skip with this reason). */
export function cannotMount(): string | undefined {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "mounting a small tmpfs needs root";
  return undefined;
}

export function mountSmallFs(sizeKiB: number): SmallFs {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "eb-fs-")), "state");
  mkdirSync(dir);
  const mount = (args: string[]) => {
    const r = spawnSync("mount", args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`mount ${args.join(" ")}: ${r.stderr || r.error?.message}`);
  };
  mount(["-t", "tmpfs", "-o", `size=${sizeKiB}k,mode=700`, "tmpfs", dir]);
  return {
    dir,
    remount: (opts) => mount(["-o", `remount,${opts}`, dir]),
    unmount: () => {
      spawnSync("umount", ["-l", dir]);
      rmSync(path.dirname(dir), { recursive: true, force: true });
    },
  };
}

/** Table keys (`table key`) the state files in a folder hold, as a starting process would replay them. */
export function savedKeys(stateDir: string): Set<string> {
  const keys = new Set<string>();
  for (const f of [SNAPSHOT_FILE, JOURNAL_OLD_FILE, JOURNAL_FILE]) {
    const file = path.join(stateDir, f);
    if (!existsSync(file)) continue;
    // a last line without its newline is not replayed (it may still be being written)
    for (const line of readFileSync(file, "latin1").split("\n").slice(0, -1)) {
      const p = parseRecord(line);
      if (p.ok && p.record.kind === "table") keys.add(`${p.record.table} ${p.record.key}`);
    }
  }
  return keys;
}
