/**
 * Rule: the gateway loads no subgraph code. It imports from subgraphs/ only the shared
 * contracts (kit/auth, kit/errors, kit/config, kit/observability, kit/internal-routes, and the HTTP server, the
 * SDL directory and the NATS notifier beside them) and the light catalogue (departments.ts, the
 * departments' configurations, layout.ts) — never the platform, the list engine, the
 * subgraph modules or a database driver; what it needs of the departments it reads from the
 * supergraph. Checked on the import graph of the source, static and dynamic imports alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const IMPORT = /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?|\bexport\s+(?:type\s+)?[\w*{}\s,$]+\s+from\s+|\bimport\()\s*['"]([^'"]+)['"]/g;

/** Every project file (from the root) and every package the entry points import, following relative imports (type-only ones left out). */
function importGraph(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(join(root, file), 'utf8');
    for (const match of source.matchAll(IMPORT)) {
      if (/^(?:import|export)\s+type\b/.test(match[0])) continue; // erased at compile time
      const specifier = match[1];
      if (!specifier.startsWith('.')) {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
        continue;
      }
      const target = relative(root, join(dirname(join(root, file)), specifier)).replace(/\.js$/, '.ts');
      if (existsSync(join(root, target))) queue.push(target);
    }
  }
  return { files, packages };
}

const SHARED_CONTRACTS = [
  /^subgraphs\/kit\/(auth|config|observability)\//,
  /^subgraphs\/kit\/(errors|http|schema|codes|masking|internal-routes|shown-url)\.ts$/,
  /^subgraphs\/kit\/events\/(notifier|nats)\.ts$/,
  // The light catalogue: the departments' configurations and the names and ports derived from them.
  /^subgraphs\/(departments|layout)\.ts$/,
  /^subgraphs\/[a-z0-9]+\/department\.ts$/,
  /^subgraphs\/kit\/lists\/department\.ts$/,
];

describe('the gateway imports no subgraph code', () => {
  const { files, packages } = importGraph(['gateway/server.ts', 'scripts/gateway.ts']);
  const fromSubgraphs = [...files].filter((file) => file.startsWith('subgraphs/'));

  it('reaches in subgraphs/ only the shared contracts and the light catalogue', () => {
    expect(fromSubgraphs.length).toBeGreaterThan(5); // the walk works: it does reach the contracts
    expect(fromSubgraphs.filter((file) => !SHARED_CONTRACTS.some((allowed) => allowed.test(file)))).toEqual([]);
  });

  it('loads neither the platform, the catalogue of modules nor a database driver', () => {
    expect(fromSubgraphs.filter((file) => /^subgraphs\/(platform\/|catalog\.ts|compose\.ts|[a-z0-9]+\/index\.ts)/.test(file))).toEqual([]);
    for (const driver of ['knex', 'better-sqlite3', 'mysql2']) expect(packages.has(driver), driver).toBe(false);
    expect(packages.has('@apollo/gateway')).toBe(true);
  });

  it('fails on an import of the heavy catalogue (the check can fail)', () => {
    const { files: withCatalogue } = importGraph(['scripts/hub.ts']);
    expect(withCatalogue.has('subgraphs/catalog.ts')).toBe(true);
    expect(withCatalogue.has('subgraphs/platform/index.ts')).toBe(true);
  });
});
