/**
 * Rules of scripts/:
 * - nothing under scripts/ imports from test/. Tests may import scripts (the hub, the seed,
 *   the client, the production layout in scripts/cluster); scripts — the benchmarks included —
 *   run without the tests, so what both need lives in scripts/;
 * - the benchmarks cover whatever departments the catalogue holds: they take them from
 *   subgraphs/catalog.ts, never from a list of names written out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { departments } from '../subgraphs/catalog.js';
import { BATCH, PROFILE, PROFILES } from '../scripts/bench/workload.js';

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

/** Lines naming three departments or more as strings, selections, keys or table cells: a list written out. */
function writtenOutDepartments(source: string, names: string[]): string[] {
  const named = names.map((n) => new RegExp(`(['"\`])${n}\\1|\\b${n}\\s*[{:]|\\|\\s*${n}\\s*\\|`));
  return source.split('\n').filter((line) => named.filter((pattern) => pattern.test(line)).length >= 3);
}

describe('the benchmarks take the departments from the catalogue', () => {
  const names = departments.map((d) => d.name);

  it('finds a list of department names written out (the check itself)', () => {
    const source = [
      "const fields = ['tax', 'market', 'courts', 'safety'].map((d) => d);",
      'const q = `{ tax { ...Listed } market { ...Listed } courts { ...Listed } }`;',
      'const variables = { tax: true, market: true, courts: true };',
      "'| operation | platform | tax | market | courts | safety | total |',",
      "replicas: 'platform ×2, tax ×2, one MariaDB',",
      'const PROFILE = `${departments.map((d) => `${d.name} { entries { id } }`).join(" ")}`;',
    ].join('\n');
    expect(writtenOutDepartments(source, ['tax', 'market', 'courts', 'safety'])).toHaveLength(4);
  });

  it('holds for every benchmark script', () => {
    const scripts = join(ROOT, 'scripts');
    const benchmarks = [...readdirSync(scripts).filter((name) => /^bench.*\.ts$/.test(name)).map((name) => join(scripts, name)), ...sourcesUnder(join(scripts, 'bench'))];
    const found = benchmarks.flatMap((file) => writtenOutDepartments(readFileSync(file, 'utf8'), names).map((line) => `${relative(ROOT, file)}: ${line.trim()}`));
    expect(found, 'derive the departments from `departments` (subgraphs/catalog.ts)').toEqual([]);
  });

  it("selects every department's entries in the operations of npm run bench", () => {
    for (const operation of [PROFILE, PROFILES, BATCH]) {
      for (const name of names) expect(operation).toMatch(new RegExp(`\\b${name} \\{ \\.\\.\\.(Department|Listed) \\}`));
    }
  });
});
