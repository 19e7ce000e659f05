/**
 * Statistics through the gateway: every figure against the demo data it was seeded from,
 * the filters and the checks of their arguments, exits by way and date, the warning list
 * over time, and subjects across domains, regions and industries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestHub, type TestHub } from './env.js';
import type { ListEntry } from '../subgraphs/kit/lists/store.js';
import { connect, migrate } from '../subgraphs/kit/db.js';
import { exitApplicationsTable, objectionsTable } from '../subgraphs/kit/lists/tables.js';
import { ListStore } from '../subgraphs/kit/lists/store.js';
import { departments, subgraphByName } from '../subgraphs/catalog.js';
import { changeFeedTable } from '../subgraphs/platform/change-feed.js';
import { entryIndexTable, warningListTable } from '../subgraphs/platform/collection.js';
import { migrations } from '../subgraphs/platform/migrations.js';

// The demo data is "as of" 2026-11-01: nothing expires while the hub runs on this clock.
let now = new Date('2026-11-01T02:00:00.000Z');
const clock = () => now;
const TODAY = '2026-11-01';
const FROM = '2025-01-01';
const TO = '2026-10-31';
const DEPARTMENT_OF: Record<string, string> = { TAX: 'tax', MARKET_SUPERVISION: 'market', COURTS: 'courts', WORK_SAFETY: 'safety' };

let hub: TestHub;
let entries: ListEntry[];
beforeAll(async () => {
  hub = await startTestHub({ subjects: 600, clock });
  await hub.hub.settle();
  entries = [...hub.demo.entriesByDepartment.values()].flat();
});
afterAll(() => hub?.stop());

/** Counts rows by a key, as the API answers a breakdown: sorted by key. */
function tally<T>(rows: T[], key: (row: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  return counts;
}
const asTally = (cells: any[], key: (cell: any) => string) => Object.fromEntries(cells.map((cell) => [key(cell), cell.count ?? cell.subjects]));

const exitedOn = (e: ListEntry) => (e.status === 'EXITED' ? e.exit!.on : null);
const activeOn = (e: ListEntry, day: string) => e.recognisedOn <= day && (e.status === 'ACTIVE' || (e.status === 'EXITED' && exitedOn(e)! > day));
const activeDuring = (e: ListEntry, from: string, to: string) => e.recognisedOn <= to && (e.status === 'ACTIVE' || (e.status === 'EXITED' && exitedOn(e)! > from));

async function figures(query: string, variables: Record<string, unknown> = {}, as: Parameters<TestHub['queryAs']>[0] = null) {
  const response = await hub.queryAs(as, query, variables);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data;
}

const ENTRIES = `query($from: Date!, $to: Date!, $filter: StatisticsFilter, $on: Date) {
  entryStatistics(from: $from, to: $to, filter: $filter) {
    from to
    recognised { count }
    exited { count }
    active(on: $on) { count }
    recognisedCells: recognised(by: [LIST_TYPE, DOMAIN, PROVINCE, MONTH]) { listType domain region month exitWay count }
    exitedCells: exited(by: [EXIT_WAY, MONTH]) { listType domain region month exitWay count }
    activeCells: active(on: $on, by: [DOMAIN, LIST_TYPE, CITY]) { listType domain region month count }
  } }`;

describe('entries recognised, exited and active', () => {
  it('counts every entry of the demo data, totals and by list type × domain × province × month', async () => {
    const { entryStatistics: s } = await figures(ENTRIES, { from: FROM, to: TO, on: '2026-06-30' });
    const recognised = entries.filter((e) => e.recognisedOn >= FROM && e.recognisedOn <= TO);
    const exited = entries.filter((e) => exitedOn(e) && exitedOn(e)! >= FROM && exitedOn(e)! <= TO);
    const active = entries.filter((e) => activeOn(e, '2026-06-30'));
    expect(recognised.length).toBeGreaterThan(50);
    expect(exited.length).toBeGreaterThan(10);
    expect(s).toMatchObject({ from: FROM, to: TO });
    expect(s.recognised).toEqual([{ count: recognised.length }]);
    expect(s.exited).toEqual([{ count: exited.length }]);
    expect(s.active).toEqual([{ count: active.length }]);

    expect(asTally(s.recognisedCells, (c) => [c.listType, c.domain, c.region, c.month].join('|'))).toEqual(
      tally(recognised, (e) => [e.listType, e.domain, e.regionCode.slice(0, 2), e.recognisedOn.slice(0, 7)].join('|')),
    );
    expect(s.recognisedCells.every((c: any) => c.exitWay === null && c.region.length === 2)).toBe(true);
    expect(asTally(s.exitedCells, (c) => `${c.exitWay}|${c.month}`)).toEqual(tally(exited, (e) => `${e.exit!.way}|${exitedOn(e)!.slice(0, 7)}`));
    expect(asTally(s.activeCells, (c) => [c.domain, c.listType, c.region].join('|'))).toEqual(
      tally(active, (e) => [e.domain, e.listType, e.regionCode.slice(0, 4)].join('|')),
    );
    // Cells come sorted by the dimensions, in the order asked.
    const keys = s.activeCells.map((c: any) => [c.domain, c.listType, c.region].join('|'));
    expect(keys).toEqual([...keys].sort());
  });

  it('counts entries active now by default (the end of the period, or today when it ends later)', async () => {
    const { entryStatistics: s } = await figures(`{ entryStatistics(from: "2026-01-01", to: "2026-12-31") { active { count } byType: active(by: [LIST_TYPE]) { listType count } } }`);
    const current = entries.filter((e) => e.status === 'ACTIVE');
    expect(s.active).toEqual([{ count: current.length }]);
    expect(asTally(s.byType, (c) => c.listType)).toEqual(tally(current, (e) => e.listType));
  });

  it.each([
    [{ domain: 'COURTS' }, (e: ListEntry) => e.domain === 'COURTS'],
    [{ listType: 'BLACK' }, (e: ListEntry) => e.listType === 'BLACK'],
    [{ regionCode: '44' }, (e: ListEntry) => e.regionCode.startsWith('44')],
    [{ regionCode: '4403' }, (e: ListEntry) => e.regionCode.startsWith('4403')],
    [{ regionCode: '110108', listType: 'BLACK', domain: 'TAX' }, (e: ListEntry) => e.regionCode === '110108' && e.listType === 'BLACK' && e.domain === 'TAX'],
  ])('filters by %j', async (filter, matches) => {
    const { entryStatistics: s } = await figures(ENTRIES, { from: FROM, to: TO, on: '2026-06-30', filter });
    const selected = entries.filter(matches);
    expect(s.recognised[0].count).toBe(selected.filter((e) => e.recognisedOn >= FROM && e.recognisedOn <= TO).length);
    expect(s.exited[0].count).toBe(selected.filter((e) => exitedOn(e) && exitedOn(e)! >= FROM && exitedOn(e)! <= TO).length);
    expect(s.active[0].count).toBe(selected.filter((e) => activeOn(e, '2026-06-30')).length);
    expect(asTally(s.activeCells, (c) => [c.domain, c.listType, c.region].join('|'))).toEqual(
      tally(selected.filter((e) => activeOn(e, '2026-06-30')), (e) => [e.domain, e.listType, e.regionCode.slice(0, 4)].join('|')),
    );
  });

  it('breaks exits down by way, and a month with none is simply absent', async () => {
    const { entryStatistics: s } = await figures(`{ entryStatistics(from: "2020-11-01", to: "${TODAY}") { exited(by: [EXIT_WAY, DOMAIN]) { exitWay domain count } } }`);
    const exited = entries.filter((e) => e.status === 'EXITED' && exitedOn(e)! >= '2020-11-01');
    expect(asTally(s.exited, (c) => `${c.exitWay}|${c.domain}`)).toEqual(tally(exited, (e) => `${e.exit!.way}|${e.domain}`));
    const { entryStatistics: none } = await figures(`{ entryStatistics(from: "2030-01-01", to: "2030-12-31") { recognised(by: [MONTH]) { month count } exited { count } } }`);
    expect(none).toEqual({ recognised: [], exited: [{ count: 0 }] });
  });
});

describe('subjects listed across domains, by region and by industry', () => {
  const LISTED = `query($filter: StatisticsFilter) { listedSubjectStatistics(from: "${FROM}", to: "${TO}", filter: $filter) {
    listType subjects multiDomainSubjects byDomainCount { domains subjects }
    byRegion { key subjects } cities: byRegion(level: CITY) { key subjects } byIndustry { key name subjects } } }`;

  it('counts distinct black-listed subjects, those in two or more domains, by province, city and industry', async () => {
    const { listedSubjectStatistics: s } = await figures(LISTED);
    const black = entries.filter((e) => e.listType === 'BLACK' && activeDuring(e, FROM, TO));
    const domainsOf = new Map<string, Set<string>>();
    for (const e of black) domainsOf.set(e.creditCode, (domainsOf.get(e.creditCode) ?? new Set()).add(e.domain));
    const spread = tally([...domainsOf.values()], (domains) => String(domains.size));
    expect(s.listType).toBe('BLACK');
    expect(s.subjects).toBe(domainsOf.size);
    expect(s.multiDomainSubjects).toBe([...domainsOf.values()].filter((d) => d.size >= 2).length);
    expect(s.multiDomainSubjects).toBeGreaterThan(0);
    expect(Object.fromEntries(s.byDomainCount.map((r: any) => [String(r.domains), r.subjects]))).toEqual(spread);

    const codes = [...domainsOf.keys()];
    const subjectOf = new Map(hub.demo.subjects.map((subject) => [subject.creditCode, subject]));
    expect(asTally(s.byRegion, (r) => r.key)).toEqual(tally(codes, (code) => subjectOf.get(code)!.regionCode.slice(0, 2)));
    expect(asTally(s.cities, (r) => r.key)).toEqual(tally(codes, (code) => subjectOf.get(code)!.regionCode.slice(0, 4)));
    expect(asTally(s.byIndustry, (r) => r.key)).toEqual(tally(codes, (code) => subjectOf.get(code)!.industry?.code ?? 'UNKNOWN'));
    const manufacturing = s.byIndustry.find((r: any) => r.key === 'C');
    expect(manufacturing?.name).toBe('制造业');
    expect(s.byIndustry.find((r: any) => r.key === 'UNKNOWN')?.name ?? null).toBeNull();
  });

  it('takes another list type, and with a domain counts the subjects it lists across every domain', async () => {
    const { listedSubjectStatistics: ka } = await figures(LISTED, { filter: { listType: 'KEY_ATTENTION', regionCode: '31' } });
    const keyAttention = entries.filter((e) => e.listType === 'KEY_ATTENTION' && e.regionCode.startsWith('31') && activeDuring(e, FROM, TO));
    expect(ka.listType).toBe('KEY_ATTENTION');
    expect(ka.subjects).toBe(new Set(keyAttention.map((e) => e.creditCode)).size);
    expect(ka.byRegion.map((r: any) => r.key)).toEqual(['31']);

    const { listedSubjectStatistics: courts } = await figures(LISTED, { filter: { domain: 'COURTS' } });
    const black = entries.filter((e) => e.listType === 'BLACK' && activeDuring(e, FROM, TO));
    const courtsListed = new Set(black.filter((e) => e.domain === 'COURTS').map((e) => e.creditCode));
    const domainsOf = new Map<string, Set<string>>();
    for (const e of black.filter((x) => courtsListed.has(x.creditCode))) domainsOf.set(e.creditCode, (domainsOf.get(e.creditCode) ?? new Set()).add(e.domain));
    expect(courts.subjects).toBe(courtsListed.size);
    expect(Object.fromEntries(courts.byDomainCount.map((r: any) => [String(r.domains), r.subjects]))).toEqual(tally([...domainsOf.values()], (d) => String(d.size)));
    expect(asTally(courts.byRegion, (r) => r.key)).toEqual(tally([...courtsListed], (code) => hub.demo.subjects.find((s) => s.creditCode === code)!.regionCode.slice(0, 2)));
  });
});

describe('arguments are checked', () => {
  it.each([
    [`entryStatistics(from: "2026-02-01", to: "2026-01-01") { from }`, /from \(2026-02-01\) is after to \(2026-01-01\)/, 'from'],
    [`entryStatistics(from: "2000-01-01", to: "2026-01-01") { from }`, /longer than 10 years/, 'to'],
    [`entryStatistics(from: "2026-01-01", to: "2026-02-01", filter: { regionCode: "4a" }) { from }`, /"4a" is not an administrative division code.*2 to 6 digits/, 'filter.regionCode'],
    [`warningListStatistics(from: "2026-01-01", to: "2026-02-01", filter: { regionCode: "4403051" }) { current }`, /2 to 6 digits/, 'filter.regionCode'],
    [`listedSubjectStatistics(from: "2026-03-01", to: "2026-02-01") { subjects }`, /is after to/, 'from'],
    [`entryStatistics(from: "2026-01-01", to: "2026-02-01") { recognised(by: [DOMAIN, DOMAIN]) { count } }`, /named twice/, 'by'],
    [`entryStatistics(from: "2026-01-01", to: "2026-02-01") { recognised(by: [PROVINCE, CITY]) { count } }`, /one region level at a time/, 'by'],
    [`entryStatistics(from: "2026-01-01", to: "2026-02-01") { recognised(by: [EXIT_WAY]) { count } }`, /exits only/, 'by'],
    [`entryStatistics(from: "2026-01-01", to: "2026-02-01") { active(by: [MONTH]) { count } }`, /no month/, 'by'],
    [`entryStatistics(from: "2026-01-01", to: "2026-02-01") { active(on: "2027-01-01") { count } }`, /after today.*do not forecast/, 'on'],
  ])('%s', async (field, message, argument) => {
    const response = await hub.queryAs(null, `{ ${field} }`);
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument } });
    expect(response.errors![0].message).toMatch(message);
  });

  it('refuses a date that is not one and a list type that does not exist, saying what is wrong', async () => {
    const notADate = await hub.queryAs(null, `query($from: Date!) { entryStatistics(from: $from, to: "2026-01-01") { from } }`, { from: '2026-13-01' });
    expect(notADate.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(notADate.errors![0].message).toMatch(/YYYY-MM-DD/);
    const grey = await hub.queryAs(null, `query($f: StatisticsFilter) { entryStatistics(from: "2026-01-01", to: "2026-02-01", filter: $f) { from } }`, { f: { listType: 'GREY' } });
    expect(grey.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(grey.errors![0].message).toMatch(/GREY/);
  });
});

describe('who may read the figures', () => {
  it.each([
    ['the public', null],
    ['an agency', { role: 'agency', agency: '某市公共资源交易中心', scopes: ['read:red'] }],
    ['a partner', { role: 'partner', agency: '某银行' }],
    ['an officer', { role: 'officer', department: 'tax' }],
    ['an auditor', { role: 'auditor' }],
  ] as const)('%s: aggregate figures carry no personal data', async (_who, claims) => {
    const { data, errors } = await hub.queryAs(claims as any, `{ entryStatistics(from: "${FROM}", to: "${TO}") { recognised { count } }
      warningListStatistics(from: "${FROM}", to: "${TO}") { current } listedSubjectStatistics(from: "${FROM}", to: "${TO}") { subjects } }`);
    expect(errors).toBeUndefined();
    expect(data.entryStatistics.recognised[0].count).toBeGreaterThan(0);
  });

  it('runs one statement per figure asked, whatever the data', async () => {
    const ask = () => hub.queryAs(null, `{ entryStatistics(from: "${FROM}", to: "${TO}") { a: recognised { count } b: recognised(by: [MONTH]) { count } c: exited(by: [EXIT_WAY]) { count } d: active(by: [DOMAIN, PROVINCE]) { count } }
      listedSubjectStatistics(from: "${FROM}", to: "${TO}") { subjects multiDomainSubjects byDomainCount { domains } byRegion { key } byIndustry { key } } }`);
    const statements = await hub.countStatements(ask);
    // 4 entry figures + 3 for the listed subjects (the domain spread is read once for its three fields).
    expect(statements.platform).toBe(7);
  });
});

describe('the warning list over time, and exits recorded with their way and day', () => {
  it('counts subjects on the list month by month, stays begun and ended, and the size now', async () => {
    const QUERY = `query($filter: StatisticsFilter) { warningListStatistics(from: "2026-09-15", to: "2026-12-31", filter: $filter) { from to byMonth { month count } entered left current } }`;
    const keyAttentionDomains = new Map<string, Set<string>>();
    for (const e of entries.filter((x) => x.listType === 'KEY_ATTENTION' && x.status === 'ACTIVE')) {
      keyAttentionDomains.set(e.creditCode, (keyAttentionDomains.get(e.creditCode) ?? new Set()).add(e.domain));
    }
    const onList = [...keyAttentionDomains].filter(([, domains]) => domains.size >= 3).map(([code]) => code);
    expect(onList.length).toBeGreaterThan(0);
    // The platform put them on the list when it collected the demo data, today.
    const before = (await figures(QUERY)).warningListStatistics;
    expect(before).toEqual({
      from: '2026-09-15', to: '2026-12-31',
      byMonth: [{ month: '2026-09', count: 0 }, { month: '2026-10', count: 0 }, { month: '2026-11', count: onList.length }, { month: '2026-12', count: onList.length }],
      entered: onList.length, left: 0, current: onList.length,
    });
    const provinceOf = new Map(hub.demo.subjects.map((subject) => [subject.creditCode, subject.regionCode.slice(0, 2)]));
    const region = provinceOf.get(onList[0])!;
    const inRegion = onList.filter((code) => provinceOf.get(code) === region).length;
    expect((await figures(QUERY, { filter: { regionCode: region } })).warningListStatistics.current).toBe(inRegion);
    expect((await figures(QUERY, { filter: { listType: 'BLACK' } })).warningListStatistics.current).toBe(0);

    // An hour later a department lifts one subject's key-attention entry: it leaves the list.
    now = new Date('2026-11-01T03:00:00.000Z');
    const leaving = onList[0];
    const entry = entries.find((e) => e.creditCode === leaving && e.listType === 'KEY_ATTENTION' && e.status === 'ACTIVE')!;
    const exit = await hub.queryAs(
      { role: 'officer', department: DEPARTMENT_OF[entry.domain] },
      `mutation { ${DEPARTMENT_OF[entry.domain]} { exitForChangedStandard(input: { entryId: "${entry.id}", standardReference: "示例标准〔2026〕1号", standardEffectiveOn: "2026-11-01", reason: "标准调整" }) { exited { id } } } }`,
    );
    expect(exit.errors).toBeUndefined();
    await hub.hub.settle();
    const after = (await figures(QUERY)).warningListStatistics;
    expect(after).toMatchObject({ entered: onList.length, left: 1, current: onList.length - 1 });
    expect(after.byMonth.at(-1)).toEqual({ month: '2026-12', count: onList.length - 1 });
    expect(after.byMonth.at(-2)).toEqual({ month: '2026-11', count: onList.length });
    const domain = (await figures(QUERY, { filter: { domain: entry.domain } })).warningListStatistics;
    expect(domain.left).toBe(1);

    // The exit is counted on its day, with its way.
    const { entryStatistics } = await figures(`{ entryStatistics(from: "${TODAY}", to: "${TODAY}") { exited(by: [EXIT_WAY, DOMAIN, LIST_TYPE]) { exitWay domain listType count } } }`);
    expect(entryStatistics.exited).toContainEqual({ exitWay: 'STANDARD_CHANGED', domain: entry.domain, listType: 'KEY_ATTENTION', count: 1 });
  });
});

describe('the statistics migration on a platform that collected before it', () => {
  it('fills each exited entry\'s way and day from the change feed, and each warning-list stay\'s region', async () => {
    const database = await createTestDatabase();
    const db = connect(database.urlFor('platform'));
    try {
      await migrate(db, 'platform', migrations.filter((m) => m.name !== 'platform_005_statistics'));
      const row = (id: string, status: string) => ({
        entry_id: id, domain: 'TAX', credit_code: '91110108614693833T', list_type: 'BLACK', list_kind: 'MAJOR_TAX_VIOLATION', status,
        subject_type: 'ORGANISATION', region_code: '110108', recognised_on: '2024-01-10', valid_until: '2026-01-10',
        reached_platform_at: '2024-01-11T10:00:00.000Z', sharing_working_days: 1, updated_at: '2026-11-01T00:00:00.000Z',
      });
      await db(entryIndexTable).insert([row('exited-by-officer', 'EXITED'), row('seeded-expired', 'EXITED'), row('still-active', 'ACTIVE')]);
      const feed = (position: number, entryId: string, type: string, status: string, exitWay: string | null, occurredAt: string) => ({
        position, event_id: `e${position}`, type, domain: 'TAX', credit_code: '91110108614693833T', list_type: 'BLACK', entry_id: entryId,
        status, exit_way: exitWay, occurred_at: occurredAt, detail: JSON.stringify({ action: null, validUntil: '2026-01-10' }),
      });
      await db(changeFeedTable).insert([
        feed(1, 'exited-by-officer', 'ENTRY_RECOGNISED', 'ACTIVE', null, '2024-01-11T10:00:00.000Z'),
        feed(2, 'seeded-expired', 'ENTRY_RECOGNISED', 'EXITED', 'VALIDITY_EXPIRED', '2024-01-11T10:00:00.000Z'),
        feed(3, 'still-active', 'ENTRY_RECOGNISED', 'ACTIVE', null, '2024-01-11T10:00:00.000Z'),
        feed(4, 'exited-by-officer', 'ENTRY_EXITED', 'EXITED', 'CREDIT_REPAIR', '2025-06-03T09:30:00.000Z'),
      ]);
      await db(warningListTable).insert({ credit_code: '914403001922038216', subject_type: 'ORGANISATION', domains: '["TAX"]', entered_at: '2026-01-01T00:00:00.000Z', left_at: null });

      await migrate(db, 'platform', migrations);
      const filled = await db(entryIndexTable).select('entry_id', 'exit_way', 'exited_on').orderBy('entry_id');
      expect(filled).toEqual([
        { entry_id: 'exited-by-officer', exit_way: 'CREDIT_REPAIR', exited_on: '2025-06-03' },
        { entry_id: 'seeded-expired', exit_way: 'VALIDITY_EXPIRED', exited_on: '2026-01-10' },
        { entry_id: 'still-active', exit_way: null, exited_on: null },
      ]);
      expect((await db(warningListTable).first()).region_code).toBe('440300');
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});

describe('objections and credit repair, each department answering for its own', () => {
  const FIGURES = 'domain objectionsFiled { key count } objectionOutcomes { key count } objectionsOpen repairApplications repairOutcomes { key count } repairApplicationsOpen';
  const ALL = (from: string, to: string) => `{ ${Object.values(DEPARTMENT_OF).map((d) => `${d}: ${d}ObjectionAndRepairStatistics(from: "${from}", to: "${to}") { from to ${FIGURES} }`).join(' ')} }`;

  it('counts objections filed and decided by outcome, and repair applications, per department in one request', async () => {
    // Through the API: an agency reports a suspected error in a market entry; the department rejects it.
    const marketEntry = entries.find((e) => e.domain === 'MARKET_SUPERVISION' && e.status === 'ACTIVE')!;
    const report = await hub.queryAs({ role: 'agency', agency: '某市公共资源交易中心' },
      `mutation { market { fileObjection(input: { entryId: "${marketEntry.id}", kind: IMPLEMENTER_REPORT, grounds: "主体名称与代码不符" }) { id } } }`);
    expect(report.errors).toBeUndefined();
    const rejected = await hub.queryAs({ role: 'officer', department: 'market' },
      `mutation { market { acceptObjection(objectionId: "${report.data.market.fileObjection.id}", accept: false, reason: "不属于本部门认定事项") { status } } }`);
    expect(rejected.data.market.acceptObjection.status).toBe('REJECTED');

    // The tax department's own records over the year (written straight into its tables).
    const tax = hub.hub.subgraphs.get('tax')!.db;
    const taxEntry = entries.find((e) => e.domain === 'TAX')!;
    const objection = (id: string, kind: string, status: string, filedAt: string, decidedAt: string | null) => ({
      id, entry_id: taxEntry.id, credit_code: taxEntry.creditCode, kind, filed_by: 'x', grounds: 'x', evidence_refs: '[]',
      status, filed_at: filedAt, accepted_at: null, decided_at: decidedAt, decision: decidedAt ? 'x' : null,
    });
    await tax(objectionsTable('tax')).insert([
      objection('o1', 'SUBJECT_APPEAL', 'UPHELD', '2026-03-02T01:00:00.000Z', '2026-04-01T01:00:00.000Z'),
      objection('o2', 'SUBJECT_APPEAL', 'DISMISSED', '2026-05-02T01:00:00.000Z', '2026-06-01T01:00:00.000Z'),
      objection('o3', 'PUBLIC_OBJECTION', 'ACCEPTED', '2026-10-30T01:00:00.000Z', null),
      objection('o4', 'SUBJECT_APPEAL', 'FILED', '2025-12-31T23:59:59.999Z', null),
      objection('o5', 'PUBLIC_OBJECTION', 'REJECTED', '2025-11-02T01:00:00.000Z', '2026-01-01T00:00:00.000Z'),
    ]);
    const application = (id: string, status: string, appliedAt: string, decidedAt: string | null) => ({
      id, entry_id: taxEntry.id, status, reference: null, applied_at: appliedAt, decided_at: decidedAt, decision: decidedAt ? 'x' : null,
    });
    await tax(exitApplicationsTable('tax')).insert([
      application('a1', 'APPROVED', '2026-02-01T01:00:00.000Z', '2026-02-20T01:00:00.000Z'),
      application('a2', 'REJECTED', '2026-07-01T01:00:00.000Z', '2026-07-09T01:00:00.000Z'),
      application('a3', 'APPLIED', '2026-10-31T23:00:00.000Z', null),
      application('a4', 'APPROVED', '2025-06-01T01:00:00.000Z', '2025-07-01T01:00:00.000Z'),
    ]);

    const { data, errors } = await hub.queryAs(null, ALL('2026-01-01', TODAY));
    expect(errors).toBeUndefined();
    expect(data.tax).toEqual({
      from: '2026-01-01', to: TODAY, domain: 'TAX',
      objectionsFiled: [{ key: 'PUBLIC_OBJECTION', count: 1 }, { key: 'SUBJECT_APPEAL', count: 2 }],
      objectionOutcomes: [{ key: 'DISMISSED', count: 1 }, { key: 'REJECTED', count: 1 }, { key: 'UPHELD', count: 1 }],
      objectionsOpen: 2,
      repairApplications: 3,
      repairOutcomes: [{ key: 'APPROVED', count: 1 }, { key: 'REJECTED', count: 1 }],
      repairApplicationsOpen: 1,
    });
    expect(data.market).toMatchObject({
      domain: 'MARKET_SUPERVISION', objectionsFiled: [{ key: 'IMPLEMENTER_REPORT', count: 1 }], objectionOutcomes: [{ key: 'REJECTED', count: 1 }], objectionsOpen: 0,
    });
    expect(data.courts).toMatchObject({ domain: 'COURTS', objectionsFiled: [], objectionOutcomes: [], objectionsOpen: 0, repairApplications: 0 });
    expect(data.safety).toMatchObject({ domain: 'WORK_SAFETY', repairOutcomes: [], repairApplicationsOpen: 0 });

    const earlier = await hub.queryAs(null, ALL('2025-01-01', '2025-12-31'));
    expect(earlier.data.tax).toMatchObject({ objectionsFiled: [{ key: 'PUBLIC_OBJECTION', count: 1 }, { key: 'SUBJECT_APPEAL', count: 1 }], repairApplications: 1, repairOutcomes: [{ key: 'APPROVED', count: 1 }] });

    const backwards = await hub.queryAs(null, `{ taxObjectionAndRepairStatistics(from: "2026-02-01", to: "2026-01-01") { objectionsOpen } }`);
    expect(backwards.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'from' } });
  });

  it('narrows each department\'s figures by the list type and region of the entries concerned', async () => {
    // Agencies report suspected errors in work-safety entries of every list type and region.
    const reported = entries.filter((e) => e.domain === 'WORK_SAFETY' && e.status === 'ACTIVE').slice(0, 12);
    expect(new Set(reported.map((e) => e.listType)).size).toBeGreaterThan(1);
    for (const entry of reported) {
      const { errors } = await hub.queryAs({ role: 'agency', agency: '某市应急管理局' },
        `mutation { safety { fileObjection(input: { entryId: "${entry.id}", kind: IMPLEMENTER_REPORT, grounds: "信息有误" }) { id } } }`);
      expect(errors).toBeUndefined();
    }
    const QUERY = `query($filter: CaseStatisticsFilter) { safetyObjectionAndRepairStatistics(from: "2026-01-01", to: "${TODAY}", filter: $filter) {
      objectionsFiled { key count } objectionsOpen } }`;
    const filed = async (filter: Record<string, string> | null) => {
      const { data, errors } = await hub.queryAs(null, QUERY, { filter });
      expect(errors, JSON.stringify(filter)).toBeUndefined();
      return data.safetyObjectionAndRepairStatistics;
    };
    expect(await filed(null)).toEqual({ objectionsFiled: [{ key: 'IMPLEMENTER_REPORT', count: reported.length }], objectionsOpen: reported.length });
    for (const listType of new Set(reported.map((e) => e.listType))) {
      const expected = reported.filter((e) => e.listType === listType).length;
      expect(await filed({ listType }), listType).toEqual({ objectionsFiled: [{ key: 'IMPLEMENTER_REPORT', count: expected }], objectionsOpen: expected });
    }
    const province = reported[0].regionCode.slice(0, 2);
    const inProvince = reported.filter((e) => e.regionCode.startsWith(province)).length;
    expect((await filed({ regionCode: province })).objectionsOpen).toBe(inProvince);
    expect((await filed({ regionCode: reported[0].regionCode, listType: reported[0].listType })).objectionsOpen)
      .toBe(reported.filter((e) => e.regionCode === reported[0].regionCode && e.listType === reported[0].listType).length);

    const wrong = await hub.queryAs(null, QUERY, { filter: { regionCode: '44-03' } });
    expect(wrong.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'filter.regionCode' } });
    expect(wrong.errors![0].message).toMatch(/"44-03" is not an administrative division code/);
  });

  it('the migration gives objections and applications filed before it the list type and region of their entry', async () => {
    const database = await createTestDatabase();
    const db = connect(database.urlFor('tax'));
    const department = departments.find((d) => d.name === 'tax')!;
    const all = subgraphByName('tax').migrations;
    try {
      await migrate(db, 'tax', all.filter((m) => m.name !== 'tax_006_statistics_dimensions'));
      const entry = entries.find((e) => e.domain === 'TAX')!;
      await db.transaction((trx) => new ListStore(db, department).insertEntries([entry], 'test', trx));
      const objection = (id: string, entryId: string) => ({
        id, entry_id: entryId, credit_code: entry.creditCode, kind: 'SUBJECT_APPEAL', filed_by: 'x', grounds: 'x', evidence_refs: '[]',
        status: 'UPHELD', filed_at: '2026-03-02T01:00:00.000Z', accepted_at: null, decided_at: '2026-04-01T01:00:00.000Z', decision: 'x',
      });
      // The second objection's entry was purged when it was upheld: nothing to fill it from.
      await db(objectionsTable('tax')).insert([objection('kept', entry.id), objection('purged', 'no-such-entry')]);
      await db(exitApplicationsTable('tax')).insert({ id: 'a1', entry_id: entry.id, status: 'APPLIED', reference: null, applied_at: '2026-05-01T00:00:00.000Z', decided_at: null, decision: null });

      await migrate(db, 'tax', all);
      expect(await db(objectionsTable('tax')).select('id', 'list_type', 'region_code').orderBy('id')).toEqual([
        { id: 'kept', list_type: entry.listType, region_code: entry.regionCode },
        { id: 'purged', list_type: null, region_code: null },
      ]);
      expect(await db(exitApplicationsTable('tax')).select('list_type', 'region_code')).toEqual([{ list_type: entry.listType, region_code: entry.regionCode }]);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});

describe('objections and credit repair over the demo\'s history', () => {
  let withCases: TestHub;
  beforeAll(async () => {
    // Enough subjects that the demo upholds an objection on a list of every type (1,800 with the five departments).
    withCases = await startTestHub({ subjects: 1800, clock, caseRecords: true });
  });
  afterAll(() => withCases?.stop());

  it('counts what each department recorded, for any period and filter', async () => {
    const FROM_DAY = '2023-01-01';
    const inPeriod = (at: string | null) => at != null && at >= `${FROM_DAY}T00:00:00.000Z` && at < '2026-11-02T00:00:00.000Z';
    const keyed = (rows: any[], key: string) => Object.entries(tally(rows, (row) => row[key])).map(([k, count]) => ({ key: k, count })).sort((a, b) => a.key.localeCompare(b.key));
    const expected = (records: any, filter: { listType?: string; regionCode?: string }) => {
      const match = (row: any) => (!filter.listType || row.list_type === filter.listType) && (!filter.regionCode || row.region_code.startsWith(filter.regionCode));
      const objections = records.objections.filter(match);
      const applications = records.exitApplications.filter(match);
      return {
        objectionsFiled: keyed(objections.filter((o: any) => inPeriod(o.filed_at)), 'kind'),
        objectionOutcomes: keyed(objections.filter((o: any) => inPeriod(o.decided_at)), 'status'),
        objectionsOpen: objections.filter((o: any) => ['FILED', 'ACCEPTED'].includes(o.status)).length,
        repairApplications: applications.filter((a: any) => inPeriod(a.applied_at)).length,
        repairOutcomes: keyed(applications.filter((a: any) => inPeriod(a.decided_at)), 'status'),
        repairApplicationsOpen: applications.filter((a: any) => a.status === 'APPLIED').length,
      };
    };
    const QUERY = `query($filter: CaseStatisticsFilter) { ${Object.values(DEPARTMENT_OF).map((d) => `${d}: ${d}ObjectionAndRepairStatistics(from: "${FROM_DAY}", to: "${TODAY}", filter: $filter) {
      objectionsFiled { key count } objectionOutcomes { key count } objectionsOpen repairApplications repairOutcomes { key count } repairApplicationsOpen }`).join(' ')} }`;
    for (const filter of [{}, { listType: 'BLACK' }, { listType: 'KEY_ATTENTION', regionCode: '44' }, { regionCode: '110108' }]) {
      const { data, errors } = await withCases.queryAs(null, QUERY, { filter });
      expect(errors).toBeUndefined();
      for (const department of Object.values(DEPARTMENT_OF)) {
        expect(data[department], `${department} ${JSON.stringify(filter)}`).toEqual(expected(withCases.demo.cases!.get(department), filter));
      }
    }
    // The history has every outcome somewhere, so the comparison above compares something.
    const all = [...withCases.demo.cases!.values()];
    const statuses = new Set(all.flatMap((records) => records.objections.map((o) => o.status)));
    expect([...statuses].sort()).toEqual(expect.arrayContaining(['DISMISSED', 'REJECTED', 'UPHELD']));
    expect(new Set(all.flatMap((records) => records.exitApplications.map((a) => a.status)))).toContain('APPROVED');
  });

  it('shows an upheld objection\'s effect: the entry purged whatever its list, none exited by OBJECTION_UPHELD, repairs exited by CREDIT_REPAIR', async () => {
    await withCases.hub.settle();
    const { data } = await withCases.queryAs(null, `{ entryStatistics(from: "2019-01-01", to: "${TODAY}") { exited(by: [EXIT_WAY]) { exitWay count } } }`);
    const entriesNow = [...withCases.demo.entriesByDepartment.values()].flat();
    const exitWays = tally(entriesNow.filter((e) => e.status === 'EXITED'), (e) => e.exit!.way);
    expect(asTally(data.entryStatistics.exited, (cell) => cell.exitWay)).toEqual(exitWays);
    expect(exitWays.CREDIT_REPAIR).toBeGreaterThan(0);
    expect(exitWays.OBJECTION_UPHELD).toBeUndefined();
    const upheld = [...withCases.demo.cases!.values()].flatMap((records) => records.objections.filter((o) => o.status === 'UPHELD'));
    // Mistaken listings of every list are in the demo, and none of them is kept (1798 (20)).
    expect(new Set(upheld.map((o) => o.list_type))).toEqual(new Set(['BLACK', 'RED', 'KEY_ATTENTION']));
    for (const objection of upheld) expect(entriesNow.some((e) => e.id === objection.entry_id)).toBe(false);
  });
});
