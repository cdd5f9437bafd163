/**
 * HTTP service with edgeblock's Prometheus metrics, served beside HAProxy's own
 * exporter on the stats port (/edgeblock/metrics next to /metrics).
 */
import { itoa, parseDecimal, splitOn } from "../core/bytes";
import { CONTROL_FIELD, CONTROL_TABLE, ENFORCEMENT_OFF_KEY, RULE_TABLE_PREFIX, STATS_FIELD, STATS_TABLE } from "../core/contract";
import { formatMetrics, Sample, sumCounters, TableFill } from "../core/metrics";
import { NAMES_KEY } from "./counters";
import { StoreMaps } from "./store";

/** Every Lua state's counters, read through its names registry (a map cannot be listed from Lua). */
function counterSamples(maps: StoreMaps): Sample[] {
  const samples: Sample[] = [];
  const nbthread = tonumber(core.get_info().get("Nbthread")) ?? 1;
  for (let t = 0; t <= nbthread; t++) {
    const list = maps.counters.lookup(itoa(t) + ":" + NAMES_KEY);
    if (list === undefined) continue;
    for (const name of splitOn(list, 32)) {
      if (name.length === 0) continue;
      const v = parseDecimal(maps.counters.lookup(itoa(t) + ":" + name) ?? "", 999999999999999);
      if (v >= 0) samples.push({ name: itoa(t) + ":" + name, value: v });
    }
  }
  return samples;
}

/** Native blocked / would-block counters: the stats table is small (a few keys per status and reason). */
function nativeSamples(): Sample[] {
  const out: Sample[] = [];
  const px = core.backends.get(STATS_TABLE);
  if (px === undefined || px.stktable === undefined) return out;
  for (const [key, data] of pairs(px.stktable.dump())) {
    const v = (data as LuaTable<string, number>).get(STATS_FIELD);
    if (v !== undefined) out.push({ name: key as string, value: v });
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

export function render(maps: StoreMaps): string {
  const counters = sumCounters(counterSamples(maps));
  const native = nativeSamples();
  const tables: TableFill[] = [];
  for (const [name, px] of pairs(core.backends)) {
    const n = name as string;
    if (n.substring(0, RULE_TABLE_PREFIX.length) !== RULE_TABLE_PREFIX || px.stktable === undefined) continue;
    const i = px.stktable.info();
    tables.push({ backend: n.substring(RULE_TABLE_PREFIX.length), size: i.size, used: i.used });
  }
  tables.sort((a, b) => (a.backend < b.backend ? -1 : 1));
  const ctl = core.backends.get(CONTROL_TABLE);
  const off = ctl !== undefined && ctl.stktable !== undefined ? ctl.stktable.lookup(ENFORCEMENT_OFF_KEY) : undefined;
  return formatMetrics({ counters, native, tables, enforcement: off === undefined || (off.get(CONTROL_FIELD) ?? 0) === 0 });
}

export function execute(applet: HaproxyAppletHttp, maps: StoreMaps): void {
  const body = render(maps);
  applet.set_status(200);
  applet.add_header("content-type", "text/plain; version=0.0.4; charset=utf-8");
  applet.add_header("content-length", tostring(body.length));
  applet.start_response();
  applet.send(body);
}
