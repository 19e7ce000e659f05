/**
 * Adding a department is its configuration and one entry in the catalogue: a throw-away
 * department (`trial`), defined here and added to a catalogue of the test's own, composes into
 * the supergraph with its generated SDL, is served through the gateway (recognise, confirm,
 * query its entries, its field on Subject, Query.departments), and counts towards the
 * warning list (a subject on key-attention lists of 3 domains, the throw-away one among them).
 * Nothing of the hub names it: its domain reaches the gateway through the supergraph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, type EnumTypeDefinitionNode } from 'graphql';
import { startTestHub, type TestHub } from './env.js';
import { listActions, officer, testClock } from './list-actions.js';
import { defineDepartment } from '../subgraphs/kit/lists/department.js';
import { departmentSubgraph, listEngineMigrations } from '../subgraphs/kit/lists/subgraph.js';
import { departmentSubgraphs, hubSubgraphs } from '../subgraphs/catalog.js';
import { departments } from '../subgraphs/departments.js';
import { composeSupergraph } from '../subgraphs/compose.js';

const trial = defineDepartment({
  name: 'trial',
  domain: 'TRIAL',
  authority: '试点认定部门',
  description: 'the trial department (试点)',
  label: '试点 Trial',
  lists: [
    { kind: 'TRIAL_BLACK', type: 'BLACK', title: '试点失信名单', legalBasis: '试点办法', defaultValidityDays: 365, subjectTypes: ['ORGANISATION'], publishedByDefault: true },
    { kind: 'TRIAL_KEY_ATTENTION', type: 'KEY_ATTENTION', title: '试点重点关注名单', legalBasis: '试点办法', defaultValidityDays: 365, subjectTypes: ['ORGANISATION'], publishedByDefault: true },
  ],
  keyAttentionAfterBlackExit: { kind: 'TRIAL_KEY_ATTENTION', validityDays: 365 },
});

const subgraphs = hubSubgraphs([...departmentSubgraphs, departmentSubgraph(trial, listEngineMigrations(trial))]);
const supergraphSdl = composeSupergraph(subgraphs, (name) => `http://127.0.0.1:1/${name}`);
const ENTRY = 'id status listType listKind creditCode recognisingAuthority';

const time = testClock();
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 30, clock: time.clock, subgraphs, supergraphSdl });
}, 120_000);
afterAll(() => hub?.stop());

const { newOrganisation, listActive } = listActions({ hub: () => hub, clock: time, seed: 77_5, entry: ENTRY });

/** One KEY_ATTENTION list of each of the other departments that has one. */
const otherKeyAttention = departments.map((d) => ({ name: d.name, kind: d.lists.find((l) => l.type === 'KEY_ATTENTION' && l.subjectTypes.includes('ORGANISATION'))?.kind })).filter((d) => d.kind);

describe('a throw-away department added to the catalogue', () => {
  it('composes: its domain, its lists and its fields are in the supergraph', () => {
    const document = parse(supergraphSdl);
    const enumValues = (name: string) =>
      (document.definitions.find((d) => d.kind === 'EnumTypeDefinition' && d.name.value === name) as EnumTypeDefinitionNode).values!.map((v) => v.name.value);
    expect(enumValues('Domain')).toEqual([...departments.map((d) => d.domain), 'TRIAL']);
    expect(enumValues('ListKind')).toEqual(expect.arrayContaining(['TRIAL_BLACK', 'TRIAL_KEY_ATTENTION']));
    expect(enumValues('join__Graph')).toContain('TRIAL');
    for (const field of ['trialEntries(', 'trialObjectionAndRepairStatistics(', 'trialInterviewsDue(', '  trial: DepartmentRecord', '  trial: DepartmentActions!']) expect(supergraphSdl).toContain(field);
  });

  it('is one of the hub\'s departments, as the platform lists them', async () => {
    const { data, errors } = await hub.queryAs(null, '{ departments { name domain authority label lists { kind type title } } }');
    expect(errors).toBeUndefined();
    expect(data.departments.map((d: any) => d.name)).toEqual([...departments.map((d) => d.name), 'trial']);
    expect(data.departments.at(-1)).toEqual({
      name: 'trial', domain: 'TRIAL', authority: '试点认定部门', label: '试点 Trial',
      lists: [{ kind: 'TRIAL_BLACK', type: 'BLACK', title: '试点失信名单' }, { kind: 'TRIAL_KEY_ATTENTION', type: 'KEY_ATTENTION', title: '试点重点关注名单' }],
    });
  });

  it('recognises through the gateway and serves its lists: its entries query and its field on Subject', async () => {
    const code = newOrganisation();
    const listed = await listActive('trial', 'TRIAL_BLACK', code);
    expect(listed).toMatchObject({ status: 'ACTIVE', listType: 'BLACK', listKind: 'TRIAL_BLACK', creditCode: code, recognisingAuthority: '试点认定部门' });
    const entries = await hub.queryAs(officer('trial'), `{ trialEntries(first: 10) { edges { node { id listKind } } } }`);
    expect(entries.errors).toBeUndefined();
    expect(entries.data.trialEntries.edges.map((e: any) => e.node.id)).toContain(listed.id);
    const subject = await hub.queryAs(null, `query($c: ID!) { subject(creditCode: $c) { trial { domain entries { id listName } } } }`, { c: code });
    expect(subject.errors).toBeUndefined();
    expect(subject.data.subject.trial).toEqual({ domain: 'TRIAL', entries: [{ id: listed.id, listName: '试点失信名单' }] });
    // Another department's officer does not act for it.
    const refused = await hub.queryAs(officer('tax'), `mutation { trial { recognise(input: { listKind: TRIAL_BLACK, creditCode: "${newOrganisation()}", subjectName: "某公司", facts: "事实", validUntil: "2030-01-01", repair: { repairable: false } }) { id } } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('counts towards the warning list: key attention in two other domains and in the throw-away one puts a subject on it', async () => {
    const count = async () => (await hub.query(`{ warningListStatistics(from: "2026-01-01", to: "2027-12-31") { current } }`)).data.warningListStatistics.current as number;
    const onList = async (code: string) => (await hub.query(`query($c: ID!) { subject(creditCode: $c) { warningList { onList domains } } }`, { c: code })).data.subject.warningList;
    const code = newOrganisation();
    for (const { name, kind } of otherKeyAttention.slice(0, 2)) await listActive(name, kind!, code);
    await hub.hub.settle();
    const before = await count();
    expect((await onList(code)).onList).toBe(false);
    await listActive('trial', 'TRIAL_KEY_ATTENTION', code);
    await hub.hub.settle();
    expect(await onList(code)).toEqual({ onList: true, domains: expect.arrayContaining(['TRIAL']) });
    expect(await count()).toBe(before + 1);
  });
});
