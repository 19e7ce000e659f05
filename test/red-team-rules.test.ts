/**
 * The list rules, tried as a department, an agency, an administrator and the public would
 * try to walk around them through the gateway. Each test is named after the rule it holds
 * the hub to (1798 numbering as the project cites it; the seed text is quoted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { listActions, REPAIR, testClock } from './list-actions.js';
import type { TokenClaims } from '../scripts/token.js';
import { exitApplicationsTable, repairStepsTable, subjectFileTable } from '../subgraphs/kit/lists/tables.js';

const time = testClock();
const { clock, today, advanceDays } = time;
const ENTRY = 'id status listType listKind validUntil creditCode exit { way reason }';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 40, clock });
});
afterAll(() => hub?.stop());

const { newOrganisation, act, recognise, confirm, listActive, listRed, entry } = listActions({ hub: () => hub, clock: time, seed: 14_2026, entry: ENTRY });
/** Files, accepts and upholds an objection: the listing was mistaken. */
async function upheld(department: string, entryId: string, extra: Record<string, unknown> = {}) {
  const filed = await act(department, 'fileObjection', '$input: FileObjectionInput!', { input: { entryId, kind: 'SUBJECT_APPEAL', grounds: '认定有误', evidenceRefs: ['EV-1'] } }, 'id');
  expect(filed.errors, JSON.stringify(filed.errors)).toBeUndefined();
  const accepted = await act(department, 'acceptObjection', '$objectionId: ID!, $accept: Boolean!, $reason: String!', { objectionId: filed.data.id, accept: true, reason: '受理' }, 'id');
  expect(accepted.errors, JSON.stringify(accepted.errors)).toBeUndefined();
  return act(department, 'decideObjection', '$input: DecideObjectionInput!', {
    input: { objectionId: filed.data.id, upheld: true, finding: '认定有误', correction: '删除错误记录', apology: '书面致歉', ...extra },
  }, 'purged entry { id status }');
}

describe('对于因主体认定有误而列入名单的，相关信息不予保存 — every list, every status', () => {
  it('1798 (19)(20): a key-attention listing found mistaken while ACTIVE is purged, and the red entries it removed come back', async () => {
    const code = newOrganisation();
    const red = await listRed('tax', 'A_GRADE_TAXPAYER', code);
    const keyAttention = await listActive('market', 'ABNORMAL_OPERATIONS', code);
    await hub.hub.settle();
    expect(await entry('tax', red.id)).toMatchObject({ status: 'EXITED', exit_way: 'LISTED_FOR_DISHONESTY' });

    const decided = await upheld('market', keyAttention.id, { apology: null });
    expect(decided.errors, JSON.stringify(decided.errors)).toBeUndefined();
    // The listing was mistaken: not kept (1798 (20)), whichever list it was on.
    expect(decided.data.purged).toBe(true);
    expect(await entry('market', keyAttention.id)).toBeNull();
    await hub.hub.settle();
    // It removed the red entry under 1798 (19) for no ground at all: the red entry comes back.
    expect(await entry('tax', red.id)).toMatchObject({ status: 'ACTIVE', exit_way: null });
  });

  it('1798 (18)(20)(22): a red listing found mistaken while ACTIVE is deleted, not kept, and the claw-back is recorded', async () => {
    const red = await listRed('tax', 'A_GRADE_TAXPAYER');
    const decided = await upheld('tax', red.id, { apology: null });
    expect(decided.errors, JSON.stringify(decided.errors)).toBeUndefined();
    // "经异议处理，“红名单”主体认定有误的，认定部门（单位）应将其从“红名单”中删除" … "相关信息不予保存".
    expect(decided.data.purged).toBe(true);
    expect(await entry('tax', red.id)).toBeNull();
    const file = await hub.hub.subgraphs.get('tax')!.db(subjectFileTable('tax')).where({ credit_code: red.creditCode });
    expect(file.map((record: any) => record.kind)).toContain('INCENTIVE_CLAWBACK');
  });
});

describe('1798 (20): a mistaken listing leaves nothing on the channels it was announced on', () => {
  it('1798 (20): after an upheld objection, the public exit notices no longer announce the subject as black-listed', async () => {
    const black = await listActive('courts', 'DISHONEST_JUDGMENT_DEBTOR');
    advanceDays(1);
    const exit = await act('courts', 'exitForChangedStandard', '$input: StandardChangeExitInput!', {
      input: { entryId: black.id, standardReference: '示例标准〔2026〕1号', standardEffectiveOn: today(), reason: '标准调整' },
    }, 'exited { id }');
    expect(exit.errors, JSON.stringify(exit.errors)).toBeUndefined();
    await hub.hub.settle();
    const publicNotices = async () => {
      const { data, errors } = await hub.queryAs(null, `{ exitNotices(first: 500) { edges { node { type entryId creditCode listType status } } } }`);
      expect(errors).toBeUndefined();
      return data.exitNotices.edges.map((e: any) => e.node).filter((n: any) => n.entryId === black.id || n.creditCode === black.creditCode);
    };
    expect(await publicNotices()).toHaveLength(1);

    const decided = await upheld('courts', black.id);
    expect(decided.data?.purged, JSON.stringify(decided.errors)).toBe(true);
    await hub.hub.settle();
    // The public channel announced a black listing that never should have been: it no longer does.
    expect(await publicNotices()).toEqual([]);
    // The feed keeps the notice's position (readers resume on it), marked corrected.
    const feedRows = await hub.hub.subgraphs.get('platform')!.db('platform_change_feed').where({ entry_id: black.id, type: 'EXIT_NOTICE' });
    expect(feedRows).toHaveLength(1);
    expect(feedRows[0]).toMatchObject({ status: 'CORRECTED', exit_way: null });
  });
});

describe('1798 (19) with events arriving late: "有效期内被有关部门列入…重点关注名单"', () => {
  it('1798 (19): a red entry recognised after the subject left key attention elsewhere is not exited when the old key-attention event arrives late', async () => {
    await hub.hub.settle();
    const code = newOrganisation();
    // Market lists the subject on key attention and takes it off again, before tax has read market's events.
    const keyAttention = await listActive('market', 'ABNORMAL_OPERATIONS', code);
    advanceDays(1);
    const off = await act('market', 'exitForChangedStandard', '$input: StandardChangeExitInput!', {
      input: { entryId: keyAttention.id, standardReference: '市场监管总局令第9号', standardEffectiveOn: today(), reason: '标准调整' },
    }, 'exited { id status }');
    expect(off.errors, JSON.stringify(off.errors)).toBeUndefined();
    // Then tax recognises it on a red list: nothing disqualifies it now.
    advanceDays(1);
    const red = await recognise('tax', { listKind: 'A_GRADE_TAXPAYER', creditCode: code, publicityDays: 5, repair: { repairable: false } });
    expect(red.errors, JSON.stringify(red.errors)).toBeUndefined();
    // Market's events reach tax now: the key attention was over before the red entry existed.
    await hub.hub.settle();
    expect(await entry('tax', red.data.id)).toMatchObject({ status: 'PUBLICITY', exit_way: null });
    advanceDays(6);
    const confirmed = await confirm('tax', red.data.id);
    expect(confirmed.errors, JSON.stringify(confirmed.errors)).toBeUndefined();
  });
});

describe('1798 (20)(22): a mistaken key-attention listing leaves no warning-list consequence', () => {
  it('1798 (20): after the key-attention listing that put a subject on the warning list is purged, the stay, the screening that restricted it and the case recorded on it are corrected', async () => {
    await hub.hub.settle();
    const code = newOrganisation();
    await listActive('tax', 'TAX_KEY_ATTENTION', code);
    const mistaken = await listActive('market', 'ABNORMAL_OPERATIONS', code);
    await listActive('safety', 'WORK_SAFETY_KEY_ATTENTION', code);
    await hub.hub.settle();
    const AGENCY: TokenClaims = { role: 'agency', agency: '某市公共资源交易监督管理局', sub: 'agency-rt-1', region: '32' };
    const purpose = { purpose: '公共资源交易主体资格审查', reference: 'GG-1' };
    const screened = await hub.queryAs(AGENCY, `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: PUBLIC_RESOURCE_TRADING, reference: "GG-1") { id items { verdict measures { measure { id } triggeredBy } } } }`, { c: [code] }, purpose);
    expect(screened.errors, JSON.stringify(screened.errors)).toBeUndefined();
    const [item] = screened.data.screen.items;
    expect(item.verdict).toBe('RESTRICT');
    expect(item.measures.map((m: any) => m.triggeredBy)).toContainEqual(['WARNING_LIST']);
    const warningMeasure = item.measures.find((m: any) => m.triggeredBy.includes('WARNING_LIST')).measure.id;
    const feedback = await hub.queryAs(AGENCY, `mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id } }`, {
      input: { screeningId: screened.data.screen.id, creditCode: code, measureId: warningMeasure, outcome: 'APPLIED', caseReference: 'GG-AJ-1', publish: true },
    }, purpose);
    expect(feedback.errors, JSON.stringify(feedback.errors)).toBeUndefined();

    const decided = await upheld('market', mistaken.id, { apology: null });
    expect(decided.data?.purged, JSON.stringify(decided.errors)).toBe(true);
    await hub.hub.settle();
    // Two key-attention domains remain: the subject was on the warning list only because of the mistaken listing.
    const platform = hub.hub.subgraphs.get('platform')!.db;
    const stored = await platform('platform_screenings').where({ id: screened.data.screen.id }).first();
    const [after] = JSON.parse(stored.result);
    expect(after.measures.filter((m: any) => m.triggeredBy.includes('WARNING_LIST'))).toEqual([]);
    expect(after).toMatchObject({ verdict: 'CLEAR', corrected: true });
    // Nor is the warning-list stay kept, and its feed events say only that they were corrected.
    expect(await platform('platform_warning_list').where({ credit_code: code })).toEqual([]);
    const warningEvents = await platform('platform_change_feed').where({ credit_code: code }).whereIn('type', ['WARNING_LIST_ENTERED', 'WARNING_LIST_LEFT']);
    expect(warningEvents.length).toBeGreaterThan(0);
    for (const row of warningEvents) expect(row).toMatchObject({ status: 'CORRECTED', detail: JSON.stringify({ corrected: true }) });
    // The published case of the measure the stay alone triggered is no longer published, and marked corrected.
    const [kase] = await platform('platform_cases').where({ screening_id: screened.data.screen.id });
    expect(Boolean(kase.published)).toBe(false);
    expect(kase.corrected_at).not.toBeNull();
  });
});

describe('issue 13: what a cluster aborts is typed, never INTERNAL_SERVER_ERROR', () => {
  it('a single-statement write (outside inTransaction) aborted by a deadlock, lock wait or Galera certification answers CONFLICT', async () => {
    const { formatSubgraphError } = await import('../subgraphs/kit/server.js');
    const { GraphQLError } = await import('graphql');
    for (const code of ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']) {
      // What graphql-js hands the formatter when a resolver's bare insert (feedback, webhook registration) throws.
      const driverError = Object.assign(new Error(`${code}: Deadlock found when trying to get lock; try restarting transaction`), { code });
      const error = new GraphQLError(driverError.message, { originalError: driverError });
      const formatted = formatSubgraphError({ message: error.message, extensions: {} }, error);
      expect(formatted.extensions).toEqual({ code: 'CONFLICT' });
      expect(formatted.message).not.toMatch(/Deadlock|SQL/);
    }
  });
});

describe('1798 (8)(19) while the event path catches up: no incentives for a key-attention subject', () => {
  it('1798 (19): a screening does not offer red-list incentives to a subject the platform already knows is on key attention', async () => {
    await hub.hub.settle();
    const code = newOrganisation();
    await listRed('tax', 'A_GRADE_TAXPAYER', code);
    await hub.hub.settle();
    await listActive('market', 'ABNORMAL_OPERATIONS', code);
    // The platform has collected the key-attention listing; tax has not yet applied it to its red entry.
    await hub.hub.subgraphs.get('market')!.runWorker('relay');
    await hub.hub.subgraphs.get('platform')!.runWorker('collection');
    const AGENCY: TokenClaims = { role: 'agency', agency: '某银行授信审批部', sub: 'agency-rt-2', region: '32' };
    const purpose = { purpose: '融资授信审查', reference: 'SX-1' };
    const screened = await hub.queryAs(AGENCY, `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: FINANCING_CREDIT, reference: "SX-1") { id items { verdict activeEntries { listType } measures { measure { id kind } triggeredBy } } } }`, { c: [code] }, purpose);
    expect(screened.errors, JSON.stringify(screened.errors)).toBeUndefined();
    const [item] = screened.data.screen.items;
    expect(item.activeEntries.map((e: any) => e.listType).sort()).toEqual(['KEY_ATTENTION', 'RED']);
    // "有效期内被有关部门列入…重点关注名单…应将其从“红名单”中删除": the incentive is not to be granted meanwhile.
    expect(item.measures.filter((m: any) => m.measure.kind === 'INCENTIVE')).toEqual([]);
    expect(item.verdict).not.toBe('INCENTIVE');
  });
});

describe('1798 (20) "相关信息不予保存": the case work on a mistaken listing goes with it', () => {
  it('1798 (20): after an upheld objection, the purged entry leaves no repair steps, exit applications or interview records behind', async () => {
    const recognised = await recognise('tax', { listKind: 'MAJOR_TAX_VIOLATION', creditCode: newOrganisation(), repair: { ...REPAIR, rectificationDeadline: addDaysIso(today(), 1) } });
    expect(recognised.errors, JSON.stringify(recognised.errors)).toBeUndefined();
    const black = (await confirm('tax', recognised.data.id)).data;
    advanceDays(3);
    const interview = await act('tax', 'recordInterview', '$input: InterviewInput!', { input: { entryId: black.id, refused: false, notes: '警示性约谈：主要负责人到场' } }, 'kind');
    expect(interview.errors, JSON.stringify(interview.errors)).toBeUndefined();
    const step = await act('tax', 'recordRepairStep', '$input: RepairStepInput!', { input: { entryId: black.id, kind: 'RECTIFICATION', details: '已补缴税款及滞纳金' } }, 'id');
    expect(step.errors, JSON.stringify(step.errors)).toBeUndefined();

    const decided = await upheld('tax', black.id);
    expect(decided.data?.purged, JSON.stringify(decided.errors)).toBe(true);
    const db = hub.hub.subgraphs.get('tax')!.db;
    expect(await db(repairStepsTable('tax')).where({ entry_id: black.id })).toEqual([]);
    expect(await db(exitApplicationsTable('tax')).where({ entry_id: black.id })).toEqual([]);
    // The subject's file keeps the correction and the apology, nothing of what the mistaken listing led to.
    const file = await db(subjectFileTable('tax')).where({ credit_code: black.creditCode });
    expect(file.map((record: any) => record.kind).sort()).toEqual(['APOLOGY', 'CORRECTION']);
  });
});

function addDaysIso(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
