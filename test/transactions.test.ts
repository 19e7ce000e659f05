/**
 * Transactions a database aborts — a deadlock, a lock-wait timeout, a Galera certification
 * failure (reported as ER_LOCK_DEADLOCK) — are run again; what still fails is typed CONFLICT
 * or SERVICE_UNAVAILABLE (a node not ready: ER_UNKNOWN_COM_ERROR), never an internal error.
 * A real deadlock between two transactions on MySQL, and each kind of abort on both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { createTestDatabase, dialect, type TestDatabase } from './env.js';
import { connect, isMysql, type Database } from '../subgraphs/kit/db.js';
import { inTransaction } from '../subgraphs/kit/transactions.js';
import { formatSubgraphError } from '../subgraphs/kit/server.js';

let database: TestDatabase;
let db: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  db = connect(database.urlFor('scratch'));
  await db.schema.createTable('scratch_rows', (t) => {
    t.integer('id').primary();
    t.integer('value').notNullable();
  });
  await db('scratch_rows').insert([{ id: 1, value: 0 }, { id: 2, value: 0 }]);
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const driverError = (code: string, errno: number) => Object.assign(new Error(`${code}: from the driver`), { code, errno });

describe(`inTransaction (${dialect})`, () => {
  for (const [code, errno] of [['ER_LOCK_DEADLOCK', 1213], ['ER_LOCK_WAIT_TIMEOUT', 1205]] as const) {
    it(`runs a transaction aborted by ${code} again, rolled back in between, until it commits`, async () => {
      let runs = 0;
      const result = await inTransaction(db, async (trx) => {
        runs++;
        await trx('scratch_rows').where({ id: 1 }).increment('value', 1);
        if (runs < 3) throw driverError(code, errno);
        return 'committed';
      });
      expect(result).toBe('committed');
      expect(runs).toBe(3);
      // The two aborted runs left nothing behind.
      const row = await db('scratch_rows').where({ id: 1 }).first();
      expect(row.value).toBe(1);
      await db('scratch_rows').where({ id: 1 }).update({ value: 0 });
    });
  }

  it('answers CONFLICT, typed, when the collisions go on past the attempts', async () => {
    let runs = 0;
    const failing = inTransaction(db, async () => {
      runs++;
      throw driverError('ER_LOCK_DEADLOCK', 1213);
    }, { attempts: 4 });
    const error = await failing.catch((e) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions.code).toBe('CONFLICT');
    expect(error.message).toMatch(/retry/);
    expect(runs).toBe(4);
    expect(formatSubgraphError({ message: error.message, extensions: error.extensions }, error).extensions?.code).toBe('CONFLICT');
  });

  it('answers SERVICE_UNAVAILABLE for a cluster node that is not ready (ER_UNKNOWN_COM_ERROR), after one more try', async () => {
    let runs = 0;
    const error = await inTransaction(db, async () => {
      runs++;
      throw driverError('ER_UNKNOWN_COM_ERROR', 1047);
    }).catch((e) => e);
    expect(error.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(runs).toBe(2);
  });

  it('does not retry a typed answer or an error of the work itself', async () => {
    let runs = 0;
    const typed = await inTransaction(db, async () => {
      runs++;
      throw new GraphQLError('no', { extensions: { code: 'INVALID_TRANSITION' } });
    }).catch((e) => e);
    expect(typed.extensions.code).toBe('INVALID_TRANSITION');
    const plain = await inTransaction(db, async () => {
      runs++;
      throw new Error('a bug');
    }).catch((e) => e);
    expect(plain.message).toBe('a bug');
    expect(runs).toBe(2);
  });

  it.skipIf(dialect !== 'mysql')('two transactions that deadlock for real both commit: the one MySQL aborts is run again', async () => {
    expect(isMysql(db)).toBe(true);
    let arrived = 0;
    let release!: () => void;
    const bothHoldOne = new Promise<void>((resolve) => (release = resolve));
    const runs = { a: 0, b: 0 };
    const crossing = (name: 'a' | 'b', first: number, second: number) =>
      inTransaction(db, async (trx) => {
        runs[name]++;
        await trx('scratch_rows').where({ id: first }).increment('value', 1);
        if (runs[name] === 1) {
          if (++arrived === 2) release();
          await bothHoldOne;
        }
        await trx('scratch_rows').where({ id: second }).increment('value', 1);
      });
    await Promise.all([crossing('a', 1, 2), crossing('b', 2, 1)]);
    expect(runs.a + runs.b).toBe(3); // one of them was chosen as the deadlock victim and ran again
    const rows = await db('scratch_rows').orderBy('id');
    expect(rows.map((r: any) => r.value)).toEqual([2, 2]);
  });
});
