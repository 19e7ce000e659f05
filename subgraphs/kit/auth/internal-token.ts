/**
 * The gateway forwards the verified principal (and the stated purpose) to subgraphs as a
 * short-lived token it signs; subgraphs trust nothing else — never a plain role header.
 */
import type { IncomingMessage } from 'node:http';
import { jwtVerify, SignJWT } from 'jose';
import type { Principal, Purpose } from './principal.js';

export const INTERNAL_TOKEN_HEADER = 'x-credithub-principal';
const AUDIENCE = 'credithub-subgraph';
const ISSUER = 'credithub-gateway';

export interface ForwardedIdentity {
  principal: Principal;
  purpose: Purpose | null;
  /** The gateway's id of the request this call serves (its log lines, register records and spans). */
  requestId: string | undefined;
}

export async function signInternalToken(identity: ForwardedIdentity, secret: Uint8Array): Promise<string> {
  return new SignJWT({ principal: identity.principal, purpose: identity.purpose, rid: identity.requestId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(secret);
}

/** The forwarded identity, or why there is none. */
export async function verifyInternalToken(token: string | undefined, secret: Uint8Array): Promise<ForwardedIdentity | { problem: string }> {
  if (!token) return { problem: 'this subgraph answers only requests forwarded by the CreditHub gateway' };
  try {
    const { payload } = await jwtVerify(token, secret, { audience: AUDIENCE, issuer: ISSUER, algorithms: ['HS256'] });
    // A token without a request id names no request: the subgraph makes its own id for its lines.
    const requestId = typeof payload.rid === 'string' && payload.rid ? payload.rid : undefined;
    return { principal: payload.principal as Principal, purpose: (payload.purpose as Purpose) ?? null, requestId };
  } catch {
    return { problem: 'the forwarded identity is not valid: call the CreditHub gateway, not the subgraph' };
  }
}

const verified = new WeakMap<IncomingMessage, Promise<ForwardedIdentity | { problem: string }>>();

/**
 * The identity a request carries in its internal token, verified once per request: the server
 * asks (to decide whether the request continues its caller's trace) before the context does.
 */
export function forwardedIdentityOf(req: IncomingMessage, secret: Uint8Array): Promise<ForwardedIdentity | { problem: string }> {
  let identity = verified.get(req);
  if (!identity) {
    const header = req.headers[INTERNAL_TOKEN_HEADER];
    identity = verifyInternalToken(Array.isArray(header) ? header[0] : header, secret);
    verified.set(req, identity);
  }
  return identity;
}
