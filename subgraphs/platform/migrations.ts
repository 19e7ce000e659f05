/**
 * The platform's migrations, in the one order they apply. Each module declares its own
 * tables and migrations beside the code that uses them (registry.ts, access-register-*.ts,
 * collection.ts, measures.ts with screening.ts and feedback.ts, change-feed.ts, webhooks.ts,
 * catalogue-changes.ts, corrections.ts, catalogue-seeds.ts); this list only assembles them. Two migrations that
 * alter tables of two modules are here, each step through the owner's table (`.alter`).
 *
 * The order is the order of application, not of the names: knex records each migration by
 * name and runs, in this list's order, those it has not recorded — so an entry is never
 * renamed, never removed, and a new one goes at the end. Out of name order, on purpose:
 * - platform_005_statistics after 006 and 007: it was added after them (databases had 006 and
 *   007 already), and its backfill of the exit columns reads the change feed, which 006 creates —
 *   before 006 it would fail on a new database. Renumbering it would make knex run it again on
 *   every database that has it recorded as 005.
 * - platform_009_processed_events and platform_009_corrections: two "009"s; the corrections were
 *   always applied after the rest of this list as it was then; what was added since comes after them.
 * - platform_catalogue_changes_001 between 011 and 012: where it was added.
 */
import type { Migration } from '../kit/db.js';
import { processedEventsMigration } from '../kit/events/tables.js';
import { subjectRegistryMigration } from './registry.js';
import { accessRegisterMigration } from './access-register-tables.js';
import { accessRegisterChainsMigration } from './access-register-chains.js';
import { accessRegisterKeysMigration } from './access-register-keys.js';
import { cases } from './feedback.js';
import { collectionMigration, entryIndex, screeningIndexMigration, statisticsColumnsMigration } from './collection.js';
import { jointMeasuresMigration } from './measures.js';
import { changeFeed, changeFeedMigration, changeFeedPendingMigration } from './change-feed.js';
import { webhookOwnerKeyMigration, webhooksMigration } from './webhooks.js';
import { catalogueChangesMigration } from './catalogue-changes.js';
import { correctionsMigration } from './corrections.js';
import { catalogueSeedsMigration } from './catalogue-seeds.js';

/** The status an entry had before its exit or purge, on the feed's events and in the entry index. */
const previousStatusMigration: Migration = {
  name: 'platform_012_previous_status',
  async up(db) {
    // The feed shows the end of an entry only to those who could see it before (policy
    // feedVisibility's exitsFrom). Rows written before stay null — unknown — and fail closed for
    // readers who see only active entries.
    await changeFeed.alter(db, (t) => t.string('previous_status', 16).nullable());
    await entryIndex.alter(db, (t) => t.string('previous_status', 16).nullable());
  },
  async down(db) {
    await changeFeed.alter(db, (t) => t.dropColumn('previous_status'));
    await entryIndex.alter(db, (t) => t.dropColumn('previous_status'));
  },
};

/** Whether each entry's list is published, in the entry index and on the cases. */
const publishedListingsMigration: Migration = {
  name: 'platform_013_published_listings',
  async up(db) {
    // As the entry's events say: a joint-measure case is published only on published listings.
    // Rows collected before stay null — unknown — and count as unpublished (fail closed), as do
    // the cases recorded before.
    await entryIndex.alter(db, (t) => t.boolean('published').nullable());
    await cases.alter(db, (t) => t.boolean('listing_published').nullable());
  },
  async down(db) {
    await entryIndex.alter(db, (t) => t.dropColumn('published'));
    await cases.alter(db, (t) => t.dropColumn('listing_published'));
  },
};

export const migrations: Migration[] = [
  subjectRegistryMigration, //          platform_001_subject_registry      registry.ts
  accessRegisterMigration, //           platform_002_access_register       access-register-tables.ts
  collectionMigration, //               platform_003_collection            collection.ts
  jointMeasuresMigration, //            platform_004_joint_measures        measures.ts (screening.ts, feedback.ts)
  changeFeedMigration, //               platform_006_change_feed           change-feed.ts
  webhooksMigration, //                 platform_007_webhooks              webhooks.ts
  statisticsColumnsMigration, //        platform_005_statistics            collection.ts (reads the feed: after 006)
  screeningIndexMigration, //           platform_008_screening_index       collection.ts
  processedEventsMigration('platform', 'platform_009_processed_events'), // kit/events/tables.ts
  accessRegisterChainsMigration, //     platform_010_access_register_chains access-register-chains.ts
  changeFeedPendingMigration, //        platform_011_change_feed_pending   change-feed.ts
  catalogueChangesMigration, //         platform_catalogue_changes_001     catalogue-changes.ts
  previousStatusMigration, //           platform_012_previous_status       here (feed, entry index)
  publishedListingsMigration, //        platform_013_published_listings    here (entry index, cases)
  accessRegisterKeysMigration, //       platform_014_access_register_keys  access-register-keys.ts
  correctionsMigration, //              platform_009_corrections           corrections.ts (last of those before)
  catalogueSeedsMigration, //           platform_015_catalogue_seeds       catalogue-seeds.ts (the seed ledger)
  webhookOwnerKeyMigration, //          platform_016_webhook_owner_key     webhooks.ts (room for the longest owner)
];
