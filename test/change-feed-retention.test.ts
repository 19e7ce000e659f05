/**
 * Change-feed retention (CHANGE_FEED_RETENTION_DAYS), run by the platform's
 * `change-feed-retention` worker: events older than the window go, oldest first and never
 * one inside it; a cursor before what is kept is CURSOR_EXPIRED with the way to resync; a
 * webhook whose undelivered events went skips to what is kept and says so in its log.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnv, startTestHub, type TestHub } from './env.js';
import { organisationCode, random } from '../scripts/demo-data.js';
import type { TokenClaims } from '../scripts/token.js';
import { feedCursor, positionOf } from '../subgraphs/platform/change-feed.js';
import { changeFeedHeadTable, changeFeedTable } from '../subgraphs/platform/change-feed.js';

const PARTNER: TokenClaims = { role: 'partner', agency: '某商业银行', sub: 'bank-retention' };
const TAX_OFFICER: TokenClaims = { role: 'officer', department: 'tax', sub: 'tax-retention' };
const CHANGES = `query($after: String, $first: Int) { changes(after: $after, filter: { domains: [TAX] }, first: $first) {
  edges { cursor node { eventId type occurredAt } } pageInfo { hasNextPage endCursor } } }`;
const LOG = `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 100) { edges { node { eventId cursor outcome error } } } }`;
const ENV = { CHANGE_FEED_RETENTION_DAYS: '400', WEBHOOK_ALLOWED_TARGETS: '127.0.0.1', WEBHOOK_BACKOFF_MS: '20', WEBHOOK_MAX_BACKOFF_MS: '50', WEBHOOK_MAX_ATTEMPTS: '1000' };
const savedEnv = Object.fromEntries(Object.keys(ENV).map((name) => [name, process.env[name]]));

let now = new Date('2026-11-23T02:00:00.000Z');
const clock = () => now;
let hub: TestHub;
const platform = () => hub.hub.subgraphs.get('platform')!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A receiver that refuses until it is told to answer.
let answering = false;
const received: string[] = [];
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (answering) received.push(String(req.headers['x-credithub-event-id']));
    res.statusCode = answering ? 200 : 503;
    res.end();
  });
});

beforeAll(async () => {
  setEnv(ENV);
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  // Enough subjects that the demo data holds tax events before the test adds its own (the first page needs one).
  hub = await startTestHub({ subjects: 200, clock });
  await hub.hub.settle();
});
afterAll(async () => {
  await hub?.stop();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  setEnv(savedEnv);
});

async function readAll(after: string | null) {
  const events: any[] = [];
  let cursor = after;
  for (let page = 0; page < 200; page++) {
    const { data, errors } = await hub.queryAs(PARTNER, CHANGES, { after: cursor, first: 100 });
    expect(errors).toBeUndefined();
    events.push(...data.changes.edges.map((e: any) => e.node));
    cursor = data.changes.pageInfo.endCursor;
    if (!data.changes.pageInfo.hasNextPage) break;
  }
  return { events, cursor };
}

async function tax(mutation: string) {
  const { data, errors } = await hub.queryAs(TAX_OFFICER, `mutation { tax { ${mutation} } }`);
  expect(errors).toBeUndefined();
  return data.tax;
}

describe('change-feed retention', () => {
  it('removes what is older than the window; older cursors expire with how to resync; a webhook behind it skips and says so', async () => {
    const { data: firstPage } = await hub.queryAs(PARTNER, CHANGES, { first: 1 });
    const oldCursor = firstPage.changes.pageInfo.endCursor;
    expect(oldCursor).toBeTruthy();

    // A webhook from here on, whose receiver refuses for now.
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const registered = await hub.queryAs(PARTNER, `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id } }`, {
      input: { url, secret: 'a-webhook-secret-of-some-length', filter: { domains: ['TAX'] } },
    });
    expect(registered.errors).toBeUndefined();
    const webhookId = registered.data.registerWebhook.id;

    // 2029: an entry taken into effect — the webhook fails to deliver it.
    now = new Date('2029-01-10T02:00:00.000Z');
    const code = organisationCode(random(41), '440305');
    const { recognise } = await tax(`recognise(input: { listKind: MAJOR_TAX_VIOLATION, creditCode: "${code}", subjectName: "某公司", recognisedOn: "2029-01-08",
      facts: "虚开发票", validUntil: "2033-01-01", repair: { repairable: true, method: "补缴税款", rectificationDeadline: "2029-06-01" } }) { id }`);
    await tax(`confirm(entryId: "${recognise.id}") { id }`);
    await hub.hub.settle();
    const before2031 = feedCursor(Number((await platform().db(changeFeedHeadTable).where({ id: 1 }).first()).last_position));

    // 2031: it exits for a changed standard (and the key-attention listing follows).
    now = new Date('2031-01-10T02:00:00.000Z');
    await tax(`exitForChangedStandard(input: { entryId: "${recognise.id}", standardReference: "税务总局公告2031年第1号", standardEffectiveOn: "2031-01-08", reason: "标准调整" }) { exited { id } }`);
    await hub.hub.settle();
    const { events: recent } = await readAll(before2031);
    expect(recent.map((e) => e.type)).toEqual(expect.arrayContaining(['ENTRY_EXITED', 'ENTRY_RECOGNISED']));
    expect(recent.every((e) => e.occurredAt >= '2031-01-01')).toBe(true);

    // The platform's workers ran retention with each settle: in 2031, 400 days back is December
    // 2029, so everything before 2031 went and nothing after; a later run finds nothing more.
    const db = platform().db;
    const kept = await db(changeFeedTable).orderBy('position').select('position', 'occurred_at');
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((row: any) => row.occurred_at >= '2031-01-01')).toBe(true);
    // One unbroken run of positions, starting right after the head before 2031.
    expect(Number(kept[0].position)).toBe(positionOf(before2031) + 1);
    expect(Number(kept.at(-1).position) - Number(kept[0].position) + 1).toBe(kept.length);
    now = new Date('2031-03-01T02:00:00.000Z');
    expect(await platform().runWorker('change-feed-retention')).toBe(0);
    expect(Number((await db(changeFeedTable).count({ n: '*' }).first())!.n)).toBe(kept.length);

    // A cursor before what is kept: CURSOR_EXPIRED, naming the oldest cursor and how to resync.
    const expired = await hub.queryAs(PARTNER, CHANGES, { after: oldCursor, first: 10 });
    expect(expired.errors![0].extensions).toMatchObject({ code: 'CURSOR_EXPIRED', argument: 'after', oldestCursor: before2031 });
    expect(expired.errors![0].message).toContain(before2031);
    expect(expired.errors![0].message).toMatch(/snapshot.*\/export\/<department>\.csv.*npm run export.*follow the feed/);
    // The oldest cursor still reads, with exactly the recent events.
    expect((await readAll(before2031)).events.map((e) => e.eventId)).toEqual(recent.map((e) => e.eventId));
    const replay = await hub.queryAs(PARTNER, `mutation($id: ID!, $from: String) { replayWebhook(id: $id, fromCursor: $from) { id } }`, { id: webhookId, from: oldCursor });
    expect(replay.errors![0].extensions).toMatchObject({ code: 'CURSOR_EXPIRED', argument: 'fromCursor' });

    // The webhook was behind the window: it skips to what is kept, logs the gap, and delivers the rest.
    answering = true;
    await sleep(100); // past its backoff
    for (let pass = 0; pass < 20 && received.length < recent.length; pass++) {
      await platform().runWorker('webhooks');
      await sleep(60);
    }
    expect(received).toEqual(recent.map((e) => e.eventId));
    const { data: log } = await hub.queryAs(PARTNER, LOG, { id: webhookId });
    const gap = log.webhookDeliveries.edges.map((e: any) => e.node).find((node: any) => node.eventId.startsWith('retention:'));
    expect(gap).toMatchObject({ outcome: 'DEAD_LETTERED', cursor: before2031 });
    expect(gap.error).toMatch(/removed by retention before they were delivered/);
  });
});
