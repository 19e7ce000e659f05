/** SQL statements per request: each subgraph's knex counter around one request at 1, 100 and 1,000 codes. */
import { log } from './context.js';
import type { Gateway } from './measured.js';
import type { PeerGateway } from './peer.js';
import { post, statementsDuring } from './requests.js';
import type { SuiteTarget } from './suite-setup.js';
import { BATCH, PROFILE, PROFILES, SCREEN } from './workload.js';

export interface StatementCount {
  operation: string;
  size: number;
  gateway: Gateway;
  counts: Record<string, number>;
}

export async function countStatements(t: SuiteTarget, peer: PeerGateway): Promise<StatementCount[]> {
  log('SQL statements per request…');
  const statements: StatementCount[] = [];
  for (const gateway of ['hub', 'peer'] as const) {
    const url = gateway === 'hub' ? t.hub.gateway.url : peer.url;
    const headers = gateway === 'hub' ? t.headers.purpose : {};
    for (const size of [1, 100, 1000]) {
      const codes = size === 1 ? [t.profileCodes[7]] : t.workload.batch(size, 3);
      const profile = size === 1 ? () => post(url, headers, PROFILE, { code: codes[0] }) : () => post(url, headers, PROFILES, { codes });
      statements.push({ operation: size === 1 ? '(a) `subject`' : '(a) selection via `subjects`', size, gateway, counts: await statementsDuring(t.hub, profile) });
      statements.push({ operation: '(b) `subjects`', size, gateway, counts: await statementsDuring(t.hub, () => post(url, headers, BATCH, { codes })) });
      statements.push({ operation: '(c) `screen`', size, gateway, counts: await statementsDuring(t.hub, () => post(url, headers, SCREEN, { codes })) });
    }
  }
  return statements;
}
