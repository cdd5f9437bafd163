/**
 * `npm run example:gateway`: the API gateway example (examples/api-gateway). Makes the certificate and
 * the JWT key pair it needs, starts its three demo servers and HAProxy, and prints what to try. The
 * integration test starts it the same way, in a copy of the folder, on free ports.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { createPrivateKey, generateKeyPairSync, KeyObject, sign } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { edgeResourceFalse, edgeRule } from "../sdk";
import { haproxyCheck } from "./cli";
import { loadConfig } from "./config";
import { Route } from "./demo-backend";
import { haproxyBin } from "./haproxy-bin";
import { portOpen, waitFor } from "./ports";
import { renderToDisk } from "./render";

const ROOT = path.resolve(__dirname, "../..");
export const EXAMPLE_DIR = path.join(ROOT, "examples/api-gateway");

/** The example's ports, each movable with the variable edgeblock.yaml names beside it. */
export const PORT_VARS = { http: "GW_HTTP_PORT", https: "GW_HTTPS_PORT", stats: "GW_STATS_PORT", catalog1: "GW_CATALOG1_PORT", catalog2: "GW_CATALOG2_PORT", cart: "GW_CART_PORT" } as const;
const DEFAULT_PORTS: Record<keyof typeof PORT_VARS, number> = { http: 8080, https: 8443, stats: 8405, catalog1: 9201, catalog2: 9202, cart: 9203 };
export type GatewayPorts = Record<keyof typeof PORT_VARS, number>;

const CACHEABLE = { "cache-control": "max-age=30" };

/** What each demo server answers: a catalog that teaches the edge its unknown paths, a cart that refuses PUT. */
function routesOf(server: string): Record<string, Route> {
  if (server === "cart1") {
    return {
      "/cart": { status: 200, headers: { "Edge-Rule": edgeRule({ block: { methods: ["PUT"], status: 405, body: "use POST /cart/items", reason: "method" } }) }, body: `cart (${server})\n` },
      "*": { status: 200, body: `cart (${server})\n` },
    };
  }
  return {
    "/health": { status: 200, body: "ok\n" },
    "/catalog/items": { status: 200, headers: CACHEABLE, body: `["apple","pear"] (${server})\n` },
    "/catalog/old": { status: 410, headers: { "X-Edge-Resource": edgeResourceFalse(410) }, body: "gone\n" },
    // anything else under the catalog does not exist, and the edge may learn so
    "*": { status: 404, headers: { "X-Edge-Resource": edgeResourceFalse() }, body: "no such page\n" },
  };
}

export interface GatewayExample {
  readonly dir: string;
  readonly ports: GatewayPorts;
  /** A token the gateway accepts, for `sub`. */
  token(sub: string, ttlSeconds?: number): string;
  /** The pids this started (HAProxy's master, the demo servers). */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

/** The key pair and certificate the example needs, made once in run/. */
function makeSecrets(run: string): KeyObject {
  mkdirSync(run, { recursive: true });
  const site = path.join(run, "site.pem");
  if (!existsSync(site)) {
    const key = path.join(run, "site.key");
    const crt = path.join(run, "site.crt");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt, "-days", "30", "-subj", "/CN=localhost"], { stdio: "ignore" });
    writeFileSync(site, readFileSync(crt, "utf8") + readFileSync(key, "utf8"), { mode: 0o600 });
  }
  const jwtKey = path.join(run, "jwt.key");
  if (!existsSync(jwtKey)) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(jwtKey, pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string, { mode: 0o600 });
    writeFileSync(path.join(run, "jwt.pub"), pair.publicKey.export({ type: "spki", format: "pem" }) as string);
  }
  const map = path.join(run, "path_status.map");
  if (!existsSync(map)) writeFileSync(map, "# paths blocked from startup\n/.env 404\n");
  return createPrivateKey(readFileSync(jwtKey, "utf8"));
}

/** A copy of the example in `dir`, its Lua bundle named absolute, so a test's run stays out of the checkout. */
export function copyExample(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const f of ["api_keys.map", "tiers.map"]) copyFileSync(path.join(EXAMPLE_DIR, f), path.join(dir, f));
  const yaml = readFileSync(path.join(EXAMPLE_DIR, "edgeblock.yaml"), "utf8").replace("file: ../../lua-out/blocks.lua", `file: ${path.join(ROOT, "lua-out/blocks.lua")}`);
  writeFileSync(path.join(dir, "edgeblock.yaml"), yaml);
  return dir;
}

export async function startGatewayExample(dir: string = EXAMPLE_DIR, ports: Partial<GatewayPorts> = {}, log: (s: string) => void = () => undefined): Promise<GatewayExample> {
  const p: GatewayPorts = { ...DEFAULT_PORTS, ...ports };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(PORT_VARS) as Array<keyof typeof PORT_VARS>) env[PORT_VARS[k]] = String(p[k]);
  const signer = makeSecrets(path.join(dir, "run"));
  log(`rendering ${path.join(dir, "edgeblock.yaml")} (edgeblock render, haproxy -c)`);
  renderToDisk(loadConfig(path.join(dir, "edgeblock.yaml")), { outDir: dir, check: haproxyCheck });
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return resolve();
            c.once("exit", () => resolve());
            process.kill(c.pid, "SIGTERM");
          }),
      ),
    );
  };
  try {
    for (const [name, port] of [["catalog1", p.catalog1], ["catalog2", p.catalog2], ["cart1", p.cart]] as const) {
      const c = spawn(process.execPath, [path.join(ROOT, "dist/node/demo-backend.js"), "--port", String(port), "--routes", JSON.stringify(routesOf(name))], { stdio: ["ignore", "ignore", "inherit"] });
      children.push(c);
      await waitFor(`${name} on ${port}`, async () => c.exitCode === null && (await portOpen(port)), 10_000);
    }
    const haproxy = spawn(haproxyBin(), ["-W", "-S", "unix@run/master.sock,mode,600", "-db", "-f", "haproxy.cfg"], { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
    children.push(haproxy);
    let err = "";
    haproxy.stderr?.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    await waitFor(`HAProxy on ${p.https} (${err})`, async () => {
      if (haproxy.exitCode !== null) throw new Error(`HAProxy exited: ${err}`);
      return portOpen(p.https);
    }, 15_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    ports: p,
    pids: children.map((c) => c.pid ?? 0),
    token: (sub, ttl = 3600) => {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const now = Math.floor(Date.now() / 1000);
      const data = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iss: "https://idp.example", aud: "shop", sub, iat: now, exp: now + ttl })}`;
      return `${data}.${sign("sha256", Buffer.from(data), signer).toString("base64url")}`;
    },
    stop,
  };
}

async function main(): Promise<void> {
  const say = (s: string) => process.stdout.write(`[edgeblock gateway example] ${s}\n`);
  const ports: Partial<GatewayPorts> = {};
  for (const k of Object.keys(PORT_VARS) as Array<keyof typeof PORT_VARS>) if (process.env[PORT_VARS[k]]) ports[k] = Number(process.env[PORT_VARS[k]]);
  const gw = await startGatewayExample(EXAMPLE_DIR, ports, say);
  const e = `https://127.0.0.1:${gw.ports.https}`;
  const t = gw.token("alice");
  say(`HAProxy and three demo servers running (pids ${gw.pids.join(", ")}); stats on http://127.0.0.1:${gw.ports.stats}/`);
  process.stdout.write(`
Try (the certificate is self-signed: -k):
  curl -k --http2 -i ${e}/catalog/items        # HTTP/2, HSTS, X-Cache-Status: MISS, then HIT
  curl -i http://127.0.0.1:${gw.ports.http}/catalog/items   # 308 to HTTPS
  curl -k -i ${e}/catalog/wp-login.php         # 404 from the catalog, which teaches the edge...
  curl -k -i ${e}/catalog/wp-login.php         # ...so this 404 comes from HAProxy
  curl -k -i ${e}/cart                         # 401: the cart needs credentials
  curl -k -i -H 'Authorization: Bearer ${t}' ${e}/cart
  curl -k -i -H 'X-Api-Key: key-bronze-1' ${e}/cart   # the 6th in a minute: 429 (key-gold-1: 100)
  curl -k -i -X PUT -H 'X-Api-Key: key-gold-1' ${e}/cart   # 405 from HAProxy once a GET /cart taught it

Ctrl-C stops everything this started.
`);
  const quit = () => void gw.stop().then(() => process.exit(0));
  process.on("SIGINT", quit);
  process.on("SIGTERM", quit);
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`[edgeblock gateway example] ${e.message}\n`);
    process.exit(1);
  });
}
