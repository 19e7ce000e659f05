/**
 * The access register under concurrent unmasked reads, with a second platform replica on the
 * same database: every read is answered and registered, and every chain verifies — appends
 * spread over the register's chains instead of queuing on one head row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, postGraphQL, callerHeaders, startTestHub, type TestHub } from './env.js';
import type { TokenClaims } from '../scripts/token.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/server.js';
import { subgraphByName } from '../subgraphs/catalog.js';
import { accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';

const AGENCY: TokenClaims = { role: 'agency', sub: 'agency-chains', agency: '某区政府采购中心', region: '4403' };
const AUDITOR: TokenClaims = { role: 'auditor', sub: 'auditor-chains' };
const personQuery = `query($code: ID!) { subject(creditCode: $code) { name courts { entries { subjectName creditCode } } } }`;

let hub: TestHub;
let secondPlatform: RunningSubgraph;
let secondGateway: RunningGateway;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 300 });
  secondPlatform = await startSubgraph(subgraphByName('platform'), { port: 0, databaseUrl: hub.database.urlFor('platform') });
  const urls = Object.fromEntries([...hub.hub.subgraphs].map(([name, s]) => [name, s.url]));
  secondGateway = await startGateway({ port: 0, subgraphUrls: { ...urls, platform: secondPlatform.url } });
});
afterAll(async () => {
  await secondGateway?.stop();
  await secondPlatform?.stop();
  await hub?.stop();
});

describe(`the access register's chains (${dialect})`, () => {
  it('registers 40 concurrent unmasked reads through two platform replicas, each once, and every chain verifies', async () => {
    const people = [...new Set(hub.demo.entriesByDepartment.get('courts')!.filter((e) => e.subjectType === 'NATURAL_PERSON' && e.status === 'ACTIVE').map((e) => e.creditCode))];
    expect(people.length).toBeGreaterThan(0);
    const db = hub.hub.subgraphs.get('platform')!.db;
    const before = Number((await db(accessRegisterTable).count({ n: '*' }))[0].n);
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const url = i % 2 ? secondGateway.url : hub.url;
        return postGraphQL(url, personQuery, { code: people[i % people.length] }, await callerHeaders(AGENCY, { purpose: '政府采购供应商资格审查', reference: `CG-CHAINS-${i}` }));
      }),
    );
    const ms = Date.now() - started;
    const failed = responses.filter((r) => r.errors);
    expect(failed.map((r) => r.errors![0].extensions?.code)).toEqual([]);
    expect(responses.every((r) => r.data.subject.name && !r.data.subject.name.includes('*'))).toBe(true);
    const records = await db(accessRegisterTable).where('reference', 'like', 'CG-CHAINS-%');
    expect(new Set(records.map((r: any) => r.reference)).size).toBe(40);
    expect(Number((await db(accessRegisterTable).count({ n: '*' }))[0].n) - before).toBe(records.length);
    expect(new Set(records.map((r: any) => r.chain)).size).toBeGreaterThan(1);
    const verified = await hub.queryAs(AUDITOR, `{ verifyAccessRegister { valid checkedRecords problem } }`);
    expect(verified.data.verifyAccessRegister).toMatchObject({ valid: true, problem: null });
    console.log(`register chains (${dialect}): 40 concurrent unmasked reads through two replicas answered and registered in ${ms} ms, over ${new Set(records.map((r: any) => r.chain)).size} chains`);
  });
});
