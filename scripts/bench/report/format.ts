/** The report's cells and rows. */
import type { Timed } from '../lower-bound.js';
import type { Measured } from '../measured.js';
import { int, ms } from '../stats.js';

export const mib = (bytes: number | undefined) => (bytes ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : '—');

export function row(cells: (string | number)[]) {
  return `| ${cells.join(' | ')} |`;
}

/** The header of a table of load runs, for measuredRow and timedRow. */
export const RUNS_HEADER = '| | connections | requests | req/s | p50 | p90 | p99 | p50 by round | CPU per request |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |';

export function measuredRow(label: string, m: Measured | undefined, connections: number) {
  if (!m) return row([label, connections, '—', '—', '—', '—', '—', '—', '—']);
  const s = m.summary;
  const problems = m.failed + m.withErrors;
  return row([label, connections, int(s.n), s.perSecond.toFixed(0), ms(s.p50), ms(s.p90), ms(s.p99), m.rounds.map((r) => ms(r.p50)).join(' / '), `${m.cpuMsPerRequest.toFixed(1)} ms${problems ? ` (${problems} failed)` : ''}`]);
}

export function timedRow(label: string, t: Timed, connections: number) {
  const s = t.summary;
  return row([label, connections, int(s.n), s.perSecond.toFixed(0), ms(s.p50), ms(s.p90), ms(s.p99), '—', `${t.cpuMsPerOp.toFixed(2)} ms`]);
}
