/**
 * Issue 15 (4): tampering with the access register shows even to someone who controls the
 * database but not the keys. Every case edits the database as such an attacker would — the
 * public SHA-256 chain recomputed, the heads fixed, but no register key and no signing key —
 * and is checked online (verifyAccessRegister) and offline (npm run export-register, then
 * npm run verify-register with the public key alone, as separate processes with no hub).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialect, setEnv, startTestHub, type TestHub } from './env.js';
import { runScript } from '../scripts/cluster/processes.js';
import type { TokenClaims } from '../scripts/token.js';
import { accessRegisterHeadTable, accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';
import { accessRegisterCheckpointsTable, headColumns } from '../subgraphs/platform/access-register-keys.js';
import { CHECKPOINT_TYPE, recordHash } from '../subgraphs/platform/access-register-integrity.js';

const dir = mkdtempSync(join(tmpdir(), 'credithub-register-'));
const CHECKPOINT_FILE = join(dir, 'checkpoints.jsonl');
// Two chains, so each holds several of the few records written here.
setEnv({ CREDITHUB_REGISTER_CHECKPOINT_FILE: CHECKPOINT_FILE, ACCESS_REGISTER_CHAINS: '2' });

const AGENCY: TokenClaims = { role: 'agency', sub: 'agency-tamper', agency: '某区政府采购中心', region: '4403' };
const AUDITOR: TokenClaims = { role: 'auditor', sub: 'auditor-tamper' };
const personQuery = `query($code: ID!) { subject(creditCode: $code) { name } }`;
const VERIFY = `query($checkpoint: String) { verifyAccessRegister(checkpoint: $checkpoint) {
  valid checkedRecords firstInvalidSeq problem checkpoint { signedAt records source } } }`;
const SIGN = `mutation { signAccessRegisterCheckpoint { signedAt records checkpoint } }`;

let hub: TestHub;
let people: string[];
let publicKeyFile: string;
const db = () => hub.hub.subgraphs.get('platform')!.db;

async function read(times: number, reference: string) {
  for (let i = 0; i < times; i++) {
    const response = await hub.queryAs(AGENCY, personQuery, { code: people[i % people.length] }, { purpose: '政府采购供应商资格审查', reference: `${reference}-${i}` });
    expect(response.errors).toBeUndefined();
  }
}

const verifyOnline = async (checkpoint?: string) => {
  const response = await hub.queryAs(AUDITOR, VERIFY, { checkpoint });
  expect(response.errors).toBeUndefined();
  return response.data.verifyAccessRegister;
};

async function sign(): Promise<string> {
  const response = await hub.queryAs(AUDITOR, SIGN);
  expect(response.errors).toBeUndefined();
  return response.data.signAccessRegisterCheckpoint.checkpoint;
}

/** Runs a script (its source) as its own process: its exit code and output. */
const run = (script: string, args: string[], env: Record<string, string> = {}) => runScript(script, args, { env });

/** The auditor's way: export the register from the database, verify it against the checkpoint file offline. */
async function verifyOffline(checkpointFile = CHECKPOINT_FILE) {
  const records = join(dir, `export-${Date.now()}.jsonl`);
  const exported = await run('scripts/export-register.ts', ['--out', records], { PLATFORM_DATABASE_URL: hub.database.urlFor('platform') });
  expect(exported.code, exported.output).toBe(0);
  return run('scripts/verify-register.ts', ['--checkpoint', checkpointFile, '--records', records, '--public-key', publicKeyFile]);
}

// The attacker's tools: the database, the public hash function, no key.
const rowsOf = (chain: number) => db()(accessRegisterTable).where({ chain }).orderBy('chain_index');

/** Renumbers a chain's rows in the order given, recomputes every hash and fixes the head — all but the MACs. */
async function rechain(chain: number, rows: any[]) {
  let prevHash = '0'.repeat(64);
  // Out of the way of the unique (chain, chain_index) first.
  for (const row of rows) await db()(accessRegisterTable).where({ seq: row.seq }).update({ chain_index: -Number(row.seq) });
  for (const [i, row] of rows.entries()) {
    const hash = recordHash({
      prevHash, recordedAt: row.recorded_at, requestId: row.request_id, principalId: row.principal_id, role: row.role, organisation: row.organisation,
      subjectCode: row.subject_code, subjectType: row.subject_type, fields: JSON.parse(row.fields), purpose: row.purpose, reference: row.reference, salt: row.salt,
    });
    await db()(accessRegisterTable).where({ seq: row.seq }).update({ ...row, chain_index: i + 1, prev_hash: prevHash, hash });
    prevHash = hash;
  }
  await db()(accessRegisterHeadTable).where({ id: chain }).update({ record_count: rows.length, last_hash: prevHash });
}

/** The chain with the most records, and its rows. */
async function longestChain() {
  const counts = await db()(accessRegisterHeadTable).orderBy('record_count', 'desc').first();
  return { chain: Number(counts.id), rows: await rowsOf(Number(counts.id)) };
}

let snapshot: { records: any[]; heads: any[]; checkpoints: any[]; file: string };
async function restore() {
  const trx = db();
  await trx(accessRegisterTable).delete();
  await trx(accessRegisterHeadTable).delete();
  await trx(accessRegisterCheckpointsTable).delete();
  for (const row of snapshot.records) await trx(accessRegisterTable).insert(row);
  await trx(accessRegisterHeadTable).insert(snapshot.heads);
  for (const row of snapshot.checkpoints) await trx(accessRegisterCheckpointsTable).insert(row);
  writeFileSync(CHECKPOINT_FILE, snapshot.file);
}

beforeAll(async () => {
  hub = await startTestHub({ subjects: 300 });
  people = [...new Set(hub.demo.entriesByDepartment.get('courts')!.filter((e) => e.subjectType === 'NATURAL_PERSON' && e.status === 'ACTIVE').map((e) => e.creditCode))];
  const key = await hub.queryAs(null, `{ accessRegisterCheckpointKey { alg kid pem } }`);
  expect(key.data.accessRegisterCheckpointKey.alg).toBe('ES256');
  publicKeyFile = join(dir, 'register-key.pem');
  writeFileSync(publicKeyFile, key.data.accessRegisterCheckpointKey.pem);
  // 8 records, a checkpoint over them, then 4 more after it.
  await read(8, 'CG-BEFORE');
  await sign();
  await read(4, 'CG-AFTER');
  snapshot = {
    records: await db()(accessRegisterTable).orderBy('seq'),
    heads: await db()(accessRegisterHeadTable).orderBy('id'),
    checkpoints: await db()(accessRegisterCheckpointsTable).orderBy('id'),
    file: readFileSync(CHECKPOINT_FILE, 'utf8'),
  };
}, 120_000);
afterAll(() => hub?.stop());
beforeEach(async () => {
  if (snapshot) await restore();
});

describe(`the access register against an attacker with the database but not the keys (${dialect})`, () => {
  it('the honest register verifies online (against the checkpoint file) and offline', async () => {
    const online = await verifyOnline();
    expect(online).toMatchObject({ valid: true, checkedRecords: 12, problem: null, checkpoint: { records: 8, source: 'FILE' } });
    const offline = await verifyOffline();
    expect(offline.code, offline.output).toBe(0);
    expect(offline.output).toMatch(/VALID: 12 records; every chain reaches the checkpoint signed at .* \(8 records in 2 chains\) unchanged/);
    expect(offline.output).toMatch(/4 records after the checkpoint are chained/);
  });

  it('a checkpoint holds counts and hashes only: no subject code, no principal, no purpose', async () => {
    const line = JSON.parse(readFileSync(CHECKPOINT_FILE, 'utf8').trim().split('\n').at(-1)!);
    const claims = decodeJwt(line.checkpoint);
    expect(Object.keys(claims).sort()).toEqual(['chains', 'iat', 'iss', 'signedAt', 'sub']);
    for (const chain of claims.chains as any[]) expect(Object.keys(chain).sort()).toEqual(['chain', 'keyedFrom', 'lastHash', 'records']);
    const text = JSON.stringify(claims);
    for (const person of people) expect(text).not.toContain(person);
    expect(text).not.toContain('agency-tamper');
  });

  it('a record before the checkpoint edited, its chain and head recomputed: invalid online (MAC) and offline (checkpoint)', async () => {
    const { chain, rows } = await longestChain();
    const [first] = rows;
    rows[0] = { ...first, purpose: '查看邻居' };
    await rechain(chain, rows);
    expect(await verifyOnline()).toMatchObject({ valid: false, firstInvalidSeq: String(first.seq), problem: expect.stringMatching(/MAC does not match/) });
    const offline = await verifyOffline();
    expect(offline.code, offline.output).toBe(1);
    expect(offline.output).toMatch(new RegExp(`INVALID: .*chain ${chain} differs from the checkpoint`));
  });

  it('a record after the checkpoint edited and rechained: invalid online by its MAC (offline, only the next checkpoint will tell)', async () => {
    const { chain, rows } = await longestChain();
    const last = rows.at(-1);
    rows[rows.length - 1] = { ...last, reference: 'FORGED-1' };
    await rechain(chain, rows);
    expect(await verifyOnline()).toMatchObject({ valid: false, firstInvalidSeq: String(last.seq), problem: expect.stringMatching(/MAC does not match/) });
    // Nor will the hub vouch for it with a new checkpoint.
    const refused = await hub.queryAs(AUDITOR, SIGN);
    expect(refused.errors![0].extensions?.code).toBe('REGISTER_TAMPERED');
    expect(refused.errors![0].message).toMatch(/does not verify since the checkpoint of .*No checkpoint was signed/);
    expect(await db()(accessRegisterCheckpointsTable).count({ n: '*' })).toEqual([{ n: snapshot.checkpoints.length }]);
  });

  it('the rows after the checkpoint deleted and the head fixed: invalid online by the head MAC', async () => {
    const signed = decodeJwt(JSON.parse(snapshot.file.trim().split('\n').at(-1)!).checkpoint) as any;
    const grown = signed.chains.find((c: any) => snapshot.heads.some((h) => Number(h.id) === c.chain && Number(h.record_count) > c.records));
    const rows = await rowsOf(grown.chain);
    for (const row of rows.slice(grown.records)) await db()(accessRegisterTable).where({ seq: row.seq }).delete();
    await rechain(grown.chain, rows.slice(0, grown.records));
    expect(await verifyOnline()).toMatchObject({ valid: false, problem: expect.stringMatching(new RegExp(`head of chain ${grown.chain} was changed without the register key`)) });
  });

  it('rows up to the checkpoint deleted, even with an older head (a valid MAC) replayed: invalid against the checkpoint, online and offline', async () => {
    const { chain, rows } = await longestChain();
    for (const row of rows.slice(1)) await db()(accessRegisterTable).where({ seq: row.seq }).delete();
    // The head as it was when the chain had one record, MAC included, kept by the attacker.
    const early = snapshot.records.find((r) => Number(r.chain) === chain && Number(r.chain_index) === 1);
    const keptHead = headColumns(new TextEncoder().encode(process.env.CREDITHUB_REGISTER_KEY!), { chain, records: 1, lastHash: early.hash, keyedFrom: 1 });
    await db()(accessRegisterHeadTable).where({ id: chain }).update(keptHead);
    expect(await verifyOnline()).toMatchObject({ valid: false, problem: expect.stringMatching(new RegExp(`records were removed: chain ${chain} has 1 records, the checkpoint signed at`)) });
    const offline = await verifyOffline();
    expect(offline.code, offline.output).toBe(1);
    expect(offline.output).toMatch(new RegExp(`INVALID: records were removed: chain ${chain} has 1 records`));
  });

  it('an older checkpoint replayed at the end of the file, to hide records deleted since a newer one: refused online and offline', async () => {
    const first = readFileSync(CHECKPOINT_FILE, 'utf8').trim().split('\n').at(-1)!;
    const firstClaims = JSON.parse(Buffer.from(JSON.parse(first).checkpoint.split('.')[1], 'base64url').toString());
    const keptOf = (chain: number): number => firstClaims.chains.find((c: any) => c.chain === chain)?.records ?? 0;
    // A chain the first checkpoint holds that grew since: records go to chains by request, so the
    // 4 read after it may all have gone to others; read more until one such chain grew.
    const grownChain = async () =>
      (await db()(accessRegisterHeadTable)).find((head: any) => keptOf(Number(head.id)) > 0 && Number(head.record_count) > keptOf(Number(head.id)));
    let grown = await grownChain();
    for (let extra = 0; !grown && extra < 40; extra++) {
      await read(1, `CG-MORE-${extra}`);
      grown = await grownChain();
    }
    expect(grown, 'a chain of the first checkpoint grew').toBeTruthy();
    await sign(); // the newer checkpoint, over the records read after the first
    const chain = Number((grown as any).id);
    const rows = await rowsOf(chain);
    const kept = keptOf(chain);
    for (const row of rows.slice(kept)) await db()(accessRegisterTable).where({ seq: row.seq }).delete();
    await db()(accessRegisterHeadTable).where({ id: chain }).update({ record_count: kept, last_hash: rows[kept - 1].hash });
    writeFileSync(CHECKPOINT_FILE, `${readFileSync(CHECKPOINT_FILE, 'utf8').trimEnd()}\n${first}\n`);
    // The newest checkpoint (the most records) is the one verified against, wherever it stands in the file.
    const offline = await verifyOffline();
    expect(offline.code, offline.output).toBe(1);
    expect(offline.output).toMatch(new RegExp(`INVALID: records were removed: chain ${chain} has ${kept} records`));
    expect(await verifyOnline()).toMatchObject({ valid: false, problem: expect.stringMatching(new RegExp(`records were removed: chain ${chain} has ${kept} records`)) });
  });

  it('a middle row deleted and the chain renumbered and rechained: invalid online and offline', async () => {
    const { chain, rows } = await longestChain();
    const [removed] = rows.splice(1, 1);
    await db()(accessRegisterTable).where({ seq: removed.seq }).delete();
    await rechain(chain, rows);
    expect((await verifyOnline()).valid).toBe(false);
    const offline = await verifyOffline();
    expect(offline.code, offline.output).toBe(1);
    expect(offline.output).toMatch(/INVALID/);
  });

  it('a middle row deleted, nothing recomputed: shown as removed', async () => {
    const { rows } = await longestChain();
    await db()(accessRegisterTable).where({ seq: rows[1].seq }).delete();
    expect(await verifyOnline()).toMatchObject({ valid: false, firstInvalidSeq: String(rows[2].seq), problem: expect.stringMatching(/removed/) });
  });

  it('two records swapped and rechained: invalid online and offline', async () => {
    const { chain, rows } = await longestChain();
    [rows[0], rows[1]] = [rows[1], rows[0]];
    await rechain(chain, rows);
    expect((await verifyOnline()).valid).toBe(false);
    const offline = await verifyOffline();
    expect(offline.code, offline.output).toBe(1);
  });

  it('a record moved to another chain with its MAC: invalid (a MAC binds its chain and place)', async () => {
    const { chain, rows } = await longestChain();
    const other = chain === 1 ? 2 : 1;
    const moved = rows.at(-1);
    await rechain(chain, rows.slice(0, -1));
    await rechain(other, [...(await rowsOf(other)), { ...moved, chain: other }]);
    expect(await verifyOnline()).toMatchObject({ valid: false });
  });

  it('a record added past a head: invalid', async () => {
    const { chain, rows } = await longestChain();
    const { seq: _seq, ...last } = rows.at(-1);
    const prevHash = last.hash;
    await db()(accessRegisterTable).insert({ ...last, chain_index: rows.length + 1, prev_hash: prevHash, reference: 'FORGED-2' });
    expect(await verifyOnline()).toMatchObject({ valid: false, problem: `records were added: chain ${chain} has records past its head` });
  });

  it('verifying and signing while reads are registered: no false alarm', async () => {
    const reads = Array.from({ length: 24 }, (_, i) =>
      hub.queryAs(AGENCY, personQuery, { code: people[i % people.length] }, { purpose: '政府采购供应商资格审查', reference: `CG-CONCURRENT-${i}` }));
    const checks = Array.from({ length: 12 }, (_, i) => hub.queryAs(AUDITOR, i % 3 ? VERIFY : SIGN));
    for (const response of await Promise.all(reads)) expect(response.errors).toBeUndefined();
    for (const response of await Promise.all(checks)) {
      expect(response.errors).toBeUndefined();
      if (response.data.verifyAccessRegister) expect(response.data.verifyAccessRegister).toMatchObject({ valid: true });
    }
    expect(await verifyOnline()).toMatchObject({ valid: true, checkedRecords: 36 });
  });

  it('a forged checkpoint — another key, or the claims edited — is refused offline and online', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const line = JSON.parse(readFileSync(CHECKPOINT_FILE, 'utf8').trim().split('\n').at(-1)!);
    const claims = decodeJwt(line.checkpoint) as any;
    // The attacker cut chain 1 to nothing and signs a checkpoint saying so with a key of their own.
    const forged = await new SignJWT({ signedAt: claims.signedAt, chains: claims.chains.map((c: any) => ({ ...c, records: 0 })) })
      .setProtectedHeader({ alg: 'ES256', typ: CHECKPOINT_TYPE }).setIssuer('credithub').setSubject('access-register').setIssuedAt().sign(privateKey);
    const [header, , signature] = line.checkpoint.split('.');
    const edited = `${header}.${Buffer.from(JSON.stringify({ ...claims, chains: [] })).toString('base64url')}.${signature}`;
    for (const jws of [forged, edited]) {
      const file = join(dir, `forged-${jws.length}.jsonl`);
      writeFileSync(file, `${JSON.stringify({ ...line, checkpoint: jws })}\n`);
      const offline = await verifyOffline(file);
      expect(offline.code, offline.output).toBe(1);
      expect(offline.output).toMatch(/verify-register: CHECKPOINT_FORGED: .*its checkpoint on line 1 does not verify/);
      expect(offline.output).not.toMatch(/\n\s+at /);
      const given = await hub.queryAs(AUDITOR, VERIFY, { checkpoint: jws });
      expect(given.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'checkpoint' });
      // Appended to the file the hub reads: the hub says so instead of trusting it.
      writeFileSync(CHECKPOINT_FILE, `${snapshot.file}${JSON.stringify({ ...line, checkpoint: jws })}\n`);
      expect(await verifyOnline()).toMatchObject({ valid: false, problem: expect.stringMatching(/newest checkpoint is forged/) });
    }
  });

  it('verifies against a checkpoint given as an argument, and the worker signs only when the register grew', async () => {
    const given = JSON.parse(snapshot.file.trim().split('\n')[0]).checkpoint;
    expect(await verifyOnline(given)).toMatchObject({ valid: true, checkpoint: { source: 'GIVEN', records: 8 } });
    const platform = hub.hub.subgraphs.get('platform')!;
    expect(await platform.runWorker('register-checkpoint')).toBe(1);
    expect(await platform.runWorker('register-checkpoint')).toBe(0);
    const lines = readFileSync(CHECKPOINT_FILE, 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ records: 12 });
    expect(await verifyOnline()).toMatchObject({ valid: true, checkpoint: { records: 12, source: 'FILE' } });
    const offline = await verifyOffline();
    expect(offline.code, offline.output).toBe(0);
    expect(offline.output).not.toMatch(/after the checkpoint/);
  });
});

describe('who may use the register\'s checkpoints', () => {
  const ROLES: [string, TokenClaims | null][] = [
    ['public', null],
    ['agency', AGENCY],
    ['partner', { role: 'partner', agency: '某银行', sub: 'partner-1' }],
    ['officer', { role: 'officer', department: 'courts', sub: 'officer-courts' }],
    ['auditor', AUDITOR],
    ['admin', { role: 'admin', sub: 'admin-1' }],
  ];
  const DOORS: Record<string, string> = {
    verifyAccessRegister: `{ verifyAccessRegister { valid } }`,
    accessRegisterCheckpoints: `{ accessRegisterCheckpoints(first: 5) { signedAt records checkpoint } }`,
    signAccessRegisterCheckpoint: SIGN,
  };

  it('every role × every door: auditors and administrators only; the public key for everyone', async () => {
    for (const [label, claims] of ROLES) {
      const allowed = label === 'auditor' || label === 'admin';
      for (const [door, query] of Object.entries(DOORS)) {
        const response = await hub.queryAs(claims, query);
        expect({ label, door, code: response.errors?.[0].extensions?.code ?? null, answered: response.data?.[door] != null }).toEqual({
          label, door, code: allowed ? null : claims ? 'FORBIDDEN' : 'UNAUTHENTICATED', answered: allowed,
        });
      }
      const key = await hub.queryAs(claims, `{ accessRegisterCheckpointKey { pem } }`);
      expect(key.data.accessRegisterCheckpointKey.pem).toMatch(/BEGIN PUBLIC KEY/);
    }
  });
});

describe('the offline verifier: typed refusals, no stack traces', () => {
  it.each([
    [['--records', 'x.jsonl'], 2, /USAGE: missing --checkpoint, --public-key/],
    [['--checkpoint', '/nonexistent/c.jsonl', '--records', 'x', '--public-key', 'k'], 2, /FILE_UNREADABLE: the checkpoint file \/nonexistent\/c.jsonl: ENOENT/],
  ])('%j → exit %i', async (args, code, message) => {
    const result = await run('scripts/verify-register.ts', args as string[]);
    expect(result.code).toBe(code);
    expect(result.output).toMatch(message);
    expect(result.output).not.toMatch(/\n\s+at /);
  });

  it('a record line that is not a record, and a key that is not a key', async () => {
    const records = join(dir, 'bad.jsonl');
    writeFileSync(records, '{"seq": 1}\n');
    const bad = await run('scripts/verify-register.ts', ['--checkpoint', CHECKPOINT_FILE, '--records', records, '--public-key', publicKeyFile]);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/RECORDS_MALFORMED: .*line 1 is not a register record \(missing or mistyped: recordedAt/);
    const notKey = join(dir, 'not-a-key.pem');
    writeFileSync(notKey, await exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey));
    const wrongKey = await run('scripts/verify-register.ts', ['--checkpoint', CHECKPOINT_FILE, '--records', records, '--public-key', notKey]);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.output).toMatch(/PUBLIC_KEY_UNREADABLE/);
  });

  it('--help', async () => {
    const help = await run('scripts/verify-register.ts', ['--help']);
    expect(help.code).toBe(0);
    expect(help.output).toMatch(/Usage: npm run verify-register -- --checkpoint FILE --records EXPORT.jsonl --public-key KEY.pem/);
  });
});
