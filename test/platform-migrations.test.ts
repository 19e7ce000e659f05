/**
 * The platform's migrations, declared by the modules that own their tables and assembled in
 * migrations.ts: knex records them by name, so the names and their order of application never
 * change — a database migrated before the split (or since) has exactly this record.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialect, type TestDatabase } from './env.js';
import { connect, migrate, type Database } from '../subgraphs/kit/db.js';
import { migrations } from '../subgraphs/platform/migrations.js';
import { subgraphByName } from '../subgraphs/catalog.js';

/** Each table's name, and the files of the module that owns it: no other platform file names it. */
const OWNERS: Record<string, string[]> = {
  subjectsTable: ['registry.ts'],
  accessRegisterTable: ['access-register-tables.ts', 'access-register.ts', 'access-register-chains.ts', 'access-register-keys.ts'],
  accessRegisterHeadTable: ['access-register-tables.ts', 'access-register.ts', 'access-register-chains.ts', 'access-register-keys.ts'],
  entryIndexTable: ['collection.ts'],
  warningListTable: ['collection.ts'],
  // The event consumer (kit) keeps its offsets there: index.ts hands it the name.
  platformOffsetsTable: ['collection.ts', 'index.ts'],
  memorandumsTable: ['measures.ts'],
  measuresTable: ['measures.ts'],
  catalogueSeedsTable: ['catalogue-seeds.ts'],
  screeningsTable: ['screening.ts'],
  casesTable: ['feedback.ts'],
  changeFeedTable: ['change-feed.ts'],
  changeFeedHeadTable: ['change-feed.ts'],
  webhooksTable: ['webhooks.ts', 'webhook-delivery.ts'],
  webhookDeliveriesTable: ['webhooks.ts', 'webhook-delivery.ts'],
  webhookDeadLettersTable: ['webhooks.ts', 'webhook-delivery.ts'],
};

/** The order every platform database applied them in (out of name order: see migrations.ts). */
const APPLIED = [
  'platform_001_subject_registry',
  'platform_002_access_register',
  'platform_003_collection',
  'platform_004_joint_measures',
  'platform_006_change_feed',
  'platform_007_webhooks',
  'platform_005_statistics',
  'platform_008_screening_index',
  'platform_009_processed_events',
  'platform_010_access_register_chains',
  'platform_011_change_feed_pending',
  'platform_catalogue_changes_001',
  'platform_012_previous_status',
  'platform_013_published_listings',
  'platform_014_access_register_keys',
  'platform_009_corrections',
  'platform_015_catalogue_seeds',
  'platform_016_webhook_owner_key',
];

let database: TestDatabase;
let db: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  db = connect(database.urlFor('platform'));
}, 60_000);
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe(`the platform's migrations (${dialect})`, () => {
  it('are the ones the platform subgraph runs, under their recorded names, in their recorded order', () => {
    expect(subgraphByName('platform').migrations.map((m) => m.name)).toEqual(APPLIED);
    expect(migrations.map((m) => m.name)).toEqual(APPLIED);
  });

  it('name each table only in the module that owns it (the others go through its tableRef or its functions)', () => {
    const dir = new URL('../subgraphs/platform/', import.meta.url);
    const sources = readdirSync(dir).filter((file) => file.endsWith('.ts')).map((file) => [file, readFileSync(new URL(file, dir), 'utf8')] as const);
    for (const [table, owners] of Object.entries(OWNERS)) {
      const naming = sources.filter(([, text]) => new RegExp(`\\b${table}\\b`).test(text)).map(([file]) => file);
      expect(naming.filter((file) => !owners.includes(file)), table).toEqual([]);
      expect(naming.length, table).toBeGreaterThan(0);
    }
    // And no table name written out where its owner's constant should be.
    for (const [file, text] of sources) {
      const literal = [...text.matchAll(/'(platform_(?:subjects|entry_index|warning_list|change_feed|webhooks|cases|screenings|measures|memorandums))'/g)].map((m) => m[1]);
      if (literal.length) expect(['registry.ts', 'collection.ts', 'change-feed.ts', 'webhooks.ts', 'feedback.ts', 'screening.ts', 'measures.ts'], `${file}: ${literal}`).toContain(file);
    }
  });

  it('apply to a new database in that order, then a second run changes nothing', async () => {
    await migrate(db, 'platform', migrations);
    const recorded = async () => (await db('platform_knex_migrations').orderBy('id').select('name')).map((row: any) => row.name);
    expect(await recorded()).toEqual(APPLIED);
    await migrate(db, 'platform', migrations);
    expect(await recorded()).toEqual(APPLIED);
  });
});
