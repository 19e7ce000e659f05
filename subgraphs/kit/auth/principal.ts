/**
 * Who is asking. The gateway verifies the caller's JWT and turns its claims into a
 * `Principal`; subgraphs receive it in a token the gateway signed (see internal-token.ts).
 */
import type { ListType } from '../lists/department.js';

export const ROLES = ['PUBLIC', 'AGENCY', 'OFFICER', 'ADMIN', 'AUDITOR', 'PARTNER', 'SYSTEM'] as const;
export type Role = (typeof ROLES)[number];

/** Read scopes: which list types an agency, partner or officer (outside its own department) may read. */
export const SCOPE_BY_LIST_TYPE: Record<ListType, string> = {
  BLACK: 'read:black',
  RED: 'read:red',
  KEY_ATTENTION: 'read:key_attention',
};
export const ALL_READ_SCOPES = Object.values(SCOPE_BY_LIST_TYPE);

export interface Principal {
  role: Role;
  /** Who: the token's `sub`. */
  id: string;
  /** OFFICER: the department (subgraph name) the officer acts for. */
  department?: string;
  /** AGENCY / PARTNER: the organisation's name. */
  agency?: string;
  /** Administrative division code the agency serves. */
  region?: string;
  scopes: string[];
}

/** Why a request reads unmasked personal data: required for every such read (1798 (24)). */
export interface Purpose {
  purpose: string;
  reference: string;
}

/**
 * How long what the hub records of a caller may be. Every column that holds it takes these
 * lengths — the access register, screenings, feedback, histories (`who`: a principal id, or
 * an actor as histories write it, `role:id@department acting for department`) — so a token
 * that passes here is one every database can record: a longer claim is refused at the door,
 * not by MariaDB halfway through a write (SQLite checks no lengths at all).
 */
export const RECORDED_LENGTHS = { who: 200, agency: 200, purpose: 200, reference: 100 } as const;
/** A principal id (`sub`) leaves room in `who` for the rest of an actor (role, department, "acting for"). */
export const MAX_PRINCIPAL_ID_LENGTH = 128;

const characters = (value: string) => [...value].length;
// C0 and C1 control characters, line separators and invisible format characters (zero-width,
// bidi): never part of who someone is, and they forge log lines or disguise one id as another.
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\p{Cf}]/u;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Whether text is well-formed Unicode (no lone surrogate): what a database stores is then what was checked. */
export const isWellFormedText = (value: string) => !LONE_SURROGATE.test(value);

/** Why a claim's text cannot be recorded as it is, or null. */
function unrecordable(claim: string, value: string): string | null {
  // A lone surrogate is no character: a database stores it as U+FFFD, and the record no longer matches its hash.
  if (!isWellFormedText(value)) return `claim "${claim}" is not well-formed Unicode (a lone surrogate): send UTF-8 text`;
  if (UNPRINTABLE.test(value)) return `claim "${claim}" contains a control or invisible character (NUL, line break, zero-width or bidi mark): send printable text on one line`;
  return null;
}

export const PUBLIC_PRINCIPAL: Principal = { role: 'PUBLIC', id: 'public', scopes: [] };
export const systemPrincipal = (process: string): Principal => ({ role: 'SYSTEM', id: `system:${process}`, scopes: [] });

/** Turns verified JWT claims into a principal, or says which claim is wrong. */
export function principalFromClaims(claims: Record<string, unknown>, departments: readonly string[]): Principal | string {
  // Claims are strings where the hub reads strings: `role: ["admin"]` is no role.
  if (typeof claims.role !== 'string') return `claim "role" must be a string: one of agency, officer, admin, auditor, partner`;
  if (claims.scopes !== undefined && !(Array.isArray(claims.scopes) && claims.scopes.every((s) => typeof s === 'string'))) {
    return 'claim "scopes" must be an array of strings, e.g. ["read:black"]';
  }
  const role = claims.role.toUpperCase() as Role;
  // SYSTEM is the hub's own processes (event consumers); no token from outside carries it.
  if (!ROLES.includes(role) || role === 'PUBLIC' || role === 'SYSTEM') return `claim "role" must be one of agency, officer, admin, auditor, partner`;
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) return 'claim "sub" (who the token is for) is missing';
  const subProblem = unrecordable('sub', claims.sub);
  if (subProblem) return subProblem;
  if (characters(claims.sub) > MAX_PRINCIPAL_ID_LENGTH) return `claim "sub" is at most ${MAX_PRINCIPAL_ID_LENGTH} characters, this one has ${characters(claims.sub)}: issue the token for a shorter id`;
  const scopes = Array.isArray(claims.scopes) ? claims.scopes.map(String) : typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  const principal: Principal = { role, id: claims.sub, scopes };
  if (role === 'OFFICER') {
    if (typeof claims.department !== 'string' || !departments.includes(claims.department)) {
      return `an officer's token must name its department: one of ${departments.join(', ')}`;
    }
    principal.department = claims.department;
    if (scopes.length === 0) principal.scopes = ALL_READ_SCOPES;
  }
  if (role === 'AGENCY' || role === 'PARTNER') {
    if (typeof claims.agency !== 'string' || claims.agency.length === 0) return `a${role === 'AGENCY' ? 'n agency' : ' partner'} token must name the organisation in "agency"`;
    const agencyProblem = unrecordable('agency', claims.agency);
    if (agencyProblem) return agencyProblem;
    if (characters(claims.agency) > RECORDED_LENGTHS.agency) return `claim "agency" is at most ${RECORDED_LENGTHS.agency} characters, this one has ${characters(claims.agency)}`;
    principal.agency = claims.agency;
  }
  if (typeof claims.region === 'string') {
    if (!/^\d{2,6}$/.test(claims.region)) return 'claim "region" must be an administrative division code of 2 to 6 digits';
    principal.region = claims.region;
  }
  return principal;
}
