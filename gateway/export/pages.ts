/**
 * Pages of an export for one caller. Two sources, one contract: every page holds exactly
 * what the API would give that caller, and the reads of unmasked personal data on a page are
 * registered before the page is handed on — a page whose reads cannot be registered stops
 * the export (fail closed).
 *
 * - A department's entries come from its subgraph's export path (GET /internal/export, see
 *   subgraphs/kit/lists/export.ts): the entries query's own paging, visibility and masking,
 *   in pages of EXPORT_PAGE_SIZE (2,000), the next page read while the last one is written.
 * - The platform's lists (consolidated list, warning list) come page by page through the
 *   gateway's own GraphQL execution, whose plugin registers the reads.
 */
import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { INTERNAL_TOKEN_HEADER } from '../../subgraphs/kit/auth/internal-token.js';
import { ErrorCode } from '../../subgraphs/kit/errors.js';
import { EXPORT_ROUTE, FEED_POSITION_ROUTE, type ExportEntriesPage } from '../../subgraphs/kit/internal-routes.js';
import { registerPersonalDataReads, WITHHELD } from '../personal-data.js';

/** Filters are handed on as the API's input objects (`EntryFilter`, `ConsolidatedListFilter`). */
export type ExportFilter = Record<string, unknown>;

export interface ExportPage {
  rows: any[];
}

/** A refusal of the export as a whole (or of a later page): its code and message, as the API gave them. */
export class ExportRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Where the gateway reaches the subgraphs, and how long it waits for one. */
export interface ExportSources {
  subgraphUrls: Record<string, string>;
  accessRegisterUrl: string;
  timeoutMs: number;
  /** Entries a department subgraph reads and sends at once (EXPORT_PAGE_SIZE; its export path allows up to 5,000). */
  pageSize: number;
}

async function callSubgraph(sources: ExportSources, subgraph: string, url: URL, context: GatewayContext): Promise<any> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { [INTERNAL_TOKEN_HEADER]: await context.internalToken },
      signal: AbortSignal.timeout(sources.timeoutMs),
    });
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? `it did not answer within ${sources.timeoutMs} ms` : 'it could not be reached';
    throw new ExportRefused(ErrorCode.DOMAIN_UNAVAILABLE, `The ${subgraph} subgraph is unavailable (${why}): retry the export later`);
  }
  const body = (await response.json().catch(() => null)) as any;
  if (!response.ok) {
    const error = body?.errors?.[0];
    if (error?.message) throw new ExportRefused(String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR), error.message);
    throw new ExportRefused(ErrorCode.DOMAIN_UNAVAILABLE, `The ${subgraph} subgraph is unavailable (it answered HTTP ${response.status}): retry the export later`);
  }
  return body;
}

/**
 * The change feed's cursor now, read before the snapshot: a partner that follows the feed
 * after it misses nothing (what the feed held up to it was committed before the first page
 * was read; what came later is in the feed after it, perhaps also already in the file).
 */
export async function feedCursor(sources: ExportSources, context: GatewayContext): Promise<string> {
  const body = await callSubgraph(sources, 'platform', new URL(FEED_POSITION_ROUTE, sources.subgraphUrls.platform), context);
  return String(body.cursor);
}

export async function* departmentPages(
  sources: ExportSources,
  department: string,
  filter: ExportFilter,
  contextFor: () => Promise<GatewayContext>,
): AsyncGenerator<ExportPage> {
  const read = async (after: string | null): Promise<ExportEntriesPage> => {
    // Each page is a request of its own, with a fresh short-lived internal token (a long export outlives one).
    const context = await contextFor();
    const url = new URL(EXPORT_ROUTE, sources.subgraphUrls[department]);
    url.searchParams.set('first', String(sources.pageSize));
    if (Object.keys(filter).length) url.searchParams.set('filter', JSON.stringify(filter));
    if (after) url.searchParams.set('after', after);
    const page: ExportEntriesPage = await callSubgraph(sources, department, url, context);
    if (page.personalDataReads.length > 0) {
      try {
        await registerPersonalDataReads(sources.accessRegisterUrl, await context.internalToken, page.personalDataReads, sources.timeoutMs, context.requestId);
      } catch {
        throw new ExportRefused(ErrorCode.SERVICE_UNAVAILABLE, WITHHELD);
      }
    }
    return page;
  };
  let next = read(null);
  for (;;) {
    const page = await next;
    if (page.hasNextPage) {
      // Read ahead while this page is written; at most two pages are held.
      next = read(page.endCursor);
      next.catch(() => {}); // surfaced when awaited; never left unhandled if the reader goes away
    }
    yield { rows: page.entries };
    if (!page.hasNextPage) return;
  }
}

/** Pages of a connection field through the gateway's GraphQL execution (`query` takes `$after`). */
export async function* graphqlPages(
  server: ApolloServer<GatewayContext>,
  query: string,
  field: string,
  variables: Record<string, unknown>,
  contextFor: () => Promise<GatewayContext>,
): AsyncGenerator<ExportPage> {
  let after: string | null = null;
  for (;;) {
    // Each page is a request of its own: its personal-data reads are registered with it.
    const response = await server.executeOperation({ query, variables: { ...variables, after } }, { contextValue: await contextFor() });
    if (response.body.kind !== 'single') throw new ExportRefused(ErrorCode.INTERNAL_SERVER_ERROR, 'unexpected incremental response');
    const { data, errors } = response.body.singleResult as { data?: any; errors?: any[] };
    if (errors?.length) throw new ExportRefused(errors[0].extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR, errors[0].message);
    const connection = data[field];
    yield { rows: connection.edges.map((edge: any) => edge.node) };
    if (!connection.pageInfo.hasNextPage) return;
    after = connection.pageInfo.endCursor;
  }
}
