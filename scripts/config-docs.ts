/** npm run config:docs — rewrites README.md's configuration tables from subgraphs/kit/config. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withConfigurationTables } from '../subgraphs/kit/config/docs.js';

const readme = join(import.meta.dirname, '..', 'README.md');
writeFileSync(readme, withConfigurationTables(readFileSync(readme, 'utf8')));
console.log('README.md: configuration tables written');
