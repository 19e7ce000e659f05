/**
 * The process's structured log (pino): one JSON object a line, or pretty lines in
 * development. Lines carry ids, codes, counts and durations — never a value read from the
 * registry: names and ID numbers of persons stay out of logs (the permission walk checks).
 * Inside a traced request every line carries the trace id, so a line leads to its trace.
 */
import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { configuration } from '../config/index.js';

let root: Logger | undefined;

function createRoot(): Logger {
  const config = configuration();
  const pretty = (config.LOG_FORMAT ?? (config.NODE_ENV === 'development' ? 'pretty' : 'json')) === 'pretty';
  const options: pino.LoggerOptions = {
    level: config.LOG_LEVEL,
    base: { pid: process.pid },
    // Error messages may quote SQL with its bound values (a person's name, an ID number) or a
    // client's input: only the error's kind is kept, never its message.
    serializers: { err: (error: any) => ({ type: String(error?.code ?? error?.name ?? 'Error').slice(0, 64) }) },
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { traceId: span.traceId, spanId: span.spanId } : {};
    },
  };
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: config.LOG_DESTINATION ?? 1 } } });
  // Written as they come (sync): a line is never lost to an exit, and a test reads the file at once.
  return pino(options, pino.destination({ dest: config.LOG_DESTINATION ?? 1, sync: true, mkdir: true }));
}

/** The logger of one part of the hub (`component`: gateway, a subgraph's name, a worker's name). */
export function logger(component: string): Logger {
  root ??= createRoot();
  return root.child({ component });
}

/** Writes what is buffered (before the process exits). */
export function flushLogs(): void {
  root?.flush();
}

/**
 * An operation name as a log line shows it: only as GraphQL spells names, at most 64
 * characters, with every run of 4 or more digits hidden (a client may put a code in a name).
 */
export function loggedOperationName(name: string | null | undefined): string | null {
  if (!name) return null;
  if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) return '(not a GraphQL name)';
  return name.slice(0, 64).replace(/\d{4,}/g, '…');
}
