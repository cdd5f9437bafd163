/**
 * Cluster: peers replicate stick tables, not maps. A node that writes a map (a prefix rule, a
 * qualified spec list, a body or a reason name) also writes the record into the replicated sync
 * table, keyed by the record's journal line and stamped with the write's time; every node applies
 * the newest record of each map key to its own maps. Shared by the Lua store, the CLI and the
 * node's sync task, so all three agree on the key and on which record wins.
 */
import { itoa, splitOn } from "./bytes";
import { addSpec } from "./store-records";
import { RULE_FIELDS, STORE_MAPS, SYNC_FIELDS, SYNC_TABLE } from "./contract";
import { CurrentEntry, formatRecord, JournalRecord, parseRecord, recordCommand } from "./journal";
import { escapeCliArg } from "./runtime-cmd";

/** Sync-table key stamped with the newest write: a node polls it and reads the table only when it moved. */
export const SYNC_LATEST_KEY = "#latest";

/** A map record as a sync-table key: its journal line, with the writing node as the writer. */
export function syncKey(r: JournalRecord, node: string): string | undefined {
  if (r.kind === "table") return undefined;
  return formatRecord(r, node);
}

/**
 * The longest sync key a config needs: a prefix or qualified record (key and value each at most a
 * rule key and its marker) or a body, with the node and map names. Longer records are refused.
 */
export function syncKeyLength(maxKeyLength: number, maxBodyBytes: number): number {
  const names = 2 + 48 + 1 + 64 + 1;
  const key = maxKeyLength + 3;
  const value = maxBodyBytes > key ? maxBodyBytes : key;
  return names + key + 1 + value;
}

/** The runtime API command that writes one sync record (or the latest marker) with its stamp. */
export function syncCommand(key: string, sec: number, usec: number): string {
  return "set table " + SYNC_TABLE + " key " + escapeCliArg(key) + " data." + SYNC_FIELDS.sec + " " + itoa(sec) + " data." + SYNC_FIELDS.usec + " " + itoa(usec);
}

/** Commands that publish the map records among `records` (none for table records), and how many were too long to. */
export function syncCommands(records: readonly JournalRecord[], node: string, sec: number, usec: number, keyLength: number): { cmds: string[]; tooLong: number } {
  const cmds: string[] = [];
  let tooLong = 0;
  for (const r of records) {
    const k = syncKey(r, node);
    if (k === undefined) continue;
    if (k.length > keyLength) tooLong++;
    else cmds.push(syncCommand(k, sec, usec));
  }
  if (cmds.length > 0) cmds.push(syncCommand(SYNC_LATEST_KEY, sec, usec));
  return { cmds, tooLong };
}

/** A stamp that orders writes: microseconds since the epoch (exact in a double and in Lua's integers). */
export function syncStamp(sec: number, usec: number): number {
  return sec * 1000000 + usec;
}

/** One sync-table entry as a node reads it. */
export interface SyncEntry {
  readonly key: string;
  readonly sec: number;
  readonly usec: number;
}

/** A record to apply to this node's maps, with the stamp that made it win. */
export interface SyncWinner {
  readonly group: string;
  readonly stamp: number;
  readonly record: JournalRecord;
}

/**
 * Of the entries read, the newest record per map key, when it is newer than what this node applied
 * (`applied`: map key -> stamp). Unparseable keys are counted in `bad`, never applied.
 */
export function syncWinners(entries: readonly SyncEntry[], applied: { readonly [group: string]: number }): { winners: SyncWinner[]; bad: string[] } {
  const best: { [group: string]: SyncWinner } = {};
  const groups: string[] = [];
  const bad: string[] = [];
  for (const e of entries) {
    if (e.key === SYNC_LATEST_KEY) continue;
    const p = parseRecord(e.key);
    if (!p.ok || p.record.kind === "table") {
      bad.push(e.key);
      continue;
    }
    const group = p.record.file + "\t" + p.record.key;
    const stamp = syncStamp(e.sec, e.usec);
    const known = best[group];
    if (known === undefined) groups.push(group);
    // equal stamps: a delete wins, so that two nodes never disagree about the same instant
    if (known === undefined || stamp > known.stamp || (stamp === known.stamp && p.record.kind === "map-del")) best[group] = { group, stamp, record: p.record };
  }
  const winners: SyncWinner[] = [];
  for (const g of groups) {
    const w = best[g];
    const had = applied[g];
    if (had === undefined || w.stamp > had) winners.push(w);
  }
  return { winners, bad };
}

/**
 * The rule a prefix or qualified map entry serves: its backend and base key (a prefix entry `/p/` serves
 * `^/p`). Undefined for other maps (bodies, reasons), which serve any rule.
 */
export function mapEntryBase(file: string, key: string): { readonly backend: string; readonly base: string } | undefined {
  const ext = ".map";
  if (file.length <= ext.length || file.substring(file.length - ext.length) !== ext) return undefined;
  const stem = file.substring(0, file.length - ext.length);
  if (stem.substring(0, STORE_MAPS.prefixPrefix.length) === STORE_MAPS.prefixPrefix) {
    if (key.length < 2 || key.charCodeAt(key.length - 1) !== 47) return undefined;
    return { backend: stem.substring(STORE_MAPS.prefixPrefix.length), base: "^" + key.substring(0, key.length - 1) };
  }
  if (stem.substring(0, STORE_MAPS.qualPrefix.length) === STORE_MAPS.qualPrefix) return { backend: stem.substring(STORE_MAPS.qualPrefix.length), base: key };
  return undefined;
}

/**
 * The rule a synced map write waits for: peers may bring the write before the rule, and a prefix or
 * qualified entry is applied only once its rule is live in the node's own table. Undefined for
 * deletions and for bodies and reasons.
 */
export function syncBase(r: JournalRecord): { readonly backend: string; readonly base: string } | undefined {
  return r.kind === "map-set" ? mapEntryBase(r.file, r.key) : undefined;
}

/**
 * Of a compaction's map pruning, what a cluster node may do: a node's records hold only the rules it
 * learned itself, so it drops a prefix or qualified entry only when its rule is not live in the table
 * (`live(backend, base)`), and keeps bodies and reasons (another node's rules may name them).
 */
export function clusterPrune(prune: readonly JournalRecord[], live: (backend: string, base: string) => boolean): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (const r of prune) {
    if (r.kind === "table") continue;
    const b = mapEntryBase(r.file, r.key);
    if (b !== undefined && !live(b.backend, b.base)) out.push(r);
  }
  return out;
}

/** `show peers` section flags: the resync from the local peer (an old process) and from the remote ones is over (2.6 to 3.4 alike). */
const RESYNC_FINISHED = 3;
/**
 * Section flags saying another node taught this one its tables, fully up to date or partially (a node
 * that never finished its own resync teaches "partially": everything it holds). 2.6 peers.c, and
 * include/haproxy/peers-t.h from 3.0 (the DBG_ flags).
 */
const TAUGHT_26 = 0x200 + 0x800;
const TAUGHT_30 = 0x2000000 + 0x8000000;

/**
 * Whether `show peers <section>` says this process learned the tables: the resync is over (from an old
 * process and from the other nodes, or given up), or another node taught it. `major` is HAProxy's major
 * version (the flags moved in 3.0). Undefined when the answer has no such line.
 */
export function peersResynced(showPeers: string, section: string, major: number): boolean | undefined {
  for (const line of splitOn(showPeers, 10)) {
    if (line.indexOf(" id=" + section + " ") < 0) continue;
    const at = line.indexOf(" flags=0x");
    if (at < 0) return undefined;
    let v = 0;
    for (let i = at + 9; i < line.length; i++) {
      const c = line.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0) break;
      v = v * 16 + d;
    }
    return (v & RESYNC_FINISHED) === RESYNC_FINISHED || (v & (major < 3 ? TAUGHT_26 : TAUGHT_30)) !== 0;
  }
  return undefined;
}

/** One node of `show peers <section>`, as this node sees its link. */
export interface PeerLink {
  readonly name: string;
  /** This node itself (the local peer). */
  readonly local: boolean;
  /** The link is established (last_status=ESTA). */
  readonly linked: boolean;
  /** HAProxy's last status of the link (ESTA, CONN, NONE...). */
  readonly status: string;
  /** Since the last handshake, as HAProxy prints it (`5s`, `<NEVER>`). */
  readonly handshake: string;
  readonly address: string;
}

/** The word after `name=` in a line, up to the next space (or the line's end). */
function wordAfter(line: string, name: string): string {
  const at = line.indexOf(" " + name + "=");
  if (at < 0) return "";
  const from = at + name.length + 2;
  const sp = line.indexOf(" ", from);
  return sp < 0 ? line.substring(from) : line.substring(from, sp);
}

/** The nodes `show peers <section>` lists (2.6 to 3.4 print each as `0x..: id=<name>(local|remote,...) addr=... last_status=... last_hdshk=...`). */
export function peerLinks(showPeers: string): PeerLink[] {
  const out: PeerLink[] = [];
  for (const line of splitOn(showPeers, 10)) {
    const id = wordAfter(line, "id");
    const paren = id.indexOf("(");
    if (paren <= 0 || line.indexOf(" last_status=") < 0) continue;
    const status = wordAfter(line, "last_status");
    out.push({ name: id.substring(0, paren), local: id.indexOf("(local") === paren, linked: status === "ESTA", status, handshake: wordAfter(line, "last_hdshk"), address: wordAfter(line, "addr") });
  }
  return out;
}

/** How many other nodes `show peers` lists with an established link (a node none is linked to has nobody to learn from). */
export function peersLinked(showPeers: string): number {
  let n = 0;
  for (const l of peerLinks(showPeers)) if (!l.local && l.linked) n++;
  return n;
}

/**
 * After a removal, when the removing node writes it again (ms after the first write). Peers keep the last
 * write of an entry, and a block on another node writes the entry too (its hit count, with the rule's
 * other fields as that node holds them): a block in flight while the removal spreads brings the rule
 * back on every node. Writing the removal again once those writes landed settles it.
 */
export const REASSERT_AFTER_MS: readonly number[] = [200, 1000, 3000];

/**
 * Whether a removal stamped `stamp` is written again: unless nothing newer was written to the entry (a
 * rule learned again since) or the entry is gone. Also when this node still holds the removal: [T] a
 * node can hold the removal while another got an older write after it (peers keep no order between
 * two nodes' writes), and only a new write of the removal reaches every node again.
 */
export function needsReassert(current: CurrentEntry | undefined, stamp: number): boolean {
  return current !== undefined && current.sessCnt <= stamp;
}

/** The removal records among `records` that a cluster node writes again, with their commands and stamps. */
export function reassertions(records: readonly JournalRecord[]): { table: string; key: string; stamp: number; command: string }[] {
  const out: { table: string; key: string; stamp: number; command: string }[] = [];
  for (const r of records) {
    if (r.kind !== "table") continue;
    let lifts = false;
    let stamp = -1;
    for (const f of r.fields) {
      if (f.name === RULE_FIELDS.ruleExpiry && f.value === 0) lifts = true;
      if (f.name === RULE_FIELDS.created) stamp = f.value;
    }
    const command = recordCommand(r);
    if (lifts && stamp >= 0 && command !== undefined) out.push({ table: r.table, key: r.key, stamp, command });
  }
  return out;
}

/** Whether a map file is a backend's qualified-spec map (`eb_qual_<backend>.map`). */
export function isQualMap(file: string): boolean {
  return file.substring(0, STORE_MAPS.qualPrefix.length) === STORE_MAPS.qualPrefix;
}

/**
 * A qualified-spec list (space-separated) is a whole value: two nodes adding a spec to the same base at
 * the same moment each publish their own list, and the newest alone would lose the other's rule. So a
 * node merges: every spec a record names, plus its own specs whose rule is still live (`live`). A spec
 * of a removed rule can linger in the list; matching then finds its entry lifted, as for any removal.
 */
export function mergeSpecLists(incoming: string | undefined, local: string | undefined, live: (spec: string) => boolean): string {
  let out = "";
  if (incoming !== undefined) for (const sp of splitOn(incoming, 32)) if (sp.length > 0) out = addSpec(out, sp);
  if (local !== undefined) for (const sp of splitOn(local, 32)) if (sp.length > 0 && live(sp)) out = addSpec(out, sp);
  return out;
}
