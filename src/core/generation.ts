/**
 * Deploy generations (issue 14): a backend names its generation in a response header, or the CLI sets it;
 * a generation never seen becomes the backend's current one, and rules created before it began are stale
 * (haproxy.cfg compares each matched rule's creation second with the generation's, so the switch takes one
 * map write). Known tokens stay listed, so a server of the old generation still running during a rolling
 * deploy does not switch back. Pure: the same in Node and in Lua.
 */
import { GENERATION_TOKEN_MAX, GENERATIONS_MAP } from "./contract";
import { JournalRecord } from "./journal";
import { itoa } from "./bytes";

/** A token: 1-64 bytes of letters, digits, `.`, `_` and `-` (a commit SHA, a version, a build id). */
export function validGenerationToken(t: string | undefined): boolean {
  if (t === undefined || t.length === 0 || t.length > GENERATION_TOKEN_MAX) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 45;
    if (!ok) return false;
  }
  return true;
}

/** The map key that lists a token as known for a backend. */
export function generationKey(backend: string, token: string): string {
  return backend + ":" + token;
}

/**
 * The writes that make `token` the backend's current generation, seen at `nowSec`. Rules carry their
 * creation second, so the generation counts from the next one: every rule of this second is retired too
 * (one learned under the new generation in it is taught again by the next signal; none stays wrongly),
 * and after the previous generation's first second.
 */
export function generationRecords(backend: string, token: string, nowSec: number, previousSince?: string): JournalRecord[] {
  // after the previous one's, so that two generations in one second still retire the first one's rules
  const prev = previousSince === undefined ? 0 : Number(previousSince);
  const since = itoa(prev >= nowSec + 1 ? prev + 1 : nowSec + 1);
  return [
    { kind: "map-set", file: GENERATIONS_MAP, key: generationKey(backend, token), value: since },
    { kind: "map-set", file: GENERATIONS_MAP, key: backend, value: since },
  ];
}

/** A rule is stale when it was created before its backend's current generation began. */
export function ruleStale(createdSec: number, generationSince: number | undefined): boolean {
  return generationSince !== undefined && createdSec < generationSince;
}

export interface GenerationState {
  readonly token: string;
  readonly since: number;
  /** Tokens seen before, oldest first. */
  readonly earlier: readonly string[];
}

/** The current generation of each backend, from the map's entries (as `show map` lists them). */
export function generationsOf(entries: ReadonlyArray<readonly [key: string, value: string]>): { [backend: string]: GenerationState } {
  const since: { [backend: string]: number } = {};
  const tokens: { [backend: string]: Array<[string, number]> } = {};
  for (const [k, v] of entries) {
    const colon = k.indexOf(":");
    const n = Number(v);
    if (colon < 0) since[k] = n;
    else {
      const be = k.substring(0, colon);
      if (tokens[be] === undefined) tokens[be] = [];
      tokens[be].push([k.substring(colon + 1), n]);
    }
  }
  const out: { [backend: string]: GenerationState } = {};
  for (const be in since) {
    const list = (tokens[be] ?? []).sort((a, b) => a[1] - b[1]);
    let current = "";
    for (const [t, s] of list) if (s === since[be]) current = t;
    out[be] = { token: current, since: since[be], earlier: list.filter(([t]) => t !== current).map(([t]) => t) };
  }
  return out;
}

/**
 * The creation second a rule learned now gets: a signal in a response that names the backend's current
 * generation counts from that generation's first second (which lies one second ahead of the moment it was
 * seen), so it is not stale; one that names an older generation (a server a rolling deploy has not reached
 * yet) is created just before the current one began, so it stays stale; one that names none is created now.
 */
export function createdUnder(nowSec: number, currentSince: string | undefined, tokenSince: string | undefined): number {
  if (currentSince === undefined || tokenSince === undefined) return nowSec;
  const current = Number(currentSince);
  if (currentSince !== tokenSince) return Number(tokenSince) < current && current - 1 < nowSec ? current - 1 : nowSec;
  return current > nowSec ? current : nowSec;
}
