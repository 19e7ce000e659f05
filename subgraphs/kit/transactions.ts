/**
 * Every transactional write goes through `inTransaction`: a transaction that lost a
 * deadlock, a lock wait or — on a multi-primary cluster such as Galera — a certification
 * (reported as ER_LOCK_DEADLOCK) is run again from the start, a bounded number of times
 * with a short random back-off. What still fails is typed: CONFLICT when writers kept
 * colliding, SERVICE_UNAVAILABLE when the database cannot be reached (a node joining its
 * cluster answers ER_UNKNOWN_COM_ERROR), never INTERNAL_SERVER_ERROR.
 *
 * The work must be safe to run again: everything it writes is in the transaction, and
 * notifications wait for the commit (announceAfterCommit).
 */
import type { Knex } from 'knex';
import { GraphQLError } from 'graphql';
import { ErrorCode, isConcurrencyConflict, isDatabaseUnavailable, typedError } from './errors.js';
import { configuration } from './config/index.js';

export interface RetryOptions {
  /** Runs in all, the first included (default 5, or TRANSACTION_ATTEMPTS). */
  attempts?: number;
  /** Called before each retry (tests count them). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Retries of aborted transactions since the process started, by kind (for benchmarks and tests). */
export const transactionRetries = { conflict: 0, unavailable: 0 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function inTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? configuration().TRANSACTION_ATTEMPTS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (error instanceof GraphQLError) throw error; // a typed answer, not a collision
      const conflict = isConcurrencyConflict(error) || isConcurrencyConflict((error as any)?.cause);
      const unavailable = !conflict && isDatabaseUnavailable(error);
      if (!conflict && !unavailable) throw error;
      // An unreachable database is tried once more only: a caller waits seconds otherwise.
      if (attempt >= (conflict ? attempts : Math.min(attempts, 2))) {
        throw conflict
          ? typedError(ErrorCode.CONFLICT, `Other writes to the same records kept colliding with this one (${attempts} attempts): retry in a moment`)
          : typedError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable right now; retry in a few seconds');
      }
      transactionRetries[conflict ? 'conflict' : 'unavailable']++;
      options.onRetry?.(error, attempt);
      // Conflicts: a few ms, growing; unavailability: long enough for a node to come back.
      const base = conflict ? 10 * 2 ** (attempt - 1) : 200 * attempt;
      await sleep(base + Math.random() * base);
    }
  }
}
