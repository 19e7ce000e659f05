/**
 * The import's lock (scripts/import/report.ts, lockImport) on real files in a temporary folder,
 * held by real processes: the lock left by an import that was killed (its process gone) is taken
 * over; one held by a running process is refused, naming it, and left as it is; a take-over file
 * left by a killed import is refused, naming the file to remove, and one held by a running import
 * is refused as a running import. (test/import.test.ts does it through the hub and the CLI,
 * test/import-lock-race.test.ts two imports racing for the same stale lock.)
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockImport, lockPathOf } from '../scripts/import/report.js';

const dir = mkdtempSync(join(tmpdir(), 'import-lock-'));
const file = join(dir, 'rows.csv');
const lock = lockPathOf(file);
const takeover = `${lock}.takeover`;

/** A process that ran and exited: its id is no running process's. */
const deadPid = () => {
  const ran = spawnSync(process.execPath, ['-e', '']);
  expect(ran.status).toBe(0);
  return ran.pid!;
};
/** A process that runs until the tests end. */
const running: ChildProcess = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
afterAll(() => {
  running.kill();
  rmSync(dir, { recursive: true, force: true });
});

const holder = (pid: number) => JSON.stringify({ pid, since: '2026-12-01T00:00:00.000Z' });
const refusal = (take: () => unknown) => {
  try {
    take();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the lock was taken');
};

beforeEach(() => {
  writeFileSync(file, 'x\n');
  rmSync(lock, { force: true });
  rmSync(takeover, { force: true });
});

describe('the import lock, on real files', () => {
  it('is taken when there is none, held by this process, and removed on release', () => {
    const release = lockImport(file);
    expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(process.pid);
    release();
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over the lock left by an import that was killed', () => {
    const dead = deadPid();
    writeFileSync(lock, holder(dead));
    const release = lockImport(file);
    expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(process.pid);
    expect(existsSync(takeover)).toBe(false);
    release();
    expect(existsSync(lock)).toBe(false);
  });

  it('refuses the lock of a running import, naming it, and leaves it as it is', () => {
    writeFileSync(lock, holder(running.pid!));
    expect(refusal(() => lockImport(file))).toBe(
      `another import of this file is running (process ${running.pid}, since 2026-12-01T00:00:00.000Z): wait for it to finish; if it is not running, remove ${lock}`,
    );
    expect(readFileSync(lock, 'utf8')).toBe(holder(running.pid!));
  });

  it('refuses a stale lock whose take-over file a killed import left, naming the file to remove', () => {
    const dead = deadPid();
    writeFileSync(lock, holder(dead));
    writeFileSync(takeover, holder(dead));
    expect(refusal(() => lockImport(file))).toBe(`${takeover} was left by an import that was killed (process ${dead}): remove it, then run the import again`);
    expect(readFileSync(lock, 'utf8')).toBe(holder(dead));
    // Once it is removed, the stale lock is taken over.
    rmSync(takeover);
    lockImport(file)();
    expect(existsSync(lock)).toBe(false);
  });

  it('refuses a stale lock that a running import is taking over this instant', () => {
    writeFileSync(lock, holder(deadPid()));
    writeFileSync(takeover, holder(running.pid!));
    expect(refusal(() => lockImport(file))).toMatch(new RegExp(`^another import of this file is running \\(process ${running.pid},`));
    expect(existsSync(takeover)).toBe(true);
  });
});
