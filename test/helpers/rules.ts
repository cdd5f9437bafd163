/** fast-check arbitraries of valid, normalised rules. */
import fc from "fast-check";
import { DEFAULT_SETTINGS } from "../../src/core/settings";
import { BlockRule } from "../../src/core/verdict";
import { withHead } from "../../src/core/rulekey";

const seg = fc.stringMatching(/^[a-z0-9_~-]{1,8}$/);
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);

export const blockRule: fc.Arbitrary<BlockRule> = fc
  .record({
    segs: fc.array(seg, { minLength: 1, maxLength: 4 }),
    prefix: fc.boolean(),
    methods: fc.subarray(["DELETE", "GET", "PATCH", "POST", "PUT"]),
    host: fc.option(fc.stringMatching(/^[a-z0-9]{1,8}(\.[a-z0-9]{1,8}){0,2}$/), { nil: undefined }),
    auth: fc.option(fc.constantFrom("anon" as const, "authed" as const), { nil: undefined }),
    query: fc.uniqueArray(fc.record({ name, present: fc.boolean() }), { selector: (q) => q.name, maxLength: 3 }),
    status: fc.constantFrom(...DEFAULT_SETTINGS.allowedStatuses),
    body: fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
    ttl: fc.integer({ min: 1, max: DEFAULT_SETTINGS.maxTtl }),
    reason: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
    dryRun: fc.boolean(),
  })
  .map((r) => ({
    match: {
      path: "/" + r.segs.join("/"),
      prefix: r.prefix,
      methods: withHead(r.methods),
      ...(r.host !== undefined ? { host: r.host } : {}),
      ...(r.auth !== undefined ? { auth: r.auth } : {}),
      query: [...r.query].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    },
    status: r.status,
    body: r.body,
    ttl: r.ttl,
    reason: r.reason,
    dryRun: r.dryRun,
  }));
