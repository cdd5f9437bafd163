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
}

/** What the route lines compare the normalised path + `/` with (`-m beg`); undefined for `/`, which covers every path. */
export function routePrefixProbe(pathPrefix: string | undefined): string | undefined {
  if (pathPrefix === undefined || pathPrefix === "/") return undefined;
  return pathPrefix + "/";
}

export function routeMatches(r: Route, path: string, host: string | undefined): boolean {
  const probe = routePrefixProbe(r.pathPrefix);
  if (probe !== undefined && (path + "/").substring(0, probe.length) !== probe) return false;
  return r.host === undefined || r.host === host;
}

/** The first matching route's backend, else the default. `path` is normalised, `host` as core/rulekey normalizeHost gives it. */
export function routeFor(routes: readonly Route[], defaultBackend: string, path: string, host: string | undefined): string {
  for (const r of routes) if (routeMatches(r, path, host)) return r.backend;
  return defaultBackend;
}
