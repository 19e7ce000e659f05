/**
 * A trace is whole or absent, and an unsampled request makes no span at all: with half the
 * requests sampled (OTEL_TRACES_SAMPLER_ARG=0.5) and the gateway's step spans asked for
 * (OTEL_GATEWAY_STEP_SPANS), each of 40 requests either has its whole trace — the gateway's
 * server span as root, its steps, each subgraph's server span, their GraphQL and SQL — or no span
 * anywhere in the hub; and nothing else (no worker, no stray instrumentation) makes spans.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushTracing, REQUEST_ID_ATTRIBUTE, startTracing, stopTracing } from '../subgraphs/kit/observability/tracing.js';
import { resetConfiguration } from '../subgraphs/kit/config/index.js';

const logDir = mkdtempSync(join(tmpdir(), 'credithub-sampling-'));
process.env.LOG_DESTINATION = join(logDir, 'hub.log');
process.env.LOG_LEVEL = 'info';
process.env.OTEL_TRACES_SAMPLER_ARG = '0.5';
process.env.OTEL_GATEWAY_STEP_SPANS = 'true';
resetConfiguration();

const spans = new InMemorySpanExporter();
startTracing('credithub-sampling-test', spans);
const { startTestHub, subjectsListedIn } = await import('./env.js');

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 30 });
}, 120_000);
afterAll(async () => {
  await hub?.stop();
  await stopTracing();
  rmSync(logDir, { recursive: true, force: true });
});

describe('sampling', () => {
  it('each request is traced whole, from the gateway down, or makes no span anywhere', async () => {
    spans.reset();
    const codes = subjectsListedIn(hub.demo, 'tax');
    for (let i = 0; i < 40; i++) {
      const answer = await hub.query('query Sampled($c: ID!) { subject(creditCode: $c) { name tax { blackListed } courts { blackListed } } }', { c: codes[i % codes.length] });
      expect(answer.errors).toBeUndefined();
    }
    await flushTracing();
    const allLines = readFileSync(process.env.LOG_DESTINATION!, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const lines = allLines.filter((line) => line.component === 'gateway' && line.operation === 'Sampled');
    expect(lines).toHaveLength(40);
    const finished = spans.getFinishedSpans();
    const traced = lines.filter((line) => line.traceId);
    const untraced = lines.filter((line) => !line.traceId);
    // 40 coin flips: both kinds are there (all alike has odds of 2 in 2^40).
    expect(traced.length).toBeGreaterThan(0);
    expect(untraced.length).toBeGreaterThan(0);

    for (const line of traced) {
      const trace = finished.filter((span) => span.spanContext().traceId === line.traceId);
      const servers = trace.filter((span) => span.kind === SpanKind.SERVER);
      expect(servers.filter((span) => !span.parentSpanContext)).toHaveLength(1);
      expect(servers).toHaveLength(1 + line.subgraphs.length);
      for (const server of servers) expect(server.attributes[REQUEST_ID_ATTRIBUTE]).toBe(line.requestId);
      // The gateway's steps (its plan only when not cached).
      expect(trace.some((span) => span.name === 'gateway.request')).toBe(true);
      expect(trace.some((span) => span.name === 'gateway.fetch')).toBe(true);
      expect(trace.filter((span) => span.instrumentationScope.name.includes('instrumentation-graphql'))).toHaveLength(line.subgraphs.length);
      expect(trace.some((span) => span.instrumentationScope.name.includes('knex'))).toBe(true);
    }
    // A log line carries a trace id only inside a recorded trace: the subgraphs' lines of each
    // request carry the gateway's, or (unsampled: no span was carried to them) none.
    for (const line of lines) {
      const subgraphLines = allLines.filter((l) => l.msg === 'subgraph request' && l.requestId === line.requestId);
      expect(subgraphLines.length).toBe(line.subgraphs.length);
      for (const subgraphLine of subgraphLines) expect(subgraphLine.traceId).toBe(line.traceId);
    }
    // Untraced requests made nothing: every span of the hub belongs to a traced request's trace.
    const tracedIds = new Set(traced.map((line) => line.traceId));
    expect(finished.filter((span) => !tracedIds.has(span.spanContext().traceId)).map((span) => span.name)).toEqual([]);
    const untracedIds = new Set(untraced.map((line) => line.requestId));
    expect(finished.filter((span) => untracedIds.has(String(span.attributes[REQUEST_ID_ATTRIBUTE])))).toEqual([]);
  });
});
