/**
 * What `npm run bench` asks: the operations' documents and the credit codes they rotate
 * over, derived from the seeded demo data, deterministic for a given --subjects.
 */
import { random, organisationCode, identityNumber, type DemoData } from '../demo-data.js';
import { checkSubjectCode } from '../../subgraphs/kit/codes.js';
import { departments } from '../../subgraphs/catalog.js';

/** `tax { ...F } market { ...F } …`: every department of the catalogue, with the fragment `fragment`. */
const everyDepartment = (fragment: string) => departments.map((d) => `${d.name} { ...${fragment} }`).join(' ');

/** Every scalar field of an entry, with its legal representative, repair terms and exit. */
const ENTRY_FIELDS = `id domain listType listKind listName creditCode subjectName subjectType regionCode lei
  legalRepresentative { name idDocumentType idDocumentNumber }
  facts recognisingAuthority legalBasis recognisedOn validFrom validUntil status published publicityUntil
  repair { repairable method rectificationDeadline } exit { way on reason } sharedAt linkedAs`;

const PROFILE_FIELDS = `creditCode subjectType regionCode registered name industry { code name }
  legalRepresentative { name idDocumentType idDocumentNumber }
  ${everyDepartment('Department')}`;

const DEPARTMENT_FRAGMENT = `fragment Department on DepartmentRecord { domain entries { ${ENTRY_FIELDS} } }`;

/** (a) One subject's full profile: the registry's fields and every department's entries. */
export const PROFILE = `query Profile($code: ID!) { subject(creditCode: $code) { ${PROFILE_FIELDS} } } ${DEPARTMENT_FRAGMENT}`;

/** The profile's selection for many subjects at once (statement counts at 100 and 1,000). */
export const PROFILES = `query Profiles($codes: [ID!]!) { subjects(creditCodes: $codes) { ${PROFILE_FIELDS} } } ${DEPARTMENT_FRAGMENT}`;

/** (b) A screening read of many subjects: who they are and what each department lists. */
export const BATCH = `query Batch($codes: [ID!]!) { subjects(creditCodes: $codes) { creditCode subjectType registered name
  ${everyDepartment('Listed')} } }
  fragment Listed on DepartmentRecord { entries { id listType listKind status validUntil } }`;

/**
 * (c) Pre-approval screening of many codes: a verdict and the measures it triggers per code,
 * from the platform's collection of every department's entries; recorded, with a signed receipt.
 */
export const SCREEN = `mutation Screen($codes: [ID!]!) { screen(creditCodes: $codes, scenario: GOVERNMENT_PROCUREMENT, reference: "BENCH") {
  id items { creditCode verdict measures { measure { id } } } } }`;

export interface Workload {
  subjects: number;
  entries: number;
  /** Registered subjects with an active entry in at least one department. */
  listed: string[];
  /** Registered subjects no department lists (no entry in any status). */
  unlisted: string[];
  /** Valid codes (GB 32100 / GB 11643) the hub holds nothing on. */
  unknown: string[];
  /** Codes with a wrong check character. */
  invalid: string[];
  /** The codes of a mixed batch: 50% listed, 30% registered-unlisted, 10% unknown, 10% invalid, shuffled. */
  batch(size: number, index: number): string[];
}

function shuffled<T>(rng: ReturnType<typeof random>, items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** 2,000 valid codes (GB 32100 / GB 11643) of no registered subject. */
function unknownCodes(rng: ReturnType<typeof random>, registered: Set<string>): string[] {
  const unknown: string[] = [];
  const unknownSet = new Set<string>();
  const regions = ['110105', '310115', '440305', '330106', '510107', '420106'];
  while (unknown.length < 2000) {
    const region = rng.pick(regions);
    const code = rng.chance(0.5) ? organisationCode(rng, region) : identityNumber(rng, region);
    if (registered.has(code) || unknownSet.has(code) || !checkSubjectCode(code).valid) continue;
    unknownSet.add(code);
    unknown.push(code);
  }
  return unknown;
}

/** Codes of `pool` with a wrong check character (up to 2,000). */
function invalidCodes(rng: ReturnType<typeof random>, pool: string[]): string[] {
  const invalid: string[] = [];
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  for (let i = 0; invalid.length < Math.min(2000, pool.length * 3) && i < pool.length * 10; i++) {
    const code = pool[i % pool.length];
    const wrong = code.slice(0, 17) + alphabet[rng.int(alphabet.length)];
    if (wrong !== code && !checkSubjectCode(wrong).valid) invalid.push(wrong);
  }
  return invalid;
}

export function buildWorkload(demo: DemoData): Workload {
  const rng = random(42);
  const listedSet = new Set<string>();
  const withEntries = new Set<string>();
  let entries = 0;
  for (const list of demo.entriesByDepartment.values()) {
    for (const entry of list) {
      entries++;
      withEntries.add(entry.creditCode);
      if (entry.status === 'ACTIVE') listedSet.add(entry.creditCode);
    }
  }
  const registered = new Set(demo.subjects.map((s) => s.creditCode));
  const listed = shuffled(rng, [...listedSet].filter((code) => registered.has(code)));
  const unlisted = shuffled(rng, demo.subjects.map((s) => s.creditCode).filter((code) => !withEntries.has(code)));

  const unknown = unknownCodes(rng, registered);
  const invalid = invalidCodes(rng, [...unlisted.slice(0, 1000), ...listed.slice(0, 1000)]);

  const take = (from: string[], count: number, offset: number) =>
    from.length === 0 ? [] : Array.from({ length: count }, (_, i) => from[(offset + i) % from.length]);
  return {
    subjects: demo.subjects.length,
    entries,
    listed,
    unlisted,
    unknown,
    invalid,
    batch(size, index) {
      const nListed = Math.round(size * 0.5);
      const nUnlisted = Math.round(size * 0.3);
      const nUnknown = Math.round(size * 0.1);
      const nInvalid = size - nListed - nUnlisted - nUnknown;
      const codes = [
        ...take(listed, nListed, index * nListed),
        ...take(unlisted, nUnlisted, index * nUnlisted),
        ...take(unknown, nUnknown, index * nUnknown),
        ...take(invalid, nInvalid, index * nInvalid),
      ];
      return shuffled(random(1000 + index), codes);
    },
  };
}
