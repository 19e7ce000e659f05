/**
 * The policy's visibility (kit/auth/policy.ts) as SQL over the platform's tables of every
 * department's entries and events (the collection, the change feed): one condition per
 * domain. Where only published entries may be seen the platform cannot tell (it does not
 * keep publication), so such a domain shows nothing — fail closed.
 */
import type { Knex } from 'knex';
import { isEndStatus, type CrossDepartmentVisibility, type EntryVisibility } from '../kit/auth/policy.js';

export interface VisibilityColumns {
  domain: string;
  listType: string;
  status: string;
  /** The status the entry had before its exit or purge (the feed's `exitsFrom`). */
  previousStatus: string;
}

const ENTRY_COLUMNS: VisibilityColumns = { domain: 'domain', listType: 'list_type', status: 'status', previousStatus: 'previous_status' };

function matches(w: Knex.QueryBuilder, visibility: EntryVisibility, columns: VisibilityColumns): void {
  const exitsFrom = visibility.exitsFrom;
  const ends = exitsFrom ? (visibility.statuses ?? []).filter(isEndStatus) : [];
  if (visibility.statuses && ends.length > 0) {
    // An exit or purge only from a status the reader sees; an unknown previous status fails closed.
    const others = visibility.statuses.filter((status) => !isEndStatus(status));
    w.where((s) => s.whereIn(columns.status, others).orWhere((e) => e.whereIn(columns.status, ends).whereIn(columns.previousStatus, exitsFrom!)));
  } else if (visibility.statuses) w.whereIn(columns.status, visibility.statuses);
  if (visibility.listTypes) w.whereIn(columns.listType, visibility.listTypes);
}

const showsNothing = (v: EntryVisibility) => v.publishedOnly || v.statuses?.length === 0 || v.listTypes?.length === 0;

/**
 * Narrows `query` to the rows `visibility` admits, for rows of `domains`. Rows with no
 * domain (events of no department: the warning list, memorandums) pass when
 * `rowsWithoutDomain` says so: 'ANY', or 'LIST_TYPE' (no list type, or one the reader sees elsewhere).
 */
export function whereVisible(
  query: Knex.QueryBuilder,
  visibility: CrossDepartmentVisibility,
  domains: readonly string[],
  rowsWithoutDomain: 'NONE' | 'LIST_TYPE' = 'NONE',
  columns: VisibilityColumns = ENTRY_COLUMNS,
): Knex.QueryBuilder {
  if (visibility.unrestricted) return query;
  return query.where((outer) => {
    outer.whereRaw('1 = 0');
    for (const domain of domains) {
      const v = visibility.of(domain);
      if (showsNothing(v)) continue;
      outer.orWhere((w) => {
        w.where(columns.domain, domain);
        matches(w, v, columns);
      });
    }
    if (rowsWithoutDomain === 'LIST_TYPE') {
      const elsewhere = visibility.of(null);
      outer.orWhere((w) => {
        w.whereNull(columns.domain);
        if (elsewhere.listTypes) w.where((t) => t.whereNull(columns.listType).orWhereIn(columns.listType, elsewhere.listTypes!));
      });
    }
  });
}
