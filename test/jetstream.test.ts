/**
 * With NATS_URL, the outboxes go to JetStream: a stream per department (names under a random
 * NATS_PREFIX here, the server being shared), published with the event id as Nats-Msg-Id,
 * durable consumers with explicit acks. Two replicas of the platform share its durable
 * consumer: every event is applied once, the change feed has no duplicate, a republished
 * event is stored once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { dialect, setEnv, startTestHub, type TestHub } from './env.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/server.js';
import { subgraphByName, departments } from '../subgraphs/catalog.js';
import { jetStreamNames, JetStreamPublisher } from '../subgraphs/kit/events/jetstream.js';
import { linkToNats } from '../subgraphs/kit/events/nats.js';
import { outboxTable, readOutbox } from '../subgraphs/kit/outbox.js';
import { changeFeedTable } from '../subgraphs/platform/change-feed.js';
import { entryIndexTable, platformOffsetsTable } from '../subgraphs/platform/collection.js';
// Notices are the platform's own events about entries, not copies of a department's.
import { NOTICE_TYPES } from '../subgraphs/platform/notices.js';
import { processedEventsTable } from '../subgraphs/kit/events/tables.js';
import { organisationCode, random } from '../scripts/demo-data.js';
import { deleteStreams, NATS_URL, natsReachable, testNatsPrefix } from './nats.js';


describe.skipIf(!natsReachable)(`the event log on JetStream (${dialect})`, () => {
  const prefix = testNatsPrefix();
  let hub: TestHub;
  let second: RunningSubgraph;
  let nats: NatsConnection;
  beforeAll(async () => {
    setEnv({ NATS_URL, NATS_PREFIX: prefix, EVENT_POLL_MS: '250', JETSTREAM_ACK_WAIT_MS: '2000' });
    hub = await startTestHub({ subjects: 150, workers: 'interval' });
    // A second platform replica on the same database, sharing the durable consumers.
    second = await startSubgraph(subgraphByName('platform'), { port: 0, databaseUrl: hub.database.urlFor('platform') });
    second.startWorkers(Object.fromEntries(departments.map((d) => [d.name, hub.hub.subgraphs.get(d.name)!.url])));
    nats = await connect({ servers: NATS_URL });
  }, 120_000);
  afterAll(async () => {
    await second?.stop();
    await hub?.stop();
    await nats?.close();
    await deleteStreams(prefix);
    setEnv({ NATS_URL: undefined, NATS_PREFIX: undefined, EVENT_POLL_MS: undefined, JETSTREAM_ACK_WAIT_MS: undefined });
  });

  const platformDb = () => hub.hub.subgraphs.get('platform')!.db;
  const outboxCount = async () => {
    let total = 0;
    for (const d of departments) total += Number((await hub.hub.subgraphs.get(d.name)!.db(outboxTable(d.name)).count({ n: '*' }))[0].n);
    return total;
  };

  it('collects every department\'s events through JetStream, each once, with two platform replicas', async () => {
    const expected = await outboxCount();
    const started = Date.now();
    while (Number((await platformDb()(processedEventsTable('platform')).count({ n: '*' }))[0].n) < expected) {
      if (Date.now() - started > 60_000) throw new Error('not collected within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`jetstream (${dialect}): ${expected} seeded events collected by two platform replicas in ${Date.now() - started} ms`);
    const jsm = await nats.jetstreamManager();
    for (const d of departments) {
      const info = await jsm.streams.info(jetStreamNames().stream(d.name));
      expect(info.state.messages).toBe(Number((await hub.hub.subgraphs.get(d.name)!.db(outboxTable(d.name)).count({ n: '*' }))[0].n));
    }
    // Positions are stream sequences, kept apart from the feeds' positions.
    const offsets = await platformDb()(platformOffsetsTable).select('source', 'last_seq');
    expect(offsets.map((o: any) => o.source).sort()).toEqual(departments.map((d) => `js:${d.name}`).sort());
    // Each event in the change feed once.
    const feed = await platformDb()(changeFeedTable).whereNotNull('entry_id').whereNotIn('type', NOTICE_TYPES).select('event_id');
    expect(new Set(feed.map((row: any) => row.event_id)).size).toBe(feed.length);
    expect(feed.length).toBe(expected);
  });

  it('a new black listing reaches the platform and the other departments', async () => {
    const code = organisationCode(random(4_2026), '440305');
    const officer = { role: 'officer', department: 'courts', sub: 'c-js' } as const;
    const recognised = await hub.queryAs(officer, `mutation { courts { recognise(input: { listKind: DISHONEST_JUDGMENT_DEBTOR, creditCode: "${code}", subjectName: "某公司",
      facts: "失信", validUntil: "2029-01-01", repair: { repairable: true, method: "履行", rectificationDeadline: "2028-01-01" } }) { id } } }`);
    expect(recognised.errors).toBeUndefined();
    const id = recognised.data.courts.recognise.id;
    const confirmed = await hub.queryAs(officer, `mutation { courts { confirm(entryId: "${id}") { status } } }`);
    expect(confirmed.errors).toBeUndefined();
    const committed = Date.now();
    while ((await platformDb()(entryIndexTable).where({ entry_id: id }).first())?.status !== 'ACTIVE') {
      if (Date.now() - committed > 10_000) throw new Error('not collected within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const collected = Date.now() - committed;
    const taxKnows = async () => hub.hub.subgraphs.get('tax')!.db('tax_foreign_listings').where({ entry_id: id, status: 'ACTIVE' }).first();
    while (!(await taxKnows())) {
      if (Date.now() - committed > 10_000) throw new Error('tax did not learn of it within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    console.log(`jetstream (${dialect}): new listing collected ${collected} ms after commit, known to tax ${Date.now() - committed} ms after`);
    expect(collected).toBeLessThan(2_000);
  });

  it('a republished event (a relay that died before its commit) is stored once and applied once', async () => {
    const courts = hub.hub.subgraphs.get('courts')!;
    const [event] = await readOutbox(courts.db, 'courts', 0, 1);
    const link = linkToNats(NATS_URL);
    try {
      await link.connected;
      const jsm = await (await link.connected).jetstreamManager();
      const before = (await jsm.streams.info(jetStreamNames().stream('courts'))).state.messages;
      await new JetStreamPublisher(link, 'courts').publish([event]);
      expect((await jsm.streams.info(jetStreamNames().stream('courts'))).state.messages).toBe(before);
    } finally {
      await link.close();
    }
    const applied = await platformDb()(processedEventsTable('platform')).where({ event_id: event.eventId });
    expect(applied).toHaveLength(1);
  });
});
