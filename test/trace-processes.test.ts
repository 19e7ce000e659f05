/**
 * Tracing in the production layout: the gateway and every subgraph as their own processes
 * (`node dist/scripts/…`), each exporting its spans to a collector over OTLP/HTTP — protobuf
 * here, the leaner of its two encodings on the wire (JSON, the default, is posted below). A subject's full profile is one trace across the processes: the gateway's server
 * span is its root; each subgraph's process continues it under the gateway's fetch to it, with
 * its GraphQL execution and its SQL below; each process names itself (`service.name`); and the
 * gateway's log line for the request carries the trace's id and, on every server span, its
 * request id. A request the gateway does not sample leaves no span in any process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerHeaders, createTestDatabase, dialect, postGraphQL, type TestDatabase } from './env.js';
import { startOtlpSink, type OtlpSink, type ReceivedSpan } from './otlp-sink.js';
import { runScript, startProcessLayout, type ProcessLayout } from '../scripts/cluster/processes.js';
import { seed } from '../scripts/seed.js';
import { PROFILE } from '../scripts/bench/workload.js';
import { subgraphNames } from '../subgraphs/layout.js';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { collectorExporter, REQUEST_ID_ATTRIBUTE } from '../subgraphs/kit/observability/tracing.js';

const SERVER = 2;
const CLIENT = 3;
const PURPOSE = { purpose: '政府采购供应商资格审查', reference: 'CG-TRACE-1' };

let database: TestDatabase;
let sink: OtlpSink;
let layout: ProcessLayout;
let demo: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  sink = await startOtlpSink();
  database = await createTestDatabase();
  demo = await seed({ subjects: 50, databaseUrl: database.urlFor });
  // Every other request sampled, decided by each request's trace id.
  layout = await startProcessLayout({ databaseUrl: database.urlFor, env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER_ARG: '0.5', LOG_LEVEL: 'info', LOG_FORMAT: 'json' } });
}, 120_000);
afterAll(async () => {
  await layout?.stop();
  await database?.drop();
  await sink?.close();
});

/** The gateway's log line for the request with this operation name (JSON lines on its output). */
const gatewayLines = (operation: string) =>
  layout.gateway.output.flatMap((line) => {
    try {
      const parsed = JSON.parse(line);
      return parsed.msg === 'request' && parsed.operation === operation ? [parsed] : [];
    } catch {
      return [];
    }
  });

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((resolve) => setTimeout(resolve, 200))) {
    const value = probe();
    if (value !== undefined) return value;
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

describe(`traces across the production layout's processes (${dialect})`, () => {
  it('a profile is one trace from the gateway through every subgraph process to its SQL, sent as OTLP protobuf', async () => {
    const headers = await callerHeaders({ role: 'agency', agency: '某市财政局', sub: 'agency-trace' }, PURPOSE);
    const code = demo.entriesByDepartment.get('courts')!.find((entry) => entry.creditCode.startsWith('9'))!.creditCode;
    // Twenty profiles: at a ratio of one half, both kinds are there (all alike: 2 in 2^20).
    for (let i = 0; i < 20; i++) {
      const answer = await postGraphQL(layout.url, PROFILE, { code }, headers);
      expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    }
    const lines = await until('the gateway logs every request', () => (gatewayLines('Profile').length === 20 ? gatewayLines('Profile') : undefined));
    const traced = lines.filter((line) => line.traceId);
    const untraced = lines.filter((line) => !line.traceId);
    expect(traced.length).toBeGreaterThan(0);
    expect(untraced.length).toBeGreaterThan(0);

    // Each process posts its own spans, in the order they ended, within about 100 ms. A trace is
    // all in once the gateway's root is (it ends after the gateway's fetches) and each fetch's
    // server span is (it ends after its SQL, in its own process).
    const traceOf = (traceId: string) => sink.spans.filter((span) => span.traceId === traceId);
    const complete = (spans: ReceivedSpan[]) =>
      spans.some((span) => !span.parentSpanId) &&
      spans.filter((span) => span.service === 'credithub-gateway' && span.kind === CLIENT).every((fetch) => spans.some((span) => span.parentSpanId === fetch.spanId && span.kind === SERVER));
    for (const line of traced) await until(`trace ${line.traceId} from every process`, () => (complete(traceOf(line.traceId)) ? true : undefined));
    expect(new Set(sink.contentTypes)).toEqual(new Set(['application/x-protobuf']));

    for (const line of traced) {
      const trace = traceOf(line.traceId);
      const byId = new Map(trace.map((span) => [span.spanId, span]));
      const roots = trace.filter((span) => !span.parentSpanId);
      expect(roots.map((span) => [span.service, span.kind])).toEqual([['credithub-gateway', SERVER]]);
      // Every span's parent is in the trace: nothing dangles from a process that lost its caller's context.
      for (const span of trace) if (span.parentSpanId) expect(byId.has(span.parentSpanId), `${span.service}: ${span.name}`).toBe(true);
      for (const name of subgraphNames) {
        const service = `credithub-${name}`;
        const servers = trace.filter((span) => span.service === service && span.kind === SERVER);
        expect(servers.length, service).toBeGreaterThan(0);
        for (const server of servers) {
          // Continued under the gateway's fetch to it, not a trace of its own.
          const parent = byId.get(server.parentSpanId)!;
          expect([parent.service, parent.kind], service).toEqual(['credithub-gateway', CLIENT]);
          expect(server.attributes[REQUEST_ID_ATTRIBUTE], `${service}: ${server.name}`).toBe(line.requestId);
        }
        // Its SQL, below its own spans.
        const statements = trace.filter((span) => span.service === service && span.scope.includes('knex'));
        expect(statements.length, service).toBeGreaterThan(0);
        for (const statement of statements) expect(byId.get(statement.parentSpanId)!.service).toBe(service);
        expect(trace.some((span) => span.service === service && span.scope.includes('graphql'))).toBe(true);
      }
      expect(roots[0].attributes[REQUEST_ID_ATTRIBUTE]).toBe(line.requestId);
    }
    // An unsampled request made no span in any process: every span received belongs to a traced request.
    const tracedIds = new Set(traced.map((line) => line.traceId));
    expect(sink.spans.filter((span) => !tracedIds.has(span.traceId)).map((span) => `${span.service}: ${span.name}`)).toEqual([]);
    const untracedIds = new Set(untraced.map((line) => line.requestId));
    expect(sink.spans.filter((span) => untracedIds.has(String(span.attributes[REQUEST_ID_ATTRIBUTE])))).toEqual([]);
  }, 120_000);
});

describe('OTEL_EXPORTER_OTLP_PROTOCOL', () => {
  for (const [protocol, contentType] of [['http/protobuf', 'application/x-protobuf'], ['http/json', 'application/json']] as const) {
    it(`${protocol} posts ${contentType} to <endpoint>/v1/traces`, async () => {
      const collector = await startOtlpSink();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(collectorExporter(`${collector.url}/`, protocol))] });
      const span = provider.getTracer('protocol-test').startSpan('one span', { attributes: { 'credithub.request_id': 'r-1', count: 3, ratio: 0.5, sampled: true } });
      span.end();
      await provider.forceFlush();
      await provider.shutdown();
      await collector.close();
      expect(collector.contentTypes).toEqual([contentType]);
      expect(collector.spans).toMatchObject([{ name: 'one span', scope: 'protocol-test', traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, parentSpanId: '', attributes: { 'credithub.request_id': 'r-1', count: 3, ratio: 0.5, sampled: true } }]);
    });
  }
});

describe('OTEL_EXPORTER_OTLP_PROTOCOL=grpc, which platforms often set for every workload', () => {
  it('starts a process with tracing off, and with tracing on stops it with one line saying to use OTLP/HTTP', async () => {
    // Tracing off: the value is accepted and the subgraph serves (stopped once it says it listens).
    const off = await runScript('scripts/subgraph.ts', ['tax'], { compiled: true, env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', PORT: '0', HOST: '127.0.0.1', TAX_DATABASE_URL: 'sqlite::memory:' }, until: /ready at/, timeoutMs: 30_000 });
    expect(off.output).not.toMatch(/OTLP\/HTTP only/);
    expect(off.output).toMatch(/ready at/);
    for (const variable of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
      const on = await runScript('scripts/subgraph.ts', ['tax'], { compiled: true, env: { [variable]: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/', PORT: '0', HOST: '127.0.0.1', TAX_DATABASE_URL: 'sqlite::memory:' }, timeoutMs: 30_000 });
      expect(on.code, on.output).toBe(2);
      expect(on.output.trim().split('\n')).toHaveLength(1);
      expect(on.output).toMatch(/"grpc".*OTLP\/HTTP only.*http\/json or http\/protobuf.*4318/);
    }
  }, 90_000);

  it('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL wins over OTEL_EXPORTER_OTLP_PROTOCOL', async () => {
    const collector = await startOtlpSink();
    const run = await runScript('scripts/subgraph.ts', ['tax'], { compiled: true, env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, PORT: '0', HOST: '127.0.0.1', TAX_DATABASE_URL: 'sqlite::memory:' }, until: /ready at/, timeoutMs: 30_000 });
    await collector.close();
    expect(run.output).not.toMatch(/OTLP\/HTTP only/);
    expect(run.output).toMatch(/ready at/);
  }, 60_000);
});
