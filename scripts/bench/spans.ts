/**
 * Where a request's time goes, seen from the servers: every HTTP server in this process
 * (the gateway, the peer, the five subgraphs) reports when it received a request and when
 * it finished the response (node:diagnostics_channel). For one request at a time, the
 * subgraph spans inside the gateway's span are the subgraphs' share; the rest is the gateway.
 */
import diagnostics from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';

export interface Span {
  server: string;
  path: string;
  start: number;
  end: number;
}

export class SpanRecorder {
  readonly spans: Span[] = [];
  private readonly open = new WeakMap<object, Span>();
  private readonly onStart = (message: any) => {
    const port = (message.server?.address() as AddressInfo | null)?.port;
    const server = port ? this.serverByPort.get(port) : undefined;
    if (!server) return;
    const span = { server, path: String(message.request?.url ?? ''), start: performance.now(), end: NaN };
    this.open.set(message.response, span);
    this.spans.push(span);
  };
  private readonly onFinish = (message: any) => {
    const span = this.open.get(message.response);
    if (span) span.end = performance.now();
  };

  constructor(private readonly serverByPort: Map<number, string>) {
    diagnostics.subscribe('http.server.request.start', this.onStart);
    diagnostics.subscribe('http.server.response.finish', this.onFinish);
  }

  stop(): void {
    diagnostics.unsubscribe('http.server.request.start', this.onStart);
    diagnostics.unsubscribe('http.server.response.finish', this.onFinish);
  }

  /** The spans that started at or after `since`. */
  since(since: number): Span[] {
    return this.spans.filter((span) => span.start >= since);
  }
}

/** Total length of the union of intervals: how long at least one of them was open. */
export function unionLength(intervals: { start: number; end: number }[]): number {
  const sorted = intervals.filter((i) => Number.isFinite(i.end)).sort((a, b) => a.start - b.start);
  let total = 0;
  let currentStart = -Infinity;
  let currentEnd = -Infinity;
  for (const { start, end } of sorted) {
    if (start > currentEnd) {
      if (currentEnd > currentStart) total += currentEnd - currentStart;
      currentStart = start;
      currentEnd = end;
    } else currentEnd = Math.max(currentEnd, end);
  }
  if (currentEnd > currentStart) total += currentEnd - currentStart;
  return total;
}
