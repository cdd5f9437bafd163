/**
 * Prometheus text exposition (format 0.0.4) of edgeblock's own metrics. Pure:
 * the Lua service gathers the inputs, this formats them.
 */
import { itoa, splitOn } from "./bytes";
import { BLOCK_STAT } from "./contract";

/** One cumulative value from the counters map: `<thread>:<name>` summed over threads, or a native counter. */
export interface Sample {
  readonly name: string;
  readonly value: number;
}

export interface TableFill {
  readonly backend: string;
  readonly size: number;
  readonly used: number;
}

export interface MetricsInput {
  /** From the counters map, already summed over threads (names like `signal:rejected:malformed`). */
  readonly counters: readonly Sample[];
  /** From the native stats table (keys like `blocked:404:scanner`). */
  readonly native: readonly Sample[];
  readonly tables: readonly TableFill[];
  readonly enforcement: boolean;
}

function escapeLabel(v: string): string {
  let out = "";
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 92) out = out + "\\\\";
    else if (c === 34) out = out + '\\"';
    else if (c === 10) out = out + "\\n";
    else out = out + String.fromCharCode(c);
  }
  return out;
}

interface Family {
  readonly name: string;
  readonly type: "counter" | "gauge";
  readonly help: string;
  lines: string[];
}

function labels(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return "";
  let out = "{";
  for (let i = 0; i < pairs.length; i++) out = out + (i > 0 ? "," : "") + pairs[i][0] + '="' + escapeLabel(pairs[i][1]) + '"';
  return out + "}";
}

/** Sum `<thread>:<name>` entries of the counters map into per-name totals (gauges from the census are not summed twice: one writer). */
export function sumCounters(entries: readonly Sample[]): Sample[] {
  const totals: { [name: string]: number } = {};
  const order: string[] = [];
  for (const e of entries) {
    const colon = e.name.indexOf(":");
    const name = colon >= 0 ? e.name.substring(colon + 1) : e.name;
    if (totals[name] === undefined) {
      totals[name] = 0;
      order.push(name);
    }
    totals[name] = totals[name] + e.value;
  }
  const out: Sample[] = [];
  for (const n of order) out.push({ name: n, value: totals[n] });
  return out;
}

export function formatMetrics(m: MetricsInput): string {
  const fam: { [k: string]: Family } = {};
  const order: string[] = [];
  const add = (name: string, type: "counter" | "gauge", help: string, lbls: ReadonlyArray<readonly [string, string]>, value: number) => {
    if (fam[name] === undefined) {
      fam[name] = { name, type, help, lines: [] };
      order.push(name);
    }
    fam[name].lines.push(name + labels(lbls) + " " + itoa(value));
  };
  // families that exist even before anything happened, so that dashboards and alerts have a series
  add("edgeblock_enforcement_enabled", "gauge", "1 when matching requests are blocked, 0 when the kill switch makes every match dry-run.", [], m.enforcement ? 1 : 0);
  for (const t of m.tables) {
    add("edgeblock_store_capacity_entries", "gauge", "Size of the backend's rule table (entries).", [["backend", t.backend]], t.size);
    add("edgeblock_store_entries", "gauge", "Entries in the backend's rule table, index entries and not yet swept expired rules included.", [["backend", t.backend]], t.used);
  }
  for (const c of m.counters) {
    const p = splitOn(c.name, 58);
    if (p[0] === "signal" && p.length === 3) {
      add("edgeblock_signals_total", "counter", "Signals received from backends, by outcome (learned, ignored, rejected, removed, pending) and reason.", [["outcome", p[1]], ["reason", p[2]]], c.value);
    } else if (p[0] === "rules_learned" && p.length === 2) {
      add("edgeblock_rules_learned_total", "counter", "Rules learned, by reason label.", [["reason", p[1]]], c.value);
    } else if (p[0] === "rules_removed" && p.length === 2) {
      add("edgeblock_rules_removed_total", "counter", "Rules removed, by who removed them (signal or operator).", [["by", p[1]]], c.value);
    } else if (p[0] === "rules_expired" && p.length === 1) {
      add("edgeblock_rules_expired_total", "counter", "Expired rules freed by the sweeper.", [], c.value);
    } else if (p[0] === "rules_evicted" && p.length === 1) {
      add("edgeblock_rules_evicted_total", "counter", "Rules that pushed out another entry because the table was full.", [], c.value);
    } else if (p[0] === "rules_pending" && p.length === 1) {
      add("edgeblock_rules_pending_total", "counter", "Rule signals waiting for the confirmation threshold.", [], c.value);
    } else if (p[0] === "lua_errors" && p.length === 2) {
      add("edgeblock_lua_errors_total", "counter", "Failures of an edgeblock Lua entry point (learn, match, normalize, wait, metrics, maintenance, ...); each failed open: the request went on as if edgeblock had nothing to say.", [["entry", p[1]]], c.value);
    } else if (p[0] === "gauge" && p[1] === "rules_active" && p.length === 4) {
      add("edgeblock_rules_active", "gauge", "Live rules per backend and mode (from the last census).", [["backend", p[2]], ["mode", p[3]]], c.value);
    } else if (p[0] === "gauge" && p[1] === "journal_backlog_bytes" && p.length === 2) {
      add("edgeblock_journal_backlog_bytes", "gauge", "Journal text held in memory because the state folder could not be written (full disk, read-only); 0 when everything is on disk.", [], c.value);
    } else if (p.length === 1) {
      add("edgeblock_" + p[0] + "_total", "counter", "edgeblock internal event count: " + p[0] + ".", [], c.value);
    }
  }
  for (const n of m.native) {
    const p = splitOn(n.name, 58);
    if (p.length !== 3) continue;
    if (p[0] === BLOCK_STAT.blocked) add("edgeblock_requests_blocked_total", "counter", "Requests answered by the edge, by status and rule reason.", [["status", p[1]], ["reason", p[2]]], n.value);
    else if (p[0] === BLOCK_STAT.wouldBlock) add("edgeblock_requests_would_block_total", "counter", "Requests a dry-run rule matched and let through, by status and rule reason.", [["status", p[1]], ["reason", p[2]]], n.value);
    else if (p[0] === BLOCK_STAT.rateLimited) add("edgeblock_requests_rate_limited_total", "counter", "Requests answered 429 by a rate limit (rate_limits), by limit.", [["limit", p[2]]], n.value);
  }
  let out = "";
  for (const name of order) {
    const f = fam[name];
    out = out + "# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
    for (const l of f.lines) out = out + l + "\n";
  }
  return out;
}
