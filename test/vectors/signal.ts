/** Short-form signal vectors: header lines and request path -> verdict kind and reason/status. */
export interface ShortFormVector {
  readonly values: string[];
  readonly path?: string;
  readonly expect: { kind: "none" | "ignore" } | { kind: "reject"; reason: string } | { kind: "apply"; path: string; status: number };
}

export const SHORT_FORM_VECTORS: ShortFormVector[] = [
  { values: [], path: "/yeet", expect: { kind: "none" } },
  { values: ["false"], path: "/yeet", expect: { kind: "apply", path: "/yeet", status: 404 } },
  { values: [" FALSE\t"], path: "/yeet", expect: { kind: "apply", path: "/yeet", status: 404 } },
  { values: ["false-410"], path: "/gone", expect: { kind: "apply", path: "/gone", status: 410 } },
  { values: ["false-451"], path: "/legal", expect: { kind: "apply", path: "/legal", status: 451 } },
  { values: ["false"], path: "//a/./b/../c/", expect: { kind: "apply", path: "/a/c", status: 404 } },
  { values: ["true"], path: "/yolo", expect: { kind: "ignore" } },
  { values: ["maybe"], path: "/x", expect: { kind: "reject", reason: "malformed" } },
  { values: [""], path: "/x", expect: { kind: "reject", reason: "malformed" } },
  { values: ["false-"], path: "/x", expect: { kind: "reject", reason: "malformed" } },
  { values: ["false-4x4"], path: "/x", expect: { kind: "reject", reason: "malformed" } },
  { values: ["false-4040"], path: "/x", expect: { kind: "reject", reason: "malformed" } },
  { values: ["false-+40"], path: "/x", expect: { kind: "reject", reason: "malformed" } },
  { values: ["false-200"], path: "/x", expect: { kind: "reject", reason: "status-not-allowed" } },
  { values: ["false-999"], path: "/x", expect: { kind: "reject", reason: "status-not-allowed" } },
  { values: ["false, false"], path: "/x", expect: { kind: "reject", reason: "malformed" } },
  { values: ["false", "false"], path: "/x", expect: { kind: "reject", reason: "duplicate" } },
  { values: ["false-" + "1".repeat(3000)], path: "/x", expect: { kind: "reject", reason: "oversized" } },
  { values: ["false"], path: undefined, expect: { kind: "reject", reason: "no-request-path" } },
  { values: ["false"], path: "*", expect: { kind: "reject", reason: "path-invalid" } },
  { values: ["false"], path: "/" + "a".repeat(200), expect: { kind: "reject", reason: "path-invalid" } },
  { values: ["fals\u00e9"], path: "/x", expect: { kind: "reject", reason: "malformed" } },
];
