/** The rule tables this configuration declares, one per backend. */
import { RULE_TABLE_PREFIX } from "../core/contract";

/** Rule tables and their maps in this configuration. */
export function edgeBackends(): string[] {
  const out: string[] = [];
  for (const [name] of pairs(core.backends)) {
    const n = name as string;
    if (n.substring(0, RULE_TABLE_PREFIX.length) === RULE_TABLE_PREFIX) out.push(n.substring(RULE_TABLE_PREFIX.length));
  }
  return out;
}

export function largestTable(): number {
  let most = 0;
  for (const be of edgeBackends()) {
    const px = core.backends.get(RULE_TABLE_PREFIX + be);
    const used = px !== undefined && px.stktable !== undefined ? px.stktable.info().used : 0;
    if (used > most) most = used;
  }
  return most;
}
