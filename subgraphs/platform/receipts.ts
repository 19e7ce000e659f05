/**
 * Proof of screening: a screening record as a receipt the agency takes away — a JWS
 * (ES256) over the codes, scenario, time, verdicts and the data version the screening saw,
 * signed with the hub's key. Anyone holding the published public key verifies it offline.
 *
 * The key comes from CREDITHUB_RECEIPT_KEY (a PKCS#8 PEM, the same for every platform
 * replica) or is generated once under DATA_DIR.
 */
import { fileCreatedOnce } from '../kit/auth/secrets.js';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, jwtVerify, SignJWT, type JWK } from 'jose';
import { configuration } from '../kit/config/index.js';

export const RECEIPT_TYPE = 'credithub-screening-receipt+jwt';
const ALG = 'ES256';

export interface ReceiptKeys {
  kid: string;
  publicJwk: JWK;
  publicPem: string;
  sign(claims: Record<string, unknown>, subject: string): Promise<string>;
  verify(receipt: string): Promise<Record<string, unknown>>;
}

async function loadPrivatePem(): Promise<string> {
  const configured = configuration().CREDITHUB_RECEIPT_KEY;
  if (configured) return configured;
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const generated = await exportPKCS8(privateKey);
  return fileCreatedOnce('receipt-key.pem', () => generated);
}

export async function loadReceiptKeys(): Promise<ReceiptKeys> {
  const privateKey = await importPKCS8(await loadPrivatePem(), ALG, { extractable: true });
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
      new SignJWT(claims).setProtectedHeader({ alg: ALG, kid, typ: RECEIPT_TYPE }).setIssuer('credithub').setSubject(subject).setIssuedAt().sign(privateKey),
    verify: async (receipt) => (await jwtVerify(receipt, publicKey, { issuer: 'credithub', typ: RECEIPT_TYPE, algorithms: [ALG] })).payload,
  };
}
