/** The findings under the time breakdown. */
import type { MysqlServer } from '../databases.js';
import type { Caller, Gateway, Operation } from '../measured.js';
import { ms, ratio } from '../stats.js';
import type { SuiteResult } from '../suite.js';

/** What the figures say about the hub against the peer, from this run's numbers. */
export function findings(r: SuiteResult, server: MysqlServer | null, C: number): string {
  const get = (gateway: Gateway, op: Operation, caller: Caller, connections: number) => r.results.get(`${gateway}:${op}:${caller}:${connections}`)!;
  const cpu = (gateway: Gateway, op: Operation, caller: Caller, connections: number) => get(gateway, op, caller, connections).cpuMsPerRequest;
  const slower: string[] = [];
  const compare = (label: string, op: Operation, caller: Caller, connections: number) => {
    const hub = get('hub', op, caller, connections).summary;
    const peer = get('peer', op, caller, connections).summary;
    const worse = [hub.p50 > peer.p50 * 1.05 ? `p50 ${ratio(hub.p50, peer.p50)}` : '', hub.p99 > peer.p99 * 1.05 ? `p99 ${ratio(hub.p99, peer.p99)}` : ''].filter(Boolean);
    if (worse.length) slower.push(`${label} (${worse.join(', ')})`);
  };
  compare(`(a) with purpose, ${C} connections`, 'profile', 'purpose', C);
  compare(`(a) without purpose, ${C} connections`, 'profile', 'none', C);
  compare('(a) with purpose, one at a time', 'profile', 'purpose', 1);
  compare('(b) with purpose', 'batch', 'purpose', 1);
  compare('(c) `screen`', 'screen', 'purpose', 1);
  const hubPurposeCost = cpu('hub', 'profile', 'purpose', C) - cpu('hub', 'profile', 'none', C);
  const peerPurposeCost = cpu('peer', 'profile', 'purpose', C) - cpu('peer', 'profile', 'none', C);
  const own = (key: string) => r.breakdown.get(key)?.own ?? NaN;
  const register = r.breakdown.get('hub:profile')?.register ?? NaN;
  return `**Findings.**

- CPU per request, gateway + subgraphs, hub vs peer: (a) without purpose ${cpu('hub', 'profile', 'none', C).toFixed(1)} vs ${cpu('peer', 'profile', 'none', C).toFixed(1)} ms (${ratio(cpu('hub', 'profile', 'none', C), cpu('peer', 'profile', 'none', C))}); (a) with purpose ${cpu('hub', 'profile', 'purpose', C).toFixed(1)} vs ${cpu('peer', 'profile', 'purpose', C).toFixed(1)} ms (${ratio(cpu('hub', 'profile', 'purpose', C), cpu('peer', 'profile', 'purpose', C))}); (b) ${cpu('hub', 'batch', 'purpose', 1).toFixed(0)} vs ${cpu('peer', 'batch', 'purpose', 1).toFixed(0)} ms (${ratio(cpu('hub', 'batch', 'purpose', 1), cpu('peer', 'batch', 'purpose', 1))}); (c) ${cpu('hub', 'screen', 'purpose', 1).toFixed(0)} vs ${cpu('peer', 'screen', 'purpose', 1).toFixed(0)} ms (${ratio(cpu('hub', 'screen', 'purpose', 1), cpu('peer', 'screen', 'purpose', 1))}).
- The gateway's own time, one request at a time: (a) hub ${ms(own('hub:profile'))} vs peer ${ms(own('peer:profile'))}; (b) hub ${ms(own('hub:batch'))} vs peer ${ms(own('peer:batch'))}; (c) hub ${ms(own('hub:screen'))} vs peer ${ms(own('peer:screen'))}.
- ${slower.length ? `The hub was slower than the peer in: ${slower.join('; ')}.` : 'The hub was not slower than the peer (by more than 5%) in any comparison of this run.'}
- Stating a purpose costs the hub ${hubPurposeCost.toFixed(1)} ms of CPU per profile; ${peerPurposeCost.toFixed(1)} ms of that
is the subgraphs' part (unmasking and reporting what personal data they returned), which the
peer pays too. The rest is what only the hub does: after the answer is complete, it posts the
reads to the platform's \`/internal/access-register\`, which appends hash-chained records in one
transaction (5 statements: BEGIN, read the chain head, insert, update the head, COMMIT — the
platform's extra statements in the table below), and answers only once that is written (fail
closed): one more HTTP round trip on the critical path (${ms(register)} one at a time) and CPU
that lowers the throughput when the process is saturated.${
    server
      ? `
- On MariaDB the register write takes ${ms(register)} one at a time, against under 1 ms on SQLite:
its transaction commits durably (\`innodb_flush_log_at_trx_commit\` = ${server.flushLogAtCommit}${server.flushLogAtCommit === 1 ? ': a redo-log flush per commit' : ''}) and
locks the chain head \`FOR UPDATE\`, so concurrent requests' register writes also wait for one another.`
      : ''
  }
- A CPU profile taken by hand (not by
every run; 2026-11-23, node:inspector, the hub under (a) load at 8 connections, SQLite, 10,000
subjects) spreads the time over undici
(the gateway's fetches, ~10%), garbage collection (8–10%), better-sqlite3 (8–10%), graphql-js
with Apollo Server and Gateway (~15%) and jose (~3%: the JWT and the forwarded identity,
verified again by each subgraph); with a purpose, better-sqlite3's \`run\` (the register's
writes) grows from 4% to 6% of the samples and knex from 3.5% to 4.8%. Waits for the platform's
single SQLite connection stay under 0.3 ms per request (tarn pool events), so the register does
not queue reads behind it: its cost is CPU and one round trip.`;
}
