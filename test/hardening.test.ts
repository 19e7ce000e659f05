/**
 * The public endpoint under hostile input: limits refuse oversized or too-deep queries
 * with typed errors before any subgraph is called; production hides the schema.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startTestHub, type TestHub } from './env.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';

let hub: TestHub;
let production: RunningGateway;
let trusted: RunningGateway;
const TRUSTED_QUERY = '{ checkCreditCode(code: "914403001922038216") { valid } }';

beforeAll(async () => {
  hub = await startTestHub({ subjects: 100 });
  const subgraphUrls = Object.fromEntries([...hub.hub.subgraphs].map(([name, s]) => [name, s.url]));
  production = await startGateway({ subgraphUrls, production: true });
  const dir = mkdtempSync(join(tmpdir(), 'credithub-trusted-'));
  const file = join(dir, 'trusted.json');
  writeFileSync(file, JSON.stringify([createHash('sha256').update(TRUSTED_QUERY).digest('hex')]));
  trusted = await startGateway({ subgraphUrls, trustedDocumentsFile: file });
});
afterAll(async () => {
  await production?.stop();
  await trusted?.stop();
  await hub?.stop();
});

const expectRefused = (response: Awaited<ReturnType<typeof postGraphQL>>, pattern: RegExp) => {
  expect(response.data ?? null).toBeNull();
  expect(response.errors![0].extensions?.code).toMatch(/GRAPHQL_VALIDATION_FAILED|GRAPHQL_PARSE_FAILED|BAD_REQUEST/);
  expect(response.errors![0].message).toMatch(pattern);
  expect(JSON.stringify(response)).not.toMatch(/stacktrace|node_modules/);
};

describe('query limits', () => {
  it('takes the deepest real query and refuses a deeper one', async () => {
    const deepest = `{ subject(creditCode: "914403001922038216") { courts { entries { legalRepresentative { name } history { actor } repair { method } exit { way } } } } }`;
    expect((await hub.query(deepest)).errors).toBeUndefined();
    const tooDeep = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }`;
    expectRefused(await postGraphQL(production.url, tooDeep), /depth/i);
  });

  it('takes a full 100-entry page, and refuses a query whose cost is far beyond it', async () => {
    const ENTRY = `id domain listType listKind listName creditCode subjectName subjectType regionCode lei facts recognisingAuthority legalBasis
      recognisedOn validFrom validUntil status published publicityUntil sharedAt linkedAs
      legalRepresentative { name idDocumentType idDocumentNumber } repair { repairable method rectificationDeadline } exit { way on reason }
      history { at actor action fromStatus toStatus reason evidenceRef }`;
    const page = await hub.query(`{ taxEntries(first: 100) { totalCount pageInfo { endCursor } edges { cursor node { ${ENTRY} } } } }`);
    expect(page.errors).toBeUndefined();
    expectRefused(await hub.query(`{ taxEntries(first: 100000) { edges { node { ${ENTRY} } } } }`), /cost/i);
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: checkCreditCode(code: "914403001922038216") { valid }`).join(' ');
    expectRefused(await hub.query(`{ ${aliases} }`), /alias/i);
  });

  it('refuses too many tokens, yet takes 1,000 codes written inline', async () => {
    const codes = hub.demo.subjects.map((s) => s.creditCode);
    const inline = Array.from({ length: 1000 }, (_, i) => JSON.stringify(codes[i % codes.length])).join(',');
    const ok = await hub.query(`{ subjects(creditCodes: [${inline}]) { creditCode } }`);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.subjects).toHaveLength(1000);
    const tokens = Array.from({ length: 6000 }, () => '"914403001922038216"').join(',');
    expectRefused(await hub.query(`{ subjects(creditCodes: [${tokens}, ${tokens}]) { creditCode } }`), /token/i);
  });

  it('refuses a body over the size limit, malformed JSON and batched requests, with typed errors', async () => {
    const big = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(3 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect((await big.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');

    const malformed = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).errors[0].extensions.code).toBe('BAD_REQUEST');

    const batched = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) });
    expect(batched.status).toBe(400);
  });

  it('keeps CSRF prevention on: a simple GET without a preflight header is refused', async () => {
    const response = await fetch(`${hub.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });
});

describe('production mode', () => {
  it('turns introspection off and hides field suggestions', async () => {
    const introspection = await postGraphQL(production.url, '{ __schema { queryType { name } } }');
    expect(introspection.errors![0].message).toMatch(/introspection/i);
    const typo = await postGraphQL(production.url, '{ subjekt(creditCode: "914403001922038216") { creditCode } }');
    expect(typo.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(typo.errors![0].message).not.toMatch(/Did you mean/);
    const devTypo = await hub.query('{ subjekt(creditCode: "914403001922038216") { creditCode } }');
    expect(devTypo.errors![0].message).toMatch(/Did you mean/);
  });
});

describe('trusted documents', () => {
  it('accepts only listed operations when configured', async () => {
    const listed = await postGraphQL(trusted.url, TRUSTED_QUERY);
    expect(listed.data.checkCreditCode.valid).toBe(true);
    const other = await postGraphQL(trusted.url, '{ checkCreditCode(code: "91440300708461136T") { valid } }');
    expect(other.status).toBe(403);
    expect(other.errors![0].extensions?.code).toBe('FORBIDDEN');
  });
});
