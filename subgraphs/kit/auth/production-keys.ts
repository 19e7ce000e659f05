/**
 * Production refuses development keys. With NODE_ENV=production the gateway and every
 * subgraph check, before they start, that real key material and shared secrets are
 * configured — never generated under DATA_DIR — and name everything that is missing.
 */
import { existsSync } from 'node:fs';
import { configuration } from '../config/index.js';
import { MIN_SECRET_BYTES } from '../config/auth.js';

export { MIN_SECRET_BYTES };

export type ProductionSecret = 'token-verification' | 'internal-secret' | 'receipt-key' | 'register-keys';

export const isProduction = (env?: NodeJS.ProcessEnv) => configuration(env).NODE_ENV === 'production';

/**
 * What is missing or unacceptable for a production start, one sentence each. Each value's
 * own shape (a URL, a secret's length) is checked by the configuration; these are the rules
 * of production on top.
 */
export function productionKeyProblems(needs: ProductionSecret[], env?: NodeJS.ProcessEnv): string[] {
  const settings = configuration(env);
  const problems: string[] = [];
  if (needs.includes('token-verification')) {
    if (settings.JWT_JWKS_URL) {
      if (new URL(settings.JWT_JWKS_URL).protocol !== 'https:') problems.push('JWT_JWKS_URL must be an https URL');
    } else if (settings.JWT_PUBLIC_KEY_FILE) {
      if (!existsSync(settings.JWT_PUBLIC_KEY_FILE)) problems.push(`JWT_PUBLIC_KEY_FILE ${settings.JWT_PUBLIC_KEY_FILE} does not exist`);
    } else {
      problems.push('token verification: set JWT_JWKS_URL (the identity provider\'s keys) or JWT_PUBLIC_KEY_FILE (a PEM public key)');
    }
    if (settings.CREDITHUB_JWT_SECRET) problems.push('CREDITHUB_JWT_SECRET (HS256 development tokens) is not accepted in production: remove it');
    if (!settings.JWT_ISSUER) problems.push('JWT_ISSUER: the issuer every token must name');
  }
  if (needs.includes('internal-secret')) {
    problems.push(...sharedSecretProblems('CREDITHUB_INTERNAL_SECRET', settings.CREDITHUB_INTERNAL_SECRET, 'the secret the gateway and subgraphs share'));
  }
  if (needs.includes('receipt-key') && !settings.CREDITHUB_RECEIPT_KEY) {
    problems.push('CREDITHUB_RECEIPT_KEY: the PKCS#8 PEM (ES256) that signs screening receipts, the same for every platform replica');
  }
  if (needs.includes('register-keys')) {
    problems.push(...sharedSecretProblems('CREDITHUB_REGISTER_KEY', settings.CREDITHUB_REGISTER_KEY, "the key of the access register's record MACs, the same for every platform replica"));
    if (!settings.CREDITHUB_REGISTER_SIGNING_KEY) {
      problems.push("CREDITHUB_REGISTER_SIGNING_KEY: the PKCS#8 PEM (ES256) that signs the access register's checkpoints, the same for every platform replica");
    }
  }
  return problems;
}

/** A shared secret's length is checked by the configuration; production requires it be set. */
function sharedSecretProblems(variable: string, secret: string | undefined, what: string): string[] {
  return secret ? [] : [`${variable}: ${what}, at least ${MIN_SECRET_BYTES} bytes`];
}

/** Throws, naming every problem, when in production and anything is missing. */
export function requireProductionKeys(who: string, needs: ProductionSecret[], env?: NodeJS.ProcessEnv): void {
  if (!isProduction(env)) return;
  const problems = productionKeyProblems(needs, env);
  if (problems.length) throw new Error(`${who} will not start with NODE_ENV=production: ${problems.join('; ')}`);
}
