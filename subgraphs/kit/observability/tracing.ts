/**
 * Traces (OpenTelemetry): with OTEL_EXPORTER_OTLP_ENDPOINT set, a sampled request is one trace
 * from the gateway through each subgraph it calls to their SQL — the gateway's fetches (undici)
 * carry the trace context, each subgraph continues it, GraphQL and knex add their spans —
 * exported over OTLP/HTTP (JSON, or protobuf with OTEL_EXPORTER_OTLP_PROTOCOL). Without it tracing is off: nothing is patched and a request costs one `if`.
 *
 * One rule decides where spans are made: **only inside a recorded trace**. The gateway decides
 * per request (OTEL_TRACES_SAMPLER_ARG); a request it does not sample runs with no span at all
 * — no non-recording spans, no context entered, no `traceparent` sent — so its subgraphs, GraphQL
 * and SQL make none either, and a trace is whole or absent. (Every instrumentation would
 * otherwise make its non-recording span and enter a context for it on every request, sampled
 * or not: BENCHMARKS.md, "Logs and traces", gives what each costs.)
 *
 * Instrumentations patch modules as they load: an entry point starts tracing before it
 * imports the hub (scripts/tracing.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type Context, INVALID_SPAN_CONTEXT, TraceFlags, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type ProxyTracerProvider, type Span, type Tracer, type TracerOptions, type TracerProvider } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { KnexInstrumentation } from '@opentelemetry/instrumentation-knex';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler, type Sampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { configuration } from '../config/index.js';
import type { OtlpProtocol } from '../config/observability.js';
import type { ForwardedIdentity } from '../auth/internal-token.js';

/** The request id of the hub, on every server span: the same id as the request's log lines. */
export const REQUEST_ID_ATTRIBUTE = 'credithub.request_id';

/** Paths served without a span: health probes and the metrics scrape. */
const UNTRACED_PATHS = /^\/(health(\/.*)?|metrics)$/;

type Wrapped = (...args: unknown[]) => unknown;

/**
 * Makes what an instrumentation wraps run as it is outside a recorded trace. `step` is the
 * instrumentation's own method (private in its typings) that, given its arguments, wraps the
 * library's function; checked at start, so an upgrade that renames it stops tracing's start with
 * this line rather than silently tracing everything again.
 */
function onlyInRecordedTraces(instrumentation: object, step: string, library: string): void {
  const self = instrumentation as Record<string, unknown>;
  const wrapperOf = self[step];
  if (typeof wrapperOf !== 'function') throw new Error(`${library} has no ${step}: ${instrumentation.constructor.name} (subgraphs/kit/observability/tracing.ts) must follow its new version`);
  self[step] = (...stepArgs: unknown[]) => (original: Wrapped) => {
    const instrumented = (wrapperOf.apply(instrumentation, stepArgs) as (original: Wrapped) => Wrapped)(original);
    return function inTraceOnly(this: unknown, ...args: unknown[]) {
      return (inRecordedTrace() ? instrumented : original).apply(this, args);
    };
  };
}

/**
 * The GraphQL instrumentation with its execute spans only. Parse and validate spans would add
 * two spans per subgraph call, each copying the whole document (its values masked by lexing it
 * again) into an attribute, for steps that Apollo's document cache mostly skips: what a request
 * spends in GraphQL is in the execute span, which carries the operation and its document.
 * Execution outside a recorded trace runs graphql's own execute: the instrumentation would make
 * a span, copy the document into it and enter a context for it whatever the sampling.
 */
class ExecuteSpans extends GraphQLInstrumentation {
  constructor(config: ConstructorParameters<typeof GraphQLInstrumentation>[0]) {
    super(config);
    onlyInRecordedTraces(this, '_patchExecute', '@opentelemetry/instrumentation-graphql');
  }

  protected override init() {
    const graphql = super.init();
    graphql.files = graphql.files.filter((file) => file.name.includes('execution/execute'));
    return graphql;
  }
}

/**
 * knex's instrumentation with its statements outside a recorded trace run as they are: it reads
 * the connection's settings and builds the span's attributes, statement text included, before it
 * checks for a parent — for every statement of the process, a worker's polls included.
 */
class StatementSpans extends KnexInstrumentation {
  constructor(config: ConstructorParameters<typeof KnexInstrumentation>[0]) {
    super(config);
    onlyInRecordedTraces(this, 'createQueryWrapper', '@opentelemetry/instrumentation-knex');
  }
}

/** Whether the code running now is part of a recorded trace (and so may make spans). */
const inRecordedTrace = () => trace.getSpan(context.active())?.isRecording() === true;

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

/** The tracer @apollo/gateway makes its own step spans with (gateway.request, .validate, .plan, .execute, .fetch, .postprocessing). */
const GATEWAY_STEPS_TRACER = 'apollo/gateway-js';

/**
 * What runs the gateway's steps without a span and without entering a context for each: about
 * ten a request, and @apollo/gateway has no switch for them. The server span, each subgraph
 * fetch and everything below stay, connected as before.
 */
const untraced: Tracer = {
  startSpan: () => trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
  startActiveSpan: ((...args: unknown[]) => (args[args.length - 1] as (span: Span) => unknown)(trace.wrapSpanContext(INVALID_SPAN_CONTEXT))) as Tracer['startActiveSpan'],
};

/** The gateway's step spans: none, or (OTEL_GATEWAY_STEP_SPANS) inside recorded traces only. */
class GatewaySteps implements TracerProvider {
  constructor(
    private readonly provider: TracerProvider,
    private readonly stepSpans: boolean,
  ) {}
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const tracer = this.provider.getTracer(name, version, options);
    if (name !== GATEWAY_STEPS_TRACER) return tracer;
    if (!this.stepSpans) return untraced;
    return {
      startSpan: (...args) => (inRecordedTrace() ? tracer : untraced).startSpan(...args),
      startActiveSpan: ((...args: unknown[]) => ((inRecordedTrace() ? tracer : untraced).startActiveSpan as (...all: unknown[]) => unknown)(...args)) as Tracer['startActiveSpan'],
    };
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
  const spanExporter = exporter ?? collectorExporter(endpoint!, config.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? config.OTEL_EXPORTER_OTLP_PROTOCOL);
  // Spans go in batches of up to 128, waiting at most 100 ms: a busy process posts some 20
  // times a second, not once per request, and its spans die young. Held for up to a second in
  // batches of 1,024, they outlived the young generation's collections, and every request sampled
  // cost about 4 points more CPU (BENCHMARKS.md, "Logs and traces").
  processor = new BatchSpanProcessor(spanExporter, { scheduledDelayMillis: 100, maxExportBatchSize: 128, maxQueueSize: 8_192 });
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
      // Fetches inside a recorded trace only (the gateway's calls to subgraphs and the access
      // register, which then carry traceparent); the exporter's own posts to the collector are not traced.
      new UndiciInstrumentation({
        requireParentforSpans: true,
        // Asked first: the instrumentation reads the URL and headers and builds the span's
        // attributes before it checks for a parent, for every fetch of the process.
        ignoreRequestHook: (request) => !inRecordedTrace() || request.origin === collector,
        // Spans carry no values: an export page's fetch has its filter and cursor in the query string.
        requestHook: (span, request) => {
          span.setAttribute('url.full', `${request.origin}${request.path.split('?')[0]}`);
          span.setAttribute('url.query', '');
        },
      }),
      // One span per execution: no per-field resolver spans, and no parse or validate spans (see
      // ExecuteSpans). Spans never carry values: literal arguments in documents become "*"
      // (allowValues off), and knex records statements with placeholders.
      new ExecuteSpans({ ignoreResolveSpans: true, depth: 0, allowValues: false }),
      // SQL outside a request (a worker's poll) would be a trace of one span each: only inside a trace.
      // Every statement goes through knex, on SQLite and MySQL alike, so its spans are the SQL of a
      // trace; the mysql2 driver's instrumentation would add a second span per statement and, having
      // no requireParentSpan, a trace of its own for every worker's poll.
      new StatementSpans({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  // Before anything asks for a tracer: a tracer, once had, keeps its provider.
  const global = trace.getTracerProvider() as ProxyTracerProvider;
  global.setDelegate(new GatewaySteps(global.getDelegate(), config.OTEL_GATEWAY_STEP_SPANS));
  return true;
}

/**
 * The OTLP/HTTP exporter to `<endpoint>/v1/traces`. JSON by default: protobuf takes half the
 * bytes, but its writer (strings encoded character by character in JavaScript) cost about twice
 * JSON.stringify's CPU per span in the hub's CPU profiles (BENCHMARKS.md, "Logs and traces").
 */
export function collectorExporter(endpoint: string, protocol: OtlpProtocol): SpanExporter {
  if (protocol === 'grpc') throw new Error('configuration: OTEL_EXPORTER_OTLP_PROTOCOL (or OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) is "grpc", but the hub exports traces over OTLP/HTTP only: set it to http/json or http/protobuf and point OTEL_EXPORTER_OTLP_ENDPOINT at the collector\'s HTTP port (usually 4318)');
  const url = new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
  return protocol === 'http/json' ? new JsonExporter({ url }) : new ProtobufExporter({ url });
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
 * Whether a server follows its caller's decision: a subgraph follows the gateway's (a call from
 * the hub's own processes, carrying their internal token) — continuing its trace, or, with no
 * `traceparent`, tracing nothing. `verify` gives the identity the caller's token forwards (with the
 * request id it names, if any), undefined if the token is not the hub's (asked only of a caller whose trace is
 * sampled); a caller whose token is not is decided as any other. The
 * gateway, the hub's edge, decides every request itself at the configured ratio: a client's
 * `traceparent` marked sampled would otherwise have every one of its requests traced whatever
 * OTEL_TRACES_SAMPLER_ARG says.
 */
export type CallerTrace = { verify: () => Promise<Pick<ForwardedIdentity, 'requestId'> | undefined> } | 'ignore';

/**
 * Runs one HTTP request's handling inside a server span when it is traced (see CallerTrace);
 * otherwise, and with tracing off, runs it as it is.
 */
export function serverSpan(req: IncomingMessage, res: ServerResponse, handle: () => Promise<void>, callerTrace: CallerTrace): Promise<void> {
  if (!sdk) return handle();
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  // Probes and scrapes every few seconds are not requests anyone traces.
  if (UNTRACED_PATHS.test(path)) return handle();
  if (callerTrace === 'ignore') return requestSpan(req, res, handle, path, ROOT_CONTEXT, undefined);
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const caller = trace.getSpanContext(parent);
  if (!caller || !(caller.traceFlags & TraceFlags.SAMPLED)) return handle(); // the caller traces nothing
  return callerTrace.verify().then((hubCall) => requestSpan(req, res, handle, path, hubCall ? parent : ROOT_CONTEXT, hubCall?.requestId));
}

/** `hubRequestId`: the request id a hub's call names in its verified token, else undefined. */
function requestSpan(req: IncomingMessage, res: ServerResponse, handle: () => Promise<void>, path: string, parent: Context, hubRequestId: string | undefined): Promise<void> {
  const span = tracer.startSpan(`${req.method} ${path}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': path } }, parent);
  // Not sampled (here, or by the caller): no span is carried, so nothing below makes one.
  if (!span.isRecording()) return handle();
  // The hub's own calls name the request in their signed token, as the subgraph's log line does,
  // whichever route they call; a client's x-request-id names nothing (the gateway tags its
  // request with the id it makes).
  if (hubRequestId) span.setAttribute(REQUEST_ID_ATTRIBUTE, hubRequestId);
  return context.with(trace.setSpan(parent, span), () =>
    handle().finally(() => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }),
  );
}

/**
 * Runs a request that is not an HTTP one — a subscription's start over its WebSocket — as the
 * root of a trace of its own (sampled at the configured ratio), its fetches inside it. Off: runs it as it is.
 */
export function requestTrace<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!sdk) return work();
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  if (!span.isRecording()) return work();
  return context.with(trace.setSpan(ROOT_CONTEXT, span), () =>
    work()
      .catch((error) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.name });
        throw error;
      })
      .finally(() => span.end()),
  );
}

/**
 * Runs `open` outside any trace: a link the whole process shares (the broker's connection), opened
 * lazily during a traced request, would otherwise carry that request's context into every
 * callback it ever makes, and what those callbacks do would join an ended trace.
 */
export function outsideTrace<T>(open: () => T): T {
  return sdk ? context.with(ROOT_CONTEXT, open) : open();
}

/** Names the request on the active span (the gateway makes its id after the span started). */
export function tagRequest(requestId: string): void {
  trace.getActiveSpan()?.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
}
