/**
 * The cost of list arguments: codes and list sizes count from variables, the codes of
 * one operation are capped over all its fields and aliases, and a subgraph stops work the
 * gateway has given up on. The caps are measured against the hub's largest real operations.
 * Loopback only; every request is bounded.
 */
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import knex from 'knex';
import {
  buildClientSchema,
  getIntrospectionQuery,
  Kind,
  parse,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlUrl, postGraphQL, callerHeaders, startTestHub, type TestHub } from './env.js';
import { OPERATION_LIMITS, operationSize } from '../gateway/operation-size.js';
import { startGateway } from '../gateway/server.js';
import { BATCH, PROFILE, PROFILES, SCREEN } from '../scripts/bench/workload.js';
import { serveGraphQL } from '../subgraphs/kit/http.js';
import { ScreeningService } from '../subgraphs/platform/screening.js';
import { MeasureCatalogue } from '../subgraphs/platform/measures.js';
import { ChangeFeed } from '../subgraphs/platform/change-feed.js';
import { loadReceiptKeys } from '../subgraphs/platform/receipts.js';
import { departments } from '../subgraphs/departments.js';

let hub: TestHub;
let schema: GraphQLSchema;
let codes: string[];
beforeAll(async () => {
  hub = await startTestHub({ subjects: 300 });
  await hub.hub.settle();
  schema = buildClientSchema((await hub.query(getIntrospectionQuery())).data);
  const known = hub.demo.subjects.map((s) => s.creditCode);
  codes = Array.from({ length: 1000 }, (_, i) => known[i % known.length]);
}, 120_000);
afterAll(() => hub?.stop());

const sizeOf = (text: string, variables: Record<string, unknown>) => {
  const document = parse(text);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return operationSize(schema, operation, fragments, variables);
};

const app = readFileSync('gateway/dashboard/app.js', 'utf8');
/** One of app.js's query builders (`function <name>(names) { … }`), called with the catalogue's departments as the page calls it. */
const dashboardQuery = (name: string): string => {
  const body = new RegExp('\\nfunction ' + name + '\\(names\\) \\{\\n([\\s\\S]*?`;)\\n\\}\\n').exec(app)![1];
  return new Function('names', body)(departments.map((department) => department.name));
};
const DASHBOARD_FIRST_LOAD = dashboardQuery('figuresQuery');
const DASHBOARD_LOOKUP = dashboardQuery('lookupQuery');
const ENTRY = `id domain listType listKind listName creditCode subjectName subjectType regionCode lei facts recognisingAuthority legalBasis
  recognisedOn validFrom validUntil status published publicityUntil sharedAt linkedAs
  legalRepresentative { name idDocumentType idDocumentNumber } repair { repairable method rectificationDeadline } exit { way on reason }
  history { at actor action fromStatus toStatus reason evidenceRef }`;
const FULL_PAGE = `{ taxEntries(first: 100) { totalCount pageInfo { endCursor } edges { cursor node { ${ENTRY} } } } }`;
const README_SCREEN = `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: GOVERNMENT_PROCUREMENT, reference: "ZB-2026-0042") {
  id receipt items { creditCode valid reason verdict onWarningList
    measures { measure { description appliedBy kind } memorandum { title documentNumber } triggeredBy }
    subject { name courts { entries(statuses: [ACTIVE]) { listName validUntil } } } } } }`;
const SUBJECTS = `query($c: [ID!]!) { subjects(creditCodes: $c) { creditCode name } }`;
const RECOGNISE_MANY = `mutation($inputs: [RecogniseInput!]!) { tax { recogniseMany(inputs: $inputs) { index entry { ${ENTRY} externalReference } error { code message field entryId } } } }`;
const recognitions = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ listKind: 'MAJOR_TAX_VIOLATION', creditCode: codes[i % codes.length], subjectName: '某公司', facts: '事实', validUntil: '2030-01-01', repair: { repairable: false } }));

describe('the largest legitimate operations fit the caps', () => {
  it.each([
    ['a full profile (bench a)', PROFILE, () => ({ code: codes[0] })],
    ['1,000 full profiles (bench statements)', PROFILES, () => ({ codes })],
    ['1,000 codes through subjects (bench b)', BATCH, () => ({ codes })],
    ['1,000 codes through screen (bench c)', SCREEN, () => ({ codes })],
    ['1,000 codes through screen, the README selection', README_SCREEN, () => ({ c: codes })],
    ['the dashboard first load, every figure', DASHBOARD_FIRST_LOAD, () => ({})],
    ['the dashboard lookup', DASHBOARD_LOOKUP, () => ({ code: codes[0] })],
    ['a 100-entry page with every field', FULL_PAGE, () => ({})],
    ['1,000 recognitions in one batch, every entry field in the answer', RECOGNISE_MANY, () => ({ inputs: recognitions(1000) })],
  ])('%s', (label, text, variables) => {
    const size = sizeOf(text, variables());
    console.log(`${label}: ${size.codes} codes, cost ${size.cost}`);
    expect(size.codes).toBeLessThanOrEqual(OPERATION_LIMITS.maxCodes);
    expect(size.longestList).toBeLessThanOrEqual(OPERATION_LIMITS.maxCodes);
    expect(size.cost).toBeLessThanOrEqual(OPERATION_LIMITS.maxCost);
  });

  it('and pass through the hub', async () => {
    for (const [text, variables] of [[PROFILES, { codes }], [README_SCREEN, { c: codes }], [FULL_PAGE, {}]] as const) {
      const response = await hub.query(text, variables);
      expect(response.errors).toBeUndefined();
    }
  });
});

describe('codes per operation, counted from variables', () => {
  const aliases = (n: number, field: (i: number) => string) => Array.from({ length: n }, (_, i) => field(i)).join(' ');

  it('30 aliases of subjects($c) with 1,000 codes (a 32 KB request) are refused at once, before any subgraph works', async () => {
    const query = `query($c: [ID!]!) { ${aliases(30, (i) => `a${i}: subjects(creditCodes: $c) { creditCode name tax { blackListed } }`)} }`;
    const statements = await hub.countStatements(async () => {
      const started = Date.now();
      const response = await postGraphQL(hub.url, query, { c: codes });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(response.status).toBe(400);
      expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'creditCodes' });
      expect(response.errors![0].message).toMatch(/At most 1000 codes per operation.*got 30000/);
    });
    expect(Object.values(statements).every((n) => n === 0)).toBe(true);
  });

  it('a variable left to its default counts as if sent: codes, batch items and page sizes written as defaults are refused alike', async () => {
    const literal = (values: unknown[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
    const codesDefault = `query($c: [ID!]! = ${literal(codes.slice(0, 40))}) { ${aliases(30, (i) => `a${i}: subjects(creditCodes: $c) { creditCode }`)} }`;
    const refusedCodes = await postGraphQL(hub.url, codesDefault, {});
    expect(refusedCodes.status).toBe(400);
    expect(refusedCodes.errors![0].message).toMatch(/got 1200/);
    const batchDefault = `mutation($in: [RecogniseInput!]! = ${literal(recognitions(40)).replace(/"(\w+)":/g, '$1:').replace(/"(MAJOR_TAX_VIOLATION)"/g, '$1')}) { tax { ${aliases(30, (i) => `a${i}: recogniseMany(inputs: $in) { index }`)} } }`;
    const refusedBatch = await postGraphQL(hub.url, batchDefault, {}, await callerHeaders({ role: 'officer', department: 'tax', sub: 'size-default' }));
    expect(refusedBatch.status).toBe(400);
    expect(refusedBatch.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(sizeOf(`query($n: Int = 100) { taxEntries(first: $n) { edges { node { id history { at } } } } }`, {}).cost)
      .toBe(sizeOf(`query($n: Int) { taxEntries(first: $n) { edges { node { id history { at } } } } }`, { n: 100 }).cost);
  });

  it('a value nested deeper than any input of the API is refused with its argument, not a crash', async () => {
    // Written out by hand: JSON.stringify itself cannot nest 100,000 deep.
    const body = `{"query": ${JSON.stringify(SUBJECTS)}, "variables": {"c": ${'['.repeat(100_000)}"914403001922038216"${']'.repeat(100_000)}}}`;
    const response = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const nested = await response.json();
    expect(response.status).toBe(400);
    expect(nested.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'creditCodes' });
    const manyEmpty = await postGraphQL(hub.url, SUBJECTS, { c: Array.from({ length: 500_000 }, () => []) });
    expect(manyEmpty.status).toBe(400);
    expect(manyEmpty.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('codes add up over aliases and fragments: 2 × 501 refused, 2 × 500 answered', async () => {
    const query = `query($a: [ID!]!, $b: [ID!]!) { a: subjects(creditCodes: $a) { ...S } b: subjects(creditCodes: $b) { ...S } } fragment S on Subject { creditCode }`;
    const refused = await hub.query(query, { a: codes.slice(0, 501), b: codes.slice(0, 501) });
    expect(refused.status).toBe(400);
    expect(refused.errors![0].message).toMatch(/got 1002/);
    const answered = await hub.query(query, { a: codes.slice(0, 500), b: codes.slice(500) });
    expect(answered.errors).toBeUndefined();
    expect(answered.data.a).toHaveLength(500);
  });

  it('inline codes count the same as variables', async () => {
    const inline = codes.slice(0, 600).map((c) => JSON.stringify(c)).join(',');
    const response = await hub.query(`{ a: subjects(creditCodes: [${inline}]) { creditCode } b: subjects(creditCodes: [${inline}]) { creditCode } }`);
    expect(response.status).toBe(400);
    expect(response.errors![0].message).toMatch(/got 1200/);
  });

  it('two screens of 600 codes in one mutation are refused, and nothing is screened or recorded', async () => {
    const platform = hub.hub.subgraphs.get('platform')!.db;
    const before = Number((await platform('platform_screenings').count({ n: '*' }))[0].n);
    const response = await hub.query(
      `mutation($a: [ID!]!) { a: screen(creditCodes: $a, scenario: BIDDING, reference: "R-A") { id } b: screen(creditCodes: $a, scenario: BIDDING, reference: "R-B") { id } }`,
      { a: codes.slice(0, 600) },
    );
    expect(response.status).toBe(400);
    expect(Number((await platform('platform_screenings').count({ n: '*' }))[0].n)).toBe(before);
  });

  it('batch items add up over aliases, and each item is answered: 2 × 501 refused, 2 × 500 counted', async () => {
    const twice = `mutation($a: [RecogniseInput!]!, $b: [RecogniseInput!]!) { tax { a: recogniseMany(inputs: $a) { index } b: recogniseMany(inputs: $b) { index } } }`;
    expect(sizeOf(twice, { a: recognitions(500), b: recognitions(500) })).toMatchObject({ items: 1000, cost: 1 + 2 * (1 + 500) });
    const response = await hub.query(twice, { a: recognitions(501), b: recognitions(501) });
    expect(response.status).toBe(400);
    expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'inputs' });
    expect(response.errors![0].message).toMatch(/At most 1000 batch items per operation.*got 1002/);
  });

  it('a list argument longer than the cap is refused, whatever its name', async () => {
    const statuses = Array.from({ length: 1500 }, () => 'ACTIVE');
    const response = await hub.query(`query($s: [EntryStatus!]) { taxEntries(filter: { statuses: $s }) { totalCount } }`, { s: statuses });
    expect(response.status).toBe(400);
    expect(response.errors![0].message).toMatch(/list argument has 1500 elements/);
  });

  it('the cost counts `first` from variables: a page size in $n multiplies its subtree', async () => {
    const query = `query($n: Int) { ${aliases(10, (i) => `p${i}: taxEntries(first: $n) { edges { node { ${ENTRY} } } }`)} }`;
    expect(sizeOf(query, { n: 100 }).cost).toBe(20 * sizeOf(query, { n: 5 }).cost - 19 * 10);
    const statements = await hub.countStatements(async () => {
      const response = await hub.query(query, { n: 1000 });
      expect(response.status).toBe(400);
      expect(response.errors![0].message).toContain(`Query cost ${sizeOf(query, { n: 1000 }).cost} is over the limit of 200000`);
    });
    expect(Object.values(statements).every((n) => n === 0)).toBe(true);
    const small = await hub.query(query, { n: 5 });
    expect(small.errors).toBeUndefined();
  });
});

describe('a subgraph stops work the gateway has given up on', () => {
  it('the request\'s signal aborts when the caller goes away before the answer', async () => {
    let seen: 'aborted' | 'not aborted' | null = null;
    const server = new ApolloServer<{ signal: AbortSignal }>({
      typeDefs: 'type Query { slow: Boolean }',
      resolvers: {
        Query: {
          slow: (_: unknown, __: unknown, ctx: { signal: AbortSignal }) =>
            new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => { seen = 'not aborted'; resolve(true); }, 3000);
              ctx.signal.addEventListener('abort', () => { clearTimeout(timer); seen = 'aborted'; resolve(false); });
            }),
        },
      },
    });
    await server.start();
    const http = await serveGraphQL(server, { port: 0, context: async (_req, signal) => ({ signal }) });
    try {
      await expect(
        fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ slow }"}', signal: AbortSignal.timeout(200) }),
      ).rejects.toThrow();
      const deadline = Date.now() + 2000;
      while (seen === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toBe('aborted');
      // An answered request is not "given up".
      const answered = await fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(answered.status).toBe(200);
    } finally {
      await http.close();
      await server.stop();
    }
  });

  it('a screening whose request was given up records nothing', async () => {
    const platform = hub.hub.subgraphs.get('platform')!.db;
    const clock = () => new Date();
    const screenings = new ScreeningService(platform, clock, new MeasureCatalogue(platform, clock, [], new ChangeFeed(platform)), await loadReceiptKeys());
    const givenUp = new AbortController();
    givenUp.abort();
    const principal = { role: 'AGENCY' as const, id: 'given-up', agency: '某局', scopes: [] };
    const reference = `GIVEN-UP-${Date.now()}`;
    await expect(screenings.screen(principal, { creditCodes: codes.slice(0, 10), scenario: 'BIDDING', reference }, givenUp.signal)).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(Number((await platform('platform_screenings').where({ reference }).count({ n: '*' }))[0].n)).toBe(0);
    await screenings.screen(principal, { creditCodes: codes.slice(0, 10), scenario: 'BIDDING', reference }, new AbortController().signal);
    expect(Number((await platform('platform_screenings').where({ reference }).count({ n: '*' }))[0].n)).toBe(1);
  });

  // The whole path needs a database whose driver waits without blocking the process:
  // better-sqlite3 waits for a lock synchronously, stopping the gateway's clock with it.
  it.skipIf(!mysqlUrl)('through the hub: a screening the gateway timed out on is not recorded (MariaDB)', async () => {
    const subgraphUrls = Object.fromEntries([...hub.hub.subgraphs].map(([name, s]) => [name, s.url]));
    const impatient = await startGateway({ subgraphUrls, subgraphTimeoutMs: 300 });
    const platform = hub.hub.subgraphs.get('platform')!.db;
    const reference = `TIMED-OUT-${Date.now()}`;
    // Holds the write lock of the screenings table, so the platform's insert waits past the deadline.
    const lock = knex({ client: 'mysql2', connection: hub.database.urlFor('platform'), pool: { min: 1, max: 1 } });
    await lock.raw('LOCK TABLES platform_screenings WRITE');
    let response;
    try {
      response = await postGraphQL(
        impatient.url,
        `mutation($c: [ID!]!, $r: String!) { screen(creditCodes: $c, scenario: BIDDING, reference: $r) { id } }`,
        { c: codes, r: reference },
        await callerHeaders({ role: 'agency', agency: '某局', sub: 'impatient' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await lock.raw('UNLOCK TABLES');
      await lock.destroy();
      await impatient.stop();
    }
    expect(response.errors![0].extensions?.code).toBe('DOMAIN_UNAVAILABLE');
    // The platform resumes once the lock is gone: give it up to 2 s to (not) write.
    const deadline = Date.now() + 2000;
    let written = 0;
    while (Date.now() < deadline && written === 0) {
      written = Number((await platform('platform_screenings').where({ reference }).count({ n: '*' }))[0].n);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(written).toBe(0);
  }, 20_000);
});
