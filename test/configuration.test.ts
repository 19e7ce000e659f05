/**
 * Configuration in one module (subgraphs/kit/config): every variable is refused, with its
 * name, its value and what is allowed, when its value is bad — by the module and by the real
 * entry points, which then do not start; unknown variables with the hub's prefixes are named
 * with the closest known one; secrets are never echoed; nothing outside the module reads the
 * environment; the README's tables are the module's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, configuration, parseConfiguration, resetConfiguration, sections, unknownVariableWarnings, variables } from '../subgraphs/kit/config/index.js';
import { configurationTables, withConfigurationTables } from '../subgraphs/kit/config/docs.js';
import { docOf } from '../subgraphs/kit/config/variable.js';
import { subgraphs } from '../subgraphs/catalog.js';
import { compiledEntryPoint } from '../scripts/cluster/processes.js';

const ROOT = join(import.meta.dirname, '..');

/** A value each kind of variable refuses: the allowed text says the kind. */
function badValueFor(name: string): string {
  const { allowed } = docOf(variables[name]);
  if (allowed.startsWith('an integer')) return 'abc';
  if (allowed === 'true or false') return 'yes';
  if (allowed.startsWith('one of')) return 'sometimes';
  if (allowed.startsWith('a URL')) return 'not a url';
  if (allowed.startsWith('comma-separated dates')) return '2026-13';
  if (allowed.startsWith('at least')) return 'short';
  if (allowed.startsWith('a PKCS#8')) return 'not a pem';
  if (allowed.startsWith('a JSON array')) return '{"name": "x"}';
  if (allowed.startsWith('letters, digits')) return 'has.dots';
  if (allowed.startsWith('a host name')) return 'two words';
  if (allowed.startsWith('comma-separated host names')) return 'hooks.example.gov.cn,*.internal';
  if (allowed.startsWith('a number from')) return '1.5';
  if (allowed.startsWith('a JWT')) return 'Bearer abc';
  if (allowed.startsWith('mysql://')) return 'postgres://db/credithub';
  return '';
}

const refusable = Object.keys(variables).filter((name) => badValueFor(name) !== '');

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    parseConfiguration(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('the configuration module', () => {
  it('parses the process environment once: a change counts after resetConfiguration(), another environment is read again when it changes', () => {
    const saved = process.env.SHUTDOWN_GRACE_MS;
    const before = configuration().SHUTDOWN_GRACE_MS;
    try {
      process.env.SHUTDOWN_GRACE_MS = String(before + 1);
      expect(configuration().SHUTDOWN_GRACE_MS).toBe(before);
      resetConfiguration();
      expect(configuration().SHUTDOWN_GRACE_MS).toBe(before + 1);
    } finally {
      if (saved === undefined) delete process.env.SHUTDOWN_GRACE_MS;
      else process.env.SHUTDOWN_GRACE_MS = saved;
      resetConfiguration();
    }
    const env: NodeJS.ProcessEnv = { SHUTDOWN_GRACE_MS: '100' };
    expect(configuration(env).SHUTDOWN_GRACE_MS).toBe(100);
    env.SHUTDOWN_GRACE_MS = '200';
    expect(configuration(env).SHUTDOWN_GRACE_MS).toBe(200);
    // Read on every request: 100,000 reads take well under a second (checking the environment each time took about 5).
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) configuration();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('accepts an empty environment: every variable has a default or is optional', () => {
    const settings = parseConfiguration({});
    expect(settings.GRAPHQL_MAX_DEPTH).toBe(12);
    expect(settings.EVENT_POLL_MS).toBe(1000);
    expect(settings.NODE_ENV).toBe('development');
  });

  it('refuses a bad value of every variable that can have one, naming it, the value and what is allowed', () => {
    // Everything but free text and paths: those accept any value. A new kind of variable
    // must get a bad value above, or be one of these.
    const acceptingAnything = Object.keys(variables).filter((name) => !refusable.includes(name));
    for (const name of acceptingAnything) expect(['any text', 'a file path', 'a directory path'], name).toContain(docOf(variables[name]).allowed);
    for (const name of refusable) {
      const value = badValueFor(name);
      const message = refusal({ [name]: value });
      const shown = docOf(variables[name]).secret ? `${name}=(${value.length} characters, not shown)` : `${name}=${JSON.stringify(value)}`;
      expect(message).toBe(`configuration: ${shown} is not allowed: ${docOf(variables[name]).allowed}`);
    }
  });

  it('refuses integers out of range, and names every bad variable in one line', () => {
    expect(refusal({ GRAPHQL_MAX_DEPTH: '0' })).toBe('configuration: GRAPHQL_MAX_DEPTH="0" is not allowed: an integer from 1 to 100');
    expect(refusal({ GRAPHQL_MAX_DEPTH: '101' })).toBe('configuration: GRAPHQL_MAX_DEPTH="101" is not allowed: an integer from 1 to 100');
    expect(refusal({ EVENT_POLL_MS: '1.5' })).toBe('configuration: EVENT_POLL_MS="1.5" is not allowed: an integer from 10 to 3600000 (ms)');
    // 0 switches retention off; a window shorter than 60 days is refused.
    expect(refusal({ CHANGE_FEED_RETENTION_DAYS: '30' })).toBe('configuration: CHANGE_FEED_RETENTION_DAYS="30" is not allowed: an integer from 60 to 36500 (days), or 0');
    expect(parseConfiguration({ CHANGE_FEED_RETENTION_DAYS: '0' }).CHANGE_FEED_RETENTION_DAYS).toBe(0);
    expect(parseConfiguration({ CHANGE_FEED_RETENTION_DAYS: '400' }).CHANGE_FEED_RETENTION_DAYS).toBe(400);
    const both = refusal({ GRAPHQL_MAX_DEPTH: 'abc', EVENT_POLL_MS: 'abc' });
    expect(both.split('\n')).toHaveLength(1);
    expect(both).toMatch(/GRAPHQL_MAX_DEPTH="abc".*; EVENT_POLL_MS="abc"/);
  });

  it('never shows a secret in a refusal', () => {
    for (const name of Object.keys(variables).filter((n) => docOf(variables[n]).secret)) {
      expect(refusal({ [name]: 'secret-value' })).not.toContain('secret-value');
    }
  });

  it('names a per-subgraph variable for every subgraph of the catalogue', () => {
    for (const { name } of subgraphs) {
      expect(variables).toHaveProperty(`${name.toUpperCase()}_DATABASE_URL`);
      expect(variables).toHaveProperty(`${name.toUpperCase()}_SUBGRAPH_URL`);
    }
    expect(refusal({ TAX_SUBGRAPH_URL: 'tax:4002' })).toBe('configuration: TAX_SUBGRAPH_URL="tax:4002" is not allowed: a URL starting with http:// or https://');
  });

  it('warns about unknown variables with the hub\'s prefixes, with the closest known name', () => {
    expect(unknownVariableWarnings({ GRAPHQL_MAX_DEPHT: '5', EVENT_POL_MS: '5', TAXX_DATABASE_URL: 'sqlite::memory:', TEST_DATABASE_URL: 'mysql://root@127.0.0.1:3306/test', HOME: '/root', NODE_OPTIONS: '' })).toEqual([
      'configuration: EVENT_POL_MS is not a variable CreditHub knows, ignored: did you mean EVENT_POLL_MS?',
      'configuration: GRAPHQL_MAX_DEPHT is not a variable CreditHub knows, ignored: did you mean GRAPHQL_MAX_DEPTH?',
      'configuration: TAXX_DATABASE_URL is not a variable CreditHub knows, ignored: did you mean TAX_DATABASE_URL?',
    ]);
    expect(unknownVariableWarnings(Object.fromEntries(Object.keys(variables).map((name) => [name, 'x'])))).toEqual([]);
  });

  it('is the only reader of the environment in gateway/, subgraphs/ and scripts/ (benchmarks and the cluster harness aside)', () => {
    const readers: string[] = [];
    for (const dir of ['gateway', 'subgraphs', 'scripts']) {
      for (const file of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        const path = `${dir}/${file}`;
        if (!/\.(ts|mjs)$/.test(path) || path.startsWith('subgraphs/kit/config/') || /^scripts\/(bench|cluster\/)/.test(path)) continue;
        if (/process\.env\b/.test(readFileSync(join(ROOT, path), 'utf8'))) readers.push(path);
      }
    }
    expect(readers).toEqual([]);
  });

  it('is what the README\'s configuration tables say (npm run config:docs rewrites them)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(withConfigurationTables(readme), 'README.md is stale: run npm run config:docs').toBe(readme);
    for (const section of Object.values(sections)) for (const name of Object.keys(section)) expect(configurationTables()).toContain(`| \`${name}\` |`);
  });
});

/** Runs a compiled entry point with `env` (nothing inherited but PATH) until it exits, prints `until` (then it is stopped) or 20 s pass. */
function run(script: string, args: string[], env: Record<string, string>, until?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'credithub-config-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [compiledEntryPoint(script), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH!, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (until?.test(stdout)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the entry points (node dist/…) with a bad variable', () => {
  const cases = [
    { script: 'scripts/gateway.ts', args: [], variable: 'GRAPHQL_MAX_DEPTH', line: 'configuration: GRAPHQL_MAX_DEPTH="abc" is not allowed: an integer from 1 to 100' },
    { script: 'scripts/subgraph.ts', args: ['tax'], variable: 'EVENT_POLL_MS', line: 'configuration: EVENT_POLL_MS="abc" is not allowed: an integer from 10 to 3600000 (ms)' },
    { script: 'scripts/subgraph.ts', args: ['platform'], variable: 'WEBHOOK_TIMEOUT_MS', line: 'configuration: WEBHOOK_TIMEOUT_MS="abc" is not allowed: an integer from 1 to 3600000 (ms)' },
  ];
  for (const { script, args, variable, line } of cases) {
    it(`${[script, ...args].join(' ')} with ${variable}=abc refuses to start, in one line, exit code 78`, async () => {
      const { code, stdout, stderr } = await run(script, args, { [variable]: 'abc' });
      expect(code).toBe(78);
      expect(stderr).toBe(`${line}\n`);
      expect(stdout).toBe('');
    }, 30_000);
  }

  it('a misspelt variable is named with a suggestion, and the process starts', async () => {
    const { stdout, stderr } = await run('scripts/subgraph.ts', ['tax'], { GRAPHQL_MAX_DEPHT: '5', CREDITHUB_WORKERS: 'off', DATABASE_URL: 'sqlite::memory:' }, /ready at/);
    expect(stderr).toContain('configuration: GRAPHQL_MAX_DEPHT is not a variable CreditHub knows, ignored: did you mean GRAPHQL_MAX_DEPTH?\n');
    expect(stdout).toMatch(/subgraph tax ready at/);
  }, 30_000);
});
