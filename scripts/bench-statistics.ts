/**
 * npm run bench:statistics -- [--subjects 100000] [--runs 9] [--out BENCHMARKS.md]
 *
 * Seeds a fresh SQLite hub with demo data (scripts/seed.ts), lets every worker run until the
 * hub has nothing left to do (the platform collects every department's entries), then times
 * each statistics query: through the gateway as the public (what a dashboard pays) and the
 * same aggregate straight on the platform's database (the SQL alone). Median and p90 of
 * `--runs` runs after one warm-up. Writes (or replaces) the "Statistics" section of
 * BENCHMARKS.md, leaving every other section as it is.
 */
import '../subgraphs/kit/config/startup.js';
import { benchEnvironment } from './bench/run-environment.js';
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { startHub } from './hub.js';
import { seed } from './seed.js';
import { mintDevelopmentToken } from './token.js';
import { Statistics, type Period, type StatisticsFilter } from '../subgraphs/platform/statistics.js';
import { ObjectionAndRepairStatistics, type CaseFilter } from '../subgraphs/kit/lists/statistics.js';
import { Feedback } from '../subgraphs/platform/feedback.js';
import { ConsolidatedList, validateConsolidatedFilter } from '../subgraphs/platform/consolidated-list.js';
import { entryIndexTable } from '../subgraphs/platform/collection.js';
import { writeSection } from './bench/section.js';
import { inWords } from './bench/context.js';
import { departments } from '../subgraphs/catalog.js';

const { values } = parseArgs({
  options: {
    subjects: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '9' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
  },
});
const subjects = Number(values.subjects);
const runs = Number(values.runs);
if (!Number.isInteger(subjects) || subjects < 1 || !Number.isInteger(runs) || runs < 1) {
  console.error('--subjects and --runs are positive whole numbers');
  process.exit(2);
}
benchEnvironment();
const log = (line: string) => console.log(`[bench:statistics] ${line}`);
const SECTION = '## Statistics (`npm run bench:statistics`)';

/** The dashboard's own operation, as the page sends it. */
function dashboardOperation(): string {
  const source = readFileSync(new URL('../gateway/dashboard/app.js', import.meta.url), 'utf8');
  const match = /const FIGURES = `([\s\S]*?)`;/.exec(source);
  if (!match) throw new Error('gateway/dashboard/app.js has no FIGURES operation');
  return match[1];
}

const DEPARTMENT_FIELDS = departments
  .map(({ name: d }) => `${d}: ${d}ObjectionAndRepairStatistics(from: $from, to: $to, filter: $filter) { objectionsFiled { count } objectionOutcomes { count } objectionsOpen repairApplications repairOutcomes { count } repairApplicationsOpen }`)
  .join(' ');
/** The dashboard's variables on first load: no filter, every department. */
const DASHBOARD_VARIABLES = {
  filter: {}, caseFilter: {}, listFilter: { listType: 'BLACK' }, regionBy: ['PROVINCE', 'LIST_TYPE'],
  ...Object.fromEntries(departments.map((d) => [d.name, true])),
};
/** Screenings of 1,000 listed codes each, whose measures agencies then report on. */
const JOINT_MEASURE_SCREENINGS = 4;
const SCENARIOS = ['GOVERNMENT_PROCUREMENT', 'BIDDING', 'PUBLIC_RESOURCE_TRADING', 'FINANCING_CREDIT'];

function objectionAndRepairFigures(d: ObjectionAndRepairStatistics, period: Period, filter: CaseFilter) {
  return Promise.all([d.objectionsFiled(period, filter), d.objectionOutcomes(period, filter), d.objectionsOpen(filter), d.repairApplications(period, filter), d.repairOutcomes(period, filter), d.repairApplicationsOpen(filter)]);
}

type Ask = (query: string, variables: Record<string, unknown>, token?: string, headers?: Record<string, string>) => Promise<any>;

/**
 * Agencies screen the codes 1,000 at a time and report on the first measure each subject
 * triggered (applied, or granted for an incentive; now and then not applicable), eight
 * reports in flight at a time. Returns the number of cases recorded.
 */
async function recordJointMeasureCases(ask: Ask, codes: string[]): Promise<number> {
  const agency = await mintDevelopmentToken({ role: 'agency', agency: '某市公共资源交易中心', sub: 'bench-agency', region: '44' });
  const purpose = { 'x-credithub-purpose': encodeURIComponent('招标投标资格审查'), 'x-credithub-reference': 'BENCH-0001' };
  const reports: Record<string, unknown>[] = [];
  for (let batch = 0; batch * 1000 < codes.length; batch++) {
    const { screen } = await ask(
      'mutation($codes: [ID!]!, $scenario: Scenario!, $reference: String!) { screen(creditCodes: $codes, scenario: $scenario, reference: $reference) { id items { creditCode measures { measure { id kind } } } } }',
      { codes: codes.slice(batch * 1000, (batch + 1) * 1000), scenario: SCENARIOS[batch % SCENARIOS.length], reference: `BENCH-${batch}` },
      agency,
    );
    screen.items.forEach((item: any, i: number) => {
      const measure = item.measures[0]?.measure;
      if (!measure) return;
      const notApplicable = i % 7 === 0;
      reports.push({
        screeningId: screen.id, creditCode: item.creditCode, measureId: measure.id, caseReference: `BENCH-${batch}-${i}`, publish: i % 3 === 0,
        outcome: notApplicable ? 'NOT_APPLICABLE' : measure.kind === 'INCENTIVE' ? 'INCENTIVE_GRANTED' : 'APPLIED',
        reason: notApplicable ? '申请事项不在措施适用范围内' : null,
      });
    });
  }
  let next = 0;
  const worker = async () => {
    while (next < reports.length) {
      const input = reports[next++];
      await ask('mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id } }', { input }, agency, purpose);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return reports.length;
}

async function time(work: () => Promise<unknown>): Promise<{ median: number; p90: number }> {
  await work(); // warm-up: plans, statement caches, pages in memory
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], p90: samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.9) - 1)] };
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'credithub-bench-statistics-'));
  const urlFor = (subgraph: string) => `sqlite:${join(dir, `${subgraph}.sqlite`)}`;
  let hub: Awaited<ReturnType<typeof startHub>> | undefined;
  try {
    log(`seeding ${subjects} subjects on SQLite…`);
    let started = performance.now();
    const seeded = await seed({ subjects, caseRecords: true, databaseUrl: urlFor });
    const caseCounts = { objections: 0, applications: 0 };
    for (const records of seeded.cases!.values()) {
      caseCounts.objections += records.objections.length;
      caseCounts.applications += records.exitApplications.length;
    }
    const seedSeconds = (performance.now() - started) / 1000;
    hub = await startHub({ port: 0, subgraphPorts: 'random', databaseUrl: urlFor, workers: 'manual' });
    log('letting the hub settle (the platform collects every department\'s entries)…');
    started = performance.now();
    await hub.settle();
    const settleSeconds = (performance.now() - started) / 1000;
    const platformDb = hub.subgraphs.get('platform')!.db;
    const [{ entries }] = await platformDb(entryIndexTable).count({ entries: '*' });
    log(`seeded in ${seedSeconds.toFixed(1)} s, settled in ${settleSeconds.toFixed(1)} s: ${entries} entries collected`);

    const today = new Date().toISOString().slice(0, 10);
    const year: Period = { from: `${Number(today.slice(0, 4)) - 1}${today.slice(4, 7)}-01`, to: today };
    const sixYears: Period = { from: `${Number(today.slice(0, 4)) - 6}-01-01`, to: today };
    const none: StatisticsFilter = {};
    const guangdong: StatisticsFilter = { regionCode: '44' };
    const statistics = new Statistics(platformDb);
    const caseStatistics = departments.map(({ name }) => new ObjectionAndRepairStatistics(hub!.subgraphs.get(name)!.db, name));
    // The loop's figures read only the platform's tables: no screening service needed.
    const feedback = new Feedback(platformDb, () => new Date(), undefined as never, []);

    const auditor = await mintDevelopmentToken({ role: 'auditor', sub: 'bench-statistics' });
    const admin = await mintDevelopmentToken({ role: 'admin', sub: 'bench-statistics' });
    const consolidated = new ConsolidatedList(platformDb);
    const ask = async (query: string, variables: Record<string, unknown>, token?: string, headers: Record<string, string> = {}) => {
      const response = await fetch(hub!.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = await response.json();
      if (body.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors).slice(0, 300)}`);
      return body.data;
    };

    // The joint-measure loop's cases, the way agencies make them: screen, then report what was done.
    started = performance.now();
    const listedCodes = (await platformDb(entryIndexTable).distinct('credit_code').where('status', 'ACTIVE').orderBy('credit_code').limit(JOINT_MEASURE_SCREENINGS * 1000))
      .map((row: any) => row.credit_code as string);
    const recordedCases = await recordJointMeasureCases(ask, listedCodes);
    const casesSeconds = (performance.now() - started) / 1000;
    log(`${recordedCases} joint-measure cases recorded through the API in ${casesSeconds.toFixed(1)} s`);

    const cases: { name: string; query: string; variables: Record<string, unknown>; token?: string; sql?: () => Promise<unknown> }[] = [
      {
        name: 'recognised in the last 12 months, total',
        query: 'query($from: Date!, $to: Date!) { entryStatistics(from: $from, to: $to) { recognised { count } } }',
        variables: { ...year },
        sql: () => statistics.entries('recognised', { period: year }, none, []),
      },
      {
        name: 'recognised, 12 months, by list type × domain × province × month',
        query: 'query($from: Date!, $to: Date!) { entryStatistics(from: $from, to: $to) { recognised(by: [LIST_TYPE, DOMAIN, PROVINCE, MONTH]) { count } } }',
        variables: { ...year },
        sql: () => statistics.entries('recognised', { period: year }, none, ['LIST_TYPE', 'DOMAIN', 'PROVINCE', 'MONTH']),
      },
      {
        name: 'recognised, 6 years (every entry), by list type × domain × province × month',
        query: 'query($from: Date!, $to: Date!) { entryStatistics(from: $from, to: $to) { recognised(by: [LIST_TYPE, DOMAIN, PROVINCE, MONTH]) { count } } }',
        variables: { ...sixYears },
        sql: () => statistics.entries('recognised', { period: sixYears }, none, ['LIST_TYPE', 'DOMAIN', 'PROVINCE', 'MONTH']),
      },
      {
        name: 'exited, 6 years, by way × month',
        query: 'query($from: Date!, $to: Date!) { entryStatistics(from: $from, to: $to) { exited(by: [EXIT_WAY, MONTH]) { count } } }',
        variables: { ...sixYears },
        sql: () => statistics.entries('exited', { period: sixYears }, none, ['EXIT_WAY', 'MONTH']),
      },
      {
        name: 'active today, by domain × list type × province',
        query: 'query($from: Date!, $to: Date!) { entryStatistics(from: $from, to: $to) { active(by: [DOMAIN, LIST_TYPE, PROVINCE]) { count } } }',
        variables: { ...year },
        sql: () => statistics.entries('active', { period: year, on: today }, none, ['DOMAIN', 'LIST_TYPE', 'PROVINCE']),
      },
      {
        name: 'active today in province 44, by city, black lists of the courts',
        query: 'query($from: Date!, $to: Date!, $filter: StatisticsFilter) { entryStatistics(from: $from, to: $to, filter: $filter) { active(by: [CITY]) { count } } }',
        variables: { ...year, filter: { ...guangdong, domain: 'COURTS', listType: 'BLACK' } },
        sql: () => statistics.entries('active', { period: year, on: today }, { ...guangdong, domain: 'COURTS', listType: 'BLACK' }, ['CITY']),
      },
      {
        name: 'warning list by month (12 months), entered, left, now',
        query: 'query($from: Date!, $to: Date!) { warningListStatistics(from: $from, to: $to) { byMonth { count } entered left current } }',
        variables: { ...year },
        sql: () => statistics.warningList(year, none),
      },
      {
        name: 'black-listed subjects in 12 months: total, 2+ domains, by domain count',
        query: 'query($from: Date!, $to: Date!) { listedSubjectStatistics(from: $from, to: $to) { subjects multiDomainSubjects byDomainCount { domains subjects } } }',
        variables: { ...year },
        sql: () => statistics.subjectsByDomainCount(year, none, 'BLACK'),
      },
      {
        name: 'black-listed subjects by province',
        query: 'query($from: Date!, $to: Date!) { listedSubjectStatistics(from: $from, to: $to) { byRegion { subjects } } }',
        variables: { ...year },
        sql: () => statistics.subjectsByRegion(year, none, 'BLACK', 'PROVINCE'),
      },
      {
        name: 'black-listed subjects by industry (joined with the registry)',
        query: 'query($from: Date!, $to: Date!) { listedSubjectStatistics(from: $from, to: $to) { byIndustry { subjects } } }',
        variables: { ...year },
        sql: () => statistics.subjectsByIndustry(year, none, 'BLACK'),
      },
      {
        name: `objections and repair, 6 years, ${inWords(departments.length)} departments in one request`,
        query: `query($from: Date!, $to: Date!, $filter: CaseStatisticsFilter) { ${DEPARTMENT_FIELDS} }`,
        variables: { ...sixYears },
        sql: () => Promise.all(caseStatistics.map((d) => objectionAndRepairFigures(d, sixYears, {}))),
      },
      {
        name: 'objections and repair, 6 years, black lists in province 44',
        query: `query($from: Date!, $to: Date!, $filter: CaseStatisticsFilter) { ${DEPARTMENT_FIELDS} }`,
        variables: { ...sixYears, filter: { listType: 'BLACK', regionCode: '44' } },
        sql: () => Promise.all(caseStatistics.map((d) => objectionAndRepairFigures(d, sixYears, { listType: 'BLACK', regionCode: '44' }))),
      },
      {
        name: 'joint-measure loop figures (jointMeasureStatistics, auditor)',
        query: 'query($from: Date!, $to: Date!) { jointMeasureStatistics(from: $from, to: $to) { sharedCases recognisedEntries byDomain { cases } byMeasure { cases } byRegion { cases } byMonth { cases } byOutcome { cases } } }',
        variables: { ...year },
        token: auditor,
        sql: () => feedback.statistics(year, {}),
      },
      {
        name: 'joint-measure loop figures in province 44, black lists of the courts',
        query: 'query($from: Date!, $to: Date!, $filter: StatisticsFilter) { jointMeasureStatistics(from: $from, to: $to, filter: $filter) { sharedCases recognisedEntries byMeasure { cases } byOutcome { cases } } }',
        variables: { ...year, filter: { ...guangdong, domain: 'COURTS', listType: 'BLACK' } },
        token: auditor,
        sql: () => feedback.statistics(year, { ...guangdong, domain: 'COURTS', listType: 'BLACK' }),
      },
      {
        name: 'consolidated black list, first page of 100 (admin)',
        query: 'query { consolidatedList(first: 100) { edges { node { domains entries subject { creditCode name } } } } }',
        variables: {},
        token: admin,
        sql: async () => (await consolidated.page(validateConsolidatedFilter({}), 100, null, ['ORGANISATION'])).edges,
      },
      {
        name: 'consolidated black list of province 44, 2+ domains, first page of 100 (admin)',
        query: 'query($filter: ConsolidatedListFilter) { consolidatedList(filter: $filter, first: 100) { edges { node { domains entries subject { creditCode name } } } } }',
        variables: { filter: { regionCode: '44', minDomains: 2 } },
        token: admin,
        sql: async () => (await consolidated.page(validateConsolidatedFilter({ regionCode: '44', minDomains: 2 }), 100, null, ['ORGANISATION'])).edges,
      },
      {
        name: 'the dashboard\'s whole first-load operation (public)',
        query: dashboardOperation(),
        variables: { ...year, ...DASHBOARD_VARIABLES, loop: false, consolidated: false },
      },
      {
        name: 'the dashboard\'s whole first-load operation, with the loop and the consolidated list (auditor)',
        query: dashboardOperation(),
        variables: { ...year, ...DASHBOARD_VARIABLES, loop: true, consolidated: true },
        token: auditor,
      },
    ];

    const rowsOf = (result: unknown) => (Array.isArray(result) ? result.length : Array.isArray((result as any)?.byMonth) ? (result as any).byMonth.length : null);
    const results: { name: string; gateway: { median: number; p90: number }; sql?: { median: number; p90: number }; rows: number | null }[] = [];
    for (const c of cases) {
      const gateway = await time(() => ask(c.query, c.variables, c.token));
      const sql = c.sql ? await time(c.sql) : undefined;
      results.push({ name: c.name, gateway, sql, rows: c.sql ? rowsOf(await c.sql()) : null });
      log(`${c.name}: ${gateway.median.toFixed(1)} ms through the gateway${sql ? `, ${sql.median.toFixed(1)} ms SQL` : ''}`);
    }

    const slowest = Math.max(...results.map((r) => r.gateway.median));
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    const section = [
      SECTION,
      '',
      `Measured on ${today}: ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, SQLite (the embedded default),`,
      `everything in one process. ${subjects.toLocaleString('en')} subjects seeded in ${seedSeconds.toFixed(1)} s; the hub settled (the platform`,
      `collected ${Number(entries).toLocaleString('en')} entries, expiry ran) in ${settleSeconds.toFixed(1)} s. Each figure: median and p90 of ${runs} runs after a`,
      'warm-up — through the gateway as the public (no token) unless the row names a role (shield, query plan, one HTTP hop to each subgraph asked),',
      'and the same aggregate alone on the subgraph\'s database, in process.',
      '',
      '| query | rows answered | gateway median | gateway p90 | SQL median |',
      '| --- | --- | --- | --- | --- |',
      ...results.map((r) => `| ${r.name} | ${r.rows ?? '—'} | ${ms(r.gateway.median)} | ${ms(r.gateway.p90)} | ${r.sql ? ms(r.sql.median) : '—'} |`),
      '',
      `Slowest median: ${ms(slowest)}. Every figure is a GROUP BY over an index that covers its columns`,
      '(`platform_005_statistics`), so a figure reads the index entries of its range, never the table: the',
      'whole-history breakdown reads every entry\'s index entry and is the upper bound; most of its time at the',
      'gateway is the thousands of cells it answers.',
      '',
      `The departments' figures count the demo's ${caseCounts.objections.toLocaleString('en')} objections and ${caseCounts.applications.toLocaleString('en')} repair applications`,
      `(\`seed()\` with case records); the loop's, ${recordedCases.toLocaleString('en')} cases an agency recorded through the API after screening`,
      `${(JOINT_MEASURE_SCREENINGS * 1000).toLocaleString('en')} listed codes (${casesSeconds.toFixed(1)} s, eight reports in flight).`,
      '',
    ].join('\n');
    const out = values.out!;
    writeSection(out, SECTION, section);
    log(`wrote the Statistics section of ${out}`);
    if (slowest >= 1000) {
      log(`FAIL: a statistics query took ${ms(slowest)} (median): the bar is well under a second`);
      process.exitCode = 1;
    }
  } finally {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:statistics failed: ${error.stack ?? error}`);
  process.exit(1);
});
