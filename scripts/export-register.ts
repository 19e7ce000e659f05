/**
 * npm run export-register -- [--out FILE]
 *
 * Writes the access register as JSON lines (one record each, chain by chain in chain order)
 * from the platform's database (PLATFORM_DATABASE_URL or DATABASE_URL), for the offline
 * verifier (npm run verify-register). The export holds what the register holds — subject
 * codes of natural persons among them: it is as confidential as the register.
 */
import '../subgraphs/kit/config/startup.js';
import { once } from 'node:events';
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect, databaseUrlFor } from '../subgraphs/kit/db.js';
import { chainRecords, registerHeads } from '../subgraphs/platform/access-register.js';
import { CommandError, errorLine, runMain } from './cli.js';

const USAGE = `Usage: npm run export-register -- [--out FILE]

Writes every record of the access register as a JSON line (to FILE, else to stdout), read from
the platform's database: PLATFORM_DATABASE_URL, else DATABASE_URL, else data/platform.sqlite.
Verify it with: npm run verify-register -- --checkpoint CHECKPOINTS.jsonl --records FILE --public-key KEY.pem`;

async function main(): Promise<number> {
  let values: { out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    throw new CommandError(`USAGE: ${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // Opened before the database is read: a path that cannot be written is said at once.
  let fd: number | undefined;
  if (values.out) {
    try {
      fd = openSync(values.out, 'w', 0o600);
    } catch (error) {
      throw new CommandError(`OUT_UNWRITABLE: cannot write --out ${values.out} (${errorLine(error)}): give a file path in a directory that exists`);
    }
  }
  const out: WriteStream | NodeJS.WriteStream = fd !== undefined ? createWriteStream('', { fd }) : process.stdout;
  const db = connect(databaseUrlFor('platform'));
  let written = 0;
  try {
    for (const head of await registerHeads(db)) {
      for await (const record of chainRecords(db, head.chain)) {
        if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
        written++;
      }
    }
  } catch (error) {
    throw new CommandError(`REGISTER_UNREADABLE: cannot read the access register (${errorLine(error)}); check PLATFORM_DATABASE_URL / DATABASE_URL`, 1);
  } finally {
    await db.destroy();
  }
  if (values.out) {
    await new Promise((resolve) => (out as WriteStream).end(resolve));
    console.error(`export-register: ${written} records written to ${values.out}`);
  }
  return 0;
}

runMain('export-register', main);
