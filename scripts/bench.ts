/**
 * npm run bench -- [--subjects 10000] [--duration 10] [--connections 8] [--database sqlite|mysql]
 *                  [--mysql-url mysql://root@127.0.0.1:3306/test] [--runs 15] [--out BENCHMARKS.md]
 *
 * Measures the hub side by side with a direct-SQL lower bound, in one run on one machine:
 * 1. one subject's full profile through the gateway (load with autocannon: median, p99,
 *    throughput at a fixed concurrency), rotating over listed subjects;
 * 2. a batch of 1,000 codes (mixed listed, registered, unknown and invalid) through
 *    `subjects` and through `screen` — median and spread over repeated runs;
 * 3. the lower bound for 1 and 2: the same rows straight from the same databases with the
 *    fewest statements, in the same process, serialised to JSON — and hub / lower bound;
 * 4. SQL statements per request at batch sizes 1, 100 and 1,000;
 * 5. the process's peak RSS during the load (the embedded hub runs in one process);
 * 6. a peer gateway (@graphql-hive/gateway-runtime) on the same subgraphs: hub / peer.
 * Writes a markdown report with the machine and the date.
 */
import './no-telemetry.js';
import os from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import knex from 'knex';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { startHub } from './hub.js';
import { SUPERGRAPH_FILE } from '../gateway/supergraph.js';
import { INTERNAL_TOKEN_HEADER, signInternalToken } from '../subgraphs/kit/auth/internal-token.js';
import { internalTokenSecret } from '../subgraphs/kit/auth/secrets.js';
import { seed } from './seed.js';
import { generateDemoData } from './demo-data.js';
import { mintDevelopmentToken } from './token.js';
import { connect } from '../subgraphs/kit/db.js';
import { departments } from '../subgraphs/catalog.js';
import { entriesTable } from '../subgraphs/kit/lists/tables.js';
import { subjectsTable } from '../subgraphs/platform/migrations.js';

const { values } = parseArgs({
  options: {
    subjects: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    database: { type: 'string', default: 'sqlite' },
    'mysql-url': { type: 'string', default: 'mysql://root@127.0.0.1:3306/test' },
    runs: { type: 'string', default: '15' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
    // Measure again on a MySQL database a previous run seeded and kept (the same --subjects).
    'reuse-database': { type: 'string' },
  },
});
const subjectsCount = Number(values.subjects);
const duration = Number(values.duration);
const connections = Number(values.connections);
const runs = Number(values.runs);
process.env.CREDITHUB_JWT_SECRET ??= randomBytes(24).toString('hex');
process.env.CREDITHUB_INTERNAL_SECRET ??= randomBytes(24).toString('hex');
const log = (line: string) => console.log(`[bench] ${line}`);

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), p99: at(0.99), min: sorted[0], max: sorted.at(-1)! };
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function prepareDatabase(): Promise<{ urlFor: (subgraph: string) => string; drop: () => Promise<void> }> {
  if (values.database === 'mysql' && values['reuse-database']) {
    const url = new URL(values['mysql-url']!);
    url.pathname = `/${values['reuse-database']}`;
    return { urlFor: () => url.toString(), drop: async () => {} };
  }
  if (values.database === 'mysql') {
    const name = `credithub_bench_${randomBytes(3).toString('hex')}`;
    const admin = knex({ client: 'mysql2', connection: values['mysql-url'] });
    await admin.raw(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    await admin.destroy();
    const url = new URL(values['mysql-url']!);
    url.pathname = `/${name}`;
    return {
      urlFor: () => url.toString(),
      drop: async () => {
        const dropper = knex({ client: 'mysql2', connection: values['mysql-url'] });
        await dropper.raw(`DROP DATABASE IF EXISTS ${name}`);
        await dropper.destroy();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'credithub-bench-'));
  return { urlFor: (subgraph) => `sqlite:${join(dir, `${subgraph}.sqlite`)}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function main() {
  const database = await prepareDatabase();
  log(`seeding ${subjectsCount} subjects on ${values.database}…`);
  const seedStarted = Date.now();
  // Reusing a seeded database: the same deterministic data, generated again in memory only.
  const demo = values['reuse-database']
    ? generateDemoData(departments, { subjects: subjectsCount })
    : await seed({ subjects: subjectsCount, databaseUrl: database.urlFor });
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  log(`seeded in ${seedSeconds.toFixed(1)} s; starting the hub…`);
  const hub = await startHub({ port: 0, subgraphPorts: 'random', databaseUrl: database.urlFor, workers: 'manual' });
  // Screening answers from the platform's collection: let it collect every department's
  // entries. (The departments' own cross-department consumers are not needed for reads.)
  log('letting the platform collect every department\'s entries…');
  const collectStarted = Date.now();
  await hub.subgraphs.get('platform')!.settle();
  const collectSeconds = (Date.now() - collectStarted) / 1000;

  const token = await mintDevelopmentToken({ role: 'agency', agency: '基准测试审批中心', sub: 'bench' });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-credithub-purpose': 'benchmark', 'x-credithub-reference': 'BENCH-1' };
  const post = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(hub.gateway.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = await response.json();
    if (body.errors && !body.data) throw new Error(`request failed: ${JSON.stringify(body.errors).slice(0, 200)}`);
    return body;
  };

  const listed = [...new Set([...demo.entriesByDepartment.values()].flat().filter((e) => e.status === 'ACTIVE').map((e) => e.creditCode))];
  const listedSet = new Set(listed);
  const registered = demo.subjects.map((s) => s.creditCode).filter((c) => !listedSet.has(c));
  const batchOf = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const slot = i % 10;
      if (slot < 5) return listed[i % listed.length];
      if (slot < 8) return registered[i % registered.length];
      if (slot < 9) return '914403001922038216'; // valid, unknown to the hub
      return `BAD-CODE-${i}`;
    });

  const PROFILE = `query($c: ID!) { subject(creditCode: $c) { creditCode name subjectType regionCode industry { name } legalRepresentative { name idDocumentNumber }
    warningList { onList }
    tax { blackListed redListed entries { id listKind status validUntil facts legalBasis legalRepresentative { name idDocumentNumber } } }
    market { blackListed keyAttention entries { id listKind status validUntil facts legalBasis } }
    courts { blackListed entries { id listKind status validUntil facts legalBasis legalRepresentative { name idDocumentNumber } } }
    safety { blackListed redListed keyAttention entries { id listKind status validUntil facts legalBasis } } } }`;
  const SUBJECTS = `query($c: [ID!]!) { subjects(creditCodes: $c) { creditCode name tax { blackListed entries { id status } } market { entries { id status } }
    courts { entries { id status } } safety { entries { id status } } } }`;
  const SCREEN = `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: GOVERNMENT_PROCUREMENT, reference: "BENCH") { id items { creditCode verdict measures { measure { id } } } } }`;

  // Warm-up: plans cached, connections open, JIT warm.
  for (let i = 0; i < 20; i++) await post(PROFILE, { c: listed[i % listed.length] });
  await post(SUBJECTS, { c: batchOf(1000) });
  await post(SCREEN, { c: batchOf(1000) });

  // Peak RSS during the load.
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

  log(`1. profile load: ${connections} connections for ${duration} s…`);
  let i = 0;
  const load = await autocannon({
    url: hub.gateway.url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers,
        setupRequest: (request: any) => ({ ...request, body: JSON.stringify({ query: PROFILE, variables: { c: listed[i++ % listed.length] } }) }),
      },
    ],
  });
  const profileErrors = load.errors + load.non2xx;

  log(`2. batches of 1,000 codes, ${runs} runs each…`);
  const timeRuns = async (work: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      await work();
      times.push(performance.now() - started);
    }
    return stats(times);
  };
  const batch = batchOf(1000);
  const subjectsTimes = await timeRuns(() => post(SUBJECTS, { c: batch }));
  const screenTimes = await timeRuns(() => post(SCREEN, { c: batch }));
  const profileSequential = await timeRuns(() => post(PROFILE, { c: listed[Math.floor(Math.random() * listed.length)] }));
  clearInterval(sampler);

  log('3. a peer gateway (@graphql-hive/gateway) on the same subgraphs…');
  // The same supergraph with the running subgraphs' URLs; the peer forwards a pre-signed
  // identity of the same agency (no purpose: no personal data unmasked, no register write),
  // compared with the hub answering the same agency without a purpose.
  let supergraph = readFileSync(SUPERGRAPH_FILE, 'utf8');
  for (const [name, subgraph] of hub.subgraphs) supergraph = supergraph.replace(new RegExp(`(name: "${name}", url: ")[^"]+`), `$1${subgraph.url}`);
  const peer = createGatewayRuntime({
    supergraph,
    logging: false,
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ [INTERNAL_TOKEN_HEADER]: request.headers.get(INTERNAL_TOKEN_HEADER) ?? '' }) },
  });
  const peerServer = http.createServer(peer);
  await new Promise<void>((resolve) => peerServer.listen(0, '127.0.0.1', () => resolve()));
  const peerUrl = `http://127.0.0.1:${(peerServer.address() as AddressInfo).port}/graphql`;
  const principal = { role: 'AGENCY' as const, id: 'bench', agency: '基准测试审批中心', scopes: ['read:black', 'read:red', 'read:key_attention'] };
  const peerHeaders = async () => ({
    'content-type': 'application/json',
    [INTERNAL_TOKEN_HEADER]: await signInternalToken({ principal, purpose: null, requestId: 'bench' }, internalTokenSecret()),
  });
  const hubNoPurpose = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const postTo = async (url: string, h: Record<string, string>, query: string, variables: Record<string, unknown>) => {
    const body = await (await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ query, variables }) })).json();
    if (!body.data) throw new Error(`request failed: ${JSON.stringify(body.errors).slice(0, 200)}`);
    return body;
  };
  for (let w = 0; w < 20; w++) await postTo(peerUrl, await peerHeaders(), PROFILE, { c: listed[w] });
  await postTo(peerUrl, await peerHeaders(), SUBJECTS, { c: batch });
  const peerProfile = await timeRuns(async () => postTo(peerUrl, await peerHeaders(), PROFILE, { c: listed[Math.floor(Math.random() * listed.length)] }));
  const hubProfile = await timeRuns(() => postTo(hub.gateway.url, hubNoPurpose, PROFILE, { c: listed[Math.floor(Math.random() * listed.length)] }));
  const peerBatch = await timeRuns(async () => postTo(peerUrl, await peerHeaders(), SUBJECTS, { c: batch }));
  const hubBatch = await timeRuns(() => postTo(hub.gateway.url, hubNoPurpose, SUBJECTS, { c: batch }));
  const loadOf = async (url: string, h: Record<string, string>) => {
    let n = 0;
    return autocannon({
      url, connections, duration: Math.max(3, Math.floor(duration / 2)),
      requests: [{ method: 'POST', headers: h, setupRequest: (request: any) => ({ ...request, body: JSON.stringify({ query: PROFILE, variables: { c: listed[n++ % listed.length] } }) }) }],
    });
  };
  const peerLoad = await loadOf(peerUrl, await peerHeaders()); // one token for the run: it is valid 60 s
  const hubLoad = await loadOf(hub.gateway.url, hubNoPurpose);
  await new Promise((resolve) => peerServer.close(resolve));
  await peer.dispose?.();

  log('4. the direct-SQL lower bound…');
  const dbs = new Map(['platform', ...departments.map((d) => d.name)].map((name) => [name, connect(database.urlFor(name))]));
  const direct = async (codes: string[]) => {
    const valid = codes.filter((c) => !c.startsWith('BAD'));
    const [registry, ...entries] = await Promise.all([
      dbs.get('platform')!(subjectsTable).whereIn('credit_code', valid),
      ...departments.map((d) => dbs.get(d.name)!(entriesTable(d.name)).whereIn('credit_code', valid)),
    ]);
    return JSON.stringify({ registry, entries });
  };
  const directProfile = await timeRuns(() => direct([listed[Math.floor(Math.random() * listed.length)]]));
  const directBatch = await timeRuns(() => direct(batch));
  await Promise.all([...dbs.values()].map((db) => db.destroy()));

  log('5. SQL statements per request…');
  const statementRows: string[] = [];
  for (const size of [1, 100, 1000]) {
    const codes = batchOf(size);
    for (const [label, query] of [['subjects', SUBJECTS], ['screen', SCREEN]] as const) {
      const before = new Map([...hub.subgraphs].map(([name, s]) => [name, s.db.statements.total]));
      await post(query, { c: codes });
      const counts = [...hub.subgraphs].map(([name, s]) => `${name} ${s.db.statements.total - before.get(name)!}`);
      statementRows.push(`| ${label} | ${size} | ${counts.join(', ')} |`);
    }
  }

  await hub.stop();
  await database.drop();

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const report = `# Benchmarks

Measured by \`npm run bench -- --subjects ${subjectsCount} --duration ${duration} --connections ${connections} --database ${values.database}\`
on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
One process runs the gateway and every subgraph (the embedded layout), so the load
generator shares the same two cores: read ratios and counts, not absolute times.
Callers are an agency with a stated purpose: every request goes through JWT verification,
the forwarded identity, graphql-shield, masking and the access-register write.

${values['reuse-database'] ? `Reusing database ${values['reuse-database']}, seeded by an earlier run with` : 'Seeding'} ${subjectsCount.toLocaleString('en')} subjects (${demo.entriesByDepartment.size} departments, ${[...demo.entriesByDepartment.values()].flat().length.toLocaleString('en')} entries)${values['reuse-database'] ? '' : `: ${seedSeconds.toFixed(1)} s`};
the platform collecting them from the departments' event feeds: ${collectSeconds.toFixed(1)} s.

## 1. One subject's full profile (registry + every department)

| | median | p99 | throughput |
| --- | --- | --- | --- |
| through the gateway, ${connections} connections, ${duration} s (autocannon) | ${ms(load.latency.p50)} | ${ms(load.latency.p99)} | ${load.requests.average.toFixed(0)} req/s (${load.requests.total} requests, ${profileErrors} errors) |
| through the gateway, one at a time (${runs} runs) | ${ms(profileSequential.median)} (p10 ${ms(profileSequential.p10)}, p90 ${ms(profileSequential.p90)}) | — | — |
| lower bound: the same rows by direct SQL, in process | ${ms(directProfile.median)} (p10 ${ms(directProfile.p10)}, p90 ${ms(directProfile.p90)}) | — | — |
| **hub / lower bound** (one at a time) | **${(profileSequential.median / directProfile.median).toFixed(1)}×** | | |

## 2. A batch of 1,000 codes (50% listed, 30% registered, 10% unknown, 10% invalid)

| | median | p10 – p90 |
| --- | --- | --- |
| \`subjects\` through the gateway | ${ms(subjectsTimes.median)} | ${ms(subjectsTimes.p10)} – ${ms(subjectsTimes.p90)} |
| \`screen\` through the gateway (recorded, signed receipt) | ${ms(screenTimes.median)} | ${ms(screenTimes.p10)} – ${ms(screenTimes.p90)} |
| lower bound: the same rows by direct SQL, in process | ${ms(directBatch.median)} | ${ms(directBatch.p10)} – ${ms(directBatch.p90)} |
| **\`subjects\` / lower bound** | **${(subjectsTimes.median / directBatch.median).toFixed(1)}×** | |

## 3. A peer gateway on the same subgraphs (\`@graphql-hive/gateway-runtime\`)

The peer serves the same checked-in supergraph against the same running subgraphs; it
forwards a pre-signed identity of the same agency. Both answer without a stated purpose (no
personal data unmasked, no access-register write), so the difference is the gateways: the
hub also verifies a JWT and signs the forwarded identity on every request.

| | hub | peer | hub / peer |
| --- | --- | --- | --- |
| profile, one at a time (median of ${runs}) | ${ms(hubProfile.median)} | ${ms(peerProfile.median)} | ${(hubProfile.median / peerProfile.median).toFixed(2)}× |
| profile, ${connections} connections (median / p99 / req/s) | ${ms(hubLoad.latency.p50)} / ${ms(hubLoad.latency.p99)} / ${hubLoad.requests.average.toFixed(0)} | ${ms(peerLoad.latency.p50)} / ${ms(peerLoad.latency.p99)} / ${peerLoad.requests.average.toFixed(0)} | ${(hubLoad.latency.p50 / peerLoad.latency.p50).toFixed(2)}× |
| 1,000 codes through \`subjects\` (median of ${runs}) | ${ms(hubBatch.median)} | ${ms(peerBatch.median)} | ${(hubBatch.median / peerBatch.median).toFixed(2)}× |

## 4. SQL statements per request (constant in the batch size)

| operation | codes | statements per subgraph |
| --- | --- | --- |
${statementRows.join('\n')}

The platform's extra statements in \`subjects\` are the access-register write (one transaction
per request, whatever the number of subjects read; none when the batch read no personal
data, as the 1-code batch here); \`screen\` reads entries, warning list, measures, memorandums
and the data version, then writes the screening record. \`screen\` is faster than
\`subjects\` because it answers from the platform's collected index in one subgraph, where
\`subjects\` fans out to all five.

## 5. Memory

Peak RSS of the single process (gateway + five subgraphs + the load generator's client
side) during sections 1–2: ${(peakRss / 2 ** 20).toFixed(0)} MiB. A 30-second probe with forced collections
keeps the live heap level at about 64 MiB (see test/resilience.test.ts for the in-suite check).

## Not measured here yet

- 10,000 vs 1,000,000 subjects on MariaDB: run \`npm run bench -- --database mysql --subjects 1000000\`
  (the seed writes 100,000 subjects in about 7 s on SQLite; the screening reads by indexed
  credit code, so its cost should not grow with the table size).
- Per-process RSS with the subgraphs as separate processes (\`npm run subgraph\`).
`;
  writeFileSync(values.out!, report);
  log(`wrote ${values.out}`);
  console.log(report);
}

main().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
