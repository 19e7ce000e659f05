/**
 * npm run token -- --role agency --agency "某市公共资源交易中心" [--region 4403] [--scopes read:black,read:red] [--expires 8h]
 * npm run token -- --role officer --department tax
 * npm run token -- --role admin | auditor | partner --agency "…"
 * npm run token -- --help
 *
 * Mints a development token signed with the embedded default's secret (data/dev-jwt.secret
 * or CREDITHUB_JWT_SECRET). Production tokens come from the identity provider instead.
 */
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { developmentJwtSecret } from '../subgraphs/kit/auth/secrets.js';
import { ALL_READ_SCOPES, principalFromClaims } from '../subgraphs/kit/auth/principal.js';
import { departments } from '../subgraphs/departments.js';
import { DEVELOPMENT_ISSUER } from '../gateway/auth.js';
import { configuration } from '../subgraphs/kit/config/index.js';
import { runMain } from './cli.js';

export interface TokenClaims {
  role: string;
  sub?: string;
  department?: string;
  agency?: string;
  region?: string;
  scopes?: string[];
}

export const USAGE = `Usage: npm run token -- --role ROLE [options]

Mints a development token (HS256, signed with CREDITHUB_JWT_SECRET or data/dev-jwt.secret).

  --role ROLE           agency | officer | admin | auditor | partner (required)
  --department NAME     an officer's department: ${departments.map((d) => d.name).join(' | ')}
  --agency NAME         an agency's or partner's organisation (required for them)
  --region CODE         the administrative division an agency serves, 2 to 6 digits (e.g. 4403)
  --scopes LIST         comma-separated, among ${ALL_READ_SCOPES.join(', ')} (agencies and partners: all by default)
  --sub ID              who the token is for (default: role:department or role:agency)
  --expires DURATION    lifetime: a number and s, m, h or d (default 8h; at most JWT_MAX_LIFETIME_S, 24h by default)
  --help                this text

Examples:
  npm run token -- --role agency --agency "某市公共资源交易中心" --region 4403 --scopes read:black,read:red
  npm run token -- --role officer --department tax --expires 1h`;

/** A lifetime like 8h or 30m in seconds, or a sentence saying what is wrong with it. */
export function lifetimeSeconds(expires: string, maxSeconds = configuration().JWT_MAX_LIFETIME_S): number | string {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(expires.trim());
  if (!match) return `--expires "${expires}" is not a duration: write a number and s, m, h or d (e.g. 8h, 30m)`;
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  if (seconds < 1) return '--expires must be at least 1s';
  if (seconds > maxSeconds) return `--expires ${expires} is longer than the hub accepts (JWT_MAX_LIFETIME_S = ${maxSeconds} s)`;
  return seconds;
}

/** `departmentNames`: those an officer's token may name (default: the catalogue's; a test's own catalogue adds its own). */
export async function mintDevelopmentToken(claims: TokenClaims, expiresIn = '8h', departmentNames: readonly string[] = departments.map((d) => d.name)): Promise<string> {
  const unknownScopes = (claims.scopes ?? []).filter((scope) => !ALL_READ_SCOPES.includes(scope));
  if (unknownScopes.length) throw new Error(`unknown scope ${unknownScopes.join(', ')}: the scopes are ${ALL_READ_SCOPES.join(', ')}`);
  const payload = {
    ...claims,
    sub: claims.sub ?? `${claims.role}:${claims.department ?? claims.agency ?? 'dev'}`,
    scopes: claims.scopes ?? (claims.role === 'agency' || claims.role === 'partner' ? ALL_READ_SCOPES : undefined),
  };
  const problem = principalFromClaims(payload, departmentNames);
  if (typeof problem === 'string') throw new Error(problem);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(DEVELOPMENT_ISSUER)
    .setAudience(configuration().JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(developmentJwtSecret());
}

/** As a command: prints a token, or why it cannot (with the usage), exit code 2. */
async function main(): Promise<number> {
  // The whole environment is checked first (a library import is not).
  await import('../subgraphs/kit/config/startup.js');
  const fail = (message: string) => {
    console.error(`Cannot mint this token: ${message}\n\n${USAGE}`);
    process.exit(2);
  };
  let values: Record<string, string | boolean | undefined> = {};
  try {
    values = parseArgs({
      options: {
        role: { type: 'string' },
        department: { type: 'string' },
        agency: { type: 'string' },
        region: { type: 'string' },
        scopes: { type: 'string' },
        sub: { type: 'string' },
        expires: { type: 'string', default: '8h' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (typeof values.role !== 'string') fail('--role is required');
  const lifetime = lifetimeSeconds(String(values.expires));
  if (typeof lifetime === 'string') fail(lifetime);
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const token = await mintDevelopmentToken(
    {
      role: String(values.role),
      sub: text('sub'),
      department: text('department'),
      agency: text('agency'),
      region: text('region'),
      scopes: text('scopes')?.split(',').map((s) => s.trim()).filter(Boolean),
    },
    `${lifetime}s`,
  ).catch((error: Error) => fail(error.message));
  console.log(token);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) runMain('token', main, 2);
