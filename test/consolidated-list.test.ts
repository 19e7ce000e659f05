/**
 * Consolidated lists (汇总名单) through the gateway: every member against the demo data it
 * was seeded from, in order and page by page, the regional, industry, domain and
 * cross-domain filters, who may read them, natural persons only with a purpose (and
 * registered), and the checks of the arguments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import type { ListEntry } from '../subgraphs/kit/lists/store.js';
import type { TokenClaims } from '../scripts/token.js';
import { departments } from '../subgraphs/departments.js';

const clock = () => new Date('2026-11-01T02:00:00.000Z');
const ADMIN: TokenClaims = { role: 'admin', sub: 'consolidated-admin' };
const AGENCY: TokenClaims = { role: 'agency', agency: '某市发展改革委', sub: 'consolidated-agency' };
const PURPOSE = { purpose: '联合惩戒对象汇总比对', reference: 'HZ-2026-0001' };

let hub: TestHub;
let entries: ListEntry[];
beforeAll(async () => {
  hub = await startTestHub({ subjects: 900, clock });
  await hub.hub.settle(); // the platform collects every department's entries
  entries = [...hub.demo.entriesByDepartment.values()].flat();
});
afterAll(() => hub?.stop());

interface Member {
  creditCode: string;
  domains: string[];
  entries: number;
  listedSince: string;
}

/** The members the demo data implies, in the API's order: most domains first, then by code. */
function expectedMembers(options: { listType?: string; persons?: boolean; keep?: (e: ListEntry) => boolean; minDomains?: number; domain?: string } = {}): Member[] {
  const bySubject = new Map<string, ListEntry[]>();
  for (const e of entries) {
    if (e.listType !== (options.listType ?? 'BLACK') || e.status !== 'ACTIVE') continue;
    if (!options.persons && e.subjectType === 'NATURAL_PERSON') continue;
    if (options.keep && !options.keep(e)) continue;
    bySubject.set(e.creditCode, [...(bySubject.get(e.creditCode) ?? []), e]);
  }
  return [...bySubject]
    .map(([creditCode, own]) => ({
      creditCode,
      domains: [...new Set(own.map((e) => e.domain))].sort(),
      entries: own.length,
      listedSince: own.map((e) => e.recognisedOn).sort()[0],
    }))
    .filter((m) => m.domains.length >= (options.minDomains ?? 1) && (!options.domain || m.domains.includes(options.domain)))
    .sort((a, b) => b.domains.length - a.domains.length || (a.creditCode < b.creditCode ? -1 : 1));
}

const QUERY = `query($filter: ConsolidatedListFilter, $first: Int, $after: String) {
  consolidatedList(filter: $filter, first: $first, after: $after) {
    listType personsIncluded
    edges { cursor node { domains entries listedSince subject { creditCode name } } }
    pageInfo { hasNextPage endCursor } } }`;

/** Every member, page by page. */
async function readAll(filter: Record<string, unknown>, as: TokenClaims = ADMIN, purpose?: typeof PURPOSE, first = 50) {
  const members: (Member & { name: string | null })[] = [];
  let after: string | null = null;
  for (let page = 0; page < 200; page++) {
    const response: any = await hub.queryAs(as, QUERY, { filter, first, after }, purpose);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    const list = response.data.consolidatedList;
    members.push(...list.edges.map(({ node }: any) => ({ creditCode: node.subject.creditCode, name: node.subject.name, domains: node.domains, entries: node.entries, listedSince: node.listedSince })));
    if (!list.pageInfo.hasNextPage) return { members, personsIncluded: list.personsIncluded, listType: list.listType };
    after = list.pageInfo.endCursor;
  }
  throw new Error('more than 200 pages');
}

const withoutNames = (members: (Member & { name: string | null })[]) => members.map(({ name: _name, ...member }) => member);

describe('the consolidated black list', () => {
  it('holds every subject on an active black list, most domains first, page by page, with its subject resolved', async () => {
    const { members, personsIncluded, listType } = await readAll({}, ADMIN, PURPOSE, 7);
    expect(listType).toBe('BLACK');
    expect(personsIncluded).toBe(true);
    const expected = expectedMembers({ persons: true });
    expect(withoutNames(members)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(50);
    expect(expected[0].domains.length).toBeGreaterThanOrEqual(2);
    const registered = new Map(hub.demo.subjects.map((s) => [s.creditCode, s.name]));
    for (const member of members.slice(0, 20)) expect(member.name).toBe(registered.get(member.creditCode));
  });

  it.each([
    ['a region (区域名单)', { regionCode: '44' }, { keep: (e: ListEntry) => e.regionCode.startsWith('44') }],
    ['a district', { regionCode: '110108' }, { keep: (e: ListEntry) => e.regionCode === '110108' }],
    ['several domains (跨领域比对)', { minDomains: 2 }, { minDomains: 2 }],
    ['one domain, its subjects\' other domains counted', { domain: 'COURTS' }, { domain: 'COURTS' }],
    ['key-attention lists', { listType: 'KEY_ATTENTION' }, { listType: 'KEY_ATTENTION' }],
  ] as const)('narrows to %s', async (_what, filter, expectation) => {
    const { members } = await readAll(filter, ADMIN, PURPOSE);
    const expected = expectedMembers({ persons: true, ...expectation });
    expect(withoutNames(members)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('narrows to an industry (行业名单) from the subject registry', async () => {
    const industryOf = new Map(hub.demo.subjects.map((s) => [s.creditCode, s.industry?.code]));
    const { members } = await readAll({ industryCode: 'E' }, ADMIN, PURPOSE);
    const expected = expectedMembers({ keep: (e) => industryOf.get(e.creditCode) === 'E' });
    expect(withoutNames(members)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });
});

describe('who may read it', () => {
  it('leaves natural persons out without a stated purpose, and registers each one read with it', async () => {
    const masked = await readAll({}, AGENCY);
    expect(masked.personsIncluded).toBe(false);
    expect(withoutNames(masked.members)).toEqual(expectedMembers());

    const { members } = await readAll({ minDomains: 1 }, AGENCY, PURPOSE);
    const person = members.find((m) => /^\d{17}[\dX]$/.test(m.creditCode) && !m.creditCode.startsWith('9'));
    expect(person).toBeDefined();
    const register = await hub.query(`query($c: ID!) { accessRegister(filter: { subjectCode: $c }) { edges { node { purpose reference } } } }`, { c: person!.creditCode });
    expect(register.data.accessRegister.edges.map((e: any) => e.node)).toContainEqual(PURPOSE);
  });

  it('answers the list types a token\'s scopes cover, and refuses the public', async () => {
    const redOnly = await hub.queryAs({ ...AGENCY, scopes: ['read:red'] }, QUERY, { filter: {} });
    expect(redOnly.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', argument: 'filter.listType' } });
    expect(redOnly.errors![0].message).toMatch(/scopes do not cover BLACK lists.*RED/);
    const red = await hub.queryAs({ ...AGENCY, scopes: ['read:red'] }, QUERY, { filter: { listType: 'RED' }, first: 5 });
    expect(red.errors).toBeUndefined();
    expect(red.data.consolidatedList.edges.length).toBe(5);
    const publicView = await hub.queryAs(null, QUERY, { filter: {} });
    expect(publicView.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('arguments are checked', () => {
  it.each([
    [{ industryCode: 'CC' }, /not an industry section/, 'filter.industryCode'],
    // The bound is the number of domains: one per department of the catalogue.
    [{ minDomains: 0 }, new RegExp(`1 to ${departments.length} \\(the number of domains\\)`), 'filter.minDomains'],
    [{ minDomains: departments.length + 1 }, new RegExp(`1 to ${departments.length} `), 'filter.minDomains'],
    [{ regionCode: '4403x' }, /not an administrative division code/, 'filter.regionCode'],
  ])('%j', async (filter, message, argument) => {
    const response = await hub.queryAs(ADMIN, QUERY, { filter });
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument } });
    expect(response.errors![0].message).toMatch(message);
  });

  it('refuses a cursor it did not give', async () => {
    const response = await hub.queryAs(ADMIN, QUERY, { filter: {}, after: 'not-a-cursor' });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
