/**
 * Logs, traces, metrics and health of a running hub (in this process, tracing into memory):
 * - a request's gateway log line and its trace carry the same request id and trace id, and
 *   that trace goes from the gateway through every subgraph it called down to their SQL;
 * - /metrics answers only with METRICS_TOKEN and counts requests, subgraph fetches, pools;
 * - every process answers /health/live and /health/ready; an event consumer's lag grows
 *   while its source is stopped, and past the bound the consumer's process is not ready;
 * - /health/ready turns 503 when a subgraph loses its database (and 200 once it is back),
 *   while /health/live stays ok.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushTracing, REQUEST_ID_ATTRIBUTE, startTracing, stopTracing } from '../subgraphs/kit/observability/tracing.js';
import { resetConfiguration } from '../subgraphs/kit/config/index.js';

// Read once, when the hub's first log line or server needs them: set before the hub starts.
const logDir = mkdtempSync(join(tmpdir(), 'credithub-observability-'));
process.env.LOG_DESTINATION = join(logDir, 'hub.log');
process.env.LOG_LEVEL = 'info';
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
process.env.METRICS_TOKEN = METRICS_TOKEN;
const LAG_BOUND_SECONDS = 2;
process.env.READY_MAX_CONSUMER_LAG_SECONDS = String(LAG_BOUND_SECONDS);
resetConfiguration();

// Instrumentations patch knex and graphql as they load: tracing starts before the hub is imported.
const spans = new InMemorySpanExporter();
startTracing('credithub-test', spans);
const { startTestHub, subjectsListedIn, callerHeaders } = await import('./env.js');

let hub: Awaited<ReturnType<typeof startTestHub>>;
const origin = (url: string) => new URL(url).origin;
const logLines = () => readFileSync(process.env.LOG_DESTINATION!, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${origin(url)}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  return response.text();
}

function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

async function ready(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${origin(url)}/health/ready`);
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  hub = await startTestHub({ subjects: 60 });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await stopTracing();
  rmSync(logDir, { recursive: true, force: true });
});

describe('logs and traces', () => {
  it('a request\'s log line and its trace carry the same id; the trace goes from the gateway through each subgraph to its SQL', async () => {
    const code = subjectsListedIn(hub.demo, 'tax')[0];
    const answer = await hub.query('query TraceMe($c: ID!) { subject(creditCode: $c) { name tax { blackListed } courts { blackListed } } }', { c: code });
    expect(answer.errors).toBeUndefined();
    await flushTracing();

    const line = logLines().find((l) => l.component === 'gateway' && l.operation === 'TraceMe');
    expect(line).toMatchObject({ msg: 'request', principal: { id: 'test-admin', role: 'ADMIN' }, status: 200, errorCodes: [] });
    expect(line.subgraphs.sort()).toEqual(['courts', 'platform', 'tax']);
    expect(line.durationMs).toBeGreaterThan(0);
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);

    const trace = spans.getFinishedSpans().filter((span) => span.spanContext().traceId === line.traceId);
    const servers = trace.filter((span) => span.kind === SpanKind.SERVER && span.name === 'POST /graphql');
    // The gateway's and one per subgraph called, all under the request's id.
    expect(servers.length).toBe(1 + line.subgraphs.length);
    for (const server of servers) expect(server.attributes[REQUEST_ID_ATTRIBUTE]).toBe(line.requestId);
    // One trace, connected: the gateway's server span is its root; each subgraph's server span is
    // the child of one of the gateway's fetches, which are children of the gateway's server span.
    const [gatewayServer] = servers.filter((span) => !span.parentSpanContext);
    expect(servers.filter((span) => !span.parentSpanContext)).toHaveLength(1);
    const fetches = trace.filter((span) => span.kind === SpanKind.CLIENT && span.instrumentationScope.name.includes('undici'));
    expect(fetches.length).toBeGreaterThanOrEqual(line.subgraphs.length);
    for (const fetch of fetches) expect(fetch.parentSpanContext?.spanId).toBe(gatewayServer.spanContext().spanId);
    const fetchIds = new Set(fetches.map((span) => span.spanContext().spanId));
    for (const server of servers.filter((span) => span !== gatewayServer)) expect(fetchIds.has(server.parentSpanContext!.spanId)).toBe(true);
    // The gateway's own steps (gateway.plan, gateway.fetch, …) make no spans unless asked for.
    expect(trace.filter((span) => span.name.startsWith('gateway.')).map((span) => span.name)).toEqual([]);
    // GraphQL: one execute span per subgraph operation (and none per field), no parse or validate spans.
    const graphql = trace.filter((span) => span.instrumentationScope.name.includes('instrumentation-graphql'));
    expect(graphql.filter((span) => span.name.startsWith('query ')).length).toBe(line.subgraphs.length);
    expect(graphql.filter((span) => !span.name.startsWith('query ')).map((span) => span.name)).toEqual([]);
    const sql = trace.filter((span) => span.instrumentationScope.name.includes('knex'));
    // Each subgraph's tables are named after it (tax_entries, platform_subjects, …).
    for (const subgraph of line.subgraphs) expect(sql.some((span) => JSON.stringify(span.attributes).includes(`${subgraph}_`)), subgraph).toBe(true);
    // Spans carry no values: the subject's name is nowhere in them.
    expect(JSON.stringify(trace.map((span) => span.attributes))).not.toContain(answer.data.subject.name);

    // Every subgraph logged the request under the same id, inside the same trace.
    const subgraphLines = logLines().filter((l) => l.msg === 'subgraph request' && l.requestId === line.requestId);
    expect(new Set(subgraphLines.map((l) => l.component))).toEqual(new Set(line.subgraphs));
    for (const subgraphLine of subgraphLines) expect(subgraphLine.traceId).toBe(line.traceId);
  });

  it('a trace starts at the gateway: a client\'s traceparent is not continued; a subgraph continues only the hub\'s own calls', async () => {
    const outside = { traceId: 'abcdefabcdefabcdefabcdefabcdef01', spanId: '0123456789abcdef' };
    const traceparent = `00-${outside.traceId}-${outside.spanId}-01`;
    const answer = await hub.query('query OutsideTrace { __typename }', {}, { traceparent });
    expect(answer.errors).toBeUndefined();
    // Straight to a subgraph, without the internal token (refused, and its trace its own).
    const tax = hub.hub.subgraphs.get('tax')!;
    await fetch(tax.url, { method: 'POST', headers: { 'content-type': 'application/json', traceparent }, body: JSON.stringify({ query: '{ __typename }' }) });
    await flushTracing();
    const servers = spans.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
    expect(servers.filter((span) => span.spanContext().traceId === outside.traceId)).toEqual([]);
    expect(servers.filter((span) => span.parentSpanContext?.spanId === outside.spanId)).toEqual([]);
  });

  it('a client\'s x-request-id names no span: at the gateway (GraphQL refused or answered, exports) nor at a subgraph reached directly', async () => {
    const spoofed = 'spoofed-request-id';
    spans.reset();
    const caller = await callerHeaders({ role: 'admin', sub: 'request-id-admin' }, { purpose: 'test', reference: 'RID-1' });
    const tax = hub.hub.subgraphs.get('tax')!;
    const calls: [string, RequestInit][] = [
      [hub.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': spoofed }, body: JSON.stringify({ query: '{ __typename }' }) }], // no identity: refused before the request is logged
      [hub.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': spoofed, ...caller }, body: JSON.stringify({ query: '{ __typename }' }) }],
      [new URL('/export/tax.csv', hub.url).toString(), { headers: { 'x-request-id': spoofed, ...caller } }],
      [tax.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': spoofed, 'x-credithub-principal': 'forged' }, body: JSON.stringify({ query: '{ __typename }' }) }],
    ];
    for (const [url, init] of calls) await (await fetch(url, init)).arrayBuffer();
    await flushTracing();
    const servers = spans.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
    expect(servers.length).toBeGreaterThanOrEqual(calls.length);
    expect(servers.filter((span) => span.attributes[REQUEST_ID_ATTRIBUTE] === spoofed).map((span) => span.name)).toEqual([]);
  });

  it('at a subgraph, a hub call\'s span is named by the request id in its signed token, never by an x-request-id beside it, and a token without one names none', async () => {
    const { signInternalToken } = await import('../subgraphs/kit/auth/internal-token.js');
    const { internalTokenSecret } = await import('../subgraphs/kit/auth/secrets.js');
    const tax = hub.hub.subgraphs.get('tax')!;
    const principal = { role: 'ADMIN', id: 'request-id-from-token', scopes: [] } as any;
    const cases = [
      { token: await signInternalToken({ principal, purpose: null, requestId: 'from-token' }, internalTokenSecret()), expected: 'from-token' },
      { token: await signInternalToken({ principal, purpose: null, requestId: undefined }, internalTokenSecret()), expected: undefined },
    ];
    for (const [i, { token, expected }] of cases.entries()) {
      spans.reset();
      const traceId = `${'ab'.repeat(15)}0${i}`;
      const traceparent = `00-${traceId}-${'cd'.repeat(8)}-01`;
      await (await fetch(tax.url, { method: 'POST', headers: { 'content-type': 'application/json', traceparent, 'x-request-id': 'spoofed-beside-token', 'x-credithub-principal': token }, body: JSON.stringify({ query: '{ __typename }' }) })).arrayBuffer();
      await flushTracing();
      const servers = spans.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER && span.spanContext().traceId === traceId);
      expect(servers).toHaveLength(1); // the hub's call continues its caller's trace
      expect(servers[0].attributes[REQUEST_ID_ATTRIBUTE]).toBe(expected);
    }
  });

  it('a subscription\'s start is a trace: its read of the change feed and the platform\'s SQL inside it', async () => {
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const { callerHeaders } = await import('./env.js');
    const client = createClient({
      url: hub.url.replace('http://', 'ws://'),
      webSocketImpl: WebSocket,
      connectionParams: await callerHeaders({ role: 'partner', agency: '某商业银行', sub: 'bank-traced' }),
      retryAttempts: 0,
    });
    // The start ends once the first page of the feed is read (an empty one here: nothing collected yet).
    const stop = client.subscribe({ query: 'subscription { changes { eventId } }' }, { next: () => {}, error: () => {}, complete: () => {} });
    let finished = spans.getFinishedSpans();
    try {
      for (let waited = 0; waited < 5_000 && !finished.some((span) => span.name === 'WS subscription changes'); waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await flushTracing();
        finished = spans.getFinishedSpans();
      }
    } finally {
      stop();
      await client.dispose();
    }
    // Ended, the subscription is let go at once, not after its wait for the feed (the poll interval).
    let active = '';
    for (let waited = 0; waited < 2_000 && !active.includes('credithub_subscriptions_active 0'); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      active = await scrape(hub.url);
    }
    expect(active).toContain('credithub_subscriptions_active 0');
    const start = finished.find((span) => span.name === 'WS subscription changes');
    expect(start?.kind).toBe(SpanKind.SERVER);
    expect(start?.parentSpanContext).toBeUndefined();
    const inTrace = finished.filter((span) => span.spanContext().traceId === start!.spanContext().traceId);
    expect(inTrace.some((span) => span.kind === SpanKind.CLIENT)).toBe(true);
    expect(inTrace.some((span) => span.kind === SpanKind.SERVER && span.name === 'POST /graphql')).toBe(true);
    expect(inTrace.some((span) => span.instrumentationScope.name.includes('knex') && JSON.stringify(span.attributes).includes('platform_'))).toBe(true);
  });

  it('probes and scrapes are not traced, nor SQL outside a request', async () => {
    const platform = hub.hub.subgraphs.get('platform')!;
    for (const url of [hub.url, platform.url]) {
      expect((await fetch(`${origin(url)}/health/live`)).status).toBe(200);
      expect((await fetch(`${origin(url)}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    }
    await platform.db.raw('select 1 as lone_statement');
    await hub.query('query AfterProbes { __typename }');
    await flushTracing();
    const names = spans.getFinishedSpans().map((span) => span.name);
    expect(names).toContain('POST /graphql');
    expect(names.filter((name) => /health|metrics/.test(name))).toEqual([]);
    expect(JSON.stringify(spans.getFinishedSpans().map((span) => span.attributes))).not.toContain('lone_statement');
  });
});

describe('/metrics', () => {
  it('answers only with the token, in the Prometheus format, counting requests, subgraph fetches and pools', async () => {
    const metricsUrl = `${origin(hub.url)}/metrics`;
    expect((await fetch(metricsUrl)).status).toBe(401);
    const wrong = await fetch(metricsUrl, { headers: { authorization: 'Bearer not-the-token-0123456789' } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    await hub.query('query CountMe { checkCreditCode(code: "914403001922038216") { valid } }');
    // A name the client makes up (here one carrying a person's name and ID number) is never a label.
    const invented = '王小明_110101199003077774';
    await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }', operationName: invented }) });
    await hub.query('query Q110101199003077774 { __typename }');
    const text = await scrape(hub.url);
    expect(metricValue(text, 'credithub_requests_total', { operation: 'query checkCreditCode', outcome: 'ok' })).toBe(1);
    expect(metricValue(text, 'credithub_request_duration_seconds_count', { operation: 'query checkCreditCode' })).toBe(1);
    expect(text).not.toContain('CountMe');
    expect(text).not.toContain('110101199003077774');
    expect(text).not.toContain('王小明');
    // Nor do logs carry it: the request naming an operation its document lacks logs none, the other a name with its digits hidden.
    const log = readFileSync(process.env.LOG_DESTINATION!, 'utf8');
    expect(log).not.toContain('110101199003077774');
    expect(log).not.toContain('王小明');
    expect(logLines().some((l) => l.operation === 'Q…')).toBe(true);
    expect(metricValue(text, 'credithub_subgraph_fetch_duration_seconds_count', { subgraph: 'tax', outcome: 'ok' })).toBeGreaterThan(0);
    for (const subgraph of hub.hub.subgraphs.keys()) expect(metricValue(text, 'credithub_db_pool_connections', { subgraph, state: 'free' })).toBeGreaterThanOrEqual(0);
    expect(text).toContain('credithub_subscriptions_active 0');
  });
});

describe('health', () => {
  it('/health/ready turns 503 when a subgraph loses its database; /health/live stays ok', async () => {
    await hub.hub.settle();
    const market = hub.hub.subgraphs.get('market')!;
    expect((await ready(market.url)).status).toBe(200);
    await market.db.destroy();
    const cut = await ready(market.url);
    expect(cut.status).toBe(503);
    expect(cut.body.checks.find((c: any) => c.name === 'database')).toMatchObject({ ok: false, detail: expect.stringContaining('unreachable') });
    expect((await fetch(`${origin(market.url)}/health/live`)).status).toBe(200);
    // The gateway itself has no database: still ready.
    expect((await ready(hub.url)).status).toBe(200);
    // The database is back: ready again.
    market.db.initialize();
    expect((await ready(market.url)).status).toBe(200);
  });

  it('every process is live and, once its consumers caught up, ready; a consumer\'s lag grows while its source is stopped, and past the bound its process is not ready', async () => {
    await hub.hub.settle();
    const processes = [hub.url, ...[...hub.hub.subgraphs.values()].map((s) => s.url)];
    for (const url of processes) {
      expect((await fetch(`${origin(url)}/health/live`)).status).toBe(200);
      const { status, body } = await ready(url);
      expect({ url, status, body }).toMatchObject({ status: 200, body: { status: 'ready' } });
    }
    const platform = hub.hub.subgraphs.get('platform')!;
    expect((await ready(platform.url)).body.checks.map((c: any) => c.name)).toEqual(['accepting', 'database', 'migrations', 'consumer-lag']);
    const caughtUp = metricValue(await scrape(platform.url), 'credithub_consumer_lag_seconds', { consumer: 'platform', source: 'tax' })!;
    expect(caughtUp).toBeLessThan(LAG_BOUND_SECONDS);

    // The tax subgraph stops: the platform's consumer cannot read it any more.
    await hub.hub.subgraphs.get('tax')!.stop();
    hub.hub.subgraphs.delete('tax');
    await expect(platform.runWorker('collection')).rejects.toThrow();
    const first = metricValue(await scrape(platform.url), 'credithub_consumer_lag_seconds', { consumer: 'platform', source: 'tax' })!;
    await new Promise((resolve) => setTimeout(resolve, (LAG_BOUND_SECONDS + 0.5) * 1000));
    await expect(platform.runWorker('collection')).rejects.toThrow();
    const later = metricValue(await scrape(platform.url), 'credithub_consumer_lag_seconds', { consumer: 'platform', source: 'tax' })!;
    expect(later).toBeGreaterThan(first + LAG_BOUND_SECONDS);
    const notReady = await ready(platform.url);
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.find((c: any) => c.name === 'consumer-lag')).toMatchObject({ ok: false, detail: expect.stringContaining('tax') });
  }, 30_000);

});
