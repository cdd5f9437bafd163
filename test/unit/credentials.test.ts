/** rules explain's credential check (node/credentials.ts) reads claims as the rendered lines do. */
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { jwtValid } from "../../src/node/credentials";

const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
const key = path.join(mkdtempSync(path.join(os.tmpdir(), "eb-cred-")), "k.pub");
writeFileSync(key, pair.publicKey.export({ type: "spki", format: "pem" }) as string);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const token = (claims: object, alg = "RS256") => {
  const data = `${b64({ alg, typ: "JWT" })}.${b64(claims)}`;
  return `${data}.${sign("sha256", Buffer.from(data), pair.privateKey).toString("base64url")}`;
};
const j = { alg: "RS256", key, clockSkew: 30, issuer: "https://idp.example" };
const now = 1800000000;

describe("jwtValid", () => {
  it("takes exp and nbf as integers or digit strings, with the clock skew, and checks alg, issuer and signature", () => {
    const iss = "https://idp.example";
    expect(jwtValid(j, token({ iss, exp: now + 60 }), now)).toBe(true);
    expect(jwtValid(j, token({ iss, exp: String(now + 60) }), now)).toBe(true);
    expect(jwtValid(j, token({ iss, exp: now - 10 }), now)).toBe(true);
    expect(jwtValid(j, token({ iss, exp: now - 31 }), now)).toBe(false);
    expect(jwtValid(j, token({ iss }), now)).toBe(false);
    expect(jwtValid(j, token({ iss, exp: now + 60, nbf: String(now + 120) }), now)).toBe(false);
    expect(jwtValid(j, token({ iss, exp: now + 60, nbf: now + 20 }), now)).toBe(true);
    expect(jwtValid(j, token({ iss: "https://evil.example", exp: now + 60 }), now)).toBe(false);
    expect(jwtValid(j, token({ iss, exp: now + 60 }, "HS256"), now)).toBe(false);
    expect(jwtValid(j, token({ iss, exp: now + 60 }).slice(0, -4) + "AAAA", now)).toBe(false);
  });
});
