/** Scripts and configuration errors never print a URL's credentials: a script given a DATABASE_URL of an unsupported form prints the URL's password. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ConfigurationError, parseConfiguration } from '../subgraphs/kit/config/index.js';
import { shownUrl } from '../subgraphs/kit/shown-url.js';

describe('scripts never print a database password', () => {
  for (const [script, args, variable] of [
    ['scripts/seed.ts', [], 'DATABASE_URL'],
    ['scripts/subgraph.ts', ['tax'], 'DATABASE_URL'],
    ['scripts/export-register.ts', [], 'PLATFORM_DATABASE_URL'],
  ] as const) {
    it(`${script} with a malformed ${variable}`, () => {
      const run = spawnSync('npx', ['tsx', script, ...args], {
        cwd: process.cwd(),
        env: { ...process.env, [variable]: 'mysql:/credithub:S3cretPw@db.example/credithub' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const output = run.stdout + run.stderr;
      expect(output).not.toContain('S3cretPw');
      expect(output).toContain(`${variable}="mysql:/credithub:***@db.example/credithub" is not allowed`);
    }, 70_000);
  }
});

describe('a URL value in a configuration error', () => {
  for (const [variable, value, shown] of [
    ['NATS_URL', 'http://app:S3cretPw@nats:4222', 'http://app:***@nats:4222'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'ftp://collector:4318/?token=S3cretPw&tenant=a', 'ftp://collector:4318/?token=***&tenant=a'],
    ['TAX_DATABASE_URL', 'postgres://tax:S3cretPw@db/tax?sslpassword=S3cretPw', 'postgres://tax:***@db/tax?sslpassword=***'],
  ] as const) {
    it(`${variable}: credentials masked, the rest shown`, () => {
      let message = '';
      try {
        parseConfiguration({ [variable]: value });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        message = (error as Error).message;
      }
      expect(message).toContain(`${variable}=${JSON.stringify(shown)} is not allowed`);
      expect(message).not.toContain('S3cretPw');
    });
  }
  it('shownUrl masks passwords holding "@", "/", "#" or "?", a value with a leading space, and a lone token', () => {
    for (const password of ['p@ss', 'pa/ss', 'pa#ss', 'pa?ss']) {
      const shown = shownUrl(`mysql://user:${password}@host/db`);
      expect(shown).toBe('mysql://user:***@host/db');
      expect(shown).not.toContain(password.slice(2));
    }
    expect(shownUrl(' mysql://user:pw123@host/db')).toBe(' mysql://user:***@host/db');
    expect(shownUrl('nats://s3cr3tToken@host:4222')).toBe('nats://***@host:4222');
  });

  it('shownUrl leaves a URL without credentials as it is', () => {
    expect(shownUrl('https://hooks.example/in?team=a#x')).toBe('https://hooks.example/in?team=a#x');
    expect(shownUrl('mysql://root@127.0.0.1:3306/test')).toBe('mysql://root@127.0.0.1:3306/test');
    expect(shownUrl('https://u:p@hooks.example/in?api_key=k&access_token=t')).toBe('https://u:***@hooks.example/in?api_key=***&access_token=***');
  });
});
