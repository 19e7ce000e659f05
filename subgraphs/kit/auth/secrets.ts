/**
 * Secrets of the embedded default: taken from the environment, else generated once and
 * kept under DATA_DIR so restarts keep tokens valid. Production sets them explicitly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

function secretFromEnvOrFile(variable: string, file: string): Uint8Array {
  const fromEnv = process.env[variable];
  if (fromEnv) return new TextEncoder().encode(fromEnv);
  const dir = resolve(process.env.DATA_DIR ?? 'data');
  const path = join(dir, file);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return new TextEncoder().encode(readFileSync(path, 'utf8').trim());
}

/** Signs development JWTs (HS256) when no JWKS or public key is configured. */
export const developmentJwtSecret = () => secretFromEnvOrFile('CREDITHUB_JWT_SECRET', 'dev-jwt.secret');

/** Shared by the gateway and the subgraphs: signs the principal the gateway forwards. */
export const internalTokenSecret = () => secretFromEnvOrFile('CREDITHUB_INTERNAL_SECRET', 'internal-token.secret');
