/**
 * npm run import -- --department courts FILE [--encoding auto|utf-8|gb18030] [--url URL] [--batch 500]
 * npm run import -- --template > lists.csv
 *
 * Imports a department's list entries from a CSV or XLSX file through the gateway, with the
 * officer token in CREDITHUB_TOKEN (or --token). Refused rows go to FILE.errors.csv; rerun
 * the same file after an interruption: it resumes, and creates nothing twice.
 * Exit status: 0 every row accepted, 1 some rows refused, 2 the file or the hub could not be used.
 */
import { configuration } from '../../subgraphs/kit/config/index.js';
import { DEFAULT_GATEWAY_URL } from '../../subgraphs/kit/config/tools.js';
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { departments } from '../../subgraphs/catalog.js';
import { COLUMNS } from './columns.js';
import { importFile } from './import-file.js';
import { FileProblem } from './rows.js';
import { gatewaySender, SendProblem } from './send.js';
import type { Encoding } from './read-csv.js';
import { runMain } from '../cli.js';

export const USAGE = `Usage: npm run import -- --department NAME FILE [options]
       npm run import -- --template > lists.csv

Imports list entries from FILE (.csv in UTF-8 or GB18030, or .xlsx) through the gateway.

  --department NAME   ${departments.map((d) => d.name).join(' | ')} (required)
  --token JWT         the department officer's token (default: CREDITHUB_TOKEN)
  --url URL           the gateway's GraphQL endpoint (default: CREDITHUB_URL or http://localhost:4000/graphql)
  --encoding ENC      auto (default: UTF-8 if the file is valid UTF-8, else GB18030) | utf-8 | gb18030
  --batch N           rows per request, 1 to 1000 (default 500)
  --template          print the template: the header and one example row
  --quiet             no progress bar

Columns (header row, any order; * required):
${COLUMNS.map((c) => `  ${c.required ? '*' : ' '} ${c.name.padEnd(28)} ${c.description}`).join('\n')}`;

export function template(): string {
  return stringify([COLUMNS.map((c) => c.name), COLUMNS.map((c) => c.example)]);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      department: { type: 'string' },
      token: { type: 'string' },
      url: { type: 'string' },
      encoding: { type: 'string', default: 'auto' },
      batch: { type: 'string', default: '500' },
      template: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(USAGE), 0;
  if (values.template) return process.stdout.write(template()), 0;
  const fail = (message: string) => (console.error(`Cannot import: ${message}\n\n${USAGE}`), 2);
  const department = departments.find((d) => d.name === values.department);
  if (!department) return fail(`--department must be one of ${departments.map((d) => d.name).join(', ')}`);
  if (positionals.length !== 1) return fail('give exactly one FILE');
  const file = positionals[0];
  if (!existsSync(file)) return fail(`${file} does not exist`);
  if (!['auto', 'utf-8', 'gb18030'].includes(values.encoding!)) return fail('--encoding is auto, utf-8 or gb18030');
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) return fail('--batch is a number from 1 to 1000');
  const token = values.token ?? configuration().CREDITHUB_TOKEN;
  if (!token) return fail(`no token: pass --token or set CREDITHUB_TOKEN (development: npm run token -- --role officer --department ${department.name})`);
  const url = values.url ?? configuration().CREDITHUB_URL ?? DEFAULT_GATEWAY_URL;

  try {
    const summary = await importFile({
      file,
      department,
      sender: gatewaySender({ url, token, department: department.name }),
      encoding: values.encoding as Encoding,
      batchSize,
      quiet: values.quiet,
    });
    const rate = Math.round(summary.rows / Math.max(summary.seconds, 0.001));
    console.log(
      `${file}: ${summary.accepted} rows accepted, ${summary.refused} refused` +
        (summary.skipped ? `, ${summary.skipped} skipped (done by an earlier run)` : '') +
        ` in ${summary.seconds.toFixed(1)} s (${rate} rows/s)` +
        (summary.refused ? `; see ${summary.errorsFile}` : ''),
    );
    return summary.refused ? 1 : 0;
  } catch (error) {
    if (error instanceof FileProblem || error instanceof SendProblem) {
      console.error(`Cannot import ${file}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) runMain('import', main, 2);
