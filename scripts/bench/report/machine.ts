/** What the report says about where it ran: the machine, the commit, the peer's version. */
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../context.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  commit: string;
  /** Files with uncommitted changes, but the report this run rewrites (`out`). */
  dirty: string[];
}

export function machine(out: string): Machine {
  const cpus = os.cpus();
  let commit = 'unknown';
  let dirty: string[] = [];
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3))
      .filter((file) => file !== out); // the report this run rewrites
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    commit,
    dirty,
  };
}

export function peerVersion(): string {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules/@graphql-hive/gateway/package.json'), 'utf8')).version;
  } catch {
    return '';
  }
}
