/**
 * Rule: storage behaves the same on SQLite and on MariaDB / MySQL — migrations are
 * re-runnable, a change and its outbox event are committed together or not at all, and
 * values come back in one representation (dates as YYYY-MM-DD strings, booleans as booleans).
 * Runs on the dialect of TEST_DATABASE_URL (SQLite by default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialect, type TestDatabase } from './env.js';
import { departments, subgraphByName, subgraphs } from '../subgraphs/catalog.js';
import { cachePreparedStatements, connect, migrate, SQLITE_STATEMENT_CACHE_SIZE, type Database } from '../subgraphs/kit/db.js';
import { ListStore } from '../subgraphs/kit/lists/store.js';
import { entriesTable, historyTable } from '../subgraphs/kit/lists/tables.js';
import { outboxTable, readOutbox } from '../subgraphs/kit/outbox.js';
import { OutboxRelay } from '../subgraphs/kit/events/relay.js';
import { generateDemoData } from '../scripts/demo-data.js';

const department = departments.find((d) => d.name === 'safety')!;
// Enough subjects for well over 2,400 safety entries: 1,200 is more rows than one SQLite
// insert may carry (500), the rest are for the failing writes.
const demo = generateDemoData(departments, { subjects: 30_000, seed: 1798 });
const allEntries = demo.entriesByDepartment.get('safety')!;
const entries = allEntries.slice(0, 1200);
const more = allEntries.slice(1200, 2400);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

let database: TestDatabase;
let db: Database;
let store: ListStore;

const countRows = async (table: string) => Number((await db(table).count({ n: '*' }))[0].n);
const counts = async () => ({
  entries: await countRows(entriesTable('safety')),
  history: await countRows(historyTable('safety')),
  outbox: await countRows(outboxTable('safety')),
});

beforeAll(async () => {
  database = await createTestDatabase();
  db = connect(database.urlFor('safety'));
  store = new ListStore(db, department);
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe(`migrations (${dialect})`, () => {
  it('run twice without error, for every subgraph on one database, the second time changing nothing', async () => {
    for (const subgraph of subgraphs) await migrate(db, subgraph.name, subgraph.migrations);
    const applied = async () =>
      Object.fromEntries(await Promise.all(subgraphs.map(async (s) => [s.name, await countRows(`${s.name}_knex_migrations`)])));
    const first = await applied();
    for (const subgraph of subgraphs) expect(first[subgraph.name], subgraph.name).toBe(subgraph.migrations.length);

    for (const subgraph of subgraphs) await migrate(db, subgraph.name, subgraph.migrations);
    expect(await applied()).toEqual(first);
    for (const table of [entriesTable('safety'), historyTable('safety'), outboxTable('safety'), 'platform_subjects']) {
      expect(await db.schema.hasTable(table), table).toBe(true);
    }
    expect(await counts()).toEqual({ entries: 0, history: 0, outbox: 0 });
    // The subgraph's own migration list is the one the catalog gives.
    expect(subgraphByName('safety').migrations.map((m) => m.name)).toEqual(['safety_000_outbox', 'safety_001_list_entries', 'safety_002_lifecycle', 'safety_003_objections_and_repair', 'safety_004_legal_representative_index', 'safety_005_statistics_indexes', 'safety_006_statistics_dimensions', 'safety_007_outbox_relay', 'safety_008_processed_events', 'safety_009_external_references', 'safety_010_normalised_references']);
  });
});

describe(`ListStore.insertEntries (${dialect})`, () => {
  it('writes 1,200 entries with one history row and one outbox event each', async () => {
    expect(more).toHaveLength(1200);
    await store.insertEntries(entries, 'storage-test');

    expect(await counts()).toEqual({ entries: 1200, history: 1200, outbox: 1200 });
    const ids = entries.map((e) => e.id).sort();
    expect((await db(entriesTable('safety')).pluck('id')).sort()).toEqual(ids);

    const history = await db(historyTable('safety')).select('entry_id', 'action', 'actor', 'from_status', 'to_status');
    expect(history.map((h: any) => h.entry_id).sort()).toEqual(ids);
    const statusById = new Map(entries.map((e) => [e.id, e.status]));
    for (const h of history) {
      expect(h).toMatchObject({ action: 'RECOGNISE', actor: 'storage-test', from_status: null, to_status: statusById.get(h.entry_id) });
    }
  });

  it('writes the outbox in commit order, with unique event ids and payloads read back as objects', async () => {
    // Nothing is delivered before the relay gave it a position; then everything, in order.
    expect(await readOutbox(db, 'safety', 0, 5000)).toEqual([]);
    const relay = new OutboxRelay({ db, prefix: 'safety' });
    while ((await relay.relayOnce()) > 0);
    const events = await readOutbox(db, 'safety', 0, 5000);
    expect(events).toHaveLength(1200);
    for (let i = 1; i < events.length; i++) expect(events[i].position).toBe(events[i - 1].position + 1);
    expect(typeof events[0].seq).toBe('number');
    expect(new Set(events.map((e) => e.eventId)).size).toBe(1200);
    expect(events.map((e) => e.entryId).sort()).toEqual(entries.map((e) => e.id).sort());
    // Events follow the order the entries were given.
    expect(events.map((e) => e.entryId)).toEqual(entries.map((e) => e.id));

    const byId = new Map(entries.map((e) => [e.id, e]));
    for (const event of events) {
      const entry = byId.get(event.entryId)!;
      expect(typeof event.payload).toBe('object');
      expect(event).toMatchObject({
        type: 'ENTRY_RECOGNISED',
        creditCode: entry.creditCode,
        domain: 'WORK_SAFETY',
        listType: entry.listType,
        occurredAt: entry.createdAt,
        payload: { listKind: entry.listKind, status: entry.status, regionCode: entry.regionCode, validUntil: entry.validUntil },
      });
    }
    // Reading forward from a position gives the rest, and a limit is a limit.
    const rest = await readOutbox(db, 'safety', events[1099].position, 5000);
    expect(rest.map((e) => e.eventId)).toEqual(events.slice(1100).map((e) => e.eventId));
    expect(await readOutbox(db, 'safety', 0, 7)).toHaveLength(7);
  });

  it('gives dates back as YYYY-MM-DD strings and booleans as booleans, as they were written', async () => {
    const codes = [...new Set(entries.map((e) => e.creditCode))];
    const read = (await store.entriesOfSubjects(codes)).flat();
    expect(read).toHaveLength(1200);
    const written = new Map(entries.map((e) => [e.id, e]));
    for (const entry of read) {
      const original = written.get(entry.id)!;
      for (const date of [entry.recognisedOn, entry.validFrom, entry.validUntil]) {
        expect(typeof date).toBe('string');
        expect(date).toMatch(ISO_DATE);
      }
      expect(typeof entry.published).toBe('boolean');
      expect(typeof entry.repair.repairable).toBe('boolean');
      // Everything written comes back as written (the store may add what it derives).
      expect(entry).toMatchObject(original);
    }
    // The data holds both values of each boolean, and nullable dates both ways.
    expect(new Set(read.map((e) => e.published))).toEqual(new Set([true, false]));
    expect(new Set(read.map((e) => e.repair.repairable))).toEqual(new Set([true, false]));
    expect(read.some((e) => e.publicityUntil === null) && read.some((e) => e.publicityUntil !== null)).toBe(true);
    expect(read.some((e) => e.exit !== null && ISO_DATE.test(e.exit.on))).toBe(true);

  });
});

describe(`a failed write leaves nothing behind (${dialect})`, () => {
  it('rolls back a transaction that fails midway: neither entries nor outbox events', async () => {
    const before = await counts();
    const batch = more.slice(0, 600);
    const attempt = db.transaction(async (trx) => {
      await store.insertEntries(batch, 'storage-test', trx);
      // Inside the transaction the rows are there…
      expect(Number((await trx(entriesTable('safety')).count({ n: '*' }))[0].n)).toBe(before.entries + batch.length);
      // …and the same entries again are a duplicate key.
      await store.insertEntries(batch, 'storage-test', trx);
    });
    await expect(attempt).rejects.toThrow(/duplicate|unique/i);
    expect(await counts()).toEqual(before);
    const ids = batch.map((e) => e.id);
    expect(await db(outboxTable('safety')).whereIn('entry_id', ids).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('is all or nothing on its own: a duplicate in the last chunk undoes the chunks written before it', async () => {
    const before = await counts();
    // 1,100 new entries, then one that is already stored: the insert runs in 500-row chunks,
    // the first two succeed before the third fails.
    const newOnes = more.slice(0, 1100);
    await expect(store.insertEntries([...newOnes, entries[0]], 'storage-test')).rejects.toThrow(/duplicate|unique/i);
    expect(await counts()).toEqual(before);
    expect(await db(entriesTable('safety')).whereIn('id', newOnes.slice(0, 500).map((e) => e.id)).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('still accepts the same entries afterwards', async () => {
    const before = await counts();
    const batch = more;
    await store.insertEntries(batch, 'storage-test');
    expect(await counts()).toEqual({
      entries: before.entries + batch.length,
      history: before.history + batch.length,
      outbox: before.outbox + batch.length,
    });
  });
});

describe(`entry versions on the events (${dialect})`, () => {
  it("gives each new entry's event the version the entry was written at (1), and a change's event the version after it", async () => {
    const versions = await db(outboxTable('safety')).whereIn('entry_id', entries.map((e) => e.id)).pluck('entry_version');
    expect(new Set(versions.map(Number))).toEqual(new Set([1]));
    const entry = entries.find((e) => e.status === 'ACTIVE')!;
    await db.transaction((trx) =>
      store.transition(trx, entry, { status: 'EXITED', exit: { way: 'VALIDITY_EXPIRED', on: entry.validUntil, reason: null } }, { action: 'EXPIRE', actor: 'storage-test', eventType: 'ENTRY_EXITED' }),
    );
    const events = await db(outboxTable('safety')).where('entry_id', entry.id).orderBy('seq').select('event_type', 'entry_version');
    expect(events.map((e: any) => [e.event_type, Number(e.entry_version)])).toEqual([['ENTRY_RECOGNISED', 1], ['ENTRY_EXITED', 2]]);
  });
});

describe('prepared statements of an SQLite connection', () => {
  it('prepares a statement text once, keeps the most recently used, and prepares again what it let go', () => {
    const prepared: string[] = [];
    const connection = { prepare: (sql: string) => (prepared.push(sql), { sql }) };
    cachePreparedStatements(connection, 3);
    const first = connection.prepare('select 1');
    expect(connection.prepare('select 1')).toBe(first);
    for (const sql of ['select 2', 'select 3', 'select 1', 'select 4']) connection.prepare(sql); // 'select 2' is the least recently used
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 4']);
    connection.prepare('select 2');
    connection.prepare('select 1');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 4', 'select 2']);
    expect(SQLITE_STATEMENT_CACHE_SIZE).toBeGreaterThanOrEqual(10);
  });

  it.runIf(dialect === 'sqlite')('answers a kept statement with the table as it is after a migration changed it', async () => {
    const scratch = connect('sqlite::memory:');
    try {
      await scratch.schema.createTable('cache_probe', (t) => t.integer('a'));
      await scratch('cache_probe').insert({ a: 1 });
      expect(await scratch('cache_probe').select('*')).toEqual([{ a: 1 }]);
      await scratch.schema.alterTable('cache_probe', (t) => t.integer('b').defaultTo(7));
      expect(await scratch('cache_probe').select('*')).toEqual([{ a: 1, b: 7 }]);
      await scratch.schema.dropTable('cache_probe');
      await scratch.schema.createTable('cache_probe', (t) => t.string('z'));
      await scratch('cache_probe').insert({ z: 'x' });
      expect(await scratch('cache_probe').select('*')).toEqual([{ z: 'x' }]);
    } finally {
      await scratch.destroy();
    }
  });
});
