/** Logs, metrics, traces, health and shutdown. */
import { decimal, flag, integer, oneOf, text, url } from './variable.js';

/** OTLP's encodings (OTEL_EXPORTER_OTLP_PROTOCOL's values, as OpenTelemetry names them); the hub writes the two over HTTP. */
export const OTLP_PROTOCOLS = ['http/json', 'http/protobuf', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export const observability = {
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info', doc: 'least severe log level written' }),
  LOG_FORMAT: oneOf(['json', 'pretty'], { defaultText: 'json in production, pretty in development', doc: '`json`: one JSON object a line; `pretty`: coloured lines for people' }),
  LOG_DESTINATION: text({ allowed: 'a file path', defaultText: 'standard output', doc: 'a file to append log lines to instead of standard output' }),
  METRICS_TOKEN: text({ secret: true, minLength: 16, allowed: 'at least 16 bytes', doc: 'bearer token `/metrics` asks for; without it `/metrics` answers loopback callers only' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: url({ schemes: ['http:', 'https:'], doc: 'OTLP/HTTP collector base URL, e.g. `http://otel-collector:4318` (spans go to `<url>/v1/traces`); tracing is off without it' }),
  OTEL_EXPORTER_OTLP_PROTOCOL: oneOf(OTLP_PROTOCOLS, { default: 'http/json', doc: "how spans are written to the collector: OTLP's JSON, or its protobuf (half the bytes; its writer took about twice JSON's CPU in the hub's profiles, BENCHMARKS.md). `grpc`, which platforms often set for every workload, is accepted but, with tracing on, stops the process: the hub speaks OTLP/HTTP only (the collector's port 4318)" }),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: oneOf(OTLP_PROTOCOLS, { defaultText: 'OTEL_EXPORTER_OTLP_PROTOCOL', doc: 'the same for traces alone; it wins over OTEL_EXPORTER_OTLP_PROTOCOL, as OpenTelemetry specifies' }),
  OTEL_GATEWAY_STEP_SPANS: flag({ default: false, doc: "also trace the gateway's own steps (validate, plan, execute, each fetch, post-processing): about ten more spans a request" }),
  OTEL_TRACES_SAMPLER_ARG: decimal({ min: 0, max: 1, default: 1, doc: 'share of new traces recorded (1: every request)' }),
  READY_MAX_CONSUMER_LAG_SECONDS: integer({ min: 1, max: 86_400, default: 300, unit: 'seconds', doc: '`/health/ready` answers 503 once an event consumer has not caught up with a source for this long' }),
  SHUTDOWN_GRACE_MS: integer({ min: 0, max: 120_000, default: 8_000, unit: 'ms', doc: 'how long a stopping process waits for in-flight requests to finish before closing their connections' }),
};
