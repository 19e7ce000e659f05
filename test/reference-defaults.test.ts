/**
 * A retry under a decision number is the recorded decision whether it spells a default out or
 * leaves it out, in either order: an omitted field means "as recorded". Every lifecycle action
 * with a decision number and a defaulted field: recognise (recognisedOn = today), exits
 * (evidenceRef = the ground's reference, keyAttentionValidUntil = the department's default),
 * escalation (publicityDays, published, legalBasis). Confirm has no defaulted field. A retry
 * that spells out something else is still CONFLICT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { errorOf, listActions, officer, REPAIR, taxBlackRecognition, testClock } from './list-actions.js';
import { organisationCode, random } from '../scripts/demo-data.js';
import { contentDigest } from '../subgraphs/kit/lists/references.js';
import { entriesTable } from '../subgraphs/kit/lists/tables.js';

const clock = testClock('2026-11-23T02:00:00.000Z');
const rng = random(4242);
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 20, clock: clock.clock });
}, 120_000);
afterAll(async () => hub?.stop());

const ENTRY = 'id status recognisedOn validUntil';
const { act, listActive } = listActions({ hub: () => hub, clock, seed: 4243, entry: ENTRY });

const recognise = (input: unknown) =>
  hub.queryAs(officer('tax'), `mutation($input: RecogniseInput!) { tax { recognise(input: $input) { id recognisedOn externalReference } } }`, { input });

describe('recognise: recognisedOn defaulted to today', () => {
  it('recorded without it, retried with today spelled out: the same entry', async () => {
    const input = taxBlackRecognition(organisationCode(rng, '320508'), `默认税罚〔2026〕1号`);
    const first = await recognise(input);
    expect(first.errors).toBeUndefined();
    expect(first.data.tax.recognise.recognisedOn).toBe(clock.today());
    const spelled = await recognise({ ...input, recognisedOn: clock.today() });
    expect(spelled.errors).toBeUndefined();
    expect(spelled.data.tax.recognise.id).toBe(first.data.tax.recognise.id);
  });
  it('recorded with it, retried without it, on a later day: the same entry; another date is CONFLICT', async () => {
    const input = taxBlackRecognition(organisationCode(rng, '320508'), `默认税罚〔2026〕2号`, { recognisedOn: clock.today() });
    const first = await recognise(input);
    expect(first.errors).toBeUndefined();
    clock.advanceDays(1); // today moves: omitted means as recorded, not the new today
    const { recognisedOn: _, ...withoutDate } = input as any;
    const retried = await recognise(withoutDate);
    expect(retried.errors).toBeUndefined();
    expect(retried.data.tax.recognise.id).toBe(first.data.tax.recognise.id);
    const other = await recognise({ ...input, recognisedOn: clock.today() });
    expect(errorOf(other)?.code).toBe('CONFLICT');
  });
});

describe('recognise: digests recorded before recognisedOn was filled in', () => {
  it('a recognition recorded without recognisedOn under the former digest: a retry omitting it or spelling out its date is the same entry', async () => {
    const input = taxBlackRecognition(organisationCode(rng, '320508'), `默认税罚〔2026〕3号`);
    const first = await hub.queryAs(officer('tax'), `mutation($input: RecogniseInput!) { tax { recognise(input: $input) { id recognisedOn legalBasis published } } }`, { input });
    expect(first.errors).toBeUndefined();
    const { id, recognisedOn, legalBasis, published } = first.data.tax.recognise;
    // The digest as it was recorded before: defaults filled in, recognisedOn as sent (left out).
    const former = contentDigest({ ...input, externalReference: null, publicityDays: 0, legalBasis, published });
    const db = hub.hub.subgraphs.get('tax')!.db;
    expect(await db(entriesTable('tax')).where({ id }).update({ external_digest: former })).toBe(1);
    clock.advanceDays(1);
    for (const retry of [input, { ...input, recognisedOn }]) {
      const again = await recognise(retry);
      expect(again.errors).toBeUndefined();
      expect(again.data.tax.recognise.id).toBe(id);
    }
    expect(errorOf(await recognise({ ...input, recognisedOn: clock.today() }))?.code).toBe('CONFLICT');
  });
});

const EXIT_RESULT = `exited { ${ENTRY} } keyAttention { ${ENTRY} }`;
async function blackToExit(reference: string) {
  const black = await listActive('market', 'SERIOUS_ILLEGAL_DISHONEST_ENTERPRISE');
  clock.advanceDays(1);
  const base = { entryId: black.id, standardReference: '示例标准〔2026〕9号', standardEffectiveOn: clock.today(), reason: '标准调整', externalReference: reference };
  const exit = (input: Record<string, unknown>) => act('market', 'exitForChangedStandard', '$input: StandardChangeExitInput!', { input: { ...base, ...input } }, EXIT_RESULT);
  return { base, exit };
}

describe('exit: evidenceRef defaulted to the ground, keyAttentionValidUntil to the department default', () => {
  it('recorded with both left out, retried with both spelled out as applied: the same exit', async () => {
    const { base, exit } = await blackToExit('默认市监移〔2026〕1号');
    const first = await exit({});
    expect(first.errors).toBeUndefined();
    const applied = first.data.keyAttention.validUntil;
    clock.advanceDays(1);
    const spelled = await exit({ evidenceRef: `standard:${base.standardReference}@${base.standardEffectiveOn}`, keyAttentionValidUntil: applied });
    expect(spelled.errors).toBeUndefined();
    expect(spelled.data.exited.id).toBe(first.data.exited.id);
    expect(spelled.data.keyAttention.id).toBe(first.data.keyAttention.id);
    expect(errorOf(await exit({ evidenceRef: 'EV-other' }))?.code).toBe('CONFLICT');
  });
  it('recorded with both spelled out, retried with both left out: the same exit; another validity is CONFLICT', async () => {
    const { exit } = await blackToExit('默认市监移〔2026〕2号');
    const first = await exit({ evidenceRef: 'EV-given-1', keyAttentionValidUntil: '2028-12-31' });
    expect(first.errors).toBeUndefined();
    const omitted = await exit({});
    expect(omitted.errors).toBeUndefined();
    expect(omitted.data.exited.id).toBe(first.data.exited.id);
    expect(errorOf(await exit({ keyAttentionValidUntil: '2029-01-31' }))?.code).toBe('CONFLICT');
  });
});

describe('escalation: publicityDays, published and legalBasis defaulted', () => {
  const escalate = (input: Record<string, unknown>) =>
    act('safety', 'escalateToBlackList', '$input: EscalateInput!', { input: { blackListKind: 'WORK_SAFETY_BLACK', facts: '重点关注期内再次发生较大事故', validUntil: '2028-06-01', repair: REPAIR, ...input } }, `black { ${ENTRY} }`);
  it('left out then spelled out, and spelled out then left out: the same black entry', async () => {
    for (const [index, [first, retry]] of [
      [{}, { publicityDays: 0 }],
      [{ publicityDays: 0 }, {}],
    ].entries()) {
      const keyAttention = await listActive('safety', 'WORK_SAFETY_KEY_ATTENTION');
      const externalReference = `默认安监升〔2026〕${index + 1}号`;
      const recorded = await escalate({ entryId: keyAttention.id, externalReference, ...first });
      expect(recorded.errors).toBeUndefined();
      const retried = await escalate({ entryId: keyAttention.id, externalReference, ...retry });
      expect(retried.errors, JSON.stringify(retried.errors)).toBeUndefined();
      expect(retried.data.black.id).toBe(recorded.data.black.id);
      expect(errorOf(await escalate({ entryId: keyAttention.id, externalReference, publicityDays: 3 }))?.code).toBe('CONFLICT');
    }
  });
});
