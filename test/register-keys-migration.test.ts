/**
 * Keying a register that already has records (migration platform_014): the records written
 * before stay unkeyed below each head's keyed start and still verify; records written after
 * carry MACs; the first checkpoint signs where keyed records start, so stripping a MAC and
 * moving the start back shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialect, type TestDatabase } from './env.js';
import { connect, migrate, type Database } from '../subgraphs/kit/db.js';
import { migrations } from '../subgraphs/platform/migrations.js';
import { accessRegisterHeadTable, accessRegisterTable, GENESIS_HASH } from '../subgraphs/platform/access-register-tables.js';
import { accessRegisterKeysMigration } from '../subgraphs/platform/access-register-keys.js';
import { recordHash } from '../subgraphs/platform/access-register-integrity.js';
import { AccessRegister } from '../subgraphs/platform/access-register.js';
import { loadCheckpointKeys, RegisterCheckpoints } from '../subgraphs/platform/access-register-checkpoints.js';
import { accessRegisterKey } from '../subgraphs/kit/auth/secrets.js';

const clock = () => new Date('2026-11-30T08:00:00Z');
const PRINCIPAL = { role: 'AGENCY' as const, id: 'agency-legacy', agency: '某区政府采购中心', scopes: [] };
const PURPOSE = { purpose: '政府采购供应商资格审查', reference: 'CG-LEGACY' };
const PERSON = '110101199003070035';

let database: TestDatabase;
let db: Database;
let register: AccessRegister;

/** Three records in chain 1 as the register wrote them before it was keyed: hash chain only. */
async function writeLegacyRecords() {
  let prevHash = GENESIS_HASH;
  for (let index = 1; index <= 3; index++) {
    const content = {
      recordedAt: `2026-11-0${index}T08:00:00.000Z`, requestId: `legacy-${index}`, principalId: PRINCIPAL.id, role: 'AGENCY', organisation: PRINCIPAL.agency,
      subjectCode: PERSON, subjectType: 'NATURAL_PERSON', fields: ['Subject.name'], purpose: PURPOSE.purpose, reference: `CG-LEGACY-${index}`, prevHash,
    };
    const hash = recordHash(content);
    await db(accessRegisterTable).insert({
      recorded_at: content.recordedAt, request_id: content.requestId, principal_id: content.principalId, role: content.role, organisation: content.organisation,
      subject_code: content.subjectCode, subject_type: content.subjectType, fields: JSON.stringify(content.fields), purpose: content.purpose,
      reference: content.reference, prev_hash: prevHash, hash, chain: 1, chain_index: index,
    });
    prevHash = hash;
  }
  await db(accessRegisterHeadTable).where({ id: 1 }).update({ record_count: 3, last_hash: prevHash });
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = connect(database.urlFor('platform'));
  await migrate(db, 'platform', migrations.filter((m) => m !== accessRegisterKeysMigration));
  await writeLegacyRecords();
  await migrate(db, 'platform', migrations);
  register = new AccessRegister(db, clock, accessRegisterKey());
}, 60_000);
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe(`keying a register that has records (${dialect})`, () => {
  it('the records written before verify; keyed records start after them', async () => {
    const head = await db(accessRegisterHeadTable).where({ id: 1 }).first();
    expect(Number(head.keyed_from)).toBe(4);
    expect(await register.verify()).toMatchObject({ valid: true, checkedRecords: 3 });
  });

  it('records written after carry MACs; the checkpoint signs where keyed records start; a MAC stripped with the start moved back shows', async () => {
    for (let i = 0; i < 6; i++) await register.append(PRINCIPAL, { ...PURPOSE, reference: `CG-NEW-${i}` }, `new-${i}`, [{ creditCode: PERSON, field: 'Subject.name' }]);
    const keyed = await db(accessRegisterTable).whereNot('reference', 'like', 'CG-LEGACY-%');
    expect(keyed.every((row: any) => /^[0-9a-f]{64}$/.test(row.mac))).toBe(true);
    expect(await register.verify()).toMatchObject({ valid: true, checkedRecords: 9 });

    const checkpoints = new RegisterCheckpoints(db, clock, register, await loadCheckpointKeys(), undefined);
    await checkpoints.sign();
    const trusted = (await checkpoints.trusted())!;
    expect(trusted.claims.chains.find((c) => c.chain === 1)).toMatchObject({ keyedFrom: 4 });

    // Strip the MAC of a keyed record and move its chain's keyed start past it, as if it were written before.
    const [victim] = keyed.sort((a: any, b: any) => Number(a.seq) - Number(b.seq));
    await db(accessRegisterTable).where({ seq: victim.seq }).update({ mac: null });
    await db(accessRegisterHeadTable).where({ id: victim.chain }).update({ keyed_from: 1_000_000 });
    // The checkpoint's signed keyed start: the record must have its MAC.
    expect(await register.verify(trusted.claims)).toMatchObject({ valid: false, firstInvalidSeq: Number(victim.seq), problem: expect.stringMatching(/MAC does not match/) });
    // Without a checkpoint, the head's MAC covers its keyed start.
    expect(await register.verify()).toMatchObject({ valid: false, problem: expect.stringMatching(new RegExp(`head of chain ${victim.chain} was changed without the register key`)) });
  });
});
