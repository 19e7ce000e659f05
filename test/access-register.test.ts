/**
 * Rule 12 (1798 (24)(25)): a register of who read which personal information and why,
 * that auditors can query and verify, and that shows any tampering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import type { TokenClaims } from '../scripts/token.js';
import { accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';
import { recordHash } from '../subgraphs/platform/access-register-integrity.js';

const AGENCY: TokenClaims = { role: 'agency', sub: 'agency-officer-7', agency: '某区政府采购中心', region: '4403' };
const AUDITOR: TokenClaims = { role: 'auditor', sub: 'auditor-1' };
const PURPOSE = { purpose: '政府采购供应商资格审查', reference: 'CG-2026-0815' };
const REGISTER = `query($code: ID) { accessRegister(filter: { subjectCode: $code }, first: 50) {
  edges { node { seq principalId role organisation subjectCode fields purpose reference requestId hash prevHash } } } }`;
const VERIFY = `{ verifyAccessRegister { valid checkedRecords firstInvalidSeq problem } }`;

let hub: TestHub;
let person: string;
const personQuery = `query($code: ID!) { subject(creditCode: $code) { name courts { entries { subjectName creditCode } } } }`;

beforeAll(async () => {
  hub = await startTestHub({ subjects: 300 });
  person = hub.demo.entriesByDepartment.get('courts')!.find((e) => e.subjectType === 'NATURAL_PERSON' && e.status === 'ACTIVE')!.creditCode;
});
afterAll(() => hub?.stop());

describe('the access register (个人信息查询使用登记)', () => {
  it('records every unmasked read: who, for whom, which subject and fields, why, for which matter', async () => {
    const read = await hub.queryAs(AGENCY, personQuery, { code: person }, PURPOSE);
    expect(read.errors).toBeUndefined();
    const { data, errors } = await hub.queryAs(AUDITOR, REGISTER, { code: person });
    expect(errors).toBeUndefined();
    const [record] = data.accessRegister.edges.map((e: any) => e.node);
    expect(record).toMatchObject({
      principalId: 'agency-officer-7',
      role: 'AGENCY',
      organisation: '某区政府采购中心',
      purpose: PURPOSE.purpose,
      reference: PURPOSE.reference,
    });
    expect(record.fields).toEqual(expect.arrayContaining(['Subject.name', 'ListEntry.subjectName', 'ListEntry.creditCode']));
    // The auditor sees the register, not the personal data itself.
    expect(record.subjectCode).toBe(`${person.slice(0, 4)}**********${person.slice(-4)}`);
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a record\'s hash does not give away the masked code: it is salted, and the salt is never shown', async () => {
    const { data } = await hub.queryAs(AUDITOR, REGISTER, { code: person });
    const record = data.accessRegister.edges[0].node;
    // An auditor who tries every code the mask leaves open computes the hash over what it sees: no match, even for the true code.
    const row = await hub.hub.subgraphs.get('platform')!.db(accessRegisterTable).where({ seq: record.seq }).first();
    const seen = { ...record, recordedAt: row.recorded_at, subjectType: 'NATURAL_PERSON', subjectCode: person };
    expect(recordHash(seen)).not.toBe(record.hash);
    // With the stored salt (the database's, never the API's) it is the record's hash.
    expect(row.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(recordHash({ ...seen, salt: row.salt })).toBe(record.hash);
    expect(Object.keys(record)).not.toContain('salt');
    const introspection = await hub.queryAs(AUDITOR, `{ __type(name: "AccessRecord") { fields { name } } }`);
    expect(introspection.data?.__type?.fields?.map((f: any) => f.name) ?? []).not.toContain('salt');
  });

  it('records nothing when nothing personal was unmasked', async () => {
    const before = (await hub.queryAs(AUDITOR, REGISTER, { code: person })).data.accessRegister.edges.length;
    await hub.queryAs(AGENCY, personQuery, { code: person }); // no purpose: masked
    await hub.queryAs(null, personQuery, { code: person }); // public: masked
    const after = (await hub.queryAs(AUDITOR, REGISTER, { code: person })).data.accessRegister.edges.length;
    expect(after).toBe(before);
  });

  it('is for auditors and administrators only', async () => {
    const { data, errors } = await hub.queryAs(AGENCY, REGISTER, { code: person }, PURPOSE);
    expect(data?.accessRegister ?? null).toBeNull();
    expect(errors![0].extensions?.code).toBe('FORBIDDEN');
  });

  it('verifies, and shows a changed record and a removed last record', async () => {
    await hub.queryAs(AGENCY, personQuery, { code: person }, PURPOSE);
    await hub.queryAs(AGENCY, personQuery, { code: person }, { ...PURPOSE, reference: 'CG-2026-0816' });
    const intact = await hub.queryAs(AUDITOR, VERIFY);
    expect(intact.data.verifyAccessRegister).toMatchObject({ valid: true, firstInvalidSeq: null });
    expect(intact.data.verifyAccessRegister.checkedRecords).toBeGreaterThanOrEqual(3);

    const db = hub.hub.subgraphs.get('platform')!.db;
    const [first] = await db(accessRegisterTable).orderBy('seq').limit(1);
    await db(accessRegisterTable).where({ seq: first.seq }).update({ purpose: '查看邻居' });
    const changed = (await hub.queryAs(AUDITOR, VERIFY)).data.verifyAccessRegister;
    expect(changed).toMatchObject({ valid: false, firstInvalidSeq: String(first.seq) });
    expect(changed.problem).toMatch(/changed/);
    await db(accessRegisterTable).where({ seq: first.seq }).update({ purpose: first.purpose });
    expect((await hub.queryAs(AUDITOR, VERIFY)).data.verifyAccessRegister.valid).toBe(true);

    const [last] = await db(accessRegisterTable).orderBy('seq', 'desc').limit(1);
    await db(accessRegisterTable).where({ seq: last.seq }).delete();
    const truncated = (await hub.queryAs(AUDITOR, VERIFY)).data.verifyAccessRegister;
    expect(truncated.valid).toBe(false);
    expect(truncated.problem).toMatch(/removed/);
    await db(accessRegisterTable).insert(last);
  });

  it('withholds personal data when its access cannot be registered', async () => {
    const db = hub.hub.subgraphs.get('platform')!.db;
    await db.schema.renameTable(accessRegisterTable, 'register_offline');
    try {
      const response = await hub.queryAs(AGENCY, personQuery, { code: person }, PURPOSE);
      expect(response.data ?? null).toBeNull();
      expect(response.errors![0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(response)).not.toContain(person);
    } finally {
      await db.schema.renameTable('register_offline', accessRegisterTable);
    }
  });
});
