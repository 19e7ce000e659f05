/**
 * Every command-line script, given a bad argument or a setting it cannot use, says what is
 * wrong in one line (scripts that show their usage add it after a blank line) and exits
 * non-zero — never a stack trace, never the lines with carets Node prints for an uncaught
 * error. The compiled entry points are run, as production runs them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, runScript } from '../scripts/cluster/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'credithub-script-errors-'));
const SECRETS = {
  CREDITHUB_JWT_SECRET: 'test-development-jwt-secret-0123456789',
  CREDITHUB_INTERNAL_SECRET: 'test-internal-token-secret-0123456789',
  CREDITHUB_REGISTER_KEY: 'test-access-register-mac-key-0123456789',
};
// A MySQL URL nobody answers at, with a password that must not be printed.
const unreachable = async () => `mysql://root:hunter2-not-shown@127.0.0.1:${await freePort()}/credithub`;

interface Case {
  label: string;
  script: string;
  args: string[];
  env?: () => Promise<Record<string, string>>;
  code: number;
  /** The first line. */
  says: RegExp;
  /** The usage follows the reason (after a blank line). */
  usage?: boolean;
}

const cases: Case[] = [
  { label: 'export-register --out a directory', script: 'scripts/export-register.ts', args: ['--out', dir], code: 2, says: /^export-register: OUT_UNWRITABLE: cannot write --out .* \(EISDIR: .*\): give a file path/ },
  { label: 'export-register with a bogus database URL', script: 'scripts/export-register.ts', args: [], env: async () => ({ DATABASE_URL: 'bogus' }), code: 78, says: /^configuration: DATABASE_URL="bogus" is not allowed: mysql:\/\/user:password@host/ },
  { label: 'export-register with an unreachable database', script: 'scripts/export-register.ts', args: [], env: async () => ({ PLATFORM_DATABASE_URL: await unreachable() }), code: 1, says: /^export-register: REGISTER_UNREADABLE: cannot read the access register \(connect ECONNREFUSED .*\); check PLATFORM_DATABASE_URL/ },
  { label: 'export-register with an unknown option', script: 'scripts/export-register.ts', args: ['--bogus'], code: 2, says: /^export-register: USAGE: Unknown option '--bogus'/, usage: true },
  { label: 'verify-register with a missing file', script: 'scripts/verify-register.ts', args: ['--checkpoint', join(dir, 'none.jsonl'), '--records', join(dir, 'none'), '--public-key', join(dir, 'none.pem')], code: 2, says: /^verify-register: FILE_UNREADABLE: the checkpoint file .*none\.jsonl: ENOENT/ },
  { label: 'verify-register with an unknown option', script: 'scripts/verify-register.ts', args: ['--bogus'], code: 2, says: /^verify-register: USAGE: Unknown option '--bogus'/, usage: true },
  { label: 'token with an unknown option', script: 'scripts/token.ts', args: ['--role', 'admin', '--bogus'], code: 2, says: /^Cannot mint this token: Unknown option '--bogus'/, usage: true },
  { label: 'import with an unknown option', script: 'scripts/import/main.ts', args: ['--bogus'], code: 2, says: /^import: Unknown option '--bogus'/ },
  { label: 'import of a file that is not there', script: 'scripts/import/main.ts', args: ['--department', 'courts', join(dir, 'none.csv')], code: 2, says: /^Cannot import: .*none\.csv does not exist/, usage: true },
  { label: 'export with an unknown option', script: 'scripts/export/main.ts', args: ['--bogus'], code: 2, says: /^export: Unknown option '--bogus'/ },
  { label: 'subgraph with an unknown name', script: 'scripts/subgraph.ts', args: ['nosuch'], code: 1, says: /^subgraph nosuch could not start: No subgraph "nosuch": choose one of platform, tax, market, courts, safety/ },
  { label: 'subgraph with a stray argument', script: 'scripts/subgraph.ts', args: ['tax', '--bogus'], code: 2, says: /^subgraph: takes one subgraph's name and nothing more .*: --bogus/ },
  {
    label: 'subgraph with an unreachable database',
    script: 'scripts/subgraph.ts',
    args: ['tax'],
    env: async () => ({ ...SECRETS, TAX_DATABASE_URL: await unreachable(), CREDITHUB_WORKERS: 'off' }),
    code: 1,
    says: /^subgraph tax could not start: cannot reach the tax database \(TAX_DATABASE_URL: mysql:\/\/root:\*\*\*@127\.0\.0\.1:\d+\/credithub\): connect ECONNREFUSED/,
  },
  { label: 'gateway with a stray argument', script: 'scripts/gateway.ts', args: ['--bogus'], code: 2, says: /^gateway could not start: takes no arguments, its settings are environment variables .*: --bogus/ },
  {
    label: 'npm start with an unreachable database',
    script: 'scripts/start.ts',
    args: [],
    env: async () => ({ ...SECRETS, DATABASE_URL: await unreachable() }),
    code: 1,
    says: /^CreditHub could not start: cannot reach the platform database \(DATABASE_URL: mysql:\/\/root:\*\*\*@.*\): connect ECONNREFUSED/,
  },
];

describe('scripts with a bad argument or setting: one line, no stack, a non-zero exit', () => {
  it.each(cases.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const { code, output } = await runScript(c.script, c.args, { compiled: true, env: { DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', ...(await c.env?.()) } });
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines[0], output).toMatch(c.says);
    expect(code, output).toBe(c.code);
    // No stack frame, no caret line pointing into a source file, no password.
    expect(output).not.toMatch(/^\s+at .*(\.[jt]s:\d+|node:)/m);
    expect(output).not.toMatch(/^\s*\^+\s*$/m);
    expect(output).not.toContain('hunter2');
    if (c.usage) expect(output).toMatch(/\n\nUsage: /);
    else expect(lines, output).toHaveLength(1);
  });
});
