/**
 * The environment variables of logs, metrics, traces, health and shutdown: one zod shape
 * (each variable described, with its range), read and checked once per process. A bad
 * value stops the process with one line naming the variable, the value and what is allowed.
 */
import { z } from 'zod';

const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const observabilityVariables = {
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Least severe log level written: fatal, error, warn, info (default), debug, trace or silent'),
  LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .optional()
    .describe('json: one JSON object a line (default in production); pretty: coloured lines for people (default when NODE_ENV=development)'),
  LOG_DESTINATION: z
    .string()
    .min(1)
    .optional()
    .describe('A file to append log lines to instead of standard output'),
  METRICS_TOKEN: z
    .string()
    .min(16)
    .optional()
    .describe('Bearer token that /metrics asks for (16 characters or more); without it /metrics answers loopback callers only'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url()
    .optional()
    .describe('OTLP/HTTP (JSON) collector base URL, e.g. http://otel-collector:4318 (spans go to <url>/v1/traces); tracing is off without it'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('Share of new traces recorded, 0 to 1 (default 1: every request)'),
  READY_MAX_CONSUMER_LAG_SECONDS: whole(1, 86_400)
    .default(300)
    .describe('/health/ready answers 503 once an event consumer has not caught up with a source for this many seconds (1–86400, default 300)'),
  SHUTDOWN_GRACE_MS: whole(0, 120_000)
    .default(8_000)
    .describe('How long a stopping process waits for in-flight requests to finish before closing their connections (0–120000 ms, default 8000)'),
} as const;

const schema = z.object(observabilityVariables);
export type ObservabilityConfig = z.infer<typeof schema>;

/** The observability settings of `env`; throws one line saying which variable is wrong and what is allowed. */
export function readObservabilityConfig(env: NodeJS.ProcessEnv = process.env): ObservabilityConfig {
  // An empty variable (FOO= in a compose file) means "not set".
  const given = Object.fromEntries(Object.keys(observabilityVariables).flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0]);
  const allowed = observabilityVariables[name as keyof typeof observabilityVariables].description;
  const shown = name === 'METRICS_TOKEN' ? '(hidden)' : JSON.stringify(given[name]);
  throw new Error(`${name}=${shown} is not allowed (${issue.message}): ${allowed}`);
}

let cached: ObservabilityConfig | undefined;

/** This process's settings, read once. */
export function observabilityConfig(): ObservabilityConfig {
  return (cached ??= readObservabilityConfig());
}
