/** The options of `npm run bench` (see scripts/bench.ts), checked: a bad one exits with status 2 and one line. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  subjects: number;
  duration: number;
  connections: number;
  database: 'sqlite' | 'mysql';
  mysqlUrl: string;
  scale: boolean;
  scaleSubjects: number;
  out: string;
  append: boolean;
}

export function parseBenchOptions(args = process.argv.slice(2)): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      subjects: { type: 'string', default: '10000' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '8' },
      database: { type: 'string', default: 'sqlite' },
      'mysql-url': { type: 'string', default: 'mysql://root@127.0.0.1:3306' },
      scale: { type: 'boolean', default: false },
      'scale-subjects': { type: 'string', default: '1000000' },
      out: { type: 'string', default: 'BENCHMARKS.md' },
      append: { type: 'boolean', default: false },
    },
  });
  const options: BenchOptions = {
    subjects: Number(values.subjects),
    duration: Number(values.duration),
    connections: Number(values.connections),
    database: values.database as 'sqlite' | 'mysql',
    mysqlUrl: values['mysql-url']!,
    scale: values.scale!,
    scaleSubjects: Number(values['scale-subjects']),
    out: values.out!,
    append: values.append!,
  };
  const { subjects, duration, connections, scaleSubjects } = options;
  for (const [name, value] of Object.entries({ subjects, duration, connections, 'scale-subjects': scaleSubjects })) {
    if (!Number.isFinite(value) || value <= 0) {
      console.error(`--${name} must be a positive number`);
      process.exit(2);
    }
  }
  if (options.database !== 'sqlite' && options.database !== 'mysql') {
    console.error('--database must be sqlite or mysql');
    process.exit(2);
  }
  return options;
}
