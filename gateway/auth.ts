/**
 * Authentication at the gateway: `Authorization: Bearer <JWT>` verified with jose.
 * - Embedded default: HS256 with a generated development secret (`npm run token` mints tokens).
 * - Production: RS256/ES256 with `JWT_JWKS_URL` or a PEM public key in `JWT_PUBLIC_KEY_FILE`.
 * No token means the public principal. A bad token is refused, never downgraded.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../subgraphs/kit/errors.js';
import { developmentJwtSecret } from '../subgraphs/kit/auth/secrets.js';
import { requireProductionKeys } from '../subgraphs/kit/auth/production-keys.js';
import { PUBLIC_PRINCIPAL, principalFromClaims, type Principal, type Purpose } from '../subgraphs/kit/auth/principal.js';

import { PURPOSE_HEADER, REFERENCE_HEADER, purposeFrom } from './purpose.js';
import { configuration } from '../subgraphs/kit/config/index.js';

export { PURPOSE_HEADER, REFERENCE_HEADER };
export const DEVELOPMENT_ISSUER = 'credithub-dev';

export interface TokenVerifier {
  verify(token: string): Promise<JWTPayload>;
}

class TokenTooLongLived extends Error {}

export async function createTokenVerifier(env?: NodeJS.ProcessEnv): Promise<TokenVerifier> {
  // Production: JWKS or a public key, the issuer, and the internal secret, or no start.
  requireProductionKeys('the gateway', ['token-verification', 'internal-secret'], env);
  const settings = configuration(env);
  const audience = settings.JWT_AUDIENCE;
  const issuer = settings.JWT_ISSUER;
  const maxLifetime = settings.JWT_MAX_LIFETIME_S;
  let key: Uint8Array | CryptoKey | JWTVerifyGetKey;
  let algorithms: string[];
  if (settings.JWT_JWKS_URL) {
    key = createRemoteJWKSet(new URL(settings.JWT_JWKS_URL));
    algorithms = ['RS256', 'ES256'];
  } else if (settings.JWT_PUBLIC_KEY_FILE) {
    const algorithm = settings.JWT_ALGORITHM;
    key = await importSPKI(readFileSync(settings.JWT_PUBLIC_KEY_FILE, 'utf8'), algorithm);
    algorithms = [algorithm];
  } else {
    key = developmentJwtSecret();
    algorithms = ['HS256'];
  }
  return {
    async verify(token) {
      const { payload } = await jwtVerify(token, key as any, { audience, issuer, algorithms, requiredClaims: ['exp'] });
      const now = Math.floor(Date.now() / 1000);
      const from = typeof payload.iat === 'number' ? Math.min(payload.iat, now) : now;
      if (payload.exp! - from > maxLifetime) throw new TokenTooLongLived(`${payload.exp! - from} s`);
      return payload;
    },
  };
}

function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`Not authenticated: ${reason}`, {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
  });
}

function reasonFor(error: unknown): string {
  if (error instanceof TokenTooLongLived) return `the token lives ${error.message}, longer than this hub accepts (JWT_MAX_LIFETIME_S): get a shorter-lived one`;
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp' && error.reason === 'missing') {
    return 'the token has no "exp" claim: this hub accepts only tokens that expire';
  }
  if (error instanceof errors.JWTExpired) return 'the token has expired; get a new one';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's "${error.claim}" claim is not accepted (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this hub does not accept';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the hub matches the token';
  return 'the token is malformed: send "Authorization: Bearer <JWT>"';
}

/** The principal of a request, or a typed UNAUTHENTICATED error. */
export async function authenticate(req: IncomingMessage, verifier: TokenVerifier, departments: readonly string[]): Promise<Principal> {
  return principalOf(req.headers.authorization, verifier, departments);
}

/** Identity and purpose from header-like values: HTTP headers, or a WebSocket's connection params. */
export async function authenticateHeaders(
  values: { authorization?: string; purpose?: string; reference?: string },
  verifier: TokenVerifier,
  departments: readonly string[],
): Promise<{ principal: Principal; purpose: Purpose | null }> {
  return { principal: await principalOf(values.authorization, verifier, departments), purpose: purposeFrom(values.purpose, values.reference, false) };
}

/** `departments`: the names a department officer's claim may state (the supergraph's departments). */
async function principalOf(header: string | undefined, verifier: TokenVerifier, departments: readonly string[]): Promise<Principal> {
  if (!header) return PUBLIC_PRINCIPAL;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <JWT>"');
  let claims: JWTPayload;
  try {
    claims = await verifier.verify(match[1]);
  } catch (error) {
    throw unauthenticated(reasonFor(error));
  }
  const principal = principalFromClaims(claims as Record<string, unknown>, [...departments]);
  if (typeof principal === 'string') throw unauthenticated(principal);
  return principal;
}

/** The stated purpose of use (both headers, or neither), needed to read personal data unmasked. */
export function purposeOf(req: IncomingMessage): Purpose | null {
  return purposeFrom(req.headers[PURPOSE_HEADER], req.headers[REFERENCE_HEADER], true);
}
