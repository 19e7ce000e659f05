/**
 * Keyset pagination, the one way every list of the hub pages: order by keys that are unique
 * together, read `first + 1` rows after the cursor's position (the extra row says whether a
 * next page exists), and give one shape — `{ edges: [{ cursor, node }], pageInfo: { hasNextPage,
 * endCursor } }` — the GraphQL connections return as they are. A cursor is the position of its
 * row in the order (kit/cursor.ts), so a page never skips or repeats a row that was there
 * before, whatever was written meanwhile.
 */
import type { Knex } from 'knex';
import { badInput } from './errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface Page<N> {
  edges: { cursor: string; node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface SortKey {
  /** The column as the query names it (`seq`, `e.credit_code`). */
  column: string;
  order?: 'asc' | 'desc';
  /** Its value in a row, as a cursor holds it; default: the row's property named like the column. */
  value?: (row: any) => string | number;
  /** A number (an id, a count): a cursor must hold a finite number here, anything else a text. */
  numeric?: boolean;
}

/** How a list writes and reads its cursors, when not as the tuple of its keys' values. */
export interface CursorCodec {
  encode(values: (string | number)[]): string;
  decode(cursor: string): (string | number)[];
}

interface KeysetCommon<N> {
  /** The order; the last key breaks ties, so that together they are unique. */
  keys: SortKey[];
  first: number;
  after?: string | null;
  /** endCursor of an empty page: null unless the list keeps the reader's place (the change feed: `after`). */
  emptyEndCursor?: string | null;
  /**
   * For an order over aggregates (a grouped query): the caller orders the query itself and puts
   * the position after the cursor's values here (HAVING); the keys then only name the values.
   */
  seek?: (query: Knex.QueryBuilder, values: (string | number)[]) => void;
  /** The page's rows as its nodes, one per row, in order (batched: one call per page). */
  nodes: (rows: any[]) => N[] | Promise<N[]>;
}

/**
 * Every list names its cursors: a word the cursor starts with (`["delivery", 42]`), so that a
 * cursor of another list, or one forged with values of the wrong kind, is refused as
 * BAD_USER_INPUT instead of silently paging from a wrong place — or, for a list whose cursors
 * are a published contract (the change feed), its own codec.
 */
export type KeysetOptions<N> = KeysetCommon<N> & ({ kind: string; cursor?: never } | { cursor: CursorCodec; kind?: never });

/** One page of `query` (filtered, not yet ordered or limited) in the order of `keys`. */
export async function keysetPage<N>(query: Knex.QueryBuilder, options: KeysetOptions<N>): Promise<Page<N>> {
  const { keys, first, after } = options;
  const codec = options.cursor ?? tupleCursor(keys, options.kind!);
  if (!options.seek) query.orderBy(keys.map((key) => ({ column: key.column, order: key.order ?? 'asc' })));
  query.limit(first + 1);
  if (after) {
    const values = codec.decode(after);
    if (options.seek) options.seek(query, values);
    else seekAfter(query, keys, values);
  }
  const rows = await query;
  const pageRows = rows.slice(0, first);
  const nodes = await options.nodes(pageRows);
  const cursors = pageRows.map((row: any) => codec.encode(keys.map((key) => (key.value ? key.value(row) : row[key.column.replace(/^\w+\./, '')]))));
  return {
    edges: nodes.map((node, index) => ({ cursor: cursors[index], node })),
    pageInfo: { hasNextPage: rows.length > first, endCursor: cursors.at(-1) ?? options.emptyEndCursor ?? null },
  };
}

/**
 * Rows after `values` in the order of `keys`: (k1 beyond v1) OR (k1 = v1 AND k2 beyond v2) …,
 * which an index on the keys answers as one range.
 */
function seekAfter(query: Knex.QueryBuilder, keys: SortKey[], values: (string | number)[]): void {
  const beyond = (key: SortKey) => ((key.order ?? 'asc') === 'desc' ? '<' : '>');
  const build = (builder: Knex.QueryBuilder, index: number): void => {
    const key = keys[index];
    if (index === keys.length - 1) {
      builder.where(key.column, beyond(key), values[index]);
      return;
    }
    builder.where(key.column, beyond(key), values[index]).orWhere((same) => build(same.where(key.column, values[index]), index + 1));
  };
  if (keys.length === 1) build(query, 0);
  else query.where((w) => build(w, 0));
}

/** The default cursor: the list's kind, then the keys' values, each of its key's type. */
function tupleCursor(keys: SortKey[], kind: string): CursorCodec {
  return {
    encode: (values) => encodeCursor([kind, ...values]),
    decode(cursor) {
      const [given, ...values] = decodeCursor(cursor, keys.length + 1);
      const fits = values.every((value, index) => (keys[index].numeric ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string'));
      if (given !== kind || !fits) throw badInput(`"${cursor}" is not a cursor of this list: pass the endCursor of a previous page, or omit "after" to start at the beginning`, { argument: 'after' });
      return values;
    },
  };
}
