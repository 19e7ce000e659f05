/**
 * Every trace is whole and carries nothing of anyone: with every request sampled, a subject's
 * profile read unmasked (its access registered), the same asked with its code inline, an
 * export, a subscription's start — each trace has one root, all its spans lie within it (no work
 * left running after the request makes spans into it), and no span's attribute holds a name, an
 * identity number, a credit code asked for, a token or a password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { flushTracing, startTracing, stopTracing } from '../subgraphs/kit/observability/tracing.js';
import { resetConfiguration } from '../subgraphs/kit/config/index.js';

process.env.LOG_LEVEL = 'silent';
process.env.OTEL_TRACES_SAMPLER_ARG = '1';
resetConfiguration();
const spans = new InMemorySpanExporter();
startTracing('credithub-whole-test', spans);
const { startTestHub, callerHeaders, subjectsListedIn } = await import('./env.js');

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 20 });
}, 120_000);
afterAll(async () => {
  await hub?.stop();
  await stopTracing();
});

const nanos = (time: [number, number]) => BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);

describe('traces at ratio 1', () => {
  it('are whole and hold no personal data, codes asked for, tokens or passwords', async () => {
    spans.reset();
    const code = subjectsListedIn(hub.demo, 'tax')[0];
    const profile = `{ name legalRepresentative { name idDocumentNumber } tax { blackListed } courts { blackListed } }`;
    const byVariable = await hub.query(`query Profile($c: ID!) { subject(creditCode: $c) ${profile} }`, { c: code });
    expect(byVariable.errors).toBeUndefined();
    expect((byVariable.data as any).subject.name).toBeTruthy(); // read unmasked: it is among what no span may hold
    const inline = await hub.query(`query ProfileInline { subject(creditCode: "${code}") ${profile} }`, {});
    expect(inline.errors).toBeUndefined();
    const caller = await callerHeaders({ role: 'admin', sub: 'whole-admin' }, { purpose: 'test', reference: 'WHOLE-1' });
    const exported = await fetch(new URL('/export/tax.csv', hub.url), { headers: caller });
    expect(exported.status).toBe(200);
    await exported.arrayBuffer();

    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const client = createClient({ url: hub.url.replace('http://', 'ws://'), webSocketImpl: WebSocket, connectionParams: caller, retryAttempts: 0 });
    const stop = client.subscribe({ query: 'subscription { changes { eventId } }' }, { next: () => {}, error: () => {}, complete: () => {} });
    for (let waited = 0; waited < 5_000 && !spans.getFinishedSpans().some((span) => span.name === 'WS subscription changes'); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await flushTracing();
    }
    stop();
    await client.dispose();
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything left running after its request
    await flushTracing();

    const finished = spans.getFinishedSpans();
    const traces = new Map<string, ReadableSpan[]>();
    for (const span of finished) traces.set(span.spanContext().traceId, [...(traces.get(span.spanContext().traceId) ?? []), span]);
    expect(traces.size).toBeGreaterThanOrEqual(4);
    const outside: string[] = [];
    for (const [, trace] of traces) {
      const roots = trace.filter((span) => !span.parentSpanContext);
      expect(roots.map((span) => span.name)).toHaveLength(1);
      const [root] = roots;
      for (const span of trace) {
        // A fetch's span ends when undici reports its body done, which may come a moment after the
        // caller has read the body and answered: an end a little past the root's is that, a span
        // started past it would be work left running after the request.
        const late = 100_000_000n; // 100 ms
        if (nanos(span.startTime) < nanos(root.startTime) || nanos(span.startTime) > nanos(root.endTime) || nanos(span.endTime) > nanos(root.endTime) + late) {
          outside.push(`${root.name} > ${span.name}`);
        }
      }
    }
    expect(outside).toEqual([]);

    const secrets = [code, 'eyJ', 'Bearer', 'password', process.env.CREDITHUB_INTERNAL_SECRET, process.env.METRICS_TOKEN].filter((value): value is string => !!value);
    for (const subject of hub.demo.subjects as any[]) {
      secrets.push(subject.name);
      if (subject.legalRepresentative) secrets.push(subject.legalRepresentative.name, subject.legalRepresentative.idDocumentNumber);
    }
    expect(secrets).toContain((byVariable.data as any).subject.name);
    // A span of each kind was made (server, fetch, GraphQL, SQL), so there was something to look at.
    for (const scope of ['credithub', 'undici', 'graphql', 'knex']) expect(finished.some((span) => span.instrumentationScope.name.includes(scope))).toBe(true);
    const leaks = finished.flatMap((span) =>
      Object.entries(span.attributes)
        .filter(([, value]) => secrets.some((secret) => String(value).includes(secret)))
        .map(([key, value]) => `${span.name} ${key}=${String(value).slice(0, 120)}`),
    );
    expect(leaks).toEqual([]);
    // Nor values in URLs: the export's page fetches carry their filter and cursor in the query string.
    const fetches = finished.filter((span) => span.instrumentationScope.name.includes('undici'));
    expect(fetches.filter((span) => String(span.attributes['url.full']).includes('?') || span.attributes['url.query'])).toEqual([]);
    // Every server span of the hub's own calls is named by its request, the subscription's read included.
    const subscription = finished.find((span) => span.name === 'WS subscription changes')!;
    const subscriptionServers = finished.filter((span) => span.spanContext().traceId === subscription.spanContext().traceId && span.kind === 1 && span !== subscription);
    expect(subscriptionServers.length).toBeGreaterThan(0);
    for (const server of subscriptionServers) expect(server.attributes['credithub.request_id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('hold one span for every statement a traced request runs, in every subgraph it calls', async () => {
    const code = subjectsListedIn(hub.demo, 'courts')[0];
    const { PROFILE } = await import('../scripts/bench/workload.js');
    // Every statement each subgraph ran, as knex reports it. A transaction's BEGIN and COMMIT are
    // not statements knex's instrumentation traces (they bypass its query runner): left out.
    const ran: { subgraph: string; sql: string }[] = [];
    for (const [subgraph, s] of hub.hub.subgraphs) s.db.on('query', (query: { sql: string }) => ran.push({ subgraph, sql: query.sql }));
    const transactionControl = /^\s*(begin|commit|rollback|savepoint|release|start transaction|set transaction)\b/i;
    for (const purpose of [undefined, { purpose: 'test', reference: 'WHOLE-2' }]) {
      spans.reset();
      ran.length = 0;
      // The whole profile: every department, and with a purpose the access register's write.
      const caller = await callerHeaders({ role: 'agency', agency: '某市财政局', sub: 'whole-agency' }, purpose);
      const response = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json', ...caller }, body: JSON.stringify({ query: PROFILE, variables: { code } }) });
      expect((await response.json()).errors).toBeUndefined();
      await flushTracing();
      const statements = ran.filter((statement) => !transactionControl.test(statement.sql));
      expect(new Set(statements.map((statement) => statement.subgraph)).size).toBe(hub.hub.subgraphs.size); // every subgraph ran SQL
      if (purpose) expect(statements.some((statement) => statement.sql.includes('platform_access_register'))).toBe(true);
      const roots = spans.getFinishedSpans().filter((span) => !span.parentSpanContext);
      expect(roots).toHaveLength(1);
      const sql = spans.getFinishedSpans().filter((span) => span.instrumentationScope.name.includes('knex'));
      expect(sql.every((span) => span.spanContext().traceId === roots[0].spanContext().traceId)).toBe(true);
      expect(sql.map((span) => String(span.attributes['db.query.text'])).sort()).toEqual(statements.map((statement) => statement.sql).sort());
    }
  });
});
