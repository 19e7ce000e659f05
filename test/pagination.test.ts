/**
 * Rule: every department's entries can be listed page by page (keyset pagination), newest
 * recognition first, filtered by list, status, region and date; a wrong argument is
 * refused with BAD_USER_INPUT and a message that says how to fix it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { departments } from '../subgraphs/catalog.js';
import type { EntryFilter, ListEntry } from '../subgraphs/kit/lists/store.js';

const departmentNames = departments.map((department) => department.name);

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 600 });
});
afterAll(() => hub?.stop());

const entriesQuery = (department: string) => departments.find((d) => d.name === department)!.entriesQuery;

const PAGE = (field: string) => /* GraphQL */ `
  query Page($filter: EntryFilter, $first: Int, $after: String) {
    page: ${field}(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id recognisedOn listType listKind status regionCode creditCode } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
`;

/** Newest recognition first, ties by id, descending. */
const newestFirst = (a: ListEntry, b: ListEntry) =>
  a.recognisedOn !== b.recognisedOn ? (a.recognisedOn < b.recognisedOn ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

/** What the hub should answer, from the demo data it was seeded with. */
function expected(department: string, keep: (entry: ListEntry) => boolean = () => true): string[] {
  return hub.demo.entriesByDepartment.get(department)!.filter(keep).sort(newestFirst).map((e) => e.id);
}

/** Follows endCursor to the last page; returns every id seen, in order, and what each page said. */
async function walk(department: string, filter: EntryFilter | undefined, first: number) {
  const ids: string[] = [];
  const pages: { size: number; hasNextPage: boolean; totalCount: number }[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 500; guard++) {
    const { data, errors }: { data?: any; errors?: unknown } = await hub.query(PAGE(entriesQuery(department)), { filter, first, after });
    expect(errors, JSON.stringify(errors)).toBeUndefined();
    const page: any = data.page;
    ids.push(...page.edges.map((e: any) => e.node.id));
    pages.push({ size: page.edges.length, hasNextPage: page.pageInfo.hasNextPage, totalCount: page.totalCount });
    if (page.edges.length) expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
    if (!page.pageInfo.hasNextPage) return { ids, pages };
    after = page.pageInfo.endCursor;
  }
  throw new Error('more than 500 pages: the walk does not end');
}

describe('walking every page of a department', () => {
  for (const department of departmentNames) {
    it(`${entriesQuery(department)}: pages of 7 give every entry exactly once, newest recognised first`, async () => {
      const want = expected(department);
      expect(want.length).toBeGreaterThan(14); // several pages
      const { ids, pages } = await walk(department, undefined, 7);
      expect(new Set(ids).size).toBe(ids.length); // no entry twice
      expect(ids).toEqual(want); // every entry, in order
      expect(pages.slice(0, -1).every((p) => p.size === 7 && p.hasNextPage)).toBe(true);
      expect(pages.at(-1)!.size).toBe(want.length % 7 || 7);
      expect(pages.every((p) => p.totalCount === want.length)).toBe(true);
    });
  }

  it('orders entries recognised on the same day by id, descending, across page boundaries', async () => {
    // A day with several entries: walk it one entry per page, so every tie is a page boundary.
    const byDay = new Map<string, ListEntry[]>();
    for (const department of ['market', 'safety']) {
      for (const entry of hub.demo.entriesByDepartment.get(department)!) {
        const key = `${department} ${entry.recognisedOn}`;
        byDay.set(key, [...(byDay.get(key) ?? []), entry]);
      }
    }
    const ties = [...byDay].filter(([, entries]) => entries.length > 1);
    expect(ties.length).toBeGreaterThan(0);
    for (const [key, entries] of ties) {
      const [department, day] = key.split(' ');
      const { ids } = await walk(department, { recognisedFrom: day, recognisedTo: day }, 1);
      expect(ids).toEqual(entries.map((e) => e.id).sort().reverse());
    }
  });

  it('answers an empty connection after the last entry', async () => {
    let { data } = await hub.query(PAGE('courtsEntries'), { first: 100 });
    while (data.page.pageInfo.hasNextPage) data = (await hub.query(PAGE('courtsEntries'), { first: 100, after: data.page.pageInfo.endCursor })).data;
    const last = data.page.edges.at(-1).cursor;
    const after = await hub.query(PAGE('courtsEntries'), { first: 5, after: last });
    expect(after.errors).toBeUndefined();
    expect(after.data.page).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: data.page.totalCount });
  });

  it('gives 20 entries when first is not given', async () => {
    const { data } = await hub.query(`{ safetyEntries { edges { node { id } } pageInfo { hasNextPage } } }`);
    expect(data.safetyEntries.edges.map((e: any) => e.node.id)).toEqual(expected('safety').slice(0, 20));
    expect(data.safetyEntries.pageInfo.hasNextPage).toBe(true);
  });
});

describe('filters narrow the list, and totalCount counts what they match', () => {
  const cases: { name: string; department: string; filter: EntryFilter; keep: (e: ListEntry) => boolean }[] = [
    { name: 'listTypes BLACK', department: 'safety', filter: { listTypes: ['BLACK'] }, keep: (e) => e.listType === 'BLACK' },
    { name: 'listTypes RED + KEY_ATTENTION', department: 'safety', filter: { listTypes: ['RED', 'KEY_ATTENTION'] }, keep: (e) => e.listType !== 'BLACK' },
    { name: 'listKinds', department: 'tax', filter: { listKinds: ['A_GRADE_TAXPAYER'] }, keep: (e) => e.listKind === 'A_GRADE_TAXPAYER' },
    { name: 'statuses EXITED', department: 'market', filter: { statuses: ['EXITED'] }, keep: (e) => e.status === 'EXITED' },
    { name: 'statuses ACTIVE', department: 'courts', filter: { statuses: ['ACTIVE'] }, keep: (e) => e.status === 'ACTIVE' },
    { name: 'regionCode "44" (province)', department: 'safety', filter: { regionCode: '44' }, keep: (e) => e.regionCode.startsWith('44') },
    { name: 'regionCode "4403" (city)', department: 'safety', filter: { regionCode: '4403' }, keep: (e) => e.regionCode.startsWith('4403') },
    { name: 'regionCode "440305" (district)', department: 'market', filter: { regionCode: '440305' }, keep: (e) => e.regionCode === '440305' },
    { name: 'recognisedFrom', department: 'tax', filter: { recognisedFrom: '2024-06-01' }, keep: (e) => e.recognisedOn >= '2024-06-01' },
    { name: 'recognisedTo', department: 'tax', filter: { recognisedTo: '2023-12-31' }, keep: (e) => e.recognisedOn <= '2023-12-31' },
    {
      name: 'recognisedFrom + recognisedTo + listTypes + statuses',
      department: 'safety',
      filter: { recognisedFrom: '2022-01-01', recognisedTo: '2025-06-30', listTypes: ['BLACK', 'KEY_ATTENTION'], statuses: ['EXITED'] },
      keep: (e) => e.recognisedOn >= '2022-01-01' && e.recognisedOn <= '2025-06-30' && e.listType !== 'RED' && e.status === 'EXITED',
    },
  ];

  for (const { name, department, filter, keep } of cases) {
    it(`${entriesQuery(department)} ${name}`, async () => {
      const want = expected(department, keep);
      const all = expected(department);
      // The filter matches something, and not everything: it really narrows.
      expect(want.length).toBeGreaterThan(0);
      expect(want.length).toBeLessThan(all.length);
      const { ids, pages } = await walk(department, filter, 7);
      expect(ids).toEqual(want);
      expect(pages[0].totalCount).toBe(want.length);
    });
  }

  it('regionCode prefixes nest: province ⊇ city ⊇ district', async () => {
    const counts = [];
    for (const regionCode of ['44', '4403', '440305']) {
      const { data } = await hub.query(PAGE('safetyEntries'), { filter: { regionCode }, first: 1 });
      counts.push(data.page.totalCount);
    }
    expect(counts).toEqual(['44', '4403', '440305'].map((prefix) => expected('safety', (e) => e.regionCode.startsWith(prefix)).length));
    expect(counts[0]).toBeGreaterThan(counts[1]);
    expect(counts[1]).toBeGreaterThan(counts[2]);
    expect(counts[2]).toBeGreaterThan(0);
  });

  it('creditCode gives the entries of one subject, normalised', async () => {
    const entries = hub.demo.entriesByDepartment.get('market')!;
    const code = entries.find((e) => entries.filter((o) => o.creditCode === e.creditCode).length > 1)?.creditCode ?? entries[0].creditCode;
    const want = expected('market', (e) => e.creditCode === code);
    const { ids, pages } = await walk('market', { creditCode: code.toLowerCase() }, 7);
    expect(ids).toEqual(want);
    expect(pages[0].totalCount).toBe(want.length);
    // A valid code nobody listed: nothing, and no error.
    const none = await walk('market', { creditCode: '914403001922038216' }, 7);
    expect(none.ids).toEqual([]);
    expect(none.pages[0].totalCount).toBe(0);
  });
});

describe('wrong arguments are refused with BAD_USER_INPUT and a helpful message', () => {
  async function refusal(department: string, variables: Record<string, unknown>) {
    const response = await hub.query(PAGE(entriesQuery(department)), variables);
    expect(response.status).toBeLessThan(500);
    expect(response.data?.page ?? null).toBeNull();
    expect(response.errors, 'an error').toHaveLength(1);
    const [error] = response.errors!;
    expect(error.extensions?.code, error.message).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(response.errors)).not.toMatch(/stacktrace|serviceName|at .*\.ts:\d+/);
    return error;
  }

  it('a malformed cursor', async () => {
    const error = await refusal('tax', { first: 7, after: 'garbage' });
    expect(error.message).toContain('"garbage" is not a cursor of this list');
    expect(error.message).toContain('endCursor');
  });

  it('a cursor that decodes but is not a position', async () => {
    const notAPosition = Buffer.from(JSON.stringify({ id: 1 })).toString('base64url');
    const error = await refusal('tax', { first: 7, after: notAPosition });
    expect(error.message).toContain('is not a cursor of this list');
  });

  it('a cursor of another list, or of the right list with a value of the wrong kind', async () => {
    const taxPage = await hub.query(PAGE(entriesQuery('tax')), { first: 1 });
    const taxCursor = taxPage.data.page.pageInfo.endCursor;
    const [kind, recognisedOn, id] = JSON.parse(Buffer.from(taxCursor, 'base64url').toString());
    expect(kind).toBe(entriesQuery('tax'));
    // Another department's entries, the warning list and the access register each name their cursors.
    expect((await refusal('market', { first: 7, after: taxCursor })).message).toContain('is not a cursor of this list');
    const forged = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    expect((await refusal('tax', { first: 7, after: forged([kind, 20260101, id]) })).message).toContain('is not a cursor of this list');
    expect((await refusal('tax', { first: 7, after: forged(['warning', recognisedOn, id]) })).message).toContain('is not a cursor of this list');
    const warning = await hub.query(`query($after: String) { warningList(first: 5, after: $after) { edges { cursor } } }`, { after: taxCursor });
    expect(warning.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const register = await hub.query(`query($after: String) { accessRegister(first: 5, after: $after) { edges { cursor } } }`, { after: taxCursor });
    expect(register.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('first: 0 and first: 101', async () => {
    expect((await refusal('market', { first: 0 })).message).toBe('"first" must be between 1 and 100, got 0');
    expect((await refusal('market', { first: 101 })).message).toBe('"first" must be between 1 and 100, got 101');
    expect((await refusal('market', { first: -5 })).message).toContain('between 1 and 100');
  });

  it('a regionCode that is not digits', async () => {
    for (const regionCode of ['ABC', '4', '4403051']) {
      const error = await refusal('courts', { filter: { regionCode }, first: 7 });
      expect(error.message).toContain(`"${regionCode}" is not an administrative division code`);
      expect(error.message).toContain('2 to 6 digits');
    }
  });

  it('recognisedFrom after recognisedTo', async () => {
    const error = await refusal('safety', { filter: { recognisedFrom: '2025-01-02', recognisedTo: '2025-01-01' }, first: 7 });
    expect(error.message).toContain('recognisedFrom (2025-01-02) is after recognisedTo (2025-01-01)');
  });

  it('a date that is not a calendar date, in a variable', async () => {
    for (const date of ['2024-13-01', '2024-02-30', '01/03/2024']) {
      const error = await refusal('safety', { filter: { recognisedFrom: date }, first: 7 });
      expect(error.message).toContain(`"${date}" is not a date`);
      expect(error.message).toContain('YYYY-MM-DD');
    }
  });

  it('a date that is not a calendar date, written in the query', async () => {
    const response = await hub.query(`{ safetyEntries(filter: { recognisedTo: "2024-13-01" }, first: 7) { totalCount } }`);
    expect(response.errors?.[0].extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    expect(response.errors?.[0].message).toContain('"2024-13-01" is not a date');
  });

  it('a date that is not a calendar date is at least refused, naming no internals', async () => {
    const response = await hub.query(PAGE('safetyEntries'), { filter: { recognisedFrom: '2024-13-01' }, first: 7 });
    expect(response.data?.page ?? null).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(JSON.stringify(response.errors)).not.toMatch(/stacktrace|serviceName|localhost|127\.0\.0\.1|at .*\.ts:\d+/);
  });

  it('an invalid creditCode in the filter', async () => {
    const error = await refusal('courts', { filter: { creditCode: '91440300708461136X' }, first: 7 });
    expect(error.message).toContain('"91440300708461136X" is not a valid credit code');
    expect(error.message).toContain('check character should be "T"');
  });
});
