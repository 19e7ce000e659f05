/**
 * Traces (OpenTelemetry): with OTEL_EXPORTER_OTLP_ENDPOINT set, every request is one trace
 * from the gateway through each subgraph it calls to their SQL — the gateway's fetches
 * (undici) carry the trace context, each server continues it, GraphQL and knex add
 * their spans — exported over OTLP/HTTP. Without it tracing is off: nothing is patched and
 * a request costs one `if`.
 *
 * Instrumentations patch modules as they load: an entry point starts tracing before it
 * imports the hub (scripts/tracing.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { KnexInstrumentation } from '@opentelemetry/instrumentation-knex';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler, type Sampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { configuration } from '../config/index.js';

/** The request id of the hub, on every server span: the same id as the request's log lines. */
export const REQUEST_ID_ATTRIBUTE = 'credithub.request_id';

/** Paths served without a span: health probes and the metrics scrape. */
const UNTRACED_PATHS = /^\/(health(\/.*)?|metrics)$/;

/**
 * The GraphQL instrumentation with its execute spans only. Parse and validate spans would add
 * two spans per subgraph call, each copying the whole document (its values masked by lexing it
 * again) into an attribute, for steps that Apollo's document cache mostly skips: what a request
 * spends in GraphQL is in the execute span, which carries the operation and its document.
 */
class ExecuteSpans extends GraphQLInstrumentation {
  protected override init() {
    const graphql = super.init();
    graphql.files = graphql.files.filter((file) => file.name.includes('execution/execute'));
    return graphql;
  }
}

/**
 * Where a trace may start: at a server span (a request), sampled at the configured ratio. SQL or
 * a fetch outside a request (a worker's poll) starts none, whatever its instrumentation asks.
 */
class RequestsOnly implements Sampler {
  constructor(private readonly ratio: Sampler) {}
  shouldSample(...args: Parameters<Sampler['shouldSample']>): ReturnType<Sampler['shouldSample']> {
    return args[3] === SpanKind.SERVER ? this.ratio.shouldSample(...args) : { decision: SamplingDecision.NOT_RECORD };
  }
  toString(): string {
    return `RequestsOnly{${this.ratio.toString()}}`;
  }
}

let sdk: NodeSDK | undefined;
// Asked for once: the API checks its global's version on every getTracer.
const tracer = trace.getTracer('credithub');
let processor: BatchSpanProcessor | undefined;

/**
 * Starts tracing for this process if OTEL_EXPORTER_OTLP_ENDPOINT is set (or `exporter` is
 * given: benchmarks and tests record spans in memory). Returns whether tracing is on.
 */
export function startTracing(serviceName: string, exporter?: SpanExporter): boolean {
  if (sdk) return true;
  const config = configuration();
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!exporter && !endpoint) return false;
  const spanExporter = exporter ?? new OTLPTraceExporter({ url: new URL('v1/traces', endpoint!.endsWith('/') ? endpoint : `${endpoint}/`).toString() });
  // Spans wait at most a second and go in batches of up to 1,024: a busy process posts a
  // few times a second, not once per request.
  processor = new BatchSpanProcessor(spanExporter, { scheduledDelayMillis: 1_000, maxExportBatchSize: 1_024, maxQueueSize: 8_192 });
  const collector = endpoint ? new URL(endpoint).origin : undefined;
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [processor],
    // Traces only: the hub's metrics are Prometheus's (/metrics) and its logs pino's, so the
    // SDK's own metric and log pipelines (OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER) stay off —
    // they would record a histogram per fetch and post to the collector for nothing.
    metricReaders: [],
    logRecordProcessors: [],
    sampler: new ParentBasedSampler({ root: new RequestsOnly(new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG)) }),
    instrumentations: [
      // Fetches inside a trace only (the gateway's calls to subgraphs, which carry traceparent);
      // the exporter's own posts to the collector are not traced.
      new UndiciInstrumentation({ requireParentforSpans: true, ignoreRequestHook: (request) => request.origin === collector }),
      // One span per execution: no per-field resolver spans, and no parse or validate spans (see
      // ExecuteSpans). Spans never carry values: literal arguments in documents become "*"
      // (allowValues off), and knex records statements with placeholders.
      new ExecuteSpans({ ignoreResolveSpans: true, depth: 0, allowValues: false }),
      // SQL outside a request (a worker's poll) would be a trace of one span each: only inside a trace.
      // Every statement goes through knex, on SQLite and MySQL alike, so its spans are the SQL of a
      // trace; the mysql2 driver's instrumentation would add a second span per statement and, having
      // no requireParentSpan, a trace of its own for every worker's poll.
      new KnexInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return true;
}

/** Exports the spans that ended so far. */
export async function flushTracing(): Promise<void> {
  await processor?.forceFlush();
}

/** Exports what is left and stops tracing (at shutdown). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}

/**
 * Runs one HTTP request's handling inside a server span that continues the caller's trace
 * (the gateway's traceparent header). Off: runs it as it is.
 */
export function serverSpan(req: IncomingMessage, res: ServerResponse, handle: () => Promise<void>): Promise<void> {
  if (!sdk) return handle();
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  // Probes and scrapes every few seconds are not requests anyone traces.
  if (UNTRACED_PATHS.test(path)) return handle();
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer.startSpan(`${req.method} ${path}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': path } }, parent);
  const requestId = req.headers['x-request-id'];
  if (typeof requestId === 'string') span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
  return context.with(trace.setSpan(parent, span), () =>
    handle().finally(() => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }),
  );
}

/** Names the request on the active span (the gateway makes its id after the span started). */
export function tagRequest(requestId: string): void {
  trace.getActiveSpan()?.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
}
