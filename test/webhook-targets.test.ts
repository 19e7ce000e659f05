/**
 * Webhooks reach public addresses only: private, loopback, link-local, unique-local and
 * reserved targets are refused at registration in every spelling, and checked again on
 * the resolved address at every delivery, unless the operator allows them
 * (WEBHOOK_ALLOWED_TARGETS); the owner's log tells no internal detail; one owner's
 * unanswering webhooks do not hold up another owner's. Receivers on loopback only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnv, startTestHub, type TestHub } from './env.js';
import type { TokenClaims } from '../scripts/token.js';
import { ChangeFeed, feedCursor } from '../subgraphs/platform/change-feed.js';
import { WebhookDelivery } from '../subgraphs/platform/webhook-delivery.js';
import { Webhooks, webhookOptionsFromEnv } from '../subgraphs/platform/webhooks.js';
import { addressProblem, checkedLookup, targetPolicyFromEnv } from '../subgraphs/platform/webhook-targets.js';
import { webhookDeliveriesTable, webhooksTable } from '../subgraphs/platform/webhooks.js';

const PARTNER: TokenClaims = { role: 'partner', agency: '某商业银行', sub: 'ssrf-partner' };
const SECRET = 'a-webhook-secret-of-some-length';
const REGISTER = `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id url } }`;
const clock = () => new Date();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let hub: TestHub;
const platform = () => hub.hub.subgraphs.get('platform')!;
beforeAll(async () => {
  setEnv({ WEBHOOK_ALLOWED_TARGETS: undefined }); // the default: nothing internal is allowed
  hub = await startTestHub({ subjects: 60 });
  await hub.hub.settle();
}, 120_000);
afterAll(() => hub?.stop());

/** A receiver on loopback: answers 200, or never ('hang'). */
async function receiver(answer: 200 | 'hang' = 200) {
  const received: { at: number; webhook: string }[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ at: Date.now(), webhook: String(req.headers['x-credithub-webhook-id']) });
      if (answer === 200) res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('registration refuses internal targets, in every spelling', () => {
  const internal = () => [
    'http://169.254.169.254/latest/meta-data/',
    'http://127.0.0.1:3306/',
    hub.hub.subgraphs.get('tax')!.url.replace('/graphql', '/internal/events'),
    new URL('/internal/events', hub.hub.subgraphs.get('platform')!.url.replace('localhost', '127.0.0.1')).toString(),
    'http://[::1]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://127.1/',
    'http://0177.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[64:ff9b::a00:1]/',
    'http://[2002:c0a8:101::1]/',
    'http://10.0.0.1/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://localhost/',
    'http://db.localhost/',
    'http://224.0.0.1/',
  ];

  it('each is BAD_USER_INPUT naming the host, and nothing is stored', async () => {
    const count = async () => Number((await platform().db(webhooksTable).count({ n: '*' }))[0].n);
    const before = await count();
    for (const url of internal()) {
      const { errors } = await hub.queryAs(PARTNER, REGISTER, { input: { url, secret: SECRET } });
      expect({ url, code: errors?.[0].extensions?.code, argument: errors?.[0].extensions?.argument }).toEqual({ url, code: 'BAD_USER_INPUT', argument: 'input.url' });
      expect(errors![0].message).toMatch(/public addresses only.*WEBHOOK_ALLOWED_TARGETS/);
    }
    expect(await count()).toBe(before);
  });

  it('a public address or a name is taken', async () => {
    for (const url of ['https://93.184.216.34/hook', 'https://partner.example/credithub', 'http://[2606:4700::1111]/hook']) {
      const { data, errors } = await hub.queryAs(PARTNER, REGISTER, { input: { url, secret: SECRET } });
      expect(errors, url).toBeUndefined();
      await hub.queryAs(PARTNER, `mutation($id: ID!) { removeWebhook(id: $id) }`, { id: data.registerWebhook.id });
    }
  });

  it('the operator allow-list: addresses, ranges and names; a malformed entry stops the start', () => {
    const policy = targetPolicyFromEnv({ WEBHOOK_ALLOWED_TARGETS: '127.0.0.1, 10.20.0.0/16, [fd00::1], hooks.internal' });
    expect(addressProblem('127.0.0.1', policy)).toBeNull();
    expect(addressProblem('::ffff:127.0.0.1', policy)).toBeNull();
    expect(addressProblem('10.20.3.4', policy)).toBeNull();
    expect(addressProblem('10.21.3.4', policy)).toMatch(/private/);
    expect(addressProblem('fd00::1', policy)).toBeNull();
    expect(addressProblem('fd00::2', policy)).toMatch(/private/);
    expect(policy.names.has('hooks.internal')).toBe(true);
    expect(() => targetPolicyFromEnv({ WEBHOOK_ALLOWED_TARGETS: '10.0.0.0/99' })).toThrow(/"10.0.0.0\/99" is not/);
    expect(() => targetPolicyFromEnv({ WEBHOOK_ALLOWED_TARGETS: 'http://x' })).toThrow(/WEBHOOK_ALLOWED_TARGETS/);
  });
});

describe('every delivery checks the address it connects to', () => {
  const loopbackAllowed = targetPolicyFromEnv({ WEBHOOK_ALLOWED_TARGETS: '127.0.0.1' });
  const owner = { role: 'PARTNER' as const, id: 'ssrf-partner', agency: '某商业银行', scopes: ['read:black', 'read:red', 'read:key_attention'] };
  const delivery = (targets = targetPolicyFromEnv({}), extra: Record<string, unknown> = {}) => {
    const db = platform().db;
    return new WebhookDelivery(db, new ChangeFeed(db), { ...webhookOptionsFromEnv({}), timeoutMs: 1000, ...extra, targets }, { clock, measureTriggers: async () => [] });
  };
  const registry = () => new Webhooks(platform().db, clock, async () => [], loopbackAllowed);
  const register = async (url: string, who = owner) => {
    const hook = await registry().register(who, { url, secret: SECRET, filter: { domains: ['TAX'] } });
    await registry().replay(who, hook.id, feedCursor(0));
    return hook;
  };
  const log = async (id: string) => platform().db(webhookDeliveriesTable).where({ webhook_id: id }).orderBy('id');

  it('a name resolving to loopback is refused when delivered to, and the lookup hands back only what it checked', async () => {
    const target = await receiver();
    // `${hostname()}` is a name (taken at registration) that resolves to loopback here.
    const resolved = await new Promise<string[]>((resolve) =>
      checkedLookup(loopbackAllowed)(hostname(), { all: true }, (error: any, addresses: any) => resolve(error ? [] : addresses.map((a: any) => a.address))),
    );
    expect(resolved.length).toBeGreaterThan(0);
    const internalAddress = resolved.find((address) => addressProblem(address, targetPolicyFromEnv({})) !== null);
    if (!internalAddress) return void (await target.close()); // this machine's name is public: nothing to test
    const hook = await register(`http://${hostname()}:${target.port}/hook`);
    await delivery().deliverDue();
    expect(target.received).toEqual([]);
    const [attempt] = await log(hook.id);
    expect(attempt).toMatchObject({ status_code: null, latency_ms: 0, error: 'the target is not allowed: webhooks are delivered to public addresses only' });
    await registry().remove(owner, hook.id);
    await target.close();
  });

  it('an address allowed at registration is checked again at delivery: without the allow-list, nothing is sent', async () => {
    const target = await receiver();
    const hook = await register(target.url);
    await delivery().deliverDue(); // a replica without WEBHOOK_ALLOWED_TARGETS
    expect(target.received).toEqual([]);
    expect((await log(hook.id))[0].error).toBe('the target is not allowed: webhooks are delivered to public addresses only');
    // With the allow-list it is delivered.
    await platform().db(webhooksTable).where({ id: hook.id }).update({ next_attempt_at: 0 });
    await delivery(loopbackAllowed).deliverDue();
    expect(target.received.length).toBeGreaterThan(0);
    await registry().remove(owner, hook.id);
    await target.close();
  });

  it('the log tells the kind of failure, never what answered: a closed port is "the connection failed"', async () => {
    const closed = await receiver();
    await closed.close(); // nothing listens there any more
    const hook = await register(closed.url);
    await delivery(loopbackAllowed).deliverDue();
    const [attempt] = await log(hook.id);
    expect(attempt.error).toBe('the connection failed');
    expect(attempt.error).not.toMatch(/ECONN|127\.0\.0\.1|fetch failed/);
    await registry().remove(owner, hook.id);
  });
});

describe('owners take turns', () => {
  it("one owner's 20 unanswering webhooks do not hold up another owner's delivery", async () => {
    const loopbackAllowed = targetPolicyFromEnv({ WEBHOOK_ALLOWED_TARGETS: '127.0.0.1' });
    const db = platform().db;
    const registry = new Webhooks(db, clock, async () => [], loopbackAllowed);
    const slowOwner = { role: 'PARTNER' as const, id: 'slow-partner', agency: '慢银行', scopes: ['read:black', 'read:red', 'read:key_attention'] };
    const fastOwner = { role: 'PARTNER' as const, id: 'fast-partner', agency: '快银行', scopes: ['read:black', 'read:red', 'read:key_attention'] };
    const hanging = await receiver('hang');
    const fast = await receiver(200);
    const hooks = [];
    for (let i = 0; i < 20; i++) hooks.push([slowOwner, await registry.register(slowOwner, { url: hanging.url, secret: SECRET, filter: { domains: ['TAX'] } })] as const);
    hooks.push([fastOwner, await registry.register(fastOwner, { url: fast.url, secret: SECRET, filter: { domains: ['TAX'] } })] as const);
    for (const [who, hook] of hooks) await registry.replay(who, hook.id, feedCursor(0));
    const worker = new WebhookDelivery(db, new ChangeFeed(db), { ...webhookOptionsFromEnv({}), timeoutMs: 1500, batchSize: 1, targets: loopbackAllowed }, {
      clock,
      measureTriggers: async () => [],
    });
    const started = Date.now();
    await worker.deliverDue();
    const passMs = Date.now() - started;
    expect(fast.received.length).toBeGreaterThan(0);
    expect(fast.received[0].at - started).toBeLessThan(1000);
    // The pass took two of the slow owner's webhooks (at once), not 20 in lanes of 8.
    expect(hanging.received.length).toBe(2);
    expect(passMs).toBeLessThan(2 * 1500);
    for (const [who, hook] of hooks) await registry.remove(who, hook.id);
    await Promise.all([hanging.close(), fast.close()]);
    await sleep(10);
  }, 20_000);
});
