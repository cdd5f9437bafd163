/**
 * HTTP service with edgeblock's Prometheus metrics, served beside HAProxy's own
 * exporter on the stats port (/edgeblock/metrics next to /metrics).
 */
import { CONTROL_TABLE, ENFORCEMENT_OFF_KEY, RULE_TABLE_PREFIX, STATS_TABLE, STORE_MAPS } from "../core/contract";
import { formatMetrics, Sample, sumCounters, TableFill } from "../core/metrics";
import { parseDecimal } from "../core/bytes";
import { parseTableLine } from "../core/runtime-cmd";
import { Settings } from "../core/settings";
import { runCli } from "./runtime-api";

function mapSamples(out: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of out.split("\n")) {
    // `0x55..: key value` (key without spaces, value a number)
    const sp1 = line.indexOf(" ");
    if (sp1 < 0) continue;
    const rest = line.substring(sp1 + 1);
    const sp2 = rest.indexOf(" ");
    if (sp2 < 0) continue;
    const v = parseDecimal(rest.substring(sp2 + 1), 999999999999999);
    if (v >= 0) samples.push({ name: rest.substring(0, sp2), value: v });
  }
  return samples;
}

export function render(settings: Settings): string {
  const res = runCli(settings.runtimeApi, ["show map " + STORE_MAPS.counters, "show table " + STATS_TABLE], 5);
  const counters = res.ok ? sumCounters(mapSamples(res.output)) : [];
  const native: Sample[] = [];
  if (res.ok) {
    for (const line of res.output.split("\n")) {
      const e = parseTableLine(line);
      if (e !== undefined && e.data.gpc0 !== undefined) native.push({ name: e.key, value: e.data.gpc0 });
    }
  }
  const tables: TableFill[] = [];
  for (const [name, px] of pairs(core.backends)) {
    const n = name as string;
    if (n.substring(0, RULE_TABLE_PREFIX.length) !== RULE_TABLE_PREFIX || px.stktable === undefined) continue;
    const i = px.stktable.info();
    tables.push({ backend: n.substring(RULE_TABLE_PREFIX.length), size: i.size, used: i.used });
  }
  const ctl = core.backends.get(CONTROL_TABLE);
  const off = ctl !== undefined && ctl.stktable !== undefined ? ctl.stktable.lookup(ENFORCEMENT_OFF_KEY) : undefined;
  return formatMetrics({ counters, native, tables, enforcement: off === undefined || (off.get("gpt0") ?? 0) === 0 });
}

export function execute(applet: HaproxyAppletHttp, settings: Settings): void {
  const body = render(settings);
  applet.set_status(200);
  applet.add_header("content-type", "text/plain; version=0.0.4; charset=utf-8");
  applet.add_header("content-length", tostring(body.length));
  applet.start_response();
  applet.send(body);
}
