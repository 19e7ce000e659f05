/** Opaque cursors for keyset pagination: base64url of a small JSON tuple. */
import { badInput } from './errors.js';

export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(position) && position.length === arity && position.every((p) => ['string', 'number'].includes(typeof p))) {
      return position;
    }
  } catch {
    // fall through to the typed error
  }
  throw badInput(`"${cursor}" is not a cursor of this list: pass the endCursor of a previous page, or omit "after" to start at the beginning`, {
    argument: 'after',
  });
}

/** Page size: `first` between 1 and `max`, `fallback` when absent. */
export function pageSize(first: number | null | undefined, max: number, fallback = 20): number {
  if (first == null) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput(`"first" must be between 1 and ${max}, got ${first}`, { argument: 'first' });
  }
  return first;
}
