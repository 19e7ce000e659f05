// npm run build — what CI (.ci/run) and the image (Dockerfile) run: the production code
// compiled to dist/ (tsconfig.build.json) and the files it reads at run time copied beside
// it at the same relative paths (the SDL, the dashboard's and the explorer's static files),
// so `node dist/scripts/gateway.js` finds them as `tsx scripts/gateway.ts` does.
// Plain JavaScript: it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

/** `dir` (with its subfolders) into dist/, files whose names match `keep` only. */
const copy = (dir, keep) => {
  cpSync(join(root, dir), join(dist, dir), { recursive: true, filter: (source) => statSync(source).isDirectory() || keep.test(source) });
};
copy('schema', /\.graphql$/);
copy('gateway/dashboard', /\.(html|js|css)$/);
copy('gateway/explorer', /\.(html|js|css)$/);
// When it was built: test/build.setup.ts rebuilds when a source is newer.
writeFileSync(join(dist, 'BUILT'), `${new Date().toISOString()}\n`);
