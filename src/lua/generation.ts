/**
 * The generation action: a trusted backend's response names a generation the map does not list (the
 * frontend's ACL found it unknown), so it becomes that backend's current one. One map write: from the
 * next request on, haproxy.cfg treats the rules created before it as stale (core/generation.ts).
 */
import { itoa } from "../core/bytes";
import { GENERATIONS_MAP, VARS } from "../core/contract";
import { generationKey, generationRecords, validGenerationToken } from "../core/generation";
import { Settings } from "../core/settings";
import { inc } from "./counters";
import { varString } from "./headers";
import { backendOf } from "./learn";
import { logEvent } from "./log";
import { applyMutations, StoreMaps, storeMap } from "./store";

export function execute(settings: Settings, maps: StoreMaps, txn: HaproxyTxn, mode: string | undefined): void {
  const backend = backendOf(txn);
  const token = varString(txn, VARS.generation);
  if (mode !== "trusted" || backend === undefined) {
    inc("generations_refused");
    logEvent(core.warning, "generation refused", [["backend", backend], ["token", token], ["reason", backend === undefined ? "edge-error" : "untrusted"]]);
    return;
  }
  if (token === undefined || !validGenerationToken(token)) {
    inc("generations_refused");
    logEvent(core.warning, "generation refused", [["backend", backend], ["token", token], ["reason", "malformed"]]);
    return;
  }
  // another response may have made it known since this one's ACL looked
  const map = storeMap(maps, GENERATIONS_MAP);
  if (map !== undefined && map.lookup(generationKey(backend, token)) !== undefined) return;
  const now = core.now().sec;
  const records = generationRecords(backend, token, now, map?.lookup(backend));
  const error = applyMutations(settings, records);
  if (error !== undefined) {
    inc("generations_failed");
    logEvent(core.err, "generation not recorded", [["backend", backend], ["token", token], ["error", error]]);
    return;
  }
  inc("generations_changed");
  logEvent(core.info, "generation changed", [["backend", backend], ["token", token], ["since", records[1].kind === "map-set" ? records[1].value : itoa(now)]]);
}
