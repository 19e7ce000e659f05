/**
 * The role matrix the door tests enumerate (exports, subscriptions): every role the hub knows —
 * the public, agencies with each scope set, partners, the auditor, the administrator and every
 * department's officer — and what the policy makes of each, plus the access register as an
 * auditor of the database would read it.
 */
import type { TokenClaims } from '../scripts/token.js';
import type { TestHub } from './env.js';
import { departments } from '../subgraphs/catalog.js';
import { identityCheckCharacter } from '../subgraphs/kit/codes.js';
import { ALL_READ_SCOPES, PUBLIC_PRINCIPAL, principalFromClaims, type Principal } from '../subgraphs/kit/auth/principal.js';
import { accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';

/** Every role, each caller's `sub` ending in `tag` (one test file's callers apart from another's). */
export function everyRole(tag: string): [string, TokenClaims | null][] {
  const agency = (sub: string, scopes?: string[]): TokenClaims => ({ role: 'agency', agency: '某市财政局', sub: `agency-${tag}${sub}`, ...(scopes ? { scopes } : {}) });
  return [
    ['public', null],
    ['agency', agency('')],
    ['agency without scopes', agency('-none', [])],
    ['red-only agency', agency('-red', ['read:red'])],
    ['black-only agency', agency('-black', ['read:black'])],
    ['key-attention agency', agency('-key', ['read:key_attention'])],
    ['partner', { role: 'partner', agency: '某银行', sub: `partner-${tag}` }],
    ['red-only partner', { role: 'partner', agency: '某行业协会', sub: `partner-${tag}-red`, scopes: ['read:red'] }],
    ['auditor', { role: 'auditor', sub: `auditor-${tag}` }],
    ['admin', { role: 'admin', sub: `admin-${tag}` }],
    ...departments.map((d): [string, TokenClaims] => [`${d.name} officer`, { role: 'officer', department: d.name, sub: `officer-${tag}-${d.name}` }]),
  ];
}

/** The principal the hub makes of a caller's claims (agencies and partners that claim no scopes get every read scope). */
export function principalOf(claims: TokenClaims | null): Principal {
  if (!claims) return PUBLIC_PRINCIPAL;
  const scopes = claims.scopes ?? (['agency', 'partner'].includes(claims.role) ? ALL_READ_SCOPES : undefined);
  return principalFromClaims({ ...claims, scopes }, departments.map((d) => d.name)) as Principal;
}

/** The persons the access register holds records of under one principal id. */
export async function registeredUnder(hub: TestHub, principalId: string): Promise<Set<string>> {
  const rows = await hub.hub.subgraphs.get('platform')!.db(accessRegisterTable).where({ principal_id: principalId }).select('subject_code');
  return new Set(rows.map((row: any) => row.subject_code));
}

/** A valid GB 11643 identity number (an organisation's code may be 18 digits too, but fails this). */
export const isIdentityNumber = (value: string) =>
  /^\d{6}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$/.test(value) && identityCheckCharacter(value.slice(0, 17)) === value[17];
