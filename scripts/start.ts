/**
 * npm start — the whole hub on the embedded default database: every subgraph and the
 * gateway in one process, each subgraph on its own SQLite file under ./data, demo data
 * loaded on first start. Ctrl-C stops everything.
 */
import '../subgraphs/kit/config/startup.js';
import './tracing.js';
import { startHub } from './hub.js';
import { seed } from './seed.js';
import { onShutdown } from './shutdown.js';
import { connect, databaseUrlFor, explainUnreachable, migrate } from '../subgraphs/kit/db.js';
import { subgraphByName } from '../subgraphs/catalog.js';
import { subjectsTable } from '../subgraphs/platform/registry.js';
import { entriesTable } from '../subgraphs/kit/lists/tables.js';
import { configuration } from '../subgraphs/kit/config/index.js';
import { runMain } from './cli.js';

async function registryIsEmpty(): Promise<boolean> {
  const url = databaseUrlFor('platform');
  const db = connect(url);
  try {
    await migrate(db, 'platform', subgraphByName('platform').migrations).catch((error) => {
      throw explainUnreachable(error, 'platform', url);
    });
    const [{ total }] = await db(subjectsTable).count({ total: '*' });
    return Number(total) === 0;
  } finally {
    await db.destroy();
  }
}

/** A demo subject on an active court black list, to show in the example query. */
async function exampleListedSubject(): Promise<string | undefined> {
  const db = connect(databaseUrlFor('courts'));
  try {
    const row = await db(entriesTable('courts')).where({ status: 'ACTIVE', subject_type: 'ORGANISATION' }).first('credit_code');
    return row?.credit_code;
  } finally {
    await db.destroy();
  }
}

async function main() {
  if (await registryIsEmpty()) {
    const subjects = configuration().DEMO_SUBJECTS;
    console.log(`Empty database: loading demo data (${subjects} subjects)…`);
    await seed({ subjects, caseRecords: true, log: (line) => console.log(`  ${line}`) });
  }
  const hub = await startHub({ port: configuration().PORT ?? 4000, host: configuration().HOST });
  console.log(`\nCreditHub gateway ready at ${hub.gateway.url}`);
  for (const [name, subgraph] of hub.subgraphs) console.log(`  subgraph ${name.padEnd(8)} ${subgraph.url}`);
  const example = (await exampleListedSubject()) ?? '91440300708461136T';
  console.log(`
Get a token (roles: agency, officer, admin, auditor, partner; no token = the public):
  TOKEN=$(npm run -s token -- --role agency --agency "示例审批中心")
Ask for a subject across every department:
  curl -s ${hub.gateway.url} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\
    -d '{"query":"{ subject(creditCode: \\"${example}\\") { name courts { blackListed entries { listName validUntil } } tax { blackListed } } }"}'`);
  console.log('Press Ctrl-C to stop.');

  onShutdown(() => hub.stop());
}

runMain('CreditHub could not start', main);
