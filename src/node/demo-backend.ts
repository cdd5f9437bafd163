/**
 * The demo backend (yolo/yeet app), also used by the integration tests with
 * their own route tables. It counts every request it serves, per path, and
 * reports the counts at GET /__demo/hits.
 *
 * Usage: node dist/node/demo-backend.js [--port N] [--routes JSON]
 * Prints `listening <port>` once ready.
 */
import * as http from "node:http";
import { EDGE_RESOURCE_HEADER, EDGE_RULE_HEADER, edgeResourceFalse, edgeRule } from "../sdk";

/** What the backend answers for a path. */
export interface Route {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | string[]>>;
  readonly body?: string;
  /** Answer with the request's own headers as JSON (to prove what reached the backend). */
  readonly echo?: boolean;
  /** Answer after this many milliseconds (tests of queues and timeouts). */
  readonly delayMs?: number;
}

/** The demo app. Its signals are built with the SDK, as a real backend would. */
export const DEMO_ROUTES: Readonly<Record<string, Route>> = {
  "/yolo": { status: 200, body: "yolo: this resource exists\n" },
  "/yeet": { status: 404, headers: { [EDGE_RESOURCE_HEADER]: edgeResourceFalse() }, body: "yeet: no such resource\n" },
  "/gone": { status: 410, headers: { [EDGE_RESOURCE_HEADER]: edgeResourceFalse(410) }, body: "gone: removed for good\n" },
  // a read-only endpoint: it tells the edge to answer writes itself
  "/api/items": {
    status: 200,
    headers: { [EDGE_RULE_HEADER]: edgeRule({ block: { methods: ["POST", "PUT", "DELETE"], status: 405, body: "items are read-only", reason: "method" } }) },
    body: '["apple","pear"]\n',
  },
  // scanners: everything under /wp-admin is garbage here
  "/wp-admin": {
    status: 404,
    headers: { [EDGE_RULE_HEADER]: edgeRule({ block: { path: "/wp-admin", prefix: true, methods: "*", reason: "scanner", ttl: 86400 } }) },
    body: "not a WordPress site\n",
  },
};

export function startDemoBackend(port: number, routes: Readonly<Record<string, Route>>): Promise<http.Server> {
  const hits: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const p = q >= 0 ? url.slice(0, q) : url;
    if (p === "/__demo/hits") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(hits));
      return;
    }
    hits[p] = (hits[p] ?? 0) + 1;
    const route = routes[p] ?? routes["*"];
    if (!route) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`ok ${req.method} ${url}\n`);
      return;
    }
    const body = route.echo ? JSON.stringify(req.headers) : (route.body ?? "");
    const answer = () => {
      res.writeHead(route.status, { "content-type": route.echo ? "application/json" : "text/plain", ...(route.headers ?? {}) });
      res.end(req.method === "HEAD" || route.status === 304 ? undefined : body);
    };
    if (route.delayMs) setTimeout(answer, route.delayMs);
    else answer();
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const port = Number(arg("--port") ?? process.env.EDGEBLOCK_DEMO_PORT ?? 8081);
  const routesArg = arg("--routes");
  const routes = routesArg ? (JSON.parse(routesArg) as Record<string, Route>) : DEMO_ROUTES;
  startDemoBackend(port, routes).then(
    (server) => {
      const addr = server.address();
      process.stdout.write(`listening ${typeof addr === "object" && addr ? addr.port : port}\n`);
      const stop = () => server.close(() => process.exit(0));
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    },
    (e: Error) => {
      process.stderr.write(`demo backend: ${e.message}\n`);
      process.exit(1);
    },
  );
}
