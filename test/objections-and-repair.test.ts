/**
 * Objections and appeals (1798 (21)–(23)) and credit repair (893 §2, §3, §9–§13),
 * through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { organisationCode, random } from '../scripts/demo-data.js';
import { historyTable, entriesTable } from '../subgraphs/kit/lists/tables.js';
import { outboxTable } from '../subgraphs/kit/outbox.js';
import type { TokenClaims } from '../scripts/token.js';

let now = new Date('2026-11-23T02:00:00.000Z');
const clock = () => now;
const advanceDays = (days: number) => {
  now = new Date(now.getTime() + days * 86_400_000);
};
const rng = random(893);
const newOrganisation = () => organisationCode(rng, '410102');
const officer = (department: string): TokenClaims => ({ role: 'officer', department, sub: `officer-of-${department}` });
const AGENCY: TokenClaims = { role: 'agency', agency: '郑州市公共资源交易中心', sub: 'agency-7' };

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 100, clock });
});
afterAll(() => hub?.stop());

async function run(department: string, action: string, variables: Record<string, unknown>, signature: string, selection: string, as: TokenClaims = officer(department)) {
  const response = await hub.queryAs(as, `mutation(${signature}) { ${department} { ${action}${signature.replace(/\$(\w+): [^,]+/g, '$1: $$$1').replace(/^/, '(').replace(/$/, ')')} { ${selection} } } }`, variables);
  return { data: response.data?.[department]?.[action], errors: response.errors };
}

async function listed(department: string, listKind: string, extra: Record<string, unknown> = {}) {
  const recognised = await run('' + department, 'recognise', {
    input: {
      listKind,
      creditCode: newOrganisation(),
      subjectName: '示例企业有限公司',
      facts: '事实',
      validUntil: '2029-01-01',
      repair: { repairable: true, method: '整改、承诺、培训、信用报告', rectificationDeadline: '2027-01-31' },
      ...extra,
    },
  }, '$input: RecogniseInput!', 'id status creditCode');
  expect(recognised.errors).toBeUndefined();
  if (recognised.data.status === 'PUBLICITY') return recognised.data;
  const confirmed = await run(department, 'confirm', { entryId: recognised.data.id }, '$entryId: ID!', 'id status creditCode');
  return confirmed.data;
}

const OBJECTION = 'id status kind evidenceRefs decision';
const fileObjection = (department: string, input: Record<string, unknown>, as?: TokenClaims) =>
  run(department, 'fileObjection', { input }, '$input: FileObjectionInput!', OBJECTION, as);
const acceptObjection = (department: string, objectionId: string, accept = true) =>
  run(department, 'acceptObjection', { objectionId, accept, reason: '材料齐全，予以受理' }, '$objectionId: ID!, $accept: Boolean!, $reason: String!', OBJECTION);
const decideObjection = (department: string, input: Record<string, unknown>) =>
  run(department, 'decideObjection', { input }, '$input: DecideObjectionInput!', `objection { ${OBJECTION} } entry { id status exit { way } } purged`);

describe('objections and appeals (1798 (21)–(23))', () => {
  it('an upheld appeal against a black entry purges it and records the correction and apology', async () => {
    const entry = await listed('tax', 'MAJOR_TAX_VIOLATION');
    const noEvidence = await fileObjection('tax', { entryId: entry.id, kind: 'SUBJECT_APPEAL', grounds: '认定事实有误' });
    expect(noEvidence.errors![0].extensions?.code).toBe('BAD_USER_INPUT');

    const filed = await fileObjection('tax', { entryId: entry.id, kind: 'SUBJECT_APPEAL', grounds: '认定事实有误', evidenceRefs: ['EV-2026-001'] });
    expect(filed.data).toMatchObject({ status: 'FILED', evidenceRefs: ['EV-2026-001'] });
    expect((await acceptObjection('tax', filed.data.id)).data.status).toBe('ACCEPTED');
    const withoutApology = await decideObjection('tax', { objectionId: filed.data.id, upheld: true, finding: '认定有误' });
    expect(withoutApology.errors![0].message).toMatch(/apology/);

    const decided = await decideObjection('tax', {
      objectionId: filed.data.id, upheld: true, finding: '认定有误',
      correction: '删除错误列入记录，恢复信用', apology: '书面致歉：因我局工作失误将贵司错误列入名单，特此致歉。',
    });
    expect(decided.errors).toBeUndefined();
    expect(decided.data).toMatchObject({ purged: true, entry: null, objection: { status: 'UPHELD' } });

    const db = hub.hub.subgraphs.get('tax')!.db;
    expect(await db(entriesTable('tax')).where({ id: entry.id }).first()).toBeUndefined();
    expect(await db(historyTable('tax')).where({ entry_id: entry.id })).toEqual([]);
    const [purgeEvent] = await db(outboxTable('tax')).where({ entry_id: entry.id, event_type: 'ENTRY_PURGED' });
    expect(JSON.parse(purgeEvent.payload)).not.toHaveProperty('facts');

    const { data } = await hub.query(`query($c: ID!) { subject(creditCode: $c) { tax { entries { id } file { kind details } } } }`, { c: entry.creditCode });
    expect(data.subject.tax.entries).toEqual([]);
    expect(data.subject.tax.file.map((r: any) => r.kind)).toEqual(['CORRECTION', 'APOLOGY']);
    expect(data.subject.tax.file[1].details).toContain('致歉');
  });

  it('an objection to a red entry holds its confirmation; upheld, the entry is deleted, not kept, and incentives are clawed back (1798 (19) 一, (20), (23))', async () => {
    const red = await listed('tax', 'A_GRADE_TAXPAYER', { publicityDays: 5, repair: { repairable: false } });
    const filed = await fileObjection('tax', { entryId: red.id, kind: 'PUBLIC_OBJECTION', grounds: '该企业存在欠税' });
    advanceDays(6);
    const held = await run('tax', 'confirm', { entryId: red.id }, '$entryId: ID!', 'id');
    expect(held.errors![0].extensions?.code).toBe('OBJECTION_PENDING');
    await acceptObjection('tax', filed.data.id);
    const uncorrected = await decideObjection('tax', { objectionId: filed.data.id, upheld: true, finding: '核实存在欠税，不符合A级标准' });
    expect(uncorrected.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.correction' });
    expect(await hub.hub.subgraphs.get('tax')!.db(entriesTable('tax')).where({ id: red.id }).first()).toMatchObject({ status: 'PUBLICITY' });

    const decided = await decideObjection('tax', { objectionId: filed.data.id, upheld: true, finding: '核实存在欠税，不符合A级标准', correction: '从红名单中删除' });
    expect(decided.errors).toBeUndefined();
    expect(decided.data).toMatchObject({ purged: true, entry: null, objection: { status: 'UPHELD' } });
    const db = hub.hub.subgraphs.get('tax')!.db;
    expect(await db(entriesTable('tax')).where({ id: red.id }).first()).toBeUndefined();
    expect(await db(historyTable('tax')).where({ entry_id: red.id })).toEqual([]);
    expect(await db(outboxTable('tax')).where({ entry_id: red.id, event_type: 'ENTRY_PURGED' })).toHaveLength(1);
    const { data } = await hub.query(`query($c: ID!) { subject(creditCode: $c) { tax { entries { id } file { kind } } } }`, { c: red.creditCode });
    expect(data.subject.tax.entries).toEqual([]);
    expect(data.subject.tax.file.map((r: any) => r.kind)).toEqual(['CORRECTION', 'INCENTIVE_CLAWBACK']);
  });

  it('implementing agencies report suspected errors; they do not file appeals for subjects', async () => {
    const entry = await listed('market', 'SERIOUS_ILLEGAL_DISHONEST_ENTERPRISE');
    const report = await fileObjection('market', { entryId: entry.id, kind: 'IMPLEMENTER_REPORT', grounds: '审批中发现主体名称与代码不符' }, AGENCY);
    expect(report.data).toMatchObject({ status: 'FILED', kind: 'IMPLEMENTER_REPORT' });
    const appeal = await fileObjection('market', { entryId: entry.id, kind: 'SUBJECT_APPEAL', grounds: '—', evidenceRefs: ['x'] }, AGENCY);
    expect(appeal.errors![0].extensions?.code).toBe('FORBIDDEN');
  });

  it('a rejected objection cannot be decided, and the entry stays', async () => {
    const entry = await listed('courts', 'DISHONEST_JUDGMENT_DEBTOR');
    const filed = await fileObjection('courts', { entryId: entry.id, kind: 'SUBJECT_APPEAL', grounds: '已履行', evidenceRefs: ['EV-9'] });
    expect((await acceptObjection('courts', filed.data.id, false)).data.status).toBe('REJECTED');
    const decided = await decideObjection('courts', { objectionId: filed.data.id, upheld: true, finding: '—', correction: '—', apology: '—' });
    expect(decided.errors![0].extensions?.code).toBe('INVALID_TRANSITION');
    const { data } = await hub.query(`query($c: ID!) { subject(creditCode: $c) { courts { blackListed entries { objections { status } } } } }`, { c: entry.creditCode });
    expect(data.subject.courts.blackListed).toBe(true);
    expect(data.subject.courts.entries[0].objections).toEqual([{ status: 'REJECTED' }]);
  });
});

describe('credit repair (893 §2, §3, §9–§13)', () => {
  const STEP = 'id kind counts classHours';
  const step = (department: string, input: Record<string, unknown>) => run(department, 'recordRepairStep', { input }, '$input: RepairStepInput!', STEP);

  it('refuses to repair an entry listed as not repairable', async () => {
    const entry = await listed('safety', 'WORK_SAFETY_BLACK', { repair: { repairable: false } });
    const refused = await step('safety', { entryId: entry.id, kind: 'CREDIT_COMMITMENT', details: '承诺书' });
    expect(refused.errors![0].extensions?.code).toBe('REPAIR_NOT_ALLOWED');
  });

  it('counts training from 3 class hours, requires every step, then exits on approval with key attention after', async () => {
    const entry = await listed('safety', 'WORK_SAFETY_BLACK');
    expect((await step('safety', { entryId: entry.id, kind: 'TRAINING', details: '信用修复专题培训', classHours: 2 })).data.counts).toBe(false);
    await step('safety', { entryId: entry.id, kind: 'RECTIFICATION', details: '隐患整改完毕，验收合格' });
    await step('safety', { entryId: entry.id, kind: 'CREDIT_COMMITMENT', details: '在信用中国网站公开作出信用承诺' });
    const early = await run('safety', 'applyForEarlyExit', { entryId: entry.id }, '$entryId: ID!', 'id status');
    expect(early.errors![0].extensions).toMatchObject({ code: 'REPAIR_INCOMPLETE', missing: ['TRAINING', 'CREDIT_REPORT'] });

    expect((await step('safety', { entryId: entry.id, kind: 'TRAINING', details: '信用修复专题培训（续）', classHours: 3 })).data.counts).toBe(true);
    const noIssuer = await step('safety', { entryId: entry.id, kind: 'CREDIT_REPORT', details: '信用报告' });
    expect(noIssuer.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    await step('safety', { entryId: entry.id, kind: 'CREDIT_REPORT', details: '信用报告', issuer: '华信信用评估有限公司', reference: 'CR-2026-88' });

    const application = await run('safety', 'applyForEarlyExit', { entryId: entry.id, reference: 'XF-001' }, '$entryId: ID!, $reference: String', 'id status');
    expect(application.data.status).toBe('APPLIED');
    const decision = await run(
      'safety', 'decideEarlyExit',
      { input: { applicationId: application.data.id, approve: true, reason: '修复材料齐全，同意提前移出', keyAttentionValidUntil: '2027-11-30' } },
      '$input: EarlyExitDecisionInput!',
      'application { status } exit { exited { status exit { way } } keyAttention { listKind validUntil } }',
    );
    expect(decision.errors).toBeUndefined();
    expect(decision.data).toMatchObject({
      application: { status: 'APPROVED' },
      exit: { exited: { status: 'EXITED', exit: { way: 'CREDIT_REPAIR' } }, keyAttention: { listKind: 'WORK_SAFETY_KEY_ATTENTION', validUntil: '2027-11-30' } },
    });
  });

  it('a rejected application leaves the entry on the list', async () => {
    const entry = await listed('market', 'ABNORMAL_OPERATIONS');
    for (const [kind, extra] of [['RECTIFICATION', {}], ['CREDIT_COMMITMENT', {}], ['TRAINING', { classHours: 4 }], ['CREDIT_REPORT', { issuer: '华信信用评估有限公司' }]] as const) {
      await step('market', { entryId: entry.id, kind, details: '已完成', ...extra });
    }
    const application = await run('market', 'applyForEarlyExit', { entryId: entry.id }, '$entryId: ID!', 'id');
    const decision = await run('market', 'decideEarlyExit', { input: { applicationId: application.data.id, approve: false, reason: '整改不到位' } }, '$input: EarlyExitDecisionInput!', 'application { status } exit { exited { id } }');
    expect(decision.data).toEqual({ application: { status: 'REJECTED' }, exit: null });
    const again = await run('market', 'decideEarlyExit', { input: { applicationId: application.data.id, approve: true, reason: '—' } }, '$input: EarlyExitDecisionInput!', 'application { status }');
    expect(again.errors![0].extensions?.code).toBe('INVALID_TRANSITION');
  });

  it('after a missed rectification deadline, records the warning interview on the subject\'s file, refusals too', async () => {
    const entry = await listed('courts', 'DISHONEST_JUDGMENT_DEBTOR', { repair: { repairable: true, method: '履行义务', rectificationDeadline: '2027-06-30' } });
    const interview = (refused: boolean, notes: string) =>
      run('courts', 'recordInterview', { input: { entryId: entry.id, refused, notes } }, '$input: InterviewInput!', 'kind refused details');
    expect((await interview(false, '约谈')).errors![0].extensions?.code).toBe('DEADLINE_NOT_PASSED');
    const saved = now;
    now = new Date('2027-07-05T02:00:00.000Z');
    try {
      expect((await interview(true, '书面通知约谈，主体拒不到场')).data).toEqual({ kind: 'WARNING_INTERVIEW', refused: true, details: '书面通知约谈，主体拒不到场' });
      await interview(false, '警示约谈，主体承诺30日内履行');
    } finally {
      now = saved;
    }
    const { data } = await hub.query(`query($c: ID!) { subject(creditCode: $c) { courts { file { kind refused } } } }`, { c: entry.creditCode });
    expect(data.subject.courts.file).toEqual([{ kind: 'WARNING_INTERVIEW', refused: true }, { kind: 'WARNING_INTERVIEW', refused: false }]);
    const asAgency = await hub.queryAs(AGENCY, `query($c: ID!) { subject(creditCode: $c) { courts { blackListed file { kind } } } }`, { c: entry.creditCode });
    expect(asAgency.data.subject.courts.blackListed).toBe(true);
    expect(asAgency.errors![0]).toMatchObject({ path: ['subject', 'courts', 'file'], extensions: { code: 'FORBIDDEN' } });
  });
});
