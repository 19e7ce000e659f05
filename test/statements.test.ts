/**
 * Rule: no N+1 — asking for 1, 100 or 1,000 subjects with their registry data and every
 * department's entries (and the entries' history) costs each subgraph the same small number
 * of SQL statements: reads are batched per request, never per subject or per entry. The one
 * write a read causes — the platform's access register, when personal data is served
 * unmasked — is one transaction per request, whatever the number of subjects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startTestHub, subjectsListedIn, type TestHub } from './env.js';
import { subgraphNames } from '../subgraphs/layout.js';
import { departments as catalogue } from '../subgraphs/departments.js';

const departmentNames = catalogue.map((department) => department.name);

/** The departments the queries below do not name, each asked for its entries like market and safety. */
const OTHER_DEPARTMENTS = departmentNames.filter((d) => !['tax', 'market', 'courts', 'safety'].includes(d)).map((d) => `${d} { entries { id } }`).join('\n');

const SUBJECTS = /* GraphQL */ `
  query Subjects($codes: [ID!]!) {
    subjects(creditCodes: $codes) {
      creditCode name registered legalRepresentative { name }
      tax { blackListed entries { id history { action } } }
      market { entries { id } }
      courts { entries { id history { action } } }
      safety { entries { id } }
      ${OTHER_DEPARTMENTS}
    }
  }
`;

const SUBJECT = /* GraphQL */ `
  query Subject($code: ID!) {
    subject(creditCode: $code) {
      creditCode name registered legalRepresentative { name }
      tax { blackListed entries { id history { action } } }
      market { entries { id } }
      courts { entries { id history { action } } }
      safety { entries { id } }
      ${OTHER_DEPARTMENTS}
    }
  }
`;

const SUBGRAPHS = subgraphNames;
/** Reads per subgraph and request. */
const MAX_READS_PER_SUBGRAPH = 3;
/** The access register's append: BEGIN, read the chain head, insert, move the head, COMMIT. */
const ACCESS_REGISTER_APPEND = 5;

let hub: TestHub;
/** Statement counts seen, printed at the end for the report. */
const observed: Record<string, Record<string, number | string>> = {};

beforeAll(async () => {
  hub = await startTestHub({ subjects: 400 });
});
afterAll(async () => {
  console.log(
    `statements per subgraph (${dialect}; platform "1+5" = 1 read + 5 of the access register append):\n` +
      Object.entries(observed).map(([batch, counts]) => `  ${batch}: ${JSON.stringify(counts)}`).join('\n'),
  );
  await hub?.stop();
});

/** Codes of the subjects with entries (any status) in `department`. */
const listedIn = (department: string) => new Set(hub.demo.entriesByDepartment.get(department)!.map((e) => e.creditCode));

/**
 * A natural person (whose name is personal data, so reading it is registered) with entries in
 * tax and courts (the departments whose history is asked for). Every batch starts with it, so
 * that even a batch of one does every kind of work the query can cause — the counts then
 * differ only if the batch size matters.
 */
let full: string | undefined;
function fullSubject(): string {
  if (full) return full;
  const candidates = hub.demo.subjects
    .filter((s) => s.subjectType === 'NATURAL_PERSON')
    .map((s) => s.creditCode)
    .filter((code) => listedIn('tax').has(code) && listedIn('courts').has(code));
  expect(candidates.length, 'a demo natural person listed by tax and by courts').toBeGreaterThan(0);
  return (full = candidates[0]);
}

/** `n` codes: the full subject, then the demo's in order, repeated when there are fewer (one representation per occurrence). */
function codes(n: number, pool = hub.demo.subjects.map((s) => s.creditCode)): string[] {
  const all = [fullSubject(), ...pool];
  return Array.from({ length: n }, (_, i) => all[i % all.length]);
}

/** Subjects listed in every department, so every field has entries and history to load. */
function listedMix(n: number): string[] {
  const listed = [...new Set(departmentNames.flatMap((d) => [...subjectsListedIn(hub.demo, d, 'ACTIVE'), ...subjectsListedIn(hub.demo, d, 'EXITED')]))];
  const clean = hub.demo.subjects.map((s) => s.creditCode).filter((c) => !listed.includes(c));
  // Two listed subjects for one clean one, plus valid codes the hub holds nothing on.
  const pool = listed.flatMap((code, i) => (i % 2 ? [code, clean[i % clean.length]] : [code]));
  pool.push('914403001922038216', '91440300708461136T');
  return codes(n, pool);
}

interface Cost {
  /** hub.countStatements: every statement each subgraph ran. */
  counts: Record<string, number>;
  /** Of those, the ones that are not the access register's append. */
  reads: Record<string, number>;
  /** The access register's statements (platform), transaction included. */
  register: number;
}

/** Runs `work`, counting each subgraph's statements, and telling the access register's apart. */
async function cost(label: string, work: () => Promise<unknown>): Promise<Cost> {
  const sql: Record<string, string[]> = Object.fromEntries(SUBGRAPHS.map((name) => [name, []]));
  const listeners = SUBGRAPHS.map((name) => {
    const listener = (query: { sql: string }) => sql[name].push(query.sql);
    hub.hub.subgraphs.get(name)!.db.on('query', listener);
    return () => hub.hub.subgraphs.get(name)!.db.removeListener('query', listener);
  });
  let counts: Record<string, number>;
  try {
    counts = await hub.countStatements(work);
  } finally {
    for (const remove of listeners) remove();
  }
  for (const name of SUBGRAPHS) expect(sql[name].length, name).toBe(counts[name]);
  const inTransaction = sql.platform.some((q) => /access_register/.test(q));
  const register = inTransaction ? sql.platform.filter((q) => /access_register|^(BEGIN|COMMIT|START TRANSACTION)/i.test(q)).length : 0;
  const reads = { ...counts, platform: counts.platform - register };
  observed[label] = { ...counts, platform: register ? `${reads.platform}+${register}` : counts.platform };
  return { counts, reads, register };
}

async function measure(label: string, codesToAsk: string[]) {
  let response: any;
  const measured = await cost(label, async () => {
    response = await hub.query(SUBJECTS, { codes: codesToAsk });
  });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  expect(response.data.subjects).toHaveLength(codesToAsk.length);
  return { ...measured, subjects: response.data.subjects as any[] };
}

/** Small: every subgraph reads at least once and at most a few times; the register appends once. */
function expectSmall({ reads, register }: Cost) {
  for (const subgraph of SUBGRAPHS) {
    expect(reads[subgraph], `${subgraph}: ${JSON.stringify(reads)}`).toBeGreaterThanOrEqual(1);
    expect(reads[subgraph], `${subgraph}: ${JSON.stringify(reads)}`).toBeLessThanOrEqual(MAX_READS_PER_SUBGRAPH);
  }
  // The batch starts with a natural person whose name was read: registered, in one append.
  expect(register).toBe(ACCESS_REGISTER_APPEND);
}

describe('subjects(creditCodes:) costs each subgraph the same few statements for 1, 100 or 1,000 codes', () => {
  it('demo subjects, repeated to 1,000', async () => {
    const one = await measure('demo ×1', codes(1));
    const hundred = await measure('demo ×100', codes(100));
    const asked = codes(1000);
    const thousand = await measure('demo ×1000', asked);
    expectSmall(one);
    expect(hundred.counts).toEqual(one.counts);
    expect(thousand.counts).toEqual(one.counts);

    // The answer is complete: every department's entries of every subject, in order.
    const expectedIds = (department: string, code: string) =>
      hub.demo.entriesByDepartment.get(department)!.filter((e) => e.creditCode === code).map((e) => e.id).sort();
    for (const [i, subject] of thousand.subjects.entries()) {
      expect(subject.creditCode).toBe(asked[i]);
      if (i % 37 !== 0) continue; // a sample is enough
      for (const department of departmentNames) {
        expect(subject[department].entries.map((e: any) => e.id).sort()).toEqual(expectedIds(department, subject.creditCode));
      }
    }
  });

  it('a mix weighted to listed subjects, with history to load, and unregistered codes', async () => {
    const one = await measure('listed ×1', listedMix(1));
    const hundred = await measure('listed ×100', listedMix(100));
    const thousand = await measure('listed ×1000', listedMix(1000));
    expectSmall(one);
    expect(hundred.counts).toEqual(one.counts);
    expect(thousand.counts).toEqual(one.counts);

    // It really loaded entries and history for many subjects.
    const entries = thousand.subjects.flatMap((s) => [...s.tax.entries, ...s.courts.entries]);
    // Every tax and courts entry of the demo, with its history, many of them several times.
    const all = [...hub.demo.entriesByDepartment.get('tax')!, ...hub.demo.entriesByDepartment.get('courts')!];
    expect(new Set(entries.map((e: any) => e.id)).size).toBe(all.length);
    expect(entries.length).toBeGreaterThan(2 * all.length);
    expect(entries.every((e: any) => e.history.length >= 1 && e.history[0].action === 'RECOGNISE')).toBe(true);
    expect(thousand.subjects.filter((s) => !s.registered).length).toBeGreaterThan(0);
    expect(thousand.subjects.filter((s) => s.tax.blackListed).length).toBeGreaterThan(0);
  });
});

describe('subject(creditCode:) costs what subjects() of 100 costs', () => {
  it('the same statements per subgraph for one subject as for a batch of 100', async () => {
    // A subject with entries, and history, in tax and courts.
    const code = fullSubject();
    let single: any;
    const singleCost = await cost('subject(creditCode:)', async () => {
      single = await hub.query(SUBJECT, { code });
    });
    expect(single.errors).toBeUndefined();
    expect(single.data.subject.courts.entries.length).toBeGreaterThan(0);
    expect(single.data.subject.tax.entries[0].history[0].action).toBe('RECOGNISE');

    const batch = await measure('listed ×100 (again)', listedMix(100));
    expectSmall(singleCost);
    expect(batch.counts).toEqual(singleCost.counts);
  });

  it('a request that does not ask for history reads no history', async () => {
    const { counts } = await cost('courts entries only ×100', () =>
      hub.query(`query($codes: [ID!]!) { subjects(creditCodes: $codes) { creditCode courts { entries { id } } } }`, { codes: listedMix(100) }),
    );
    // Only the gateway's entity fetch of courts: one statement, none for the others.
    expect(counts).toEqual({ ...Object.fromEntries(SUBGRAPHS.map((name) => [name, 0])), courts: 1 });
  });
});
