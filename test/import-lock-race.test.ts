/**
 * Two imports racing for a STALE lock can both take it. lockImport reads the stale
 * holder, then rmSync()s the lock path unconditionally: if another import took the lock
 * over in between, its fresh lock is removed and both proceed.
 * The interleaving is forced deterministically: the first read of the lock file (by "B")
 * returns the stale content, and "A" (a live process: our parent) takes the lock over
 * right then, as a concurrent process would.
 */
import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync as realWrite, readFileSync as realRead, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let hook: ((path: string) => void) | null = null;
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((path: any, ...rest: any[]) => {
    const content = (fs.readFileSync as any)(path, ...rest);
    if (hook && String(path).endsWith('.import.lock')) {
      const h = hook;
      hook = null;
      h(String(path)); // A takes the stale lock over right after B read it
    }
    return content;
  }) as typeof fs.readFileSync;
  return { ...fs, default: { ...fs, readFileSync }, readFileSync };
});

describe('import lock: stale lock takeover race', () => {
  it('lets only one of two racing imports hold the lock', async () => {
    const { lockImport, lockPathOf } = await import('../scripts/import/report.js');
    const fs = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'r2-lock-'));
    const file = join(dir, 'rows.csv');
    realWrite(file, 'x\n');
    const lock = lockPathOf(file);
    // Stale lock of a killed import (a pid that does not run).
    realWrite(lock, JSON.stringify({ pid: 999_999_9, since: '2026-01-01T00:00:00Z' }));
    const livePid = process.ppid; // "A": a running process other than us
    hook = (path) => {
      // A: saw the same stale lock, removed it, created its own (exclusive create).
      fs.rmSync(path, { force: true });
      fs.writeFileSync(path, JSON.stringify({ pid: livePid, since: new Date().toISOString() }), { flag: 'wx' });
    };
    let bGotIt = false;
    let refusal = '';
    try {
      const release = lockImport(file); // B
      bGotIt = true;
      release();
    } catch (error) {
      refusal = (error as Error).message;
    }
    // A holds the lock (live pid): B must be refused. With the bug B deletes A's lock and takes it.
    expect({ bGotIt, refusal: refusal.slice(0, 40) }).toEqual({ bGotIt: false, refusal: expect.stringContaining('another import') });
    void realRead; void existsSync;
  });
});
