/**
 * Secrets of the embedded default: taken from the environment, else generated once and
 * kept under DATA_DIR so restarts keep tokens valid. Production sets them explicitly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configuration } from '../config/index.js';

/**
 * The content of DATA_DIR/`file`, created from `generate()` if it does not exist yet.
 * Several processes starting at once agree on one content: the file appears whole
 * (written aside, then linked into place), and whoever links second reads the first's.
 */
export function fileCreatedOnce(file: string, generate: () => string): string {
  const dir = resolve(configuration().DATA_DIR);
  const path = join(dir, file);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(aside, generate(), { mode: 0o600 });
    try {
      linkSync(aside, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(aside);
    }
  }
  return readFileSync(path, 'utf8');
}

function secretFromEnvOrFile(variable: 'CREDITHUB_JWT_SECRET' | 'CREDITHUB_INTERNAL_SECRET' | 'CREDITHUB_REGISTER_KEY', file: string): Uint8Array {
  const fromEnv = configuration()[variable];
  // Its length is checked by the configuration (at least MIN_SECRET_BYTES).
  if (fromEnv) return new TextEncoder().encode(fromEnv);
  return new TextEncoder().encode(fileCreatedOnce(file, () => randomBytes(32).toString('base64url')).trim());
}

/** Signs development JWTs (HS256) when no JWKS or public key is configured. */
export const developmentJwtSecret = () => secretFromEnvOrFile('CREDITHUB_JWT_SECRET', 'dev-jwt.secret');

/** Shared by the gateway and the subgraphs: signs the principal the gateway forwards. */
export const internalTokenSecret = () => secretFromEnvOrFile('CREDITHUB_INTERNAL_SECRET', 'internal-token.secret');

/** Keys the access register's records and heads (HMAC-SHA-256): the same for every platform replica. */
export const accessRegisterKey = () => secretFromEnvOrFile('CREDITHUB_REGISTER_KEY', 'register-key.secret');
