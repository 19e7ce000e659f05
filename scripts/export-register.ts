/**
 * npm run export-register -- [--out FILE]
 *
 * Writes the access register as JSON lines (one record each, chain by chain in chain order)
 * from the platform's database (PLATFORM_DATABASE_URL or DATABASE_URL), for the offline
 * verifier (npm run verify-register). The export holds what the register holds — subject
 * codes of natural persons among them: it is as confidential as the register.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect, databaseUrlFor } from '../subgraphs/kit/db.js';
import { chainRecords, registerHeads } from '../subgraphs/platform/access-register.js';

const USAGE = `Usage: npm run export-register -- [--out FILE]

Writes every record of the access register as a JSON line (to FILE, else to stdout), read from
the platform's database: PLATFORM_DATABASE_URL, else DATABASE_URL, else data/platform.sqlite.
Verify it with: npm run verify-register -- --checkpoint CHECKPOINTS.jsonl --records FILE --public-key KEY.pem`;

function fail(code: string, message: string, exitCode = 1): never {
  console.error(`export-register: ${code}: ${message}`);
  process.exit(exitCode);
}

let values: { out?: string; help?: boolean };
try {
  ({ values } = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (error) {
  fail('USAGE', `${(error as Error).message}\n\n${USAGE}`, 2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const db = connect(databaseUrlFor('platform'));
const out: WriteStream | NodeJS.WriteStream = values.out ? createWriteStream(values.out, { mode: 0o600 }) : process.stdout;
let written = 0;
try {
  for (const head of await registerHeads(db)) {
    for await (const record of chainRecords(db, head.chain)) {
      if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
      written++;
    }
  }
} catch (error) {
  fail('REGISTER_UNREADABLE', `cannot read the access register (${(error as Error).message}); check PLATFORM_DATABASE_URL / DATABASE_URL`);
} finally {
  await db.destroy();
}
if (values.out) {
  await new Promise((resolve) => (out as WriteStream).end(resolve));
  console.error(`export-register: ${written} records written to ${values.out}`);
}
