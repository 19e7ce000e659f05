/**
 * Where the time goes: one request at a time, hub and peer alternating, each request's
 * server-side spans (scripts/bench/spans.ts) split into the gateway's own time, the
 * subgraphs' and the access-register write's; medians per gateway and operation.
 */
import { log } from './context.js';
import type { Gateway } from './measured.js';
import type { PeerGateway } from './peer.js';
import { SpanRecorder, unionLength, type Span } from './spans.js';
import { median } from './stats.js';
import type { SuiteTarget } from './suite-setup.js';

export interface Breakdown {
  n: number;
  total: number;
  server: number;
  subgraphs: number;
  register: number;
  own: number;
  /** Calls per request and their median duration, by subgraph. */
  calls: Record<string, { perRequest: number; median: number }>;
}

interface Samples {
  total: number[];
  server: number[];
  subgraphs: number[];
  register: number[];
  own: number[];
  calls: Record<string, number[]>;
}

const isRegister = (s: Span) => s.path.startsWith('/internal/access-register');

/** Adds one request's spans (those since it was sent) to `entry`. */
function addSample(entry: Samples, total: number, spans: Span[]): void {
  const server = spans.find((s) => s.server === 'gateway');
  const subgraphSpans = spans.filter((s) => s.server !== 'gateway');
  const busy = unionLength(subgraphSpans);
  entry.total.push(total);
  entry.server.push(server ? server.end - server.start : NaN);
  entry.subgraphs.push(busy);
  entry.register.push(unionLength(subgraphSpans.filter(isRegister)));
  entry.own.push(server ? server.end - server.start - busy : NaN);
  for (const s of subgraphSpans) {
    const name = isRegister(s) ? 'access register' : s.server;
    (entry.calls[name] ??= []).push(s.end - s.start);
  }
}

function medians(s: Samples): Breakdown {
  return {
    n: s.total.length,
    total: median(s.total),
    server: median(s.server),
    subgraphs: median(s.subgraphs),
    register: median(s.register),
    own: median(s.own),
    calls: Object.fromEntries(
      Object.entries(s.calls).map(([name, durations]) => [name, { perRequest: durations.length / s.total.length, median: median(durations) }]),
    ),
  };
}

export async function measureBreakdown(t: SuiteTarget, peer: PeerGateway): Promise<Map<string, Breakdown>> {
  log('where the time goes (one request at a time, server-side spans)…');
  const { hub, bodies } = t;
  const serverByPort = new Map<number, string>([
    [Number(new URL(hub.gateway.url).port), 'gateway'],
    [Number(new URL(peer.url).port), 'gateway'],
    ...[...hub.subgraphs].map(([name, s]) => [Number(new URL(s.url).port), name] as [number, string]),
  ]);
  const recorder = new SpanRecorder(serverByPort);
  const samples = new Map<string, Samples>();
  const runs = [
    ...Array.from({ length: 40 }, (_, i) => ({ op: 'profile', body: bodies.profile[(i * 13) % bodies.profile.length] })),
    ...Array.from({ length: 8 }, (_, i) => ({ op: 'batch', body: bodies.batch[i % bodies.batch.length] })),
    ...Array.from({ length: 8 }, (_, i) => ({ op: 'screen', body: bodies.screen[i % bodies.screen.length] })),
  ];
  for (const [i, run] of runs.entries()) {
    // Alternate which gateway goes first.
    for (const gateway of (i % 2 ? ['hub', 'peer'] : ['peer', 'hub']) as Gateway[]) {
      const url = gateway === 'hub' ? hub.gateway.url : peer.url;
      const t0 = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(gateway === 'hub' ? t.headers.purpose : {}) }, body: run.body });
      await response.text();
      const total = performance.now() - t0;
      const key = `${gateway}:${run.op}`;
      const entry = samples.get(key) ?? { total: [], server: [], subgraphs: [], register: [], own: [], calls: {} };
      addSample(entry, total, recorder.since(t0));
      samples.set(key, entry);
    }
  }
  recorder.stop();
  return new Map([...samples].map(([key, s]) => [key, medians(s)]));
}
