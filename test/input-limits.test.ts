/**
 * Every String (and [String]) field of every input type of every subgraph has a limit its
 * module declares (`SubgraphModule.inputLimits`, checked by kit/input-limits.ts): a new field
 * without one fails here. The platform's limits are the lengths its tables were created with, in
 * the database. And the limits hold over HTTP: free text of platform mutations longer than its
 * limit, or a list with too many items, is a typed BAD_USER_INPUT naming the field and the
 * limit, before anything is written.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kind, parse, type DocumentNode, type TypeNode } from 'graphql';
import type { InputLimits } from '../subgraphs/kit/input-limits.js';
import { subgraphTypeDefs } from '../subgraphs/kit/schema.js';
import { subgraphs } from '../subgraphs/catalog.js';
import { startTestHub, type TestHub } from './env.js';
import { officer } from './list-actions.js';

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

/** `Type.field` of every String (or [String]) field of the input types of an SDL. */
const stringInputFields = (document: DocumentNode) =>
  document.definitions.flatMap((definition) =>
    definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || definition.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION
      ? (definition.fields ?? []).filter((field) => namedType(field.type) === 'String').map((field) => `${definition.name.value}.${field.name.value}`)
      : [],
  );

/** What an SDL and a module's limits disagree on: fields without a limit, limits of no field. */
const mismatch = (fields: string[], limits: InputLimits) => ({
  unlimited: fields.filter((field) => !limits[field]),
  ofNoField: Object.keys(limits).filter((field) => !fields.includes(field)),
});

describe('every subgraph declares the limits of its input fields', () => {
  const supergraphFields = stringInputFields(parse(readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8')));
  it('lists the String input fields (the walk finds them)', () => {
    expect(supergraphFields.length).toBeGreaterThan(50);
    expect(supergraphFields).toContain('MemorandumInput.title');
    expect(supergraphFields).toContain('RecogniseInput.facts');
  });

  it.each(subgraphs.map((module) => [module.name, module] as const))('%s: a limit for every String input field of its SDL, and none for another', (_, module) => {
    expect(mismatch(stringInputFields(subgraphTypeDefs(module)), module.inputLimits)).toEqual({ unlimited: [], ofNoField: [] });
  });

  it('every String input field of the supergraph is limited by the subgraphs that serve it', () => {
    const limited = new Set(subgraphs.flatMap((module) => Object.keys(module.inputLimits)));
    expect(supergraphFields.filter((field) => !limited.has(field))).toEqual([]);
  });

  it('the check can fail: a field its module gives no limit is named', () => {
    const platform = subgraphs.find((module) => module.name === 'platform')!;
    const { 'MemorandumInput.title': _title, ...withoutTitle } = platform.inputLimits;
    expect(mismatch(stringInputFields(subgraphTypeDefs(platform)), withoutTitle).unlimited).toEqual(['MemorandumInput.title']);
  });
});

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 30 });
}, 120_000);
afterAll(async () => hub?.stop());

const AGENCY = { role: 'agency', agency: '某市财政局', sub: 'limits-agency' } as any;
const TOMORROW = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
const MEMORANDUM = `mutation($input: MemorandumInput!) { addMemorandum(input: $input, effectiveFrom: "${TOMORROW}") { id } }`;
const MEASURE = `mutation($input: MeasureInput!) { addMeasure(memorandumId: "memorandum-4", input: $input, effectiveFrom: "${TOMORROW}") { id } }`;
const memorandum = { title: '限长测试', documentNumber: '测〔2026〕9号', field: '测试', listTypes: ['BLACK'] };
const measure = { kind: 'PUNISHMENT', description: '限长测试', appliedBy: '财政部门', scenarios: ['GOVERNMENT_PROCUREMENT'], triggers: ['DISHONEST_JUDGMENT_DEBTOR'] };

describe('free text of platform mutations is bounded', () => {
  const cases: [string, () => Promise<{ errors?: any[] }>, string, string][] = [
    ['addMemorandum title', () => hub.query(MEMORANDUM, { input: { ...memorandum, title: '题'.repeat(301) } }), 'input.title', 'title is at most 300 characters; got 301: shorten it'],
    ['addMemorandum documentNumber', () => hub.query(MEMORANDUM, { input: { ...memorandum, documentNumber: 'x'.repeat(50_000) } }), 'input.documentNumber', 'documentNumber is at most 100 characters; got 50000: shorten it'],
    ['addMemorandum field', () => hub.query(MEMORANDUM, { input: { ...memorandum, field: 'x'.repeat(101) } }), 'input.field', 'field is at most 100 characters; got 101: shorten it'],
    ['addMemorandum listTypes count', () => hub.query(MEMORANDUM, { input: { ...memorandum, listTypes: Array(11).fill('BLACK') } }), 'input.listTypes', 'listTypes takes at most 10 items; got 11: send fewer'],
    ['addMeasure description', () => hub.query(MEASURE, { input: { ...measure, description: 'x'.repeat(5_001) } }), 'input.description', 'description is at most 5000 characters; got 5001: shorten it'],
    ['addMeasure appliedBy', () => hub.query(MEASURE, { input: { ...measure, appliedBy: 'x'.repeat(201) } }), 'input.appliedBy', 'appliedBy is at most 200 characters; got 201: shorten it'],
    ['amendMeasure description', () => hub.query(`mutation($changes: MeasureChanges!) { amendMeasure(measureId: "m", changes: $changes, effectiveFrom: "${TOMORROW}") { id } }`, { changes: { description: 'x'.repeat(5_001) } }), 'changes.description', 'changes.description is at most 5000 characters; got 5001: shorten it'],
    ['recordMeasureFeedback reason', () => feedback({ reason: 'x'.repeat(2_001) }), 'input.reason', 'reason is at most 2000 characters; got 2001: shorten it'],
    ['recordMeasureFeedback caseReference', () => feedback({ caseReference: 'x'.repeat(201) }), 'input.caseReference', 'caseReference is at most 200 characters; got 201: shorten it'],
    ['fileObjection evidenceRefs count', () => hub.queryAs(officer('tax'), `mutation($input: FileObjectionInput!) { tax { fileObjection(input: $input) { id } } }`, { input: { entryId: 'e', kind: 'PUBLIC_OBJECTION', grounds: '理由', evidenceRefs: Array(51).fill('EV') } }), 'input.evidenceRefs', 'evidenceRefs takes at most 50 items; got 51: send fewer'],
  ];
  const feedback = (input: Record<string, unknown>) =>
    hub.queryAs(AGENCY, `mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id } }`, {
      input: { screeningId: 's', creditCode: '91110000100000000X', measureId: 'm', outcome: 'APPLIED', caseReference: 'CG-1', ...input },
    }, { purpose: '政府采购供应商资格审查', reference: 'CG-1' });
  for (const [name, send, argument, message] of cases) {
    it(name, async () => {
      const { errors } = await send();
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      expect(errors?.[0]?.message).toBe(message);
    });
  }
  it('a value at its limit is taken', async () => {
    const { errors, data } = await hub.query(MEMORANDUM, { input: { ...memorandum, title: '题'.repeat(300), documentNumber: `限〔2026〕${'9'.repeat(80)}号` } });
    expect(errors).toBeUndefined();
    expect(data.addMemorandum.id).toBeTruthy();
  });
});

/** The platform's limits that are a column's length, and the column, as its module created it. */
const PLATFORM_COLUMNS: [field: string, table: string, column: string][] = [
  ['AccessRecordFilter.principalId', 'platform_access_register', 'principal_id'],
  ['FeedbackInput.caseReference', 'platform_cases', 'case_reference'],
  ['MeasureInput.appliedBy', 'platform_measures', 'applied_by'],
  ['MeasureChanges.appliedBy', 'platform_measures', 'applied_by'],
  ['MemorandumInput.title', 'platform_memorandums', 'title'],
  ['MemorandumInput.documentNumber', 'platform_memorandums', 'document_number'],
  ['MemorandumInput.field', 'platform_memorandums', 'field'],
  ['WebhookInput.url', 'platform_webhooks', 'url'],
  ['WebhookInput.secret', 'platform_webhooks', 'secret'],
];

describe("the platform's limits are its columns' lengths", () => {
  const platform = subgraphs.find((module) => module.name === 'platform')!;
  it.each(PLATFORM_COLUMNS)('%s is the length of %s.%s in the database', async (field, table, column) => {
    const info = await hub.hub.subgraphs.get('platform')!.db(table).columnInfo(column);
    expect(Number(info.maxLength)).toBe(platform.inputLimits[field].length);
  });
});
