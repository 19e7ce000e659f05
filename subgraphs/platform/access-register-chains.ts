/**
 * The access register in several hash chains (ACCESS_REGISTER_CHAINS, default 8; raising it
 * later adds chains), so replicas appending at the same time do not all wait on — or, on a
 * multi-primary cluster, all conflict on — one head row: an append locks the head of one chain picked at
 * random (again on a retry). Each record says its chain and its place in it (`chain_index`,
 * from the chain's head), so verification follows each chain in order whatever order the
 * database handed out `seq` in. Records written before are chain 1, in seq order.
 */
import type { Migration } from '../kit/db.js';
import { accessRegisterHeadTable, accessRegisterTable, GENESIS_HASH } from './access-register-tables.js';
import { configuration } from '../kit/config/index.js';

export const accessRegisterChainsMigration: Migration = {
  name: 'platform_010_access_register_chains',
  async up(db) {
    await db.schema.alterTable(accessRegisterTable, (t) => {
      t.integer('chain').notNullable().defaultTo(1);
      t.bigInteger('chain_index').nullable();
    });
    // Place the existing records in chain 1, in seq order.
    let index = 0;
    let after = 0;
    for (;;) {
      const rows = await db(accessRegisterTable).where('seq', '>', after).orderBy('seq').limit(500).select('seq');
      if (rows.length === 0) break;
      const cases = rows.map(() => 'WHEN ? THEN ?').join(' ');
      await db(accessRegisterTable)
        .whereIn('seq', rows.map((row: any) => row.seq))
        .update({ chain_index: db.raw(`CASE seq ${cases} END`, rows.flatMap((row: any) => [row.seq, ++index])) });
      after = Number(rows.at(-1).seq);
    }
    await db.schema.alterTable(accessRegisterTable, (t) => {
      t.unique(['chain', 'chain_index'], { indexName: 'platform_access_register_by_chain' });
    });
    const chains = configuration().ACCESS_REGISTER_CHAINS;
    const heads = [];
    for (let id = 2; id <= chains; id++) heads.push({ id, record_count: 0, last_hash: GENESIS_HASH });
    if (heads.length) await db(accessRegisterHeadTable).insert(heads);
  },
  async down(db) {
    await db(accessRegisterHeadTable).where('id', '>', 1).delete();
    await db.schema.alterTable(accessRegisterTable, (t) => {
      t.dropUnique(['chain', 'chain_index'], 'platform_access_register_by_chain');
      t.dropColumn('chain_index');
      t.dropColumn('chain');
    });
  },
};
