/**
 * The list rules cannot be walked around: each exit way stands on its grounds, key
 * attention counts against red lists, escalation is a black recognition, a mistaken
 * listing is erased everywhere the hub copied it, and confirmation keeps to validity.
 * One test per rule, named after it; the exit ways are enumerated against every
 * precondition, through the gateway where an officer can reach them and on the engine
 * where only the hub itself calls them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnv, startTestHub, type TestHub } from './env.js';
import { generateDemoData } from '../scripts/demo-data.js';
import { errorOf, listActions, officer, REPAIR, testClock } from './list-actions.js';
import { generateDemoCases } from '../scripts/demo-cases.js';
import { departments } from '../subgraphs/catalog.js';
import type { TokenClaims } from '../scripts/token.js';
import { ListLifecycle, type ExitGrounds } from '../subgraphs/kit/lists/lifecycle.js';
import { ListStore } from '../subgraphs/kit/lists/store.js';
import { department as taxDepartment } from '../subgraphs/tax/department.js';
import { defineDepartment } from '../subgraphs/kit/lists/department.js';
import { entriesTable, historyTable } from '../subgraphs/kit/lists/tables.js';

const time = testClock();
const { clock, today, advanceDays } = time;
const ADMIN: TokenClaims = { role: 'admin', sub: 'platform-admin-1' };
const ENTRY = 'id status listType listKind validUntil creditCode exit { way reason } history { action actor evidenceRef }';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 60, clock });
});
afterAll(() => hub?.stop());

const { newOrganisation, newPerson, act, recognise, confirm, listActive, listRed, entry } = listActions({ hub: () => hub, clock: time, seed: 14_1798, entry: ENTRY });
const EXIT = `exited { ${ENTRY} } keyAttention { ${ENTRY} }`;
const standardExit = (department: string, input: Record<string, unknown>, as?: TokenClaims) =>
  act(department, 'exitForChangedStandard', '$input: StandardChangeExitInput!', { input: { standardReference: '示例标准〔2026〕1号', standardEffectiveOn: today(), reason: '标准调整', ...input } }, EXIT, as);
const expiryExit = (department: string, input: Record<string, unknown>) => act(department, 'exitOnExpiry', '$input: ExpiryExitInput!', { input }, EXIT);

/** The tax department's engine, as only the hub's own paths call it. */
const taxEngine = () => {
  const db = hub.hub.subgraphs.get('tax')!.db;
  return new ListLifecycle(db, taxDepartment, new ListStore(db, taxDepartment), clock);
};

describe('1798 (18)(19), 893 §9–§11: each exit way stands on its grounds', () => {
  it('offers no free exit: DepartmentActions has no `exit(way:)`, only one action per way an officer may take', async () => {
    const { data } = await hub.queryAs(ADMIN, `{ __type(name: "DepartmentActions") { fields { name } } }`);
    const names = data.__type.fields.map((f: any) => f.name);
    expect(names).not.toContain('exit');
    expect(names).toEqual(expect.arrayContaining(['exitOnExpiry', 'exitForChangedStandard', 'exitForIncentiveAbuse', 'decideObjection', 'decideEarlyExit', 'escalateToBlackList']));
  });

  it('VALIDITY_EXPIRED: refused before and on validUntil, accepted the day after, followed by key attention', async () => {
    const black = await listActive('tax', 'MAJOR_TAX_VIOLATION', newOrganisation(), { validUntil: '2026-12-10' });
    for (const day of ['2026-12-09', '2026-12-10']) {
      time.set(`${day}T02:00:00.000Z`);
      expect(errorOf(await expiryExit('tax', { entryId: black.id }))).toMatchObject({ code: 'EXIT_GROUNDS_MISSING', way: 'VALIDITY_EXPIRED', missingGround: 'validity ended' });
    }
    time.set('2026-12-11T02:00:00.000Z');
    const exited = await expiryExit('tax', { entryId: black.id });
    expect(exited.errors).toBeUndefined();
    expect(exited.data.exited).toMatchObject({ status: 'EXITED', exit: { way: 'VALIDITY_EXPIRED' } });
    expect(exited.data.keyAttention).toMatchObject({ status: 'ACTIVE', listType: 'KEY_ATTENTION' });
  });

  // Every department, every kind of subject its black lists take: after an exit each lands on the key-attention list (1798 (18)).
  it.each(departments.flatMap((d) => d.lists.filter((l) => l.type === 'BLACK').flatMap((l) => l.subjectTypes.map((type) => [d.name, l.kind, type] as const))))(
    'VALIDITY_EXPIRED: a %s %s entry of a %s goes to key attention after its exit',
    async (department, kind, subjectType) => {
      const person = subjectType === 'NATURAL_PERSON';
      const notice = person ? { notification: { notifiedOn: today(), method: '书面告知书' } } : {};
      const black = await listActive(department, kind, person ? newPerson() : newOrganisation(), { validUntil: addDaysIso(today(), 9), ...notice });
      advanceDays(10);
      const exited = await expiryExit(department, { entryId: black.id });
      expect(exited.errors).toBeUndefined();
      const target = departments.find((d) => d.name === department)!.keyAttentionAfterBlackExit.kind;
      expect(exited.data.keyAttention).toMatchObject({ status: 'ACTIVE', listKind: target, creditCode: black.creditCode });
    },
  );

  it('a department whose key-attention list would not take the subjects leaving its black list is refused at definition', () => {
    const safety = departments.find((d) => d.name === 'safety')!;
    const lists = safety.lists.map((l) => (l.type === 'KEY_ATTENTION' ? { ...l, subjectTypes: ['ORGANISATION' as const] } : l));
    expect(() => defineDepartment({ ...safety, lists })).toThrow(/WORK_SAFETY_BLACK takes NATURAL_PERSON but WORK_SAFETY_KEY_ATTENTION/);
  });

  it.each([
    ['no standard reference', { standardReference: ' ' }, 'standard reference'],
    ['an effective date in the future', { standardEffectiveOn: '2099-01-01' }, 'standard in force'],
    ['a standard in force before the entry was recognised', { standardEffectiveOn: '2020-01-01' }, 'standard changed after recognition'],
  ])('STANDARD_CHANGED: refused with %s, changing nothing', async (_name, input, missingGround) => {
    const black = await listActive('tax', 'MAJOR_TAX_VIOLATION');
    advanceDays(1);
    const refused = await standardExit('tax', { entryId: black.id, ...input });
    expect(errorOf(refused)).toMatchObject({ code: 'EXIT_GROUNDS_MISSING', way: 'STANDARD_CHANGED', missingGround });
    expect((await entry('tax', black.id)).status).toBe('ACTIVE');
  });

  it('STANDARD_CHANGED: accepted with the reference and effective date, written on the history', async () => {
    const black = await listActive('tax', 'MAJOR_TAX_VIOLATION');
    advanceDays(1);
    const { data, errors } = await standardExit('tax', { entryId: black.id, standardReference: '税务总局公告2026年第9号' });
    expect(errors).toBeUndefined();
    expect(data.exited.history.at(-1)).toMatchObject({ action: 'EXIT_STANDARD_CHANGED', evidenceRef: `standard:税务总局公告2026年第9号@${today()}` });
  });

  it('INCENTIVE_ABUSE: red only, with evidence', async () => {
    const red = await listRed('safety', 'WORK_SAFETY_RED');
    const noEvidence = await act('safety', 'exitForIncentiveAbuse', '$input: IncentiveAbuseExitInput!', { input: { entryId: red.id, reason: '骗取奖励', evidenceRef: ' ' } }, EXIT);
    expect(errorOf(noEvidence)).toMatchObject({ code: 'EXIT_GROUNDS_MISSING', missingGround: 'evidence of the abuse' });
    const black = await listActive('safety', 'WORK_SAFETY_BLACK');
    const onBlack = await act('safety', 'exitForIncentiveAbuse', '$input: IncentiveAbuseExitInput!', { input: { entryId: black.id, reason: '—', evidenceRef: 'EV' } }, EXIT);
    expect(errorOf(onBlack)).toMatchObject({ code: 'EXIT_GROUNDS_MISSING', way: 'INCENTIVE_ABUSE' });
  });

  /** Every way × every ground it needs, on the engine: what the hub's own paths (repair, objections, events, confirm) hand it. */
  it.each<[string, string, (ids: Record<string, string>) => ExitGrounds, string]>([
    ['CREDIT_REPAIR', 'no application', () => ({ way: 'CREDIT_REPAIR', applicationId: 'none' }), 'approved early-exit application'],
    ['CREDIT_REPAIR', 'an application not yet approved', (ids) => ({ way: 'CREDIT_REPAIR', applicationId: ids.applied }), 'approved early-exit application'],
    ['CREDIT_REPAIR', 'an approved application of another entry', (ids) => ({ way: 'CREDIT_REPAIR', applicationId: ids.otherApproved }), 'approved early-exit application'],
    ['CREDIT_REPAIR', 'an entry listed as not repairable', () => ({ way: 'CREDIT_REPAIR', applicationId: 'none' }), 'repairable entry'],
    ['OBJECTION_UPHELD', 'no objection', () => ({ way: 'OBJECTION_UPHELD', objectionId: 'none' }), 'upheld objection'],
    ['OBJECTION_UPHELD', 'an objection only filed', (ids) => ({ way: 'OBJECTION_UPHELD', objectionId: ids.filed }), 'upheld objection'],
    ['ESCALATED_TO_BLACK_LIST', 'no black entry in effect', () => ({ way: 'ESCALATED_TO_BLACK_LIST', blackEntryId: 'none' }), 'a BLACK exit way'],
    ['LISTED_FOR_DISHONESTY', 'on a black entry', () => ({ way: 'LISTED_FOR_DISHONESTY', listedEntryId: 'none' }), 'a BLACK exit way'],
    ['VALIDITY_EXPIRED', 'validity not ended (expiry worker)', () => ({ way: 'VALIDITY_EXPIRED', by: 'EXPIRY_WORKER' }), 'validity ended'],
  ])('%s: refused with %s', async (way, precondition, grounds, missingGround) => {
    const engine = taxEngine();
    const repairable = precondition !== 'an entry listed as not repairable';
    const black = await listActive('tax', 'MAJOR_TAX_VIOLATION', newOrganisation(), { repair: repairable ? REPAIR : { repairable: false } });
    const other = await listActive('tax', 'MAJOR_TAX_VIOLATION');
    const db = hub.hub.subgraphs.get('tax')!.db;
    const ids = { applied: `app-${black.id}`.slice(0, 36), otherApproved: `ok-${other.id}`.slice(0, 36), filed: `obj-${black.id}`.slice(0, 36) };
    await db('tax_exit_applications').insert([
      { id: ids.applied, entry_id: black.id, status: 'APPLIED', applied_at: clock().toISOString() },
      { id: ids.otherApproved, entry_id: other.id, status: 'APPROVED', applied_at: clock().toISOString() },
    ]);
    await db('tax_objections').insert({
      id: ids.filed, entry_id: black.id, credit_code: black.creditCode, kind: 'SUBJECT_APPEAL', filed_by: 't', grounds: 'g', evidence_refs: '[]', status: 'FILED', filed_at: clock().toISOString(),
    });
    const refused = await engine.exit('officer:x@tax', { entryId: black.id, grounds: grounds(ids), reason: '—' }).then(() => null, (error) => error.extensions);
    expect(refused).toMatchObject({ code: repairable ? 'EXIT_GROUNDS_MISSING' : 'REPAIR_NOT_ALLOWED', missingGround });
    expect(way).toBe(grounds(ids).way);
    expect((await entry('tax', black.id)).status).toBe('ACTIVE');
    // Nothing of the refusal reached the history.
    expect((await db(historyTable('tax')).where({ entry_id: black.id })).map((h: any) => h.action)).toEqual(['RECOGNISE', 'CONFIRM']);
  });

  it('CREDIT_REPAIR: an approved early-exit application on a repairable entry exits it (893 §11 credit report for key attention too)', async () => {
    const keyAttention = await listActive('market', 'ABNORMAL_OPERATIONS');
    const step = (kind: string, extra: Record<string, unknown> = {}) =>
      act('market', 'recordRepairStep', '$input: RepairStepInput!', { input: { entryId: keyAttention.id, kind, details: '已完成', ...extra } }, 'id');
    for (const [kind, extra] of [['RECTIFICATION', {}], ['CREDIT_COMMITMENT', {}], ['TRAINING', { classHours: 3 }]] as const) await step(kind, extra);
    const withoutReport = await act('market', 'applyForEarlyExit', '$entryId: ID!', { entryId: keyAttention.id }, 'id');
    expect(errorOf(withoutReport)).toMatchObject({ code: 'REPAIR_INCOMPLETE', missing: ['CREDIT_REPORT'] });
    await step('CREDIT_REPORT', { issuer: '华信信用评估有限公司', reference: 'CR-1' });
    const application = await act('market', 'applyForEarlyExit', '$entryId: ID!', { entryId: keyAttention.id }, 'id');
    const decided = await act('market', 'decideEarlyExit', '$input: EarlyExitDecisionInput!', { input: { applicationId: application.data.id, approve: true, reason: '同意' } }, `exit { ${EXIT} }`);
    expect(decided.errors).toBeUndefined();
    expect(decided.data.exit.exited).toMatchObject({ status: 'EXITED', exit: { way: 'CREDIT_REPAIR' } });
    expect(decided.data.exit.exited.history.at(-1).evidenceRef).toBe(`exit-application:${application.data.id}`);
  });

  it('谁认定、谁负责: administrators read but do not write a department\'s lists unless the deployment grants it, then act for the department', async () => {
    const code = newOrganisation();
    const denied = await recognise('tax', { listKind: 'MAJOR_TAX_VIOLATION', creditCode: code }, ADMIN);
    expect(errorOf(denied)).toMatchObject({ code: 'FORBIDDEN' });
    expect(denied.errors![0].message).toMatch(/CREDITHUB_ADMIN_WRITES/);
    const black = await listActive('tax', 'MAJOR_TAX_VIOLATION', code);
    advanceDays(1);
    expect(errorOf(await standardExit('tax', { entryId: black.id }, ADMIN))).toMatchObject({ code: 'FORBIDDEN' });
    const read = await hub.queryAs(ADMIN, `query($c: ID!) { subject(creditCode: $c) { tax { blackListed entries { id history { action } } } } }`, { c: code });
    expect(read.data.subject.tax.blackListed).toBe(true);

    setEnv({ CREDITHUB_ADMIN_WRITES: 'true' });
    try {
      const granted = await standardExit('tax', { entryId: black.id }, ADMIN);
      expect(granted.errors).toBeUndefined();
      expect(granted.data.exited.history.at(-1).actor).toBe('admin:platform-admin-1 acting for tax');
    } finally {
      setEnv({ CREDITHUB_ADMIN_WRITES: undefined });
    }
  });
});

describe('893 §11: credit reports from qualified agencies, for black and key-attention exits', () => {
  it('893 §11: leaving key attention needs a credit report, whose issuer is on the register, still qualified when the exit is decided', async () => {
    const keyAttention = await listActive('tax', 'TAX_KEY_ATTENTION');
    const step = (kind: string, extra: Record<string, unknown> = {}) =>
      act('tax', 'recordRepairStep', '$input: RepairStepInput!', { input: { entryId: keyAttention.id, kind, details: '已完成', ...extra } }, 'id issuer');
    for (const [kind, extra] of [['RECTIFICATION', {}], ['CREDIT_COMMITMENT', {}], ['TRAINING', { classHours: 3 }]] as const) await step(kind, extra);
    const unknownIssuer = await step('CREDIT_REPORT', { issuer: '随便写的公司' });
    expect(errorOf(unknownIssuer)).toMatchObject({ code: 'ISSUER_NOT_QUALIFIED', argument: 'input.issuer' });
    setEnv({ CREDITHUB_CREDIT_AGENCIES: JSON.stringify([{ name: '临时资质信用服务有限公司', qualifiedUntil: addDaysIso(today(), 2) }]) });
    try {
      expect((await step('CREDIT_REPORT', { issuer: '临时资质信用服务有限公司' })).data.issuer).toBe('临时资质信用服务有限公司');
      const application = await act('tax', 'applyForEarlyExit', '$entryId: ID!', { entryId: keyAttention.id }, 'id');
      expect(application.errors).toBeUndefined();
      advanceDays(3);
      const decided = await act('tax', 'decideEarlyExit', '$input: EarlyExitDecisionInput!', { input: { applicationId: application.data.id, approve: true, reason: '同意' } }, 'application { status }');
      expect(errorOf(decided)).toMatchObject({ code: 'ISSUER_NOT_QUALIFIED' });
      expect((await entry('tax', keyAttention.id)).status).toBe('ACTIVE');
    } finally {
      setEnv({ CREDITHUB_CREDIT_AGENCIES: undefined });
    }
  });
});

describe('1798 (19): key attention counts against red lists', () => {
  it('1798 (19): key attention exits red, and a red recognition or confirmation is refused while key attention is active anywhere', async () => {
    const code = newOrganisation();
    const red = await listRed('tax', 'A_GRADE_TAXPAYER', code);
    const keyAttention = await listActive('market', 'ABNORMAL_OPERATIONS', code);
    await hub.hub.settle();
    const exited = await entry('tax', red.id);
    expect(exited).toMatchObject({ status: 'EXITED', exit_way: 'LISTED_FOR_DISHONESTY' });

    const refused = await recognise('safety', { listKind: 'WORK_SAFETY_RED', creditCode: code, publicityDays: 5, repair: { repairable: false } });
    expect(errorOf(refused)).toMatchObject({ code: 'RED_LIST_BLOCKED', keyAttentionIn: ['MARKET_SUPERVISION'], blackListedIn: [] });

    // Recognised before a key-attention listing; confirmed after it, before any event has run: refused.
    const other = newOrganisation();
    const pending = await recognise('safety', { listKind: 'WORK_SAFETY_RED', creditCode: other, publicityDays: 5, repair: { repairable: false } });
    await listActive('safety', 'WORK_SAFETY_KEY_ATTENTION', other);
    advanceDays(6);
    expect(errorOf(await confirm('safety', pending.data.id))).toMatchObject({ code: 'RED_LIST_BLOCKED', keyAttentionIn: ['WORK_SAFETY'] });
    // Once the event has run, the pending red entry is off as well (1798 (19)).
    await hub.hub.settle();
    expect(await entry('safety', pending.data.id)).toMatchObject({ status: 'EXITED', exit_way: 'LISTED_FOR_DISHONESTY' });
    expect(keyAttention.status).toBe('ACTIVE');
  });
});

describe('1798 (8): confirmation keeps to validity', () => {
  it('1798 (8)(18): an entry is not confirmed after its validity ended, and a publicity may not outlast validity', async () => {
    const tooLong = await recognise('tax', { listKind: 'A_GRADE_TAXPAYER', creditCode: newOrganisation(), publicityDays: 30, validUntil: addDaysIso(today(), 10), repair: { repairable: false } });
    expect(errorOf(tooLong)).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.publicityDays' });
    const black = await recognise('tax', { listKind: 'MAJOR_TAX_VIOLATION', creditCode: newOrganisation(), validUntil: addDaysIso(today(), 3) });
    advanceDays(5);
    expect(errorOf(await confirm('tax', black.data.id))).toMatchObject({ code: 'VALIDITY_ENDED' });
    expect((await entry('tax', black.data.id)).status).toBe('PRELIMINARY');
    // And it never reaches key attention through expiry.
    await hub.hub.subgraphs.get('tax')!.runWorker('expiry');
    expect(await hub.hub.subgraphs.get('tax')!.db(entriesTable('tax')).where({ follows_entry_id: black.data.id })).toEqual([]);
  });
});

describe('1798 (7)(17): escalation is a black recognition', () => {
  const escalate = (input: Record<string, unknown>) =>
    act('courts', 'escalateToBlackList', '$input: EscalateInput!', { input: { blackListKind: 'DISHONEST_JUDGMENT_DEBTOR', facts: '有履行能力而拒不履行', validUntil: '2030-01-01', repair: REPAIR, ...input } }, `black { ${ENTRY} publicityUntil repair { repairable method } } keyAttention { ${ENTRY} }`);
  const NOTICE = { notifiedOn: '2026-11-20', method: '书面告知书' };

  it('1798 (7)(17): escalating a natural person needs a fresh notice, may have publicity, states fresh repair terms, and is refused outside validity', async () => {
    const person = newPerson();
    const keyAttention = await listActive('courts', 'JUDGMENT_DEBTOR_KEY_ATTENTION', person, { notification: NOTICE, validUntil: addDaysIso(today(), 40) });
    const noNotice = await escalate({ entryId: keyAttention.id });
    expect(errorOf(noNotice)).toMatchObject({ code: 'NOTIFICATION_REQUIRED' });
    const escalated = await escalate({ entryId: keyAttention.id, notification: { notifiedOn: today(), method: '转入黑名单告知书' }, publicityDays: 7, repair: { repairable: false } });
    expect(escalated.errors).toBeUndefined();
    expect(escalated.data.black).toMatchObject({ status: 'PUBLICITY', listType: 'BLACK', repair: { repairable: false, method: null } });
    expect(escalated.data.keyAttention.status).toBe('ACTIVE');
    expect(errorOf(await confirm('courts', escalated.data.black.id))).toMatchObject({ code: 'PUBLICITY_NOT_OVER' });
    advanceDays(8);
    expect((await confirm('courts', escalated.data.black.id)).errors).toBeUndefined();
    const exited = await entry('courts', keyAttention.id);
    expect(exited).toMatchObject({ status: 'EXITED', exit_way: 'ESCALATED_TO_BLACK_LIST' });

    const lapsed = await listActive('courts', 'JUDGMENT_DEBTOR_KEY_ATTENTION', newOrganisation(), { validUntil: addDaysIso(today(), 2) });
    advanceDays(3);
    expect(errorOf(await escalate({ entryId: lapsed.id }))).toMatchObject({ code: 'VALIDITY_ENDED' });
  });
});

describe('1798 (20)(22)(23): a mistaken listing is erased everywhere', () => {
  const decide = async (department: string, entryId: string, extra: Record<string, unknown> = {}) => {
    const filed = await act(department, 'fileObjection', '$input: FileObjectionInput!', { input: { entryId, kind: 'SUBJECT_APPEAL', grounds: '认定有误', evidenceRefs: ['EV-1'] } }, 'id');
    expect(filed.errors, JSON.stringify(filed.errors)).toBeUndefined();
    await act(department, 'acceptObjection', '$objectionId: ID!, $accept: Boolean!, $reason: String!', { objectionId: filed.data.id, accept: true, reason: '受理' }, 'id');
    return act(department, 'decideObjection', '$input: DecideObjectionInput!', {
      input: { objectionId: filed.data.id, upheld: true, finding: '认定有误', correction: '删除错误记录', apology: '书面致歉', ...extra },
    }, 'purged entry { id }');
  };

  it('1798 (20): an exited mistaken listing can be objected to, and its follow-on key attention goes with it', async () => {
    const code = newOrganisation();
    const black = await listActive('tax', 'MAJOR_TAX_VIOLATION', code);
    advanceDays(1);
    const { data: exit } = await standardExit('tax', { entryId: black.id });
    expect(exit.keyAttention.status).toBe('ACTIVE');
    const decided = await decide('tax', black.id);
    expect(decided.errors).toBeUndefined();
    expect(decided.data.purged).toBe(true);
    expect(await entry('tax', black.id)).toBeNull();
    expect(await entry('tax', exit.keyAttention.id)).toBeNull();
  });

  it('1798 (20): the red entries a mistaken listing removed are restored, in every department', async () => {
    const code = newOrganisation();
    const red = await listRed('safety', 'WORK_SAFETY_RED', code);
    const inPublicity = await recognise('tax', { listKind: 'A_GRADE_TAXPAYER', creditCode: code, publicityDays: 5, repair: { repairable: false } });
    const black = await listActive('courts', 'DISHONEST_JUDGMENT_DEBTOR', code);
    await hub.hub.settle();
    expect((await entry('safety', red.id)).status).toBe('EXITED');
    expect((await entry('tax', inPublicity.data.id)).status).toBe('EXITED');
    expect((await decide('courts', black.id)).data.purged).toBe(true);
    await hub.hub.settle();
    const restored = await entry('safety', red.id);
    expect(restored).toMatchObject({ status: 'ACTIVE', exit_way: null });
    // Back where it was: still to be confirmed after its publicity.
    expect(await entry('tax', inPublicity.data.id)).toMatchObject({ status: 'PUBLICITY', exit_way: null });
    const history = await hub.hub.subgraphs.get('safety')!.db(historyTable('safety')).where({ entry_id: red.id }).orderBy('id');
    expect(history.at(-1)).toMatchObject({ action: 'RESTORE_AFTER_CORRECTION', actor: 'rule:1798(20)' });
  });

  it('1798 (20): a red entry the subject would still be kept off is flagged for the department, not restored', async () => {
    const code = newOrganisation();
    const red = await listRed('safety', 'WORK_SAFETY_RED', code);
    const black = await listActive('courts', 'DISHONEST_JUDGMENT_DEBTOR', code);
    await hub.hub.settle();
    await listActive('market', 'ABNORMAL_OPERATIONS', code);
    expect((await decide('courts', black.id)).data.purged).toBe(true);
    await hub.hub.settle();
    await hub.hub.settle();
    expect((await entry('safety', red.id)).status).toBe('EXITED');
    const flags = await hub.hub.subgraphs.get('safety')!.db('safety_subject_file').where({ credit_code: code, kind: 'RESTORATION_DUE' });
    expect(flags.map((f: any) => f.entry_id)).toEqual([red.id]);
  });

  it('1798 (22)(23): the platform keeps no facts of a purged listing: change feed, cases and screenings are marked corrected', async () => {
    const code = newOrganisation();
    const black = await listActive('courts', 'DISHONEST_JUDGMENT_DEBTOR', code);
    await hub.hub.settle();
    const AGENCY: TokenClaims = { role: 'agency', agency: '某市财政局政府采购监管处', sub: 'agency-1', region: '32' };
    const screened = await hub.queryAs(AGENCY, `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: GOVERNMENT_PROCUREMENT, reference: "ZB-1") { id items { verdict measures { measure { id } triggeredBy } } } }`, { c: [code] }, { purpose: '政府采购供应商资格审查', reference: 'ZB-1' });
    expect(screened.errors, JSON.stringify(screened.errors)).toBeUndefined();
    expect(screened.data.screen.items[0].verdict).toBe('RESTRICT');
    const measureId = screened.data.screen.items[0].measures[0].measure.id;
    const feedback = await hub.queryAs(AGENCY, `mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id } }`, {
      input: { screeningId: screened.data.screen.id, creditCode: code, measureId, outcome: 'APPLIED', caseReference: 'AJ-1', publish: true },
    }, { purpose: '政府采购供应商资格审查', reference: 'ZB-1' });
    expect(feedback.errors, JSON.stringify(feedback.errors)).toBeUndefined();

    expect((await decide('courts', black.id)).data.purged).toBe(true);
    await hub.hub.settle();
    const platform = hub.hub.subgraphs.get('platform')!.db;
    const feedRows = await platform('platform_change_feed').where({ entry_id: black.id });
    expect(feedRows.length).toBeGreaterThan(1);
    for (const row of feedRows.filter((r: any) => r.type !== 'ENTRY_PURGED')) {
      expect(row).toMatchObject({ status: 'CORRECTED', exit_way: null, list_kind: null });
      expect(JSON.parse(row.detail)).toEqual({ corrected: true });
    }
    const screening = await platform('platform_screenings').where({ id: screened.data.screen.id }).first();
    const [item] = JSON.parse(screening.result);
    expect(item).toMatchObject({ verdict: 'CLEAR', measures: [], corrected: true });
    const [kase] = await platform('platform_cases').where({ screening_id: screened.data.screen.id });
    expect(JSON.parse(kase.entry_ids)).toEqual([]);
    expect(Boolean(kase.published)).toBe(false);
    expect(kase.corrected_at).not.toBeNull();
  });
});

function addDaysIso(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

describe('1798 (11)(17)(20), 893 §6: notices', () => {
  const PARTNER: TokenClaims = { role: 'partner', agency: '某银行', sub: 'bank-1', scopes: ['read:black', 'read:red', 'read:key_attention'] } as TokenClaims;
  const noticesOf = async (entryId: string, types: string[]) => {
    const { data, errors } = await hub.queryAs(PARTNER, `query($f: ChangeFilter) { changes(filter: $f, first: 500) { edges { node { type entryId detail } } } }`, { f: { types } });
    expect(errors).toBeUndefined();
    return data.changes.edges.map((e: any) => e.node).filter((n: any) => n.entryId === entryId);
  };

  it('1798 (20): an exit is announced on the channel the listing was published on: the public exit notices and the change feed', async () => {
    const black = await listActive('courts', 'DISHONEST_JUDGMENT_DEBTOR');
    advanceDays(1);
    const { data } = await standardExit('courts', { entryId: black.id });
    await hub.hub.settle();
    const [notice] = await noticesOf(black.id, ['EXIT_NOTICE']);
    expect(JSON.parse(notice.detail)).toMatchObject({ notice: '名单退出公告', channel: 'PUBLIC' });
    const publicChannel = await hub.queryAs(null, `{ exitNotices(first: 500) { edges { node { type entryId exitWay creditCode } } } }`);
    expect(publicChannel.errors).toBeUndefined();
    expect(publicChannel.data.exitNotices.edges.map((e: any) => e.node)).toContainEqual({ type: 'EXIT_NOTICE', entryId: black.id, exitWay: 'STANDARD_CHANGED', creditCode: black.creditCode });
    // The key attention that follows is not published: its subject's unit is notified instead (1798 (11)).
    const [unit] = await noticesOf(data.keyAttention.id, ['UNIT_NOTICE']);
    expect(JSON.parse(unit.detail)).toMatchObject({ channel: 'UNIT' });
    expect(publicChannel.data.exitNotices.edges.some((e: any) => e.node.entryId === data.keyAttention.id)).toBe(false);
  });

  it('1798 (17): key-attention subjects are reminded before their validity ends, once', async () => {
    const keyAttention = await listActive('tax', 'TAX_KEY_ATTENTION', newOrganisation(), { validUntil: addDaysIso(today(), 45) });
    await hub.hub.settle();
    expect(await noticesOf(keyAttention.id, ['VALIDITY_REMINDER'])).toEqual([]);
    advanceDays(20);
    await hub.hub.settle();
    await hub.hub.settle();
    const reminders = await noticesOf(keyAttention.id, ['VALIDITY_REMINDER']);
    expect(reminders).toHaveLength(1);
    expect(JSON.parse(reminders[0].detail)).toMatchObject({ channel: 'SUBJECT', validUntil: keyAttention.validUntil });
  });
});

describe('893 §3, §9: repair records others rely on', () => {
  it('893 §9: credit commitments are public like the published entry; the other repair steps are for the department, administrators and auditors', async () => {
    const black = await listActive('tax', 'MAJOR_TAX_VIOLATION');
    for (const kind of ['CREDIT_COMMITMENT', 'RECTIFICATION']) {
      const recorded = await act('tax', 'recordRepairStep', '$input: RepairStepInput!', { input: { entryId: black.id, kind, details: `${kind} 内容`, reference: `R-${kind}` } }, 'id');
      expect(recorded.errors).toBeUndefined();
    }
    const QUERY = `query($c: ID!) { subject(creditCode: $c) { tax { entries { id creditCommitments { details reference recordedAt } repairSteps { kind } } } } }`;
    const asPublic = await hub.queryAs(null, QUERY, { c: black.creditCode });
    const [publicEntry] = asPublic.data.subject.tax.entries;
    expect(publicEntry.creditCommitments).toEqual([{ details: 'CREDIT_COMMITMENT 内容', reference: 'R-CREDIT_COMMITMENT', recordedAt: expect.any(String) }]);
    expect(publicEntry.repairSteps).toBeNull();
    // The public is told to authenticate (UNAUTHENTICATED), as for every field it is refused.
    expect(asPublic.errors!.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const asAuditor = await hub.queryAs({ role: 'auditor', sub: 'auditor-1' }, QUERY, { c: black.creditCode });
    expect(asAuditor.data.subject.tax.entries[0].repairSteps.map((s: any) => s.kind).sort()).toEqual(['CREDIT_COMMITMENT', 'RECTIFICATION']);
  });

  it('893 §3: interviews are due when rectification was not done by the deadline, and are not held when it was', async () => {
    const deadline = addDaysIso(today(), 5);
    const terms = { repairable: true, method: '限期整改', rectificationDeadline: deadline };
    const rectified = await listActive('market', 'ABNORMAL_OPERATIONS', newOrganisation(), { repair: terms });
    const missed = await listActive('market', 'ABNORMAL_OPERATIONS', newOrganisation(), { repair: terms });
    await act('market', 'recordRepairStep', '$input: RepairStepInput!', { input: { entryId: rectified.id, kind: 'RECTIFICATION', details: '按期整改完毕' } }, 'id');
    const due = async () => (await hub.queryAs(officer('market'), `{ marketInterviewsDue(first: 500) { id } }`)).data.marketInterviewsDue.map((e: any) => e.id);
    expect(await due()).not.toContain(missed.id);
    advanceDays(6);
    expect(await due()).toContain(missed.id);
    expect(await due()).not.toContain(rectified.id);
    const interview = (entryId: string) =>
      act('market', 'recordInterview', '$input: InterviewInput!', { input: { entryId, refused: false, notes: '提示约谈' } }, 'kind');
    expect(errorOf(await interview(rectified.id))).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect((await interview(missed.id)).data.kind).toBe('REMINDER_INTERVIEW');
    expect(await due()).not.toContain(missed.id);
    const asAgency = await hub.queryAs({ role: 'agency', agency: '某局', sub: 'a' }, `{ marketInterviewsDue { id } }`);
    expect(errorOf(asAgency)).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the demo data keeps the rules it shows', () => {
  it('1798 (18): every black entry that exited in the demo is followed by key attention; none follows a purged one', () => {
    const data = generateDemoData(departments, { subjects: 600, asOf: '2026-11-01' });
    generateDemoCases(data, { asOf: '2026-11-01' });
    for (const entries of data.entriesByDepartment.values()) {
      const ids = new Set(entries.map((e) => e.id));
      const followed = new Set(entries.filter((e) => e.followsEntryId).map((e) => e.followsEntryId));
      const exitedBlack = entries.filter((e) => e.listType === 'BLACK' && e.status === 'EXITED');
      expect(exitedBlack.length).toBeGreaterThan(0);
      for (const black of exitedBlack) expect(followed.has(black.id), black.id).toBe(true);
      for (const follower of entries.filter((e) => e.followsEntryId)) expect(ids.has(follower.followsEntryId!)).toBe(true);
    }
  });
});
