/**
 * RFC 8941 conformance of the core List parser and serialiser (src/core/sfv.ts), in Node and in
 * blocks.lua (Fengari), against the HTTP WG's structured-field-tests vendored in
 * test/vectors/structured-field-tests (see its SOURCE and LICENSE.md). Only the parser layer:
 * the protocol's own stricter rules (protocol.ts, signal.ts) are tested elsewhere.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { BareItem, parseList, serializeList, SfItem, SfListResult, SfParam, SfSerialized, trySerializeList } from "../../src/core/sfv";
import { callLua, canon } from "../helpers/dual";

const SUITE = path.resolve(__dirname, "../vectors/structured-field-tests");

interface SuiteCase {
  readonly file: string;
  readonly name: string;
  readonly raw?: string[];
  readonly header_type: "item" | "list" | "dictionary";
  readonly expected?: unknown;
  readonly must_fail?: boolean;
  readonly can_fail?: boolean;
  readonly canonical?: string[];
}

function load(dir: string): SuiteCase[] {
  const out: SuiteCase[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    for (const c of JSON.parse(readFileSync(path.join(dir, f), "utf8")) as Omit<SuiteCase, "file">[]) out.push({ ...c, file: f });
  }
  return out;
}

const ALL = load(SUITE);
const SERIALISATION = load(path.join(SUITE, "serialisation-tests"));
const LIST_CASES = ALL.filter((c) => c.header_type === "list");

/** Cases per header_type, printed so that what is out of scope (no Item or Dictionary parser in the core) stays visible. */
function byType(cases: readonly SuiteCase[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cases) out[c.header_type] = (out[c.header_type] ?? 0) + 1;
  return out;
}

type Runtime = "node" | "lua";
const RUNTIMES: readonly Runtime[] = ["node", "lua"];

/** Lua has no empty-array/object distinction: an empty list comes back as {}. */
function arr<T>(x: readonly T[] | object | undefined): readonly T[] {
  return Array.isArray(x) ? x : [];
}

function parseIn(rt: Runtime, raw: readonly string[]): SfListResult {
  return rt === "node" ? parseList(raw) : (callLua("core.sfv", "parseList", raw) as SfListResult);
}

function trySerializeIn(rt: Runtime, items: readonly SfItem[]): SfSerialized {
  return rt === "node" ? trySerializeList(items) : (callLua("core.sfv", "trySerializeList", items) as SfSerialized);
}

/** serializeList itself: its text, or undefined when it throws. */
function serializeIn(rt: Runtime, items: readonly SfItem[]): string | undefined {
  try {
    return rt === "node" ? serializeList(items) : (callLua("core.sfv", "serializeList", items) as string);
  } catch {
    return undefined;
  }
}

// ---- the suite's JSON representation <-> the core's types ----

interface Typed {
  readonly __type: string;
  readonly value: unknown;
}

function isTyped(v: unknown): v is Typed {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "__type" in v;
}

/** RFC 4648 base32, as the suite encodes Binary Content. */
function base32Decode(s: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of s.replace(/=+$/, "")) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`bad base32 in the suite: ${s}`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

function base32Encode(b: Buffer): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  let bits = 0;
  let acc = 0;
  for (const byte of b) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += alphabet[(acc << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

/** Placeholder for an inner list on both sides: the core keeps its parameters, not its members. */
const INNER = "<inner list: members not kept by the core>";

/** A core bare item in the suite's JSON form. */
function bareToSuite(b: BareItem): unknown {
  switch (b.t) {
    case "int":
      return b.v;
    // the core keeps a Decimal as its text (floats may differ between Node and Lua); the suite gives a JSON number
    case "dec":
      return Number(b.v);
    case "str":
      return b.v;
    case "tok":
      return { __type: "token", value: b.v };
    // the core keeps Binary Content as its base64 text; the suite gives base32 of the bytes
    case "bytes":
      return { __type: "binary", value: base32Encode(Buffer.from(b.v, "base64")) };
    case "bool":
      return b.v;
  }
}

function coreToSuite(items: readonly SfItem[] | object): unknown[] {
  return arr(items).map((it) => [it.inner ? INNER : bareToSuite(it.value), arr(it.params).map((p: SfParam) => [p.key, bareToSuite(p.value)])]);
}

/** The suite's expected List, inner-list members replaced by the placeholder; `inner` tells whether any were. */
function expectedToSuite(expected: unknown): { value: unknown[]; inner: boolean } {
  let inner = false;
  const value = (expected as [unknown, unknown][]).map(([v, params]) => {
    if (Array.isArray(v)) inner = true;
    return [Array.isArray(v) ? INNER : v, params];
  });
  return { value, inner };
}

/** A suite bare item as a core one, or the reason it has none. */
function suiteToBare(v: unknown): BareItem | { skip: string } {
  if (typeof v === "boolean") return { t: "bool", v };
  if (typeof v === "string") return { t: "str", v };
  if (typeof v === "number") {
    if (Number.isInteger(v)) return { t: "int", v };
    const text = String(v);
    if (text.length - text.indexOf(".") - 1 > 3) return { skip: SKIP.rounding };
    return { t: "dec", v: text };
  }
  if (isTyped(v) && v.__type === "token") return { t: "tok", v: String(v.value) };
  if (isTyped(v) && v.__type === "binary") return { t: "bytes", v: base32Decode(String(v.value)).toString("base64") };
  if (isTyped(v) && (v.__type === "date" || v.__type === "displaystring")) return { skip: SKIP.rfc9651 };
  throw new Error(`unmapped suite value ${JSON.stringify(v)}`);
}

function suiteToItems(expected: unknown): SfItem[] | { skip: string } {
  const items: SfItem[] = [];
  for (const [v, ps] of expected as [unknown, [string, unknown][]][]) {
    if (Array.isArray(v)) return { skip: SKIP.innerSerialise };
    const value = suiteToBare(v);
    if ("skip" in value) return value;
    const params: SfParam[] = [];
    for (const [key, pv] of ps) {
      const b = suiteToBare(pv);
      if ("skip" in b) return b;
      params.push({ key, value: b });
    }
    items.push({ value, params, inner: false });
  }
  return items;
}

function usesType(v: unknown, types: readonly string[]): boolean {
  if (Array.isArray(v)) return v.some((x) => usesType(x, types));
  return isTyped(v) && types.includes(v.__type);
}

function hasBigInt(items: readonly SfItem[] | object): boolean {
  const big = (b: BareItem) => b.t === "int" && Math.abs(b.v) > 2147483647;
  return arr(items).some((it) => big(it.value) || arr(it.params).some((p: SfParam) => big(p.value)));
}

/** Every skip, with its one-line reason. */
const SKIP = {
  rfc9651: "Date and Display String are RFC 9651 types; the core implements RFC 8941",
  fengariInt:
    "Fengari's integers are 32-bit (123456789012345 wraps to -2045911175); Lua 5.3's, HAProxy's, are 64-bit: lua5.3 on blocks.lua gives the Node result",
  innerCanonical: "canonical form of an inner list: the core keeps no inner-list members to serialise (the protocol refuses them)",
  innerSerialise: "inner list value: the core's SfItem cannot hold inner-list members",
  rounding: "rounding a float to 3 decimals: the core's Decimal is the received text, never a float",
} as const;

interface Tally {
  run: number;
  passed: number;
  /** must_fail cases the core refused (all of them, when passed). */
  mustFailRefused: number;
  /** Passed with inner-list members not compared (their parameters and the verdict are). */
  innerProjected: number;
  /** can_fail cases the core refused (allowed). */
  canFailRefused: number;
  canonicalChecked: number;
  /** Passed cases whose canonical form was not checked, by reason. */
  canonicalSkipped: Record<string, number>;
  /** Cases not run at all, by reason. */
  skipped: Record<string, number>;
}

function tally(): Tally {
  return { run: 0, passed: 0, mustFailRefused: 0, innerProjected: 0, canFailRefused: 0, canonicalChecked: 0, canonicalSkipped: {}, skipped: {} };
}

function count(into: Record<string, number>, reason: string): void {
  into[reason] = (into[reason] ?? 0) + 1;
}

describe("RFC 8941 conformance (structured-field-tests), Node and blocks.lua", () => {
  it("parses every list case of every file as the suite expects", () => {
    const tallies: Record<Runtime, Tally> = { node: tally(), lua: tally() };
    const failures: string[] = [];
    const perFile: Record<string, number> = {};
    for (const f of readdirSync(SUITE).filter((n) => n.endsWith(".json"))) perFile[f] = 0;
    for (const c of LIST_CASES) {
      perFile[c.file]++;
      const id = `${c.file}: ${c.name}`;
      if (!c.must_fail && usesType(c.expected, ["date", "displaystring"])) {
        for (const rt of RUNTIMES) count(tallies[rt].skipped, SKIP.rfc9651);
        continue;
      }
      const inNode = parseIn("node", c.raw ?? []);
      for (const rt of RUNTIMES) {
        const t = tallies[rt];
        if (rt === "lua" && inNode.ok && hasBigInt(inNode.items)) {
          count(t.skipped, SKIP.fengariInt);
          continue;
        }
        t.run++;
        const res = rt === "node" ? inNode : parseIn(rt, c.raw ?? []);
        if (rt === "lua" && !isDeepStrictEqual(canon(res), canon(inNode))) {
          failures.push(`[lua] ${id}: differs from Node: ${JSON.stringify(res)} vs ${JSON.stringify(inNode)}`);
          continue;
        }
        if (c.must_fail) {
          if (res.ok) failures.push(`[${rt}] ${id}: parsed, but must fail: ${JSON.stringify(coreToSuite(res.items))}`);
          else {
            t.passed++;
            t.mustFailRefused++;
          }
          continue;
        }
        if (!res.ok) {
          if (c.can_fail) {
            t.passed++;
            t.canFailRefused++;
          } else failures.push(`[${rt}] ${id}: refused: ${res.error}`);
          continue;
        }
        const want = expectedToSuite(c.expected);
        const got = coreToSuite(res.items);
        if (!isDeepStrictEqual(got, want.value)) {
          failures.push(`[${rt}] ${id}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want.value)}`);
          continue;
        }
        if (want.inner) {
          t.innerProjected++;
          count(t.canonicalSkipped, SKIP.innerCanonical);
          t.passed++;
          continue;
        }
        // the canonical form is `canonical` when given, else `raw`; a List of no members serialises to nothing
        const canonical = (c.canonical ?? c.raw ?? []).join(", ");
        const text = trySerializeIn(rt, arr(res.items));
        t.canonicalChecked++;
        if (!text.ok || text.text !== canonical) failures.push(`[${rt}] ${id}: serialises to ${JSON.stringify(text)}, canonical ${JSON.stringify(canonical)}`);
        else if (serializeIn(rt, arr(res.items)) !== canonical) failures.push(`[${rt}] ${id}: serializeList differs from trySerializeList`);
        else t.passed++;
      }
    }
    console.log("parsing cases by header_type (only list ones run):", byType(ALL));
    console.log("list cases per file:", perFile);
    console.log("parse, per runtime:", JSON.stringify(tallies, null, 2));
    expect(failures).toEqual([]);
    // counts for the vendored commit (see SOURCE): a new skip or a lost case shows here
    expect(LIST_CASES.length).toBe(319);
    const node: Tally = { run: 319, passed: 319, mustFailRefused: 208, innerProjected: 12, canFailRefused: 0, canonicalChecked: 99, canonicalSkipped: { [SKIP.innerCanonical]: 12 }, skipped: {} };
    expect(tallies.node).toEqual(node);
    // "long integer followed by comma" (123456789012345) is the only case beyond 32 bits
    expect(tallies.lua).toEqual({ ...node, run: 318, passed: 318, canonicalChecked: 98, skipped: { [SKIP.fengariInt]: 1 } });
  });

  it("serialises the serialisation-tests cases (list ones, and item ones as one-member lists)", () => {
    const failures: string[] = [];
    const tallies: Record<string, Record<Runtime, Tally>> = {};
    for (const c of SERIALISATION) {
      // the core has no Dictionary type; their count is printed below
      if (c.header_type === "dictionary") continue;
      const kind = c.header_type;
      tallies[kind] ??= { node: tally(), lua: tally() };
      const id = `serialisation-tests/${c.file}: ${c.name}`;
      // an Item serialises exactly as the List of that one member
      const items = suiteToItems(kind === "item" ? [c.expected] : c.expected);
      for (const rt of RUNTIMES) {
        const t = tallies[kind][rt];
        if ("skip" in items) {
          count(t.skipped, items.skip);
          continue;
        }
        t.run++;
        const res = trySerializeIn(rt, items);
        const text = serializeIn(rt, items);
        if (c.must_fail) {
          if (res.ok || text !== undefined) failures.push(`[${rt}] ${id}: serialised to ${JSON.stringify(res)}, must fail`);
          else {
            t.passed++;
            t.mustFailRefused++;
          }
          continue;
        }
        const canonical = (c.canonical ?? []).join(", ");
        t.canonicalChecked++;
        if (!res.ok || res.text !== canonical || text !== canonical) failures.push(`[${rt}] ${id}: ${JSON.stringify(res)} / ${JSON.stringify(text)}, canonical ${JSON.stringify(canonical)}`);
        else t.passed++;
      }
    }
    console.log("serialisation cases by header_type (dictionary ones not run):", byType(SERIALISATION));
    console.log("serialisation, per header type and runtime:", JSON.stringify(tallies, null, 2));
    expect(failures).toEqual([]);
    const list: Tally = { run: 189, passed: 189, mustFailRefused: 189, innerProjected: 0, canFailRefused: 0, canonicalChecked: 0, canonicalSkipped: {}, skipped: {} };
    expect(tallies.list).toEqual({ node: list, lua: list });
    const item: Tally = { run: 161, passed: 161, mustFailRefused: 161, innerProjected: 0, canFailRefused: 0, canonicalChecked: 0, canonicalSkipped: {}, skipped: { [SKIP.rounding]: 5 } };
    expect(tallies.item).toEqual({ node: item, lua: item });
  });
});
