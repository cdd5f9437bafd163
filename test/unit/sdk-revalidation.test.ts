/** The SDK's side of deploy generations and probes: the token it sends, and how it recognises a probe. */
import { describe, expect, it } from "vitest";
import { EDGE_GENERATION_HEADER, EDGE_PROBE_HEADER, edgeGeneration, isProbe } from "../../src/sdk";

describe("SDK: generations and probes", () => {
  it("reads the generation from EDGE_GENERATION, then GIT_COMMIT, then SOURCE_VERSION, as a valid token", () => {
    expect(edgeGeneration({ EDGE_GENERATION: "v2", GIT_COMMIT: "abc" })).toBe("v2");
    expect(edgeGeneration({ GIT_COMMIT: "3f9a1c0" })).toBe("3f9a1c0");
    expect(edgeGeneration({ SOURCE_VERSION: "release 7/2" })).toBe("release-7-2");
    expect(edgeGeneration({})).toBeUndefined();
    expect(EDGE_GENERATION_HEADER).toBe("Edge-Generation");
  });
  it("recognises the edge's probes by their header", () => {
    expect(isProbe({ "edge-probe": "1" })).toBe(true);
    expect(isProbe({ cookie: "a=b" })).toBe(false);
    expect(EDGE_PROBE_HEADER.toLowerCase()).toBe("edge-probe");
  });
});
