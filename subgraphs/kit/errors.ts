/**
 * Typed errors. Every error a client can see carries a stable `extensions.code`
 * and a message that says what was wrong and how to fix it.
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  DOMAIN_UNAVAILABLE: 'DOMAIN_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // The list lifecycle: a transition the rules forbid changes nothing and says why.
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  RED_LIST_BLOCKED: 'RED_LIST_BLOCKED',
  NOTIFICATION_REQUIRED: 'NOTIFICATION_REQUIRED',
  PUBLICITY_NOT_OVER: 'PUBLICITY_NOT_OVER',
  OBJECTION_PENDING: 'OBJECTION_PENDING',
  REPAIR_NOT_ALLOWED: 'REPAIR_NOT_ALLOWED',
  REPAIR_INCOMPLETE: 'REPAIR_INCOMPLETE',
  DEADLINE_NOT_PASSED: 'DEADLINE_NOT_PASSED',
  // An exit way whose ground is missing (extensions.missingGround names it), and a validity that has ended.
  EXIT_GROUNDS_MISSING: 'EXIT_GROUNDS_MISSING',
  VALIDITY_ENDED: 'VALIDITY_ENDED',
  // A credit report from an agency not on the register of qualified credit service agencies (893 §11).
  ISSUER_NOT_QUALIFIED: 'ISSUER_NOT_QUALIFIED',
  // The change feed: a cursor older than what the feed keeps.
  CURSOR_EXPIRED: 'CURSOR_EXPIRED',
  // Concurrent writers kept colliding (deadlocks, cluster certification) past the retries.
  CONFLICT: 'CONFLICT',
  // The access register does not verify since its last signed checkpoint: no new checkpoint is signed over it.
  REGISTER_TAMPERED: 'REGISTER_TAMPERED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function typedError(code: ErrorCode, message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...details, code } });
}

export const badInput = (message: string, details: Record<string, unknown> = {}) =>
  typedError(ErrorCode.BAD_USER_INPUT, message, details);

/** Errors raised by the database driver when the database cannot be reached. */
const UNAVAILABLE_DRIVER_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'SQLITE_BUSY', 'SQLITE_CANTOPEN',
  // A Galera node that is joining or has lost its cluster ("WSREP has not yet prepared node").
  'ER_UNKNOWN_COM_ERROR', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: any = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if (UNAVAILABLE_DRIVER_CODES.has(current.code)) return true;
    // Knex's pool gave up, or mysql2 was handed a connection the server (a killed node) closed: no code on either.
    if (typeof current.message === 'string' && /Knex: Timeout acquiring a connection|connection is in closed state/.test(current.message)) return true;
    current = current.originalError ?? current.cause;
  }
  return false;
}

/**
 * Two writers met: a lock wait gave up or a deadlock was broken; on Galera a transaction that
 * lost its certification at commit (ER_ERROR_DURING_COMMIT, beside ER_LOCK_DEADLOCK). The
 * work can be retried.
 */
const CONFLICT_DRIVER_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_ERROR_DURING_COMMIT']);

export function isConcurrencyConflict(error: unknown): boolean {
  return CONFLICT_DRIVER_CODES.has((error as any)?.code);
}
