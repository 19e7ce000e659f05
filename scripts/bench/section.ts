/** Writes one section of BENCHMARKS.md: replaces the section under `heading`, or appends it. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function writeSection(out: string, heading: string, section: string): void {
  const existing = existsSync(out) ? readFileSync(out, 'utf8') : '# Benchmarks\n';
  const start = existing.indexOf(heading);
  let next: string;
  if (start < 0) next = `${existing.trimEnd()}\n\n${section}`;
  else {
    const after = existing.indexOf('\n## ', start + heading.length);
    next = `${existing.slice(0, start)}${section}${after < 0 ? '' : `\n${existing.slice(after + 1)}`}`;
  }
  writeFileSync(out, next.endsWith('\n') ? next : `${next}\n`);
}
