/**
 * Rule: one department down does not take the others — when a subgraph is stopped or hangs,
 * the gateway still answers (HTTP 200) with the registry and every other department's data,
 * that department's field null, and an error DOMAIN_UNAVAILABLE naming it; never a stack
 * trace or an internal service name.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerHeaders, postGraphQL, startTestHub, subjectsListedIn, type TestHub } from './env.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { departments as catalogue } from '../subgraphs/departments.js';

const departmentNames = catalogue.map((department) => department.name);

const PROFILE = /* GraphQL */ `
  query Profile($code: ID!) {
    subject(creditCode: $code) {
      creditCode registered name subjectType regionCode
      tax { blackListed entries { id status } }
      market { entries { id status } }
      courts { blackListed entries { id status } }
      safety { entries { id status } }
      ${departmentNames.filter((d) => !['tax', 'market', 'courts', 'safety'].includes(d)).map((d) => `${d} { entries { id status } }`).join('\n')}
    }
  }
`;

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 400, subgraphTimeoutMs: 1500 });
});
afterAll(() => hub?.stop());

/** A demo subject with entries in as many departments as possible, courts and safety included. */
function subjectListedEverywhere(): string {
  const sets = departmentNames.map((d) => new Set(hub.demo.entriesByDepartment.get(d)!.map((e) => e.creditCode)));
  const [courts, safety] = ['courts', 'safety'].map((name) => sets[departmentNames.indexOf(name)]);
  const candidates = hub.demo.subjects
    .map((s) => s.creditCode)
    .filter((code) => courts.has(code) && safety.has(code))
    .sort((a, b) => sets.filter((set) => set.has(b)).length - sets.filter((set) => set.has(a)).length);
  return candidates[0] ?? subjectsListedIn(hub.demo, 'courts')[0];
}

const idsIn = (department: string, code: string) =>
  hub.demo.entriesByDepartment.get(department)!.filter((e) => e.creditCode === code).map((e) => e.id).sort();

function expectNoInternals(body: unknown) {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/serviceName|stacktrace|exception|at .*\.[jt]s:\d+|ECONNREFUSED|TimeoutError|127\.0\.0\.1|localhost/);
}

function expectOthersAnswered(subject: any, code: string, down: string) {
  const registered = hub.demo.subjects.find((s) => s.creditCode === code)!;
  expect(subject).toMatchObject({ creditCode: code, registered: true, name: registered.name, subjectType: registered.subjectType });
  for (const department of departmentNames.filter((d) => d !== down)) {
    expect(subject[department], department).not.toBeNull();
    expect(subject[department].entries.map((e: any) => e.id).sort(), department).toEqual(idsIn(department, code));
  }
  expect(subject[down]).toBeNull();
}

// Runs first: it needs the hub's courts subgraph, which the next describe stops.
describe('a department that hangs', () => {
  let hanging: http.Server;
  let gateway: RunningGateway;
  let hangingUrl: string;
  const received: string[] = [];

  beforeAll(async () => {
    // Accepts the request and never answers.
    hanging = http.createServer((req) => {
      received.push(req.url ?? '');
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/graphql`;
    const subgraphUrls = Object.fromEntries([...hub.hub.subgraphs].map(([name, subgraph]) => [name, subgraph.url]));
    gateway = await startGateway({ port: 0, subgraphUrls: { ...subgraphUrls, safety: hangingUrl }, subgraphTimeoutMs: 800 });
  });
  afterAll(async () => {
    await gateway?.stop();
    hanging?.closeAllConnections();
    await new Promise((resolve) => hanging?.close(resolve));
  });

  it('answers within the deadline with safety null and DOMAIN_UNAVAILABLE "did not answer within"', async () => {
    const code = subjectListedEverywhere();
    expect(idsIn('safety', code).length).toBeGreaterThan(0);
    const headers = await callerHeaders({ role: 'admin', sub: 'test-admin' }, { purpose: 'test', reference: 'TEST-1' });

    const started = Date.now();
    const response = await postGraphQL(gateway.url, PROFILE, { code }, headers);
    const elapsed = Date.now() - started;

    // It waited for the deadline (the hung subgraph was really asked), and not much longer.
    expect(received.length).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(3000);
    expect(response.status).toBe(200);
    expectOthersAnswered(response.data.subject, code, 'safety');
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0].extensions).toEqual({ code: 'DOMAIN_UNAVAILABLE', domain: 'safety' });
    expect(response.errors![0].message).toContain('safety');
    expect(response.errors![0].message).toContain('did not answer within 800 ms');
    expectNoInternals(response);
  });

  it('still answers a query that does not touch the hung department at once', async () => {
    const code = subjectListedEverywhere();
    const headers = await callerHeaders({ role: 'admin', sub: 'test-admin' }, { purpose: 'test', reference: 'TEST-1' });
    const started = Date.now();
    const response = await postGraphQL(gateway.url, `query($code: ID!) { subject(creditCode: $code) { name tax { entries { id } } } }`, { code }, headers);
    expect(Date.now() - started).toBeLessThan(700);
    expect(response.errors).toBeUndefined();
    expect(response.data.subject.tax.entries.map((e: any) => e.id).sort()).toEqual(idsIn('tax', code));
  });
});

describe('a department that is down', () => {
  it('answers HTTP 200 with registry, tax, market and safety, courts null and DOMAIN_UNAVAILABLE naming courts', async () => {
    const code = subjectListedEverywhere();
    expect(idsIn('courts', code).length).toBeGreaterThan(0);
    // Up: everything is answered.
    const before = await hub.query(PROFILE, { code });
    expect(before.errors).toBeUndefined();
    expect(before.data.subject.courts.entries.map((e: any) => e.id).sort()).toEqual(idsIn('courts', code));

    await hub.hub.subgraphs.get('courts')!.stop();

    const started = Date.now();
    const response = await hub.query(PROFILE, { code });
    // Refused connections fail fast: no waiting for the 1.5 s deadline.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(response.status).toBe(200);
    expectOthersAnswered(response.data.subject, code, 'courts');
    expect(response.errors).toHaveLength(1);
    const [error] = response.errors!;
    expect(error.extensions).toEqual({ code: 'DOMAIN_UNAVAILABLE', domain: 'courts' });
    expect(error.message).toMatch(/courts subgraph is unavailable/);
    expect(error.message).toContain('could not be reached');
    expectNoInternals(response);
  });

  it('nulls the department in every subject of a batch, and answers the rest', async () => {
    const codes = hub.demo.subjects.slice(0, 50).map((s) => s.creditCode);
    const response = await hub.query(
      `query($codes: [ID!]!) { subjects(creditCodes: $codes) { creditCode name tax { entries { id } } courts { entries { id } } } }`,
      { codes },
    );
    expect(response.status).toBe(200);
    expect(response.data.subjects.map((s: any) => s.creditCode)).toEqual(codes);
    for (const subject of response.data.subjects) {
      expect(subject.courts).toBeNull();
      expect(subject.tax.entries.map((e: any) => e.id).sort()).toEqual(idsIn('tax', subject.creditCode));
    }
    expect(response.errors!.map((e) => e.extensions)).toEqual([{ code: 'DOMAIN_UNAVAILABLE', domain: 'courts' }]);
    expectNoInternals(response);
  });

  it("refuses the department's own list query with DOMAIN_UNAVAILABLE, and others still list", async () => {
    const down = await hub.query(`{ courtsEntries(first: 5) { totalCount } }`);
    expect(down.status).toBe(200);
    expect(down.data ?? null).toBeNull();
    expect(down.errors![0].extensions).toEqual({ code: 'DOMAIN_UNAVAILABLE', domain: 'courts' });
    expectNoInternals(down);

    const up = await hub.query(`{ taxEntries(first: 5) { totalCount } }`);
    expect(up.errors).toBeUndefined();
    expect(up.data.taxEntries.totalCount).toBe(hub.demo.entriesByDepartment.get('tax')!.length);
  });
});
