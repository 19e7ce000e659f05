/**
 * The seeds of the code (memorandum-catalogue.ts) reach every database exactly once. Platform_004
 * loaded the catalogue as the code had it then; a memorandum or measure added to the code later,
 * or a seed changed since (a general measure's triggers when a department joins), would never
 * reach a database migrated before. The ledger records, for each seed id, the seed as it was last
 * applied; at every start (`applyCatalogueSeeds`, after the migrations) the platform applies what
 * the ledger does not have yet, as changes of the catalogue by the system (actor SYSTEM,
 * `catalogueChanges`), announced on the change feed like an administrator's:
 * - a seed not in the ledger, whose id the database never had: added, in force from today —
 *   history is not rewritten, as for an administrator (a new database has it from platform_004);
 * - a seed whose content changed since the ledger's: a new version of the measure from today,
 *   field by field — a field the seed changed takes the new value only if the version in force
 *   still has the seed's old one; a field an administrator changed keeps the administrator's. A
 *   measure an administrator withdrew stays withdrawn. Either way the ledger takes the new seed,
 *   so it is applied once.
 * Memorandums are added when missing; the catalogue has no mutation that amends one.
 */
import type { Knex } from 'knex';
import { insertInChunks, type Migration } from '../kit/db.js';
import { toIsoDate, type Clock } from '../kit/dates.js';
import { inTransaction } from '../kit/transactions.js';
import { catalogueSeeds, firstVersions, SYSTEM_ACTOR, type Measure, type Memorandum, type MeasureCatalogue } from './measures.js';

const catalogueSeedsTable = 'platform_catalogue_seeds';

/** What of a seed the ledger keeps and compares: the fields an administrator can change. */
const MEASURE_FIELDS = ['kind', 'description', 'appliedBy', 'scenarios', 'triggers'] as const;
const MEMORANDUM_FIELDS = ['title', 'documentNumber', 'field', 'listTypes'] as const;

type Seed = { what: 'memorandum'; value: Memorandum } | { what: 'measure'; value: Measure };

const contentOf = (seed: Seed): string =>
  JSON.stringify(Object.fromEntries((seed.what === 'memorandum' ? MEMORANDUM_FIELDS : MEASURE_FIELDS).map((field) => [field, (seed.value as any)[field]])));

function seedsOf(seeds = catalogueSeeds()): Seed[] {
  return [...seeds.memorandums.map((value): Seed => ({ what: 'memorandum', value })), ...seeds.measures.map((value): Seed => ({ what: 'measure', value }))];
}

/**
 * The ledger, filled with what the database already has from platform_004: each seed id's first
 * version is the seed as it was loaded (amendments are later versions), whatever code loaded it.
 */
export const catalogueSeedsMigration: Migration = {
  name: 'platform_015_catalogue_seeds',
  async up(db) {
    await db.schema.createTable(catalogueSeedsTable, (t) => {
      t.string('seed_id', 64).primary();
      t.string('kind', 16).notNullable();
      t.text('content').notNullable();
      t.string('applied_at', 24).notNullable();
    });
    const loaded = await firstVersions(db, seedsOf().map((seed) => seed.value.id));
    const appliedAt = new Date().toISOString();
    const rows = [
      ...loaded.memorandums.map((value) => ledgerRow({ what: 'memorandum', value }, appliedAt)),
      ...loaded.measures.map((value) => ledgerRow({ what: 'measure', value }, appliedAt)),
    ];
    await insertInChunks(db, catalogueSeedsTable, rows);
  },
  async down(db) {
    await db.schema.dropTableIfExists(catalogueSeedsTable);
  },
};

const ledgerRow = (seed: Seed, appliedAt: string) => ({ seed_id: seed.value.id, kind: seed.what, content: contentOf(seed), applied_at: appliedAt });

/** What applying the seeds did: ids added, amended (a new version), and left as an administrator made them. */
export interface SeedsApplied {
  added: string[];
  amended: string[];
  kept: string[];
}

/** Applies every seed the ledger does not have in its current content; a second run does nothing. */
export async function applyCatalogueSeeds(catalogue: MeasureCatalogue, clock: Clock, seeds = catalogueSeeds()): Promise<SeedsApplied> {
  const done: SeedsApplied = { added: [], amended: [], kept: [] };
  const ledger = new Map<string, string>((await catalogue.db(catalogueSeedsTable).select('seed_id', 'content')).map((row: any) => [row.seed_id, row.content]));
  // Memorandums first: a new measure may belong to a new memorandum.
  for (const seed of seedsOf(seeds)) {
    const applied = ledger.get(seed.value.id);
    if (applied === contentOf(seed)) continue;
    try {
      await inTransaction(catalogue.db, (trx) => applySeed(trx, catalogue, clock, seed, applied, done));
    } catch (error) {
      // Another replica starting at the same time applied it first: its ledger row says so.
      const now = await catalogue.db(catalogueSeedsTable).where({ seed_id: seed.value.id }).first('content');
      if (now?.content !== contentOf(seed)) throw error;
    }
  }
  return done;
}

async function applySeed(trx: Knex.Transaction, catalogue: MeasureCatalogue, clock: Clock, seed: Seed, applied: string | undefined, done: SeedsApplied) {
  const today = toIsoDate(clock());
  const row = ledgerRow(seed, clock().toISOString());
  if (applied === undefined) {
    // The primary key makes a second replica's insert fail: the seed is applied once.
    await trx(catalogueSeedsTable).insert(row);
    if (await catalogue.exists(trx, seed.what, seed.value.id)) return;
    const value = { ...seed.value, effectiveFrom: today };
    if (seed.what === 'memorandum') await catalogue.insertMemorandum(trx, SYSTEM_ACTOR, value as Memorandum);
    else await catalogue.insertMeasure(trx, SYSTEM_ACTOR, value as Measure);
    done.added.push(seed.value.id);
    return;
  }
  const updated = await trx(catalogueSeedsTable).where({ seed_id: row.seed_id, content: applied }).update({ content: row.content, applied_at: row.applied_at });
  if (updated !== 1) throw new Error(`The seed ${row.seed_id} was applied meanwhile`);
  if (seed.what === 'memorandum') return;
  const current = await catalogue.latestVersion(trx, seed.value.id);
  // Withdrawn by an administrator: it stays withdrawn.
  if (!current) {
    done.kept.push(seed.value.id);
    return;
  }
  const before = JSON.parse(applied);
  const next: Measure = { ...current, version: current.version + 1, effectiveTo: null, effectiveFrom: dayAfter(current.effectiveFrom, today) };
  let changed = false;
  let kept = false;
  for (const field of MEASURE_FIELDS) {
    const seedChanged = JSON.stringify(seed.value[field]) !== JSON.stringify(before[field]);
    if (!seedChanged) continue;
    if (JSON.stringify(current[field]) === JSON.stringify(before[field])) {
      (next as any)[field] = seed.value[field];
      changed = true;
    } else kept = true;
  }
  if (kept) done.kept.push(seed.value.id);
  if (!changed) return;
  await catalogue.insertVersion(trx, SYSTEM_ACTOR, current, next);
  done.amended.push(seed.value.id);
}

/** Today, or — when the last version begins today or later (scheduled by an administrator) — the day after it begins. */
function dayAfter(begins: string, today: string): string {
  if (begins < today) return today;
  const next = new Date(`${begins}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return toIsoDate(next);
}
