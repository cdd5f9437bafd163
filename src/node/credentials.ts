/**
 * Whether a request's credentials pass the gateway's checks (auth.jwt, auth.api_keys), the same checks
 * the rendered lines make (templates/partials/auth.hbs), for `rules explain`.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { AuthConfig, JwtConfig } from "./config";

const DIGESTS: Readonly<Record<string, string>> = { "256": "sha256", "384": "sha384", "512": "sha512" };

function json(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A bearer token that HAProxy's lines accept: its header's alg, iss, aud, exp and nbf with the skew, and its signature. */
export function jwtValid(j: JwtConfig, token: string, now: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const parts = token.split(".");
  if (parts.length !== 3) return false;
  const header = json(parts[0]);
  const claims = json(parts[1]);
  if (!header || !claims || header.alg !== j.alg) return false;
  if (j.issuer !== undefined && claims.iss !== j.issuer) return false;
  if (j.audience !== undefined && claims.aud !== j.audience) return false;
  // as HAProxy's jwt_payload_query(..., 'int') reads a claim: an integer, or a string of digits
  const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) ? v : typeof v === "string" && /^[0-9]{1,18}$/.test(v) ? Number(v) : undefined);
  const exp = int(claims.exp);
  const nbf = int(claims.nbf);
  if (exp === undefined || exp + j.clockSkew - now <= 0) return false;
  if (nbf !== undefined && nbf - j.clockSkew - now > 0) return false;
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const sig = Buffer.from(parts[2], "base64url");
  const digest = DIGESTS[j.alg.slice(2)];
  if (j.alg.startsWith("HS")) {
    const secret = j.secretEnv ? env[j.secretEnv] : undefined;
    if (!secret) return false;
    const mac = createHmac(digest, secret).update(data).digest();
    return mac.length === sig.length && timingSafeEqual(mac, sig);
  }
  const key = createPublicKey(readFileSync(j.key ?? "", "utf8"));
  return verify(digest, data, j.alg.startsWith("ES") ? { key, dsaEncoding: "ieee-p1363" } : key, sig);
}

/** How the request authenticated (`jwt`, `api_key`), or undefined; headers by lower-case name. */
export function verifiedAs(a: AuthConfig, headers: Readonly<Record<string, string>>, now: number): "jwt" | "api_key" | undefined {
  const auth = headers.authorization ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
  if (a.jwt && m && jwtValid(a.jwt, m[1], now)) return "jwt";
  const key = a.apiKeys ? headers[a.apiKeys.header] : undefined;
  if (a.apiKeys && key !== undefined) {
    const listed = readFileSync(a.apiKeys.map, "utf8")
      .split("\n")
      .some((l) => !l.trim().startsWith("#") && l.trim().split(/\s+/)[0] === key);
    if (listed) return "api_key";
  }
  return undefined;
}
