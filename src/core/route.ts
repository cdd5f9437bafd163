/**
 * Routing: which backend a request goes to, decided on the normalised path (the one rules use),
 * so that no spelling of a path reaches another backend than the path itself. The frontend's
 * route lines (templates/haproxy.cfg.hbs) mirror routeFor; explain and the rules page call it.
 */

export interface Route {
  readonly backend: string;
  /** Normalised path; matches it and everything below it, segment-wise (`/api`: `/api`, `/api/x`, not `/apix`). */
  readonly pathPrefix?: string;
  /** Lower-case host without port. */
  readonly host?: string;
  /** Lower-case domain: the host itself or any name under it (`example.com`: `example.com`, `a.example.com`). */
  readonly domain?: string;
  /** A request header (lower-case name) that must carry exactly this value. */
  readonly header?: { readonly name: string; readonly value: string };
}

/** Routing from a map file, tried after the routes: by host (exact), or by path prefix (keys end with `/`). */
export interface RouteMap {
  readonly by: "host" | "path_prefix";
  /** Key to backend, as the map file lists them. */
  readonly entries: ReadonlyArray<readonly [key: string, backend: string]>;
}

/** What the route lines compare the normalised path + `/` with (`-m beg`); undefined for `/`, which covers every path. */
export function routePrefixProbe(pathPrefix: string | undefined): string | undefined {
  if (pathPrefix === undefined || pathPrefix === "/") return undefined;
  return pathPrefix + "/";
}

/** The request facts routes test; headers by lower-case name. */
export interface RouteRequest {
  readonly path: string;
  readonly host: string | undefined;
  readonly header?: (name: string) => string | undefined;
}

function domainMatches(domain: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  if (host === domain) return true;
  const tail = "." + domain;
  return host.length > tail.length && host.substring(host.length - tail.length) === tail;
}

export function routeMatches(r: Route, path: string, host: string | undefined, header?: (name: string) => string | undefined): boolean {
  const probe = routePrefixProbe(r.pathPrefix);
  if (probe !== undefined && (path + "/").substring(0, probe.length) !== probe) return false;
  if (r.host !== undefined && r.host !== host) return false;
  if (r.domain !== undefined && !domainMatches(r.domain, host)) return false;
  if (r.header !== undefined && (header === undefined || header(r.header.name) !== r.header.value)) return false;
  return true;
}

/** The map's backend for the request: the host's entry, or the longest path-prefix key the path + `/` starts with (map_beg). */
export function routeMapLookup(m: RouteMap, path: string, host: string | undefined): string | undefined {
  if (m.by === "host") {
    for (const [k, b] of m.entries) if (k === host) return b;
    return undefined;
  }
  let best: readonly [string, string] | undefined;
  const probe = path + "/";
  for (const e of m.entries) if (probe.substring(0, e[0].length) === e[0] && (best === undefined || e[0].length > best[0].length)) best = e;
  return best?.[1];
}

/** The first matching route's backend, then the map's, else the default. `path` is normalised, `host` as core/rulekey normalizeHost gives it. */
export function routeFor(routes: readonly Route[], defaultBackend: string, path: string, host: string | undefined, header?: (name: string) => string | undefined, map?: RouteMap): string {
  for (const r of routes) if (routeMatches(r, path, host, header)) return r.backend;
  return (map ? routeMapLookup(map, path, host) : undefined) ?? defaultBackend;
}

