/**
 * No outside caller decides what the hub traces. With OTEL_TRACES_SAMPLER_ARG=0 (nothing is to
 * be traced), every door of the hub — the gateway's GraphQL, its export, its WebSocket
 * subscriptions, and each subgraph's port reached directly — is tried with every way of
 * carrying trace context (W3C traceparent marked sampled, with tracestate and baggage; b3 single
 * and multi headers; Jaeger's), with and without a forged internal token header: none may make a span.
 * And at the gateway a client's x-request-id never names a server span (ratio 1 in
 * test/observability.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { flushTracing, startTracing, stopTracing } from '../subgraphs/kit/observability/tracing.js';
import { resetConfiguration } from '../subgraphs/kit/config/index.js';

process.env.OTEL_TRACES_SAMPLER_ARG = '0';
process.env.LOG_LEVEL = 'silent';
resetConfiguration();
const spans = new InMemorySpanExporter();
startTracing('credithub-doors-test', spans);
const { startTestHub, callerHeaders } = await import('./env.js');

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 10 });
}, 120_000);
afterAll(async () => {
  await hub?.stop();
  await stopTracing();
});

const outside = { traceId: 'abcdefabcdefabcdefabcdefabcdef01', spanId: '0123456789abcdef' };
const contexts: Record<string, Record<string, string>> = {
  traceparent: { traceparent: `00-${outside.traceId}-${outside.spanId}-01` },
  'traceparent, tracestate, baggage': { traceparent: `00-${outside.traceId}-${outside.spanId}-01`, tracestate: 'vendor=force', baggage: 'sampled=1' },
  'b3 single': { b3: `${outside.traceId}-${outside.spanId}-1` },
  'b3 multi': { 'x-b3-traceid': outside.traceId, 'x-b3-spanid': outside.spanId, 'x-b3-sampled': '1', 'x-b3-flags': '1' },
  jaeger: { 'uber-trace-id': `${outside.traceId}:${outside.spanId}:0:1` },
};
const forged = { none: {}, 'forged internal token': { 'x-credithub-principal': 'forged' } };

async function spansMade(): Promise<string[]> {
  await flushTracing();
  const names = spans.getFinishedSpans().map((span) => `${span.name} (${span.instrumentationScope.name})`);
  spans.reset();
  return names;
}

describe('with nothing to be traced, no outside caller makes a span', () => {
  for (const [contextName, contextHeaders] of Object.entries(contexts)) {
    for (const [forgedName, forgedHeaders] of Object.entries(forged)) {
      const headers = { ...contextHeaders, ...forgedHeaders };
      it(`gateway GraphQL and export, ${contextName}, ${forgedName}`, async () => {
        const caller = await callerHeaders({ role: 'admin', sub: 'doors-admin' }, { purpose: 'test', reference: 'DOORS-1' });
        const answer = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json', ...caller, ...headers }, body: JSON.stringify({ query: '{ __typename }' }) });
        expect(answer.status).toBe(200);
        const exported = await fetch(new URL('/export/tax.csv', hub.url), { headers: { ...caller, ...headers } });
        await exported.arrayBuffer();
        expect(await spansMade()).toEqual([]);
      });

      it(`each subgraph's port reached directly, ${contextName}, ${forgedName}`, async () => {
        for (const [, subgraph] of hub.hub.subgraphs) {
          const response = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ __typename }' }) });
          await response.arrayBuffer();
        }
        expect(await spansMade()).toEqual([]);
      });
    }

    it(`gateway subscription, connectionParams with ${contextName}`, async () => {
      const { createClient } = await import('graphql-ws');
      const { default: WebSocket } = await import('ws');
      const client = createClient({
        url: hub.url.replace('http://', 'ws://'),
        webSocketImpl: WebSocket,
        connectionParams: { ...(await callerHeaders({ role: 'partner', agency: '某商业银行', sub: 'bank-doors' })), ...contextHeaders, 'x-credithub-principal': 'forged' },
        retryAttempts: 0,
      });
      let subscribed!: () => void;
      const started = new Promise<void>((resolve) => (subscribed = resolve));
      const stop = client.subscribe({ query: 'subscription { changes { eventId } }' }, { next: () => {}, error: () => subscribed(), complete: () => subscribed() });
      client.on('connected', () => setTimeout(subscribed, 500)); // the first read of the feed is done by then
      await started;
      stop();
      await client.dispose();
      expect(await spansMade()).toEqual([]);
    });
  }
});
