/** Validation of the static map: `<path> [status]` per line, paths already normalised. */
import { readFileSync } from "node:fs";
import { normalizePath, PathPolicy } from "../core/path";
import { ConfigError } from "./config";

export interface StaticEntry {
  readonly line: number;
  readonly path: string;
  /** undefined: the map line has no status and the default applies. */
  readonly status?: number;
}

export function checkStaticMap(
  text: string,
  policy: PathPolicy,
  allowedStatuses: readonly number[],
  maxKeyLength: number,
): { entries: StaticEntry[]; errors: ConfigError[] } {
  const entries: StaticEntry[] = [];
  const errors: ConfigError[] = [];
  const seen = new Map<string, number>();
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const body = raw.replace(/\r$/, "").trim();
    if (body === "" || body.startsWith("#")) return;
    const parts = body.split(/\s+/);
    const field = `static_map line ${line}`;
    if (parts.length > 2) {
      errors.push({ line, field, message: `expected "<path> [status]", got ${parts.length} words` });
      return;
    }
    const [p, s] = parts;
    const n = normalizePath(p, policy, maxKeyLength);
    if (!n.ok) {
      errors.push({ line, field, message: `path ${JSON.stringify(p)} is invalid: ${n.error}` });
      return;
    }
    if (n.path !== p) {
      errors.push({ line, field, message: `path ${JSON.stringify(p)} is not normalised; write ${JSON.stringify(n.path)} (requests are matched after normalisation)` });
      return;
    }
    let status: number | undefined;
    if (s !== undefined) {
      status = /^\d{3}$/.test(s) ? Number(s) : NaN;
      if (!allowedStatuses.includes(status)) {
        errors.push({ line, field, message: `status ${JSON.stringify(s)} is not in rules.allowed_statuses` });
        return;
      }
    }
    const prev = seen.get(n.path);
    if (prev !== undefined) {
      errors.push({ line, field, message: `path ${n.path} is already listed on line ${prev}` });
      return;
    }
    seen.set(n.path, line);
    entries.push(status === undefined ? { line, path: n.path } : { line, path: n.path, status });
  });
  return { entries, errors };
}

export function readStaticMap(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
