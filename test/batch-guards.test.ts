/**
 * The batch doors give the single doors' answers, through the gateway, on SQLite and MariaDB:
 * - a batch of confirmations is the sequence of single confirmations in its order: a red item
 *   after a black or key-attention item of the same subject is refused (1798 (8)(19)), a red
 *   item before one takes effect and is then exited by the cross-department rule;
 * - a field longer than its column (limits.ts) is refused item by item with BAD_USER_INPUT
 *   naming it and its limit, the other items are written; at the limit it is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startTestHub, type TestHub } from './env.js';
import { REPAIR, taxBlackRecognition, listActions, officer, testClock } from './list-actions.js';
import { entriesTable, historyTable } from '../subgraphs/kit/lists/tables.js';
import { outboxTable } from '../subgraphs/kit/outbox.js';
import { COLUMN_LIMITS, TEXT_LIMITS } from '../subgraphs/kit/lists/limits.js';
import { validateRow } from '../scripts/import/validate-row.js';
import { departments } from '../subgraphs/catalog.js';

const clock = testClock('2026-11-23T02:00:00.000Z');
let hub: TestHub;
const ENTRY = 'id creditCode status listKind';
const { newOrganisation, newPerson, recognise, confirm, entry } = listActions({ hub: () => hub, clock, seed: 1802, entry: ENTRY });
let referenceNo = 0;
const newReference = () => `税稽罚〔2026〕守${++referenceNo}号`;

beforeAll(async () => {
  hub = await startTestHub({ subjects: 20, clock: clock.clock });
});
afterAll(async () => {
  await hub?.stop();
});

const RESULT = `index entry { ${ENTRY} } error { code message field entryId }`;
async function batch(field: string, inputType: string, inputs: unknown[]) {
  const response = await hub.queryAs(officer('tax'), `mutation($inputs: [${inputType}!]!) { tax { ${field}(inputs: $inputs) { ${RESULT} } } }`, { inputs });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data.tax[field] as any[];
}
/** An answer reduced to what the two doors must agree on: the status reached or the error code. */
const answerOf = (result: { data?: any; errors?: any[] } | { entry: any; error: any }) =>
  'entry' in result ? (result.entry?.status ?? result.error.code) : (result.data?.status ?? result.errors![0].extensions.code);

/** A red entry in publicity and a black (or key-attention) entry of one subject, both ready to confirm once the clock has moved 6 days. */
async function pair(disqualifyingKind: string) {
  const creditCode = newOrganisation();
  const red = await recognise('tax', { listKind: 'A_GRADE_TAXPAYER', creditCode, publicityDays: 5, repair: { repairable: false } });
  const black = await recognise('tax', { listKind: disqualifyingKind, creditCode });
  expect([red.errors, black.errors]).toEqual([undefined, undefined]);
  return { red: red.data.id as string, black: black.data.id as string };
}

describe(`confirmMany answers as the same single confirmations in sequence (${dialect})`, () => {
  for (const kind of ['MAJOR_TAX_VIOLATION', 'TAX_KEY_ATTENTION']) {
    for (const order of ['disqualifying first', 'red first'] as const) {
      it(`${kind}, ${order}`, async () => {
        const single = await pair(kind);
        const batched = await pair(kind);
        clock.advanceDays(6);
        const sequence = (ids: { red: string; black: string }) => (order === 'red first' ? [ids.red, ids.black] : [ids.black, ids.red]);

        const singleAnswers = [];
        for (const id of sequence(single)) singleAnswers.push(answerOf(await confirm('tax', id)));
        const batchAnswers = (await batch('confirmMany', 'ConfirmInput', sequence(batched).map((entryId) => ({ entryId })))).map(answerOf);
        await hub.hub.settle();

        expect(batchAnswers).toEqual(singleAnswers);
        expect(batchAnswers).toEqual(order === 'red first' ? ['ACTIVE', 'ACTIVE'] : ['ACTIVE', 'RED_LIST_BLOCKED']);
        for (const ids of [single, batched]) {
          // Refused or confirmed, the red entry is exited by the cross-department rule once the listing takes effect (1798 (19)).
          expect(await entry('tax', ids.red)).toMatchObject({ status: 'EXITED', exit_way: 'LISTED_FOR_DISHONESTY' });
          expect((await entry('tax', ids.black)).status).toBe('ACTIVE');
        }
      });
    }
  }

  it('recogniseMany of a black and a red recognition of one subject answers as the single doors do (the black one is not in effect yet)', async () => {
    const inputs = (creditCode: string) => [
      { listKind: 'MAJOR_TAX_VIOLATION', creditCode, subjectName: '示例主体有限公司', facts: '事实', validUntil: '2030-06-01', repair: REPAIR },
      { listKind: 'A_GRADE_TAXPAYER', creditCode, subjectName: '示例主体有限公司', facts: '事实', validUntil: '2030-06-01', publicityDays: 5, repair: { repairable: false } },
    ];
    const singleAnswers = [];
    for (const input of inputs(newOrganisation())) singleAnswers.push(answerOf(await recognise('tax', input)));
    const batchAnswers = (await batch('recogniseMany', 'RecogniseInput', inputs(newOrganisation()))).map(answerOf);
    expect(batchAnswers).toEqual(singleAnswers);
    expect(batchAnswers).toEqual(['PRELIMINARY', 'PUBLICITY']);
  });
});

describe(`overlong fields are refused item by item (${dialect})`, () => {
  const over = (limit: number) => '税'.repeat(limit + 1);
  const at = (limit: number) => '税'.repeat(limit);
  const item = (overrides: Record<string, unknown> = {}) => taxBlackRecognition(newOrganisation(), newReference(), overrides);
  const representative = (fields: Record<string, string>) => ({ legalRepresentative: { name: '张三', idDocumentType: 'PASSPORT', idDocumentNumber: 'E12345678', ...fields } });
  const notified = (method: string) => ({ creditCode: newPerson(), subjectName: '王五', notification: { notifiedOn: '2026-11-20', method } });
  /** Every free-text field of a recognition over its limit: [field, limit, overrides]. */
  const overlong: [string, number, () => Record<string, unknown>][] = [
    ['subjectName', COLUMN_LIMITS.subjectName, () => ({ subjectName: over(COLUMN_LIMITS.subjectName) })],
    ['lei', COLUMN_LIMITS.lei, () => ({ lei: 'A'.repeat(COLUMN_LIMITS.lei + 1) })],
    ['legalRepresentative.name', COLUMN_LIMITS.legalRepresentativeName, () => representative({ name: over(COLUMN_LIMITS.legalRepresentativeName) })],
    ['legalRepresentative.idDocumentNumber', COLUMN_LIMITS.legalRepresentativeIdNumber, () => representative({ idDocumentNumber: 'E'.repeat(300) })],
    ['facts', TEXT_LIMITS.facts, () => ({ facts: over(TEXT_LIMITS.facts) })],
    ['legalBasis', COLUMN_LIMITS.legalBasis, () => ({ legalBasis: over(COLUMN_LIMITS.legalBasis) })],
    ['notification.method', COLUMN_LIMITS.notificationMethod, () => notified('书'.repeat(2000))],
    ['repair.method', TEXT_LIMITS.repairMethod, () => ({ repair: { ...REPAIR, method: over(TEXT_LIMITS.repairMethod) } })],
    ['evidenceRef', COLUMN_LIMITS.evidenceRef, () => ({ evidenceRef: over(COLUMN_LIMITS.evidenceRef) })],
    ['externalReference', COLUMN_LIMITS.externalReference, () => ({ externalReference: over(COLUMN_LIMITS.externalReference) })],
  ];
  const atLimit = () =>
    item({
      subjectName: at(COLUMN_LIMITS.subjectName),
      lei: 'A'.repeat(COLUMN_LIMITS.lei),
      ...representative({ name: at(COLUMN_LIMITS.legalRepresentativeName), idDocumentNumber: 'E'.repeat(COLUMN_LIMITS.legalRepresentativeIdNumber) }),
      facts: at(TEXT_LIMITS.facts),
      legalBasis: at(COLUMN_LIMITS.legalBasis),
      repair: { ...REPAIR, method: at(TEXT_LIMITS.repairMethod) },
      evidenceRef: at(COLUMN_LIMITS.evidenceRef),
      externalReference: at(COLUMN_LIMITS.externalReference - 3) + referenceNo++,
    });

  async function written(codes: string[]) {
    const db = hub.hub.subgraphs.get('tax')!.db;
    const entries = await db(entriesTable('tax')).whereIn('credit_code', codes);
    const history = entries.length ? await db(historyTable('tax')).whereIn('entry_id', entries.map((e: any) => e.id)) : [];
    const events = await db(outboxTable('tax')).whereIn('credit_code', codes);
    return { entries: entries.length, history: history.length, events: events.length };
  }

  it('recogniseMany: each overlong item refused with its field and limit, the items around it (one at every limit) written', async () => {
    const inputs = [item(), ...overlong.map(([, , overrides]) => item(overrides())), atLimit(), item()];
    const results = await batch('recogniseMany', 'RecogniseInput', inputs);
    for (const [index, [field, limit]] of overlong.entries()) {
      const result = results[index + 1];
      expect(result.entry, field).toBeNull();
      expect(result.error, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(result.error.message, field).toMatch(new RegExp(`\\b${limit} characters; got \\d+`));
    }
    const accepted = [inputs[0], ...inputs.slice(-2)];
    for (const result of [results[0], ...results.slice(-2)]) expect(result.error, JSON.stringify(result.error)).toBeNull();
    expect(await written(overlong.map((_, index) => inputs[index + 1].creditCode as string))).toEqual({ entries: 0, history: 0, events: 0 });
    expect(await written(accepted.map((input) => input.creditCode as string))).toEqual({ entries: 3, history: 3, events: 3 });
    const stored = await entry('tax', results.at(-2).entry.id);
    expect([...stored.subject_name].length).toBe(COLUMN_LIMITS.subjectName);
    expect([...stored.facts].length).toBe(TEXT_LIMITS.facts);
  });

  it('recognise: an overlong field is BAD_USER_INPUT naming it, not an internal error', async () => {
    // Facts of 30,000 CJK characters (90 KB) overflow a MariaDB TEXT column; a name of 201, its VARCHAR(200).
    for (const [argument, limit, input] of [
      ['input.facts', TEXT_LIMITS.facts, { facts: '事'.repeat(30_000) }],
      ['input.subjectName', COLUMN_LIMITS.subjectName, { subjectName: over(COLUMN_LIMITS.subjectName) }],
    ] as const) {
      const code = newOrganisation();
      const { errors } = await recognise('tax', { listKind: 'MAJOR_TAX_VIOLATION', creditCode: code, ...input });
      expect(errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      expect(errors![0].message).toContain(`at most ${limit} characters`);
      expect(await written([code])).toEqual({ entries: 0, history: 0, events: 0 });
    }
  });

  it('confirmMany and the exit batches: an overlong note or reason is refused alone', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await recognise('tax', { listKind: 'MAJOR_TAX_VIOLATION', creditCode: newOrganisation() })).data.id);
    const confirmed = await batch('confirmMany', 'ConfirmInput', [{ entryId: ids[0] }, { entryId: ids[1], note: over(TEXT_LIMITS.reason) }, { entryId: ids[2], note: '确认' }]);
    expect(confirmed.map(answerOf)).toEqual(['ACTIVE', 'BAD_USER_INPUT', 'ACTIVE']);
    expect(confirmed[1].error).toMatchObject({ field: 'note' });
    expect((await entry('tax', ids[1])).status).toBe('PRELIMINARY');

    clock.advanceDays(1);
    const standard = { standardReference: '税务总局公告2026年第9号', standardEffectiveOn: clock.today() };
    const exited = await batch('exitForChangedStandardMany', 'StandardChangeExitInput', [
      { entryId: ids[0], ...standard, reason: over(TEXT_LIMITS.reason) },
      { entryId: ids[2], ...standard, reason: '认定标准调整', evidenceRef: over(COLUMN_LIMITS.evidenceRef) },
    ]);
    expect(exited.map(answerOf)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(exited.map((result) => result.error.field)).toEqual(['reason', 'evidenceRef']);
    expect(exited[0].error.message).toContain(`at most ${TEXT_LIMITS.reason} characters`);
    const fine = await batch('exitForChangedStandardMany', 'StandardChangeExitInput', [{ entryId: ids[0], ...standard, reason: at(TEXT_LIMITS.reason) }]);
    expect(fine.map(answerOf)).toEqual(['EXITED']);
    clock.advanceDays(-1);
  });

  it('the import tool refuses the same overlong cells before sending them, by the same limits', () => {
    const tax = departments.find((d) => d.name === 'tax')!;
    const cells = { externalReference: newReference(), listKind: 'MAJOR_TAX_VIOLATION', creditCode: newOrganisation(), subjectName: '示例主体有限公司', facts: '事实', validUntil: '2030-06-01', repairable: 'false' };
    expect(validateRow(tax, { rowNumber: 2, cells }).ok).toBe(true);
    const limits: [string, number][] = [
      ['subjectName', COLUMN_LIMITS.subjectName],
      ['facts', TEXT_LIMITS.facts],
      ['legalBasis', COLUMN_LIMITS.legalBasis],
      ['lei', COLUMN_LIMITS.lei],
      ['legalRepresentativeName', COLUMN_LIMITS.legalRepresentativeName],
      ['notificationMethod', COLUMN_LIMITS.notificationMethod],
      ['evidenceRef', COLUMN_LIMITS.evidenceRef],
      ['externalReference', COLUMN_LIMITS.externalReference],
    ];
    for (const [column, limit] of limits) {
      const check = validateRow(tax, { rowNumber: 2, cells: { ...cells, [column]: over(limit) } });
      expect(check.ok ? [] : check.errors.filter((error) => error.column === column), column).toMatchObject([{ code: 'INVALID_VALUE', message: expect.stringContaining(`at most ${limit} characters`) }]);
    }
  });
});
