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
