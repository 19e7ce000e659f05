/**
 * Two guarantees tested below the gateway: a consumer that crashes mid-batch applies
 * nothing of it and nothing twice when it starts again; production tokens (RS256 with a
 * configured public key) are verified like development ones.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { startTestHub, type TestHub } from './env.js';
import { EventConsumer } from '../subgraphs/kit/events/consumer.js';
import { connect } from '../subgraphs/kit/db.js';
import { internalTokenSecret } from '../subgraphs/kit/auth/secrets.js';
import { createTokenVerifier } from '../gateway/auth.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 60 });
});
afterAll(() => hub?.stop());

describe('an event consumer killed mid-stream', () => {
  it('applies a batch all or nothing, and resumes where it committed', async () => {
    const db = connect(hub.database.urlFor('scratch'));
    try {
      await db.schema.createTable('scratch_offsets', (t) => {
        t.string('source', 32).primary();
        t.bigInteger('last_seq').notNullable();
        t.string('updated_at', 24).notNullable();
      });
      await db.schema.createTable('scratch_applied', (t) => {
        t.string('event_id', 36).primary();
        t.bigInteger('seq').notNullable();
      });
      await db.schema.createTable('scratch_processed_events', (t) => {
        t.string('event_id', 36).primary();
        t.string('source', 32).notNullable();
        t.string('applied_at', 24).notNullable();
      });
      // The courts relay gives the seeded events their delivery positions.
      while ((await hub.hub.subgraphs.get('courts')!.runWorker('relay')) > 0);
      const sources = { courts: hub.hub.subgraphs.get('courts')!.url };
      const expected = hub.demo.entriesByDepartment.get('courts')!.length;
      let crashAfter = Math.floor(expected / 2);
      const consumer = (crashing: boolean) =>
        new EventConsumer({
          db, name: 'scratch', prefix: 'scratch', offsetsTable: 'scratch_offsets', sources, secret: internalTokenSecret(), batchSize: 1000,
          handle: async (trx, event) => {
            if (crashing && crashAfter-- <= 0) throw new Error('killed');
            // A plain insert: a second application would fail on the primary key.
            await trx('scratch_applied').insert({ event_id: event.eventId, seq: event.position });
          },
        });
      await expect(consumer(true).pollOnce()).rejects.toThrow('killed');
      expect(await db('scratch_applied').count({ n: '*' })).toEqual([{ n: 0 }]);
      expect(Number((await db('scratch_offsets').first()).last_seq)).toBe(0);

      expect(await consumer(false).pollOnce()).toBe(expected);
      expect(await consumer(false).pollOnce()).toBe(0);
      const applied = await db('scratch_applied').orderBy('seq');
      expect(applied).toHaveLength(expected);
      expect(applied.map((row: any) => Number(row.seq))).toEqual([...Array(expected).keys()].map((i) => i + 1));
    } finally {
      await db.destroy();
    }
  });
});

describe('production tokens', () => {
  it('verifies RS256 tokens against a configured public key, and refuses HS256 ones', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const dir = mkdtempSync(join(tmpdir(), 'credithub-keys-'));
    const file = join(dir, 'public.pem');
    writeFileSync(file, await exportSPKI(publicKey));
    const verifier = await createTokenVerifier({ JWT_PUBLIC_KEY_FILE: file, JWT_ALGORITHM: 'RS256', JWT_ISSUER: 'https://idp.example.gov.cn' });
    const token = await new SignJWT({ role: 'agency', agency: '某局' })
      .setProtectedHeader({ alg: 'RS256' }).setSubject('u-1').setIssuer('https://idp.example.gov.cn').setAudience('credithub').setExpirationTime('5m')
      .sign(privateKey);
    expect(await verifier.verify(token)).toMatchObject({ role: 'agency', sub: 'u-1' });
    const hs256 = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setAudience('credithub').setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await expect(verifier.verify(hs256)).rejects.toThrow();
    const wrongIssuer = await new SignJWT({ role: 'agency' }).setProtectedHeader({ alg: 'RS256' }).setIssuer('elsewhere').setAudience('credithub')
      .setExpirationTime('5m').sign(privateKey);
    await expect(verifier.verify(wrongIssuer)).rejects.toThrow(/iss/);
  });
});
