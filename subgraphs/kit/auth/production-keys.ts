/**
 * Production refuses development keys. With NODE_ENV=production the gateway and every
 * subgraph check, before they start, that real key material and shared secrets are
 * configured — never generated under DATA_DIR — and name everything that is missing.
 */
import { existsSync } from 'node:fs';

/** Shortest shared secret (HS256 keys, CREDITHUB_INTERNAL_SECRET): 256 bits, as RFC 7518 §3.2 asks of HS256. */
export const MIN_SECRET_BYTES = 32;

export type ProductionSecret = 'token-verification' | 'internal-secret' | 'receipt-key' | 'register-keys';

export const isProduction = (env: NodeJS.ProcessEnv = process.env) => env.NODE_ENV === 'production';

/** A shared secret given in the environment, refused when too short to be a key. */
export function checkedSecret(variable: string, value: string): Uint8Array {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new Error(`${variable} has ${bytes.length} bytes; a shared secret needs at least ${MIN_SECRET_BYTES} (e.g. openssl rand -base64 48)`);
  }
  return bytes;
}

/** What is missing or unacceptable for a production start, one sentence each. */
export function productionKeyProblems(needs: ProductionSecret[], env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  if (needs.includes('token-verification')) {
    if (env.JWT_JWKS_URL) {
      let url: URL | null = null;
      try {
        url = new URL(env.JWT_JWKS_URL);
      } catch {
        problems.push(`JWT_JWKS_URL "${env.JWT_JWKS_URL.slice(0, 80)}" is not a URL`);
      }
      if (url && url.protocol !== 'https:') problems.push('JWT_JWKS_URL must be an https URL');
    } else if (env.JWT_PUBLIC_KEY_FILE) {
      if (!existsSync(env.JWT_PUBLIC_KEY_FILE)) problems.push(`JWT_PUBLIC_KEY_FILE ${env.JWT_PUBLIC_KEY_FILE} does not exist`);
    } else {
      problems.push('token verification: set JWT_JWKS_URL (the identity provider\'s keys) or JWT_PUBLIC_KEY_FILE (a PEM public key)');
    }
    if (env.CREDITHUB_JWT_SECRET) problems.push('CREDITHUB_JWT_SECRET (HS256 development tokens) is not accepted in production: remove it');
    if (!env.JWT_ISSUER) problems.push('JWT_ISSUER: the issuer every token must name');
  }
  if (needs.includes('internal-secret')) {
    problems.push(...sharedSecretProblems('CREDITHUB_INTERNAL_SECRET', env.CREDITHUB_INTERNAL_SECRET, 'the secret the gateway and subgraphs share'));
  }
  if (needs.includes('receipt-key') && !env.CREDITHUB_RECEIPT_KEY) {
    problems.push('CREDITHUB_RECEIPT_KEY: the PKCS#8 PEM (ES256) that signs screening receipts, the same for every platform replica');
  }
  if (needs.includes('register-keys')) {
    problems.push(...sharedSecretProblems('CREDITHUB_REGISTER_KEY', env.CREDITHUB_REGISTER_KEY, "the key of the access register's record MACs, the same for every platform replica"));
    if (!env.CREDITHUB_REGISTER_SIGNING_KEY) {
      problems.push("CREDITHUB_REGISTER_SIGNING_KEY: the PKCS#8 PEM (ES256) that signs the access register's checkpoints, the same for every platform replica");
    }
  }
  return problems;
}

function sharedSecretProblems(variable: string, secret: string | undefined, what: string): string[] {
  if (!secret) return [`${variable}: ${what}, at least ${MIN_SECRET_BYTES} bytes`];
  if (new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) return [`${variable} is shorter than ${MIN_SECRET_BYTES} bytes`];
  return [];
}

/** Throws, naming every problem, when in production and anything is missing. */
export function requireProductionKeys(who: string, needs: ProductionSecret[], env: NodeJS.ProcessEnv = process.env): void {
  if (!isProduction(env)) return;
  const problems = productionKeyProblems(needs, env);
  if (problems.length) throw new Error(`${who} will not start with NODE_ENV=production: ${problems.join('; ')}`);
}
