/**
 * Pages of a department's entries for one caller, read with keyset pagination through the
 * gateway's own GraphQL execution (`<department>Entries`, the largest page the API allows):
 * the same visibility, masking and access register as any client's query, page by page —
 * the reads of unmasked personal data on a page are registered before the page is handed on,
 * and a page whose reads cannot be registered stops the export (fail closed).
 */
import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { ENTRY_SELECTION } from './columns.js';

/** The API's largest page (MAX_PAGE_SIZE of the list engine). */
export const EXPORT_PAGE_SIZE = 100;

export interface ExportFilter {
  listTypes?: string[];
  statuses?: string[];
  regionCode?: string;
}

export interface ExportPage {
  entries: any[];
  /** Why personal data was masked, when it was (the response's `personalData` extension). */
  maskedBecause?: string;
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

export async function* entryPages(
  server: ApolloServer<GatewayContext>,
  entriesQuery: string,
  filter: ExportFilter,
  contextFor: () => Promise<GatewayContext>,
): AsyncGenerator<ExportPage> {
  const query = `query Export($filter: EntryFilter, $after: String) {
    ${entriesQuery}(filter: $filter, first: ${EXPORT_PAGE_SIZE}, after: $after) { edges { node { ${ENTRY_SELECTION} } } pageInfo { hasNextPage endCursor } }
  }`;
  let after: string | null = null;
  for (;;) {
    // Each page is a request of its own: its personal-data reads are registered with it.
    const response = await server.executeOperation({ query, variables: { filter, after } }, { contextValue: await contextFor() });
    if (response.body.kind !== 'single') throw new ExportRefused('INTERNAL_SERVER_ERROR', 'unexpected incremental response');
    const { data, errors, extensions } = response.body.singleResult as { data?: any; errors?: any[]; extensions?: any };
    if (errors?.length) throw new ExportRefused(errors[0].extensions?.code ?? 'INTERNAL_SERVER_ERROR', errors[0].message);
    const connection = data[entriesQuery];
    yield { entries: connection.edges.map((edge: any) => edge.node), maskedBecause: extensions?.personalData?.reason };
    if (!connection.pageInfo.hasNextPage) return;
    after = connection.pageInfo.endCursor;
  }
}
