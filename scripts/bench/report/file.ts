/**
 * BENCHMARKS.md: rewritten with this run's section (keeping the sections other scripts write),
 * or with --append this run's section added after the other runs of this script.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** A section this script writes: "## SQLite, 10,000 subjects — …" or "## MariaDB, … — …". */
export const OWN_SECTION = /^## (SQLite|MariaDB), [\d,]+ subjects — /;

/** Sections other scripts write into the report (bench:processes, bench:statistics…), kept as they are. */
function keptSections(previous: string): string {
  const sections = previous
    .split(/^(?=## )/m)
    .filter((s) => s.startsWith('## ') && !OWN_SECTION.test(s));
  return sections.length ? `\n${sections.map((s) => s.trimEnd()).join('\n\n')}\n` : '';
}

export const FILE_HEADER = `# Benchmarks

Written by \`npm run bench\` (scripts/bench.ts); each section below is one run, with its
command, machine and date. A run measures everything side by side: the hub's gateway, a peer
gateway on the same subgraphs and a direct-SQL lower bound. Read ratios, percentiles and counts:
the machine is shared, and one process hosts the whole hub, so absolute times are this machine's.
`;

/** Writes `report` into `out`: rewritten, or with `append` added after this script's sections. */
export function writeReport(out: string, append: boolean, report: string): void {
  if (append && existsSync(out)) {
    // Before the sections other scripts keep at the end (bench:processes, bench:statistics), else at the end.
    const previous = readFileSync(out, 'utf8');
    // The first section another script wrote (after every section of this one).
    const sections = [...previous.matchAll(/^## .*$/gm)];
    const lastOwn = sections.reduce((last, m, i) => (OWN_SECTION.test(m[0]) ? i : last), -1);
    const firstForeign = sections.slice(lastOwn + 1)[0];
    const at = firstForeign ? firstForeign.index! : -1;
    if (at >= 0) writeFileSync(out, `${previous.slice(0, at)}${report}\n${previous.slice(at)}`);
    else appendFileSync(out, `\n${report}`);
  } else {
    const kept = existsSync(out) ? keptSections(readFileSync(out, 'utf8')) : '';
    writeFileSync(out, `${FILE_HEADER}\n${report}${kept}`);
  }
}
