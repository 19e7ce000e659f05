/**
 * `npm run token`: --help prints the usage (every option, --expires included); a wrong
 * option, an unknown scope or a lifetime the hub would refuse is an error that says what is
 * wrong and shows the usage, never a stack trace and never a token.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';

const DATA_DIR = mkdtempSync(join(tmpdir(), 'credithub-token-'));
const token = (...args: string[]) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], {
    env: { ...process.env, DATA_DIR },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('npm run token', () => {
  it('--help prints the usage with every option, and exits 0', () => {
    const { status, stdout, stderr } = token('--help');
    expect(status).toBe(0);
    for (const option of ['--role', '--department', '--agency', '--region', '--scopes', '--sub', '--expires', '--help']) expect(stdout).toContain(option);
    expect(stdout).toMatch(/read:black, read:red, read:key_attention/);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it.each([
    ['an unknown scope', ['--role', 'agency', '--agency', '某局', '--scopes', 'read:black,read:blak'], /unknown scope read:blak: the scopes are read:black, read:red, read:key_attention/],
    ['an unknown option', ['--role', 'admin', '--bogus'], /Unknown option '--bogus'/],
    ['no role', [], /--role is required/],
    ['a lifetime beyond JWT_MAX_LIFETIME_S', ['--role', 'admin', '--expires', '30d'], /longer than the hub accepts \(JWT_MAX_LIFETIME_S = 86400 s\)/],
    ['a lifetime that is not one', ['--role', 'admin', '--expires', 'soon'], /not a duration/],
    ['an officer without a department', ['--role', 'officer'], /department/],
  ])('refuses %s with the reason and the usage, exit 2, no token', (_label, args, reason) => {
    const { status, stdout, stderr } = token(...args);
    expect(status).toBe(2);
    expect(stderr).toMatch(reason);
    expect(stderr).toContain('Usage: npm run token');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });

  it('mints a token that lives as long as --expires says', () => {
    const { status, stdout } = token('--role', 'agency', '--agency', '某局', '--scopes', 'read:red', '--expires', '2h');
    expect(status).toBe(0);
    const claims = decodeJwt(stdout.trim());
    expect(claims).toMatchObject({ role: 'agency', agency: '某局', scopes: ['read:red'] });
    expect(claims.exp! - claims.iat!).toBe(7200);
  });
});
