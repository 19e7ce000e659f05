/**
 * npm start — the whole hub on the embedded default database: every subgraph and the
 * gateway in one process, each subgraph on its own SQLite file under ./data, demo data
 * loaded on first start. Ctrl-C stops everything.
 */
import './no-telemetry.js';
import { startHub } from './hub.js';
import { seed } from './seed.js';
import { connect, databaseUrlFor, migrate } from '../subgraphs/kit/db.js';
import { platformSubgraph } from '../subgraphs/platform/index.js';
import { subjectsTable } from '../subgraphs/platform/migrations.js';

async function registryIsEmpty(): Promise<boolean> {
  const db = connect(databaseUrlFor('platform'));
  try {
    await migrate(db, 'platform', platformSubgraph.migrations);
    const [{ total }] = await db(subjectsTable).count({ total: '*' });
    return Number(total) === 0;
  } finally {
    await db.destroy();
  }
}

async function main() {
  if (await registryIsEmpty()) {
    const subjects = Number(process.env.DEMO_SUBJECTS ?? 2000);
    console.log(`Empty database: loading demo data (${subjects} subjects)…`);
    await seed({ subjects, log: (line) => console.log(`  ${line}`) });
  }
  const hub = await startHub({ port: Number(process.env.PORT ?? 4000), host: process.env.HOST });
  console.log(`\nCreditHub gateway ready at ${hub.gateway.url}`);
  for (const [name, subgraph] of hub.subgraphs) console.log(`  subgraph ${name.padEnd(8)} ${subgraph.url}`);
  console.log(`\nTry: curl -s ${hub.gateway.url} -H 'content-type: application/json' \\
  -d '{"query":"{ subject(creditCode: \\"91440300708461136T\\") { creditCode subjectType regionCode registered } }"}'`);
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await hub.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(`CreditHub could not start: ${error.message}`);
  process.exit(1);
});
