/**
 * The suite report's later sections: the peer gateway and where the time goes (with the
 * findings), SQL statements per request, and the process's memory.
 */
import type { Breakdown } from '../breakdown.js';
import { databaseNames, subgraphCount } from '../context.js';
import type { MysqlServer } from '../databases.js';
import { int, ms } from '../stats.js';
import type { SuiteResult } from '../suite.js';
import { findings } from './findings.js';
import { mib, row } from './format.js';
import { peerVersion } from './machine.js';

const callsOf = (b: Breakdown | undefined) =>
  b
    ? Object.entries(b.calls)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([name, c]) => `${name}${c.perRequest === 1 ? '' : ` ×${c.perRequest.toFixed(1)}`} ${ms(c.median)}`)
        .join(', ')
    : '—';

export function peerSection(r: SuiteResult, server: MysqlServer | null, C: number): string {
  const bd = (key: string) => r.breakdown.get(key);
  const breakdownRow = (label: string, key: string) => {
    const b = bd(key);
    return b ? row([label, b.n, ms(b.total), ms(b.server), ms(b.subgraphs), ms(b.register), `**${ms(b.own)}**`, callsOf(b)]) : row([label, '—', '—', '—', '—', '—', '—', '—']);
  };
  const ownDiff = (op: string) => (bd(`hub:${op}`)?.own ?? NaN) - (bd(`peer:${op}`)?.own ?? NaN);
  const subDiff = (op: string) => (bd(`hub:${op}`)?.subgraphs ?? NaN) - (bd(`peer:${op}`)?.subgraphs ?? NaN);
  return `### The peer gateway

\`@graphql-hive/gateway\` ${peerVersion()} (\`createGatewayRuntime\`, default settings) serves the
checked-in \`schema/supergraph.graphql\` over node:http; \`transportEntries\` point it at the hub's
running subgraphs and add the identity header \`x-credithub-principal\`: a token signed with
\`signInternalToken\` for the same principal the hub derives from the agency's JWT (re-signed every
20 s, as such tokens live 60 s), with or without the same purpose. The peer therefore **skips the
hub's JWT verification, the signing of the forwarded identity per request and the
access-register write**: the comparison is the gateway execution (parse, validate, plan, fetch,
merge, serialise) on identical subgraph work. Both gateways answered the same data:
${r.dataCheck.profilesEqual}/${r.dataCheck.profiles} profiles identical; a 1,000-code batch ${r.dataCheck.batchEqual ? 'identical' : '**different**'} (errors: hub ${r.dataCheck.hubBatchErrors}, peer ${r.dataCheck.peerBatchErrors});
a 1,000-code screening's items ${r.dataCheck.screenEqual ? 'identical' : '**different**'} (each screening has its own id and receipt).

**Where the time goes**, one request at a time, hub and peer alternating, medians. Every HTTP
server in the process reports when it received a request and finished its response
(node:diagnostics_channel): "subgraphs" is the time at least one subgraph was working on the
request (the access-register write included), "gateway's own" is the gateway's span minus that.

| | requests | client total | gateway span | subgraphs | of which register write | gateway's own | calls (median duration) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${breakdownRow('(a) hub, purpose', 'hub:profile')}
${breakdownRow('(a) peer, purpose', 'peer:profile')}
${breakdownRow('(b) hub, purpose', 'hub:batch')}
${breakdownRow('(b) peer, purpose', 'peer:batch')}
${breakdownRow('(c) hub, purpose', 'hub:screen')}
${breakdownRow('(c) peer, purpose', 'peer:screen')}

Hub minus peer: (a) gateway's own ${ms(ownDiff('profile'))}, subgraphs ${ms(subDiff('profile'))}; (b) gateway's own ${ms(ownDiff('batch'))}, subgraphs ${ms(subDiff('batch'))}; (c) gateway's own ${ms(ownDiff('screen'))}, subgraphs ${ms(subDiff('screen'))}.
(Subgraphs share the process's one event loop, so parallel calls stretch each other's spans.)

${findings(r, server, C)}

`;
}

/** A column per database (the platform's, then each department's of the catalogue); the lower bound reads each table once. */
export function statementsSection(r: SuiteResult): string {
  const names = databaseNames();
  const statementsTable = [
    row(['operation', 'codes', 'gateway', ...names, 'total']),
    row(Array.from({ length: names.length + 4 }, () => '---')),
    ...r.statements.map((s) =>
      row([s.operation, int(s.size), s.gateway, ...names.map((n) => s.counts[n] ?? 0), Object.values(s.counts).reduce((a, b) => a + b, 0)]),
    ),
    row(['lower bound (a)', 1, '—', ...names.map(() => 1), r.lower.statementsProfile]),
    row(['lower bound (b)', int(1000), '—', ...names.map(() => 1), r.lower.statementsBatch]),
  ].join('\n');
  return `### SQL statements per request

Counted by each subgraph's knex \`statements\` counter around one request (the same subgraphs
serve both gateways). (a) at 100 and 1,000 codes is the profile's selection through \`subjects\`;
the mixed batches are those of (b), and (c) screens the same codes (its statements include the
record's insert).

${statementsTable}

`;
}

export function memorySection(r: SuiteResult): string {
  return `### Memory

Peak RSS of the one process that runs the hub's gateway and all ${subgraphCount()} subgraphs (and, from round
2, the peer gateway), sampled every 100 ms; not a per-service figure — \`npm run bench:processes\`
measures each process of the production layout. The load generator is a separate process and
not included; the lower bound's connections and the workload's code lists are.

| phase | peak RSS | peak JS heap used |
| --- | --- | --- |
${[...r.rss].filter(([phase]) => phase !== 'idle').map(([phase, peak]) => row([phase, mib(peak.rss), mib(peak.heapUsed)])).join('\n')}
| whole run | ${mib(Math.max(...[...r.rss.values()].map((p) => p.rss)))} | ${mib(Math.max(...[...r.rss.values()].map((p) => p.heapUsed)))} |

What stays after a forced full garbage collection at quiet points (so peaks above are mostly
garbage not yet collected, or memory V8 keeps for the next allocations):

| point | RSS | JS heap used |
| --- | --- | --- |
${r.retained.map((p) => row([p.point, mib(p.rss), mib(p.heapUsed)])).join('\n')}
`;
}
