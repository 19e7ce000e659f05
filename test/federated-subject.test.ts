/**
 * Rule: all of a subject's lists are kept under one subject (893 §5) — one request to the
 * gateway returns the registry data and every department's entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, subjectsListedIn, type TestHub } from './env.js';
import { departments as catalogue } from '../subgraphs/departments.js';

const departmentNames = catalogue.map((department) => department.name);

const SUBJECT_PROFILE = /* GraphQL */ `
  query Profile($code: ID!) {
    subject(creditCode: $code) {
      creditCode subjectType regionCode registered name
      industry { code name }
      tax { domain blackListed redListed entries { id listKind listType status } }
      market { domain blackListed keyAttention entries { id listKind status } }
      courts { domain blackListed entries { id listKind status facts legalBasis recognisedOn validUntil history { action toStatus } } }
      safety { domain blackListed redListed keyAttention entries { id listKind status } }
      ${departmentNames.filter((d) => !['tax', 'market', 'courts', 'safety'].includes(d)).map((d) => `${d} { domain blackListed redListed keyAttention entries { id listKind status } }`).join('\n')}
    }
  }
`;

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 400 });
});
afterAll(() => hub?.stop());

describe('one Subject keyed by credit code, federated across every department', () => {
  it('returns registry data and the entries of every department in one request', async () => {
    // A subject listed in more than one domain.
    const byDepartment = departmentNames.map((d) => new Set(hub.demo.entriesByDepartment.get(d)!.map((e) => e.creditCode)));
    const multi = hub.demo.subjects.find((s) => byDepartment.filter((set) => set.has(s.creditCode)).length >= 2)!;
    expect(multi).toBeDefined();

    const { data, errors } = await hub.query(SUBJECT_PROFILE, { code: multi.creditCode });
    expect(errors).toBeUndefined();
    expect(data.subject).toMatchObject({ creditCode: multi.creditCode, registered: true, name: multi.name, subjectType: multi.subjectType });
    const expectedIds = (department: string) =>
      hub.demo.entriesByDepartment.get(department)!.filter((e) => e.creditCode === multi.creditCode).map((e) => e.id).sort();
    for (const department of catalogue) {
      expect(data.subject[department.name].entries.map((e: any) => e.id).sort(), department.name).toEqual(expectedIds(department.name));
      expect(data.subject[department.name].domain).toBe(department.domain);
    }
  });

  it('carries what 1798 (9) requires on a black-list entry, and its history', async () => {
    const code = hub.demo.entriesByDepartment.get('courts')!.find((e) => e.listKind === 'DISHONEST_JUDGMENT_DEBTOR' && e.status === 'ACTIVE')!.creditCode;
    const { data } = await hub.query(SUBJECT_PROFILE, { code });
    const entry = data.subject.courts.entries.find((e: any) => e.status === 'ACTIVE' && e.listKind === 'DISHONEST_JUDGMENT_DEBTOR');
    expect(data.subject.courts.blackListed).toBe(true);
    expect(entry.listKind).toBe('DISHONEST_JUDGMENT_DEBTOR');
    expect(entry.legalBasis).toContain('失信被执行人');
    expect(entry.facts.length).toBeGreaterThan(0);
    expect(entry.validUntil > entry.recognisedOn).toBe(true);
    expect(entry.history).toEqual([{ action: 'RECOGNISE', toStatus: 'ACTIVE' }]);
  });

  it('answers a valid code the hub holds nothing on with a subject and empty lists', async () => {
    // Real published codes: they validate, and the demo lists no real company.
    for (const code of ['914403001922038216', '91440300708461136T']) {
      const { data, errors } = await hub.query(SUBJECT_PROFILE, { code });
      expect(errors).toBeUndefined();
      expect(data.subject).toMatchObject({ creditCode: code, registered: false, name: null, subjectType: 'ORGANISATION', regionCode: '440300' });
      for (const department of departmentNames) {
        expect(data.subject[department].entries).toEqual([]);
        expect(data.subject[department].blackListed).toBe(false);
      }
    }
  });

  it('rejects an invalid code with BAD_USER_INPUT naming the code and what is wrong', async () => {
    const { data, errors } = await hub.query(SUBJECT_PROFILE, { code: '91440300708461136X' });
    expect(data?.subject ?? null).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors![0].message).toContain('91440300708461136X');
    expect(errors![0].message).toContain('check character should be "T"');
    expect(JSON.stringify(errors)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });

  it('answers subjects() in input order, with per-position errors for invalid codes', async () => {
    const listed = subjectsListedIn(hub.demo, 'tax').slice(0, 3);
    const codes = [listed[0], 'NOT-A-CODE', '914403001922038216', listed[1], listed[2]];
    const { data, errors } = await hub.query(
      `query($codes: [ID!]!) { subjects(creditCodes: $codes) { creditCode registered tax { entries { id } } } }`,
      { codes },
    );
    expect(data.subjects.map((s: any) => s?.creditCode ?? null)).toEqual([listed[0], null, '914403001922038216', listed[1], listed[2]]);
    expect(data.subjects[0].tax.entries.length).toBeGreaterThan(0);
    expect(data.subjects[2].tax.entries).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({ path: ['subjects', 1], extensions: { code: 'BAD_USER_INPUT', index: 1 } });
    expect(errors![0].message).toContain('NOT-A-CODE');
  });

  it('accepts 1,000 codes and refuses 1,001 with a message that says how to fix it', async () => {
    const codes = hub.demo.subjects.map((s) => s.creditCode);
    const thousand = Array.from({ length: 1000 }, (_, i) => codes[i % codes.length]);
    const ok = await hub.query(`query($c: [ID!]!) { subjects(creditCodes: $c) { creditCode } }`, { c: thousand });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.subjects).toHaveLength(1000);
    expect(ok.data.subjects[999].creditCode).toBe(thousand[999]);

    const tooMany = await hub.query(`query($c: [ID!]!) { subjects(creditCodes: $c) { creditCode } }`, { c: [...thousand, codes[0]] });
    expect(tooMany.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].message).toMatch(/At most 1000 codes.*got 1001/);
  });

  it('tells what a code is without looking anything up', async () => {
    const { data } = await hub.query(`{ a: checkCreditCode(code: "11010519491231002X") { valid subjectType regionCode }
      b: checkCreditCode(code: "110105194912310021") { valid reason } }`);
    expect(data.a).toEqual({ valid: true, subjectType: 'NATURAL_PERSON', regionCode: '110105' });
    expect(data.b.valid).toBe(false);
    expect(data.b.reason).toContain('check character should be "X"');
  });
});
