/**
 * The suite's setup: a fresh database seeded, the hub started on it with its workers manual,
 * the platform's collection, the caller's headers, the request bodies of (a), (b) and (c);
 * then a warm-up that checks every operation answers what it should.
 */
import { decodeJwt } from 'jose';
import { callerHeaders } from '../client.js';
import { startHub, type RunningHub } from '../hub.js';
import { departments } from '../../subgraphs/catalog.js';
import { principalFromClaims, type Principal } from '../../subgraphs/kit/auth/principal.js';
import { BATCHES, CLAIMS, PURPOSE, check, log, subgraphCount } from './context.js';
import { createDatabase, type BenchDatabase } from './databases.js';
import type { Operation } from './measured.js';
import type { RssSampler } from './memory.js';
import type { BenchOptions } from './options.js';
import { post, type Headers } from './requests.js';
import { collectTimed, seedTimed, type Collected } from './setup.js';
import { int } from './stats.js';
import { BATCH, PROFILE, SCREEN, buildWorkload, type Workload } from './workload.js';

export interface SuiteTarget {
  database: BenchDatabase;
  hub: RunningHub;
  workload: Workload;
  seeded: { seconds: number; generationSeconds: number };
  hubStartSeconds: number;
  collect: Collected;
  headers: Record<'purpose' | 'none', Headers>;
  principal: Principal;
  /** (a) rotates over these listed subjects; (b) and (c) over these batches of 1,000 codes. */
  profileCodes: string[];
  batches: string[][];
  bodies: Record<Operation, string[]>;
}

/** The bodies a load run sends, in turn: (a) per code, (b) and (c) per batch. */
export function bodiesOf(profileCodes: string[], batches: string[][]): Record<Operation, string[]> {
  return {
    profile: profileCodes.map((code) => JSON.stringify({ query: PROFILE, variables: { code } })),
    batch: batches.map((codes) => JSON.stringify({ query: BATCH, variables: { codes } })),
    screen: batches.map((codes) => JSON.stringify({ query: SCREEN, variables: { codes } })),
  };
}

export async function prepareSuite(options: BenchOptions, rss: RssSampler): Promise<SuiteTarget> {
  const database = await createDatabase(options.database, options.mysqlUrl);
  log(`database: ${database.label}`);
  log(`seeding ${int(options.subjects)} subjects…`);
  const seeded = await seedTimed(database, options.subjects);
  const workload = buildWorkload(seeded.demo);
  log(`seeded in ${seeded.seconds.toFixed(1)} s: ${int(workload.subjects)} subjects, ${int(workload.entries)} entries; ${int(workload.listed.length)} listed, ${int(workload.unlisted.length)} registered-unlisted`);

  log(`starting the hub (${subgraphCount()} subgraphs + gateway, background workers manual)…`);
  const hubStarted = performance.now();
  const hub = await startHub({ port: 0, subgraphPorts: 'random', databaseUrl: database.urlFor, workers: 'manual' });
  const hubStartSeconds = (performance.now() - hubStarted) / 1000;
  log(`letting the platform collect every department's entries (hub.settle(): every worker until none finds work)…`);
  rss.enter('collection (hub.settle())');
  const collect = await collectTimed(hub, workload.entries);
  rss.enter('seeding and starting the hub');
  const headers = { purpose: await callerHeaders(CLAIMS, PURPOSE), none: await callerHeaders(CLAIMS) };
  const principal = principalFromClaims(decodeJwt(headers.purpose.authorization.slice('Bearer '.length)), departments.map((d) => d.name));
  if (typeof principal === 'string') throw new Error(principal);
  const profileCodes = workload.listed.slice(0, 5000);
  const batches = Array.from({ length: BATCHES }, (_, i) => workload.batch(1000, i));
  return { database, hub, workload, seeded, hubStartSeconds, collect, headers, principal, profileCodes, batches, bodies: bodiesOf(profileCodes, batches) };
}

type ScreenItem = { creditCode: string; verdict: string | null; measures: unknown[] };

/** Warm-up, and a check that every operation answers what it should; returns one screening's verdicts. */
export async function checkAnswers(t: SuiteTarget): Promise<Record<string, number>> {
  log('warming up and checking the answers…');
  const { hub, profileCodes, batches } = t;
  const invalidSet = new Set(t.workload.invalid);
  const invalidIn = (codes: string[]) => codes.filter((c) => invalidSet.has(c)).length;
  for (let i = 0; i < 60; i++) {
    const body = await post(hub.gateway.url, i % 2 ? t.headers.none : t.headers.purpose, PROFILE, { code: profileCodes[i % profileCodes.length] });
    check(!body.errors && body.data.subject?.creditCode === profileCodes[i % profileCodes.length], `profile: ${JSON.stringify(body).slice(0, 300)}`);
    check(i % 2 ? body.extensions?.personalData?.masked === true : !body.extensions?.personalData, 'masked only without a purpose');
  }
  for (let i = 0; i < 4; i++) {
    const body = await post(hub.gateway.url, t.headers.purpose, BATCH, { codes: batches[i] });
    check(body.data.subjects.length === 1000, 'a batch answers 1,000 items');
    check((body.errors ?? []).length === invalidIn(batches[i]), `a batch has one error per invalid code (${(body.errors ?? []).length} vs ${invalidIn(batches[i])})`);
  }
  const verdicts: Record<string, number> = {};
  for (let i = 0; i < 4; i++) {
    const body = await post(hub.gateway.url, t.headers.purpose, SCREEN, { codes: batches[i] });
    check(!body.errors && body.data?.screen?.items?.length === 1000, `a screening answers 1,000 items and no error: ${JSON.stringify(body).slice(0, 300)}`);
    const items: ScreenItem[] = body.data.screen.items;
    check(items.every((item, k) => item.creditCode === batches[i][k]), 'a screening answers in input order');
    check(items.filter((item) => item.verdict === null).length === invalidIn(batches[i]), 'a screening has one verdict-less item per invalid code');
    check(items.some((item) => item.measures.length > 0), 'a screening of listed codes triggers measures (the platform has collected)');
    if (i === 0) for (const item of items) verdicts[item.verdict ?? 'invalid'] = (verdicts[item.verdict ?? 'invalid'] ?? 0) + 1;
  }
  return verdicts;
}
