/**
 * vitest globalSetup: the multi-process tests spawn the compiled entry points
 * (`node dist/scripts/….js`, as production runs them), so dist/ is rebuilt (npm run build)
 * once before the run when it is missing or older than any source it is built from.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SOURCES = ['gateway', 'subgraphs', 'scripts', 'schema', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

const newest = (path: string): number => {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
};

function builtAt(): number {
  try {
    return statSync(join(ROOT, 'dist', 'BUILT')).mtimeMs;
  } catch {
    return 0;
  }
}

export default function buildWhenStale(): void {
  if (builtAt() >= Math.max(...SOURCES.map((source) => newest(join(ROOT, source))))) return;
  console.log('dist/ is missing or older than the sources: npm run build');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}
