/**
 * npm run seed -- --subjects N [--seed S] [--as-of YYYY-MM-DD] [--append]
 *
 * Fills every subgraph's database with deterministic demo data through the subgraphs'
 * own stores (each writes only its own tables, outbox events included). Without
 * --append, existing demo tables are emptied first.
 */
import { parseArgs } from 'node:util';
import { departments, subgraphByName } from '../subgraphs/catalog.js';
import { connect, databaseUrlFor, migrate, type Database } from '../subgraphs/kit/db.js';
import { ListStore } from '../subgraphs/kit/lists/store.js';
import { entriesTable, historyTable } from '../subgraphs/kit/lists/tables.js';
import { outboxTable } from '../subgraphs/kit/outbox.js';
import { SubjectRegistry } from '../subgraphs/platform/registry.js';
import { subjectsTable } from '../subgraphs/platform/migrations.js';
import { generateDemoData } from './demo-data.js';

export interface SeedOptions {
  subjects: number;
  seed?: number;
  asOf?: string;
  append?: boolean;
  databaseUrl?: (subgraph: string) => string | undefined;
  log?: (line: string) => void;
}

async function withDatabase<T>(subgraph: string, options: SeedOptions, work: (db: Database) => Promise<T>): Promise<T> {
  const db = connect(options.databaseUrl?.(subgraph) ?? databaseUrlFor(subgraph));
  try {
    await migrate(db, subgraph, subgraphByName(subgraph).migrations);
    return await work(db);
  } finally {
    await db.destroy();
  }
}

export async function seed(options: SeedOptions) {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const data = generateDemoData(departments, options);
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
      await db.transaction(async (trx) => {
        if (!options.append) {
          for (const table of [entriesTable, historyTable, outboxTable]) await trx(table(department.name)).delete();
        }
        await new ListStore(db, department).insertEntries(entries, 'demo-seed', trx);
      });
    });
    log(`${department.name}: ${entries.length} entries`);
  }
  log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return data;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      subjects: { type: 'string', default: '1000' },
      seed: { type: 'string' },
      'as-of': { type: 'string' },
      append: { type: 'boolean', default: false },
    },
  });
  const subjects = Number(values.subjects);
  if (!Number.isInteger(subjects) || subjects < 1) {
    console.error(`--subjects must be a positive whole number, got "${values.subjects}"`);
    process.exit(2);
  }
  seed({ subjects, seed: values.seed ? Number(values.seed) : undefined, asOf: values['as-of'], append: values.append, log: console.log }).catch(
    (error) => {
      console.error(`seed failed: ${error.message}`);
      process.exit(1);
    },
  );
}
