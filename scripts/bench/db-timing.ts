/**
 * Where a subgraph's database time goes, for benchmarks: every statement's time from
 * knex's `query` to its answer, grouped by its kind and table, and the time callers
 * waited for a pooled connection (knex/tarn acquire). Attach before the work, read after.
 */
import type { Knex } from 'knex';

export interface StatementGroup {
  statement: string;
  count: number;
  ms: number;
  maxMs: number;
}

export interface DbTiming {
  subgraph: string;
  statements: StatementGroup[];
  acquires: number;
  acquireWaitMs: number;
  acquireMaxMs: number;
}

/** `insert into courts_entries`, `select from courts_outbox`, `begin`…: a statement's kind and first table. */
export function statementKind(sql: string): string {
  // The head is enough (a batch insert's text is long).
  const text = sql.slice(0, 160).toLowerCase();
  const verb = /^\s*([a-z]+)/.exec(text)?.[1] ?? '?';
  const table = /(?:into|from|update)\s+[`"]?([a-z0-9_]+)/.exec(text)?.[1];
  return table ? `${verb} ${table}` : verb;
}

export class DbTimer {
  private readonly started = new Map<string, { at: number; kind: string }>();
  private readonly groups = new Map<string, StatementGroup>();
  private readonly acquiring = new Map<number, number>();
  private acquires = 0;
  private acquireWaitMs = 0;
  private acquireMaxMs = 0;
  private readonly detach: () => void;

  constructor(
    readonly subgraph: string,
    db: Knex,
  ) {
    const onQuery = (query: any) => this.started.set(query.__knexQueryUid, { at: performance.now(), kind: statementKind(query.sql ?? '') });
    const onAnswer = (_response: unknown, query: any) => {
      const start = this.started.get(query.__knexQueryUid);
      if (!start) return;
      this.started.delete(query.__knexQueryUid);
      const took = performance.now() - start.at;
      const group = this.groups.get(start.kind) ?? { statement: start.kind, count: 0, ms: 0, maxMs: 0 };
      group.count++;
      group.ms += took;
      group.maxMs = Math.max(group.maxMs, took);
      this.groups.set(start.kind, group);
    };
    const pool = (db.client as any).pool;
    const onRequest = (id: number) => this.acquiring.set(id, performance.now());
    const onAcquired = (id: number) => {
      const at = this.acquiring.get(id);
      if (at === undefined) return;
      this.acquiring.delete(id);
      const waited = performance.now() - at;
      this.acquires++;
      this.acquireWaitMs += waited;
      this.acquireMaxMs = Math.max(this.acquireMaxMs, waited);
    };
    db.on('query', onQuery).on('query-response', onAnswer).on('query-error', (_error: unknown, query: any) => onAnswer(null, query));
    pool?.on('acquireRequest', onRequest);
    pool?.on('acquireSuccess', onAcquired);
    this.detach = () => {
      db.removeListener('query', onQuery);
      db.removeListener('query-response', onAnswer);
      pool?.removeListener('acquireRequest', onRequest);
      pool?.removeListener('acquireSuccess', onAcquired);
    };
  }

  read(): DbTiming {
    return {
      subgraph: this.subgraph,
      statements: [...this.groups.values()].sort((a, b) => b.ms - a.ms),
      acquires: this.acquires,
      acquireWaitMs: this.acquireWaitMs,
      acquireMaxMs: this.acquireMaxMs,
    };
  }

  stop(): DbTiming {
    this.detach();
    return this.read();
  }
}
