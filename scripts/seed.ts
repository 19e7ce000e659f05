/**
 * npm run seed -- --subjects N [--seed S] [--as-of YYYY-MM-DD] [--append]
 *
 * Fills every subgraph's database with deterministic demo data through the subgraphs'
 * own stores (each writes only its own tables, outbox events included). Without
 * --append, existing demo tables are emptied first. With case records (the default of the
 * command, `--no-cases` to leave them out), departments also get objections and credit
 * repair over the entries' lifetimes.
 */
import type { LegalRepresentativeInput, ListKind } from '../subgraphs/kit/lists/__generated__/resolvers-types.js';
import { parseArgs } from 'node:util';
import { departments, subgraphByName } from '../subgraphs/catalog.js';
import { connect, databaseUrlFor, insertInChunks, migrate, type Database } from '../subgraphs/kit/db.js';
import { ListStore, type ListEntry } from '../subgraphs/kit/lists/store.js';
import { ListLifecycle } from '../subgraphs/kit/lists/lifecycle.js';
import type { DepartmentConfig } from '../subgraphs/kit/lists/department.js';
import { entriesTable, exitApplicationsTable, historyTable, objectionsTable, repairStepsTable, subjectFileTable } from '../subgraphs/kit/lists/tables.js';
import { outboxTable } from '../subgraphs/kit/outbox.js';
import { closeNotifier } from '../subgraphs/kit/events/notifier.js';
import { SubjectRegistry } from '../subgraphs/platform/registry.js';
import { subjectsTable } from '../subgraphs/platform/registry.js';
import { generateDemoData, type DemoData } from './demo-data.js';
import { generateDemoCases, type DemoCaseRecords } from './demo-cases.js';

export interface SeedOptions {
  subjects: number;
  seed?: number;
  asOf?: string;
  append?: boolean;
  /** Objections and credit repair too (and their effect on the entries). */
  caseRecords?: boolean;
  databaseUrl?: (subgraph: string) => string | undefined;
  log?: (line: string) => void;
}

/**
 * Holds the demo's recognitions to the checks the hub applies to a department's: each goes
 * through `ListLifecycle.checkRecognition` as of the moment it was shared, on a clock only this
 * function holds (the hub's lifecycles run on the system clock: no caller can date a
 * recognition back). A red entry is checked with the publicity it went through; a
 * key-attention entry that followed a black exit is the hub's consequence, not a recognition.
 * The demo's decision numbers are recorded without a content digest (demo-data.ts), so the
 * check leaves them out and computes none.
 * Throws naming the first entry the hub would refuse, and why.
 */
export function checkDemoRecognitions(db: Database, department: DepartmentConfig, entries: readonly ListEntry[]): void {
  let sharedAt = new Date(0);
  const lifecycle = new ListLifecycle(db, department, new ListStore(db, department), () => sharedAt);
  for (const entry of entries) {
    if (entry.followsEntryId) continue;
    sharedAt = new Date(entry.createdAt);
    try {
      lifecycle.checkRecognition({
        // A stored entry holds the SDL's enum values as plain strings.
        listKind: entry.listKind as ListKind, creditCode: entry.creditCode, subjectName: entry.subjectName, lei: entry.lei,
        legalRepresentative: entry.legalRepresentative as LegalRepresentativeInput | null, facts: entry.facts, legalBasis: entry.legalBasis,
        recognisedOn: entry.recognisedOn, validUntil: entry.validUntil, publicityDays: entry.publicityUntil ? DEMO_PUBLICITY_DAYS : 0,
        notification: entry.notification, repair: entry.repair, published: entry.published,
      });
    } catch (error) {
      throw new Error(`demo data: ${department.name} entry ${entry.id} (${entry.listKind}, shared ${entry.createdAt}) would be refused by recognition then: ${(error as Error).message}`);
    }
  }
}

/** The publicity a demo red entry went through (demo-data.ts: it ended a week before recognition). */
const DEMO_PUBLICITY_DAYS = 7;

async function withDatabase<T>(subgraph: string, options: SeedOptions, work: (db: Database) => Promise<T>): Promise<T> {
  const db = connect(options.databaseUrl?.(subgraph) ?? databaseUrlFor(subgraph));
  try {
    await migrate(db, subgraph, subgraphByName(subgraph).migrations);
    return await work(db);
  } finally {
    await db.destroy();
  }
}

export async function seed(options: SeedOptions): Promise<DemoData & { cases: Map<string, DemoCaseRecords> | null }> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const data = generateDemoData(departments, options);
  const cases = options.caseRecords ? generateDemoCases(data, options) : null;
  log(`generated ${data.subjects.length} subjects in ${Date.now() - started} ms`);

  await withDatabase('platform', options, async (db) => {
    await db.transaction(async (trx) => {
      if (!options.append) await trx(subjectsTable).delete();
      await new SubjectRegistry(db).insertMany(data.subjects, trx);
    });
    log(`platform: ${data.subjects.length} subjects`);
  });
  for (const department of departments) {
    const entries = data.entriesByDepartment.get(department.name)!;
    await withDatabase(department.name, options, async (db) => {
      checkDemoRecognitions(db, department, entries);
      await db.transaction(async (trx) => {
        if (!options.append) {
          const tables = [entriesTable, historyTable, outboxTable, objectionsTable, repairStepsTable, exitApplicationsTable, subjectFileTable];
          for (const table of tables) await trx(table(department.name)).delete();
        }
        await new ListStore(db, department).insertEntries(entries, 'demo-seed', trx);
        const records = cases?.get(department.name);
        if (records) {
          await insertInChunks(trx, objectionsTable(department.name), records.objections);
          await insertInChunks(trx, repairStepsTable(department.name), records.repairSteps);
          await insertInChunks(trx, exitApplicationsTable(department.name), records.exitApplications);
          await insertInChunks(trx, subjectFileTable(department.name), records.subjectFile);
        }
      });
    });
    const records = cases?.get(department.name);
    log(`${department.name}: ${entries.length} entries${records ? `, ${records.objections.length} objections, ${records.exitApplications.length} repair applications` : ''}`);
  }
  log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ...data, cases };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // As a command: the whole environment is checked first (a library import is not).
  await import('../subgraphs/kit/config/startup.js');
  const { values } = parseArgs({
    options: {
      subjects: { type: 'string', default: '1000' },
      seed: { type: 'string' },
      'as-of': { type: 'string' },
      append: { type: 'boolean', default: false },
      'no-cases': { type: 'boolean', default: false },
    },
  });
  const subjects = Number(values.subjects);
  if (!Number.isInteger(subjects) || subjects < 1) {
    console.error(`--subjects must be a positive whole number, got "${values.subjects}"`);
    process.exit(2);
  }
  seed({ subjects, seed: values.seed ? Number(values.seed) : undefined, asOf: values['as-of'], append: values.append, caseRecords: !values['no-cases'], log: console.log })
    // The writes announce their commits (through NATS with NATS_URL): let go of it, and exit.
    .then(() => closeNotifier())
    .catch((error) => {
      console.error(`seed failed: ${error.message}`);
      process.exitCode = 1;
      return closeNotifier();
    });
}
