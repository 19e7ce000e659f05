/**
 * npm run token -- --role agency --agency "某市公共资源交易中心" [--region 4403] [--scopes read:black,read:red]
 * npm run token -- --role officer --department tax
 * npm run token -- --role admin | auditor | partner --agency "…"
 *
 * Mints a development token signed with the embedded default's secret (data/dev-jwt.secret
 * or CREDITHUB_JWT_SECRET). Production tokens come from the identity provider instead.
 */
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { developmentJwtSecret } from '../subgraphs/kit/auth/secrets.js';
import { ALL_READ_SCOPES, principalFromClaims } from '../subgraphs/kit/auth/principal.js';
import { departments } from '../subgraphs/catalog.js';
import { DEFAULT_AUDIENCE, DEVELOPMENT_ISSUER } from '../gateway/auth.js';

export interface TokenClaims {
  role: string;
  sub?: string;
  department?: string;
  agency?: string;
  region?: string;
  scopes?: string[];
}

export async function mintDevelopmentToken(claims: TokenClaims, expiresIn = '8h'): Promise<string> {
  const payload = {
    ...claims,
    sub: claims.sub ?? `${claims.role}:${claims.department ?? claims.agency ?? 'dev'}`,
    scopes: claims.scopes ?? (claims.role === 'agency' || claims.role === 'partner' ? ALL_READ_SCOPES : undefined),
  };
  const problem = principalFromClaims(payload, departments.map((d) => d.name));
  if (typeof problem === 'string') throw new Error(problem);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(DEVELOPMENT_ISSUER)
    .setAudience(process.env.JWT_AUDIENCE ?? DEFAULT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(developmentJwtSecret());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      department: { type: 'string' },
      agency: { type: 'string' },
      region: { type: 'string' },
      scopes: { type: 'string' },
      sub: { type: 'string' },
      expires: { type: 'string', default: '8h' },
    },
  });
  if (!values.role) {
    console.error('Usage: npm run token -- --role agency|officer|admin|auditor|partner [--department tax] [--agency NAME] [--region 4403] [--scopes read:black,read:red]');
    process.exit(2);
  }
  mintDevelopmentToken(
    {
      role: values.role,
      sub: values.sub,
      department: values.department,
      agency: values.agency,
      region: values.region,
      scopes: values.scopes?.split(',').map((s) => s.trim()),
    },
    values.expires,
  ).then(
    (token) => console.log(token),
    (error) => {
      console.error(`Cannot mint this token: ${error.message}`);
      process.exit(2);
    },
  );
}
