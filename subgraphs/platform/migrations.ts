/** The platform's tables. */
import type { Knex } from 'knex';
import { insertInChunks, type Migration } from '../kit/db.js';
import { MEMORANDUM_CATALOGUE } from './memorandum-catalogue.js';
import { checkSubjectCode } from '../kit/codes.js';
import { catalogueChangesMigration } from './catalogue-changes.js';
import { processedEventsMigration } from '../kit/events/tables.js';
import { accessRegisterChainsMigration } from './access-register-chains.js';
import { accessRegisterKeysMigration } from './access-register-keys.js';
import { GENESIS_HASH } from './access-register-integrity.js';

export const subjectsTable = 'platform_subjects';
export const accessRegisterTable = 'platform_access_register';
export const accessRegisterHeadTable = 'platform_access_register_head';
export const entryIndexTable = 'platform_entry_index';
export const warningListTable = 'platform_warning_list';
export const platformOffsetsTable = 'platform_consumer_offsets';
export const webhooksTable = 'platform_webhooks';
export const webhookDeliveriesTable = 'platform_webhook_deliveries';
export const webhookDeadLettersTable = 'platform_webhook_dead_letters';
export const changeFeedTable = 'platform_change_feed';
export const changeFeedHeadTable = 'platform_change_feed_head';
export const changeFeedPendingTable = 'platform_change_feed_pending';
export const memorandumsTable = 'platform_memorandums';
export const measuresTable = 'platform_measures';
export const screeningsTable = 'platform_screenings';
export const casesTable = 'platform_cases';
export { GENESIS_HASH };

export const migrations: Migration[] = [
  {
    name: 'platform_001_subject_registry',
    async up(db) {
      // The subject registry (主体名录): who a credit code belongs to.
      await db.schema.createTable(subjectsTable, (t) => {
        t.string('credit_code', 18).primary();
        t.string('subject_type', 16).notNullable();
        t.string('name', 200).notNullable();
        t.string('region_code', 6).notNullable();
        t.string('industry_code', 8).nullable();
        t.string('industry_name', 100).nullable();
        t.string('legal_rep_name', 100).nullable();
        t.string('legal_rep_id_type', 32).nullable();
        t.string('legal_rep_id_number', 40).nullable();
        t.string('registered_at', 24).notNullable();
        t.string('updated_at', 24).notNullable();
        t.index(['region_code'], 'platform_subjects_by_region');
        t.index(['legal_rep_id_number'], 'platform_subjects_by_legal_rep');
      });
    },
    async down(db) {
      await db.schema.dropTable(subjectsTable);
    },
  },
  {
    name: 'platform_002_access_register',
    async up(db) {
      // 个人信息查询使用登记 (1798 (24)): append-only, each record chained to the previous by a hash.
      await db.schema.createTable(accessRegisterTable, (t) => {
        t.bigIncrements('seq').primary();
        t.string('recorded_at', 24).notNullable();
        t.string('request_id', 36).notNullable();
        t.string('principal_id', 200).notNullable();
        t.string('role', 16).notNullable();
        t.string('organisation', 200).nullable();
        t.string('subject_code', 18).notNullable();
        t.string('subject_type', 16).notNullable();
        t.text('fields').notNullable();
        t.string('purpose', 200).notNullable();
        t.string('reference', 100).notNullable();
        t.string('prev_hash', 64).notNullable();
        t.string('hash', 64).notNullable();
        t.index(['subject_code', 'seq'], 'platform_access_register_by_subject');
        t.index(['principal_id', 'seq'], 'platform_access_register_by_principal');
      });
      // The head of the chain: one row, locked while a record is appended, so replicas
      // writing at the same time still build one unbroken chain.
      await db.schema.createTable(accessRegisterHeadTable, (t) => {
        t.integer('id').primary();
        t.bigInteger('record_count').notNullable();
        t.string('last_hash', 64).notNullable();
      });
      await db(accessRegisterHeadTable).insert({ id: 1, record_count: 0, last_hash: GENESIS_HASH });
    },
    async down(db) {
      await db.schema.dropTable(accessRegisterHeadTable);
      await db.schema.dropTable(accessRegisterTable);
    },
  },
  {
    name: 'platform_003_collection',
    async up(db) {
      // 归集 (893 §5): every department's entries collected under one subject, from their events.
      await db.schema.createTable(entryIndexTable, (t) => {
        t.string('entry_id', 36).primary();
        t.string('domain', 24).notNullable();
        t.string('credit_code', 18).notNullable();
        t.string('list_type', 16).notNullable();
        t.string('list_kind', 48).notNullable();
        t.string('status', 16).notNullable();
        t.string('subject_type', 16).notNullable();
        t.string('region_code', 6).notNullable();
        t.string('recognised_on', 10).notNullable();
        t.string('valid_until', 10).notNullable();
        // When the entry reached the platform (1798 (10): within 10 working days of recognition).
        t.string('reached_platform_at', 24).notNullable();
        t.integer('sharing_working_days').notNullable();
        t.string('updated_at', 24).notNullable();
        t.index(['credit_code'], 'platform_entry_index_by_subject');
        t.index(['list_type', 'status', 'credit_code'], 'platform_entry_index_by_type');
        t.index(['sharing_working_days'], 'platform_entry_index_by_sharing');
      });
      // The big-data warning list (1798 (17)): one row per stay on it.
      await db.schema.createTable(warningListTable, (t) => {
        t.bigIncrements('id').primary();
        t.string('credit_code', 18).notNullable();
        t.string('subject_type', 16).notNullable();
        t.text('domains').notNullable();
        t.string('entered_at', 24).notNullable();
        t.string('left_at', 24).nullable();
        t.index(['credit_code', 'left_at'], 'platform_warning_list_by_subject');
        t.index(['left_at', 'entered_at'], 'platform_warning_list_current');
      });
      await db.schema.createTable(platformOffsetsTable, (t) => {
        t.string('source', 32).primary();
        t.bigInteger('last_seq').notNullable();
        t.string('updated_at', 24).notNullable();
      });
    },
    async down(db) {
      await db.schema.dropTable(platformOffsetsTable);
      await db.schema.dropTable(warningListTable);
      await db.schema.dropTable(entryIndexTable);
    },
  },
  {
    name: 'platform_004_joint_measures',
    async up(db) {
      // Memorandums and their measures, versioned: a screening applies the versions in force that day.
      await db.schema.createTable(memorandumsTable, (t) => {
        t.string('id', 36).notNullable();
        t.integer('version').notNullable();
        t.integer('number').nullable();
        t.string('title', 300).notNullable();
        t.string('document_number', 100).notNullable();
        t.string('field', 100).notNullable();
        t.text('list_types').notNullable();
        t.string('effective_from', 10).notNullable();
        t.string('effective_to', 10).nullable();
        t.string('recorded_at', 24).notNullable();
        t.string('recorded_by', 200).notNullable();
        t.primary(['id', 'version']);
      });
      await db.schema.createTable(measuresTable, (t) => {
        t.string('id', 36).notNullable();
        t.integer('version').notNullable();
        t.string('memorandum_id', 36).notNullable();
        t.string('kind', 16).notNullable();
        t.text('description').notNullable();
        t.string('applied_by', 200).notNullable();
        t.text('scenarios').notNullable();
        t.text('triggers').notNullable();
        t.string('effective_from', 10).notNullable();
        t.string('effective_to', 10).nullable();
        t.string('recorded_at', 24).notNullable();
        t.string('recorded_by', 200).notNullable();
        t.primary(['id', 'version']);
        t.index(['effective_from', 'effective_to'], 'platform_measures_in_force');
      });
      // 逢报必查: every screening, with what it found and the data it saw.
      await db.schema.createTable(screeningsTable, (t) => {
        t.string('id', 36).primary();
        t.string('principal_id', 200).notNullable();
        t.string('role', 16).notNullable();
        t.string('agency', 200).nullable();
        t.string('region', 6).nullable();
        t.string('scenario', 48).notNullable();
        t.string('reference', 200).notNullable();
        t.string('screened_at', 24).notNullable();
        t.integer('codes').notNullable();
        t.text('result', 'longtext').notNullable();
        t.text('data_version').notNullable();
        t.text('receipt', 'longtext').notNullable();
        t.index(['agency', 'screened_at'], 'platform_screenings_by_agency');
      });
      // 发起—响应—反馈: what an agency did for a subject and a measure.
      await db.schema.createTable(casesTable, (t) => {
        t.string('id', 36).primary();
        t.string('screening_id', 36).notNullable();
        t.string('credit_code', 18).notNullable();
        t.string('measure_id', 36).notNullable();
        t.integer('measure_version').notNullable();
        t.string('measure_kind', 16).notNullable();
        t.string('outcome', 24).notNullable();
        t.text('reason').nullable();
        t.string('case_reference', 200).notNullable();
        t.string('agency', 200).nullable();
        t.string('region', 6).notNullable();
        t.string('domain', 24).nullable();
        t.text('entry_ids').notNullable();
        t.boolean('published').notNullable();
        t.string('recorded_at', 24).notNullable();
        t.index(['recorded_at'], 'platform_cases_by_time');
        t.index(['domain', 'recorded_at'], 'platform_cases_by_domain');
      });
      await seedCatalogue(db);
    },
    async down(db) {
      for (const table of [casesTable, screeningsTable, measuresTable, memorandumsTable]) await db.schema.dropTable(table);
    },
  },
  {
    name: 'platform_006_change_feed',
    async up(db) {
      // The change feed for integration partners: every change that matters, in one global
      // order (position), appended under a locked head row so positions commit in order.
      await db.schema.createTable(changeFeedTable, (t) => {
        t.bigInteger('position').primary();
        t.string('event_id', 120).notNullable().unique();
        t.string('type', 48).notNullable();
        t.string('domain', 24).nullable();
        t.string('credit_code', 18).nullable();
        t.string('subject_type', 16).nullable();
        t.string('list_type', 16).nullable();
        t.string('list_kind', 48).nullable();
        t.string('region_code', 6).nullable();
        t.string('entry_id', 36).nullable();
        t.string('status', 16).nullable();
        t.string('exit_way', 32).nullable();
        t.string('occurred_at', 24).notNullable();
        t.text('detail').notNullable();
        t.index(['occurred_at'], 'platform_change_feed_by_time');
      });
      await db.schema.createTable(changeFeedHeadTable, (t) => {
        t.integer('id').primary();
        t.bigInteger('last_position').notNullable();
      });
      await db(changeFeedHeadTable).insert({ id: 1, last_position: 0 });
    },
    async down(db) {
      await db.schema.dropTable(changeFeedHeadTable);
      await db.schema.dropTable(changeFeedTable);
    },
  },
  {
    name: 'platform_007_webhooks',
    async up(db) {
      // Partners' webhooks: where to deliver, what, as whom, how far (the last acknowledged
      // feed position), the retry state of the next event, and which replica delivers now
      // (a lease: lease_owner until lease_until, in epoch ms). A replay or removal bumps the
      // generation, so a delivery in flight writes nothing more.
      await db.schema.createTable(webhooksTable, (t) => {
        t.string('id', 36).primary();
        t.string('owner_key', 400).notNullable();
        t.text('owner').notNullable();
        t.string('url', 2000).notNullable();
        t.text('filter').notNullable();
        t.string('secret', 200).notNullable();
        t.bigInteger('position').notNullable();
        t.integer('attempts').notNullable();
        t.bigInteger('next_attempt_at').notNullable();
        t.string('lease_owner', 64).nullable();
        t.bigInteger('lease_until').notNullable();
        t.integer('generation').notNullable();
        t.boolean('removed').notNullable();
        t.string('created_at', 24).notNullable();
        t.index(['removed', 'next_attempt_at'], 'platform_webhooks_due');
        t.index(['owner_key'], 'platform_webhooks_by_owner');
      });
      // Every attempt, for the owner's delivery log.
      await db.schema.createTable(webhookDeliveriesTable, (t) => {
        t.bigIncrements('id').primary();
        t.string('webhook_id', 36).notNullable();
        t.string('event_id', 120).notNullable();
        t.bigInteger('position').notNullable();
        t.integer('attempt').notNullable();
        t.integer('status_code').nullable();
        t.integer('latency_ms').notNullable();
        t.text('error').nullable();
        t.string('outcome', 16).notNullable();
        t.string('at', 24).notNullable();
        t.index(['webhook_id', 'id'], 'platform_webhook_deliveries_by_webhook');
      });
      // Events given up on after the last attempt, until a replay re-queues them.
      await db.schema.createTable(webhookDeadLettersTable, (t) => {
        t.bigIncrements('id').primary();
        t.string('webhook_id', 36).notNullable();
        t.string('event_id', 120).notNullable();
        t.bigInteger('position').notNullable();
        t.integer('attempts').notNullable();
        t.text('error').nullable();
        t.string('dead_at', 24).notNullable();
        t.string('requeued_at', 24).nullable();
        t.index(['webhook_id', 'position'], 'platform_webhook_dead_letters_by_webhook');
      });
    },
    async down(db) {
      await db.schema.dropTable(webhookDeadLettersTable);
      await db.schema.dropTable(webhookDeliveriesTable);
      await db.schema.dropTable(webhooksTable);
    },
  },
  {
    name: 'platform_005_statistics',
    async up(db) {
      // The statistics count exits by way and date, and group by columns an index covers,
      // so every figure is an index range scan and a GROUP BY, never a table walk.
      await db.schema.alterTable(entryIndexTable, (t) => {
        t.string('exit_way', 32).nullable();
        t.string('exited_on', 10).nullable();
      });
      await db.schema.alterTable(entryIndexTable, (t) => {
        t.index(['recognised_on', 'list_type', 'domain', 'region_code', 'status', 'exited_on'], 'platform_entry_index_stats_recognised');
        t.index(['exited_on', 'exit_way', 'list_type', 'domain', 'region_code'], 'platform_entry_index_stats_exited');
        t.index(['list_type', 'credit_code', 'domain', 'status', 'recognised_on', 'exited_on', 'region_code'], 'platform_entry_index_stats_subjects');
      });
      await db.schema.alterTable(warningListTable, (t) => {
        t.string('region_code', 6).notNullable().defaultTo('');
        t.index(['entered_at', 'left_at'], 'platform_warning_list_by_time');
      });
      await backfillStatisticsColumns(db);
    },
    async down(db) {
      await db.schema.alterTable(warningListTable, (t) => {
        t.dropIndex(['entered_at', 'left_at'], 'platform_warning_list_by_time');
        t.dropColumn('region_code');
      });
      await db.schema.alterTable(entryIndexTable, (t) => {
        t.dropIndex([], 'platform_entry_index_stats_subjects');
        t.dropIndex([], 'platform_entry_index_stats_exited');
        t.dropIndex([], 'platform_entry_index_stats_recognised');
        t.dropColumn('exited_on');
        t.dropColumn('exit_way');
      });
    },
  },
  {
    name: 'platform_008_screening_index',
    async up(db) {
      // A screening reads, for up to 1,000 random codes, their active entries' kind, type,
      // domain and dates: an index that holds those columns answers it without visiting the
      // table's rows (clustered by entry id, so one random page per entry), and is small
      // enough to stay cached where the table is not.
      await db.schema.alterTable(entryIndexTable, (t) => {
        t.index(['credit_code', 'status', 'list_kind', 'list_type', 'domain', 'recognised_on', 'valid_until'], 'platform_entry_index_screening');
      });
    },
    async down(db) {
      await db.schema.alterTable(entryIndexTable, (t) => t.dropIndex([], 'platform_entry_index_screening'));
    },
  },
  processedEventsMigration('platform', 'platform_009_processed_events'),
  accessRegisterChainsMigration,
  {
    name: 'platform_011_change_feed_pending',
    async up(db) {
      // Appended events wait here for their feed position (ChangeFeed.sequence).
      await db.schema.createTable(changeFeedPendingTable, (t) => {
        t.bigIncrements('id').primary();
        t.string('event_id', 120).notNullable().unique();
        t.string('entry_id', 36).nullable();
        t.bigInteger('entry_order').nullable();
        t.text('event').notNullable();
        t.index(['entry_id'], 'platform_change_feed_pending_by_entry');
      });
    },
    async down(db) {
      await db.schema.dropTable(changeFeedPendingTable);
    },
  },
  catalogueChangesMigration,
  {
    name: 'platform_012_previous_status',
    async up(db) {
      // The status an entry had before its exit or purge: the feed shows the end of an entry only
      // to those who could see it before (policy feedVisibility's exitsFrom). Rows written before
      // stay null — unknown — and fail closed for readers who see only active entries.
      await db.schema.alterTable(changeFeedTable, (t) => t.string('previous_status', 16).nullable());
      await db.schema.alterTable(entryIndexTable, (t) => t.string('previous_status', 16).nullable());
    },
    async down(db) {
      await db.schema.alterTable(changeFeedTable, (t) => t.dropColumn('previous_status'));
      await db.schema.alterTable(entryIndexTable, (t) => t.dropColumn('previous_status'));
    },
  },
  {
    name: 'platform_013_published_listings',
    async up(db) {
      // Whether each entry's list is published, as its events say: a joint-measure case is
      // published only on published listings. Rows collected before stay null — unknown — and
      // count as unpublished (fail closed), as do the cases recorded before.
      await db.schema.alterTable(entryIndexTable, (t) => t.boolean('published').nullable());
      await db.schema.alterTable(casesTable, (t) => t.boolean('listing_published').nullable());
    },
    async down(db) {
      await db.schema.alterTable(entryIndexTable, (t) => t.dropColumn('published'));
      await db.schema.alterTable(casesTable, (t) => t.dropColumn('listing_published'));
    },
  },
  accessRegisterKeysMigration,
];

/**
 * Fills the statistics columns of what was collected before they existed: each exited
 * entry's way and date from its last exit in the change feed (the day of the exit event,
 * or for an entry recorded already exited its validity's end), and each warning-list
 * stay's division code from its credit code. Nothing to do on a new database.
 */
async function backfillStatisticsColumns(db: Knex): Promise<void> {
  const exits = new Map<string, { way: string; on: string }>();
  let after = 0;
  for (;;) {
    const rows = await db(changeFeedTable)
      .where('position', '>', after).andWhere('status', 'EXITED').whereNotNull('entry_id')
      .orderBy('position').limit(5000)
      .select('position', 'entry_id', 'type', 'exit_way', 'occurred_at', 'detail');
    if (rows.length === 0) break;
    for (const row of rows) {
      const validUntil = JSON.parse(row.detail ?? '{}').validUntil;
      const on = row.type === 'ENTRY_EXITED' || !validUntil ? String(row.occurred_at).slice(0, 10) : String(validUntil);
      exits.set(row.entry_id, { way: row.exit_way ?? 'UNKNOWN', on });
    }
    after = Number(rows.at(-1).position);
  }
  const ids = [...exits.keys()];
  for (let start = 0; start < ids.length; start += 200) {
    const chunk = ids.slice(start, start + 200);
    const cases = (pick: (exit: { way: string; on: string }) => string) =>
      db.raw(`CASE entry_id ${chunk.map(() => 'WHEN ? THEN ?').join(' ')} END`, chunk.flatMap((id) => [id, pick(exits.get(id)!)]));
    await db(entryIndexTable).whereIn('entry_id', chunk).andWhere('status', 'EXITED')
      .update({ exit_way: cases((exit) => exit.way), exited_on: cases((exit) => exit.on) });
  }
  const stays = await db(warningListTable).where('region_code', '').select('id', 'credit_code');
  for (const stay of stays) {
    const check = checkSubjectCode(stay.credit_code);
    await db(warningListTable).where({ id: stay.id }).update({ region_code: check.valid ? check.regionCode : '' });
  }
}

/** Version 1 of the catalogue, in force from the year of each memorandum's document number. */
async function seedCatalogue(db: Knex): Promise<void> {
  const recordedAt = new Date().toISOString();
  const memorandums = MEMORANDUM_CATALOGUE.map((m) => ({
    id: `memorandum-${m.number}`,
    version: 1,
    number: m.number,
    title: m.title,
    document_number: m.documentNumber,
    field: m.field,
    list_types: JSON.stringify(m.listTypes),
    effective_from: `${/〔(\d{4})〕/.exec(m.documentNumber)?.[1] ?? '2018'}-01-01`,
    effective_to: null,
    recorded_at: recordedAt,
    recorded_by: 'catalogue',
  }));
  const measures = MEMORANDUM_CATALOGUE.flatMap((m, mi) =>
    (m.measures ?? []).map((measure, i) => ({
      id: `measure-${m.number}-${i + 1}`,
      version: 1,
      memorandum_id: `memorandum-${m.number}`,
      kind: measure.kind,
      description: measure.description,
      applied_by: measure.appliedBy,
      scenarios: JSON.stringify(measure.scenarios),
      triggers: JSON.stringify(measure.triggers),
      effective_from: memorandums[mi].effective_from,
      effective_to: null,
      recorded_at: recordedAt,
      recorded_by: 'catalogue',
    })),
  );
  await insertInChunks(db, memorandumsTable, memorandums);
  await insertInChunks(db, measuresTable, measures);
}
