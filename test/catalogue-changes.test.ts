/**
 * Who may change the joint-measure catalogue: the platform administrator only (policy.ts,
 * mayChangeMeasureCatalogue). Every change is recorded — who, when, what, before and
 * after — and auditors read the record. Every catalogue mutation × every role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import type { TokenClaims } from '../scripts/token.js';
import { departments as catalogue } from '../subgraphs/departments.js';

const departmentNames = catalogue.map((department) => department.name);

let now = new Date('2026-11-23T02:00:00.000Z');
const clock = () => now;
let hub: TestHub;
let blackCode: string;
const AGENCY: TokenClaims = { role: 'agency', agency: '某市财政局', sub: 'agency-1' };

beforeAll(async () => {
  hub = await startTestHub({ subjects: 300, clock });
  await hub.hub.settle();
  blackCode = hub.demo.entriesByDepartment
    .get('courts')!
    .find((e) => e.listKind === 'DISHONEST_JUDGMENT_DEBTOR' && e.status === 'ACTIVE' && e.creditCode.startsWith('9'))!.creditCode;
}, 120_000);
afterAll(() => hub?.stop());

const ROLES: [string, TokenClaims | null][] = [
  ['public', null],
  ['agency', AGENCY],
  ['partner', { role: 'partner', agency: '某银行', sub: 'partner-1' }],
  ['auditor', { role: 'auditor', sub: 'auditor-1' }],
  ...departmentNames.map((d): [string, TokenClaims] => [`officer of ${d}`, { role: 'officer', department: d, sub: `officer-${d}` }]),
];

const MEASURE_INPUT = `{ kind: PUNISHMENT, description: "限制参与政府采购活动（测试）", appliedBy: "财政部门", scenarios: [GOVERNMENT_PROCUREMENT], triggers: ["DISHONEST_JUDGMENT_DEBTOR"] }`;
const MUTATIONS: Record<string, string> = {
  addMemorandum: `mutation { addMemorandum(input: { title: "测试备忘录", documentNumber: "测〔2026〕1号", field: "测试", listTypes: ["BLACK"] }, effectiveFrom: "2026-11-23") { id } }`,
  addMeasure: `mutation { addMeasure(memorandumId: "memorandum-4", input: ${MEASURE_INPUT}, effectiveFrom: "2026-11-23") { id } }`,
  amendMeasure: `mutation { amendMeasure(measureId: "measure-4-1", changes: { description: "修订" }, effectiveFrom: "2026-11-24") { id } }`,
  withdrawMeasure: `mutation { withdrawMeasure(measureId: "measure-4-1", effectiveFrom: "2026-11-23") { id } }`,
};

const SCREEN = `mutation($codes: [ID!]!) { screen(creditCodes: $codes, scenario: GOVERNMENT_PROCUREMENT, reference: "CG-1") { items { verdict measures { measure { id version } } } } }`;
const catalogueState = async () =>
  JSON.stringify((await hub.query(`{ memorandums { id measures { id version description effectiveTo } } }`)).data);

describe('only the platform administrator changes the catalogue', () => {
  it('every other role, every catalogue mutation: refused (public UNAUTHENTICATED, others FORBIDDEN) and nothing changes', async () => {
    const before = await catalogueState();
    for (const [label, claims] of ROLES) {
      for (const [name, mutation] of Object.entries(MUTATIONS)) {
        const response = await hub.queryAs(claims, mutation);
        expect({ label, name, code: response.errors?.[0].extensions?.code, data: response.data }).toEqual({
          label,
          name,
          code: claims ? 'FORBIDDEN' : 'UNAUTHENTICATED',
          data: null,
        });
        if (claims) expect(response.errors![0].message).toMatch(/platform administrator/);
      }
    }
    expect(await catalogueState()).toBe(before);
    const changes = await hub.query(`{ catalogueChanges { edges { node { seq } } } }`);
    expect(changes.data.catalogueChanges.edges).toEqual([]);
  });

  it('a safety officer cannot withdraw a courts measure: a black-listed subject still screens RESTRICT', async () => {
    const safety = ROLES.find(([label]) => label === 'officer of safety')![1];
    const withdrawn = await hub.queryAs(safety, MUTATIONS.withdrawMeasure);
    expect(withdrawn.errors![0].extensions?.code).toBe('FORBIDDEN');
    const { data } = await hub.queryAs(AGENCY, SCREEN, { codes: [blackCode] });
    expect(data.screen.items[0].verdict).toBe('RESTRICT');
    expect(data.screen.items[0].measures.map((m: any) => m.measure.id)).toContain('measure-4-1');
  });
});

describe('each change is recorded and readable by auditors', () => {
  it('records who, when, what, before and after for every mutation the administrator makes', async () => {
    const admin: TokenClaims = { role: 'admin', sub: 'admin-zhang' };
    const results: Record<string, any> = {};
    for (const name of ['addMemorandum', 'addMeasure', 'amendMeasure', 'withdrawMeasure']) {
      const mutation = name === 'withdrawMeasure' ? MUTATIONS.withdrawMeasure.replace('2026-11-23', '2026-11-25') : MUTATIONS[name];
      const response = await hub.queryAs(admin, mutation);
      expect(response.errors, name).toBeUndefined();
      results[name] = response.data[name];
    }
    const QUERY = `query($m: ID) { catalogueChanges(measureId: $m, first: 10) { edges { node {
      seq changedAt actorRole actorId action memorandumId measureId effectiveFrom before after } } pageInfo { hasNextPage } } }`;
    const auditor = await hub.queryAs({ role: 'auditor', sub: 'auditor-1' }, QUERY);
    expect(auditor.errors).toBeUndefined();
    const nodes = auditor.data.catalogueChanges.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.action)).toEqual(['MEASURE_WITHDRAWN', 'MEASURE_AMENDED', 'MEASURE_ADDED', 'MEMORANDUM_ADDED']);
    expect(nodes.every((n: any) => n.actorRole === 'ADMIN' && n.actorId === 'admin-zhang' && n.changedAt === now.toISOString())).toBe(true);
    const [withdrawal, amendment, addition, memorandum] = nodes;
    expect(memorandum).toMatchObject({ memorandumId: results.addMemorandum.id, measureId: null, before: null, effectiveFrom: '2026-11-23' });
    expect(JSON.parse(memorandum.after)).toMatchObject({ title: '测试备忘录', documentNumber: '测〔2026〕1号' });
    expect(addition).toMatchObject({ memorandumId: 'memorandum-4', measureId: results.addMeasure.id, before: null });
    expect(JSON.parse(amendment.before)).toMatchObject({ id: 'measure-4-1', version: 1, description: '限制参与政府采购活动' });
    expect(JSON.parse(amendment.after)).toMatchObject({ id: 'measure-4-1', version: 2, description: '修订', effectiveFrom: '2026-11-24' });
    expect(JSON.parse(withdrawal.before)).toMatchObject({ id: 'measure-4-1', version: 2, effectiveTo: null });
    expect(JSON.parse(withdrawal.after)).toMatchObject({ id: 'measure-4-1', version: 2, effectiveTo: '2026-11-25' });
    // By measure, and paged.
    const ofMeasure = await hub.queryAs({ role: 'auditor', sub: 'auditor-1' }, QUERY, { m: 'measure-4-1' });
    expect(ofMeasure.data.catalogueChanges.edges.map((e: any) => e.node.action)).toEqual(['MEASURE_WITHDRAWN', 'MEASURE_AMENDED']);
    const page = await hub.queryAs({ role: 'auditor', sub: 'auditor-1' }, `{ catalogueChanges(first: 3) { edges { node { seq } } pageInfo { hasNextPage endCursor } } }`);
    expect(page.data.catalogueChanges.pageInfo.hasNextPage).toBe(true);
    const next = await hub.queryAs(
      { role: 'auditor', sub: 'auditor-1' },
      `query($a: String) { catalogueChanges(first: 3, after: $a) { edges { node { action } } } }`,
      { a: page.data.catalogueChanges.pageInfo.endCursor },
    );
    expect(next.data.catalogueChanges.edges.map((e: any) => e.node.action)).toEqual(['MEMORANDUM_ADDED']);
  });

  it('the record is for auditors and administrators only', async () => {
    for (const [label, claims] of ROLES.filter(([label]) => label !== 'auditor')) {
      const response = await hub.queryAs(claims, `{ catalogueChanges { edges { node { seq } } } }`);
      expect({ label, code: response.errors?.[0].extensions?.code }).toEqual({ label, code: claims ? 'FORBIDDEN' : 'UNAUTHENTICATED' });
    }
  });
});

describe('what a catalogue change answers', () => {
  const admin: TokenClaims = { role: 'admin', sub: 'admin-li' };

  it('a memorandum just added answers its measures as of the day it takes effect: none yet', async () => {
    const response = await hub.queryAs(
      admin,
      `mutation { addMemorandum(input: { title: "测试备忘录二", documentNumber: "测〔2026〕2号", field: "测试", listTypes: ["RED"] }, effectiveFrom: "2026-11-26") { id effectiveFrom measures { id } } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.addMemorandum).toMatchObject({ effectiveFrom: '2026-11-26', measures: [] });
  });

  it('an amendment that changes nothing is refused: no new version, no event, no catalogue change', async () => {
    const added = await hub.queryAs(admin, `mutation { addMeasure(memorandumId: "memorandum-4", input: ${MEASURE_INPUT}, effectiveFrom: "2026-11-26") { id description } }`);
    expect(added.errors).toBeUndefined();
    for (const changes of ['{ kind: null, description: null, appliedBy: null, scenarios: null, triggers: null }', '{}', `{ description: "${added.data.addMeasure.description}" }`]) {
      const refused = await hub.queryAs(admin, `mutation($id: ID!) { amendMeasure(measureId: $id, changes: ${changes}, effectiveFrom: "2026-11-27") { version } }`, { id: added.data.addMeasure.id });
      expect(refused.errors?.[0]?.extensions?.code, changes).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message).toContain('changes nothing');
    }
  });

  it('an amendment leaves the fields it gives as null as they were', async () => {
    const added = await hub.queryAs(admin, `mutation { addMeasure(memorandumId: "memorandum-4", input: ${MEASURE_INPUT}, effectiveFrom: "2026-11-26") { id } }`);
    expect(added.errors).toBeUndefined();
    const amended = await hub.queryAs(
      admin,
      `mutation($id: ID!) { amendMeasure(measureId: $id, changes: { description: "再修订", kind: null, triggers: null }, effectiveFrom: "2026-11-27") { version kind description scenarios triggers } }`,
      { id: added.data.addMeasure.id },
    );
    expect(amended.errors).toBeUndefined();
    expect(amended.data.amendMeasure).toEqual({
      version: 2,
      kind: 'PUNISHMENT',
      description: '再修订',
      scenarios: ['GOVERNMENT_PROCUREMENT'],
      triggers: ['DISHONEST_JUDGMENT_DEBTOR'],
    });
  });
});
