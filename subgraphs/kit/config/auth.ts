/** Token verification, the hub's shared secrets and who may write what. */
import { flag, integer, oneOf, text, url } from './variable.js';

/** Shortest shared secret (HS256 keys, CREDITHUB_INTERNAL_SECRET): 256 bits, as RFC 7518 §3.2 asks of HS256. */
export const MIN_SECRET_BYTES = 32;

const secret = `at least ${MIN_SECRET_BYTES} bytes (e.g. openssl rand -base64 48)`;

export const auth = {
  JWT_JWKS_URL: url({ schemes: ['https:', 'http:'], doc: 'token verification (RS256 / ES256) with the identity provider\'s keys; this or `JWT_PUBLIC_KEY_FILE` is required in production (over https)' }),
  JWT_PUBLIC_KEY_FILE: text({ allowed: 'a file path', doc: 'token verification with a PEM public key (with `JWT_ALGORITHM`)' }),
  JWT_ALGORITHM: oneOf(['RS256', 'ES256'], { default: 'RS256', doc: 'the algorithm of `JWT_PUBLIC_KEY_FILE`' }),
  JWT_AUDIENCE: text({ default: 'credithub', doc: 'the audience every token must carry' }),
  JWT_ISSUER: text({ defaultText: 'any in development, required in production', doc: 'the issuer every token must name; `exp` is required too' }),
  JWT_MAX_LIFETIME_S: integer({ min: 1, max: 366 * 24 * 3600, default: 24 * 60 * 60, defaultText: '86400 (24 h)', unit: 'seconds', doc: 'longest a token may live, from its `iat` (or now) to its `exp`; longer-lived tokens are `UNAUTHENTICATED`' }),
  CREDITHUB_JWT_SECRET: text({ secret: true, minLength: MIN_SECRET_BYTES, allowed: secret, defaultText: 'generated `data/dev-jwt.secret`', doc: 'development only (refused in production): signs HS256 tokens when no JWKS or public key is set' }),
  CREDITHUB_INTERNAL_SECRET: text({ secret: true, minLength: MIN_SECRET_BYTES, allowed: secret, defaultText: 'generated `data/internal-token.secret` (development only)', doc: 'shared by the gateway and subgraphs: signs the forwarded identity; required in production' }),
  CREDITHUB_RECEIPT_KEY: text({ secret: true, pattern: /-----BEGIN PRIVATE KEY-----/, allowed: 'a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)', defaultText: 'generated `data/receipt-key.pem` (development only)', doc: 'PKCS#8 PEM (ES256) signing screening receipts, the same for every platform replica; required in production' }),
  CREDITHUB_REGISTER_KEY: text({ secret: true, minLength: MIN_SECRET_BYTES, allowed: secret, defaultText: 'generated `data/register-key.secret` (development only)', doc: 'keys the access register\'s record and head MACs (HMAC-SHA-256), the same for every platform replica; required in production' }),
  CREDITHUB_REGISTER_SIGNING_KEY: text({ secret: true, pattern: /-----BEGIN PRIVATE KEY-----/, allowed: 'a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)', defaultText: 'generated `data/register-signing-key.pem` (development only)', doc: 'PKCS#8 PEM (ES256) signing the access register\'s checkpoints, the same for every platform replica; required in production' }),
  CREDITHUB_REGISTER_CHECKPOINT_FILE: text({ allowed: 'a file path', doc: 'where the platform appends each signed checkpoint of the access register as a JSON line: the copy an auditor keeps, outside the database' }),
  CREDITHUB_ADMIN_WRITES: flag({ default: false, doc: '`true`: platform administrators may change departments\' lists, recorded as acting for the department' }),
  CREDITHUB_CREDIT_AGENCIES: text({ allowed: 'a JSON array of { "name", "creditCode", "qualifiedUntil" }', pattern: /^\s*\[[\s\S]*\]\s*$/, defaultText: 'demo register outside production, none in production', doc: 'the register of qualified credit service agencies (893 §11) the administrators maintain, the same for every department' }),
  CREDITHUB_CREDIT_AGENCIES_FILE: text({ allowed: 'a file path', doc: 'the same register in a JSON file, re-read when it changes' }),
};
