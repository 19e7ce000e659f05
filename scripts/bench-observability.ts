/**
 * npm run bench:observability -- [--subjects 2000] [--requests 1500] [--rounds 2] [--out BENCHMARKS.md]
 *                                [--minutes M] [--only TEXT] [--profile DIR]
 *
 * What logs and traces cost: the hub's CPU time per request (process.cpuUsage of the hub's
 * process, the client is this process) on the profile workload — one subject's full profile
 * through the gateway as an agency with a stated purpose, the code rotating over listed
 * subjects, 4 requests at a time per hub — in nine settings, each its hub in a fresh child
 * process on its own copy of the databases (tracing patches modules as they load, so it cannot
 * be turned on and off in one process):
 *   logs off (LOG_LEVEL=silent), tracing off     — the baseline
 *   logs on (info, JSON to a file),  tracing off
 *   logs off, tracing off again: a second baseline, how far two identical hubs differ
 *   logs off, tracing on (every request sampled, spans exported over OTLP/HTTP JSON to a sink here)
 *   logs on, tracing on
 *   logs off, then on, tracing on with one request in ten sampled (OTEL_TRACES_SAMPLER_ARG=0.1)
 *   logs off, tracing on with no request sampled (=0): instrumentations in place, no span made
 *   logs off, no tracing but an AsyncLocalStorage holding a value: what carrying a context costs on Node 20
 * In each of --rounds rounds every setting runs once beside a baseline of its own, the two hubs
 * at once with the requests dealt to them in turn, so a load that comes and goes on a shared
 * machine weighs on both alike; each setting is compared with the baseline beside it, and the
 * median and range over the rounds are reported. Writes (or replaces) the "Logs and traces" section of BENCHMARKS.md.
 * --minutes stops starting rounds once the next would end past that many minutes.
 * --only runs the baseline and the settings whose names contain TEXT; --profile writes a V8
 * CPU profile of each hub's measured requests into DIR (neither writes BENCHMARKS.md).
 */
import '../subgraphs/kit/config/startup.js';
import os from 'node:os';
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeSection } from './bench/section.js';
import { median } from './bench/stats.js';

const { values } = parseArgs({
  options: {
    subjects: { type: 'string', default: '2000' },
    requests: { type: 'string', default: '1500' },
    rounds: { type: 'string', default: '2' },
    // Stop starting rounds once another would end past this many minutes (a shared machine).
    minutes: { type: 'string' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
    child: { type: 'string' },
    profile: { type: 'string' },
    only: { type: 'string' },
  },
});

interface Setting {
  name: string;
  logs: boolean;
  tracing: boolean;
  /** OTEL_TRACES_SAMPLER_ARG: the share of requests traced (the default: every one). */
  ratio?: string;
  /** No tracing, only OpenTelemetry's context manager carrying a context through every promise: tracing's floor. */
  contextOnly?: boolean;
}
const settings: Setting[] = [
  { name: 'logs off, tracing off', logs: false, tracing: false },
  // The same as the baseline in a process of its own: how far two identical hubs differ, the resolution of every other row.
  { name: 'logs off, tracing off (a second baseline)', logs: false, tracing: false },
  { name: 'logs on, tracing off', logs: true, tracing: false },
  { name: 'logs off, tracing on', logs: false, tracing: true },
  { name: 'logs on, tracing on', logs: true, tracing: true },
  { name: 'logs off, tracing on, 10% sampled', logs: false, tracing: true, ratio: '0.1' },
  { name: 'logs on, tracing on, 10% sampled', logs: true, tracing: true, ratio: '0.1' },
  { name: 'logs off, tracing on, none sampled', logs: false, tracing: true, ratio: '0' },
  { name: 'logs off, context manager only', logs: false, tracing: false, contextOnly: true },
];

/** In the child: the hub on the seeded databases; answers the parent's cpu-usage questions. */
async function runHub(dataDir: string): Promise<void> {
  // A tracing hub's spans still waiting in its batch are written before each CPU reading: the writing is the measured requests' work.
  let flushSpans = async () => {};
  if (process.env.BENCH_TRACING === '1') {
    const { startTracing, flushTracing } = await import('../subgraphs/kit/observability/tracing.js');
    startTracing('credithub-bench');
    flushSpans = flushTracing;
  }
  // The floor of tracing on Node 20: no tracer, no instrumentation, only what the SDK's context
  // manager (an AsyncLocalStorage) costs once it holds a value — every promise and async
  // resource of the hub inheriting it through async_hooks.
  const inContext = <T>(start: () => Promise<T>): Promise<T> =>
    process.env.BENCH_CONTEXT_ONLY === '1' ? new AsyncLocalStorage<boolean>().run(true, start) : start();
  const { startHub } = await import('./hub.js');
  const hub = await inContext(() => startHub({ port: 0, subgraphPorts: 'random', databaseUrl: (name) => `sqlite:${join(dataDir, `${name}.sqlite`)}`, workers: 'manual' }));
  // With --profile: a V8 CPU profile of the measured requests only ('profile' starts it, the next stops it).
  const profiler = process.env.BENCH_PROFILE ? new (await import('node:inspector/promises')).Session() : undefined;
  let profiling = false;
  process.on('message', async (message: string) => {
    if (message === 'cpu') {
      await flushSpans();
      process.send!({ cpu: process.cpuUsage() });
    }
    if (message === 'profile' && profiler) {
      if (!profiling) {
        profiling = true;
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
      } else {
        const { profile } = await profiler.post('Profiler.stop');
        writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
      }
      process.send!({ profiled: true });
    }
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

let profiles = 0;

interface RunningHub {
  setting: Setting;
  child: ReturnType<typeof fork>;
  url: string;
  dirs: string[];
}

/** One setting's hub in a fresh process, on its own copy of the seeded databases. */
async function startSettingHub(setting: Setting, seeded: string, sinkUrl: string): Promise<RunningHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'credithub-bench-data-'));
  cpSync(seeded, dataDir, { recursive: true });
  const logDir = mkdtempSync(join(tmpdir(), 'credithub-bench-log-'));
  const child = fork(fileURLToPath(import.meta.url), ['--child', dataDir], {
    env: {
      ...process.env,
      LOG_LEVEL: setting.logs ? 'info' : 'silent',
      LOG_FORMAT: 'json',
      LOG_DESTINATION: join(logDir, 'bench.log'),
      BENCH_TRACING: setting.tracing ? '1' : '0',
      BENCH_CONTEXT_ONLY: setting.contextOnly ? '1' : '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: setting.tracing ? sinkUrl : '',
      // The encoding the report names, whatever the shell running the benchmark sets.
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER_ARG: setting.ratio ?? '',
      BENCH_PROFILE: values.profile ? join(values.profile, `${setting.name.replace(/[^a-z]+/g, '-')}-${++profiles}.cpuprofile`) : '',
    },
    execArgv: process.execArgv,
  });
  const url = await new Promise<string>((resolve) => child.on('message', (m: any) => m.url && resolve(m.url)));
  return { setting, child, url, dirs: [dataDir, logDir] };
}

/**
 * A setting's hub and its baseline at once, the requests dealt to them in turn (request i to
 * hub i mod n, 4 in flight per hub, every hub asking the same codes in the same order): whatever
 * else loads the machine loads both alike over the same seconds, so comparing them cancels it.
 * (Served one after another, hubs met different loads on this shared machine, and two identical
 * hubs differed by up to 17%.) Returns each hub's CPU µs per request.
 */
async function measureTogether(chosen: Setting[], seeded: string, sinkUrl: string, codes: string[], headers: Record<string, string>, query: string): Promise<Map<string, number>> {
  const hubs: RunningHub[] = [];
  for (const setting of chosen) hubs.push(await startSettingHub(setting, seeded, sinkUrl));
  const requests = Number(values.requests);
  const run = async (perHub: number) => {
    let next = 0;
    const total = perHub * hubs.length;
    const lane = async () => {
      while (next < total) {
        const i = next++;
        const hub = hubs[i % hubs.length];
        const code = codes[Math.floor(i / hubs.length) % codes.length];
        const response = await fetch(hub.url, { method: 'POST', headers, body: JSON.stringify({ query, variables: { code } }) });
        const body = await response.json();
        if (body.errors) throw new Error(`profile failed (${hub.setting.name}): ${JSON.stringify(body.errors).slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 4 * hubs.length }, lane));
  };
  const cpu = () => Promise.all(hubs.map((hub) => ask<NodeJS.CpuUsage>(hub.child, 'cpu', 'cpu')));
  // With --profile: each hub's profile covers the measured requests only.
  const profile = () => Promise.all(values.profile ? hubs.map((hub) => ask(hub.child, 'profile', 'profiled')) : []);
  await run(300); // warm-up: JIT, caches, pools
  const before = await cpu();
  await profile();
  await run(requests);
  await profile();
  const after = await cpu();
  for (const hub of hubs) hub.child.send('stop');
  await Promise.all(hubs.map((hub) => new Promise((resolve) => hub.child.once('exit', resolve))));
  for (const hub of hubs) for (const dir of hub.dirs) rmSync(dir, { recursive: true, force: true });
  return new Map(hubs.map((hub, i) => [hub.setting.name, (after[i].user - before[i].user + after[i].system - before[i].system) / requests]));
}

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
  if (values.profile) mkdirSync(values.profile, { recursive: true });
  const sink = await otlpSink();
  const results = new Map<string, number[]>(settings.map((s) => [s.name, []]));
  // Each setting over its own baseline, measured beside it: the ratios of every pair.
  const ratiosOf = new Map<string, number[]>(settings.map((s) => [s.name, []]));
  // The baseline always runs: every other setting is compared with it, pair by pair.
  const chosen = settings.filter((s) => s === settings[0] || !values.only || s.name.includes(values.only));
  const started = Date.now();
  let rounds = 0;
  for (let round = 0; round < Number(values.rounds); round++) {
    const elapsed = (Date.now() - started) / 60_000;
    if (values.minutes && round > 0 && elapsed + elapsed / round > Number(values.minutes)) break;
    rounds++;
    for (const setting of chosen.slice(1)) {
      const measured = await measureTogether([settings[0], setting], dataDir, sink.url, codes, headers, PROFILE);
      const [base, own] = [measured.get(settings[0].name)!, measured.get(setting.name)!];
      results.get(settings[0].name)!.push(base);
      results.get(setting.name)!.push(own);
      ratiosOf.get(setting.name)!.push(own / base);
      console.log(`round ${round + 1}: ${setting.name}: ${(own / 1000).toFixed(2)} ms CPU per request, its baseline beside it ${(base / 1000).toFixed(2)}`);
    }
  }
  await sink.close();
  rmSync(dataDir, { recursive: true, force: true });

  const ms = (micros: number) => (micros / 1000).toFixed(2);
  const percent = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
  const rows = chosen.map((s) => {
    const own = results.get(s.name)!;
    if (s === settings[0]) return `| ${s.name} | ${ms(median(own))} | — | — | ${own.length} runs, ${ms(Math.min(...own))} … ${ms(Math.max(...own))} |`;
    // Each run against the baseline measured beside it: load that drifts between runs cancels out.
    const ratios = [...ratiosOf.get(s.name)!].sort((a, b) => a - b);
    return `| ${s.name} | ${ms(median(own))} | ${percent(median(ratios))} | ${percent(ratios[0])} … ${percent(ratios.at(-1)!)} | ${own.map(ms).join(', ')} |`;
  });
  const section = `## Logs and traces (\`npm run bench:observability\`) — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC

${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, SQLite, ${values.subjects} subjects. The hub's CPU time
(user + system, \`process.cpuUsage\` of the hub's own process; the client runs elsewhere) per request on
the profile workload: one subject's full profile through the gateway as an agency with a stated
purpose (every department called, the access register written), 4 requests at a time,
${values.requests} requests after 300 of warm-up, each setting in a fresh process on its own copy of the
databases, ${rounds} rounds; in a round each setting runs beside a baseline hub of its own, both at the
same time with the requests dealt to them in turn (4 in flight per hub), so what else loads the machine
loads the two alike, and each setting is compared with the baseline beside it.
Logs on: every gateway and subgraph request line at \`info\`, JSON to a file. Tracing on: every
request sampled (the default, \`OTEL_TRACES_SAMPLER_ARG=1\`), one in ten, or none (\`0\`: the
instrumentations in place, no span made); a sampled request's spans (HTTP server and the hub's
fetches between its processes, GraphQL execute, knex; not the gateway's own steps) exported over
OTLP/HTTP (JSON, the default) to a sink in the benchmark (${(sink.bytes() / 1e6).toFixed(1)} MB received in all). "vs baseline" compares each run with the
baseline beside it, and gives the median and the range over the rounds. "Context manager only": no
tracing, the hub started inside an AsyncLocalStorage holding a value, so that every promise and
async resource inherits it, as under tracing's context manager — the floor of tracing on Node 20.
"A second baseline" is the baseline's own setting in a hub of its own: what two identical hubs
differ by, the resolution of every other row.

| setting | CPU ms / request (median) | vs baseline (median of rounds) | lowest … highest round | every round (ms) |
|---|---:|---:|---|---|
${rows.join('\n')}

Goal: at most +5% with tracing off, +15% with it on.
`;
  // A partial run (--only, --profile) is printed, not written.
  if (chosen.length === settings.length && !values.profile) writeSection(values.out!, '## Logs and traces', section);
  console.log(section);
}

if (values.child) await runHub(values.child);
else await main();
