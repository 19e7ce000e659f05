/**
 * A bounded mixed workload against a running hub, and the checks of what it must leave
 * behind — shared by the multi-process tests and `npm run bench:convergence`:
 *
 * - recognitions and confirmations of black entries, exits for a changed standard (each followed
 *   by key attention), recognitions left preliminary;
 * - cross-department consequences: a subject on a red list of one department black-listed by
 *   another, whose red entry must then exit (1798 (7)(19)) through the hub's consumers;
 * - at a chosen point, a fault (a replica or a database node killed).
 *
 * The truth is read from the departments' own tables afterwards (what committed, whatever the
 * clients heard), and compared with the platform's change feed (read through the gateway,
 * every page), the red entries' status and a screening of every subject the workload touched.
 */
import knex, { type Knex } from 'knex';
import { organisationCode, random } from '../demo-data.js';
import type { DemoData } from '../demo-data.js';
import { departments } from '../../subgraphs/catalog.js';
import { systemClock } from '../../subgraphs/kit/dates.js';
import { ListLifecycle } from '../../subgraphs/kit/lists/lifecycle.js';
import { inTransaction } from '../../subgraphs/kit/transactions.js';
import { ListStore } from '../../subgraphs/kit/lists/store.js';
import { outboxTable } from '../../subgraphs/kit/outbox.js';
import { entriesTable } from '../../subgraphs/kit/lists/tables.js';
import { changeFeedTable } from '../../subgraphs/platform/change-feed.js';
import { NOTICE_TYPES } from '../../subgraphs/platform/notices.js';
import { callerHeaders, postGraphQL } from '../client.js';

const officer = (department: string) => ({ role: 'officer' as const, department, sub: `workload-${department}` });
/** What a client may try again: the hub says so, or a replica on the way died (the balancer's 502). */
const RETRIABLE = ['SERVICE_UNAVAILABLE', 'DOMAIN_UNAVAILABLE', 'BAD_GATEWAY', 'NETWORK_ERROR'];
const REPAIR = { repairable: true, method: '整改并作出信用承诺', rectificationDeadline: '2029-12-01' };

export interface WorkloadOptions {
  gatewayUrl: string;
  demo: DemoData;
  /** Subjects black-listed elsewhere while on a red list (default 12). */
  crossDepartment?: number;
  /** Black entries recognised, confirmed and exited for a changed standard (default 16). */
  blackExits?: number;
  /** Recognitions left preliminary (default 10). */
  recognitions?: number;
  concurrency?: number;
  /** How long a step is retried while the hub answers that it is unavailable (default 25 s). */
  retryForMs?: number;
  /** Each runs once, when its share of the operations has been started (e.g. kill a replica). */
  faults?: { at: number; run: () => Promise<void> }[];
  seed?: number;
}

export interface WorkloadResult {
  /** Operations whose every step the hub confirmed. */
  succeeded: number;
  /** Operations a step of which failed for good (a killed replica, a node down): what committed still counts. */
  failed: { operation: string; error: string }[];
  /** Steps tried again after an answer that the hub was unavailable. */
  retries: number;
  /** Of those, steps the retry found already done (the first attempt had committed). */
  retriedCommitted: number;
  /** When the last successful mutation was answered. */
  lastCommitAt: number;
  /** Every subject the workload touched. */
  codes: string[];
  /** Subjects black-listed by the workload while on another department's red list. */
  crossCodes: string[];
}

type Call = (department: string, mutation: string, variables: Record<string, unknown>) => Promise<any>;

export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const rng = random(options.seed ?? 1313);
  const headers = new Map<string, Record<string, string>>();
  for (const d of departments) headers.set(d.name, await callerHeaders(officer(d.name)));
  let lastCommitAt = 0;
  let retries = 0;
  let retriedCommitted = 0;
  const call: Call = async (department, mutation, variables) => {
    // As a client told "retry in a few seconds" does: again, for up to `retryForMs`.
    const deadline = Date.now() + (options.retryForMs ?? 25_000);
    for (let attempt = 0; ; attempt++) {
      const response = await postGraphQL(options.gatewayUrl, mutation, variables, headers.get(department)).catch((error) => ({
        status: 0, data: undefined, errors: [{ message: (error as Error).message, extensions: { code: 'NETWORK_ERROR' } }],
      }));
      if (!response.errors?.length && response.data?.[department]) {
        lastCommitAt = Date.now();
        return response.data[department];
      }
      const codes = (response.errors ?? []).map((e) => e.extensions?.code);
      // Asked again after an answer that did not say whether it committed (a replica died
      // after taking it): "already in that state" means the first attempt did.
      if (attempt > 0 && codes.length === 1 && codes[0] === 'INVALID_TRANSITION') {
        retriedCommitted++;
        return {};
      }
      const message = `${response.status} ${response.errors?.map((e) => `${e.extensions?.code}: ${e.message}`).join('; ')}`;
      if (!codes.every((code) => RETRIABLE.includes(code)) || Date.now() > deadline) throw new Error(message);
      retries++;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const recognise = async (department: string, listKind: string, creditCode: string) =>
    (await call(department, `mutation($input: RecogniseInput!) { ${department} { recognise(input: $input) { id status } } }`, {
      // Recognised yesterday, so a standard that changed today is grounds for an exit (1798 (18)).
      input: { listKind, creditCode, subjectName: '负载测试有限公司', facts: '负载测试事实', recognisedOn: yesterday, validUntil: '2030-06-01', repair: REPAIR },
    })).recognise.id as string;
  const confirm = (department: string, entryId: string) =>
    call(department, `mutation($id: ID!) { ${department} { confirm(entryId: $id) { id status } } }`, { id: entryId });
  const exit = (department: string, entryId: string) =>
    call(department, `mutation($input: StandardChangeExitInput!) { ${department} { exitForChangedStandard(input: $input) { exited { id } keyAttention { id } } } }`, {
      input: { entryId, standardReference: '负载测试标准2026年第1号', standardEffectiveOn: today, reason: '认定标准调整' },
    });

  // Subjects on an active red list and on no black or key-attention list: black-listing them
  // elsewhere must exit the red entry.
  const entries = [...options.demo.entriesByDepartment.values()].flat();
  const listedOtherwise = new Set(entries.filter((e) => e.listType !== 'RED' && e.status === 'ACTIVE').map((e) => e.creditCode));
  const redOnly = [...new Set(entries.filter((e) => e.listType === 'RED' && e.status === 'ACTIVE').map((e) => e.creditCode))].filter((c) => !listedOtherwise.has(c));
  const crossCodes = redOnly.slice(0, options.crossDepartment ?? 12);
  const blackAgencies = [
    ['courts', 'DISHONEST_JUDGMENT_DEBTOR'],
    ['market', 'SERIOUS_ILLEGAL_DISHONEST_ENTERPRISE'],
  ];
  const operations: { name: string; code: string; run: () => Promise<void> }[] = [];
  crossCodes.forEach((code, i) => {
    const [department, kind] = blackAgencies[i % blackAgencies.length];
    operations.push({ name: `black-list a red-listed subject in ${department}`, code, run: async () => confirm(department, await recognise(department, kind, code)) });
  });
  for (let i = 0; i < (options.blackExits ?? 16); i++) {
    const code = organisationCode(rng, '440305');
    operations.push({
      name: 'tax black entry: recognise, confirm, exit for a changed standard',
      code,
      run: async () => {
        const id = await recognise('tax', 'MAJOR_TAX_VIOLATION', code);
        await confirm('tax', id);
        await exit('tax', id);
      },
    });
  }
  for (let i = 0; i < (options.recognitions ?? 10); i++) {
    const code = organisationCode(rng, '310101');
    operations.push({ name: 'safety recognition, left preliminary', code, run: async () => void (await recognise('safety', 'WORK_SAFETY_BLACK', code)) });
  }
  // Interleave the kinds, so the fault lands among all of them.
  operations.sort(() => rng.next() - 0.5);

  const failed: WorkloadResult['failed'] = [];
  let succeeded = 0;
  let started = 0;
  const faultRuns: Promise<void>[] = [];
  const faultFailures: unknown[] = [];
  const queue = [...operations];
  const worker = async () => {
    for (let op = queue.shift(); op; op = queue.shift()) {
      const index = started++;
      // Held, not left pending: a fault that fails before the workload ends is reported after it, never as an unhandled rejection.
      for (const fault of options.faults ?? []) if (Math.floor(operations.length * fault.at) === index) faultRuns.push(fault.run().catch((error) => void faultFailures.push(error)));
      try {
        await op.run();
        succeeded++;
      } catch (error) {
        failed.push({ operation: op.name, error: (error as Error).message.slice(0, 200) });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  await Promise.all(faultRuns);
  if (faultFailures.length) throw faultFailures[0];
  return { succeeded, failed, retries, retriedCommitted, lastCommitAt, codes: operations.map((op) => op.code), crossCodes };
}

/**
 * A writer that commits late: a department's own exit path (`ListLifecycle.exit`), run in a
 * transaction that stays open `holdMs` after writing its change and outbox event, while
 * other changes of the same department commit after it. Every event path must still carry
 * it (issue: a `seq` taken early and committed after later ones was skipped for good).
 * Resolves with the subject's code and when it committed.
 */
export async function commitLate(databaseUrl: string, department: string, demo: DemoData, holdMs: number): Promise<{ creditCode: string; committedAt: number }> {
  const config = departments.find((d) => d.name === department)!;
  const entry = demo.entriesByDepartment.get(department)!.find((e) => e.listType === 'BLACK' && e.status === 'ACTIVE');
  if (!entry) throw new Error(`the demo data has no active ${department} black entry to exit late`);
  const db = connectForChecks(databaseUrl);
  try {
    const lifecycle = new ListLifecycle(db, config, new ListStore(db, config), systemClock);
    // Retried as the hub retries its own (a Galera node leaving the primary component aborts the commit).
    await inTransaction(db, async (trx) => {
      await lifecycle.exit('rule:late-writer', {
        entryId: entry.id,
        grounds: { way: 'STANDARD_CHANGED', standardReference: '负载测试标准2026年第1号', standardEffectiveOn: new Date().toISOString().slice(0, 10) },
        reason: '认定标准调整（迟提交的事务）',
      }, trx);
      await new Promise((resolve) => setTimeout(resolve, holdMs));
    });
    return { creditCode: entry.creditCode, committedAt: Date.now() };
  } finally {
    await db.destroy();
  }
}

export interface HubState {
  /** Every event in the departments' outboxes: what committed. */
  expected: Set<string>;
  /** Feed rows per event id, read from the platform's table. */
  inFeed: Map<string, number>;
  /** Red entries of subjects with an active black entry elsewhere that are still not exited. */
  redNotExited: { department: string; entryId: string; creditCode: string }[];
}

/** What the databases hold now (read directly: the truth the hub's answers are checked against). */
export async function readHubState(db: Knex, crossCodes: string[]): Promise<HubState> {
  const expected = new Set<string>();
  for (const d of departments) for (const row of await db(outboxTable(d.name)).select('event_id')) expected.add(row.event_id);
  const inFeed = new Map<string, number>();
  for (const row of await db(changeFeedTable).select('event_id')) inFeed.set(row.event_id, (inFeed.get(row.event_id) ?? 0) + 1);
  const redNotExited: HubState['redNotExited'] = [];
  if (crossCodes.length) {
    const blackListed = new Set<string>();
    for (const d of departments) {
      for (const row of await db(entriesTable(d.name)).whereIn('credit_code', crossCodes).andWhere({ list_type: 'BLACK', status: 'ACTIVE' }).select('credit_code')) blackListed.add(row.credit_code);
    }
    for (const d of departments) {
      const reds = await db(entriesTable(d.name)).whereIn('credit_code', [...blackListed]).andWhere({ list_type: 'RED' }).whereNot({ status: 'EXITED' }).select('id', 'credit_code');
      redNotExited.push(...reds.map((r: any) => ({ department: d.name, entryId: r.id, creditCode: r.credit_code })));
    }
  }
  return { expected, inFeed, redNotExited };
}

export function converged(state: HubState): boolean {
  return state.redNotExited.length === 0 && [...state.expected].every((id) => state.inFeed.has(id));
}

/** Polls until every committed event is in the feed and every consequence happened, or `timeoutMs`. */
export async function waitForConvergence(db: Knex, crossCodes: string[], timeoutMs: number): Promise<{ state: HubState; convergedAt: number | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Retried: a cluster node going away may fail one read.
    const state = await readHubState(db, crossCodes).catch(() => undefined);
    if (state && converged(state)) return { state, convergedAt: Date.now() };
    if (Date.now() > deadline) return { state: state ?? (await readHubState(db, crossCodes)), convergedAt: null };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The change feed as a client reads it: every page from the start, through the gateway. */
export async function readChangeFeed(gatewayUrl: string): Promise<string[]> {
  const headers = await callerHeaders({ role: 'admin', sub: 'workload-admin' }, { purpose: 'convergence check', reference: 'CONVERGENCE-1' });
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const response: any = await postGraphQL(gatewayUrl, `query($after: String) { changes(after: $after, first: 500) { edges { node { eventId } } pageInfo { hasNextPage endCursor } } }`, { after }, headers);
    if (response.errors) throw new Error(`changes: ${JSON.stringify(response.errors)}`);
    ids.push(...response.data.changes.edges.map((e: any) => e.node.eventId));
    after = response.data.changes.pageInfo.endCursor;
    if (!response.data.changes.pageInfo.hasNextPage) return ids;
  }
  throw new Error('the change feed did not end within 1000 pages');
}

export interface FeedCheck {
  expected: number;
  seen: number;
  missing: string[];
  duplicated: number;
  /** Feed events the outboxes do not explain (see `explained`). */
  unexplained: number;
}

export function checkFeed(expected: Set<string>, feedIds: string[]): FeedCheck {
  const counts = new Map<string, number>();
  for (const id of feedIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const missing = [...expected].filter((id) => !counts.has(id));
  return {
    expected: expected.size,
    seen: [...expected].filter((id) => counts.has(id)).length,
    missing,
    duplicated: [...counts.values()].reduce((sum, n) => sum + (n - 1), 0),
    unexplained: [...counts.keys()].filter((id) => !explained(expected, id)).length,
  };
}

/**
 * A feed event the outboxes explain: one of theirs, the warning list's or the catalogue's own,
 * or a notice of one of theirs (`exit_notice:<event id>`, `unit_notice:<event id>`; a validity
 * reminder names its entry and validity).
 */
function explained(expected: Set<string>, id: string): boolean {
  if (expected.has(id) || id.startsWith('warning-list:') || id.startsWith('memorandum')) return true;
  const [kind, ...rest] = id.split(':');
  if (!NOTICE_TYPES.map((type) => type.toLowerCase()).includes(kind)) return false;
  return kind === 'validity_reminder' || expected.has(rest.join(':'));
}

/**
 * Screens every code the workload touched and compares with the departments' tables: the
 * active entries found are exactly the active ones, a subject on an active black list is
 * restricted, and one on no list is clear.
 */
export async function checkScreening(gatewayUrl: string, db: Knex, codes: string[]): Promise<string[]> {
  const active = new Map<string, { ids: Set<string>; black: boolean }>();
  for (const code of codes) active.set(code, { ids: new Set(), black: false });
  for (const d of departments) {
    for (const row of await db(entriesTable(d.name)).whereIn('credit_code', codes).andWhere({ status: 'ACTIVE' }).select('id', 'credit_code', 'list_type')) {
      const truth = active.get(row.credit_code)!;
      truth.ids.add(row.id);
      if (row.list_type === 'BLACK') truth.black = true;
    }
  }
  const headers = await callerHeaders({ role: 'agency', agency: '负载测试审批中心', sub: 'workload-agency' }, { purpose: '政府采购审查', reference: 'CONVERGENCE-SCREEN' });
  const response: any = await postGraphQL(
    gatewayUrl,
    `mutation($codes: [ID!]!) { screen(creditCodes: $codes, scenario: GOVERNMENT_PROCUREMENT, reference: "CONVERGENCE-SCREEN") { items { creditCode verdict activeEntries { entryId } } } }`,
    { codes },
    headers,
  );
  if (response.errors) return [`screen failed: ${JSON.stringify(response.errors)}`];
  const wrong: string[] = [];
  for (const item of response.data.screen.items) {
    const truth = active.get(item.creditCode)!;
    const found = new Set<string>(item.activeEntries.map((e: any) => e.entryId));
    const same = found.size === truth.ids.size && [...found].every((id) => truth.ids.has(id));
    if (!same) wrong.push(`${item.creditCode}: screening found entries [${[...found]}], the departments hold active [${[...truth.ids]}]`);
    if (truth.black && item.verdict !== 'RESTRICT') wrong.push(`${item.creditCode}: black-listed, screening says ${item.verdict}`);
    if (truth.ids.size === 0 && item.verdict !== 'CLEAR') wrong.push(`${item.creditCode}: on no list, screening says ${item.verdict}`);
  }
  return wrong;
}

/** A knex connection for the checks (a small pool; quiet about refused connections). */
export function connectForChecks(url: string): Knex {
  return knex({ client: 'mysql2', connection: url, pool: { min: 0, max: 3 }, log: { warn() {}, error() {}, debug() {}, deprecate() {} } });
}
