/**
 * The record of every change of the joint-measure catalogue: who (role and id), when, what
 * (the action, the memorandum or measure, from which day), and the version before and
 * after. Written in the transaction of the change, so there is no change without its
 * record; read by auditors and administrators (`catalogueChanges`).
 */
import type { Knex } from 'knex';
import { keysetPage } from '../kit/pagination.js';
import type { Migration } from '../kit/db.js';
import type { Clock } from '../kit/dates.js';
import { RECORDED_LENGTHS, type Principal } from '../kit/auth/principal.js';
import type { CatalogueAction } from './__generated__/resolvers-types.js';

export const catalogueChangesTable = 'platform_catalogue_changes';

export type { CatalogueAction };

/** Who changes the catalogue, as the change is recorded. */
export interface CatalogueActor {
  role: string;
  id: string;
}

export const catalogueActor = (principal: Principal): CatalogueActor => ({ role: principal.role, id: principal.id });

export interface CatalogueChange {
  action: CatalogueAction;
  memorandumId: string;
  measureId: string | null;
  effectiveFrom: string;
  before: object | null;
  after: object | null;
}

export const catalogueChangesMigration: Migration = {
  name: 'platform_catalogue_changes_001',
  async up(db) {
    await db.schema.createTable(catalogueChangesTable, (t) => {
      t.increments('seq').primary();
      t.string('changed_at', 24).notNullable();
      t.string('actor_role', 16).notNullable();
      t.string('actor_id', RECORDED_LENGTHS.who).notNullable();
      t.string('action', 24).notNullable();
      t.string('memorandum_id', 64).notNullable();
      t.string('measure_id', 64).nullable();
      t.string('effective_from', 10).notNullable();
      t.text('before').nullable();
      t.text('after').nullable();
      t.index(['measure_id', 'seq'], 'platform_catalogue_changes_measure');
    });
  },
  async down(db) {
    await db.schema.dropTableIfExists(catalogueChangesTable);
  },
};

export async function recordCatalogueChange(trx: Knex.Transaction, clock: Clock, actor: CatalogueActor, change: CatalogueChange): Promise<void> {
  await trx(catalogueChangesTable).insert({
    changed_at: clock().toISOString(),
    actor_role: actor.role,
    actor_id: actor.id,
    action: change.action,
    memorandum_id: change.memorandumId,
    measure_id: change.measureId,
    effective_from: change.effectiveFrom,
    before: change.before ? JSON.stringify(change.before) : null,
    after: change.after ? JSON.stringify(change.after) : null,
  });
}

/** Newest first, optionally of one measure or memorandum. */
export async function catalogueChangesPage(
  db: Knex,
  filter: { measureId?: string | null; memorandumId?: string | null },
  first: number,
  after?: string | null,
) {
  const query = db(catalogueChangesTable);
  if (filter.measureId) query.where({ measure_id: filter.measureId });
  if (filter.memorandumId) query.where({ memorandum_id: filter.memorandumId });
  return keysetPage(query, { keys: [{ column: 'seq', order: 'desc', value: (row) => Number(row.seq), numeric: true }], kind: 'catalogue', first, after, nodes: (rows) => rows.map(fromRow) });
}

/** A recorded change as GraphQL shows it. */
function fromRow(row: any) {
  return {
    seq: row.seq,
    changedAt: row.changed_at,
    actorRole: row.actor_role,
    actorId: row.actor_id,
    action: row.action,
    memorandumId: row.memorandum_id,
    measureId: row.measure_id,
    effectiveFrom: row.effective_from,
    before: row.before,
    after: row.after,
  };
}
