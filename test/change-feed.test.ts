/**
 * The change feed for integration partners: every committed change once, in one global
 * order, resumable from a cursor, filtered, and no more than the reader may query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { organisationCode, random } from '../scripts/demo-data.js';
import { changeFeedTable } from '../subgraphs/platform/change-feed.js';
import type { TokenClaims } from '../scripts/token.js';

let now = new Date('2026-11-23T02:00:00.000Z');
const clock = () => now;
const PARTNER: TokenClaims = { role: 'partner', agency: '某商业银行', sub: 'bank-1' };
const RED_PARTNER: TokenClaims = { role: 'partner', agency: '某行业协会', sub: 'assoc-1', scopes: ['read:red'] };
const TAX_OFFICER: TokenClaims = { role: 'officer', department: 'tax', sub: 'tax-1' };
const CHANGES = `query($after: String, $filter: ChangeFilter, $first: Int) { changes(after: $after, filter: $filter, first: $first) {
  edges { cursor node { eventId type domain creditCode listType status exitWay entryId detail } } pageInfo { hasNextPage endCursor } } }`;

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 150, clock });
  await hub.hub.settle();
});
afterAll(() => hub?.stop());

async function readAll(as: TokenClaims, filter?: Record<string, unknown>, after: string | null = null, first = 40) {
  const events: any[] = [];
  let cursor = after;
  for (let page = 0; page < 500; page++) {
    const { data, errors } = await hub.queryAs(as, CHANGES, { after: cursor, filter, first });
    expect(errors).toBeUndefined();
    events.push(...data.changes.edges.map((e: any) => e.node));
    cursor = data.changes.pageInfo.endCursor;
    if (!data.changes.pageInfo.hasNextPage) break;
  }
  return { events, cursor };
}

describe('pull: changes(after, filter, first)', () => {
  it('gives every change once, in order, and resumes from the last cursor with exactly what happened since', async () => {
    const { events, cursor } = await readAll(PARTNER);
    const seeded = [...hub.demo.entriesByDepartment.values()].flat();
    expect(events.filter((e) => e.type === 'ENTRY_RECOGNISED')).toHaveLength(seeded.length);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);

    // New changes: a tax black listing, confirmed, then exited as the standard changed.
    const code = organisationCode(random(6), '440305');
    const recognised = await hub.queryAs(TAX_OFFICER, `mutation { tax { recognise(input: { listKind: MAJOR_TAX_VIOLATION, creditCode: "${code}", subjectName: "某公司", recognisedOn: "2026-11-20",
      facts: "虚开发票", validUntil: "2029-01-01", repair: { repairable: true, method: "补缴税款", rectificationDeadline: "2027-01-01" } }) { id } } }`);
    const id = recognised.data.tax.recognise.id;
    await hub.queryAs(TAX_OFFICER, `mutation { tax { confirm(entryId: "${id}") { id } } }`);
    await hub.queryAs(TAX_OFFICER, `mutation { tax { exitForChangedStandard(input: { entryId: "${id}", standardReference: "税务总局公告2026年第9号", standardEffectiveOn: "2026-11-21", reason: "标准调整" }) { exited { id } } } }`);
    await hub.hub.settle();

    const { events: since } = await readAll(PARTNER, undefined, cursor);
    expect(since.map((e) => [e.type, e.listType, e.status, e.exitWay])).toEqual([
      // The preliminary recognition is not published: partners see the entry from activation.
      ['ENTRY_ACTIVATED', 'BLACK', 'ACTIVE', null],
      ['ENTRY_EXITED', 'BLACK', 'EXITED', 'STANDARD_CHANGED'],
      ['ENTRY_RECOGNISED', 'KEY_ATTENTION', 'ACTIVE', null],
      // The notices they call for (1798 (20) exit notice of a published entry, 1798 (11) the unpublished key attention).
      ['EXIT_NOTICE', 'BLACK', 'EXITED', 'STANDARD_CHANGED'],
      ['UNIT_NOTICE', 'KEY_ATTENTION', 'ACTIVE', null],
    ]);
    const { events: asOfficer } = await readAll(TAX_OFFICER, { domains: ['TAX'] }, cursor);
    expect(asOfficer.map((e) => e.type)).toEqual(['ENTRY_RECOGNISED', 'ENTRY_ACTIVATED', 'ENTRY_EXITED', 'ENTRY_RECOGNISED', 'EXIT_NOTICE', 'UNIT_NOTICE']);
    const { events: nothing } = await readAll(PARTNER, undefined, (await readAll(PARTNER, undefined, cursor)).cursor);
    expect(nothing).toEqual([]);
  });

  it('filters by domain, list type, event type and region', async () => {
    const { events } = await readAll(PARTNER, { domains: ['COURTS'], types: ['ENTRY_RECOGNISED'], regionCode: '11' });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.domain === 'COURTS' && e.type === 'ENTRY_RECOGNISED')).toBe(true);
    const expected = hub.demo.entriesByDepartment.get('courts')!.filter((e) => e.regionCode.startsWith('11'));
    expect(events.map((e) => e.entryId).sort()).toEqual(expected.map((e) => e.id).sort());
  });

  it('filters by the measures an agency applies', async () => {
    const { events } = await readAll(PARTNER, { measureIds: ['measure-38-1'], types: ['ENTRY_RECOGNISED'] });
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.listType))).toEqual(new Set(['BLACK']));
    const expected = [...hub.demo.entriesByDepartment.values()].flat().filter((e) => ['DISHONEST_JUDGMENT_DEBTOR', 'MAJOR_TAX_VIOLATION'].includes(e.listKind));
    expect(events.map((e) => e.entryId).sort()).toEqual(expected.map((e) => e.id).sort());
    const unknown = await hub.queryAs(PARTNER, CHANGES, { filter: { measureIds: ['measure-99-9'] } });
    expect(unknown.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.measureIds' });
  });

  it('gives a partner only what its scopes cover, with personal codes masked; the public gets nothing', async () => {
    const { events } = await readAll(RED_PARTNER);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.listType === 'RED' || e.listType === null)).toBe(true);
    const { events: all } = await readAll(PARTNER, { domains: ['COURTS'] });
    const person = all.find((e) => e.creditCode && !e.creditCode.startsWith('9'));
    expect(person.creditCode).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    const publicRead = await hub.queryAs(null, CHANGES, {});
    expect(publicRead.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('tells a memorandum change', async () => {
    const { cursor } = await readAll(PARTNER);
    await hub.queryAs({ role: 'admin' }, `mutation { withdrawMeasure(measureId: "measure-35-1", effectiveFrom: "2027-01-01") { id } }`);
    await hub.hub.settle(); // the sequencer gives it its position (woken at once by the commit in production)
    const { events } = await readAll(PARTNER, { types: ['MEMORANDUM_CHANGED'] }, cursor);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].detail)).toMatchObject({ measureId: 'measure-35-1', change: 'WITHDRAWN', effectiveFrom: '2027-01-01' });
  });

  it('refuses a malformed cursor, an unknown domain and a cursor older than retention, with stable codes', async () => {
    const malformed = await hub.queryAs(PARTNER, CHANGES, { after: 'not-a-cursor' });
    expect(malformed.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    const unknownDomain = await hub.queryAs(PARTNER, CHANGES, { filter: { domains: ['FISHERIES'] } });
    expect(unknownDomain.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknownDomain.errors![0].message).toContain('FISHERIES');

    const { data } = await hub.queryAs(PARTNER, CHANGES, { first: 1 });
    const oldCursor = data.changes.pageInfo.endCursor;
    const db = hub.hub.subgraphs.get('platform')!.db;
    const removed = await db(changeFeedTable).where('position', '<=', 5).delete();
    expect(removed).toBe(5);
    const expired = await hub.queryAs(PARTNER, CHANGES, { after: oldCursor });
    expect(expired.errors![0].extensions?.code).toBe('CURSOR_EXPIRED');
  });
});
