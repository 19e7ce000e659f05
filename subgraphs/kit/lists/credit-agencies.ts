/**
 * The register of qualified credit service agencies (具有资质的信用服务机构). 893 §11:
 * "信用报告由具有资质的信用服务机构出具，并共享至全国信用信息共享平台" — a credit report counts
 * towards an exit only when a qualified agency issued it, so every department checks the
 * issuer against one register: when the report is recorded, and again when the exit is
 * decided (a qualification may have been withdrawn meanwhile).
 *
 * The register is deployment configuration that the platform's administrators maintain,
 * read by every department subgraph alike (like the working-day calendar): a JSON array
 * of `{ "name": "…", "creditCode": "…", "qualifiedUntil": "YYYY-MM-DD" }` in
 * `CREDITHUB_CREDIT_AGENCIES` (inline) or in the file `CREDITHUB_CREDIT_AGENCIES_FILE`,
 * read again whenever it changes. Outside production an empty setting means the demo
 * register below; in production it means no agency is qualified.
 */
import { readFileSync, statSync } from 'node:fs';
import { ErrorCode, typedError } from '../errors.js';
import { configuration } from '../config/index.js';

export interface CreditAgency {
  name: string;
  creditCode?: string | null;
  /** Last day of the qualification; none: until withdrawn from the register. */
  qualifiedUntil?: string | null;
}

/** The development and demo register. */
export const DEMO_CREDIT_AGENCIES: CreditAgency[] = [
  { name: '华信信用评估有限公司' },
  { name: '中联信用管理咨询有限公司' },
  { name: '东方诚信信用服务有限公司' },
];

let cached: { key: string; agencies: CreditAgency[] } | null = null;

function parse(raw: string, source: string): CreditAgency[] {
  const value = JSON.parse(raw);
  if (!Array.isArray(value) || value.some((a) => typeof a?.name !== 'string' || !a.name.trim())) {
    throw new Error(`${source} must be a JSON array of { name, creditCode?, qualifiedUntil? }`);
  }
  return value;
}

export function creditAgencyRegister(env?: NodeJS.ProcessEnv): CreditAgency[] {
  const settings = configuration(env);
  const file = settings.CREDITHUB_CREDIT_AGENCIES_FILE;
  const inline = settings.CREDITHUB_CREDIT_AGENCIES;
  const key = file ? `file:${file}:${statSync(file).mtimeMs}` : `inline:${inline ?? ''}:${settings.NODE_ENV}`;
  if (cached?.key === key) return cached.agencies;
  const agencies = file
    ? parse(readFileSync(file, 'utf8'), 'CREDITHUB_CREDIT_AGENCIES_FILE')
    : inline?.trim()
      ? parse(inline, 'CREDITHUB_CREDIT_AGENCIES')
      : settings.NODE_ENV === 'production'
        ? []
        : DEMO_CREDIT_AGENCIES;
  cached = { key, agencies };
  return agencies;
}

const findAgency = (issuer: string) => creditAgencyRegister().find((a) => a.name === issuer || (a.creditCode && a.creditCode === issuer));
const isQualifiedOn = (agency: CreditAgency, day: string) => !agency.qualifiedUntil || agency.qualifiedUntil >= day;

/** Whether an issuer names an agency qualified on `day`. */
export function isQualifiedIssuer(issuer: string | null | undefined, day: string): boolean {
  const agency = findAgency((issuer ?? '').trim());
  return Boolean(agency && isQualifiedOn(agency, day));
}

/**
 * The qualified agency an issuer names (by name or credit code) on `day`, or a typed
 * ISSUER_NOT_QUALIFIED error that says how to fix it.
 */
export function requireQualifiedIssuer(issuer: string | null | undefined, day: string, argument = 'input.issuer'): CreditAgency {
  const wanted = (issuer ?? '').trim();
  const agency = findAgency(wanted);
  if (!agency || !isQualifiedOn(agency, day)) {
    throw typedError(
      ErrorCode.ISSUER_NOT_QUALIFIED,
      `"${wanted}" is not ${agency ? `qualified any more (until ${agency.qualifiedUntil})` : 'on the register of qualified credit service agencies'}: a credit report counts only from a qualified agency (893 §11)`,
      { argument, issuer: wanted },
    );
  }
  return agency;
}
