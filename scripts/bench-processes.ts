/**
 * npm run bench:processes -- [--subjects 10000] [--duration 10] [--connections 8]
 *
 * The production layout: every subgraph and the gateway as its own process (npm run
 * subgraph / npm run gateway) on SQLite, a profile load through the gateway, and each
 * process's peak RSS (VmHWM from /proc). Appends a section to BENCHMARKS.md.
 */
import '../subgraphs/kit/config/startup.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { seed } from './seed.js';
import { mintDevelopmentToken } from './token.js';
import { defaultPorts, departments, subgraphs } from '../subgraphs/catalog.js';
import { inWords } from './bench/context.js';

const { values } = parseArgs({
  options: {
    subjects: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
  },
});
const dataDir = mkdtempSync(join(tmpdir(), 'credithub-processes-'));
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  CREDITHUB_JWT_SECRET: randomBytes(24).toString('hex'),
  CREDITHUB_INTERNAL_SECRET: randomBytes(24).toString('hex'),
  HOST: '127.0.0.1',
  // Request logs are not what this measures (bench:observability does).
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
Object.assign(process.env, { DATA_DIR: dataDir, CREDITHUB_JWT_SECRET: env.CREDITHUB_JWT_SECRET });
const basePort = 4600;
const log = (line: string) => console.log(`[bench:processes] ${line}`);

/** A process and all its descendants (`npx` → `sh` → `tsx` → the node process that runs the code). */
function descendants(pid: number): number[] {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return ''; // gone meanwhile (a short-lived helper process)
    }
  };
  const children = read(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/).filter(Boolean).map(Number);
  return [pid, ...children.flatMap(descendants)];
}

/** Peak RSS of the process that runs the code: the largest in the tree. */
function peakRssMiB(pid: number): number {
  const hwm = (p: number) => {
    try {
      return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      return 0;
    }
  };
  return Math.max(...descendants(pid).map(hwm));
}

async function waitFor(url: string) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not come up`);
}

async function main() {
  log(`seeding ${values.subjects} subjects…`);
  const demo = await seed({ subjects: Number(values.subjects) });
  const processes: [string, ChildProcess][] = [];
  const urls: Record<string, string> = {};
  for (const subgraph of subgraphs) {
    const port = basePort + (defaultPorts[subgraph.name] - 4000);
    urls[subgraph.name] = `http://127.0.0.1:${port}/graphql`;
    processes.push([subgraph.name, spawn('npx', ['tsx', 'scripts/subgraph.ts', subgraph.name], { env: { ...env, PORT: String(port) }, stdio: 'ignore', detached: true })]);
  }
  for (const url of Object.values(urls)) await waitFor(url.replace('/graphql', '/health'));
  const gatewayEnv = Object.fromEntries(Object.entries(urls).map(([name, url]) => [`${name.toUpperCase()}_SUBGRAPH_URL`, url]));
  processes.push(['gateway', spawn('npx', ['tsx', 'scripts/gateway.ts'], { env: { ...env, ...gatewayEnv, PORT: String(basePort) }, stdio: 'ignore', detached: true })]);
  const gatewayUrl = `http://127.0.0.1:${basePort}/graphql`;
  await waitFor(`http://127.0.0.1:${basePort}/health`);
  try {
    const token = await mintDevelopmentToken({ role: 'agency', agency: '基准测试审批中心', sub: 'bench' });
    const listed = [...new Set([...demo.entriesByDepartment.values()].flat().map((e) => e.creditCode))];
    const PROFILE = `query($c: ID!) { subject(creditCode: $c) { name legalRepresentative { name } ${departments.map((d) => `${d.name} { entries { id status } }`).join(' ')} } }`;
    let n = 0;
    log(`profile load: ${values.connections} connections for ${values.duration} s…`);
    const load = await autocannon({
      url: gatewayUrl,
      connections: Number(values.connections),
      duration: Number(values.duration),
      requests: [{
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        setupRequest: (request: any) => ({ ...request, body: JSON.stringify({ query: PROFILE, variables: { c: listed[n++ % listed.length] } }) }),
      }],
    });
    const rows = processes.map(([name, child]) => `| ${name} | ${peakRssMiB(child.pid!).toFixed(0)} MiB |`);
    const section = `
## 7. Separate processes (the production layout)

\`npm run bench:processes -- --subjects ${values.subjects} --duration ${values.duration} --connections ${values.connections}\` on ${new Date().toISOString().slice(0, 10)}:
${inWords(subgraphs.length)} subgraph processes and a gateway process on SQLite (\`npm run subgraph\`, \`npm run gateway\`),
a profile load without a stated purpose: ${load.latency.p50} ms median, ${load.latency.p99} ms p99,
${load.requests.average.toFixed(0)} req/s, ${load.errors + load.non2xx} errors. Peak RSS of each process during the load:

| process | peak RSS |
| --- | --- |
${rows.join('\n')}
`;
    appendFileSync(values.out!, section);
    console.log(section);
  } finally {
    // Each process runs in its own group (npx → sh → tsx → node): stop the whole group.
    for (const [, child] of processes) process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:processes failed: ${error.stack ?? error}`);
  process.exit(1);
});
