/** The report of --scale: (b) and (c) on MariaDB at two sizes, the growth against the goal, and why. */
import { BATCHES } from '../context.js';
import type { MysqlServer } from '../databases.js';
import type { ScalePoint } from '../scale.js';
import { int, ms, ratio } from '../stats.js';
import { mib } from './format.js';

function screenNote(small: ScalePoint, large: ScalePoint, server: MysqlServer, screenProblems: number): string {
  const screenGrowth = large.screen.summary.p50 / small.screen.summary.p50;
  const screenRepeatedGrowth = large.screenRepeated.summary.p50 / small.screenRepeated.summary.p50;
  const screenCpuGrowth = large.screen.cpuMsPerRequest / small.screen.cpuMsPerRequest;
  return `(c) reads the platform's collection, not the departments' tables: \`platform_entry_index\` and
\`platform_warning_list\` hold ${int(small.screenTablesMiB)} MiB at ${int(small.subjects)} subjects and ${int(large.screenTablesMiB)} MiB at ${int(large.subjects)}${large.screenTablesMiB > server.bufferPoolMiB ? ', more than the buffer pool' : ', within the buffer pool'};
with rotating batches it read about ${int(large.diskReadsPerScreen)} pages from disk per request at ${int(large.subjects)} subjects (${int(small.diskReadsPerScreen)} at ${int(small.subjects)}),
and every screening also inserts its record (1,000 items as JSON) and commits. With the same 1,000
codes every time (${int(large.diskReadsPerRepeatedScreen)} disk reads per request at ${int(large.subjects)} subjects) the growth is ${screenRepeatedGrowth.toFixed(2)}×${
    screenGrowth <= 1.5
      ? '.'
      : screenRepeatedGrowth <= 1.5
        ? `: most of the
growth with rotating batches is the database reading pages from disk.`
        : `, so the database
cache is not the whole of the growth of (c).`
  } CPU per request in this process (gateway and subgraphs,
database not included) went from ${small.screen.cpuMsPerRequest.toFixed(1)} to ${large.screen.cpuMsPerRequest.toFixed(1)} ms (${screenCpuGrowth.toFixed(2)}×) with rotating batches.${screenProblems ? ` **${int(screenProblems)} screenings failed or carried errors.**` : ''}`;
}

function cacheNote(small: ScalePoint, large: ScalePoint, server: MysqlServer): string {
  const growth = large.batch.summary.p50 / small.batch.summary.p50;
  const repeatedGrowth = large.batchRepeated.summary.p50 / small.batchRepeated.summary.p50;
  return large.tablesMiB > server.bufferPoolMiB
      ? `At ${int(large.subjects)} subjects the tables (b) reads hold ${int(large.tablesMiB)} MiB of data and indexes
against a buffer pool of ${int(server.bufferPoolMiB)} MiB (\`innodb_buffer_pool_size\`, this server's setting, left as it is):
${BATCHES} rotating batches of random codes touch more pages than it holds, so each request reads
about ${int(large.diskReadsPerBatch)} pages from disk (${int(small.diskReadsPerBatch)} at ${int(small.subjects)} subjects; server-wide
\`Innodb_buffer_pool_reads\` per request). The plans use the indexes (primary key on
\`platform_subjects\`, \`<department>_entries_by_subject\`), and with the same 1,000 codes every
time — their pages cached (${int(large.diskReadsPerRepeatedBatch)} disk reads per request) — the growth is ${repeatedGrowth.toFixed(2)}×
through the hub and ${ratio(large.lowerBatchRepeated.summary.p50, small.lowerBatchRepeated.summary.p50)} straight from the database. The growth is the database
cache, not the hub${growth > 1.5 ? ': a buffer pool that holds the working set is what meets the goal at this size' : ''}.`
      : `The tables (b) reads hold ${int(large.tablesMiB)} MiB against a buffer pool of ${int(server.bufferPoolMiB)} MiB.`;
}

export function scaleReport(points: ScalePoint[], server: MysqlServer, duration: number): string {
  const [small, large] = points;
  const growth = large.batch.summary.p50 / small.batch.summary.p50;
  const screenGrowth = large.screen.summary.p50 / small.screen.summary.p50;
  const goal = (x: number) => (x <= 1.5 ? `met (${x.toFixed(2)}×)` : `**not met** (${x.toFixed(2)}×)`);
  const screenProblems = points.reduce((sum, p) => sum + p.screen.failed + p.screen.withErrors, 0);
  return `### Scale on MariaDB: ${int(small.subjects)} vs ${int(large.subjects)} subjects

MariaDB ${server.version}; each size in a fresh database, seeded with \`seed()\`, then the hub
started on it and the platform left to collect every department's entries (\`hub.settle()\`), then
one request at a time: (b) for ${duration} s (p50 over ${int(small.batch.summary.n)} and ${int(large.batch.summary.n)} requests), the same batch repeated,
(a), then (c) for ${duration} s (${int(small.screen.summary.n)} and ${int(large.screen.summary.n)} requests) on the same ${BATCHES} rotating batches as (b), and the
same batch repeated. The seed's data is dropped before the runs (only the code lists stay in this
process), so the larger size does not also give the hub's garbage collector a larger heap to scan.

| | ${int(small.subjects)} subjects | ${int(large.subjects)} subjects | ${int(large.subjects / 1000)}k / ${int(small.subjects / 1000)}k |
| --- | --- | --- | --- |
| entries | ${int(small.entries)} | ${int(large.entries)} | |
| seeding (generation + writing) | ${small.seedSeconds.toFixed(1)} s (${small.generationSeconds.toFixed(1)} s + ${(small.seedSeconds - small.generationSeconds).toFixed(1)} s) | ${large.seedSeconds.toFixed(1)} s (${large.generationSeconds.toFixed(1)} s + ${(large.seedSeconds - large.generationSeconds).toFixed(1)} s) | |
| hub start | ${small.hubStartSeconds.toFixed(1)} s | ${large.hubStartSeconds.toFixed(1)} s | |
| JS heap in use before the runs, after a full collection | ${mib(small.heapUsed)} | ${mib(large.heapUsed)} | |
| collection (\`hub.settle()\`), entries collected | ${small.collect.seconds.toFixed(1)} s, ${int(small.collect.collected)} | ${large.collect.seconds.toFixed(1)} s, ${int(large.collect.collected)} | |
| **(b) 1,000 codes, p50** | ${ms(small.batch.summary.p50)} | ${ms(large.batch.summary.p50)} | **${ratio(large.batch.summary.p50, small.batch.summary.p50)}** |
| (b) 1,000 codes, p99 | ${ms(small.batch.summary.p99)} | ${ms(large.batch.summary.p99)} | ${ratio(large.batch.summary.p99, small.batch.summary.p99)} |
| (b) pages read from disk per request | ${int(small.diskReadsPerBatch)} | ${int(large.diskReadsPerBatch)} | |
| (b) CPU per request (gateway + subgraphs) | ${small.batch.cpuMsPerRequest.toFixed(1)} ms | ${large.batch.cpuMsPerRequest.toFixed(1)} ms | ${ratio(large.batch.cpuMsPerRequest, small.batch.cpuMsPerRequest)} |
| (b) the same 1,000 codes repeated, p50 / p99 | ${ms(small.batchRepeated.summary.p50)} / ${ms(small.batchRepeated.summary.p99)} | ${ms(large.batchRepeated.summary.p50)} / ${ms(large.batchRepeated.summary.p99)} | ${ratio(large.batchRepeated.summary.p50, small.batchRepeated.summary.p50)} |
| (a) profile, p50 / p99 | ${ms(small.profile.summary.p50)} / ${ms(small.profile.summary.p99)} | ${ms(large.profile.summary.p50)} / ${ms(large.profile.summary.p99)} | ${ratio(large.profile.summary.p50, small.profile.summary.p50)} |
| lower bound for (b), p50 / p99 | ${ms(small.lowerBatch.summary.p50)} / ${ms(small.lowerBatch.summary.p99)} | ${ms(large.lowerBatch.summary.p50)} / ${ms(large.lowerBatch.summary.p99)} | ${ratio(large.lowerBatch.summary.p50, small.lowerBatch.summary.p50)} |
| lower bound, the same codes repeated, p50 | ${ms(small.lowerBatchRepeated.summary.p50)} | ${ms(large.lowerBatchRepeated.summary.p50)} | ${ratio(large.lowerBatchRepeated.summary.p50, small.lowerBatchRepeated.summary.p50)} |
| data + indexes of the tables (b) reads | ${int(small.tablesMiB)} MiB | ${int(large.tablesMiB)} MiB | |
| **(c) \`screen\` 1,000 codes, p50** | ${ms(small.screen.summary.p50)} | ${ms(large.screen.summary.p50)} | **${ratio(large.screen.summary.p50, small.screen.summary.p50)}** |
| (c) \`screen\` 1,000 codes, p99 | ${ms(small.screen.summary.p99)} | ${ms(large.screen.summary.p99)} | ${ratio(large.screen.summary.p99, small.screen.summary.p99)} |
| (c) CPU per request (gateway + subgraphs) | ${small.screen.cpuMsPerRequest.toFixed(1)} ms | ${large.screen.cpuMsPerRequest.toFixed(1)} ms | ${ratio(large.screen.cpuMsPerRequest, small.screen.cpuMsPerRequest)} |
| (c) pages read from disk per request | ${int(small.diskReadsPerScreen)} | ${int(large.diskReadsPerScreen)} | |
| (c) the same 1,000 codes repeated, p50 / p99 | ${ms(small.screenRepeated.summary.p50)} / ${ms(small.screenRepeated.summary.p99)} | ${ms(large.screenRepeated.summary.p50)} / ${ms(large.screenRepeated.summary.p99)} | ${ratio(large.screenRepeated.summary.p50, small.screenRepeated.summary.p50)} |
| (c) the same codes repeated, pages read from disk per request | ${int(small.diskReadsPerRepeatedScreen)} | ${int(large.diskReadsPerRepeatedScreen)} | |
| data + indexes of the tables (c) reads | ${int(small.screenTablesMiB)} MiB | ${int(large.screenTablesMiB)} MiB | |

The goal is at most 1.5× from ${int(small.subjects)} to ${int(large.subjects)} subjects for a 1,000-code batch with rotating batches: (b) \`subjects\` ${goal(growth)}; (c) \`screen\` ${goal(screenGrowth)}.
${cacheNote(small, large, server)}

${screenNote(small, large, server, screenProblems)}
`;
}
