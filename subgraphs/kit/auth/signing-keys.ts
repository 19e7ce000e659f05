/**
 * The hub's ES256 signing keys (screening receipts, access-register checkpoints): a PKCS#8 PEM
 * from an environment variable — the same for every replica — or, in development, generated
 * once under DATA_DIR. Anyone holding the published public key verifies what was signed
 * offline (`publicKeyVerifier`), with no hub and no database.
 */
import { fileCreatedOnce } from './secrets.js';
import { configuration } from '../config/index.js';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, jwtVerify, SignJWT, type JWK } from 'jose';

const ALG = 'ES256';
const ISSUER = 'credithub';

export interface SigningKeys {
  kid: string;
  publicJwk: JWK;
  publicPem: string;
  sign(claims: Record<string, unknown>, subject: string): Promise<string>;
  verify(jws: string): Promise<Record<string, unknown>>;
}

/** What is signed with one key: its environment variable, its development file, its JWS `typ`. */
export interface SigningKeySpec {
  variable: 'CREDITHUB_RECEIPT_KEY' | 'CREDITHUB_REGISTER_SIGNING_KEY';
  file: string;
  typ: string;
}

async function loadPrivatePem(spec: SigningKeySpec): Promise<string> {
  const fromEnv = configuration()[spec.variable];
  if (fromEnv) return fromEnv;
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const generated = await exportPKCS8(privateKey);
  return fileCreatedOnce(spec.file, () => generated);
}

const verifyWith = (publicKey: CryptoKey, typ: string) => async (jws: string) =>
  (await jwtVerify(jws, publicKey, { issuer: ISSUER, typ, algorithms: [ALG] })).payload as Record<string, unknown>;

export async function loadSigningKeys(spec: SigningKeySpec): Promise<SigningKeys> {
  let privateKey: CryptoKey;
  try {
    privateKey = await importPKCS8(await loadPrivatePem(spec), ALG, { extractable: true });
  } catch (error) {
    throw new Error(`${spec.variable} is not a PKCS#8 PEM of a P-256 key (${(error as Error).message}); e.g. openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`);
  }
  const privateJwk = await exportJWK(privateKey);
  const { d: _d, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  const publicKey = await crypto.subtle.importKey('jwk', { ...publicJwk, key_ops: ['verify'] } as JsonWebKey, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
  const publicPem = await exportSPKI(publicKey);
  return {
    kid,
    publicJwk: { ...publicJwk, kid, alg: ALG, use: 'sig' },
    publicPem,
    sign: (claims, subject) =>
      new SignJWT(claims).setProtectedHeader({ alg: ALG, kid, typ: spec.typ }).setIssuer(ISSUER).setSubject(subject).setIssuedAt().sign(privateKey),
    verify: verifyWith(publicKey, spec.typ),
  };
}

/** Verifies JWSs of `typ` with a published public key (SPKI PEM) alone. */
export async function publicKeyVerifier(publicPem: string, typ: string): Promise<(jws: string) => Promise<Record<string, unknown>>> {
  return verifyWith(await importSPKI(publicPem, ALG), typ);
}

/** A key as the GraphQL `ReceiptKey` type publishes it. */
export const publishedKey = (keys: SigningKeys) => ({ alg: ALG, kid: keys.kid, jwk: JSON.stringify(keys.publicJwk), pem: keys.publicPem });
