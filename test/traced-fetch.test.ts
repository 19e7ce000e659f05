/**
 * The hub's processes call one another through `tracedFetch` only (gateway to subgraphs, to the
 * access register and the change feed, a consumer to its sources): a bare `fetch` would leave
 * its callee's spans outside the request's trace.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const sources = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );

describe('calls between the hub\'s processes', () => {
  it('go through tracedFetch, never a bare fetch', () => {
    const bare = ['gateway', 'subgraphs']
      .flatMap(sources)
      .filter((file) => !file.endsWith(join('observability', 'tracing.ts')))
      .filter((file) => /(?<![\w.])fetch\(/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(bare).toEqual([]);
  });
});
