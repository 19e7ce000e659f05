/** Requests outside the load runs: one GraphQL POST, comparing answers, counting statements. */
import type { RunningHub } from '../hub.js';

export type Headers = Record<string, string>;

export async function post(url: string, headers: Headers, query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** JSON with sorted keys, to compare two gateways' data. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

/** Statements each subgraph ran while `work` ran. */
export async function statementsDuring(hub: RunningHub, work: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = new Map([...hub.subgraphs].map(([name, s]) => [name, s.db.statements.total]));
  await work();
  return Object.fromEntries([...hub.subgraphs].map(([name, s]) => [name, s.db.statements.total - before.get(name)!]));
}

/**
 * Waits until the subgraphs have run no statement for 500 ms (at most 10 s): requests a load
 * run left in flight when it stopped must not be counted in (or slow down) the next one.
 */
export async function quiesce(hub: RunningHub): Promise<void> {
  const total = () => [...hub.subgraphs.values()].reduce((sum, s) => sum + s.db.statements.total, 0);
  const deadline = performance.now() + 10_000;
  let last = total();
  let stableSince = performance.now();
  while (performance.now() < deadline && performance.now() - stableSince < 500) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = total();
    if (now !== last) {
      last = now;
      stableSince = performance.now();
    }
  }
}
