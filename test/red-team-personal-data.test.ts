/**
 * Red team of personal data and list visibility: doors that hand out what the policy
 * (kit/auth/policy.ts) refuses elsewhere, found where the schema walk does not look — an exit
 * from a status its demo data never exits from, a case published for an entry that is not.
 * Each test is named after what leaks and where; a real hub over HTTP (and WebSocket).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { startTestHub, type TestHub } from './env.js';
import { identityNumber, organisationCode, random } from '../scripts/demo-data.js';
import { mintDevelopmentToken, type TokenClaims } from '../scripts/token.js';
import { accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';

let now = new Date('2026-11-23T02:00:00.000Z');
const clock = () => now;
const today = () => now.toISOString().slice(0, 10);
const advanceDays = (days: number) => {
  now = new Date(now.getTime() + days * 86_400_000);
};
const rng = random(20_261_201);
const officer = (department: string): TokenClaims => ({ role: 'officer', department, sub: `rt-officer-${department}` });
const PURPOSE = { purpose: '红队核查', reference: 'RT-1' };
const REPAIR = { repairable: true, method: '整改', rectificationDeadline: '2029-12-01' };
/** Principals that see only ACTIVE entries of other departments (policy: SCOPED_ACTIVE, or an officer elsewhere). */
const OUTSIDERS: [string, TokenClaims][] = [
  ['agency read:black', { role: 'agency', agency: '红队机关', scopes: ['read:black'], sub: 'rt-agency-black' }],
  ['agency (all scopes)', { role: 'agency', agency: '红队机关', sub: 'rt-agency-all' }],
  ['partner', { role: 'partner', agency: '红队银行', sub: 'rt-partner' }],
  ['tax officer', officer('tax')],
];

let hub: TestHub;
/** Entries that were PRELIMINARY (never shown outside courts, never published) when they exited. */
let preliminaryPerson: { id: string; creditCode: string };
let preliminaryOrganisation: { id: string; creditCode: string };

async function recognise(department: string, input: Record<string, unknown>): Promise<{ id: string; status: string; published: boolean }> {
  const r = await hub.queryAs(officer(department), `mutation($input: RecogniseInput!) { ${department} { recognise(input: $input) { id status published } } }`, {
    input: { subjectName: '欧阳红队', facts: '事实', validUntil: '2030-06-01', repair: REPAIR, ...input },
  });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data[department].recognise;
}

async function exitForChangedStandard(department: string, entryId: string) {
  const r = await hub.queryAs(officer(department), `mutation($input: StandardChangeExitInput!) { ${department} { exitForChangedStandard(input: $input) { exited { id status } } } }`, {
    input: { entryId, standardReference: '示例标准〔2026〕9号', standardEffectiveOn: today(), reason: '标准调整' },
  });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
}

beforeAll(async () => {
  hub = await startTestHub({ subjects: 120, clock });
  const person = identityNumber(rng, '110105');
  const organisation = organisationCode(rng, '110105');
  const p = await recognise('courts', { listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: person, notification: { notifiedOn: today(), method: '书面告知' } });
  const o = await recognise('courts', { listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: organisation, subjectName: '红队预备有限公司' });
  expect([p.status, o.status]).toEqual(['PRELIMINARY', 'PRELIMINARY']);
  advanceDays(1);
  await exitForChangedStandard('courts', p.id);
  await exitForChangedStandard('courts', o.id);
  await hub.hub.settle();
  preliminaryPerson = { id: p.id, creditCode: person };
  preliminaryOrganisation = { id: o.id, creditCode: organisation };
}, 120_000);
afterAll(() => hub?.stop());

const nodesOf = (data: any, field: string): any[] => data[field].edges.map((e: any) => e.node);

describe('an exit from PRELIMINARY reveals an entry that was never shown', () => {
  it('exitNotices (the public channel) announces the exit of a PRELIMINARY entry that was never published: the organisation\'s code in clear, the person\'s entry id', async () => {
    // The same public caller is refused the entry itself: it was never public.
    const subject = await hub.queryAs(null, `query($c: ID!) { subject(creditCode: $c) { courts { entries { id } } } }`, { c: preliminaryOrganisation.creditCode });
    expect(subject.data.subject.courts.entries).toEqual([]);
    const r = await hub.queryAs(null, `{ exitNotices(first: 500) { edges { node { entryId creditCode type } } } }`);
    expect(r.errors).toBeUndefined();
    const nodes = nodesOf(r.data, 'exitNotices');
    expect(nodes.filter((n) => n.entryId === preliminaryOrganisation.id || n.creditCode === preliminaryOrganisation.creditCode)).toEqual([]);
    expect(nodes.filter((n) => n.entryId === preliminaryPerson.id)).toEqual([]);
  });

  it.each(OUTSIDERS)('changes shows %s the ENTRY_EXITED and notice of another department\'s PRELIMINARY entry it was never shown', async (_name, claims) => {
    const r = await hub.queryAs(claims, `{ changes(first: 500) { edges { node { entryId type status } } } }`, undefined, PURPOSE);
    expect(r.errors).toBeUndefined();
    const leaked = nodesOf(r.data, 'changes').filter((n) => [preliminaryPerson.id, preliminaryOrganisation.id].includes(n.entryId));
    expect(leaked).toEqual([]);
  });

  it.each(OUTSIDERS.filter(([, c]) => c.role !== 'officer'))('entryChanges shows %s another department\'s PRELIMINARY entry (as EXITED) it was never shown', async (_name, claims) => {
    const r = await hub.queryAs(claims, `{ entryChanges(first: 500) { edges { node { entryId status creditCode } } } }`, undefined, PURPOSE);
    expect(r.errors).toBeUndefined();
    const leaked = nodesOf(r.data, 'entryChanges').filter((n) => [preliminaryPerson.id, preliminaryOrganisation.id].includes(n.entryId));
    expect(leaked).toEqual([]);
  });

  it('subscription changes delivers an agency read:black the exit of another department\'s PRELIMINARY entry it was never shown', async () => {
    const token = await mintDevelopmentToken(OUTSIDERS[0][1]);
    const client = createClient({ url: hub.url.replace('http://', 'ws://'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${token}` } });
    const received = await new Promise<any[]>((resolve) => {
      const events: any[] = [];
      let dispose = () => {};
      const done = () => (clearTimeout(timer), dispose(), resolve(events));
      const timer = setTimeout(done, 2000);
      dispose = client.subscribe({ query: `subscription { changes(filter: { domains: [COURTS] }) { entryId type status } }` }, {
        next: (message) => void events.push((message.data as any).changes),
        error: done,
        complete: done,
      });
    });
    await client.dispose();
    expect(received.length).toBeGreaterThan(0); // the feed reached it at all
    expect(received.filter((n) => [preliminaryPerson.id, preliminaryOrganisation.id].includes(n.entryId))).toEqual([]);
  });
});

describe('a published joint-measure case discloses an unpublished listing', () => {
  it('jointMeasureCases shows the public an organisation\'s code, domain and punishment measure for a case published on an unpublished black entry', async () => {
    const organisation = organisationCode(rng, '110105');
    const entry = await recognise('courts', { listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: organisation, subjectName: '红队未公开有限公司', published: false });
    const confirmed = await hub.queryAs(officer('courts'), `mutation($id: ID!) { courts { confirm(entryId: $id) { status published } } }`, { id: entry.id });
    expect(confirmed.data.courts.confirm).toEqual({ status: 'ACTIVE', published: false });
    await hub.hub.settle();
    const agency: TokenClaims = { role: 'agency', agency: '红队机关', sub: 'rt-agency-case' };
    const screened = await hub.queryAs(agency, `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: AIR_RAIL_TRAVEL, reference: "RT") { id items { verdict measures { measure { id } } } } }`, { c: [organisation] }, PURPOSE);
    expect(screened.data.screen.items[0].verdict).toBe('RESTRICT');
    const recorded = await hub.queryAs(agency, `mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id } }`, {
      input: { screeningId: screened.data.screen.id, creditCode: organisation, measureId: screened.data.screen.items[0].measures[0].measure.id, outcome: 'APPLIED', caseReference: 'RT-CASE', publish: true },
    }, PURPOSE);
    // Publishing may be refused (the entry is not public): that closes the door too.
    if (recorded.errors) return;
    // The public may not see the entry: the list is not published.
    const subject = await hub.queryAs(null, `query($c: ID!) { subject(creditCode: $c) { courts { blackListed entries { id } } } }`, { c: organisation });
    expect(subject.data.subject.courts).toEqual({ blackListed: false, entries: [] });
    const seen: any[] = [];
    for (let after: string | null = null, page = 0; page < 50; page++) {
      const cases: any = await hub.queryAs(null, `query($after: String) { jointMeasureCases(first: 100, after: $after) { edges { node { creditCode domain measureId } } pageInfo { hasNextPage endCursor } } }`, { after });
      expect(cases.errors).toBeUndefined();
      seen.push(...nodesOf(cases.data, 'jointMeasureCases'));
      if (!cases.data.jointMeasureCases.pageInfo.hasNextPage) break;
      after = cases.data.jointMeasureCases.pageInfo.endCursor;
    }
    expect(seen.length).toBeGreaterThan(0); // the public reads published cases at all
    expect(seen.filter((c) => c.creditCode === organisation)).toEqual([]);
  });
});

describe('a joint-measure case is published only on published listings', () => {
  it('recordMeasureFeedback refuses publish: true on an unpublished listing (BAD_USER_INPUT, input.publish), and records the case unpublished', async () => {
    const organisation = organisationCode(rng, '110105');
    const entry = await recognise('courts', { listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: organisation, subjectName: '红队不公开案例有限公司', published: false });
    await hub.queryAs(officer('courts'), `mutation($id: ID!) { courts { confirm(entryId: $id) { status } } }`, { id: entry.id });
    await hub.hub.settle();
    const agency: TokenClaims = { role: 'agency', agency: '红队机关', sub: 'rt-agency-case-2' };
    const screened = await hub.queryAs(agency, `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: AIR_RAIL_TRAVEL, reference: "RT") { id items { measures { measure { id } } } } }`, { c: [organisation] }, PURPOSE);
    const input = { screeningId: screened.data.screen.id, creditCode: organisation, measureId: screened.data.screen.items[0].measures[0].measure.id, outcome: 'APPLIED', caseReference: 'RT-CASE-2' };
    const record = (publish: boolean) => hub.queryAs(agency, `mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id published } }`, { input: { ...input, publish } }, PURPOSE);
    const refused = await record(true);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.publish' });
    expect(refused.errors?.[0]?.message).toMatch(/not published.*publish: false/);
    const recorded = await record(false);
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data.recordMeasureFeedback.published).toBe(false);
    // The agency still reads the case it recorded.
    const own = await hub.queryAs(agency, `{ jointMeasureCases(first: 100) { edges { node { id } } } }`, undefined, PURPOSE);
    expect(own.data.jointMeasureCases.edges.map((e: any) => e.node.id)).toContain(recorded.data.recordMeasureFeedback.id);
  });
});

describe('free text that names the person the masking hides', () => {
  it('creditCommitments shows the public a natural person\'s name and identity number that subjectName and creditCode mask on the same entry', async () => {
    const entry = [...hub.demo.entriesByDepartment.get('courts')!].find((e) => e.subjectType === 'NATURAL_PERSON' && e.status === 'ACTIVE' && e.listKind === 'DISHONEST_JUDGMENT_DEBTOR' && e.published !== false)!;
    expect(entry).toBeDefined();
    // A 信用承诺书 is written by the person, in their name (893 §9): the officer records its text.
    const details = `本人${entry.subjectName}（公民身份号码${entry.creditCode}）承诺依法履行生效法律文书确定的义务`;
    const recorded = await hub.queryAs(officer('courts'), `mutation($input: RepairStepInput!) { courts { recordRepairStep(input: $input) { id } } }`, {
      input: { entryId: entry.id, kind: 'CREDIT_COMMITMENT', details, reference: `承诺书-${entry.subjectName}` },
    });
    expect(recorded.errors, JSON.stringify(recorded.errors)).toBeUndefined();
    const r = await hub.queryAs(null, `query($c: ID!) { subject(creditCode: $c) { courts { entries { id subjectName creditCode creditCommitments { details reference } } } } }`, { c: entry.creditCode });
    expect(r.errors).toBeUndefined();
    const shown = r.data.subject.courts.entries.find((e: any) => e.id === entry.id);
    // The entry masks both for the public…
    expect(shown.subjectName).not.toBe(entry.subjectName);
    expect(shown.creditCode).not.toBe(entry.creditCode);
    // …and its public commitment must not give them back.
    const text = JSON.stringify(shown.creditCommitments);
    expect(shown.creditCommitments.length).toBe(1);
    expect(text).not.toContain(entry.creditCode);
    expect(text).not.toContain(entry.subjectName);
    // An agency with a stated purpose reads it as written, and the read is registered under the person.
    const reader: TokenClaims = { role: 'agency', agency: '红队机关', sub: 'rt-agency-commitment' };
    const read = await hub.queryAs(reader, `query($c: ID!) { subject(creditCode: $c) { courts { entries { id creditCommitments { details } } } } }`, { c: entry.creditCode }, PURPOSE);
    expect(JSON.stringify(read.data)).toContain(entry.creditCode);
    const records = await hub.hub.subgraphs.get('platform')!.db(accessRegisterTable).where({ principal_id: 'rt-agency-commitment', subject_code: entry.creditCode });
    expect(records.length).toBeGreaterThan(0);
  });
});

describe('a mistaken listing stays in the copies of those who were told of it', () => {
  it('changes never tells agencies and partners, who were shown a black entry ACTIVE, that it was purged as a mistaken listing (1798 (22))', async () => {
    const readers = OUTSIDERS.filter(([, c]) => c.role !== 'officer');
    const entry = [...hub.demo.entriesByDepartment.get('courts')!].filter((e) => e.subjectType === 'NATURAL_PERSON' && e.status === 'ACTIVE' && e.listKind === 'DISHONEST_JUDGMENT_DEBTOR').at(-1)!;
    const read = (claims: TokenClaims, after: string | null) =>
      hub.queryAs(claims, `query($c: ID, $after: String) { changes(first: 500, after: $after, filter: { creditCode: $c }) { edges { node { entryId type status } } pageInfo { endCursor } } }`, { c: entry.creditCode, after });
    const cursors = new Map<string, string>();
    for (const [name, claims] of readers) {
      const before = await read(claims, null);
      expect(before.errors).toBeUndefined();
      // Each was shown the entry active: it applies its measures.
      expect(nodesOf(before.data, 'changes').filter((n) => n.entryId === entry.id).map((n) => n.status), name).toContain('ACTIVE');
      cursors.set(name, before.data.changes.pageInfo.endCursor);
    }
    const as = officer('courts');
    const filed = await hub.queryAs(as, `mutation($input: FileObjectionInput!) { courts { fileObjection(input: $input) { id } } }`, { input: { entryId: entry.id, kind: 'SUBJECT_APPEAL', grounds: '认定有误', evidenceRefs: ['EV-1'] } });
    const objectionId = filed.data.courts.fileObjection.id;
    await hub.queryAs(as, `mutation($id: ID!) { courts { acceptObjection(objectionId: $id, accept: true, reason: "受理") { id } } }`, { id: objectionId });
    const decided = await hub.queryAs(as, `mutation($input: DecideObjectionInput!) { courts { decideObjection(input: $input) { purged } } }`, {
      input: { objectionId, upheld: true, finding: '认定有误', correction: '删除错误记录', apology: '书面致歉' },
    });
    expect(decided.data.courts.decideObjection.purged).toBe(true);
    await hub.hub.settle();
    const told: Record<string, string[]> = {};
    for (const [name, claims] of readers) {
      const after = await read(claims, cursors.get(name)!);
      expect(after.errors).toBeUndefined();
      told[name] = nodesOf(after.data, 'changes').filter((n) => n.entryId === entry.id).map((n) => n.type);
    }
    expect(told).toEqual(Object.fromEntries(readers.map(([name]) => [name, ['ENTRY_PURGED']])));
  });
});

describe('an officer scoped narrower than the default, in another department', () => {
  const narrow: TokenClaims = { role: 'officer', department: 'tax', scopes: ['read:red'], sub: 'rt-officer-tax-red' };
  const blackOrganisation = () => [...hub.demo.entriesByDepartment.get('courts')!].find((e) => e.subjectType === 'ORGANISATION' && e.status === 'ACTIVE' && e.listKind === 'DISHONEST_JUDGMENT_DEBTOR')!;

  it('DepartmentRecord.blackListed answers an officer scoped read:red for another department\'s black list, whose entries it hides', async () => {
    const black = blackOrganisation();
    const entries = await hub.queryAs(narrow, `query($c: ID!) { subject(creditCode: $c) { courts { entries { id } } } }`, { c: black.creditCode });
    expect(entries.data.subject.courts.entries).toEqual([]); // other departments: as an agency with its scopes
    const asked = await hub.queryAs(narrow, `query($c: ID!) { subject(creditCode: $c) { courts { blackListed } } }`, { c: black.creditCode });
    expect(asked.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Its own department's flags stay open to it.
    const own = await hub.queryAs(narrow, `query($c: ID!) { subject(creditCode: $c) { tax { blackListed } } }`, { c: black.creditCode });
    expect(own.errors).toBeUndefined();
  });

  it('recognise (RED_LIST_BLOCKED) tells an officer scoped read:red which other departments black-list a subject', async () => {
    const black = blackOrganisation();
    const refused = await hub.queryAs(narrow, `mutation($input: RecogniseInput!) { tax { recognise(input: $input) { id } } }`, {
      input: { listKind: 'A_GRADE_TAXPAYER', creditCode: black.creditCode, subjectName: '红队纳税人', facts: 'A级', validUntil: '2027-12-31', publicityDays: 5, repair: { repairable: false } },
    });
    const error = refused.errors?.[0];
    // Refused it must be (1798 (8)); but not with what the officer's scopes do not cover.
    expect(error?.extensions?.code).toBe('RED_LIST_BLOCKED');
    expect(error?.message).not.toMatch(/courts|black list/i);
    expect(error?.extensions?.blackListedIn ?? []).toEqual([]);
  });

  it('recognise (RED_LIST_BLOCKED) names the black list to an officer elsewhere whose scopes cover it', async () => {
    const black = blackOrganisation();
    const refused = await hub.queryAs(officer('tax'), `mutation($input: RecogniseInput!) { tax { recognise(input: $input) { id } } }`, {
      input: { listKind: 'A_GRADE_TAXPAYER', creditCode: black.creditCode, subjectName: '红队纳税人', facts: 'A级', validUntil: '2027-12-31', publicityDays: 5, repair: { repairable: false } },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('RED_LIST_BLOCKED');
    expect(refused.errors?.[0]?.message).toMatch(/black list of COURTS/);
    expect(refused.errors?.[0]?.extensions?.blackListedIn).toContain('COURTS');
  });
});
