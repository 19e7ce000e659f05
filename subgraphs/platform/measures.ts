/**
 * The memorandum catalogue (联合奖惩合作备忘录) and its measures, versioned with effective
 * dates: an amendment closes the version in force and opens the next from a date, so a
 * screening on any day applies the measures in force on that day (1798 (12)).
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { badInput, ErrorCode, typedError } from '../kit/errors.js';
import { toIsoDate, type Clock } from '../kit/dates.js';
import { insertInChunks, selectInChunks, type Migration } from '../kit/db.js';
import { MEMORANDUM_CATALOGUE, SCENARIOS, type MemorandumSeed, type Scenario } from './memorandum-catalogue.js';
import { createCasesTable, dropCasesTable } from './feedback.js';
import { createScreeningsTable, dropScreeningsTable } from './screening.js';
import type { ChangeFeed } from './change-feed.js';
import { recordCatalogueChange, type CatalogueActor } from './catalogue-changes.js';
import { inTransaction } from '../kit/transactions.js';
import type { MeasureChanges, MeasureInput, MeasureKind, MemorandumInput } from './__generated__/resolvers-types.js';
import { RECORDED_LENGTHS } from '../kit/auth/principal.js';

/** The catalogue's tables: this module's. */
export const memorandumsTable = 'platform_memorandums';
export const measuresTable = 'platform_measures';

/**
 * What the catalogue's columns hold, in characters: the lengths of its VARCHAR columns (the
 * migration below creates them with these) and the caps on what goes into its TEXT columns.
 * The platform's input limits (input-limits.ts) take theirs from here.
 */
export const MEMORANDUM_COLUMNS = { title: 300, documentNumber: 100, field: 100 } as const;
export const MEASURE_COLUMNS = {
  /** TEXT. */
  description: 5_000,
  appliedBy: 200,
  /** TEXT: a JSON list of list kinds, at most `triggers` of at most `trigger` characters. */
  trigger: 100,
  triggers: 50,
} as const;

/** The catalogue (memorandums, measures), and the screenings and cases that apply it (screening.ts, feedback.ts own theirs). */
export const jointMeasuresMigration: Migration = {
  name: 'platform_004_joint_measures',
  async up(db) {
    // Memorandums and their measures, versioned: a screening applies the versions in force that day.
    await db.schema.createTable(memorandumsTable, (t) => {
      t.string('id', 36).notNullable();
      t.integer('version').notNullable();
      t.integer('number').nullable();
      t.string('title', MEMORANDUM_COLUMNS.title).notNullable();
      t.string('document_number', MEMORANDUM_COLUMNS.documentNumber).notNullable();
      t.string('field', MEMORANDUM_COLUMNS.field).notNullable();
      t.text('list_types').notNullable();
      t.string('effective_from', 10).notNullable();
      t.string('effective_to', 10).nullable();
      t.string('recorded_at', 24).notNullable();
      t.string('recorded_by', RECORDED_LENGTHS.who).notNullable();
      t.primary(['id', 'version']);
    });
    await db.schema.createTable(measuresTable, (t) => {
      t.string('id', 36).notNullable();
      t.integer('version').notNullable();
      t.string('memorandum_id', 36).notNullable();
      t.string('kind', 16).notNullable();
      t.text('description').notNullable();
      t.string('applied_by', MEASURE_COLUMNS.appliedBy).notNullable();
      t.text('scenarios').notNullable();
      t.text('triggers').notNullable();
      t.string('effective_from', 10).notNullable();
      t.string('effective_to', 10).nullable();
      t.string('recorded_at', 24).notNullable();
      t.string('recorded_by', RECORDED_LENGTHS.who).notNullable();
      t.primary(['id', 'version']);
      t.index(['effective_from', 'effective_to'], 'platform_measures_in_force');
    });
    await createScreeningsTable(db);
    await createCasesTable(db);
    await seedCatalogue(db);
  },
  async down(db) {
    await dropCasesTable(db);
    await dropScreeningsTable(db);
    for (const table of [measuresTable, memorandumsTable]) await db.schema.dropTable(table);
  },
};

/** Who applies the seeds of the code to a database (the first load recorded its rows as `catalogue`). */
export const SYSTEM_ACTOR: CatalogueActor = { role: 'SYSTEM', id: 'catalogue-seeds' };

/**
 * The catalogue as the code seeds it, version 1 of each memorandum and measure, in force from the
 * year of the memorandum's document number. Ids are the seeds' stable ids: `memorandum-<number>`,
 * `measure-<number>-<position>`.
 */
export function catalogueSeeds(catalogue: MemorandumSeed[] = MEMORANDUM_CATALOGUE): { memorandums: Memorandum[]; measures: Measure[] } {
  const memorandums = catalogue.map((m): Memorandum => ({
    id: `memorandum-${m.number}`,
    version: 1,
    number: m.number,
    title: m.title,
    documentNumber: m.documentNumber,
    field: m.field,
    listTypes: m.listTypes,
    effectiveFrom: `${/〔(\d{4})〕/.exec(m.documentNumber)?.[1] ?? '2018'}-01-01`,
    effectiveTo: null,
  }));
  const measures = catalogue.flatMap((m, mi) =>
    (m.measures ?? []).map((measure, i): Measure => ({
      id: `measure-${m.number}-${i + 1}`,
      version: 1,
      memorandumId: memorandums[mi].id,
      ...measure,
      effectiveFrom: memorandums[mi].effectiveFrom,
      effectiveTo: null,
    })),
  );
  return { memorandums, measures };
}

/** Version 1 of the catalogue, as platform_004 loads it into a new database. */
export async function seedCatalogue(db: Knex, catalogue: MemorandumSeed[] = MEMORANDUM_CATALOGUE): Promise<void> {
  const { memorandums, measures } = catalogueSeeds(catalogue);
  const clock = () => new Date();
  await insertInChunks(db, memorandumsTable, memorandums.map((m) => memorandumToRow(m, 'catalogue', clock)));
  await insertInChunks(db, measuresTable, measures.map((m) => measureToRow(m, 'catalogue', clock)));
}

/** The first version of every memorandum and measure whose id is among `ids` (what the first load wrote, for seeds). */
export async function firstVersions(db: Knex | Knex.Transaction, ids: string[]): Promise<{ memorandums: Memorandum[]; measures: Measure[] }> {
  const memorandums = await selectInChunks(ids, (chunk) => db(memorandumsTable).whereIn('id', chunk).where({ version: 1 }));
  const measures = await selectInChunks(ids, (chunk) => db(measuresTable).whereIn('id', chunk).where({ version: 1 }));
  return { memorandums: memorandums.map(memorandumFromRow), measures: measures.map(measureFromRow) };
}

export interface Memorandum {
  id: string;
  version: number;
  number: number | null;
  title: string;
  documentNumber: string;
  field: string;
  listTypes: string[];
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface Measure {
  id: string;
  version: number;
  memorandumId: string;
  kind: MeasureKind;
  description: string;
  appliedBy: string;
  scenarios: Scenario[];
  /** List kinds, or WARNING_LIST, that trigger the measure. */
  triggers: string[];
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** What an administrator sends: the SDL's inputs (schema/platform.graphql). */
export type { MeasureChanges, MeasureInput, MemorandumInput };

const LIST_TYPES = ['RED', 'BLACK', 'KEY_ATTENTION', 'WARNING_LIST'];

const inForceOn = (query: Knex.QueryBuilder, asOf: string) =>
  query.where('effective_from', '<=', asOf).andWhere((w) => w.whereNull('effective_to').orWhere('effective_to', '>', asOf));

export class MeasureCatalogue {
  constructor(
    readonly db: Knex,
    readonly clock: Clock,
    /** Every list kind the departments keep: what a measure may be triggered by. */
    readonly listKinds: readonly string[],
    readonly feed: ChangeFeed,
  ) {}

  /** Partners learn of every change to the catalogue through the change feed. */
  private announce(trx: Knex.Transaction, what: 'memorandum' | 'measure', id: string, version: number, change: string, effectiveFrom: string) {
    return this.feed.append(trx, [
      {
        eventId: `${what}:${id}:v${version}:${change}`,
        type: 'MEMORANDUM_CHANGED',
        occurredAt: this.clock().toISOString(),
        detail: { [what === 'memorandum' ? 'memorandumId' : 'measureId']: id, version, change, effectiveFrom },
      },
    ]);
  }

  async memorandumsInForce(asOf: string): Promise<Memorandum[]> {
    const rows = await inForceOn(this.db(memorandumsTable), asOf).orderBy([{ column: 'number' }, { column: 'id' }]);
    return rows.map(memorandumFromRow);
  }

  async measuresInForce(asOf: string): Promise<Measure[]> {
    const rows = await inForceOn(this.db(measuresTable), asOf).orderBy('id');
    return rows.map(measureFromRow);
  }

  /** Exact versions, as a screening recorded them. */
  async versions(pairs: { id: string; version: number }[]): Promise<Measure[]> {
    if (pairs.length === 0) return [];
    const rows = await this.db(measuresTable).whereIn('id', [...new Set(pairs.map((p) => p.id))]);
    const wanted = new Set(pairs.map((p) => `${p.id}@${p.version}`));
    return rows.map(measureFromRow).filter((m: Measure) => wanted.has(`${m.id}@${m.version}`));
  }

  private validateMeasure(input: MeasureInput): void {
    if (!input.description?.trim()) throw badInput('Describe the measure (description)', { argument: 'input.description' });
    if (!input.appliedBy?.trim()) throw badInput('Say which kind of agency applies it (appliedBy)', { argument: 'input.appliedBy' });
    if (!input.scenarios?.length) throw badInput('Name at least one approval scenario', { argument: 'input.scenarios' });
    const unknown = input.triggers.filter((trigger) => trigger !== 'WARNING_LIST' && !this.listKinds.includes(trigger));
    if (!input.triggers.length || unknown.length) {
      throw badInput(`Triggers are list kinds or WARNING_LIST; unknown: ${unknown.join(', ') || '(none given)'}`, { argument: 'input.triggers' });
    }
    const badScenario = input.scenarios.find((s) => !SCENARIOS.includes(s));
    if (badScenario) throw badInput(`Unknown scenario ${badScenario}`, { argument: 'input.scenarios' });
  }

  private validateEffectiveFrom(effectiveFrom: string): void {
    if (effectiveFrom < toIsoDate(this.clock())) {
      throw badInput(`effectiveFrom ${effectiveFrom} is in the past: amendments take effect from today or later, history is not rewritten`, {
        argument: 'effectiveFrom',
      });
    }
  }

  async addMemorandum(actor: CatalogueActor, input: MemorandumInput, effectiveFrom: string): Promise<Memorandum> {
    this.validateEffectiveFrom(effectiveFrom);
    if (!input.title?.trim() || !input.documentNumber?.trim()) throw badInput('A memorandum has a title and a document number', { argument: 'input' });
    const badType = input.listTypes.find((type) => !LIST_TYPES.includes(type));
    if (badType || input.listTypes.length === 0) throw badInput(`listTypes are among ${LIST_TYPES.join(', ')}`, { argument: 'input.listTypes' });
    const memorandum: Memorandum = { id: randomUUID(), version: 1, number: null, ...input, effectiveFrom, effectiveTo: null };
    await inTransaction(this.db, (trx) => this.insertMemorandum(trx, actor, memorandum));
    return memorandum;
  }

  /** A new memorandum, announced and recorded (the administrator's, or a seed of the code's). */
  async insertMemorandum(trx: Knex.Transaction, actor: CatalogueActor, memorandum: Memorandum): Promise<void> {
    await trx(memorandumsTable).insert(memorandumToRow(memorandum, recordedBy(actor), this.clock));
    await this.announce(trx, 'memorandum', memorandum.id, 1, 'ADDED', memorandum.effectiveFrom);
    await recordCatalogueChange(trx, this.clock, actor, {
      action: 'MEMORANDUM_ADDED', memorandumId: memorandum.id, measureId: null, effectiveFrom: memorandum.effectiveFrom, before: null, after: memorandum,
    });
  }

  async addMeasure(actor: CatalogueActor, memorandumId: string, input: MeasureInput, effectiveFrom: string): Promise<Measure> {
    this.validateEffectiveFrom(effectiveFrom);
    this.validateMeasure(input);
    const memorandum = await this.db(memorandumsTable).where({ id: memorandumId }).whereNull('effective_to').first();
    if (!memorandum) throw typedError(ErrorCode.NOT_FOUND, `No memorandum "${memorandumId}" in force`);
    const measure: Measure = { id: randomUUID(), version: 1, memorandumId, ...input, effectiveFrom, effectiveTo: null };
    await inTransaction(this.db, (trx) => this.insertMeasure(trx, actor, measure));
    return measure;
  }

  /** A new measure, announced and recorded (the administrator's, or a seed of the code's). */
  async insertMeasure(trx: Knex.Transaction, actor: CatalogueActor, measure: Measure): Promise<void> {
    await trx(measuresTable).insert(measureToRow(measure, recordedBy(actor), this.clock));
    await this.announce(trx, 'measure', measure.id, 1, 'ADDED', measure.effectiveFrom);
    await recordCatalogueChange(trx, this.clock, actor, {
      action: 'MEASURE_ADDED', memorandumId: measure.memorandumId, measureId: measure.id, effectiveFrom: measure.effectiveFrom, before: null, after: measure,
    });
  }

  /** Whether a memorandum or measure of this id was ever recorded (in force, withdrawn or scheduled). */
  async exists(trx: Knex.Transaction, what: 'memorandum' | 'measure', id: string): Promise<boolean> {
    return Boolean(await trx(what === 'memorandum' ? memorandumsTable : measuresTable).where({ id }).first('id'));
  }

  /** A measure's last version, if it has not been withdrawn (its end date is open). */
  async latestVersion(trx: Knex.Transaction, measureId: string): Promise<Measure | null> {
    const row = await trx(measuresTable).where({ id: measureId }).whereNull('effective_to').first();
    return row ? measureFromRow(row) : null;
  }

  /** A new version from `effectiveFrom`; the version in force until then keeps applying to earlier days. */
  async amendMeasure(actor: CatalogueActor, measureId: string, changes: MeasureChanges, effectiveFrom: string): Promise<Measure> {
    this.validateEffectiveFrom(effectiveFrom);
    return inTransaction(this.db, async (trx) => {
      const current = await this.latestVersion(trx, measureId);
      if (!current) throw typedError(ErrorCode.NOT_FOUND, `No measure "${measureId}" in force`);
      if (effectiveFrom <= current.effectiveFrom) {
        throw badInput(`effectiveFrom must be after ${current.effectiveFrom}, when the version in force began`, { argument: 'effectiveFrom' });
      }
      // A field not given, or given as null, stays as it is.
      const next: Measure = {
        ...current,
        kind: changes.kind ?? current.kind,
        description: changes.description ?? current.description,
        appliedBy: changes.appliedBy ?? current.appliedBy,
        scenarios: changes.scenarios ?? current.scenarios,
        triggers: changes.triggers ?? current.triggers,
        version: current.version + 1,
        effectiveFrom,
        effectiveTo: null,
      };
      this.validateMeasure(next);
      // An amendment that changes nothing would still version the measure, announce it and record a catalogue change.
      const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
      if (same([next.kind, next.description, next.appliedBy, next.scenarios, next.triggers], [current.kind, current.description, current.appliedBy, current.scenarios, current.triggers])) {
        throw badInput('The amendment changes nothing: give at least one of kind, description, appliedBy, scenarios or triggers with a new value', { argument: 'changes' });
      }
      await this.insertVersion(trx, actor, current, next);
      return next;
    });
  }

  /** Closes `current` where `next` begins and opens `next`, announced and recorded. */
  async insertVersion(trx: Knex.Transaction, actor: CatalogueActor, current: Measure, next: Measure): Promise<void> {
    await trx(measuresTable).where({ id: current.id, version: current.version }).update({ effective_to: next.effectiveFrom });
    await trx(measuresTable).insert(measureToRow(next, recordedBy(actor), this.clock));
    await this.announce(trx, 'measure', current.id, next.version, 'AMENDED', next.effectiveFrom);
    await recordCatalogueChange(trx, this.clock, actor, {
      action: 'MEASURE_AMENDED', memorandumId: current.memorandumId, measureId: current.id, effectiveFrom: next.effectiveFrom, before: current, after: next,
    });
  }

  /** Ends a measure from a date (it stops applying then). */
  async withdrawMeasure(actor: CatalogueActor, measureId: string, effectiveFrom: string): Promise<Measure> {
    this.validateEffectiveFrom(effectiveFrom);
    return inTransaction(this.db, async (trx) => {
      const row = await trx(measuresTable).where({ id: measureId }).whereNull('effective_to').first();
      if (!row) throw typedError(ErrorCode.NOT_FOUND, `No measure "${measureId}" in force`);
      await trx(measuresTable).where({ id: measureId, version: row.version }).update({ effective_to: effectiveFrom, recorded_by: recordedBy(actor) });
      await this.announce(trx, 'measure', measureId, row.version, 'WITHDRAWN', effectiveFrom);
      const before = measureFromRow(row);
      const after = { ...before, effectiveTo: effectiveFrom };
      await recordCatalogueChange(trx, this.clock, actor, {
        action: 'MEASURE_WITHDRAWN', memorandumId: before.memorandumId, measureId, effectiveFrom, before, after,
      });
      return after;
    });
  }
}

const recordedBy = (actor: CatalogueActor) => `${actor.role.toLowerCase()}:${actor.id}`;

function memorandumFromRow(row: any): Memorandum {
  return {
    id: row.id,
    version: row.version,
    number: row.number,
    title: row.title,
    documentNumber: row.document_number,
    field: row.field,
    listTypes: JSON.parse(row.list_types),
    effectiveFrom: row.effective_from,
    effectiveTo: row.effective_to,
  };
}

function memorandumToRow(m: Memorandum, actor: string, clock: Clock) {
  return {
    id: m.id, version: m.version, number: m.number, title: m.title, document_number: m.documentNumber, field: m.field,
    list_types: JSON.stringify(m.listTypes), effective_from: m.effectiveFrom, effective_to: m.effectiveTo,
    recorded_at: clock().toISOString(), recorded_by: actor,
  };
}

export function measureFromRow(row: any): Measure {
  return {
    id: row.id,
    version: row.version,
    memorandumId: row.memorandum_id,
    kind: row.kind,
    description: row.description,
    appliedBy: row.applied_by,
    scenarios: JSON.parse(row.scenarios),
    triggers: JSON.parse(row.triggers),
    effectiveFrom: row.effective_from,
    effectiveTo: row.effective_to,
  };
}

function measureToRow(m: Measure, actor: string, clock: Clock) {
  return {
    id: m.id, version: m.version, memorandum_id: m.memorandumId, kind: m.kind, description: m.description, applied_by: m.appliedBy,
    scenarios: JSON.stringify(m.scenarios), triggers: JSON.stringify(m.triggers), effective_from: m.effectiveFrom, effective_to: m.effectiveTo,
    recorded_at: clock().toISOString(), recorded_by: actor,
  };
}
