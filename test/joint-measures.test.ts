/**
 * Joint measures (1798 (12), 893 §6–§7): the memorandum catalogue, pre-approval screening
 * with a signed receipt, feedback, the loop's figures and directed push — through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, importJWK, jwtVerify } from 'jose';
import { startTestHub, type TestHub } from './env.js';
import type { TokenClaims } from '../scripts/token.js';
import { departments as catalogue } from '../subgraphs/departments.js';

let now = new Date('2026-11-23T02:00:00.000Z');
const clock = () => now;
const AGENCY: TokenClaims = { role: 'agency', agency: '某市财政局政府采购监管处', sub: 'agency-gp-1', region: '44' };
const OTHER_AGENCY: TokenClaims = { role: 'agency', agency: '某县财政局', sub: 'agency-gp-2' };
const PURPOSE = { purpose: '政府采购供应商资格审查', reference: 'CG-2026-1201' };

let hub: TestHub;
let blackCode: string;
let redCode: string;
let cleanCode: string;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 400, clock });
  await hub.hub.settle(); // the platform collects every department's entries
  const active = (department: string, kind: string) =>
    hub.demo.entriesByDepartment.get(department)!.filter((e) => e.listKind === kind && e.status === 'ACTIVE').map((e) => e.creditCode);
  blackCode = active('courts', 'DISHONEST_JUDGMENT_DEBTOR').find((code) => code.startsWith('9'))!;
  redCode = active('tax', 'A_GRADE_TAXPAYER')[0];
  const listed = new Set([...hub.demo.entriesByDepartment.values()].flat().filter((e) => e.status === 'ACTIVE').map((e) => e.creditCode));
  cleanCode = hub.demo.subjects.find((s) => !listed.has(s.creditCode))!.creditCode;
});
afterAll(() => hub?.stop());

const SCREEN = `mutation($codes: [ID!]!, $scenario: Scenario!, $reference: String!) {
  screen(creditCodes: $codes, scenario: $scenario, reference: $reference) {
    id scenario reference receipt dataVersion
    items { index creditCode valid reason verdict onWarningList
      activeEntries { entryId domain listKind }
      measures { measure { id version kind description } memorandum { title documentNumber } triggeredBy }
      subject { name courts { entries(statuses: [ACTIVE]) { id listName } } } } } }`;

const screen = (codes: string[], scenario = 'GOVERNMENT_PROCUREMENT', as: TokenClaims = AGENCY) =>
  hub.queryAs(as, SCREEN, { codes, scenario, reference: 'ZB-2026-0042' });

describe('the memorandum catalogue', () => {
  it('lists all 47 memorandums with title and document number, and the measures of those on the hub\'s lists', async () => {
    const { data } = await hub.queryAs(null, `{ memorandums { number title documentNumber field listTypes measures { kind appliedBy scenarios triggers } } }`);
    expect(data.memorandums).toHaveLength(47);
    const debtors = data.memorandums.find((m: any) => m.documentNumber === '发改财金〔2016〕141号');
    expect(debtors).toMatchObject({ number: 4, listTypes: ['BLACK'] });
    expect(debtors.measures.some((m: any) => m.scenarios.includes('AIR_RAIL_TRAVEL') && m.triggers.includes('DISHONEST_JUDGMENT_DEBTOR'))).toBe(true);
    const aGrade = data.memorandums.find((m: any) => m.documentNumber === '发改财金〔2016〕1467号');
    expect(aGrade.measures.every((m: any) => m.kind === 'INCENTIVE')).toBe(true);
    for (const doc of ['发改财金〔2018〕1614号', '发改法规〔2018〕457号', '法〔2016〕285号', '发改财金〔2016〕2798号', '发改财金〔2016〕1001号', '发改财金〔2017〕2219号', '发改财金〔2015〕2045号']) {
      expect(data.memorandums.find((m: any) => m.documentNumber === doc).measures.length, doc).toBeGreaterThan(0);
    }
  });
});

describe('pre-approval screening (逢报必查)', () => {
  it('answers every code in input order with its entries, measures, legal basis and a verdict', async () => {
    const codes = [blackCode, 'NOT-A-CODE', redCode, cleanCode, '914403001922038216'];
    const { data, errors } = await screen(codes);
    expect(errors).toBeUndefined();
    const items = data.screen.items;
    expect(items.map((i: any) => [i.creditCode, i.valid, i.verdict])).toEqual([
      [blackCode, true, 'RESTRICT'],
      // An invalid code may be a mistyped identity number: masked, like a person's, without a stated purpose.
      ['NOT-**CODE', false, null],
      [redCode, true, 'INCENTIVE'],
      [cleanCode, true, 'CLEAR'],
      ['914403001922038216', true, 'CLEAR'],
    ]);
    expect(items[1].reason).toMatch(/18 characters/);
    expect(items[1].subject).toBeNull();
    const restrict = items[0];
    const procurement = restrict.measures.find((m: any) => m.memorandum.documentNumber === '发改财金〔2016〕141号');
    expect(procurement.measure.description).toContain('政府采购');
    expect(procurement.triggeredBy).toEqual(restrict.activeEntries.filter((e: any) => e.listKind === 'DISHONEST_JUDGMENT_DEBTOR').map((e: any) => e.entryId));
    expect(restrict.subject.courts.entries.map((e: any) => e.id)).toEqual(expect.arrayContaining(procurement.triggeredBy));
    expect(items[2].measures.every((m: any) => m.measure.kind === 'INCENTIVE')).toBe(true);
  });

  it('takes 1,000 codes in one request with the same statements as 10, and refuses 1,001', async () => {
    const codes = hub.demo.subjects.map((s) => s.creditCode);
    const batch = (n: number) => Array.from({ length: n }, (_, i) => codes[i % codes.length]);
    const small = await hub.countStatements(() => screen(batch(10)));
    let big: any;
    const large = await hub.countStatements(async () => {
      big = await screen(batch(1000));
    });
    expect(big.errors).toBeUndefined();
    expect(big.data.screen.items).toHaveLength(1000);
    expect(large).toEqual(small);
    const refused = await screen(batch(1001));
    expect(refused.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(refused.errors![0].message).toMatch(/At most 1000/);
  });

  it('refuses an unknown scenario with a typed error and records nothing', async () => {
    const response = await hub.queryAs(AGENCY, SCREEN, { codes: [cleanCode], scenario: 'LOTTERY', reference: 'x' });
    expect(response.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0].message).toContain('LOTTERY');
  });

  it('records each screening, and gives a receipt anyone can verify offline — and that shows tampering', async () => {
    const { data } = await screen([blackCode, cleanCode]);
    const { receipt, id } = data.screen;
    const key = (await hub.queryAs(null, `{ receiptKey { alg kid jwk } }`)).data.receiptKey;
    // Offline: only the published key and a JOSE library.
    const verified = await jwtVerify(receipt, await importJWK(JSON.parse(key.jwk), key.alg));
    expect(verified.payload).toMatchObject({ sub: id, scenario: 'GOVERNMENT_PROCUREMENT', reference: 'ZB-2026-0042', agency: AGENCY.agency });
    expect((verified.payload as any).items).toEqual([
      { code: blackCode, valid: true, verdict: 'RESTRICT' },
      { code: cleanCode, valid: true, verdict: 'CLEAR' },
    ]);
    expect(Object.keys((verified.payload as any).dataVersion).sort()).toEqual(catalogue.map((department) => department.name).sort());

    const [header, payload, signature] = receipt.split('.');
    const claims = decodeJwt(receipt) as any;
    claims.items[0].verdict = 'CLEAR';
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    await expect(jwtVerify(forged, await importJWK(JSON.parse(key.jwk), key.alg))).rejects.toThrow(/signature/);
    const check = await hub.queryAs(null, `query($r: String!) { verifyScreeningReceipt(receipt: $r) { valid problem screeningId } }`, { r: forged });
    expect(check.data.verifyScreeningReceipt.valid).toBe(false);
    expect(payload).not.toBe(forged.split('.')[1]);

    const recorded = await hub.queryAs(AGENCY, `query($id: ID!) { screening(id: $id) { reference items { creditCode verdict measures { measure { id } } } } }`, { id });
    expect(recorded.data.screening.items.map((i: any) => i.verdict)).toEqual(['RESTRICT', 'CLEAR']);
    const foreign = await hub.queryAs(OTHER_AGENCY, `query($id: ID!) { screening(id: $id) { id } }`, { id });
    expect(foreign.errors![0].extensions?.code).toBe('FORBIDDEN');
  });

  it('applies the measures in force on the day: an amendment takes effect from its date', async () => {
    const measureId = 'measure-4-1';
    const amended = await hub.queryAs(
      { role: 'admin' },
      `mutation { amendMeasure(measureId: "${measureId}", changes: { description: "在一定期限内禁止参加政府采购活动（修订）" }, effectiveFrom: "2026-12-01") { id version effectiveFrom } }`,
    );
    expect(amended.data.amendMeasure).toEqual({ id: measureId, version: 2, effectiveFrom: '2026-12-01' });
    const describe = async () => {
      const { data } = await screen([blackCode]);
      return data.screen.items[0].measures.find((m: any) => m.measure.id === measureId).measure;
    };
    expect(await describe()).toMatchObject({ version: 1 });
    const saved = now;
    now = new Date('2026-12-02T02:00:00.000Z');
    try {
      expect(await describe()).toMatchObject({ version: 2, description: '在一定期限内禁止参加政府采购活动（修订）' });
    } finally {
      now = saved;
    }
    const past = await hub.queryAs({ role: 'admin' }, `mutation { withdrawMeasure(measureId: "${measureId}", effectiveFrom: "2020-01-01") { id } }`);
    expect(past.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('feedback (响应—反馈) and the loop\'s figures', () => {
  it('records what the agency did, for the recognising department to see, and refuses feedback that does not fit', async () => {
    const { data } = await screen([blackCode]);
    const screening = data.screen;
    const measureId = screening.items[0].measures[0].measure.id;
    const FEEDBACK = `mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id outcome domain entryIds published creditCode } }`;
    const input = { screeningId: screening.id, creditCode: blackCode, measureId, outcome: 'APPLIED', caseReference: 'CG-2026-1201', publish: true };
    const recorded = await hub.queryAs(AGENCY, FEEDBACK, { input }, PURPOSE);
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data.recordMeasureFeedback).toMatchObject({ outcome: 'APPLIED', domain: 'COURTS', published: true });
    expect(recorded.data.recordMeasureFeedback.entryIds).toEqual(screening.items[0].measures[0].triggeredBy);

    const refusals: [Record<string, unknown>, TokenClaims, string][] = [
      [{ screeningId: '00000000-0000-4000-a000-000000000000' }, AGENCY, 'NOT_FOUND'],
      [{}, OTHER_AGENCY, 'FORBIDDEN'],
      [{ measureId: 'measure-6-1' }, AGENCY, 'BAD_USER_INPUT'],
      [{ outcome: 'INCENTIVE_GRANTED' }, AGENCY, 'BAD_USER_INPUT'],
      [{ outcome: 'NOT_APPLICABLE' }, AGENCY, 'BAD_USER_INPUT'],
    ];
    for (const [change, as, code] of refusals) {
      const response = await hub.queryAs(as, FEEDBACK, { input: { ...input, ...change } });
      expect(response.errors?.[0].extensions?.code, JSON.stringify(change)).toBe(code);
    }

    const CASES = `{ jointMeasureCases(first: 50) { edges { node { id domain creditCode } } } }`;
    const courts = await hub.queryAs({ role: 'officer', department: 'courts' }, CASES);
    expect(courts.data.jointMeasureCases.edges.map((e: any) => e.node.id)).toContain(recorded.data.recordMeasureFeedback.id);
    // Another department sees what everyone sees: the published typical cases, not the others of the domain.
    const tax = await hub.queryAs({ role: 'officer', department: 'tax' }, CASES);
    const publicView = await hub.queryAs(null, CASES);
    expect(publicView.data.jointMeasureCases.edges.length).toBeGreaterThan(0);
    expect(tax.data.jointMeasureCases.edges.map((e: any) => e.node.id)).toEqual(publicView.data.jointMeasureCases.edges.map((e: any) => e.node.id));

    const stats = await hub.queryAs({ role: 'auditor' }, `{ jointMeasureStatistics(from: "2026-01-01", to: "2026-12-31") {
      byDomain { key cases } byMeasure { key cases } byMonth { key cases } sharedCases recognisedEntries shareOfRecognised nationalTarget localTarget } }`);
    const figures = stats.data.jointMeasureStatistics;
    expect(figures.byDomain).toEqual([{ key: 'COURTS', cases: 1 }]);
    expect(figures.byMeasure).toEqual([{ key: measureId, cases: 1 }]);
    expect(figures.byMonth).toEqual([{ key: '2026-11', cases: 1 }]);
    expect(figures.recognisedEntries).toBeGreaterThan(0);
    expect(figures.shareOfRecognised).toBeCloseTo(1 / figures.recognisedEntries);
    expect([figures.nationalTarget, figures.localTarget]).toEqual([0.1, 0.3]);

    // A filter narrows the cases and the entries they are a share of alike.
    const FILTERED = `query($filter: StatisticsFilter) { jointMeasureStatistics(from: "2026-01-01", to: "2026-12-31", filter: $filter) {
      byRegion { key cases } sharedCases recognisedEntries } }`;
    const filtered = async (filter: Record<string, string>) => {
      const response = await hub.queryAs({ role: 'auditor' }, FILTERED, { filter });
      expect(response.errors, JSON.stringify(filter)).toBeUndefined();
      return response.data.jointMeasureStatistics;
    };
    const [{ key: province }] = (await filtered({})).byRegion;
    const courtsFigures = await filtered({ domain: 'COURTS' });
    const taxFigures = await filtered({ domain: 'TAX' });
    expect(courtsFigures.sharedCases).toBe(1);
    expect(taxFigures.sharedCases).toBe(0);
    expect(courtsFigures.recognisedEntries + taxFigures.recognisedEntries).toBeLessThanOrEqual(figures.recognisedEntries);
    expect(courtsFigures.recognisedEntries).toBeGreaterThan(0);
    expect((await filtered({ regionCode: province })).sharedCases).toBe(1);
    expect((await filtered({ regionCode: province === '11' ? '44' : '11' })).sharedCases).toBe(0);
    // A black-list punishment is no incentive.
    expect((await filtered({ listType: 'BLACK' })).sharedCases).toBe(1);
    expect((await filtered({ listType: 'RED' })).sharedCases).toBe(0);
    const wrongRegion = await hub.queryAs({ role: 'auditor' }, FILTERED, { filter: { regionCode: '4x' } });
    expect(wrongRegion.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'filter.regionCode' } });
  });
});

describe('directed push (定向推送, 893 §6)', () => {
  it('gives an agency the entries that trigger its measures, resumable from a cursor, with personal codes masked unless it states a purpose', async () => {
    const QUERY = `query($after: String) { entryChanges(scenarios: [AIR_RAIL_TRAVEL], regionCode: "11", first: 5, after: $after) {
      edges { cursor node { entryId listKind regionCode creditCode } } pageInfo { hasNextPage endCursor } } }`;
    const seen: any[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const { data, errors }: { data?: any; errors?: unknown } = await hub.queryAs(AGENCY, QUERY, { after }, PURPOSE);
      expect(errors).toBeUndefined();
      seen.push(...data.entryChanges.edges.map((e: any) => e.node));
      if (!data.entryChanges.pageInfo.hasNextPage) break;
      after = data.entryChanges.pageInfo.endCursor;
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.map((n) => n.entryId)).size).toBe(seen.length);
    expect(seen.every((n) => ['DISHONEST_JUDGMENT_DEBTOR', 'MAJOR_TAX_VIOLATION'].includes(n.listKind) && n.regionCode.startsWith('11'))).toBe(true);
    const expected = [...hub.demo.entriesByDepartment.values()].flat().filter((e) => ['DISHONEST_JUDGMENT_DEBTOR', 'MAJOR_TAX_VIOLATION'].includes(e.listKind) && e.regionCode.startsWith('11'));
    expect(seen.map((n) => n.entryId).sort()).toEqual(expected.map((e) => e.id).sort());

    const person = [...hub.demo.entriesByDepartment.values()].flat()
      .find((e) => e.subjectType === 'NATURAL_PERSON' && ['DISHONEST_JUDGMENT_DEBTOR', 'MAJOR_TAX_VIOLATION'].includes(e.listKind))!;
    const ALL = `{ entryChanges(scenarios: [AIR_RAIL_TRAVEL], regionCode: "${person.regionCode}", first: 500) { edges { node { entryId creditCode } } } }`;
    const find = (response: any) => (expect(response.errors, JSON.stringify(response.errors)).toBeUndefined(), response.data.entryChanges.edges).find((e: any) => e.node.entryId === person.id).node.creditCode;
    expect(find(await hub.queryAs({ role: 'partner', agency: '某银行' }, ALL))).toBe(`${person.creditCode.slice(0, 4)}**********${person.creditCode.slice(-4)}`);
    expect(find(await hub.queryAs(AGENCY, ALL, undefined, PURPOSE))).toBe(person.creditCode);
  });
});
