/**
 * The list lifecycle, rule by rule (1798 (7)(8)(17)(18)(19)(20), 893 §2), through the
 * gateway as the departments' officers use it. Rules that span departments run on change
 * events: `hub.hub.settle()` lets every consumer catch up, as the interval workers would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { identityNumber, organisationCode, random } from '../scripts/demo-data.js';
import { startSubgraph } from '../subgraphs/kit/server.js';
import { subgraph as taxSubgraph } from '../subgraphs/tax/index.js';
import { historyTable } from '../subgraphs/kit/lists/tables.js';
import { outboxTable } from '../subgraphs/kit/outbox.js';
import { consumerOffsetsTable } from '../subgraphs/kit/lists/tables.js';
import type { TokenClaims } from '../scripts/token.js';
import { workingDaysBetween } from '../subgraphs/kit/working-days.js';

let now = new Date('2026-11-23T02:00:00.000Z');
const clock = () => now;
const advanceDays = (days: number) => {
  now = new Date(now.getTime() + days * 86_400_000);
};

const officer = (department: string): TokenClaims => ({ role: 'officer', department, sub: `officer-of-${department}` });
const rng = random(20261123);
const newOrganisation = () => organisationCode(rng, '440305');
const newPerson = () => identityNumber(rng, '110105');

const ENTRY = `id status listType listKind validUntil publicityUntil exit { way reason } repair { repairable method rectificationDeadline } history { action fromStatus toStatus actor reason }`;
const REPAIR = { repairable: true, method: '整改并作出信用承诺，参加信用修复培训', rectificationDeadline: '2029-12-01' };

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 200, clock });
});
afterAll(() => hub?.stop());

async function act(department: string, action: string, args: string, variables: Record<string, unknown>, selection = ENTRY, as = officer(department)) {
  const response = await hub.queryAs(as, `mutation($input: ${args}) { ${department} { ${action}(input: $input) { ${selection} } } }`, variables);
  return { data: response.data?.[department]?.[action], errors: response.errors };
}

const recognise = (department: string, input: Record<string, unknown>, as?: TokenClaims) =>
  act(department, 'recognise', 'RecogniseInput!', { input: { subjectName: '示例主体有限公司', facts: '事实', validUntil: '2029-06-01', repair: REPAIR, ...input } }, ENTRY, as);
const EXIT_RESULT = `exited { ${ENTRY} } keyAttention { ${ENTRY} }`;
/** Exit because the standard changed: a standard in force from tomorrow, after the entry's recognition; then it is tomorrow. */
async function exitForChangedStandard(department: string, input: Record<string, unknown>) {
  advanceDays(1);
  const standardEffectiveOn = now.toISOString().slice(0, 10);
  return act(department, 'exitForChangedStandard', 'StandardChangeExitInput!', {
    input: { standardReference: '示例标准〔2026〕1号', standardEffectiveOn, reason: '标准调整', ...input },
  }, EXIT_RESULT);
}
const exitForIncentiveAbuse = (department: string, input: Record<string, unknown>) =>
  act(department, 'exitForIncentiveAbuse', 'IncentiveAbuseExitInput!', { input: { evidenceRef: 'EV-abuse-1', ...input } }, EXIT_RESULT);

async function confirm(department: string, entryId: string) {
  const response = await hub.queryAs(officer(department), `mutation($id: ID!) { ${department} { confirm(entryId: $id) { ${ENTRY} } } }`, { id: entryId });
  return { data: response.data?.[department]?.confirm, errors: response.errors };
}

/** Recognised and confirmed at once (no publicity). */
async function listActive(department: string, listKind: string, creditCode: string, extra: Record<string, unknown> = {}) {
  const recognised = await recognise(department, { listKind, creditCode, ...extra });
  expect(recognised.errors, JSON.stringify(recognised.errors)).toBeUndefined();
  const confirmed = await confirm(department, recognised.data.id);
  expect(confirmed.errors).toBeUndefined();
  return confirmed.data;
}

/** Red entries go through publicity (1798 (8)): recognise, let the period pass, confirm. */
async function listRed(department: string, listKind: string, creditCode: string) {
  const recognised = await recognise(department, { listKind, creditCode, publicityDays: 7, repair: { repairable: false } });
  expect(recognised.errors).toBeUndefined();
  advanceDays(8);
  const confirmed = await confirm(department, recognised.data.id);
  expect(confirmed.errors).toBeUndefined();
  return confirmed.data;
}

async function entriesOf(code: string) {
  const { data } = await hub.query(`query($c: ID!) { subject(creditCode: $c) {
    warningList { onList domains }
    tax { entries { ${ENTRY} } } market { entries { ${ENTRY} } } courts { entries { ${ENTRY} } } safety { entries { ${ENTRY} } } } }`, { c: code });
  return data.subject;
}

describe('recognition (认定): preliminary → optional publicity → final', () => {
  it('records a preliminary entry, then the final one, with its history and repair terms', async () => {
    const code = newOrganisation();
    const recognised = await recognise('tax', { listKind: 'MAJOR_TAX_VIOLATION', creditCode: code });
    expect(recognised.errors).toBeUndefined();
    expect(recognised.data).toMatchObject({ status: 'PRELIMINARY', listType: 'BLACK', repair: REPAIR });
    const confirmed = await confirm('tax', recognised.data.id);
    expect(confirmed.data.status).toBe('ACTIVE');
    expect(confirmed.data.history.map((h: any) => [h.action, h.fromStatus, h.toStatus])).toEqual([
      ['RECOGNISE', null, 'PRELIMINARY'],
      ['CONFIRM', 'PRELIMINARY', 'ACTIVE'],
    ]);
    expect(confirmed.data.history[0].actor).toBe('officer:officer-of-tax@tax');
  });

  it('notifies a natural person before listing (事前告知), and records when and how', async () => {
    const person = newPerson();
    const refused = await recognise('courts', { listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: person });
    expect(refused.errors![0].extensions?.code).toBe('NOTIFICATION_REQUIRED');
    const listed = await recognise('courts', {
      listKind: 'DISHONEST_JUDGMENT_DEBTOR',
      creditCode: person,
      notification: { notifiedOn: '2026-11-20', method: '书面告知书（直接送达）' },
    });
    expect(listed.errors).toBeUndefined();
    const row = await hub.hub.subgraphs.get('courts')!.db('courts_entries').where({ id: listed.data.id }).first();
    expect(row).toMatchObject({ notified_on: '2026-11-20', notification_method: '书面告知书（直接送达）' });
  });

  it('keeps a red entry in publicity until its period ends', async () => {
    const code = newOrganisation();
    const recognised = await recognise('tax', { listKind: 'A_GRADE_TAXPAYER', creditCode: code, publicityDays: 7, repair: { repairable: false } });
    expect(recognised.data.status).toBe('PUBLICITY');
    const early = await confirm('tax', recognised.data.id);
    expect(early.errors![0].extensions?.code).toBe('PUBLICITY_NOT_OVER');
    advanceDays(8);
    expect((await confirm('tax', recognised.data.id)).data.status).toBe('ACTIVE');
  });

  it.each([
    ['a validity in the past', { listKind: 'MAJOR_TAX_VIOLATION', validUntil: '2020-01-01' }, 'BAD_USER_INPUT', /validUntil/],
    ['a red list without publicity', { listKind: 'A_GRADE_TAXPAYER', repair: { repairable: false } }, 'BAD_USER_INPUT', /publicity/],
    ['a repairable entry without a repair method', { listKind: 'MAJOR_TAX_VIOLATION', repair: { repairable: true } }, 'BAD_USER_INPUT', /repair/],
    ['a list the department does not keep', { listKind: 'DISHONEST_JUDGMENT_DEBTOR' }, 'BAD_USER_INPUT', /keeps no/],
    ['an invalid credit code', { listKind: 'MAJOR_TAX_VIOLATION', creditCode: '91440300708461136X' }, 'BAD_USER_INPUT', /check character/],
  ])('refuses %s with a typed error and writes nothing', async (_name, input, code, message) => {
    const db = hub.hub.subgraphs.get('tax')!.db;
    const before = await db('tax_entries').count({ n: '*' });
    const { data, errors } = await recognise('tax', { creditCode: newOrganisation(), ...input });
    expect(data ?? null).toBeNull();
    expect(errors![0].extensions?.code).toBe(code);
    expect(errors![0].message).toMatch(message);
    expect(await db('tax_entries').count({ n: '*' })).toEqual(before);
  });

  it('lets only the department\'s own officers change its lists (谁认定、谁负责)', async () => {
    const code = newOrganisation();
    for (const as of [officer('courts'), { role: 'agency', agency: '某审批局' } as TokenClaims]) {
      const { errors } = await recognise('tax', { listKind: 'MAJOR_TAX_VIOLATION', creditCode: code }, as);
      expect(errors![0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await hub.hub.subgraphs.get('tax')!.db('tax_entries').where({ credit_code: code }).first()).toBeUndefined();
  });
});

describe('cross-department consistency (1798 (7)(8)(19))', () => {
  it('black-listing anywhere exits the subject from every department\'s red lists', async () => {
    const code = newOrganisation();
    const taxRed = await listRed('tax', 'A_GRADE_TAXPAYER', code);
    const safetyRed = await listRed('safety', 'WORK_SAFETY_RED', code);
    await listActive('courts', 'DISHONEST_JUDGMENT_DEBTOR', code);
    await hub.hub.settle();
    const subject = await entriesOf(code);
    for (const [record, red] of [[subject.tax, taxRed], [subject.safety, safetyRed]]) {
      const entry = record.entries.find((e: any) => e.id === red.id);
      expect(entry.status).toBe('EXITED');
      expect(entry.exit.way).toBe('LISTED_FOR_DISHONESTY');
      expect(entry.exit.reason).toContain('COURTS');
      expect(entry.history.at(-1).actor).toBe('rule:1798(7)');
    }
  });

  it('refuses a red-list recognition while the subject is black-listed in any department, and writes nothing', async () => {
    const code = newOrganisation();
    await listActive('market', 'SERIOUS_ILLEGAL_DISHONEST_ENTERPRISE', code);
    await hub.hub.settle();
    const { data, errors } = await recognise('tax', { listKind: 'A_GRADE_TAXPAYER', creditCode: code, publicityDays: 7, repair: { repairable: false } });
    expect(data ?? null).toBeNull();
    expect(errors![0].extensions).toMatchObject({ code: 'RED_LIST_BLOCKED', blackListedIn: ['MARKET_SUPERVISION'] });
    expect(await hub.hub.subgraphs.get('tax')!.db('tax_entries').where({ credit_code: code }).first()).toBeUndefined();
  });

  it('a key-attention listing exits red entries too (1798 (19))', async () => {
    const code = newOrganisation();
    const red = await listRed('safety', 'WORK_SAFETY_RED', code);
    await listActive('market', 'ABNORMAL_OPERATIONS', code);
    await hub.hub.settle();
    const entry = (await entriesOf(code)).safety.entries.find((e: any) => e.id === red.id);
    expect(entry).toMatchObject({ status: 'EXITED', exit: { way: 'LISTED_FOR_DISHONESTY' } });
    expect(entry.history.at(-1).actor).toBe('rule:1798(19)');
  });

  it('applies nothing twice when a consumer starts again from the beginning (crash before its position was saved)', async () => {
    const code = newOrganisation();
    await listRed('tax', 'A_GRADE_TAXPAYER', code);
    await listActive('courts', 'DISHONEST_JUDGMENT_DEBTOR', code);
    await hub.hub.settle();
    const tax = hub.hub.subgraphs.get('tax')!.db;
    const countRows = async () => ({
      history: Number((await tax(historyTable('tax')).count({ n: '*' }))[0].n),
      outbox: Number((await tax(outboxTable('tax')).count({ n: '*' }))[0].n),
    });
    const before = await countRows();
    await tax(consumerOffsetsTable('tax')).update({ last_seq: 0 });
    await hub.hub.settle();
    expect(await countRows()).toEqual(before);
  });
});

describe('key attention → black (1798 (17))', () => {
  it('escalates on serious dishonesty within validity: a black recognition that takes the key-attention entry off when confirmed', async () => {
    const code = newOrganisation();
    const keyAttention = await listActive('safety', 'WORK_SAFETY_KEY_ATTENTION', code);
    const response = await hub.queryAs(
      officer('safety'),
      `mutation($input: EscalateInput!) { safety { escalateToBlackList(input: $input) { black { ${ENTRY} } keyAttention { ${ENTRY} } } } }`,
      { input: { entryId: keyAttention.id, blackListKind: 'WORK_SAFETY_BLACK', facts: '重点关注期内再次发生较大事故', validUntil: '2028-06-01', repair: REPAIR } },
    );
    expect(response.errors).toBeUndefined();
    const { black, keyAttention: still } = response.data.safety.escalateToBlackList;
    expect(black).toMatchObject({ status: 'PRELIMINARY', listType: 'BLACK', listKind: 'WORK_SAFETY_BLACK', repair: REPAIR });
    expect(still).toMatchObject({ status: 'ACTIVE' });
    expect((await confirm('safety', black.id)).data.status).toBe('ACTIVE');
    const exited = (await entriesOf(code)).safety.entries.find((e: any) => e.id === keyAttention.id);
    expect(exited).toMatchObject({ status: 'EXITED', exit: { way: 'ESCALATED_TO_BLACK_LIST' } });
  });
});

describe('black-list exits, four ways (1798 (18)), and the key-attention list after them', () => {
  it('STANDARD_CHANGED: exits and puts the subject on key attention at once, with the validity set', async () => {
    const code = newOrganisation();
    const black = await listActive('market', 'SERIOUS_ILLEGAL_DISHONEST_ENTERPRISE', code);
    const { data, errors } = await exitForChangedStandard('market', { entryId: black.id, keyAttentionValidUntil: '2027-12-31' });
    expect(errors).toBeUndefined();
    expect(data.exited).toMatchObject({ status: 'EXITED', exit: { way: 'STANDARD_CHANGED' } });
    expect(data.exited.history.at(-1)).toMatchObject({ action: 'EXIT_STANDARD_CHANGED' });
    expect(data.keyAttention).toMatchObject({ status: 'ACTIVE', listType: 'KEY_ATTENTION', listKind: 'ABNORMAL_OPERATIONS', validUntil: '2027-12-31' });
  });

  it('VALIDITY_EXPIRED: the scheduler exits due entries, once, even with two replicas racing', async () => {
    const codes = [newOrganisation(), newOrganisation(), newOrganisation()];
    const listed = [];
    for (const code of codes) listed.push(await listActive('tax', 'MAJOR_TAX_VIOLATION', code, { validUntil: '2027-01-10' }));
    const tax = hub.hub.subgraphs.get('tax')!;
    const secondReplica = await startSubgraph(taxSubgraph, { databaseUrl: hub.database.urlFor('tax'), clock });
    secondReplica.startWorkers({}, 'manual');
    try {
      advanceDays(60); // past 2027-01-10
      await Promise.all([tax.runWorker('expiry'), secondReplica.runWorker('expiry'), tax.runWorker('expiry')]);
    } finally {
      await secondReplica.stop();
    }
    for (const entry of listed) {
      const exits = await tax.db(historyTable('tax')).where({ entry_id: entry.id, action: 'EXIT_VALIDITY_EXPIRED' });
      expect(exits).toHaveLength(1);
      const events = await tax.db(outboxTable('tax')).where({ entry_id: entry.id, event_type: 'ENTRY_EXITED' });
      expect(events).toHaveLength(1);
      const followers = await tax.db('tax_entries').where({ follows_entry_id: entry.id, list_type: 'KEY_ATTENTION' });
      expect(followers).toHaveLength(1);
    }
  });

  it('refuses to exit an exited entry, or by a way the list does not allow, changing nothing', async () => {
    const code = newOrganisation();
    const black = await listActive('tax', 'MAJOR_TAX_VIOLATION', code);
    expect((await exitForChangedStandard('tax', { entryId: black.id })).errors).toBeUndefined();
    const again = await exitForChangedStandard('tax', { entryId: black.id });
    expect(again.errors![0].extensions?.code).toBe('INVALID_TRANSITION');
    const wrongWay = await exitForIncentiveAbuse('tax', { entryId: (await listActive('tax', 'MAJOR_TAX_VIOLATION', newOrganisation())).id, reason: '—' });
    expect(wrongWay.errors![0].extensions).toMatchObject({ code: 'EXIT_GROUNDS_MISSING', way: 'INCENTIVE_ABUSE' });
    const unknown = await exitForChangedStandard('tax', { entryId: '00000000-0000-4000-a000-000000000000' });
    expect(unknown.errors![0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('red-list exits (1798 (19))', () => {
  it('INCENTIVE_ABUSE, with its evidence', async () => {
    const red = await listRed('safety', 'WORK_SAFETY_RED', newOrganisation());
    const { data, errors } = await exitForIncentiveAbuse('safety', { entryId: red.id, reason: '不当利用激励措施' });
    expect(errors).toBeUndefined();
    expect(data.exited.exit.way).toBe('INCENTIVE_ABUSE');
    expect(data.keyAttention).toBeNull();
  });

  it('STANDARD_CHANGED', async () => {
    const red = await listRed('safety', 'WORK_SAFETY_RED', newOrganisation());
    const { data } = await exitForChangedStandard('safety', { entryId: red.id });
    expect(data.exited.exit.way).toBe('STANDARD_CHANGED');
    expect(data.keyAttention).toBeNull();
  });
});

describe('the big-data warning list (1798 (17))', () => {
  it('takes a subject on key-attention lists in 3 domains, and lets it go below 3', async () => {
    const code = newOrganisation();
    await listActive('tax', 'TAX_KEY_ATTENTION', code);
    await listActive('market', 'ABNORMAL_OPERATIONS', code);
    await hub.hub.settle();
    expect((await entriesOf(code)).warningList.onList).toBe(false);
    const third = await listActive('safety', 'WORK_SAFETY_KEY_ATTENTION', code);
    await hub.hub.settle();
    const on = (await entriesOf(code)).warningList;
    expect(on).toEqual({ onList: true, domains: ['MARKET_SUPERVISION', 'TAX', 'WORK_SAFETY'] });
    const list = await hub.queryAs(null, `{ warningList(first: 100) { edges { node { subject { creditCode name } domains } } } }`);
    expect(list.data.warningList.edges.map((e: any) => e.node.subject.creditCode)).toContain(code);

    expect((await exitForChangedStandard('safety', { entryId: third.id })).errors).toBeUndefined();
    await hub.hub.settle();
    expect((await entriesOf(code)).warningList.onList).toBe(false);
  });
});

describe('retention (1798 (20))', () => {
  it('keeps exited entries queryable with their history, counting for nothing', async () => {
    const code = newOrganisation();
    const black = await listActive('courts', 'DISHONEST_JUDGMENT_DEBTOR', code);
    expect((await exitForChangedStandard('courts', { entryId: black.id })).errors).toBeUndefined();
    const { data } = await hub.query(`query($c: ID!) { subject(creditCode: $c) { courts { blackListed keyAttention entries(statuses: [EXITED]) { id history { action } } } } }`, { c: code });
    expect(data.subject.courts.blackListed).toBe(false);
    expect(data.subject.courts.keyAttention).toBe(true);
    expect(data.subject.courts.entries[0].history.map((h: any) => h.action)).toEqual(['RECOGNISE', 'CONFIRM', 'EXIT_STANDARD_CHANGED']);
  });
});

describe('legal representative linkage (失信单位负责人责任追溯, 893 §8)', () => {
  it('shows an organisation\'s black entry on its legal representative, marked as linked, without listing the person', async () => {
    const representative = newPerson();
    const organisation = newOrganisation();
    const black = await listActive('tax', 'MAJOR_TAX_VIOLATION', organisation, {
      legalRepresentative: { name: '王某某', idDocumentType: 'RESIDENT_IDENTITY_CARD', idDocumentNumber: representative },
    });
    const { data } = await hub.query(`query($c: ID!) { subject(creditCode: $c) { tax { blackListed entries { id creditCode linkedAs } } } }`, { c: representative });
    expect(data.subject.tax.entries).toEqual([{ id: black.id, creditCode: organisation, linkedAs: 'LEGAL_REPRESENTATIVE' }]);
    expect(data.subject.tax.blackListed).toBe(false);
    const own = await hub.query(`query($c: ID!) { subject(creditCode: $c) { tax { blackListed entries { id linkedAs } } } }`, { c: organisation });
    expect(own.data.subject.tax).toEqual({ blackListed: true, entries: [{ id: black.id, linkedAs: null }] });
  });

  it('refuses a legal representative whose identity card number is not valid', async () => {
    const { errors } = await recognise('tax', {
      listKind: 'MAJOR_TAX_VIOLATION', creditCode: newOrganisation(),
      legalRepresentative: { name: '王某某', idDocumentType: 'RESIDENT_IDENTITY_CARD', idDocumentNumber: '110105194912310021' },
    });
    expect(errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'input.legalRepresentative.idDocumentNumber' } });
  });
});

describe('sharing deadline (1798 (10))', () => {
  it('flags entries that reached the platform more than 10 working days after recognition', async () => {
    await hub.hub.settle();
    const late = hub.demo.entriesByDepartment
      .get('courts')!
      .filter((e) => workingDaysBetween(e.recognisedOn, e.sharedAt!.slice(0, 10), { holidays: new Set(), workedWeekendDays: new Set() }) > 10);
    expect(late.length).toBeGreaterThan(0);
    const { data, errors } = await hub.queryAs({ role: 'auditor' }, `{ lateSharedEntries(domain: COURTS, first: 100) { edges { node { entryId creditCode workingDays recognisedOn } } } }`);
    expect(errors).toBeUndefined();
    const nodes = data.lateSharedEntries.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.entryId).sort()).toEqual(late.map((e) => e.id).sort());
    expect(nodes.every((n: any) => n.workingDays > 10)).toBe(true);
    // An auditor reads the register of delays, not identity numbers.
    for (const entry of late.filter((e) => e.subjectType === 'NATURAL_PERSON')) {
      expect(nodes.find((n: any) => n.entryId === entry.id).creditCode).toContain('*');
    }
    const refused = await hub.queryAs({ role: 'agency', agency: '某局' }, `{ lateSharedEntries { edges { node { entryId } } } }`);
    expect(refused.errors![0].extensions?.code).toBe('FORBIDDEN');
  });

  it('counts working days, skipping weekends and the configured holidays, counting worked weekend days', () => {
    const calendar = { holidays: new Set(['2026-10-01', '2026-10-02', '2026-10-05']), workedWeekendDays: new Set(['2026-10-10']) };
    // Tue 2026-09-29 → Mon 2026-10-12: Sep 30, Oct 6–9, the worked Saturday Oct 10, Oct 12.
    expect(workingDaysBetween('2026-09-29', '2026-10-12', calendar)).toBe(7);
    expect(workingDaysBetween('2026-10-12', '2026-10-12', calendar)).toBe(0);
  });
});
