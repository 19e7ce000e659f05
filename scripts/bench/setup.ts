/**
 * Before anything is measured: the demo data seeded (scripts/seed.ts), and the platform left
 * to collect every department's entries (`hub.settle()`), each with a heartbeat in the log.
 */
import type { RunningHub } from '../hub.js';
import { seed } from '../seed.js';
import { departments } from '../../subgraphs/catalog.js';
import { consumerOffsetsTable } from '../../subgraphs/kit/lists/tables.js';
import { outboxTable } from '../../subgraphs/kit/outbox.js';
import { entryIndexTable, platformOffsetsTable, warningListTable } from '../../subgraphs/platform/collection.js';
import { check, log } from './context.js';
import type { BenchDatabase } from './databases.js';
import { int } from './stats.js';

/** Seeds through scripts/seed.ts, printing its progress and a heartbeat while it works. */
export async function seedTimed(database: BenchDatabase, subjects: number) {
  let generationMs = NaN;
  const started = performance.now();
  const heartbeat = setInterval(() => log(`  … still seeding (${((performance.now() - started) / 1000).toFixed(0)} s)`), 15_000);
  try {
    const demo = await seed({
      subjects,
      databaseUrl: database.urlFor,
      log: (line) => {
        const generated = /generated \d+ subjects in (\d+) ms/.exec(line);
        if (generated) generationMs = Number(generated[1]);
        log(`  seed: ${line}`);
      },
    });
    return { demo, seconds: (performance.now() - started) / 1000, generationSeconds: generationMs / 1000 };
  } finally {
    clearInterval(heartbeat);
  }
}

export interface Collected {
  seconds: number;
  collected: number;
  warningList: number;
}

/** What the report says of a database made ready to measure: its size and how long each step took. */
export interface Prepared {
  subjects: number;
  entries: number;
  seedSeconds: number;
  generationSeconds: number;
  hubStartSeconds: number;
  /** hub.settle(): the platform collecting every department's entries. */
  collect: Collected;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const count = async (hub: RunningHub, table: string) => Number((await hub.subgraphs.get('platform')!.db(table).count({ n: '*' }))[0].n);

/** Where the collection is: what the consumers applied of what the departments published. */
async function collectionProgress(hub: RunningHub, entries: number): Promise<string> {
  // Every subgraph consumes every department's change events; positions are dense from 1 (the
  // relay's), so a consumer's position counts what it applied.
  const published = await Promise.all(departments.map(async (d) => Number((await hub.subgraphs.get(d.name)!.db(outboxTable(d.name)).count({ n: '*' }))[0].n ?? 0)));
  const applied = await Promise.all(
    [...hub.subgraphs].map(async ([name, s]) => Number((await s.db(name === 'platform' ? platformOffsetsTable : consumerOffsetsTable(name)).sum({ n: 'last_seq' }))[0].n ?? 0)),
  );
  return `${int(sum(applied))} of ${int(sum(published) * hub.subgraphs.size)} events applied by the ${hub.subgraphs.size} consumers, ${int(await count(hub, entryIndexTable))} entries in the platform's index (${int(entries)} seeded)`;
}

/**
 * Runs every background worker of the hub until none finds work (`hub.settle()`): the
 * platform collects every department's entries, which `screen` answers from, and each
 * department applies the cross-department rules to every department's events. Logs the
 * progress every 15 s while it works.
 */
export async function collectTimed(hub: RunningHub, entries: number): Promise<Collected> {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  let counting = false;
  const heartbeat = setInterval(() => {
    if (counting) return;
    counting = true;
    collectionProgress(hub, entries)
      .then(
        (line) => log(`  … collecting (${elapsed()}): ${line}`),
        () => log(`  … still collecting (${elapsed()})`),
      )
      .finally(() => (counting = false));
  }, 15_000);
  try {
    const work = await hub.settle();
    const seconds = (performance.now() - started) / 1000;
    const collected = await count(hub, entryIndexTable);
    const warningList = await count(hub, warningListTable);
    log(`collected in ${seconds.toFixed(1)} s: ${int(collected)} entries in the platform's index (${int(entries)} seeded), ${int(warningList)} warning-list stays (${int(work)} units of worker work)`);
    check(collected > 0, 'the platform collected no entry');
    return { seconds, collected, warningList };
  } finally {
    clearInterval(heartbeat);
  }
}
