/**
 * The suite: one database, one hub, one peer. (a), (b) and (c) through both gateways in
 * rounds, the lower bound straight from the databases, the data both answer, statements per
 * request, where the time goes and the process's memory by phase.
 */
import os from 'node:os';
import type { Breakdown } from './breakdown.js';
import { measureBreakdown } from './breakdown.js';
import type { Prepared } from './setup.js';
import type { LoadGenerator } from './loadgen.js';
import { measureLowerBound, type LowerBoundResult } from './lower-bound.js';
import { measured, type Measured } from './measured.js';
import { RssSampler, type Peak } from './memory.js';
import type { BenchOptions } from './options.js';
import { compareAnswers, startPeer, type DataCheck } from './peer-check.js';
import { ORDER, Rounds } from './rounds.js';
import { countStatements, type StatementCount } from './statements.js';
import { checkAnswers, prepareSuite } from './suite-setup.js';

export interface SuiteResult extends Prepared {
  database: string;
  mix: { listed: number; unlisted: number; unknown: number; invalid: number };
  /** What one 1,000-code screening answered, by verdict (null: an invalid code). */
  verdicts: Record<string, number>;
  results: Map<string, Measured>;
  lower: LowerBoundResult;
  statements: StatementCount[];
  breakdown: Map<string, Breakdown>;
  dataCheck: DataCheck;
  rss: Map<string, Peak>;
  retained: ({ point: string } & Peak)[];
  loadAverage: { start: number[]; end: number[] };
  profileSeconds: number;
  batchSeconds: number;
  rounds: number;
}

/** The hub warmed up, then round 1: the hub alone in this process. */
async function hubAlone(rounds: Rounds, rss: RssSampler): Promise<void> {
  rss.enter('hub warm-up under load');
  await rounds.warmUp('hub');
  rss.enter('idle');
  rss.settle('hub started and warmed up');
  rss.enter('hub idle, after warm-up');
  await new Promise((resolve) => setTimeout(resolve, 500));
  rss.enter('hub alone, under load (round 1)');
  await rounds.run('hub', `round 1 of ${ORDER.length}, hub`);
  rss.enter('idle');
  rss.settle('after round 1 (the hub alone)');
}

/** The peer warmed up, then the other rounds, hub and peer alternating. */
async function withPeer(rounds: Rounds, rss: RssSampler): Promise<void> {
  rss.enter('peer warm-up under load');
  await rounds.warmUp('peer');
  rss.enter('idle');
  rss.settle('peer started and warmed up');
  for (const [index, gateway] of ORDER.entries()) {
    if (index === 0) continue;
    rss.enter(gateway === 'hub' ? 'hub + peer, hub under load' : 'hub + peer, peer under load');
    await rounds.run(gateway, `round ${index + 1} of ${ORDER.length}, ${gateway}`);
  }
  rss.enter('idle');
  rss.settle('after all rounds');
}

export async function runSuite(options: BenchOptions, loadgen: LoadGenerator): Promise<SuiteResult> {
  const loadAverageStart = os.loadavg();
  const rss = new RssSampler();
  const t = await prepareSuite(options, rss);
  const verdicts = await checkAnswers(t);
  const rounds = new Rounds(t, loadgen, options.duration, options.connections);
  await hubAlone(rounds, rss);

  const lower = await measureLowerBound(t.database, t.profileCodes, t.batches, options.duration, options.connections);
  const peer = await startPeer(t);
  rounds.peer = peer;
  const dataCheck = await compareAnswers(t, peer);

  await withPeer(rounds, rss);

  const statements = await countStatements(t, peer);
  const breakdown = await measureBreakdown(t, peer);
  rss.stop();
  await peer.stop();
  await t.hub.stop();
  await t.database.drop();
  const { workload } = t;
  return {
    database: t.database.label,
    subjects: workload.subjects,
    entries: workload.entries,
    seedSeconds: t.seeded.seconds,
    generationSeconds: t.seeded.generationSeconds,
    hubStartSeconds: t.hubStartSeconds,
    collect: t.collect,
    verdicts,
    mix: { listed: workload.listed.length, unlisted: workload.unlisted.length, unknown: workload.unknown.length, invalid: workload.invalid.length },
    results: new Map([...rounds.outcomes].map(([key, list]) => [key, measured(list)])),
    lower,
    statements,
    breakdown,
    dataCheck,
    rss: rss.peaks,
    retained: rss.retained,
    loadAverage: { start: loadAverageStart, end: os.loadavg() },
    profileSeconds: rounds.profileSeconds,
    batchSeconds: rounds.batchSeconds,
    rounds: ORDER.length,
  };
}
