/**
 * Seeds added to the code reach a database migrated before them, once (catalogue-seeds.ts): a
 * platform database loaded with the catalogue as it was before customs — no measures for
 * memorandums 10 and 18, general measures triggered by four departments' black lists — and
 * amended by an administrator, then started with the current code: the customs measures appear,
 * the general measures gain CUSTOMS_DISHONEST as a new version by the system, the administrator's
 * changes stay; a second start changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerHeaders, createTestDatabase, dialect, postGraphQL, type TestDatabase } from './env.js';
import type { TokenClaims } from '../scripts/token.js';
import { startHub, type RunningHub } from '../scripts/hub.js';
import { seed } from '../scripts/seed.js';
import { connect, migrate, type Migration } from '../subgraphs/kit/db.js';
import { departments } from '../subgraphs/departments.js';
import { migrations } from '../subgraphs/platform/migrations.js';
import { catalogueSeedsMigration } from '../subgraphs/platform/catalogue-seeds.js';
import { ChangeFeed } from '../subgraphs/platform/change-feed.js';
import { jointMeasuresMigration, MeasureCatalogue, measuresTable, memorandumsTable, seedCatalogue } from '../subgraphs/platform/measures.js';
import { MEMORANDUM_CATALOGUE } from '../subgraphs/platform/memorandum-catalogue.js';

/** The catalogue before customs: no customs measures, and no measure triggered by CUSTOMS_DISHONEST. */
const BEFORE_CUSTOMS = MEMORANDUM_CATALOGUE.map((m) => ({
  ...m,
  measures: m.number === 10 || m.number === 18 ? undefined : m.measures?.map((measure) => ({ ...measure, triggers: measure.triggers.filter((t) => t !== 'CUSTOMS_DISHONEST') })),
}));
const OLD_ALL_BLACK = ['DISHONEST_JUDGMENT_DEBTOR', 'MAJOR_TAX_VIOLATION', 'WORK_SAFETY_BLACK', 'SERIOUS_ILLEGAL_DISHONEST_ENTERPRISE'];

/** Platform_004 as a database migrated before customs ran it, and none of what came after it in the code. */
const migrationsBeforeCustoms: Migration[] = migrations
  .filter((migration) => migration !== catalogueSeedsMigration)
  .map((migration) =>
    migration !== jointMeasuresMigration
      ? migration
      : {
          ...migration,
          async up(db) {
            await migration.up(db);
            await db(measuresTable).delete();
            await db(memorandumsTable).delete();
            await seedCatalogue(db, BEFORE_CUSTOMS);
          },
        },
  );

let now = new Date('2026-11-20T02:00:00.000Z');
const clock = () => now;
const ADMIN: TokenClaims = { role: 'admin', sub: 'admin-li' };
const AGENCY: TokenClaims = { role: 'agency', agency: '某市财政局', sub: 'agency-1' };
const ADMINISTRATOR_TRIGGERS = ['DISHONEST_JUDGMENT_DEBTOR', 'MAJOR_TAX_VIOLATION'];

let database: TestDatabase;
let hub: RunningHub | undefined;
let customsDishonest: string;

const start = async () => {
  hub = await startHub({ port: 0, subgraphPorts: 'random', databaseUrl: database.urlFor, clock, workers: 'manual' });
  await hub.settle();
};
const stop = async () => {
  await hub?.stop();
  hub = undefined;
};
const ask = async (claims: TokenClaims, query: string, variables?: Record<string, unknown>) => {
  const response = await postGraphQL(hub!.gateway.url, query, variables, await callerHeaders(claims, { purpose: 'test', reference: 'SEEDS-1' }, departments.map((d) => d.name)));
  expect(response.errors).toBeUndefined();
  return response.data as any;
};
const catalogue = async () => {
  const data = await ask(ADMIN, `{ memorandums { id measures { id version description triggers effectiveFrom } } }`);
  return new Map<string, any>(data.memorandums.flatMap((m: any) => m.measures.map((measure: any) => [measure.id, { ...measure, memorandumId: m.id }])));
};
const changes = async () =>
  (await ask(ADMIN, `{ catalogueChanges(first: 100) { edges { node { actorRole actorId action measureId effectiveFrom } } } }`)).catalogueChanges.edges.map((e: any) => e.node);

beforeAll(async () => {
  database = await createTestDatabase();
  const db = connect(database.urlFor('platform'));
  try {
    await migrate(db, 'platform', migrationsBeforeCustoms);
    // The administrator amends two general measures before the code's seeds change.
    const measures = new MeasureCatalogue(db, clock, departments.flatMap((d) => d.lists.map((l) => l.kind)), new ChangeFeed(db, departments));
    const admin = { role: 'ADMIN', id: 'admin-li' };
    await measures.amendMeasure(admin, 'measure-43-2', { description: '限制取得政府补贴性资金（管理员修订）' }, '2026-11-20');
    await measures.amendMeasure(admin, 'measure-39-1', { triggers: ADMINISTRATOR_TRIGGERS }, '2026-11-20');
  } finally {
    await db.destroy();
  }
  const demo = await seed({ subjects: 300, databaseUrl: database.urlFor });
  customsDishonest = demo.entriesByDepartment.get('customs')!.find((e) => e.listKind === 'CUSTOMS_DISHONEST' && e.status === 'ACTIVE')!.creditCode;
  now = new Date('2026-11-23T02:00:00.000Z');
  await start();
}, 180_000);
afterAll(async () => {
  await stop();
  await database?.drop();
});

describe(`the code's seeds reach a database migrated before them (${dialect})`, () => {
  it('the customs measures appear, each once, in force from the day they arrived, added by the system', async () => {
    const measures = await catalogue();
    const customs = [...measures.values()].filter((m) => m.memorandumId === 'memorandum-10' || m.memorandumId === 'memorandum-18');
    expect(customs.map((m) => m.id).sort()).toEqual([
      ...[1, 2, 3, 4, 5].map((i) => `measure-10-${i}`),
      ...[1, 2, 3, 4, 5, 6].map((i) => `measure-18-${i}`),
    ].sort());
    expect(customs.every((m) => m.version === 1 && m.effectiveFrom === '2026-11-23')).toBe(true);
    expect(measures.get('measure-18-2').description).toBe(MEMORANDUM_CATALOGUE.find((m) => m.number === 18)!.measures![1].description);
    const added = (await changes()).filter((c: any) => c.action === 'MEASURE_ADDED');
    expect(added.map((c: any) => c.measureId).sort()).toEqual(customs.map((m) => m.id).sort());
    expect(added.every((c: any) => c.actorRole === 'SYSTEM' && c.actorId === 'catalogue-seeds')).toBe(true);
  });

  it("the general measures gain CUSTOMS_DISHONEST as a new version by the system; the administrator's changes stay", async () => {
    const measures = await catalogue();
    // Untouched by the administrator: a new version with every department's black lists.
    expect(measures.get('measure-43-1')).toMatchObject({ version: 2, effectiveFrom: '2026-11-23' });
    expect([...measures.get('measure-43-1').triggers].sort()).toEqual([...OLD_ALL_BLACK, 'CUSTOMS_DISHONEST'].sort());
    // The administrator changed its description: kept, and the triggers follow the seed.
    expect(measures.get('measure-43-2')).toMatchObject({ version: 3, description: '限制取得政府补贴性资金（管理员修订）' });
    expect(measures.get('measure-43-2').triggers).toContain('CUSTOMS_DISHONEST');
    // The administrator chose its triggers: the seed does not overwrite them.
    expect(measures.get('measure-39-1')).toMatchObject({ version: 2, triggers: ADMINISTRATOR_TRIGGERS });
    const amended = (await changes()).filter((c: any) => c.action === 'MEASURE_AMENDED');
    expect(amended.map((c: any) => `${c.actorRole} ${c.measureId} ${c.effectiveFrom}`).sort()).toEqual([
      'ADMIN measure-39-1 2026-11-20',
      'ADMIN measure-43-2 2026-11-20',
      'SYSTEM measure-43-1 2026-11-23',
      'SYSTEM measure-43-2 2026-11-23',
    ]);
  });

  it('a customs-dishonest enterprise is restricted in government procurement by the customs and the general measures', async () => {
    const SCREEN = `mutation($codes: [ID!]!) { screen(creditCodes: $codes, scenario: GOVERNMENT_PROCUREMENT, reference: "CG-SEEDS") { items { verdict measures { measure { id version } } } } }`;
    const { screen } = await ask(AGENCY, SCREEN, { codes: [customsDishonest] });
    expect(screen.items[0].verdict).toBe('RESTRICT');
    expect(screen.items[0].measures.map((m: any) => `${m.measure.id}@${m.measure.version}`)).toEqual(expect.arrayContaining(['measure-18-2@1', 'measure-43-1@2']));
  });

  it('a second start changes nothing', async () => {
    const measuresBefore = JSON.stringify([...(await catalogue()).entries()]);
    const changesBefore = await changes();
    await stop();
    now = new Date('2026-11-24T02:00:00.000Z');
    await start();
    expect(JSON.stringify([...(await catalogue()).entries()])).toBe(measuresBefore);
    expect(await changes()).toEqual(changesBefore);
  });
});
