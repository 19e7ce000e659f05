/**
 * npm run bench:observability -- [--subjects 2000] [--requests 1500] [--rounds 2] [--out BENCHMARKS.md]
 *
 * What logs and traces cost: the hub's CPU time per request (process.cpuUsage of the hub's
 * process, the client is this process) on the profile workload — one subject's full profile
 * through the gateway as an agency with a stated purpose, the code rotating over listed
 * subjects, 4 requests at a time — in four settings, each in a fresh child process (tracing
 * patches modules as they load, so it cannot be turned on and off in one process):
 *   logs off (LOG_LEVEL=silent), tracing off     — the baseline
 *   logs on (info, JSON to a file),  tracing off
 *   logs off, tracing on (every request sampled, spans exported over OTLP/HTTP to a sink here)
 *   logs on, tracing on
 * The settings alternate over --rounds rounds (forwards, then backwards); the median of each
 * is reported. Writes (or replaces) the "Logs and traces" section of BENCHMARKS.md.
 */
import '../subgraphs/kit/config/startup.js';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeSection } from './bench/section.js';

const { values } = parseArgs({
  options: {
    subjects: { type: 'string', default: '2000' },
    requests: { type: 'string', default: '1500' },
    rounds: { type: 'string', default: '2' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
    child: { type: 'string' },
  },
});

interface Setting {
  name: string;
  logs: boolean;
  tracing: boolean;
}
const settings: Setting[] = [
  { name: 'logs off, tracing off', logs: false, tracing: false },
  { name: 'logs on, tracing off', logs: true, tracing: false },
  { name: 'logs off, tracing on', logs: false, tracing: true },
  { name: 'logs on, tracing on', logs: true, tracing: true },
];

/** In the child: the hub on the seeded databases; answers the parent's cpu-usage questions. */
async function runHub(dataDir: string): Promise<void> {
  if (process.env.BENCH_TRACING === '1') {
    const { startTracing } = await import('../subgraphs/kit/observability/tracing.js');
    startTracing('credithub-bench');
  }
  const { startHub } = await import('./hub.js');
  const hub = await startHub({ port: 0, subgraphPorts: 'random', databaseUrl: (name) => `sqlite:${join(dataDir, `${name}.sqlite`)}`, workers: 'manual' });
  process.on('message', async (message: string) => {
    if (message === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (message === 'stop') {
      await hub.stop();
      const { stopTracing } = await import('../subgraphs/kit/observability/tracing.js');
      await stopTracing();
      process.exit(0);
    }
  });
  process.send!({ url: hub.gateway.url });
}

function ask<T>(child: ReturnType<typeof fork>, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: any) => {
      if (key in reply) {
        child.off('message', listener);
        resolve(reply[key]);
      }
    };
    child.on('message', listener);
    child.send(message);
  });
}

/** A collector that accepts every OTLP export and counts the bytes. */
async function otlpSink(): Promise<{ url: string; bytes: () => number; close(): Promise<void> }> {
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bytes: () => bytes, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function measure(setting: Setting, dataDir: string, sinkUrl: string, codes: string[], headers: Record<string, string>, query: string): Promise<number> {
  const logDir = mkdtempSync(join(tmpdir(), 'credithub-bench-log-'));
  const child = fork(fileURLToPath(import.meta.url), ['--child', dataDir], {
    env: {
      ...process.env,
      LOG_LEVEL: setting.logs ? 'info' : 'silent',
      LOG_FORMAT: 'json',
      LOG_DESTINATION: join(logDir, 'bench.log'),
      BENCH_TRACING: setting.tracing ? '1' : '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: setting.tracing ? sinkUrl : '',
    },
    execArgv: process.execArgv,
  });
  const url = await new Promise<string>((resolve) => child.on('message', (m: any) => m.url && resolve(m.url)));
  const requests = Number(values.requests);
  let sent = 0;
  const run = async (count: number) => {
    const end = sent + count;
    const lane = async () => {
      while (sent < end) {
        const code = codes[sent++ % codes.length];
        const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables: { code } }) });
        const body = await response.json();
        if (body.errors) throw new Error(`profile failed: ${JSON.stringify(body.errors).slice(0, 200)}`);
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  };
  await run(300); // warm-up: JIT, caches, pools
  const before = await ask<NodeJS.CpuUsage>(child, 'cpu', 'cpu');
  await run(requests);
  const after = await ask<NodeJS.CpuUsage>(child, 'cpu', 'cpu');
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(logDir, { recursive: true, force: true });
  return (after.user - before.user + after.system - before.system) / requests;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const { seed } = await import('./seed.js');
  const { buildWorkload, PROFILE } = await import('./bench/workload.js');
  const { mintDevelopmentToken } = await import('./token.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'credithub-bench-observability-'));
  const demo = await seed({ subjects: Number(values.subjects), databaseUrl: (name) => `sqlite:${join(dataDir, `${name}.sqlite`)}` });
  const codes = buildWorkload(demo).listed.slice(0, 2000);
  const token = await mintDevelopmentToken({ role: 'agency', agency: '基准测试中心' });
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
    'x-credithub-purpose': encodeURIComponent('基准测试'),
    'x-credithub-reference': 'BENCH-OBS',
  };
  const sink = await otlpSink();
  const results = new Map<string, number[]>(settings.map((s) => [s.name, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    const order = round % 2 === 0 ? settings : [...settings].reverse();
    for (const setting of order) {
      const micros = await measure(setting, dataDir, sink.url, codes, headers, PROFILE);
      results.get(setting.name)!.push(micros);
      console.log(`round ${round + 1}: ${setting.name}: ${(micros / 1000).toFixed(2)} ms CPU per request`);
    }
  }
  await sink.close();
  rmSync(dataDir, { recursive: true, force: true });

  const baseline = median(results.get(settings[0].name)!);
  const rows = settings.map((s) => {
    const m = median(results.get(s.name)!);
    const change = s === settings[0] ? '—' : `${m >= baseline ? '+' : ''}${(((m - baseline) / baseline) * 100).toFixed(1)}%`;
    return `| ${s.name} | ${(m / 1000).toFixed(2)} | ${change} | ${results.get(s.name)!.map((x) => (x / 1000).toFixed(2)).join(', ')} |`;
  });
  const section = `## Logs and traces (\`npm run bench:observability\`) — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC

${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, SQLite, ${values.subjects} subjects. The hub's CPU time
(user + system, \`process.cpuUsage\` of the hub's own process; the client runs elsewhere) per request on
the profile workload: one subject's full profile through the gateway as an agency with a stated
purpose (every department called, the access register written), 4 requests at a time,
${values.requests} requests after 300 of warm-up, each setting in a fresh process, ${values.rounds} rounds alternating.
Logs on: every gateway and subgraph request line at \`info\`, JSON to a file. Tracing on: every
request sampled, spans (HTTP server and fetch, GraphQL, knex) exported over OTLP/HTTP to a sink in
the benchmark (${(sink.bytes() / 1e6).toFixed(1)} MB received in all).

| setting | CPU ms / request (median) | vs baseline | every round (ms) |
|---|---:|---:|---|
${rows.join('\n')}

Goal: at most +5% with tracing off, +15% with it on. The machine is shared: rounds differ by a few
per cent on their own.
`;
  writeSection(values.out!, '## Logs and traces', section);
  console.log(section);
}

if (values.child) await runHub(values.child);
else await main();
