/**
 * Webhooks: the change feed pushed to partners' URLs — signed, in order, retried with
 * backoff, dead-lettered and replayable, logged, one replica at a time, masked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { startSubgraph } from '../subgraphs/kit/server.js';
import { subgraphByName } from '../subgraphs/catalog.js';
import type { TokenClaims } from '../scripts/token.js';

const PARTNER: TokenClaims = { role: 'partner', agency: '某商业银行', sub: 'bank-hook' };
const OTHER: TokenClaims = { role: 'partner', agency: '另一家银行', sub: 'bank-other' };
const SECRET = 'a-webhook-secret-of-some-length';
const REGISTER = `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id cursor } }`;

interface Received { eventId: string; body: any; headers: http.IncomingHttpHeaders; raw: string }

/** A receiver on a random loopback port; `respond` decides the status of each delivery. */
async function receiver(respond: (count: number) => number = () => 200) {
  const received: Received[] = [];
  let count = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const status = respond(++count);
      if (status === 200) received.push({ eventId: String(req.headers['x-credithub-event-id']), body: JSON.parse(raw), headers: req.headers, raw });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, attempts: () => count, close: () => new Promise((r) => server.close(r)) };
}

/** The verification a receiver does (the README's snippet). */
function verify(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const expected = `v1=${createHmac('sha256', secret).update(`${headers['x-credithub-timestamp']}.${body}`).digest('hex')}`;
  const given = String(headers['x-credithub-signature']);
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

let hub: TestHub;
const platform = () => hub.hub.subgraphs.get('platform')!;
const deliverAll = async () => {
  for (let round = 0; round < 50; round++) if ((await platform().runWorker('webhooks')) === 0) return;
};

beforeAll(async () => {
  process.env.WEBHOOK_BACKOFF_MS = '20';
  process.env.WEBHOOK_MAX_ATTEMPTS = '3';
  process.env.WEBHOOK_LEASE_MS = '1500';
  hub = await startTestHub({ subjects: 120 });
  await hub.hub.settle();
});
afterAll(() => hub?.stop());

describe('webhooks', () => {
  it('deliver every matching change once, in order, signed, with natural persons masked', async () => {
    const target = await receiver();
    const { data, errors } = await hub.queryAs(PARTNER, REGISTER, { input: { url: target.url, secret: SECRET, filter: { domains: ['COURTS'] } } });
    expect(errors).toBeUndefined();
    await deliverAll();
    const expected = hub.demo.entriesByDepartment.get('courts')!.filter((e) => e.status !== 'PRELIMINARY');
    expect(target.received.map((r) => r.body.event.entryId).sort()).toEqual(expected.map((e) => e.id).sort());
    const cursors = target.received.map((r) => r.body.event.cursor);
    expect(new Set(target.received.map((r) => r.eventId)).size).toBe(target.received.length);
    expect(cursors).toEqual([...cursors].sort((a, b) => Buffer.from(a, 'base64url').toString().localeCompare(Buffer.from(b, 'base64url').toString(), 'en', { numeric: true })));
    for (const delivery of target.received) expect(verify(SECRET, delivery.headers, delivery.raw)).toBe(true);
    expect(verify('another-secret-entirely', target.received[0].headers, target.received[0].raw)).toBe(false);
    for (const person of expected.filter((e) => e.subjectType === 'NATURAL_PERSON')) {
      const body = target.received.find((r) => r.body.event.entryId === person.id)!.body;
      expect(body.event.creditCode).toBe(`${person.creditCode.slice(0, 4)}**********${person.creditCode.slice(-4)}`);
    }
    const log = await hub.queryAs(PARTNER, `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 5) { edges { node { outcome statusCode attempt latencyMs } } } }`, {
      id: data.registerWebhook.id,
    });
    expect(log.data.webhookDeliveries.edges[0].node).toMatchObject({ outcome: 'DELIVERED', statusCode: 200, attempt: 1 });
    await target.close();
  });

  it('retry with backoff, dead-letter after the last attempt, and replay', async () => {
    let failing = true;
    const target = await receiver((n) => (failing || n === 2 ? 503 : 200));
    const { data } = await hub.queryAs(PARTNER, REGISTER, { input: { url: target.url, secret: SECRET, filter: { domains: ['TAX'], types: ['ENTRY_RECOGNISED'] } } });
    const id = data.registerWebhook.id;
    for (let round = 0; round < 40 && target.attempts() < 3; round++) {
      await platform().runWorker('webhooks');
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const log = await hub.queryAs(PARTNER, `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 10) { edges { node { eventId outcome attempt statusCode } } } }`, { id });
    const attempts = log.data.webhookDeliveries.edges.map((e: any) => e.node).reverse();
    expect(attempts.slice(0, 3).map((a: any) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [1, 'FAILED', 503],
      [2, 'FAILED', 503],
      [3, 'DEAD_LETTERED', 503],
    ]);
    const deadEvent = attempts[2].eventId;
    failing = false;
    await hub.queryAs(PARTNER, `mutation($id: ID!) { replayWebhook(id: $id) { cursor } }`, { id });
    for (let round = 0; round < 40 && !target.received.some((r) => r.eventId === deadEvent); round++) {
      await platform().runWorker('webhooks');
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(target.received.some((r) => r.eventId === deadEvent)).toBe(true);
    await hub.queryAs(PARTNER, `mutation($id: ID!) { removeWebhook(id: $id) }`, { id });
    await target.close();
  });

  it('are delivered by one replica at a time, and a replica that dies mid-delivery loses nothing', async () => {
    let hang = true;
    const target = await receiver();
    const hanging = http.createServer((req, res) => {
      if (hang) return; // never answers: the replica delivering is "killed" while waiting
      req.resume();
      res.end();
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', () => resolve()));
    const { data } = await hub.queryAs(PARTNER, REGISTER, { input: { url: target.url, secret: SECRET, filter: { domains: ['SAFETY'.replace('SAFETY', 'WORK_SAFETY')] } } });
    const second = await startSubgraph(subgraphByName('platform'), { databaseUrl: hub.database.urlFor('platform') });
    second.startWorkers({}, 'manual');
    try {
      // Both replicas at once: the lease lets one deliver; together they deliver everything once.
      for (let round = 0; round < 30; round++) {
        const [a, b] = await Promise.all([platform().runWorker('webhooks'), second.runWorker('webhooks')]);
        if (a + b === 0) break;
      }
      const ids = target.received.map((r) => r.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      const expected = hub.demo.entriesByDepartment.get('safety')!.filter((e) => e.status !== 'PRELIMINARY' && ['RED', 'BLACK', 'KEY_ATTENTION'].includes(e.listType));
      expect(ids.length).toBeGreaterThanOrEqual(expected.length);

      // A replica dies mid-delivery: point the webhook at a receiver that never answers, start a
      // delivery on the second replica and stop that replica; after the lease, the first resumes.
      const dying = await hub.queryAs(PARTNER, REGISTER, {
        input: { url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook`, secret: SECRET, filter: { domains: ['MARKET_SUPERVISION'] } },
      });
      void second.runWorker('webhooks').catch(() => 0); // hangs on the receiver, then dies with its replica
      await new Promise((resolve) => setTimeout(resolve, 200));
      await second.stop();
      hang = false;
      expect(await platform().runWorker('webhooks')).toBe(0); // still leased by the dead replica
      await new Promise((resolve) => setTimeout(resolve, 1600)); // the lease expires
      await deliverAll();
      const log = await hub.queryAs(PARTNER, `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 100) { edges { node { outcome } } } }`, { id: dying.data.registerWebhook.id });
      const markets = hub.demo.entriesByDepartment.get('market')!.filter((e) => e.status !== 'PRELIMINARY').length;
      expect(log.data.webhookDeliveries.edges.filter((e: any) => e.node.outcome === 'DELIVERED').length).toBeGreaterThanOrEqual(Math.min(markets, 100));
    } finally {
      await second.stop().catch(() => {});
      await new Promise((r) => hanging.close(r));
      await target.close();
    }
    expect(data.registerWebhook.id).toBeDefined();
  }, 30_000);

  it('refuse a non-http(s) URL, an unknown domain and a short secret, storing nothing; others cannot see yours', async () => {
    for (const [input, argument] of [
      [{ url: 'ftp://partner.example/x', secret: SECRET }, 'input.url'],
      [{ url: 'javascript:alert(1)', secret: SECRET }, 'input.url'],
      [{ url: 'not a url', secret: SECRET }, 'input.url'],
      [{ url: 'https://partner.example/x', secret: 'short' }, 'input.secret'],
    ] as const) {
      const { errors } = await hub.queryAs(PARTNER, REGISTER, { input });
      expect(errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    const unknownDomain = await hub.queryAs(PARTNER, REGISTER, { input: { url: 'https://partner.example/x', secret: SECRET, filter: { domains: ['FISHERIES'] } } });
    expect(unknownDomain.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    const mine = (await hub.queryAs(PARTNER, `{ webhooks { id url } }`)).data.webhooks;
    expect(mine.every((w: any) => !w.url.includes('partner.example'))).toBe(true);
    const theirs = await hub.queryAs(OTHER, `query($id: ID!) { replayWebhook(id: $id) { id } }`.replace('query', 'mutation'), { id: mine[0].id });
    expect(theirs.errors![0].extensions?.code).toBe('NOT_FOUND');
    expect((await hub.queryAs(OTHER, `{ webhooks { id } }`)).data.webhooks).toEqual([]);
  });
});
