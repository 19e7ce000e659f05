/**
 * Rule: nothing under scripts/ imports from test/. Tests may import scripts (the hub, the
 * seed, the client, the production layout in scripts/cluster); scripts — the benchmarks
 * included — run without the tests, so what both need lives in scripts/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const TEST_DIR = join(ROOT, 'test');

/** Every module specifier of a source (static imports, re-exports, `import()`), resolved when relative. */
function importsInto(file: string, source: string, dir: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .filter((specifier) => {
      const target = resolve(dirname(file), specifier);
      return target === dir || target.startsWith(dir + sep);
    });
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ts|mts|js|mjs)$/.test(name))
    .map((name) => join(dir, name));
}

describe('scripts/ does not import test/', () => {
  it('finds static, re-exported and dynamic imports of test/ (the check itself)', () => {
    const file = join(ROOT, 'scripts/bench/example.ts');
    const source = [
      "import { a } from '../../test/env.js';",
      "export { b } from '../../test/convergence.js';",
      "const { c } = await import('../../test/galera.js');",
      "import { d } from '../hub.js';",
      "import { e } from '../../subgraphs/catalog.js';",
      "import knex from 'knex';",
    ].join('\n');
    expect(importsInto(file, source, TEST_DIR)).toEqual(['../../test/env.js', '../../test/convergence.js', '../../test/galera.js']);
  });

  it('holds for every file under scripts/', () => {
    const offending = sourcesUnder(join(ROOT, 'scripts')).flatMap((file) =>
      importsInto(file, readFileSync(file, 'utf8'), TEST_DIR).map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
    );
    expect(offending, 'move what both need into scripts/ (or subgraphs/kit) and import it from the test').toEqual([]);
  });
});
