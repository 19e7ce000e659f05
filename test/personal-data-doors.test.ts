/**
 * Personal data and list visibility hold at every door, not only on `subject`: the nine
 * doors once found open, each through the gateway as the caller would try it. One policy
 * (subgraphs/kit/auth/policy.ts) decides them all; the schema walk (permission-walk.test.ts)
 * looks for the next door by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { startTestHub, type TestHub } from './env.js';
import { identityNumber, random } from '../scripts/demo-data.js';
import { mintDevelopmentToken, type TokenClaims } from '../scripts/token.js';
import type { ListEntry } from '../subgraphs/kit/lists/store.js';

const PURPOSE = { purpose: '政府采购供应商资格审查', reference: 'CG-2026-1201' };
const AGENCY: TokenClaims = { role: 'agency', agency: '某市财政局政府采购监管处', sub: 'agency-doors-1' };
const NO_SCOPE_AGENCY: TokenClaims = { ...AGENCY, sub: 'agency-doors-none', scopes: [] };
const RED_AGENCY: TokenClaims = { ...AGENCY, sub: 'agency-doors-red', scopes: ['read:red'] };
const RED_PARTNER: TokenClaims = { role: 'partner', agency: '某行业协会', sub: 'partner-doors-red', scopes: ['read:red'] };
const PARTNER: TokenClaims = { role: 'partner', agency: '某银行', sub: 'partner-doors' };
const AUDITOR: TokenClaims = { role: 'auditor', sub: 'auditor-doors' };
const officer = (department: string): TokenClaims => ({ role: 'officer', department, sub: `officer-doors-${department}` });

const masked = (id: string) => `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
const rng = random(20261201);

let hub: TestHub;
let person: ListEntry;
let blackOrganisation: string;
let representative: ListEntry;
let preliminaryPerson: { id: string; code: string };
let preliminaryTax: string;

async function recognise(department: string, input: Record<string, unknown>): Promise<{ id: string; status: string }> {
  const response = await hub.queryAs(officer(department), `mutation($input: RecogniseInput!) { ${department} { recognise(input: $input) { id status } } }`, {
    input: { subjectName: '示例主体', facts: '事实', validUntil: '2029-06-01', repair: { repairable: true, method: '整改并作出信用承诺', rectificationDeadline: '2029-01-01' }, ...input },
  });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data[department].recognise;
}

/** The access register's records of a person, as an auditor finds them. */
async function registerOf(code: string): Promise<{ principalId: string; fields: string[] }[]> {
  const { data, errors } = await hub.queryAs(AUDITOR, `query($code: ID!) { accessRegister(filter: { subjectCode: $code }, first: 100) { edges { node { principalId fields } } } }`, { code });
  expect(errors).toBeUndefined();
  return data.accessRegister.edges.map((e: any) => e.node);
}

const SCREEN = `mutation($codes: [ID!]!, $scenario: Scenario!) { screen(creditCodes: $codes, scenario: $scenario, reference: "ZB-2026-0042") {
  id receipt items { creditCode verdict activeEntries { entryId listType } measures { measure { id kind } triggeredBy } subject { name } } } }`;

beforeAll(async () => {
  hub = await startTestHub({ subjects: 300 });
  const all = [...hub.demo.entriesByDepartment.values()].flat();
  person = all.find((e) => e.subjectType === 'NATURAL_PERSON' && e.listKind === 'DISHONEST_JUDGMENT_DEBTOR' && e.status === 'ACTIVE')!;
  blackOrganisation = all.find((e) => e.subjectType === 'ORGANISATION' && e.listKind === 'DISHONEST_JUDGMENT_DEBTOR' && e.status === 'ACTIVE')!.creditCode;
  representative = all.find((e) => e.domain === 'TAX' && e.listType === 'BLACK' && e.status === 'ACTIVE' && e.legalRepresentative?.idDocumentNumber)!;
  const code = identityNumber(rng, '110105');
  const entry = await recognise('courts', {
    listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: code, subjectName: '黄强', notification: { notifiedOn: '2026-11-20', method: '书面告知书（直接送达）' },
  });
  preliminaryPerson = { id: entry.id, code };
  preliminaryTax = (await recognise('tax', { listKind: 'MAJOR_TAX_VIOLATION', creditCode: blackOrganisation })).id;
  await hub.hub.settle();
});
afterAll(() => hub?.stop());

describe('the nine doors', () => {
  it('case 1: joint-measure cases and recordMeasureFeedback mask natural persons\' numbers, and register the unmasked reads', async () => {
    const screened = await hub.queryAs(AGENCY, SCREEN, { codes: [person.creditCode], scenario: 'AIR_RAIL_TRAVEL' });
    const measure = screened.data.screen.items[0].measures[0].measure;
    const FEEDBACK = `mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id creditCode } }`;
    const input = { screeningId: screened.data.screen.id, creditCode: person.creditCode, measureId: measure.id, outcome: 'APPLIED', caseReference: 'CX-1', publish: true };
    const recorded = await hub.queryAs(AGENCY, FEEDBACK, { input });
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data.recordMeasureFeedback.creditCode).toBe(masked(person.creditCode));

    const CASES = `{ jointMeasureCases(first: 100) { edges { node { id creditCode } } } }`;
    const caseOf = (response: any) => response.data.jointMeasureCases.edges.find((e: any) => e.node.id === recorded.data.recordMeasureFeedback.id)?.node;
    for (const [claims, purpose] of [[null, PURPOSE], [PARTNER, PURPOSE], [AUDITOR, PURPOSE], [AGENCY, undefined]] as const) {
      const seen = caseOf(await hub.queryAs(claims, CASES, undefined, purpose));
      expect(seen.creditCode, JSON.stringify(claims)).toBe(masked(person.creditCode));
    }
    const before = (await registerOf(person.creditCode)).length;
    const withPurpose = caseOf(await hub.queryAs(AGENCY, CASES, undefined, PURPOSE));
    expect(withPurpose.creditCode).toBe(person.creditCode);
    const records = await registerOf(person.creditCode);
    expect(records.length).toBe(before + 1);
    expect(records[0]).toMatchObject({ principalId: AGENCY.sub, fields: ['JointMeasureCase.creditCode'] });
  });

  it('case 2: screening masks natural persons\' names without a purpose, registers them with one, and a screening is its screener\'s', async () => {
    const bare = await hub.queryAs(AGENCY, SCREEN, { codes: [person.creditCode], scenario: 'AIR_RAIL_TRAVEL' });
    expect(bare.data.screen.items[0].subject.name).toBe(`${person.subjectName[0]}${'*'.repeat(person.subjectName.length - 1)}`);
    const before = (await registerOf(person.creditCode)).length;
    const stated = await hub.queryAs(AGENCY, SCREEN, { codes: [person.creditCode], scenario: 'AIR_RAIL_TRAVEL' }, PURPOSE);
    expect(stated.data.screen.items[0].subject.name).toBe(person.subjectName);
    const records = await registerOf(person.creditCode);
    expect(records.length).toBe(before + 1);
    expect(records[0].fields).toContain('Subject.name');

    const READ = `query($id: ID!) { screening(id: $id) { id items { subject { name } } } }`;
    const later = await hub.queryAs(AGENCY, READ, { id: bare.data.screen.id });
    expect(later.data.screening.items[0].subject.name).not.toBe(person.subjectName);
    // Ownership is the principal's id: an agency token that names itself "tax" cannot read a tax officer's screening.
    const officers = await hub.queryAs(officer('tax'), SCREEN, { codes: [blackOrganisation], scenario: 'AIR_RAIL_TRAVEL' });
    const impostor = await hub.queryAs({ role: 'agency', agency: 'tax', sub: 'impostor' }, READ, { id: officers.data.screen.id });
    expect(impostor.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const sameName = await hub.queryAs({ ...AGENCY, sub: 'same-agency-other-principal' }, READ, { id: bare.data.screen.id });
    expect(sameName.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('case 3: subscriptions register what they deliver unmasked, and close when the token lapses', async () => {
    const wsUrl = hub.url.replace('http://', 'ws://');
    const token = await mintDevelopmentToken(AGENCY);
    const before = (await registerOf(person.creditCode)).length;
    const client = createClient({
      url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true,
      connectionParams: { authorization: `Bearer ${token}`, purpose: PURPOSE.purpose, reference: PURPOSE.reference },
    });
    const delivered = await new Promise<any[]>((resolve) => {
      const events: any[] = [];
      const timer = setTimeout(() => (dispose(), resolve(events)), 8000);
      const dispose = client.subscribe(
        { query: `subscription($c: ID) { changes(filter: { creditCode: $c }) { eventId creditCode } }`, variables: { c: person.creditCode } },
        { next: (m) => { events.push(m.data?.changes); if (events.length >= 1) { clearTimeout(timer); dispose(); resolve(events); } }, error: () => resolve(events), complete: () => {} },
      );
    });
    await client.dispose();
    expect(delivered[0].creditCode).toBe(person.creditCode);
    const records = await registerOf(person.creditCode);
    expect(records.length).toBeGreaterThan(before);
    expect(records[0]).toMatchObject({ principalId: AGENCY.sub, fields: ['ChangeEvent.creditCode'] });

    // A token that lapses: the connection closes with 4401, and nothing is delivered after.
    const shortLived = await mintDevelopmentToken(AGENCY, '2s');
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const lapsing = createClient({
        url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true,
        connectionParams: { authorization: `Bearer ${shortLived}` },
        on: { closed: (event: any) => resolve({ code: event.code, reason: event.reason }) },
      });
      lapsing.subscribe({ query: `subscription { changes { eventId } }` }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/expired/);
  });

  it('case 4: entryChanges and changes follow scopes, statuses and departments', async () => {
    const ENTRY_CHANGES = `{ entryChanges(first: 500) { edges { node { entryId listType status } } } }`;
    const all = async (claims: TokenClaims) => {
      const nodes: any[] = [];
      let after: string | null = null;
      for (;;) {
        const response: any = await hub.queryAs(claims, `query($after: String) { entryChanges(first: 500, after: $after) { edges { node { entryId listType status } } pageInfo { hasNextPage endCursor } } }`, { after });
        expect(response.errors).toBeUndefined();
        nodes.push(...response.data.entryChanges.edges.map((e: any) => e.node));
        if (!response.data.entryChanges.pageInfo.hasNextPage) return nodes;
        after = response.data.entryChanges.pageInfo.endCursor;
      }
    };
    void ENTRY_CHANGES;
    expect(await all(NO_SCOPE_AGENCY)).toEqual([]);
    for (const claims of [RED_AGENCY, RED_PARTNER]) {
      const nodes = await all(claims);
      expect(nodes.length).toBeGreaterThan(0);
      expect(nodes.every((n) => n.listType === 'RED'), JSON.stringify(claims)).toBe(true);
    }
    const agencyNodes = await all(AGENCY);
    expect(agencyNodes.every((n) => ['ACTIVE', 'EXITED'].includes(n.status))).toBe(true);
    expect(agencyNodes.map((n) => n.entryId)).not.toContain(preliminaryPerson.id);

    const CHANGES = `query($after: String) { changes(first: 500, after: $after) { edges { node { entryId status } } pageInfo { hasNextPage endCursor } } }`;
    const feed = async (claims: TokenClaims) => {
      const nodes: any[] = [];
      let after: string | null = null;
      for (;;) {
        const response: any = await hub.queryAs(claims, CHANGES, { after });
        nodes.push(...response.data.changes.edges.map((e: any) => e.node));
        if (!response.data.changes.pageInfo.hasNextPage) return nodes;
        after = response.data.changes.pageInfo.endCursor;
      }
    };
    expect((await feed(officer('tax'))).map((n) => n.entryId)).not.toContain(preliminaryPerson.id);
    expect((await feed(officer('courts'))).map((n) => n.entryId)).toContain(preliminaryPerson.id);
  });

  it('case 5: screen follows scopes: a read:red agency is not told of black entries', async () => {
    const red = await hub.queryAs(RED_AGENCY, SCREEN, { codes: [blackOrganisation], scenario: 'GOVERNMENT_PROCUREMENT' });
    expect(red.errors).toBeUndefined();
    const item = red.data.screen.items[0];
    expect(item.verdict).not.toBe('RESTRICT');
    expect(item.activeEntries.every((e: any) => e.listType === 'RED')).toBe(true);
    const full = await hub.queryAs(AGENCY, SCREEN, { codes: [blackOrganisation], scenario: 'GOVERNMENT_PROCUREMENT' });
    expect(full.data.screen.items[0].verdict).toBe('RESTRICT');
  });

  it('case 6: the warning list names only the domains whose entries the caller may see', async () => {
    const LIST = `{ warningList(first: 100) { edges { node { subject { creditCode warningList { domains } } domains } } } }`;
    const admin = await hub.queryAs({ role: 'admin' }, LIST);
    expect(admin.data.warningList.edges.length).toBeGreaterThan(0);
    expect(admin.data.warningList.edges[0].node.domains.length).toBeGreaterThanOrEqual(3);
    const publicView = await hub.queryAs(null, LIST);
    for (const { node } of publicView.data.warningList.edges) {
      expect(node.domains).toEqual([]);
      expect(node.subject.warningList.domains).toEqual([]);
    }
    const redOnly = await hub.queryAs(RED_AGENCY, LIST);
    expect(redOnly.data.warningList.edges.every((e: any) => e.node.domains.length === 0)).toBe(true);
  });

  it('case 7: reads of a legal representative\'s number are registered under the representative\'s own number', async () => {
    const rep = representative.legalRepresentative!.idDocumentNumber!;
    const before = (await registerOf(rep)).length;
    const { data } = await hub.queryAs(AGENCY, `query($c: ID!) { subject(creditCode: $c) { tax { entries { legalRepresentative { idDocumentNumber } } } } }`, { c: representative.creditCode }, PURPOSE);
    expect(data.subject.tax.entries.map((e: any) => e.legalRepresentative?.idDocumentNumber)).toContain(rep);
    const records = await registerOf(rep);
    expect(records.length).toBe(before + 1);
    expect(records[0].fields).toContain('LegalRepresentative.idDocumentNumber');
  });

  it('case 8: objections\' filers, the registry\'s representatives and screening receipts keep personal data marked', async () => {
    const filed = await hub.queryAs(officer('tax'), `mutation($input: FileObjectionInput!) { tax { fileObjection(input: $input) { id } } }`, {
      input: { entryId: representative.id, kind: 'PUBLIC_OBJECTION', grounds: '认定有误' },
    });
    expect(filed.errors).toBeUndefined();
    const READ = `query($c: ID!) { subject(creditCode: $c) { legalRepresentative { name } tax { entries { objections { filedBy } } } } }`;
    const audited = await hub.queryAs(AUDITOR, READ, { c: representative.creditCode }, PURPOSE);
    const filers = audited.data.subject.tax.entries.flatMap((e: any) => e.objections ?? []).map((o: any) => o.filedBy);
    expect(filers.length).toBeGreaterThan(0);
    expect(filers.every((f: string) => /^.\*+$/u.test(f))).toBe(true);
    const publicView = await hub.queryAs(null, `query($c: ID!) { subject(creditCode: $c) { legalRepresentative { name } } }`, { c: representative.creditCode });
    const name = representative.legalRepresentative!.name!;
    expect(publicView.data.subject.legalRepresentative.name).toBe(`${name[0]}${'*'.repeat(name.length - 1)}`);

    const screened = await hub.queryAs(AGENCY, SCREEN, { codes: [person.creditCode, blackOrganisation], scenario: 'AIR_RAIL_TRAVEL' }, PURPOSE);
    const verified = await hub.queryAs(null, `query($r: String!) { verifyScreeningReceipt(receipt: $r) { valid claims } }`, { r: screened.data.screen.receipt });
    expect(verified.data.verifyScreeningReceipt.valid).toBe(true);
    const claims = verified.data.verifyScreeningReceipt.claims as string;
    expect(claims).not.toContain(person.creditCode);
    expect(JSON.parse(claims).items.map((i: any) => i.code)).toEqual([masked(person.creditCode), blackOrganisation]);
  });

  it('case 9: an agency cannot hold an entry it may not see by reporting it', async () => {
    const report = await hub.queryAs(AGENCY, `mutation($input: FileObjectionInput!) { tax { fileObjection(input: $input) { id } } }`, {
      input: { entryId: preliminaryTax, kind: 'IMPLEMENTER_REPORT', grounds: '发现线索' },
    });
    expect(report.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const confirmed = await hub.queryAs(officer('tax'), `mutation($id: ID!) { tax { confirm(entryId: $id) { status } } }`, { id: preliminaryTax });
    expect(confirmed.errors, JSON.stringify(confirmed.errors)).toBeUndefined();
    expect(confirmed.data.tax.confirm.status).toBe('ACTIVE');
  });
});
