import { describe, expect, it } from "vitest";
import { routeFor } from "../../src/core/route";

describe("routeFor (mirrored by the frontend's route lines)", () => {
  const routes = [{ backend: "admin", pathPrefix: "/api/admin" }, { backend: "api", pathPrefix: "/api" }, { backend: "old", host: "old.example.com" }, { backend: "root", pathPrefix: "/", host: "root.example" }];
  it.each([
    ["/api", undefined, "api"],
    ["/api/x", undefined, "api"],
    ["/apix", undefined, "app"],
    ["/api/admin/users", undefined, "admin"],
    ["/api/adminx", undefined, "api"],
    ["/page", "old.example.com", "old"],
    ["/api", "old.example.com", "api"],
    ["/anything", "root.example", "root"],
    ["/", undefined, "app"],
  ])("%s (host %s) -> %s", (path, host, backend) => {
    expect(routeFor(routes, "app", path, host)).toBe(backend);
  });
});

describe("routes by domain and header, and maps", () => {
  const h = (m: Record<string, string>) => (n: string) => m[n];
  it("a domain takes the host itself and names under it, not names that merely end alike", () => {
    const r = [{ backend: "shop", domain: "shop.example" }];
    expect(routeFor(r, "app", "/", "shop.example")).toBe("shop");
    expect(routeFor(r, "app", "/", "eu.shop.example")).toBe("shop");
    expect(routeFor(r, "app", "/", "notshop.example")).toBe("app");
    expect(routeFor(r, "app", "/", undefined)).toBe("app");
  });
  it("a header route needs the exact value", () => {
    const r = [{ backend: "v2", header: { name: "x-api-version", value: "2" } }];
    expect(routeFor(r, "app", "/", undefined, h({ "x-api-version": "2" }))).toBe("v2");
    expect(routeFor(r, "app", "/", undefined, h({ "x-api-version": "20" }))).toBe("app");
    expect(routeFor(r, "app", "/", undefined)).toBe("app");
  });
  it("a map is tried after the routes: by host, or by the longest path-prefix key", () => {
    const hosts = { by: "host" as const, entries: [["partner.example", "partner"]] as const };
    expect(routeFor([{ backend: "x", host: "partner.example" }], "app", "/", "partner.example", undefined, hosts)).toBe("x");
    expect(routeFor([], "app", "/", "partner.example", undefined, hosts)).toBe("partner");
    const paths = { by: "path_prefix" as const, entries: [["/api/", "api"], ["/api/v1/legacy/", "v1"]] as const };
    expect(routeFor([], "app", "/api", undefined, undefined, paths)).toBe("api");
    expect(routeFor([], "app", "/api/v1/legacy/y", undefined, undefined, paths)).toBe("v1");
    expect(routeFor([], "app", "/apix", undefined, undefined, paths)).toBe("app");
  });
});
