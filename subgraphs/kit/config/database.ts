/** Where the subgraphs keep their data. */
import { integer, text } from './variable.js';

const databaseUrl = { allowed: 'mysql://user:password@host:3306/database, sqlite:path/to/file or sqlite::memory:', pattern: /^(mysql:\/\/.+|sqlite:.+)$/ };

export const database = {
  DATABASE_URL: text({ ...databaseUrl, defaultText: 'an SQLite file per subgraph under `DATA_DIR`', doc: 'the database of every subgraph, e.g. `mysql://user:pass@host:3306/credithub`' }),
  DATABASE_POOL_SIZE: integer({ min: 1, max: 1000, default: 10, doc: 'MySQL connections per subgraph process' }),
  // One for every subgraph of the catalogue: PLATFORM_DATABASE_URL, TAX_DATABASE_URL, …
  '<NAME>_DATABASE_URL': text({ ...databaseUrl, defaultText: '`DATABASE_URL`', doc: 'the database of one subgraph' }),
  TRANSACTION_ATTEMPTS: integer({ min: 1, max: 100, default: 5, doc: 'runs of a transaction aborted by a deadlock or certification conflict' }),
};
