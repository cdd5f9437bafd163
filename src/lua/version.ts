/** The HAProxy this Lua state runs in, from `core.get_info().Version` (`3.2.26-1`): 0 when unknown (Fengari's mock). */
export function haproxyMajor(): number {
  const v = tostring(core.get_info().get("Version") ?? "");
  const dot = v.indexOf(".");
  return dot > 0 ? (tonumber(v.substring(0, dot)) ?? 0) : 0;
}
