/**
 * Batch recognition and idempotent department writes (issue 18): a department's case system
 * sends its decisions in bulk (`recogniseMany`, `confirmMany`, `exitOnExpiryMany`,
 * `exitForChangedStandardMany`) and retries what it is not sure arrived, keyed by its own
 * decision number (`externalReference`). Through the gateway, on SQLite and MariaDB:
 * - 10 and 1,000 recognitions cost the department the same few SQL statements; answers in input order;
 * - a bad row in the middle is refused alone, naming its field, and leaves nothing behind
 *   (no entry, no history, no event); the other rows are written;
 * - a retry with the same reference and content answers the same entry and writes no event;
 *   other content is a CONFLICT naming the entry; two concurrent writers end with one entry;
 * - every role × every batch door: the same decision as the single mutations (policy);
 * - batch-recognised entries reach the platform (screening), like single ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startTestHub, type TestHub } from './env.js';
import { REPAIR, taxBlackRecognition, officer, testClock } from './list-actions.js';
import { identityNumber, organisationCode, random } from '../scripts/demo-data.js';
import type { TokenClaims } from '../scripts/token.js';
import { entriesTable, foreignListingsTable, historyTable, normalisedReferencesMigration } from '../subgraphs/kit/lists/tables.js';
import { referenceKey } from '../subgraphs/kit/lists/references.js';
import { outboxTable } from '../subgraphs/kit/outbox.js';
import { mayReadHistory, mayWriteDepartmentLists } from '../subgraphs/kit/auth/policy.js';
import { PUBLIC_PRINCIPAL, principalFromClaims, type Principal } from '../subgraphs/kit/auth/principal.js';
import { departments } from '../subgraphs/catalog.js';

const clock = testClock('2026-11-23T02:00:00.000Z');
const rng = random(1801);
const newOrganisation = () => organisationCode(rng, '320508');
const newPerson = () => identityNumber(rng, '320508');
let referenceNo = 0;
const newReference = () => `税稽罚〔2026〕${++referenceNo}号`;

const ENTRY = 'id creditCode status listKind externalReference';
const RESULT = `index entry { ${ENTRY} } error { code message field entryId }`;
const ACTION_RESULT = `index entry { ${ENTRY} } keyAttention { id listKind status } error { code message field entryId }`;

/** Every kind of caller, as token claims (null: the public) and as the principal the policy decides on. */
const CALLERS: [string, TokenClaims | null][] = [
  ['public', null],
  ['agency', { role: 'agency', agency: '某市发展改革委', sub: 'agency-1' }],
  ['partner', { role: 'partner', agency: '某银行', sub: 'partner-1' }],
  ['auditor', { role: 'auditor', sub: 'auditor-1' }],
  ...departments.map((d): [string, TokenClaims] => [`officer-${d.name}`, officer(d.name)]),
  ['admin', { role: 'admin', sub: 'admin-1' }],
];
const principalOf = (claims: TokenClaims | null): Principal =>
  claims ? (principalFromClaims({ ...claims }, departments.map((d) => d.name)) as Principal) : PUBLIC_PRINCIPAL;

let hub: TestHub;
const db = () => hub.hub.subgraphs.get('tax')!.db;

beforeAll(async () => {
  hub = await startTestHub({ subjects: 40, clock: clock.clock });
});
afterAll(async () => {
  await hub?.stop();
});

/** A black-list recognition of a new organisation, valid, with its own decision number. */
const item = (overrides: Record<string, unknown> = {}) => taxBlackRecognition(newOrganisation(), newReference(), overrides);

async function batch(field: string, inputType: string, inputs: unknown[], selection: string, as: TokenClaims | null = officer('tax')) {
  const response = await hub.queryAs(as, `mutation($inputs: [${inputType}!]!) { tax { ${field}(inputs: $inputs) { ${selection} } } }`, { inputs });
  return { status: response.status, results: response.data?.tax?.[field] as any[] | undefined, errors: response.errors };
}
const recogniseMany = (inputs: unknown[], as?: TokenClaims | null) => batch('recogniseMany', 'RecogniseInput', inputs, RESULT, as);
const confirmMany = (inputs: unknown[], as?: TokenClaims | null) => batch('confirmMany', 'ConfirmInput', inputs, ACTION_RESULT, as);
const exitOnExpiryMany = (inputs: unknown[], as?: TokenClaims | null) => batch('exitOnExpiryMany', 'ExpiryExitInput', inputs, ACTION_RESULT, as);

/** What a set of subjects left in the tax tables: entries, history rows, outbox events. */
async function written(codes: string[]) {
  const entries = await db()(entriesTable('tax')).whereIn('credit_code', codes);
  const ids = entries.map((e: any) => e.id);
  const history = ids.length ? await db()(historyTable('tax')).whereIn('entry_id', ids) : [];
  const events = await db()(outboxTable('tax')).whereIn('credit_code', codes);
  return { entries: entries.length, history: history.length, events: events.length };
}
const outboxSize = async () => Number((await db()(outboxTable('tax')).count({ n: '*' }))[0].n);

describe(`recogniseMany (${dialect})`, () => {
  it('answers 10 and 1,000 recognitions in input order in the same bounded number of SQL statements, with history and events for each', async () => {
    const counts: Record<number, number> = {};
    const timings: Record<number, number> = {};
    for (const size of [10, 1000]) {
      const inputs = Array.from({ length: size }, () => item());
      let response: Awaited<ReturnType<typeof recogniseMany>> | undefined;
      const started = performance.now();
      const statements = await hub.countStatements(async () => {
        response = await recogniseMany(inputs);
      });
      timings[size] = Math.round(performance.now() - started);
      expect(response!.errors, JSON.stringify(response!.errors)).toBeUndefined();
      const results = response!.results!;
      expect(results.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
      expect(results.map((r) => r.entry?.creditCode)).toEqual(inputs.map((input) => input.creditCode));
      expect(results.every((r) => r.error === null && r.entry.status === 'PRELIMINARY')).toBe(true);
      expect(results.map((r) => r.entry.externalReference)).toEqual(inputs.map((input) => input.externalReference));
      expect(await written(inputs.map((input) => input.creditCode))).toEqual({ entries: size, history: size, events: size });
      counts[size] = statements.tax;
    }
    console.log(`recogniseMany on ${dialect}: tax statements ${JSON.stringify(counts)}, wall time through the gateway (ms) ${JSON.stringify(timings)}`);
    // BEGIN, references, entries / history / events (500 rows a statement), COMMIT: the batch size changes only the chunks.
    expect(counts[10]).toBeLessThanOrEqual(8);
    expect(counts[1000]).toBeLessThanOrEqual(counts[10] + 3);
  });

  it("lets every department apply a batch's events in a bounded number of statements, each listing as its entry's last event says", async () => {
    await hub.hub.settle();
    const DEPARTMENTS = departments.map((d) => d.name);
    const counts: Record<number, Record<string, number>> = {};
    for (const size of [10, 1000]) {
      const inputs = Array.from({ length: size }, () => item());
      const ids = (await recogniseMany(inputs)).results!.map((r) => r.entry.id);
      // Some entries change again before the departments read: recognised and confirmed in one read batch.
      const confirmed = ids.slice(0, 5);
      expect((await confirmMany(confirmed.map((entryId) => ({ entryId })))).results!.every((r) => r.error === null)).toBe(true);
      counts[size] = await hub.countStatements(() => hub.hub.settle());
      for (const name of DEPARTMENTS) {
        const listings = await hub.hub.subgraphs.get(name)!.db(foreignListingsTable(name)).whereIn('entry_id', ids).select('entry_id', 'status');
        const status = new Map(listings.map((row: any) => [row.entry_id, row.status]));
        expect(status.size, `${name} knows every listing of the batch`).toBe(size);
        expect(ids.map((id) => status.get(id))).toEqual(ids.map((id) => (confirmed.includes(id) ? 'ACTIVE' : 'PRELIMINARY')));
      }
    }
    console.log(`cross-department consumers on ${dialect}: statements applying 10 and 1,000 recognitions ${JSON.stringify(counts)}`);
    // A read batch is 500 events: 1,000 take two, each the same few statements; never one per event.
    for (const name of DEPARTMENTS) expect(counts[1000][name], name).toBeLessThanOrEqual(2 * counts[10][name] + 10);
  }, 180_000);

  it('takes 1,000 full inputs within the body limit and refuses 1,001 with a typed error, writing nothing', async () => {
    const full = () =>
      item({
        lei: '300300C1050131000167',
        legalRepresentative: { name: '张三', idDocumentType: 'RESIDENT_IDENTITY_CARD', idDocumentNumber: newPerson() },
        facts: '经查，该单位于2025年1月至2026年6月期间，通过虚构业务、虚开增值税专用发票等方式少缴税款，情节严重，依法认定为重大税收违法失信主体。',
        legalBasis: '《重大税收违法失信主体信息公布管理办法》第六条',
        recognisedOn: '2026-11-20',
        evidenceRef: 'DOC-2026-0001-稽查报告',
        published: true,
      });
    const thousand = Array.from({ length: 1000 }, full);
    expect(JSON.stringify({ inputs: thousand }).length).toBeLessThan(2 * 1024 * 1024);
    const accepted = await recogniseMany(thousand);
    expect(accepted.errors, JSON.stringify(accepted.errors)).toBeUndefined();
    expect(accepted.results!.filter((r) => r.entry).length).toBe(1000);

    const tooMany = Array.from({ length: 1001 }, () => item());
    const before = await outboxSize();
    const refused = await recogniseMany(tooMany);
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].message).toMatch(/At most 1000 batch items per operation.*got 1001/);
    expect(await written(tooMany.map((input) => input.creditCode))).toEqual({ entries: 0, history: 0, events: 0 });
    expect(await outboxSize()).toBe(before);
  });

  it('refuses each bad row alone, naming row and field, writing nothing of it; the other rows are written', async () => {
    const good = () => item();
    const person = newPerson();
    const badCode = newOrganisation();
    const wrongCheck = badCode.slice(0, 17) + (badCode[17] === '0' ? '1' : '0');
    const validPerson = newPerson();
    const wrongDigit = validPerson.slice(0, 17) + (validPerson[17] === '1' ? '2' : '1');
    const inputs = [
      good(),
      item({ creditCode: wrongCheck }),
      good(),
      item({ legalRepresentative: { name: '李四', idDocumentType: 'RESIDENT_IDENTITY_CARD', idDocumentNumber: wrongDigit } }),
      item({ validUntil: null }),
      item({ validUntil: '2026-11-01' }),
      item({ listKind: 'A_GRADE_TAXPAYER', repair: { repairable: false } }),
      item({ creditCode: person, subjectName: '王五' }),
      item({ repair: null }),
      item({ externalReference: '   ' }),
      good(),
    ];
    const expected: Record<number, [string, string]> = {
      1: ['BAD_USER_INPUT', 'creditCode'],
      3: ['BAD_USER_INPUT', 'legalRepresentative.idDocumentNumber'],
      4: ['BAD_USER_INPUT', 'validUntil'],
      5: ['BAD_USER_INPUT', 'validUntil'],
      6: ['BAD_USER_INPUT', 'publicityDays'],
      7: ['NOTIFICATION_REQUIRED', 'notification'],
      8: ['BAD_USER_INPUT', 'repair'],
      9: ['BAD_USER_INPUT', 'externalReference'],
    };
    const { results, errors } = await recogniseMany(inputs);
    expect(errors, JSON.stringify(errors)).toBeUndefined();
    expect(results!.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
    for (const [index, result] of results!.entries()) {
      if (expected[index]) {
        const [code, field] = expected[index];
        expect(result.entry, `row ${index}`).toBeNull();
        expect(result.error, `row ${index}`).toMatchObject({ code, field });
        expect(result.error.message.startsWith(`inputs[${index}].${field}: `), result.error.message).toBe(true);
        expect(result.error.message).not.toMatch(/\n\s+at /);
      } else {
        expect(result.error, `row ${index}: ${JSON.stringify(result.error)}`).toBeNull();
        expect(result.entry.creditCode).toBe(inputs[index].creditCode);
      }
    }
    const refusedCodes = Object.keys(expected).map((i) => inputs[Number(i)].creditCode as string);
    const acceptedCodes = inputs.filter((_, i) => !expected[i]).map((input) => input.creditCode as string);
    expect(await written(refusedCodes)).toEqual({ entries: 0, history: 0, events: 0 });
    expect(await written(acceptedCodes)).toEqual({ entries: 3, history: 3, events: 3 });
    // The reference of a refused row is free: sent again, fixed, it is recorded.
    const fixed = await recogniseMany([{ ...inputs[4], validUntil: '2030-06-01' }]);
    expect(fixed.results![0].error).toBeNull();
    expect(fixed.results![0].entry.externalReference).toBe(inputs[4].externalReference);
  });

  it('answers a retry with the same reference and content with the same entry and no new event; other content is a CONFLICT naming the entry', async () => {
    const inputs = [item(), item(), item({ listKind: 'TAX_KEY_ATTENTION' })];
    const first = await recogniseMany(inputs);
    const ids = first.results!.map((r) => r.entry.id);
    const events = await outboxSize();

    // Same content, keys in another order and padded text: the same decision.
    const retried = inputs.map(({ facts, ...rest }) => ({ facts: `  ${facts} `, ...rest }));
    const again = await recogniseMany(retried);
    expect(again.results!.map((r) => r.entry?.id)).toEqual(ids);
    const single = await hub.queryAs(officer('tax'), `mutation($input: RecogniseInput!) { tax { recognise(input: $input) { id } } }`, { input: inputs[1] });
    expect(single.data.tax.recognise.id).toBe(ids[1]);
    expect(await outboxSize()).toBe(events);

    // Different content under a used reference: refused, naming the entry, nothing written.
    const changed = await recogniseMany([inputs[0], { ...inputs[1], validUntil: '2031-01-01' }, { ...inputs[2], creditCode: newOrganisation() }]);
    expect(changed.results![0].entry.id).toBe(ids[0]);
    for (const [index, result] of changed.results!.slice(1).entries()) {
      expect(result.error).toMatchObject({ code: 'CONFLICT', field: 'externalReference', entryId: ids[index + 1] });
      expect(result.error.message).toContain(ids[index + 1]);
    }
    const singleConflict = await hub.queryAs(officer('tax'), `mutation($input: RecogniseInput!) { tax { recognise(input: $input) { id } } }`, {
      input: { ...inputs[0], facts: '另一事实' },
    });
    expect(singleConflict.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', entryId: ids[0] });
    expect(await outboxSize()).toBe(events);

    // Twice in one batch: one entry; the second with other content is a conflict.
    const twice = item();
    const inBatch = await recogniseMany([twice, twice, { ...twice, facts: '不同' }]);
    expect(inBatch.results![1].entry.id).toBe(inBatch.results![0].entry.id);
    expect(inBatch.results![2].error).toMatchObject({ code: 'CONFLICT', entryId: inBatch.results![0].entry.id });
    expect(await written([twice.creditCode])).toEqual({ entries: 1, history: 1, events: 1 });
  });

  it('ends with one entry per reference when writers race with the same decisions', async () => {
    const inputs = Array.from({ length: 20 }, () => item());
    const racers = await Promise.all(Array.from({ length: 4 }, () => recogniseMany(inputs)));
    for (const racer of racers) expect(racer.errors, JSON.stringify(racer.errors)).toBeUndefined();
    const ids = racers[0].results!.map((r) => r.entry.id);
    for (const racer of racers) expect(racer.results!.map((r) => r.entry?.id)).toEqual(ids);
    expect(await written(inputs.map((input) => input.creditCode))).toEqual({ entries: 20, history: 20, events: 20 });

    // Racing with different content: one wins, the other is told whose entry holds the reference.
    const contested = item();
    const [a, b] = await Promise.all([recogniseMany([contested]), recogniseMany([{ ...contested, facts: '另一版本' }])]);
    const outcomes = [a.results![0], b.results![0]];
    const winner = outcomes.find((r) => r.entry)!;
    expect(outcomes.filter((r) => r.entry)).toHaveLength(1);
    expect(outcomes.find((r) => r.error)!.error).toMatchObject({ code: 'CONFLICT', entryId: winner.entry.id });
  });

  it('shows the reference to the department, administrators and auditors only (the history decision)', async () => {
    const input = item();
    const recorded = (await recogniseMany([input])).results![0].entry;
    await confirmMany([{ entryId: recorded.id }]);
    const checked: string[] = [];
    for (const [name, claims] of CALLERS) {
      const response = await hub.queryAs(claims, `query($code: ID!) { taxEntries(filter: { creditCode: $code }) { edges { node { id externalReference } } } }`, {
        code: input.creditCode,
      });
      const node = response.data?.taxEntries?.edges?.[0]?.node;
      if (!node) continue; // the caller does not see the entry at all (an agency whose scopes leave out black lists)
      checked.push(name);
      const may = mayReadHistory(principalOf(claims), 'tax');
      expect(node.externalReference, name).toBe(may ? input.externalReference : null);
      if (!may) expect(response.errors?.some((e: any) => ['FORBIDDEN', 'UNAUTHENTICATED'].includes(e.extensions.code)), name).toBe(true);
      expect(node.id).toBe(recorded.id);
    }
    expect(checked).toEqual(expect.arrayContaining(['public', 'agency', 'partner', 'auditor', 'officer-tax', 'officer-market', 'admin']));
  });
});

describe(`confirmMany and exits in bulk (${dialect})`, () => {
  it('confirms 10 and 1,000 entries in the same bounded number of SQL statements, with history and events for each', async () => {
    const counts: Record<number, number> = {};
    for (const size of [10, 1000]) {
      const entries = (await recogniseMany(Array.from({ length: size }, () => item()))).results!.map((r) => r.entry);
      let results: any[] | undefined;
      const statements = await hub.countStatements(async () => {
        results = (await confirmMany(entries.map((entry) => ({ entryId: entry.id, externalReference: newReference() })))).results;
      });
      expect(results!.map((r) => r.entry?.id)).toEqual(entries.map((entry) => entry.id));
      expect(results!.every((r) => r.entry.status === 'ACTIVE')).toBe(true);
      // Recognition and confirmation: two history rows and two events each.
      expect(await written(entries.map((entry) => entry.creditCode))).toEqual({ entries: size, history: 2 * size, events: 2 * size });
      counts[size] = statements.tax;
    }
    console.log(`confirmMany on ${dialect}: tax statements ${JSON.stringify(counts)}`);
    expect(counts[10]).toBeLessThanOrEqual(9);
    expect(counts[1000]).toBeLessThanOrEqual(counts[10] + 3);
  });

  it('confirms through the single guards, item by item, idempotently by reference', async () => {
    const recognised = (await recogniseMany([item(), item(), item({ publicityDays: 10 })])).results!.map((r) => r.entry);
    const references = [newReference(), newReference(), newReference()];
    const inputs = [
      { entryId: recognised[0].id, externalReference: references[0] },
      { entryId: 'no-such-entry', externalReference: references[1] },
      { entryId: recognised[2].id, externalReference: references[2] },
      { entryId: recognised[1].id },
    ];
    const first = await confirmMany(inputs);
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    const [ok, missing, inPublicity, plain] = first.results!;
    expect(ok.entry).toMatchObject({ id: recognised[0].id, status: 'ACTIVE' });
    expect(missing.error).toMatchObject({ code: 'NOT_FOUND', entryId: 'no-such-entry' });
    expect(inPublicity.error).toMatchObject({ code: 'PUBLICITY_NOT_OVER', entryId: recognised[2].id });
    expect(plain.entry.status).toBe('ACTIVE');
    const history = await hub.queryAs(officer('tax'), `query($code: ID!) { taxEntries(filter: { creditCode: $code }) { edges { node { history { action externalReference } } } } }`, {
      code: recognised[0].creditCode,
    });
    expect(history.data.taxEntries.edges[0].node.history).toEqual([
      { action: 'RECOGNISE', externalReference: null },
      { action: 'CONFIRM', externalReference: references[0] },
    ]);
    const events = await outboxSize();

    // The same confirmation again: answered, no new event; the unreferenced one is a transition no longer allowed.
    const again = await confirmMany(inputs);
    expect(again.results![0].entry).toMatchObject({ id: recognised[0].id, status: 'ACTIVE' });
    expect(again.results![3].error).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await outboxSize()).toBe(events);
    // A confirmation's reference used with other content.
    const conflict = await confirmMany([{ entryId: recognised[1].id, externalReference: references[0] }]);
    expect(conflict.results![0].error).toMatchObject({ code: 'CONFLICT', entryId: recognised[0].id });
    // The refused references are free.
    clock.advanceDays(11);
    const later = await confirmMany([{ entryId: recognised[2].id, externalReference: references[2] }]);
    expect(later.results![0].entry.status).toBe('ACTIVE');
  });

  it('exits 10 and 1,000 black entries for a changed standard in the same bounded number of statements, each followed by key attention', async () => {
    const counts: Record<number, number> = {};
    for (const size of [10, 1000]) {
      const entries = (await recogniseMany(Array.from({ length: size }, () => item()))).results!.map((r) => r.entry);
      await confirmMany(entries.map((entry) => ({ entryId: entry.id })));
      // A standard in force since the day after the recognitions.
      clock.advanceDays(1);
      const standard = { standardReference: '税务总局公告2026年第9号', standardEffectiveOn: clock.today(), reason: '认定标准调整' };
      let results: any[] | undefined;
      const statements = await hub.countStatements(async () => {
        const response = await batch('exitForChangedStandardMany', 'StandardChangeExitInput', entries.map((entry) => ({ entryId: entry.id, ...standard, externalReference: newReference() })), ACTION_RESULT);
        results = response.results;
      });
      clock.advanceDays(-1);
      expect(results!.map((r) => r.entry?.id)).toEqual(entries.map((entry) => entry.id));
      expect(results!.every((r) => r.entry.status === 'EXITED' && r.keyAttention?.status === 'ACTIVE')).toBe(true);
      // Per subject: the black entry (recognised, confirmed, exited) and its key attention (recognised).
      expect(await written(entries.map((entry) => entry.creditCode))).toEqual({ entries: 2 * size, history: 4 * size, events: 4 * size });
      counts[size] = statements.tax;
    }
    console.log(`exitForChangedStandardMany on ${dialect}: tax statements ${JSON.stringify(counts)}`);
    expect(counts[10]).toBeLessThanOrEqual(12);
    expect(counts[1000]).toBeLessThanOrEqual(counts[10] + 6);
  });

  it('exits on expiry in bulk: black entries go on key attention at once, refused items change nothing, a retry is answered', async () => {
    const recognised = (await recogniseMany([item({ validUntil: '2027-01-10' }), item({ validUntil: '2027-01-10' }), item({ validUntil: '2031-01-10' })])).results!.map(
      (r) => r.entry,
    );
    await confirmMany(recognised.map((entry) => ({ entryId: entry.id })));
    clock.set('2027-01-20T02:00:00.000Z');
    const inputs = [
      { entryId: recognised[0].id, externalReference: newReference() },
      { entryId: recognised[2].id, externalReference: newReference() },
      { entryId: recognised[1].id, reason: '有效期届满' },
    ];
    const exited = await exitOnExpiryMany(inputs);
    expect(exited.errors, JSON.stringify(exited.errors)).toBeUndefined();
    expect(exited.results![0].entry.status).toBe('EXITED');
    expect(exited.results![0].keyAttention).toMatchObject({ listKind: 'TAX_KEY_ATTENTION', status: 'ACTIVE' });
    expect(exited.results![1].error).toMatchObject({ code: 'EXIT_GROUNDS_MISSING', entryId: recognised[2].id });
    expect(exited.results![2].entry.status).toBe('EXITED');
    const stillActive = await db()(entriesTable('tax')).where({ id: recognised[2].id }).first();
    expect(stillActive.status).toBe('ACTIVE');
    const events = await outboxSize();
    const again = await exitOnExpiryMany([inputs[0]]);
    expect(again.results![0].entry.id).toBe(recognised[0].id);
    expect(again.results![0].keyAttention.id).toBe(exited.results![0].keyAttention.id);
    expect(await outboxSize()).toBe(events);
    clock.set('2026-11-23T02:00:00.000Z');
  });

  it('escalates to a black list idempotently by the black recognition\'s decision number', async () => {
    const keyAttention = (await recogniseMany([item({ listKind: 'TAX_KEY_ATTENTION' })])).results![0].entry;
    await confirmMany([{ entryId: keyAttention.id }]);
    const escalate = (input: Record<string, unknown>) =>
      hub.queryAs(officer('tax'), `mutation($input: EscalateInput!) { tax { escalateToBlackList(input: $input) { black { ${ENTRY} } keyAttention { id } } } }`, { input });
    const input = { entryId: keyAttention.id, blackListKind: 'MAJOR_TAX_VIOLATION', facts: '重点关注期内再次偷税', validUntil: '2030-06-01', repair: REPAIR, externalReference: newReference() };
    const first = await escalate(input);
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    const events = await outboxSize();
    const again = await escalate(input);
    expect(again.data.tax.escalateToBlackList).toEqual(first.data.tax.escalateToBlackList);
    expect(await outboxSize()).toBe(events);
    const changed = await escalate({ ...input, facts: '另一事实' });
    expect(changed.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', entryId: first.data.tax.escalateToBlackList.black.id });
  });

  it('lets the batch-recognised entries reach the platform: a screening finds them once confirmed', async () => {
    const inputs = [item(), item()];
    const ids = (await recogniseMany(inputs)).results!.map((r) => r.entry.id);
    await confirmMany(ids.map((entryId) => ({ entryId })));
    await hub.hub.settle();
    const screening = await hub.queryAs(
      { role: 'agency', agency: '某市公共资源交易中心' },
      `mutation($codes: [ID!]!) { screen(creditCodes: $codes, scenario: GOVERNMENT_PROCUREMENT, reference: "BATCH-1") { items { creditCode verdict activeEntries { entryId } } } }`,
      { codes: inputs.map((input) => input.creditCode) },
    );
    expect(screening.errors, JSON.stringify(screening.errors)).toBeUndefined();
    expect(screening.data.screen.items.map((i: any) => i.activeEntries.map((e: any) => e.entryId))).toEqual(ids.map((id) => [id]));
    expect(screening.data.screen.items.every((i: any) => i.verdict === 'RESTRICT')).toBe(true);
    // The platform collects every event of the batches above first (thousands on MariaDB take a while).
  }, 180_000);
});

describe(`decision numbers: one number, one decision (${dialect})`, () => {
  const recognise = (input: unknown) => hub.queryAs(officer('tax'), `mutation($input: RecogniseInput!) { tax { recognise(input: $input) { ${ENTRY} } } }`, { input });
  const confirm = (entryId: string, externalReference: string) =>
    hub.queryAs(officer('tax'), `mutation($id: ID!, $ref: String) { tax { confirm(entryId: $id, externalReference: $ref) { ${ENTRY} } } }`, { id: entryId, ref: externalReference });
  const exitForChangedStandard = (input: Record<string, unknown>) =>
    hub.queryAs(officer('tax'), `mutation($input: StandardChangeExitInput!) { tax { exitForChangedStandard(input: $input) { exited { ${ENTRY} } } } }`, {
      input: { standardEffectiveOn: '2026-11-20', reason: '认定标准调整', ...input },
    });

  it('compares numbers NFKC-normalised, trimmed, spaces collapsed and case-folded: another rendering of a number is the same decision', async () => {
    const n = ++referenceNo;
    const wide = `ｓｘ税罚（２０２６）　${n}号`;
    const first = await recognise(item({ externalReference: wide }));
    expect(first.errors).toBeUndefined();
    expect(first.data.tax.recognise.externalReference).toBe(`SX税罚(2026) ${n}号`);
    const again = await recognise({ ...item(), creditCode: first.data.tax.recognise.creditCode, externalReference: `  Sx税罚(2026)   ${n}号 ` });
    expect(again.errors).toBeUndefined();
    expect(again.data.tax.recognise.id).toBe(first.data.tax.recognise.id);
    expect(await written([first.data.tax.recognise.creditCode])).toEqual({ entries: 1, history: 1, events: 1 });
  });

  it('rewrites numbers stored before normalisation to their key (migration 010), so their retries are found', async () => {
    const input = item();
    const first = await recognise(input);
    const id = first.data.tax.recognise.id;
    // As an earlier release stored it: full-width, lower-case.
    const legacy = `ｌｅｇａｃｙ税罚（２０２６）${++referenceNo}号`;
    await db()(entriesTable('tax')).where({ id }).update({ external_reference: legacy });
    await normalisedReferencesMigration('tax').up(db());
    const [row] = await db()(entriesTable('tax')).where({ id }).select('external_reference');
    expect(row.external_reference).toBe(referenceKey(legacy));
    const retried = await recognise({ ...input, externalReference: legacy });
    expect(retried.errors).toBeUndefined();
    expect(retried.data.tax.recognise.id).toBe(id);
  });

  it('takes a retry that spells out the defaults as the same decision, not a CONFLICT', async () => {
    const list = departments.find((d) => d.name === 'tax')!.lists.find((l) => l.kind === 'MAJOR_TAX_VIOLATION')!;
    const input = item();
    const first = await recognise(input);
    const spelled = await recognise({ ...input, publicityDays: 0, published: list.publishedByDefault, legalBasis: list.legalBasis, lei: null });
    expect(spelled.errors).toBeUndefined();
    expect(spelled.data.tax.recognise.id).toBe(first.data.tax.recognise.id);
    // A default given another value is other content.
    const other = await recognise({ ...input, published: !list.publishedByDefault });
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', entryId: first.data.tax.recognise.id });
  });

  it('refuses a number across kinds of decision, naming the decision it was recorded for', async () => {
    const [a, b] = (await recogniseMany([item({ recognisedOn: '2026-11-01' }), item({ recognisedOn: '2026-11-01' })])).results!.map((r) => r.entry);
    // The recognition's number for a confirmation.
    const asConfirmation = await confirm(b.id, a.externalReference);
    expect(asConfirmation.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', entryId: a.id, externalReference: a.externalReference });
    expect(asConfirmation.errors?.[0].message).toContain('already used for the recognition of entry');
    // A confirmation's number for an exit: the message names the confirmation, not the exit.
    const confirmation = newReference();
    expect((await confirm(a.id, confirmation)).errors).toBeUndefined();
    const asExit = await exitForChangedStandard({ entryId: a.id, standardReference: '税务总局公告2026年第9号', externalReference: confirmation });
    expect(asExit.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', entryId: a.id });
    expect(asExit.errors?.[0].message).toContain('already used for the confirmation of entry');
    const inBatch = await batch('exitForChangedStandardMany', 'StandardChangeExitInput', [
      { entryId: a.id, standardReference: '税务总局公告2026年第9号', standardEffectiveOn: '2026-11-20', reason: '认定标准调整', externalReference: confirmation },
    ], ACTION_RESULT);
    expect(inBatch.results![0].error.message).toContain('already used for the confirmation of entry');
    // …and for a recognition.
    const asRecognition = await recognise(item({ externalReference: confirmation }));
    expect(asRecognition.errors?.[0].message).toContain('already used for the confirmation of entry');
    // An exit's number for a confirmation names the exit.
    const exit = newReference();
    expect((await exitForChangedStandard({ entryId: a.id, standardReference: '税务总局公告2026年第9号', externalReference: exit })).errors).toBeUndefined();
    const exitAsConfirmation = await confirm(b.id, exit);
    expect(exitAsConfirmation.errors?.[0].message).toContain('already used for the exit (STANDARD_CHANGED) of entry');
    expect((await hub.queryAs(officer('tax'), `query($code: ID!) { taxEntries(filter: { creditCode: $code }) { edges { node { status } } } }`, { code: b.creditCode })).data
      .taxEntries.edges[0].node.status).toBe('PRELIMINARY');
  });

  it('refuses an overlong standardReference with a typed error instead of cutting it, changing nothing', async () => {
    const [entry] = (await recogniseMany([item({ recognisedOn: '2026-11-01' })])).results!.map((r) => r.entry);
    expect((await confirm(entry.id, newReference())).errors).toBeUndefined();
    const long = await exitForChangedStandard({ entryId: entry.id, standardReference: '税'.repeat(181) });
    expect(long.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.grounds.standardReference' });
    expect(long.errors?.[0].message).toBe('grounds.standardReference is at most 180 characters; got 181: shorten it');
    expect(await written([entry.creditCode])).toEqual({ entries: 1, history: 2, events: 2 });
    const fits = await exitForChangedStandard({ entryId: entry.id, standardReference: '税'.repeat(180) });
    expect(fits.errors).toBeUndefined();
  });

  it('limits the free text of objections and early exits, naming the field', async () => {
    const [entry] = (await recogniseMany([item()])).results!.map((r) => r.entry);
    const act = (field: string, args: string, variables: Record<string, unknown>, selection = 'id') =>
      hub.queryAs(officer('tax'), `mutation(${args}) { tax { ${field} { ${selection} } } }`, variables);
    const grounds = await act('fileObjection(input: $input)', '$input: FileObjectionInput!', {
      input: { entryId: entry.id, kind: 'PUBLIC_OBJECTION', grounds: '理'.repeat(10_001) },
    });
    expect(grounds.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.grounds' });
    expect(grounds.errors?.[0].message).toBe('grounds is at most 10000 characters; got 10001: shorten it');
    const evidence = await act('fileObjection(input: $input)', '$input: FileObjectionInput!', {
      input: { entryId: entry.id, kind: 'PUBLIC_OBJECTION', grounds: '理由', evidenceRefs: ['ok', 'E'.repeat(201)] },
    });
    expect(evidence.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.evidenceRefs[1]' });
    const application = await act('applyForEarlyExit(entryId: $id, reference: $ref)', '$id: ID!, $ref: String', { id: entry.id, ref: 'R'.repeat(201) });
    expect(application.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.reference' });
    const decision = await act('decideEarlyExit(input: $input)', '$input: EarlyExitDecisionInput!', {
      input: { applicationId: 'no-such-application', approve: false, reason: '因'.repeat(2_001) },
    }, 'application { id }');
    expect(decision.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.reason' });
  });
});

describe(`who may write in bulk (${dialect})`, () => {
  const doors: [string, string, () => unknown][] = [
    ['recogniseMany', 'RecogniseInput', () => item()],
    ['confirmMany', 'ConfirmInput', () => ({ entryId: 'no-such-entry' })],
    ['exitOnExpiryMany', 'ExpiryExitInput', () => ({ entryId: 'no-such-entry' })],
    ['exitForChangedStandardMany', 'StandardChangeExitInput', () => ({ entryId: 'no-such-entry', standardReference: '公告2026年第3号', standardEffectiveOn: '2026-11-01', reason: '标准调整' })],
  ];
  for (const [name, claims] of CALLERS) {
    it(`${name}: every batch door answers as mayWriteDepartmentLists decides, like recognise`, async () => {
      const allowed = mayWriteDepartmentLists(principalOf(claims), 'tax').allowed;
      const single = await hub.queryAs(claims, `mutation($input: RecogniseInput!) { tax { recognise(input: $input) { id } } }`, { input: item() });
      expect(Boolean(single.data?.tax?.recognise), `${name} recognise`).toBe(allowed);
      for (const [field, inputType, input] of doors) {
        const selection = field === 'recogniseMany' ? RESULT : ACTION_RESULT;
        const { results, errors } = await batch(field, inputType, [input()], selection, claims);
        if (allowed) {
          expect(errors, `${name} ${field}: ${JSON.stringify(errors)}`).toBeUndefined();
          expect(results).toHaveLength(1);
        } else {
          expect(results ?? null, `${name} ${field}`).toBeNull();
          expect(errors?.[0].extensions?.code, `${name} ${field}`).toBe(claims ? 'FORBIDDEN' : 'UNAUTHENTICATED');
        }
      }
    });
  }
});
