/**
 * The report of the suite: its heading (command, machine, how, setup), then (a), (b) and (c)
 * (scripts/bench/report/details.ts: the peer and where the time goes, statements, memory).
 */
import type { MysqlServer } from '../databases.js';
import type { Caller, Gateway, Measured, Operation } from '../measured.js';
import type { BenchOptions } from '../options.js';
import { BATCHES, subgraphCount } from '../context.js';
import { int, ratio } from '../stats.js';
import type { SuiteResult } from '../suite.js';
import { memorySection, peerSection, statementsSection } from './details.js';
import { measuredRow, RUNS_HEADER as header, timedRow } from './format.js';
import type { Machine } from './machine.js';

/** The measured runs of one kind, added up over the gateway's rounds. */
export function runsOf(r: SuiteResult, gateway: Gateway, op: Operation, caller: Caller, connections: number): Measured {
  return r.results.get(`${gateway}:${op}:${caller}:${connections}`)!;
}

function heading(r: SuiteResult, m: Machine, server: MysqlServer | null, started: Date, options: BenchOptions): string {
  const dirtyNote = m.dirty.length
    ? ` with uncommitted changes in ${m.dirty.length > 6 ? `${m.dirty.length} files` : m.dirty.join(', ')} (measured as they were)`
    : ', clean working tree';
  return `## ${options.database === 'mysql' ? 'MariaDB' : 'SQLite'}, ${int(r.subjects)} subjects — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC

\`npm run bench -- --subjects ${options.subjects} --duration ${options.duration} --connections ${options.connections} --database ${options.database}${options.scale ? ` --scale${options.scaleSubjects !== 1_000_000 ? ` --scale-subjects ${options.scaleSubjects}` : ''}` : ''}${options.append ? ' --append' : ''}\`

**Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}, ${m.os}${server ? `, MariaDB ${server.version} (buffer pool ${int(server.bufferPoolMiB)} MiB)` : ''}.
Load average (1 min) ${r.loadAverage.start[0].toFixed(2)} at the start and ${r.loadAverage.end[0].toFixed(2)} at the end: other work shared the machine. Commit ${m.commit}${dirtyNote}.

**How.** ${r.database.replace(/ in .*| credithub_bench_\w+/, '')}, fresh for this run. One process runs the hub (${subgraphCount()}
subgraphs + the Apollo gateway, \`startHub\`, background workers off so they do not compete for
the cores) and, from round 2, the peer gateway; autocannon runs in a child process (so its CPU
and memory are not counted as the hub's, but it shares the ${m.cores} cores). The caller is an agency
token with a stated purpose: every request goes through JWT verification, the forwarded identity,
masking decisions and, for the personal data it reads, the access-register write. Hub and peer
alternate in ${r.rounds} rounds (hub, peer, peer, hub, hub, peer, peer, hub), each with every load run: ${r.profileSeconds} s per (a) run, ${r.batchSeconds} s per (b) and per (c) run.
Percentiles are over every response of a gateway's ${r.rounds / 2} rounds (hrtime, not rounded); "p50 by round"
shows the spread between rounds. CPU per request is this process's CPU time (gateway +
subgraphs) divided by the responses: unlike latency, it does not grow when other processes take
the cores, so it is the steadiest hub-vs-peer figure on a shared machine. (a) rotates over
${int(Math.min(5000, r.mix.listed))} listed subjects; (b) and (c) rotate over the same ${BATCHES} different batches of 1,000 codes.

**Setup.** Seeding ${int(r.subjects)} subjects and ${int(r.entries)} entries with \`seed()\`: ${r.seedSeconds.toFixed(1)} s (generation ${r.generationSeconds.toFixed(1)} s, the rest writing).
Hub start: ${r.hubStartSeconds.toFixed(1)} s. Collection before any measurement (\`hub.settle()\`: every background worker
runs until none finds work; the platform collects every department's entries from their event
feeds, which (c) answers from): ${r.collect.seconds.toFixed(1)} s, ${int(r.collect.collected)} entries in the platform's index, ${int(r.collect.warningList)} warning-list stays.
Code pools: ${int(r.mix.listed)} listed (an active entry), ${int(r.mix.unlisted)} registered with no entry,
${int(r.mix.unknown)} valid unknown codes, ${int(r.mix.invalid)} codes with a wrong check character.

`;
}

function profileSection(r: SuiteResult, C: number): string {
  const [hubA, hubAnp, hubA1] = [runsOf(r, 'hub', 'profile', 'purpose', C), runsOf(r, 'hub', 'profile', 'none', C), runsOf(r, 'hub', 'profile', 'purpose', 1)];
  const [peerA, peerAnp, peerA1] = [runsOf(r, 'peer', 'profile', 'purpose', C), runsOf(r, 'peer', 'profile', 'none', C), runsOf(r, 'peer', 'profile', 'purpose', 1)];
  const lb = r.lower;
  return `### (a) One subject's full profile

Registry fields, legal representative, and every department's entries with all their scalar
fields and legal representative (\`scripts/bench/workload.ts\`).

${header}
${measuredRow('hub, purpose stated', hubA, C)}
${measuredRow('hub, no purpose (masked, no register write)', hubAnp, C)}
${measuredRow('hub, purpose stated', hubA1, 1)}
${measuredRow('peer, same principal + purpose', peerA, C)}
${measuredRow('peer, same principal, no purpose', peerAnp, C)}
${measuredRow('peer, same principal + purpose', peerA1, 1)}
${timedRow('lower bound (direct SQL + JSON, in process)', lb.profileConcurrent, C)}
${timedRow('lower bound (direct SQL + JSON, in process)', lb.profile, 1)}

| ratio | p50 | p99 | throughput |
| --- | --- | --- | --- |
| hub / lower bound, one at a time | ${ratio(hubA1.summary.p50, lb.profile.summary.p50)} | ${ratio(hubA1.summary.p99, lb.profile.summary.p99)} | |
| hub / lower bound, ${C} at a time | ${ratio(hubA.summary.p50, lb.profileConcurrent.summary.p50)} | ${ratio(hubA.summary.p99, lb.profileConcurrent.summary.p99)} | ${ratio(hubA.summary.perSecond, lb.profileConcurrent.summary.perSecond)} |
| hub / peer, purpose, ${C} connections | ${ratio(hubA.summary.p50, peerA.summary.p50)} | ${ratio(hubA.summary.p99, peerA.summary.p99)} | ${ratio(hubA.summary.perSecond, peerA.summary.perSecond)} |
| hub / peer, no purpose, ${C} connections | ${ratio(hubAnp.summary.p50, peerAnp.summary.p50)} | ${ratio(hubAnp.summary.p99, peerAnp.summary.p99)} | ${ratio(hubAnp.summary.perSecond, peerAnp.summary.perSecond)} |
| hub / peer, purpose, one at a time | ${ratio(hubA1.summary.p50, peerA1.summary.p50)} | ${ratio(hubA1.summary.p99, peerA1.summary.p99)} | |
| hub: purpose / no purpose, ${C} connections | ${ratio(hubA.summary.p50, hubAnp.summary.p50)} | ${ratio(hubA.summary.p99, hubAnp.summary.p99)} | ${ratio(hubA.summary.perSecond, hubAnp.summary.perSecond)} |

`;
}

function batchSection(r: SuiteResult): string {
  const hubB = runsOf(r, 'hub', 'batch', 'purpose', 1);
  const peerB = runsOf(r, 'peer', 'batch', 'purpose', 1);
  const lb = r.lower;
  return `### (b) \`subjects\` with 1,000 codes (50% listed, 30% registered-unlisted, 10% unknown, 10% invalid)

\`creditCode subjectType registered name\` and each department's entries (\`id listType listKind
status validUntil\`); each invalid code is an error at its position. One request at a time.

${header}
${measuredRow('hub, purpose stated', hubB, 1)}
${measuredRow('peer, same principal + purpose', peerB, 1)}
${timedRow('lower bound (direct SQL + JSON, in process)', lb.batch, 1)}

| ratio | p50 | p99 |
| --- | --- | --- |
| hub / lower bound | ${ratio(hubB.summary.p50, lb.batch.summary.p50)} | ${ratio(hubB.summary.p99, lb.batch.summary.p99)} |
| hub / peer | ${ratio(hubB.summary.p50, peerB.summary.p50)} | ${ratio(hubB.summary.p99, peerB.summary.p99)} |

${hubB.summary.n < 200 ? `With ${int(hubB.summary.n)} requests per gateway, p99 is close to the slowest request.
` : ''}
The lower bound reads the same rows with one statement per table (\`platform_subjects\`, then
\`<department>_entries\` by \`credit_code IN (…)\`) on separate connections to the same
databases and serialises them to JSON: no HTTP, no GraphQL, no authorisation, no masking, no
linked legal-representative entries, no ordering; (b) selects only the columns the query asks for.

`;
}

function screenSection(r: SuiteResult): string {
  const hubB = runsOf(r, 'hub', 'batch', 'purpose', 1);
  const hubC = runsOf(r, 'hub', 'screen', 'purpose', 1);
  const peerC = runsOf(r, 'peer', 'screen', 'purpose', 1);
  const screenProblems = hubC.failed + hubC.withErrors + peerC.failed + peerC.withErrors;
  const screenRegister = r.breakdown.get('hub:screen')?.calls['access register'];
  const verdicts = ['RESTRICT', 'INCENTIVE', 'CLEAR', 'invalid'].map((v) => `${int(r.verdicts[v] ?? 0)} ${v === 'invalid' ? 'invalid codes (no verdict)' : v}`).join(', ');
  return `### (c) \`screen\` with 1,000 codes (the same batches as (b))

The pre-approval screening, \`screen(creditCodes: …, scenario: GOVERNMENT_PROCUREMENT, reference: "BENCH")\`
asking \`id\` and each item's \`creditCode verdict measures { measure { id } }\`. The platform answers
it alone, from its collection: the active entries and warning-list stays of the valid codes, the
measures and memorandums in force, the data version; then it signs the receipt (ES256) and
inserts the screening record with its 1,000 items, so **every request writes**. An invalid code is
an item without a verdict, not an error (${screenProblems ? `**${int(screenProblems)} responses of these runs failed or carried \`errors\`**` : 'no response of these runs carried \`errors\`'}).
One request at a time, the same agency token and purpose as (b); ${screenRegister ? `the hub wrote to the access
register for ${(screenRegister.perRequest * 100).toFixed(0)}% of the screenings in the time breakdown below` : `the selection reads no personal data,
so the hub writes nothing to the access register`}.
One of the batches answered ${verdicts}.

${header}
${measuredRow('hub, purpose stated', hubC, 1)}
${measuredRow('peer, same principal + purpose', peerC, 1)}

| ratio | p50 | p99 |
| --- | --- | --- |
| hub / peer | ${ratio(hubC.summary.p50, peerC.summary.p50)} | ${ratio(hubC.summary.p99, peerC.summary.p99)} |
| hub: (c) \`screen\` / (b) \`subjects\`, the same codes | ${ratio(hubC.summary.p50, hubB.summary.p50)} | ${ratio(hubC.summary.p99, hubB.summary.p99)} |
${hubC.summary.n < 200 ? `\nWith ${int(hubC.summary.n)} requests through the hub, p99 is close to the slowest request.\n` : ''}
There is no direct-SQL lower bound for (c): a screening is more than the rows it reads (the
measures each code triggers, a signature, a write). Through the peer the platform records each
screening for the same principal as through the hub.

`;
}

export function suiteReport(r: SuiteResult, m: Machine, server: MysqlServer | null, started: Date, options: BenchOptions): string {
  const C = options.connections;
  return [
    heading(r, m, server, started, options),
    profileSection(r, C),
    batchSection(r),
    screenSection(r),
    peerSection(r, server, C),
    statementsSection(r),
    memorySection(r),
  ].join('');
}
