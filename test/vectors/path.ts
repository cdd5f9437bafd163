/** Path normalisation vectors: [raw, policy overrides, expected normalised path or error]. */
import { DEFAULT_PATH_POLICY, PathPolicy } from "../../src/core/path";

export interface PathVector {
  readonly raw: string;
  readonly policy?: Partial<PathPolicy>;
  readonly expect: string | { error: string };
}

export const PATH_VECTORS: PathVector[] = [
  { raw: "/yeet", expect: "/yeet" },
  { raw: "/yeet/", expect: "/yeet" },
  { raw: "//yeet", expect: "/yeet" },
  { raw: "/./yeet", expect: "/yeet" },
  { raw: "/x/../yeet", expect: "/yeet" },
  { raw: "/%79eet", expect: "/yeet" },
  { raw: "/yeet?x=1", expect: "/yeet" },
  { raw: "/YEET", expect: "/YEET" },
  { raw: "/YEET", policy: { caseInsensitive: true }, expect: "/yeet" },
  { raw: "/Ye%2fEt", policy: { caseInsensitive: true }, expect: "/ye%2Fet" },
  { raw: "/", expect: "/" },
  { raw: "//", expect: "/" },
  { raw: "/..", expect: "/" },
  { raw: "/../../etc/passwd", expect: "/etc/passwd" },
  { raw: "/a/b/../../..", expect: "/" },
  { raw: "/a/./b/.", expect: "/a/b" },
  { raw: "/a/./b/.", policy: { stripTrailingSlash: false }, expect: "/a/b/" },
  { raw: "/a//b", policy: { mergeSlashes: false }, expect: "/a//b" },
  { raw: "//a", policy: { mergeSlashes: false }, expect: "//a" },
  { raw: "/a/", policy: { stripTrailingSlash: false }, expect: "/a/" },
  // found by the idempotence property: unmerged trailing slashes are all cut, not just one
  { raw: "/a//", policy: { mergeSlashes: false }, expect: "/a" },
  { raw: "///", policy: { mergeSlashes: false }, expect: "/" },
  { raw: "//a//", policy: { mergeSlashes: false }, expect: "//a" },
  { raw: "/%2e%2e/yeet", expect: "/yeet" },
  { raw: "/%2E/yeet", expect: "/yeet" },
  { raw: "/a%2Fb", expect: "/a%2Fb" },
  { raw: "/a%2fb", expect: "/a%2Fb" },
  { raw: "/100%", expect: "/100%25" },
  { raw: "/%zz", expect: "/%25zz" },
  { raw: "/%7e", expect: "/~" },
  { raw: "/caf\u00c3\u00a9", expect: "/caf%C3%A9" },
  { raw: "/caf%c3%a9", expect: "/caf%C3%A9" },
  { raw: "/a b", expect: "/a%20b" },
  { raw: "/yeet#frag", expect: "/yeet" },
  { raw: "/yeet;jsessionid=1", expect: "/yeet;jsessionid=1" },
  { raw: "", expect: { error: "empty" } },
  { raw: "?x", expect: { error: "empty" } },
  { raw: "yeet", expect: { error: "not-absolute" } },
  { raw: "*", expect: { error: "not-absolute" } },
  { raw: "/" + "a".repeat(300), expect: { error: "too-long" } },
];

export function policyOf(v: PathVector): PathPolicy {
  return { ...DEFAULT_PATH_POLICY, ...(v.policy ?? {}) };
}
