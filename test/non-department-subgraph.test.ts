/**
 * A subgraph that is no department is not taken for one. The gateway reads the departments
 * from the supergraph — the subgraphs that contribute `Mutation.<name>: DepartmentActions!` —
 * not as "every subgraph but the platform": with a `reports` subgraph composed beside the
 * catalogue's, the departments are still exactly the catalogue's, an officer's token may not
 * name `reports` (nor `platform`), and the platform collects no events from it. A department
 * outside the catalogue is still one: test/throwaway-department.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allow } from 'graphql-shield';
import { startTestHub, type TestHub } from './env.js';
import { officer } from './list-actions.js';
import { departmentNamesIn, readCheckedInSupergraph, subgraphUrlsIn } from '../gateway/supergraph.js';
import { departmentSubgraphs, departments, hubSubgraphs } from '../subgraphs/catalog.js';
import { composeSupergraph } from '../subgraphs/compose.js';
import type { SubgraphModule } from '../subgraphs/kit/server.js';
import { platformOffsetsTable } from '../subgraphs/platform/collection.js';
import { callerHeaders, postGraphQL } from '../scripts/client.js';

/** A subgraph of the hub that keeps no lists: one query of its own, no tables. */
const reports: SubgraphModule = {
  name: 'reports',
  schemaFiles: ['reports.graphql'],
  generatedSchema: {
    'reports.graphql': `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query {
  "The version of the reports served."
  reportsVersion: String!
}
`,
  },
  migrations: [],
  inputLimits: {},
  build: () => ({ resolvers: { Query: { reportsVersion: () => 'r1' } } as any, createLoaders: () => ({}), permissions: { Query: { reportsVersion: allow } } }),
};

const subgraphs = [...hubSubgraphs(departmentSubgraphs), reports];
const supergraphSdl = composeSupergraph(subgraphs, (name) => `http://127.0.0.1:1/${name}`);
const catalogueNames = departments.map((d) => d.name).sort();

describe('the departments of a supergraph', () => {
  it('are the catalogue\'s in the checked-in supergraph', () => {
    expect([...departmentNamesIn(readCheckedInSupergraph())].sort()).toEqual(catalogueNames);
  });

  it('leave out a subgraph that is no department (which "every subgraph but the platform" counted)', () => {
    expect(Object.keys(subgraphUrlsIn(supergraphSdl))).toContain('reports');
    expect(Object.keys(subgraphUrlsIn(supergraphSdl)).filter((name) => name !== 'platform').sort()).not.toEqual(catalogueNames); // the old rule
    expect([...departmentNamesIn(supergraphSdl)].sort()).toEqual(catalogueNames);
  });
});

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 10, subgraphs, supergraphSdl });
}, 120_000);
afterAll(() => hub?.stop());

describe('a hub with a subgraph that is no department, over HTTP', () => {
  it('serves that subgraph through the gateway', async () => {
    const { data, errors } = await hub.queryAs(null, '{ reportsVersion }');
    expect(errors).toBeUndefined();
    expect(data.reportsVersion).toBe('r1');
  });

  it.each(departments.map((d) => d.name))('takes the token of an officer of %s', async (name) => {
    const { data, errors } = await hub.queryAs(officer(name), `{ ${name}Entries(first: 1) { edges { node { id } } } }`);
    expect(errors).toBeUndefined();
    expect(data[`${name}Entries`].edges).toBeInstanceOf(Array);
  });

  it.each(['reports', 'platform'])('refuses an officer\'s token naming %s, listing the departments', async (name) => {
    // Minted as a token of any issuer could be: the gateway is the one that judges the claim.
    const headers = await callerHeaders(officer(name), undefined, [name]);
    const { data, errors } = await postGraphQL(hub.hub.gateway.url, '{ reportsVersion }', undefined, headers);
    expect(data ?? null).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const named = /one of ([a-z0-9, ]+)/.exec(errors?.[0]?.message ?? '')?.[1].split(', ');
    expect(named?.sort()).toEqual(catalogueNames);
  });

  it('collects the departments\' events and none from that subgraph', async () => {
    await hub.hub.settle();
    const sources = await hub.hub.subgraphs.get('platform')!.db(platformOffsetsTable).pluck('source');
    expect([...sources].sort()).toEqual(catalogueNames);
  });
});
