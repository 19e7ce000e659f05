/**
 * What an import leaves beside its file: FILE.errors.csv, one line per refused value (row,
 * column, code, message), and FILE.import-state.json, the last row up to which every row
 * was answered by the hub, so that a rerun after an interruption skips them. The state file
 * only saves time: resending a row is harmless, the hub's idempotency makes it so.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { RowError } from './validate-row.js';
import { FileProblem } from './rows.js';

export const errorsPathOf = (file: string) => `${file}.errors.csv`;
export const statePathOf = (file: string) => `${file}.import-state.json`;
export const lockPathOf = (file: string) => `${file}.import.lock`;

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readHolder = (path: string): { pid?: number; since?: string } => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {}; // gone, or being written this instant: taken as held
  }
};

const isStale = (holder: { pid?: number }) =>
  typeof holder.pid === 'number' && holder.pid !== process.pid && !isRunning(holder.pid);

/**
 * Takes FILE.import.lock (created exclusively, holding this process's id) for the length of one
 * import, so that two imports of the same file do not write each other's state file and error
 * report: the second is refused, naming the first. A lock whose process is gone (killed) is taken
 * over, and only under FILE.import.lock.takeover (also created exclusively): the holder of that
 * file reads the lock again and removes it only if it is still the stale one, so that two imports
 * taking over the same stale lock cannot both succeed (one removing the lock the other just took).
 * Returns the release.
 */
export function lockImport(file: string): () => void {
  const path = lockPathOf(file);
  const held = (holder: { pid?: number; since?: string }) =>
    new FileProblem(
      `another import of this file is running (process ${holder.pid ?? '?'}, since ${holder.since ?? '?'}): wait for it to finish; if it is not running, remove ${path}`,
    );
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      closeSync(fd);
      const release = () => rmSync(path, { force: true });
      process.once('exit', release);
      return () => {
        process.off('exit', release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!isStale(readHolder(path))) throw held(readHolder(path));
      takeOverStale(path, held);
    }
  }
  throw new FileProblem(`cannot take ${path}: remove it if no import of this file is running`);
}

/** Removes a stale lock under the take-over file; refuses when the lock is, on a second look, held. */
function takeOverStale(path: string, held: (holder: { pid?: number; since?: string }) => FileProblem): void {
  const takeover = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(takeover, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = readHolder(takeover);
    if (isStale(other)) {
      throw new FileProblem(`${takeover} was left by an import that was killed (process ${other.pid}): remove it, then run the import again`);
    }
    throw held(other); // another import is taking the stale lock over this instant
  }
  try {
    writeFileSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
    closeSync(fd);
    const holder = readHolder(path); // again, under the take-over file
    if (existsSync(path) && !isStale(holder)) throw held(holder);
    rmSync(path, { force: true }); // left by an import that was killed
  } finally {
    rmSync(takeover, { force: true });
  }
}

interface ImportState {
  department: string;
  size: number;
  mtimeMs: number;
  /** Every row up to this one (file row number) has been answered: created, found, or refused. */
  doneThroughRow: number;
}

/** The row to resume after: 0 when there is no state, or it is of another file, department or version of the file. */
export function resumePoint(file: string, department: string): number {
  const path = statePathOf(file);
  if (!existsSync(path)) return 0;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as ImportState;
    const { size, mtimeMs } = statSync(file);
    return state.department === department && state.size === size && state.mtimeMs === mtimeMs ? state.doneThroughRow : 0;
  } catch {
    return 0;
  }
}

export function saveState(file: string, department: string, doneThroughRow: number): void {
  const { size, mtimeMs } = statSync(file);
  const path = statePathOf(file);
  writeFileSync(`${path}.tmp`, JSON.stringify({ department, size, mtimeMs, doneThroughRow } satisfies ImportState));
  renameSync(`${path}.tmp`, path); // never a half-written state
}

const HEADER = ['row', 'column', 'code', 'message'];

export class ErrorReport {
  count = 0;
  constructor(private readonly path: string) {}

  /** Starts the report: afresh, or keeping what an interrupted run wrote about rows up to `resumeAfter`. */
  open(resumeAfter: number): void {
    const kept =
      resumeAfter > 0 && existsSync(this.path)
        ? (parse(readFileSync(this.path), { from_line: 2 }) as string[][]).filter((line) => Number(line[0]) <= resumeAfter)
        : [];
    this.count = kept.length;
    writeFileSync(this.path, stringify([HEADER, ...kept], { escape_formulas: true }));
  }

  add(errors: RowError[]): void {
    if (!errors.length) return;
    this.count += errors.length;
    appendFileSync(this.path, stringify(errors.map((e) => [e.rowNumber, e.column, e.code, e.message]), { escape_formulas: true }));
  }
}
