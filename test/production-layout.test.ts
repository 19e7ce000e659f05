/**
 * The production layout (README, "MySQL in production"): every subgraph as its own process
 * (`npm run subgraph -- <name>`) and a gateway process, nothing else started. Each process
 * runs its own background work — the platform collects what the departments recorded, and
 * screening says RESTRICT for a black-listed subject — and says at start which workers run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerHeaders, createTestDatabase, dialect, postGraphQL, type TestDatabase } from './env.js';
import { startProcessLayout, type ProcessLayout } from '../scripts/cluster/processes.js';
import { seed } from '../scripts/seed.js';
import { connect } from '../subgraphs/kit/db.js';
import { outboxTable } from '../subgraphs/kit/outbox.js';
import { entriesTable } from '../subgraphs/kit/lists/tables.js';
import { changeFeedTable } from '../subgraphs/platform/change-feed.js';
// Notices are the platform's own events about entries, not copies of a department's.
import { NOTICE_TYPES } from '../subgraphs/platform/notices.js';
import type { TokenClaims } from '../scripts/token.js';
import { subgraphNames } from '../subgraphs/layout.js';
import { departments as catalogue } from '../subgraphs/departments.js';

const departmentNames = catalogue.map((department) => department.name);

const EXPECTED_WORKERS: Record<string, string[]> = {
  platform: ['collection', 'change-feed', 'notices', 'register-checkpoint', 'webhooks'],
  // Every department runs the list engine's workers.
  ...Object.fromEntries(departmentNames.map((name) => [name, ['relay', 'cross-department', 'expiry']])),
};
const AGENCY: TokenClaims = { role: 'agency', agency: '某市财政局政府采购监管处', sub: 'agency-layout' };
const ADMIN: TokenClaims = { role: 'admin', sub: 'layout-admin' };
const PURPOSE = { purpose: '政府采购供应商资格审查', reference: 'CG-LAYOUT-1' };
const officer = (department: string): TokenClaims => ({ role: 'officer', department, sub: `officer-of-${department}` });

let database: TestDatabase;
let layout: ProcessLayout;
let demo: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  database = await createTestDatabase();
  demo = await seed({ subjects: 700, databaseUrl: database.urlFor });
  layout = await startProcessLayout({ databaseUrl: database.urlFor, env: { EVENT_POLL_MS: '250' } });
}, 120_000);
afterAll(async () => {
  await layout?.stop();
  await database?.drop();
});

const as = async (claims: TokenClaims, query: string, variables?: Record<string, unknown>) =>
  postGraphQL(layout.url, query, variables, await callerHeaders(claims, PURPOSE));

const screen = async (code: string) => {
  const response = await as(AGENCY, `mutation($codes: [ID!]!) { screen(creditCodes: $codes, scenario: GOVERNMENT_PROCUREMENT, reference: "ZB-LAYOUT") { items { verdict } } }`, { codes: [code] });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data.screen.items[0].verdict as string;
};

async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  let value = await probe();
  while (!done(value)) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await probe();
  }
  return { value, ms: Date.now() - started };
}

describe(`the production layout: one process per subgraph and a gateway (${dialect})`, () => {
  it('each subgraph process says at start which workers it runs, one line each', async () => {
    for (const [name, processes] of layout.subgraphs) {
      const lines = processes[0].output.filter((line) => line.startsWith(`subgraph ${name}: worker `));
      expect(lines.map((line) => /worker (\S+) running/.exec(line)?.[1]), processes[0].output.join('\n')).toEqual(EXPECTED_WORKERS[name]);
    }
  });

  it('collects what the departments recorded: screening says RESTRICT for a black-listed subject', async () => {
    const far = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const black = demo.entriesByDepartment.get('courts')!.find((e) => e.listType === 'BLACK' && e.status === 'ACTIVE' && e.validUntil > far && e.creditCode.startsWith('9'))!;
    const profile = await as(ADMIN, `query($c: ID!) { subject(creditCode: $c) { courts { blackListed } } }`, { c: black.creditCode });
    expect(profile.data.subject.courts.blackListed).toBe(true);
    const { ms } = await eventually('screening of a seeded black-listed subject', () => screen(black.creditCode), (v) => v === 'RESTRICT');
    console.log(`production layout (${dialect}): seeded black listing collected ${ms} ms after the processes were up`);
  });

  it('a black listing recorded now reaches screening and the other departments within seconds', async () => {
    const far = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const all = [...demo.entriesByDepartment.values()].flat();
    const disqualified = new Set(all.filter((e) => e.listType !== 'RED' && e.status === 'ACTIVE').map((e) => e.creditCode));
    // A subject with an active red entry in tax and nothing against it: black-listing it in
    // the courts exits that red entry (1798 (7)), a rule the tax process applies on its own.
    const red = demo.entriesByDepartment.get('tax')!.find((e) => e.listType === 'RED' && e.status === 'ACTIVE' && e.validUntil > far && !disqualified.has(e.creditCode))!;
    const recognised = await as(officer('courts'), `mutation($input: RecogniseInput!) { courts { recognise(input: $input) { id } } }`, {
      input: { listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: red.creditCode, subjectName: '示例主体有限公司', facts: '失信被执行', validUntil: '2029-06-01', repair: { repairable: true, method: '履行义务', rectificationDeadline: '2029-01-01' } },
    });
    expect(recognised.errors, JSON.stringify(recognised.errors)).toBeUndefined();
    const confirmed = await as(officer('courts'), `mutation($id: ID!) { courts { confirm(entryId: $id) { status } } }`, { id: recognised.data.courts.recognise.id });
    expect(confirmed.errors, JSON.stringify(confirmed.errors)).toBeUndefined();
    const committedAt = Date.now();
    await eventually('screening of the new black listing', () => screen(red.creditCode), (v) => v === 'RESTRICT');
    const screened = Date.now() - committedAt;
    const { value: exited } = await eventually(
      'the tax red entry exits by 1798 (7)',
      async () => {
        const response = await as(ADMIN, `query($c: ID!) { subject(creditCode: $c) { tax { entries { id status exit { way } } } } }`, { c: red.creditCode });
        return response.data?.subject?.tax?.entries?.find((e: any) => e.id === red.id);
      },
      (entry: any) => entry?.status === 'EXITED',
    );
    expect(exited.exit.way).toBe('LISTED_FOR_DISHONESTY');
    console.log(`production layout (${dialect}): new black listing screened RESTRICT ${screened} ms after commit; red exit in tax ${Date.now() - committedAt} ms after`);
    expect(screened).toBeLessThan(5_000);
  });

  it('with a second replica of the platform and of tax, one of them killed mid-work: every change in the change feed once, every red exit', async () => {
    const platformReplica = await layout.addReplica('platform');
    await layout.addReplica('tax');
    const today = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const all = [...demo.entriesByDepartment.values()].flat();
    const disqualified = new Set(all.filter((e) => e.listType !== 'RED' && e.status === 'ACTIVE').map((e) => e.creditCode));
    const reds = demo.entriesByDepartment.get('tax')!.filter((e) => e.listType === 'RED' && e.status === 'ACTIVE' && e.validUntil > today && !disqualified.has(e.creditCode));
    const targets = [...new Map(reds.map((e) => [e.creditCode, e])).values()].slice(1, 9);
    expect(targets.length).toBeGreaterThanOrEqual(4);
    const blackList = async (code: string) => {
      const recognised = await as(officer('courts'), `mutation($input: RecogniseInput!) { courts { recognise(input: $input) { id } } }`, {
        input: { listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: code, subjectName: '示例主体有限公司', facts: '失信被执行', validUntil: '2029-06-01', repair: { repairable: true, method: '履行义务', rectificationDeadline: '2029-01-01' } },
      });
      expect(recognised.errors, JSON.stringify(recognised.errors)).toBeUndefined();
      const confirmed = await as(officer('courts'), `mutation($id: ID!) { courts { confirm(entryId: $id) { status } } }`, { id: recognised.data.courts.recognise.id });
      expect(confirmed.errors, JSON.stringify(confirmed.errors)).toBeUndefined();
    };
    const half = Math.floor(targets.length / 2);
    await Promise.all(targets.slice(0, half).map((t) => blackList(t.creditCode)));
    await platformReplica.kill(); // mid-work: the first half's events are on their way
    await Promise.all(targets.slice(half).map((t) => blackList(t.creditCode)));
    const lastCommit = Date.now();
    const dbs = Object.fromEntries(subgraphNames.map((name) => [name, connect(database.urlFor(name))]));
    try {
      const outboxIds = async () => {
        const ids: string[] = [];
        for (const d of departmentNames) ids.push(...(await dbs[d](outboxTable(d)).select('event_id')).map((r: any) => r.event_id));
        return ids;
      };
      const { ms } = await eventually(
        'every committed change in the change feed, and every red entry exited',
        async () => {
          // In this order: once every exit has committed, its event is in the outbox read next.
          const exited = await dbs.tax(entriesTable('tax')).whereIn('id', targets.map((t) => t.id)).where({ status: 'EXITED' }).count({ n: '*' });
          const expected = await outboxIds();
          const feed = (await dbs.platform(changeFeedTable).whereNotNull('entry_id').whereNotIn('type', NOTICE_TYPES).select('event_id')).map((r: any) => r.event_id);
          return { expected: expected.length, seen: new Set(feed).size, inFeed: feed.length, missing: expected.filter((id) => !feed.includes(id)).length, exited: Number(exited[0].n) };
        },
        (v) => v.missing === 0 && v.exited === targets.length,
        30_000,
      );
      const final = await outboxIds();
      const feed = (await dbs.platform(changeFeedTable).whereNotNull('entry_id').whereNotIn('type', NOTICE_TYPES).select('event_id')).map((r: any) => r.event_id);
      expect(feed.length).toBe(new Set(feed).size); // no duplicate
      expect(new Set(feed)).toEqual(new Set(final));
      for (const t of targets) expect(await screen(t.creditCode)).toBe('RESTRICT');
      console.log(`production layout with replicas (${dialect}): ${final.length} events expected, ${feed.length} in the change feed, 0 duplicated; converged ${ms} ms after the last commit, a platform replica killed mid-work`);
    } finally {
      await Promise.all(Object.values(dbs).map((db) => db.destroy()));
    }
  });
});
