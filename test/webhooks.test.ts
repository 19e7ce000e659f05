/**
 * Webhooks: the change feed pushed to partners' URLs — signed (verified with the README's
 * snippet), in order, with event ids, retried with growing backoff, dead-lettered and
 * replayable, logged, one replica at a time, lossless when a replica dies, masked, and
 * nobody else's to see. Receivers are real HTTP servers on random loopback ports.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnv, startTestHub, type TestHub } from './env.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/server.js';
import { subgraphByName } from '../subgraphs/catalog.js';
import { organisationCode, random } from '../scripts/demo-data.js';
import type { TokenClaims } from '../scripts/token.js';
import { ChangeFeed, feedCursor, positionOf } from '../subgraphs/platform/change-feed.js';
import { WebhookDelivery, backoffDelay } from '../subgraphs/platform/webhook-delivery.js';
import { Webhooks, webhookOptionsFromEnv } from '../subgraphs/platform/webhooks.js';
import { webhookDeadLettersTable, webhookDeliveriesTable, webhooksTable } from '../subgraphs/platform/webhooks.js';
import { feedVisibility } from '../subgraphs/kit/auth/policy.js';
import { departments } from '../subgraphs/catalog.js';
import { principalOf, registeredUnder } from './roles.js';

const subgraphs = departments.map((d) => d.name);

const PARTNER: TokenClaims = { role: 'partner', agency: '某商业银行', sub: 'bank-hook' };
const RED_PARTNER: TokenClaims = { role: 'partner', agency: '某行业协会', sub: 'assoc-hook', scopes: ['read:red'] };
const OTHER: TokenClaims = { role: 'partner', agency: '另一家银行', sub: 'bank-other' };
const ADMIN: TokenClaims = { role: 'admin', sub: 'admin-hook' };
const TAX_OFFICER: TokenClaims = { role: 'officer', department: 'tax', sub: 'tax-hook' };
const SECRET = 'a-webhook-secret-of-some-length';
const REGISTER = `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id url cursor deadLetters createdAt } }`;
const REPLAY = `mutation($id: ID!, $from: String) { replayWebhook(id: $id, fromCursor: $from) { id cursor deadLetters } }`;
const LOG = `query($id: ID!, $first: Int, $after: String) { webhookDeliveries(webhookId: $id, first: $first, after: $after) {
  edges { cursor node { eventId cursor attempt statusCode latencyMs error outcome at } } pageInfo { hasNextPage endCursor } } }`;
const CHANGES = `query($after: String, $filter: ChangeFilter) { changes(after: $after, filter: $filter, first: 500) {
  edges { node { eventId type creditCode listType } } pageInfo { hasNextPage endCursor } } }`;

// Short backoff, few attempts, a short lease and small passes for the hub's replicas (read when they start);
// the receivers listen on loopback, which webhooks reach only when the operator allows it.
const ENV = { WEBHOOK_ALLOWED_TARGETS: '127.0.0.1', WEBHOOK_BACKOFF_MS: '40', WEBHOOK_MAX_BACKOFF_MS: '2000', WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_LEASE_MS: '1500', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_BATCH_SIZE: '20' };
const savedEnv = Object.fromEntries(Object.keys(ENV).map((name) => [name, process.env[name]]));

const now = new Date('2026-11-23T03:00:00.000Z');
const clock = () => now;
let hub: TestHub;
const platform = () => hub.hub.subgraphs.get('platform')!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The README's verification snippet, taken from the README itself, so the two never drift apart. */
function readmeVerifier(): (secret: string, headers: http.IncomingHttpHeaders, rawBody: string) => boolean {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /```js\n(import \{ createHmac, timingSafeEqual \} from 'node:crypto';\nfunction verified[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README: no webhook verification snippet (```js … function verified …```)');
  const body = block[1].replace(/^import .*\n/, '');
  return new Function('createHmac', 'timingSafeEqual', `${body}\nreturn verified;`)(createHmac, timingSafeEqual);
}

interface Received {
  eventId: string;
  attempt: number;
  body: any;
  raw: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

type Answer = number | 'hang';

/**
 * A receiver on a random loopback port. `answer(n, eventId)` decides the n-th request's
 * status ('hang': never answer); `holdMs` keeps each request open that long, so overlapping
 * deliveries would show in `maxInFlight`.
 */
async function receiver(answer: (n: number, eventId: string) => Answer = () => 200, holdMs = 0) {
  const requests: Received[] = [];
  const delivered: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('close', () => {
      if (!res.writableEnded) inFlight--; // aborted by the sender
    });
    req.on('end', async () => {
      const received: Received = {
        eventId: String(req.headers['x-credithub-event-id']),
        attempt: Number(req.headers['x-credithub-attempt']),
        body: JSON.parse(raw),
        raw,
        headers: req.headers,
        at: Date.now(),
      };
      requests.push(received);
      const status = answer(requests.length, received.eventId);
      if (status === 'hang') return;
      if (holdMs) await sleep(holdMs);
      if (status >= 200 && status < 300) delivered.push(received);
      inFlight--;
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/credithub`,
    requests,
    delivered,
    maxInFlight: () => maxInFlight,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

async function register(as: TokenClaims, url: string, filter?: Record<string, unknown>) {
  const { data, errors } = await hub.queryAs(as, REGISTER, { input: { url, secret: SECRET, filter } });
  expect(errors).toBeUndefined();
  return data.registerWebhook as { id: string; url: string; cursor: string; deadLetters: number };
}

async function remove(as: TokenClaims, id: string) {
  const { data, errors } = await hub.queryAs(as, `mutation($id: ID!) { removeWebhook(id: $id) }`, { id });
  expect(errors).toBeUndefined();
  expect(data.removeWebhook).toBe(true);
}

async function deliveryLog(as: TokenClaims, id: string, first = 100) {
  const { data, errors } = await hub.queryAs(as, LOG, { id, first });
  expect(errors).toBeUndefined();
  return data.webhookDeliveries.edges.map((edge: any) => edge.node).reverse(); // oldest first
}

/** What `changes` gives `as` after `after`: the sequence a webhook of the same principal and filter must deliver. */
async function feedAs(as: TokenClaims, filter: Record<string, unknown> | undefined, after: string | null) {
  const events: any[] = [];
  let cursor = after;
  for (let page = 0; page < 100; page++) {
    const { data, errors } = await hub.queryAs(as, CHANGES, { after: cursor, filter });
    expect(errors).toBeUndefined();
    events.push(...data.changes.edges.map((edge: any) => edge.node));
    cursor = data.changes.pageInfo.endCursor;
    if (!data.changes.pageInfo.hasNextPage) break;
  }
  return events;
}

/** Brings departments' new events into the platform's change feed (without delivering webhooks). */
async function collect() {
  // Each department's relay gives its committed events their positions; then the platform reads them.
  for (const [name, subgraph] of hub.hub.subgraphs) if (name !== 'platform') while ((await subgraph.runWorker('relay')) > 0);
  while ((await platform().runWorker('collection')) > 0);
  while ((await platform().runWorker('change-feed')) > 0);
}

let codes = 0;
/** A tax black listing, confirmed, then exited as the standard changed: for a partner, ENTRY_ACTIVATED, ENTRY_EXITED, ENTRY_RECOGNISED (key attention), and the exit and unit notices. */
async function taxChanges(): Promise<void> {
  const code = organisationCode(random(9000 + ++codes), '440305');
  const recognised = await hub.queryAs(TAX_OFFICER, `mutation { tax { recognise(input: { listKind: MAJOR_TAX_VIOLATION, creditCode: "${code}", subjectName: "某公司", recognisedOn: "2026-11-20",
    facts: "虚开发票", validUntil: "2029-01-01", repair: { repairable: true, method: "补缴税款", rectificationDeadline: "2027-01-01" } }) { id } } }`);
  expect(recognised.errors).toBeUndefined();
  const id = recognised.data.tax.recognise.id;
  expect((await hub.queryAs(TAX_OFFICER, `mutation { tax { confirm(entryId: "${id}") { id } } }`)).errors).toBeUndefined();
  expect((await hub.queryAs(TAX_OFFICER, `mutation { tax { exitForChangedStandard(input: { entryId: "${id}", standardReference: "税务总局公告2026年第9号", standardEffectiveOn: "2026-11-21", reason: "标准调整" }) { exited { id } } } }`)).errors).toBeUndefined();
  await collect();
}

/** Runs `pass` until `done()` holds (or fails after `timeoutMs`). */
async function deliverUntil(done: () => boolean | Promise<boolean>, pass: () => Promise<unknown> = () => platform().runWorker('webhooks'), timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('deliveries did not arrive in time');
    await pass();
    await sleep(15);
  }
}

beforeAll(async () => {
  setEnv(ENV);
  hub = await startTestHub({ subjects: 120, clock });
  await hub.hub.settle();
});
afterAll(async () => {
  await hub?.stop();
  setEnv(savedEnv);
});

describe('webhooks: delivery', () => {
  it('POST each change the owner may see, after registration, in feed order, with its event id, signed as the README verifies', async () => {
    const verified = readmeVerifier();
    const target = await receiver();
    const hook = await register(PARTNER, target.url, { domains: ['TAX'] });
    await platform().runWorker('webhooks');
    expect(target.requests).toEqual([]); // the history before registration is not pushed

    await taxChanges();
    await taxChanges();
    const expected = await feedAs(PARTNER, { domains: ['TAX'] }, hook.cursor);
    const oneChange = ['ENTRY_ACTIVATED', 'ENTRY_EXITED', 'ENTRY_RECOGNISED', 'EXIT_NOTICE', 'UNIT_NOTICE'];
    expect(expected.map((e) => e.type)).toEqual([...oneChange, ...oneChange]);
    await deliverUntil(() => target.delivered.length >= expected.length);
    await platform().runWorker('webhooks');

    // Exactly the feed's events for this partner, once each, in order, one per request.
    expect(target.requests.map((r) => r.eventId)).toEqual(expected.map((e) => e.eventId));
    for (const request of target.requests) {
      expect(request.body).toEqual({ event: expect.objectContaining({ eventId: request.eventId, cursor: expect.any(String), domain: 'TAX' }) });
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-credithub-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(verified(SECRET, request.headers, request.raw)).toBe(true);
    }
    const positions = target.requests.map((r) => positionOf(r.body.event.cursor));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(target.requests[0].body.event).toMatchObject({ type: 'ENTRY_ACTIVATED', listType: 'BLACK', status: 'ACTIVE', detail: expect.any(Object) });

    // A wrong secret, a changed body or a stale timestamp does not verify.
    const [first] = target.requests;
    expect(verified('another-secret-entirely', first.headers, first.raw)).toBe(false);
    expect(verified(SECRET, first.headers, first.raw.replace('TAX', 'TAXX'))).toBe(false);
    const stale = String(Number(first.headers['x-credithub-timestamp']) - 600);
    const staleHeaders = { ...first.headers, 'x-credithub-timestamp': stale, 'x-credithub-signature': `v1=${createHmac('sha256', SECRET).update(`${stale}.${first.raw}`).digest('hex')}` };
    expect(verified(SECRET, staleHeaders, first.raw)).toBe(false);

    // The log: one delivered attempt per event; the webhook's cursor is past the last one.
    const log = await deliveryLog(PARTNER, hook.id);
    expect(log.map((a: any) => [a.eventId, a.attempt, a.outcome, a.statusCode])).toEqual(expected.map((e) => [e.eventId, 1, 'DELIVERED', 200]));
    expect(log.every((a: any) => a.latencyMs >= 0 && a.error === null && a.at)).toBe(true);
    const paged = await hub.queryAs(PARTNER, LOG, { id: hook.id, first: 5 });
    const rest = await hub.queryAs(PARTNER, LOG, { id: hook.id, first: 5, after: paged.data.webhookDeliveries.pageInfo.endCursor });
    expect([...paged.data.webhookDeliveries.edges, ...rest.data.webhookDeliveries.edges].map((e: any) => e.node.eventId).reverse()).toEqual(expected.map((e) => e.eventId));
    const { data } = await hub.queryAs(PARTNER, `{ webhooks { id cursor } }`);
    expect(positionOf(data.webhooks.find((w: any) => w.id === hook.id).cursor)).toBeGreaterThanOrEqual(positions.at(-1)!);

    await remove(PARTNER, hook.id);
    await target.close();
  });

  it('carry what the owner may query: its scopes only, and natural persons’ codes masked for partners and administrators alike', async () => {
    const partnerTarget = await receiver();
    const adminTarget = await receiver();
    const redTarget = await receiver();
    const courts = { domains: ['COURTS'] };
    const hooks = [
      [await register(PARTNER, partnerTarget.url, courts), PARTNER],
      [await register(ADMIN, adminTarget.url, courts), ADMIN],
      [await register(RED_PARTNER, redTarget.url), RED_PARTNER],
    ] as const;
    for (const [hook, owner] of hooks) expect((await hub.queryAs(owner, REPLAY, { id: hook.id, from: feedCursor(0) })).errors).toBeUndefined();
    const partnerExpected = await feedAs(PARTNER, courts, null);
    const adminExpected = await feedAs(ADMIN, courts, null);
    const redExpected = await feedAs(RED_PARTNER, undefined, null);
    await deliverUntil(
      () => partnerTarget.delivered.length >= partnerExpected.length && adminTarget.delivered.length >= adminExpected.length && redTarget.delivered.length >= redExpected.length,
    );
    while ((await platform().runWorker('webhooks')) > 0);

    // Each webhook carries exactly what `changes` gives its owner (without a stated purpose), masked the same way.
    expect(partnerTarget.delivered.map((r) => [r.eventId, r.body.event.creditCode])).toEqual(partnerExpected.map((e) => [e.eventId, e.creditCode]));
    expect(adminTarget.delivered.map((r) => [r.eventId, r.body.event.creditCode])).toEqual(adminExpected.map((e) => [e.eventId, e.creditCode]));
    const people = hub.demo.entriesByDepartment.get('courts')!.filter((e) => e.subjectType === 'NATURAL_PERSON');
    expect(people.length).toBeGreaterThan(0);
    for (const target of [partnerTarget, adminTarget]) {
      const byEntry = new Map(target.delivered.map((r) => [r.body.event.entryId, r.body.event]));
      const seen = people.filter((person) => byEntry.has(person.id));
      expect(seen.length).toBeGreaterThan(0);
      for (const person of seen) {
        expect(byEntry.get(person.id)!.creditCode).toBe(`${person.creditCode.slice(0, 4)}**********${person.creditCode.slice(-4)}`);
        expect(target.delivered.some((r) => r.raw.includes(person.creditCode))).toBe(false);
      }
      const organisation = hub.demo.entriesByDepartment.get('courts')!.find((e) => e.subjectType === 'ORGANISATION' && byEntry.has(e.id))!;
      expect(byEntry.get(organisation.id)!.creditCode).toBe(organisation.creditCode);
    }
    expect(partnerTarget.delivered.some((r) => r.body.event.status === 'PRELIMINARY')).toBe(false);
    // A partner with read:red only: red entries (and events of no list) only.
    expect(redTarget.delivered.map((r) => r.eventId)).toEqual(redExpected.map((e) => e.eventId));
    expect(redTarget.delivered.every((r) => r.body.event.listType === 'RED' || r.body.event.listType === null)).toBe(true);

    for (const [hook, owner] of hooks) await remove(owner, hook.id);
    await Promise.all([partnerTarget.close(), adminTarget.close(), redTarget.close()]);
  });
});

describe('webhooks: every role, every domain', () => {
  const PURPOSE = { purpose: '授信前尽职调查', reference: 'SX-2026-0079' };
  const OWNERS: [string, TokenClaims, typeof PURPOSE | undefined][] = [
    ['agency', { role: 'agency', agency: '某市财政局', sub: 'agency-hook-all' }, undefined],
    ['agency with a purpose', { role: 'agency', agency: '某市财政局', sub: 'agency-hook-purpose' }, PURPOSE],
    ['agency without scopes', { role: 'agency', agency: '某市财政局', sub: 'agency-hook-none', scopes: [] }, undefined],
    ['red-only agency', { role: 'agency', agency: '某市财政局', sub: 'agency-hook-red', scopes: ['read:red'] }, undefined],
    ['black-only agency', { role: 'agency', agency: '某市财政局', sub: 'agency-hook-black', scopes: ['read:black'] }, undefined],
    ['key-attention agency', { role: 'agency', agency: '某市财政局', sub: 'agency-hook-key', scopes: ['read:key_attention'] }, undefined],
    ['partner', { role: 'partner', agency: '某银行', sub: 'partner-hook-all' }, undefined],
    ['red-only partner', { role: 'partner', agency: '某行业协会', sub: 'partner-hook-red', scopes: ['read:red'] }, undefined],
    ['admin', { role: 'admin', sub: 'admin-hook-all' }, undefined],
    ['admin with a purpose', { role: 'admin', sub: 'admin-hook-purpose' }, PURPOSE],
  ];
  const REFUSED: [string, TokenClaims | null, string][] = [
    ['public', null, 'UNAUTHENTICATED'],
    ['auditor', { role: 'auditor', sub: 'auditor-hook' }, 'FORBIDDEN'],
    ...subgraphs.map((name): [string, TokenClaims, string] => [`${name} officer`, { role: 'officer', department: name, sub: `officer-hook-${name}` }, 'FORBIDDEN']),
  ];
  const FULL = `query($after: String, $filter: ChangeFilter) { changes(after: $after, filter: $filter, first: 500) {
    edges { node { eventId type domain creditCode listType listKind regionCode entryId status exitWay } } pageInfo { hasNextPage endCursor } } }`;

  for (const [name, claims, code] of REFUSED) {
    it(`refuse the ${name} a webhook (${code}), storing nothing`, async () => {
      const before = await platform().db(webhooksTable).count({ n: '*' }).first();
      const { errors } = await hub.queryAs(claims, REGISTER, { input: { url: 'http://127.0.0.1:9/never', secret: SECRET } }, PURPOSE);
      expect(errors?.[0].extensions?.code).toBe(code);
      expect(await platform().db(webhooksTable).count({ n: '*' }).first()).toEqual(before);
    });
  }

  it('carry to each owner exactly what its changes query gives without a purpose — every domain, customs included — natural persons always masked, nothing registered', async () => {
    const hooks: { name: string; claims: TokenClaims; hook: { id: string }; target: Awaited<ReturnType<typeof receiver>>; expected: any[] }[] = [];
    for (const [name, claims, purpose] of OWNERS) {
      const target = await receiver();
      const { data, errors } = await hub.queryAs(claims, REGISTER, { input: { url: target.url, secret: SECRET } }, purpose);
      expect(errors, name).toBeUndefined();
      const hook = data.registerWebhook;
      expect((await hub.queryAs(claims, REPLAY, { id: hook.id, from: feedCursor(0) })).errors).toBeUndefined();
      // A webhook states no purpose: it carries what the owner's query without one gives.
      const expected: any[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = await hub.queryAs(claims, FULL, { after });
        expect(page.errors).toBeUndefined();
        expected.push(...page.data.changes.edges.map((edge: any) => edge.node));
        if (!page.data.changes.pageInfo.hasNextPage) break;
        after = page.data.changes.pageInfo.endCursor;
      }
      hooks.push({ name, claims, hook, target, expected });
    }
    await deliverUntil(() => hooks.every(({ target, expected }) => target.delivered.length >= expected.length), undefined, 60_000);
    while ((await platform().runWorker('webhooks')) > 0);

    const fields = ['eventId', 'type', 'domain', 'creditCode', 'listType', 'listKind', 'regionCode', 'entryId', 'status', 'exitWay'];
    const pick = (event: any) => Object.fromEntries(fields.map((field) => [field, event[field] ?? null]));
    const persons = new Set([...hub.demo.entriesByDepartment.values()].flat().filter((e) => e.subjectType === 'NATURAL_PERSON').map((e) => e.creditCode));
    for (const { name, claims, hook, target, expected } of hooks) {
      expect(target.delivered.map((r) => pick(r.body.event)), name).toEqual(expected.map(pick));
      for (const { name: department, domain } of departments) {
        const visibility = feedVisibility(principalOf(claims), department);
        for (const { body } of target.delivered.filter((r) => r.body.event.domain === domain)) {
          if (visibility.listTypes && body.event.listType) expect(visibility.listTypes, name).toContain(body.event.listType);
        }
      }
      // Masked always: no natural person's code in any body, and no read registered under the owner.
      expect(target.delivered.filter((r) => [...persons].some((code) => r.raw.includes(code))).map((r) => r.eventId), name).toEqual([]);
      expect([...(await registeredUnder(hub, claims.sub!))], name).toEqual([]);
      await remove(claims, hook.id);
      await target.close();
    }
    // Every domain reached some owner, customs included.
    const domains = new Set(hooks.flatMap(({ target }) => target.delivered.map((r) => r.body.event.domain)));
    for (const { domain } of departments) expect(domains).toContain(domain);
  }, 120_000);
});

describe('webhooks: retries, dead letters, replay', () => {
  it('retry a failing receiver with exponential backoff: the event arrives on the 3rd attempt, each wait longer than the last', () => {
    const options = { backoffMs: 100, maxBackoffMs: 1000, random: () => 1 };
    expect([1, 2, 3, 4, 5, 6].map((failures) => backoffDelay(failures, options))).toEqual([99, 199, 399, 799, 999, 999]);
    const jittered = Array.from({ length: 200 }, () => backoffDelay(3, { ...options, random: Math.random }));
    expect(Math.min(...jittered)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...jittered)).toBeLessThan(400);
    expect(new Set(jittered).size).toBeGreaterThan(50); // full jitter: spread over [0, 400)
  });

  it('deliver on the 3rd attempt after two failures, waiting longer before each retry', async () => {
    const target = await receiver((n) => (n <= 2 ? 503 : 200));
    const hook = await register(PARTNER, target.url, { domains: ['TAX'], types: ['ENTRY_ACTIVATED'] });
    await taxChanges();
    // A replica of our own, built with its constructor: backoff 150 ms, jitter at its ceiling.
    const db = platform().db;
    const replica = new WebhookDelivery(db, new ChangeFeed(db), { ...webhookOptionsFromEnv(), backoffMs: 150, maxAttempts: 5, random: () => 1 }, {
      clock,
      measureTriggers: async () => [],
    });
    await deliverUntil(() => target.delivered.length === 1, () => replica.deliverDue());
    const [one, two, three] = target.requests;
    expect(target.requests.map((r) => [r.eventId, r.attempt])).toEqual([[one.eventId, 1], [one.eventId, 2], [one.eventId, 3]]);
    const waits = [two.at - one.at, three.at - two.at];
    expect(waits[0]).toBeGreaterThanOrEqual(140);
    expect(waits[1]).toBeGreaterThanOrEqual(290);
    expect(waits[1]).toBeGreaterThan(waits[0]);
    const log = await deliveryLog(PARTNER, hook.id);
    expect(log.map((a: any) => [a.attempt, a.outcome, a.statusCode, a.error])).toEqual([
      [1, 'FAILED', 503, 'HTTP 503'],
      [2, 'FAILED', 503, 'HTTP 503'],
      [3, 'DELIVERED', 200, null],
    ]);
    await remove(PARTNER, hook.id);
    await target.close();
  });

  it('dead-letter an event after the last attempt and move on; replay delivers it again, in order', async () => {
    let failing = '';
    const target = await receiver((_n, eventId) => (eventId === failing ? 500 : 200));
    const filter = { domains: ['TAX'], types: ['ENTRY_ACTIVATED'] };
    const hook = await register(PARTNER, target.url, filter);
    await taxChanges();
    await taxChanges();
    const [dead, next] = await feedAs(PARTNER, filter, hook.cursor);
    failing = dead.eventId;
    await deliverUntil(() => target.delivered.some((r) => r.eventId === next.eventId));
    const log = await deliveryLog(PARTNER, hook.id);
    expect(log.map((a: any) => [a.eventId, a.attempt, a.outcome])).toEqual([
      [dead.eventId, 1, 'FAILED'],
      [dead.eventId, 2, 'FAILED'],
      [dead.eventId, 3, 'DEAD_LETTERED'],
      [next.eventId, 1, 'DELIVERED'],
    ]);
    expect(await platform().db(webhookDeadLettersTable).where({ webhook_id: hook.id }).select('event_id', 'attempts', 'error')).toEqual([
      { event_id: dead.eventId, attempts: 3, error: 'HTTP 500' },
    ]);
    const before = (await hub.queryAs(PARTNER, `{ webhooks { id deadLetters } }`)).data.webhooks.find((w: any) => w.id === hook.id);
    expect(before.deadLetters).toBe(1);

    // Replay without a cursor: from the oldest dead letter, the events after it again, in order.
    failing = '';
    const replayed = await hub.queryAs(PARTNER, REPLAY, { id: hook.id });
    expect(replayed.errors).toBeUndefined();
    expect(replayed.data.replayWebhook.deadLetters).toBe(0);
    const deliveredBefore = target.delivered.length;
    await deliverUntil(() => target.delivered.length >= deliveredBefore + 2);
    expect(target.delivered.slice(deliveredBefore).map((r) => r.eventId)).toEqual([dead.eventId, next.eventId]);
    // Nothing dead is left: a second replay without a cursor changes nothing.
    const cursorNow = (await hub.queryAs(PARTNER, `{ webhooks { id cursor } }`)).data.webhooks.find((w: any) => w.id === hook.id).cursor;
    expect((await hub.queryAs(PARTNER, REPLAY, { id: hook.id })).data.replayWebhook).toMatchObject({ cursor: cursorNow, deadLetters: 0 });

    // Replay from a cursor: everything after it; a malformed cursor or one ahead of the feed is refused.
    const fromCursor = await hub.queryAs(PARTNER, REPLAY, { id: hook.id, from: hook.cursor });
    expect(fromCursor.errors).toBeUndefined();
    await deliverUntil(() => target.delivered.length >= deliveredBefore + 4);
    expect(target.delivered.slice(deliveredBefore + 2).map((r) => r.eventId)).toEqual([dead.eventId, next.eventId]);
    for (const from of ['not-a-cursor', feedCursor(10_000_000)]) {
      const refused = await hub.queryAs(PARTNER, REPLAY, { id: hook.id, from });
      expect(refused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'fromCursor' });
    }
    await remove(PARTNER, hook.id);
    await target.close();
  });

  it('a replay while a replica delivers takes over: the old delivery writes nothing more, the replay starts where asked', async () => {
    const target = await receiver(() => 200, 150);
    const filter = { domains: ['TAX'] };
    const hook = await register(PARTNER, target.url, filter);
    await taxChanges();
    const expected = await feedAs(PARTNER, filter, hook.cursor);
    const running = platform().runWorker('webhooks');
    await deliverUntil(() => target.requests.length >= 1, async () => {});
    // While the first event is in flight, replay from the registration cursor.
    expect((await hub.queryAs(PARTNER, REPLAY, { id: hook.id, from: hook.cursor })).errors).toBeUndefined();
    await running;
    await deliverUntil(async () => (await platform().runWorker('webhooks')) === 0 && target.delivered.length >= expected.length + 1, async () => {});
    const ids = target.requests.map((r) => r.eventId);
    // The interrupted pass stopped after its event in flight (its position write discarded); the replay began again from the first.
    expect(ids).toEqual([expected[0].eventId, ...expected.map((e) => e.eventId)]);
    await remove(PARTNER, hook.id);
    await target.close();
  });
});

describe('webhooks: replicas', () => {
  let second: RunningSubgraph | undefined;
  const departmentUrls = () => Object.fromEntries([...hub.hub.subgraphs].filter(([name]) => name !== 'platform').map(([name, s]) => [name, s.url]));
  const startSecond = async () => {
    const replica = await startSubgraph(subgraphByName('platform'), { databaseUrl: hub.database.urlFor('platform'), clock });
    replica.startWorkers(departmentUrls(), 'manual');
    return replica;
  };

  it('two replicas deliver each webhook one at a time, and together deliver every event exactly once, in order', async () => {
    second = await startSecond();
    const filter = undefined; // everything: about a hundred events, in passes of 20 (WEBHOOK_BATCH_SIZE)
    const targets = await Promise.all([receiver(() => 200, 3), receiver(() => 200, 3), receiver(() => 200, 3)]);
    const hooks = [];
    for (const target of targets) {
      const hook = await register(PARTNER, target.url, filter);
      await hub.queryAs(PARTNER, REPLAY, { id: hook.id, from: feedCursor(0) });
      hooks.push(hook);
    }
    const expected = (await feedAs(PARTNER, filter, null)).map((e) => e.eventId);
    expect(expected.length).toBeGreaterThan(60);
    const done = { first: 0, second: 0 };
    await deliverUntil(
      () => targets.every((t) => t.delivered.length >= expected.length),
      async () => {
        // Both replicas at once, and the first twice over, racing for the same leases.
        const [a, b, c] = await Promise.all([platform().runWorker('webhooks'), second!.runWorker('webhooks'), platform().runWorker('webhooks')]);
        done.first += a + c;
        done.second += b;
      },
      30_000,
    );
    for (const target of targets) {
      expect(target.maxInFlight()).toBe(1);
      expect(target.requests.map((r) => r.eventId)).toEqual(expected);
    }
    expect(done.first + done.second).toBe(expected.length * targets.length);
    for (const hook of hooks) await remove(PARTNER, hook.id);
    await Promise.all(targets.map((t) => t.close()));
    await second.stop();
    second = undefined;
  }, 60_000);

  it('a replica killed mid-delivery loses nothing: after its lease expires another resumes from the last acknowledged event', async () => {
    second = await startSecond();
    const target = await receiver((n) => (n === 1 ? 'hang' : 200));
    const filter = { domains: ['TAX'] };
    const hook = await register(PARTNER, target.url, filter);
    await taxChanges();
    const expected = (await feedAs(PARTNER, filter, hook.cursor)).map((e) => e.eventId);

    // The second replica takes the webhook and hangs on the first event; then it is stopped.
    const dying = second.runWorker('webhooks').catch(() => 0);
    await deliverUntil(() => target.requests.length === 1, async () => {});
    const [row] = await platform().db(webhooksTable).where({ id: hook.id });
    expect(row.lease_owner).toBeTruthy();
    const killedAt = Date.now();
    await second.stop();
    second = undefined;
    await dying;

    // Its lease still holds the webhook: nobody else delivers until it expires.
    expect(await platform().runWorker('webhooks')).toBe(0);
    await deliverUntil(() => target.delivered.length >= expected.length);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1000);
    // Every event, the one in flight at the kill again first, in order.
    expect(target.requests.map((r) => r.eventId)).toEqual([expected[0], ...expected]);
    expect(target.delivered.map((r) => r.eventId)).toEqual(expected);
    const log = await deliveryLog(PARTNER, hook.id);
    expect(log.filter((a: any) => a.outcome === 'DELIVERED').map((a: any) => a.eventId)).toEqual(expected);
    await remove(PARTNER, hook.id);
    await target.close();
  }, 30_000);

  afterAll(async () => {
    await second?.stop().catch(() => {});
  });
});

describe('webhooks: input and ownership', () => {
  it('refuse a URL other than http(s) with a host, a short secret, an unknown domain, type or measure — storing nothing', async () => {
    const count = async () => Number((await platform().db(webhooksTable).count({ n: '*' }))[0].n);
    const before = await count();
    const https = 'https://partner.example/credithub';
    for (const [input, argument, says] of [
      [{ url: 'ftp://partner.example/x', secret: SECRET }, 'input.url', 'http or https only, not "ftp"'],
      [{ url: 'javascript:alert(1)', secret: SECRET }, 'input.url', 'not "javascript"'],
      [{ url: 'file:///etc/passwd', secret: SECRET }, 'input.url', 'not "file"'],
      [{ url: 'http://', secret: SECRET }, 'input.url', 'not an absolute URL'],
      [{ url: 'not a url', secret: SECRET }, 'input.url', 'not an absolute URL'],
      [{ url: '', secret: SECRET }, 'input.url', 'empty'],
      [{ url: 'https://user:password@partner.example/x', secret: SECRET }, 'input.url', 'no credentials'],
      [{ url: https, secret: 'short' }, 'input.secret', 'at least 16'],
      [{ url: https, secret: SECRET, filter: { measureIds: ['measure-99-9'] } }, 'input.filter.measureIds', 'measure-99-9'],
      [{ url: https, secret: SECRET, filter: { regionCode: '4' } }, 'input.filter.regionCode', 'regionCode'],
      [{ url: https, secret: SECRET, filter: { creditCode: '12345' } }, 'input.filter.creditCode', 'not a valid credit code'],
    ] as const) {
      const { errors } = await hub.queryAs(PARTNER, REGISTER, { input });
      expect(errors, JSON.stringify(input)).toHaveLength(1);
      expect(errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      expect(errors![0].message).toContain(says);
    }
    // An unknown domain or event type: refused by the schema at the gateway, and by the registry itself.
    for (const filter of [{ domains: ['FISHERIES'] }, { types: ['ENTRY_TELEPORTED'] }]) {
      const { errors } = await hub.queryAs(PARTNER, REGISTER, { input: { url: https, secret: SECRET, filter } });
      expect(errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    const registry = new Webhooks(platform().db, clock, async () => []);
    const principal = { role: 'PARTNER' as const, id: 'bank-hook', agency: '某商业银行', scopes: ['read:black'] };
    await expect(registry.register(principal, { url: https, secret: SECRET, filter: { domains: ['FISHERIES'] } })).rejects.toMatchObject({
      message: expect.stringContaining('FISHERIES'),
      extensions: { code: 'BAD_USER_INPUT', argument: 'input.filter.domains' },
    });
    expect(await count()).toBe(before);
    // A valid URL and secret are taken; a public caller or an auditor may not register.
    const ok = await register(PARTNER, `${https}#fragment-dropped`, { domains: ['TAX'], measureIds: ['measure-38-1'] });
    expect(ok.url).toBe(https);
    for (const who of [null, { role: 'auditor', sub: 'audit-1' }]) {
      const { errors } = await hub.queryAs(who, REGISTER, { input: { url: https, secret: SECRET } });
      expect(errors![0].extensions?.code).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
    }
    expect(await count()).toBe(before + 1);
    await remove(PARTNER, ok.id);
  });

  it('keep each webhook its owner’s: another partner cannot list, read the log of, replay or remove it; removing stops deliveries', async () => {
    const target = await receiver();
    const hook = await register(PARTNER, target.url, { domains: ['TAX'] });
    const listed = (await hub.queryAs(PARTNER, `{ webhooks { id url filter } }`)).data.webhooks;
    expect(listed.map((w: any) => w.id)).toContain(hook.id);
    expect(JSON.parse(listed.find((w: any) => w.id === hook.id).filter)).toEqual({ domains: ['TAX'] });
    expect(JSON.stringify(listed)).not.toContain(SECRET);

    expect((await hub.queryAs(OTHER, `{ webhooks { id } }`)).data.webhooks).toEqual([]);
    for (const operation of [
      hub.queryAs(OTHER, LOG, { id: hook.id }),
      hub.queryAs(OTHER, REPLAY, { id: hook.id, from: feedCursor(0) }),
      hub.queryAs(OTHER, `mutation($id: ID!) { removeWebhook(id: $id) }`, { id: hook.id }),
    ]) {
      const { errors } = await operation;
      expect(errors![0].extensions?.code).toBe('NOT_FOUND');
    }
    // The same person in another organisation is someone else too.
    const elsewhere = await hub.queryAs({ ...PARTNER, agency: '另一家机构' }, LOG, { id: hook.id });
    expect(elsewhere.errors![0].extensions?.code).toBe('NOT_FOUND');
    const unknown = await hub.queryAs(PARTNER, LOG, { id: 'no-such-webhook' });
    expect(unknown.errors![0].extensions?.code).toBe('NOT_FOUND');

    await remove(PARTNER, hook.id);
    expect((await hub.queryAs(PARTNER, `{ webhooks { id } }`)).data.webhooks.map((w: any) => w.id)).not.toContain(hook.id);
    await taxChanges();
    while ((await platform().runWorker('webhooks')) > 0);
    expect(target.requests).toEqual([]);
    expect(await platform().db(webhooksTable).where({ id: hook.id }).first()).toMatchObject({ secret: '' });
    expect(await platform().db(webhookDeliveriesTable).where({ webhook_id: hook.id })).toEqual([]);
    await target.close();
  });
});
