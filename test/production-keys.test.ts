/**
 * Production refuses development keys: with NODE_ENV=production the gateway and the
 * subgraphs do not start without real key material and shared secrets, and say what is
 * missing. Every token must expire, within a maximum lifetime, from the configured issuer
 * for the configured audience, with string claims; a too-short shared secret is refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, setEnv, startTestHub, type TestHub } from './env.js';
import { createTokenVerifier } from '../gateway/auth.js';
import { compiledEntryPoint, runScript } from '../scripts/cluster/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'credithub-production-'));
const STRONG = 'p'.repeat(48);

/**
 * Runs an entry point (compiled) with `env` (nothing inherited but PATH), for at most 20 s or
 * until its output matches `until` (then it is stopped): its exit code and output.
 */
const run = (script: string, args: string[], env: Record<string, string>, until?: RegExp) =>
  runScript(script, args, { compiled: true, until, env: { DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', ...env } });

describe('NODE_ENV=production without real keys: no start, and what is missing is named', () => {
  it('the gateway', async () => {
    const { code, output } = await run('scripts/gateway.ts', [], { NODE_ENV: 'production' });
    expect(code).toBe(1);
    for (const missing of ['JWT_JWKS_URL', 'JWT_PUBLIC_KEY_FILE', 'JWT_ISSUER', 'CREDITHUB_INTERNAL_SECRET']) expect(output).toContain(missing);
    expect(output).not.toMatch(/ready at/);
  }, 30_000);

  it('the gateway with an HS256 secret and a JWKS URL over http', async () => {
    const { code, output } = await run('scripts/gateway.ts', [], {
      NODE_ENV: 'production', CREDITHUB_JWT_SECRET: STRONG, CREDITHUB_INTERNAL_SECRET: STRONG, JWT_ISSUER: 'https://idp.example.gov.cn',
      JWT_JWKS_URL: 'http://idp.example.gov.cn/jwks',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/CREDITHUB_JWT_SECRET .*not accepted in production/);
    expect(output).toMatch(/JWT_JWKS_URL must be an https URL/);
  }, 30_000);

  it('a short internal secret stops any start, production or not, without showing the secret', async () => {
    for (const NODE_ENV of ['production', 'development']) {
      const { code, output } = await run('scripts/gateway.ts', [], { NODE_ENV, CREDITHUB_INTERNAL_SECRET: 'short' });
      expect(code).toBe(78);
      expect(output.trim()).toBe('configuration: CREDITHUB_INTERNAL_SECRET=(5 characters, not shown) is not allowed: at least 32 bytes (e.g. openssl rand -base64 48)');
    }
  }, 30_000);

  it('the platform subgraph: the internal secret, the receipt key and the access register\'s keys', async () => {
    const { code, output } = await run('scripts/subgraph.ts', ['platform'], {
      NODE_ENV: 'production', DATABASE_URL: `sqlite:${join(dir, 'platform.sqlite')}`,
    });
    expect(code).toBe(1);
    expect(output).toContain('CREDITHUB_INTERNAL_SECRET');
    expect(output).toContain('CREDITHUB_RECEIPT_KEY');
    expect(output).toContain('CREDITHUB_REGISTER_KEY');
    expect(output).toContain('CREDITHUB_REGISTER_SIGNING_KEY');
    expect(output).not.toMatch(/ready at/);
  }, 30_000);

  it('the platform subgraph with a short register key', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const { code, output } = await run('scripts/subgraph.ts', ['platform'], {
      NODE_ENV: 'production', DATABASE_URL: `sqlite:${join(dir, 'platform-short.sqlite')}`, CREDITHUB_INTERNAL_SECRET: STRONG,
      CREDITHUB_RECEIPT_KEY: pem, CREDITHUB_REGISTER_SIGNING_KEY: pem, CREDITHUB_REGISTER_KEY: 'short',
    });
    expect(code).toBe(78);
    expect(output.trim()).toBe('configuration: CREDITHUB_REGISTER_KEY=(5 characters, not shown) is not allowed: at least 32 bytes (e.g. openssl rand -base64 48)');
    expect(output).not.toContain('CREDITHUB_REGISTER_SIGNING_KEY');
  }, 30_000);

  it('a department subgraph: the internal secret', async () => {
    const { code, output } = await run('scripts/subgraph.ts', ['tax'], { NODE_ENV: 'production', DATABASE_URL: `sqlite:${join(dir, 'tax.sqlite')}` });
    expect(code).toBe(1);
    expect(output).toContain('CREDITHUB_INTERNAL_SECRET');
    expect(output).not.toContain('CREDITHUB_RECEIPT_KEY');
    expect(output).not.toContain('CREDITHUB_REGISTER_KEY');
  }, 30_000);

  it('starts with everything configured', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const file = join(dir, 'idp.pem');
    writeFileSync(file, await exportSPKI(publicKey));
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const env = {
      NODE_ENV: 'production', JWT_PUBLIC_KEY_FILE: file, JWT_ALGORITHM: 'ES256', JWT_ISSUER: 'https://idp.example.gov.cn',
      CREDITHUB_INTERNAL_SECRET: STRONG, CREDITHUB_RECEIPT_KEY: await exportPKCS8(privateKey),
      CREDITHUB_REGISTER_KEY: 'r'.repeat(48), CREDITHUB_REGISTER_SIGNING_KEY: await exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey),
    };
    await expect(createTokenVerifier(env)).resolves.toBeDefined();
    // The subgraph gets past its check and listens (then it is stopped).
    const { output } = await run('scripts/subgraph.ts', ['platform'], { ...env, DATABASE_URL: `sqlite:${join(dir, 'ok.sqlite')}` }, /ready at|could not start/);
    expect(output).toMatch(/subgraph platform ready at/);
  }, 40_000);
});

describe('shared secrets', () => {
  it('a too-short CREDITHUB_JWT_SECRET is refused, even in development', async () => {
    const saved = process.env.CREDITHUB_JWT_SECRET;
    setEnv({ CREDITHUB_JWT_SECRET: 'a' });
    try {
      await expect(createTokenVerifier({})).rejects.toThrow(/^configuration: CREDITHUB_JWT_SECRET=\(1 characters, not shown\) is not allowed: at least 32 bytes/);
    } finally {
      setEnv({ CREDITHUB_JWT_SECRET: saved });
    }
  });
});

describe('tokens', () => {
  let hub: TestHub;
  const secret = () => new TextEncoder().encode(process.env.CREDITHUB_JWT_SECRET!);
  const hs256 = (claims: Record<string, unknown>) => new SignJWT({ sub: 'u-1', ...claims }).setProtectedHeader({ alg: 'HS256' }).setAudience('credithub').setIssuedAt();
  beforeAll(async () => {
    hub = await startTestHub({ subjects: 20 });
  }, 120_000);
  afterAll(() => hub?.stop());

  const QUERY = '{ checkCreditCode(code: "914403001922038216") { valid } }';
  const asToken = (token: string) => postGraphQL(hub.url, QUERY, undefined, { authorization: `Bearer ${token}` });

  it.each([
    ['without exp', () => hs256({ role: 'admin' }).sign(secret()), /no "exp" claim/],
    ['living 100 years', () => hs256({ role: 'admin' }).setExpirationTime('100y').sign(secret()), /lives \d+ s, longer than this hub accepts/],
    ['living 25 hours', () => hs256({ role: 'admin' }).setExpirationTime('25h').sign(secret()), /JWT_MAX_LIFETIME_S/],
    ['with role ["admin"]', () => hs256({ role: ['admin'] }).setExpirationTime('1h').sign(secret()), /"role" must be a string/],
    ['with scopes [1]', () => hs256({ role: 'agency', agency: 'x', scopes: [1] }).setExpirationTime('1h').sign(secret()), /"scopes" must be an array of strings/],
  ])('refuses a token %s: UNAUTHENTICATED, HTTP 401, with the reason', async (_label, mint, reason) => {
    const response = await asToken(await mint());
    expect(response.status).toBe(401);
    expect(response.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.errors![0].message).toMatch(reason);
  });

  it('takes a token of 23 hours', async () => {
    const response = await asToken(await hs256({ role: 'admin' }).setExpirationTime('23h').sign(secret()));
    expect(response.errors).toBeUndefined();
  });

  it('production verification: the issuer, the audience and a configured maximum lifetime', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const file = join(dir, 'idp-2.pem');
    writeFileSync(file, await exportSPKI(publicKey));
    const verifier = await createTokenVerifier({
      NODE_ENV: 'production', JWT_PUBLIC_KEY_FILE: file, JWT_ALGORITHM: 'ES256', JWT_ISSUER: 'https://idp.example.gov.cn',
      CREDITHUB_INTERNAL_SECRET: STRONG, JWT_MAX_LIFETIME_S: '600',
    });
    const token = (issuer: string, audience: string, lifetime: string) =>
      new SignJWT({ role: 'agency', agency: '某局' }).setProtectedHeader({ alg: 'ES256' }).setSubject('u-1').setIssuer(issuer)
        .setAudience(audience).setIssuedAt().setExpirationTime(lifetime).sign(privateKey);
    await expect(verifier.verify(await token('https://idp.example.gov.cn', 'credithub', '5m'))).resolves.toMatchObject({ sub: 'u-1' });
    await expect(verifier.verify(await token('https://elsewhere.example', 'credithub', '5m'))).rejects.toThrow(/iss/);
    await expect(verifier.verify(await token('https://idp.example.gov.cn', 'another-hub', '5m'))).rejects.toThrow(/aud/);
    await expect(verifier.verify(await token('https://idp.example.gov.cn', 'credithub', '11m'))).rejects.toThrow(/s$/);
  });
});
