/**
 * The export endpoints, for partners who take a full snapshot before following the change
 * feed — each as the caller may see it (Authorization, and x-credithub-purpose /
 * x-credithub-reference to read personal data unmasked), in CSV or XLSX:
 *
 * - GET /export/<department>.csv|.xlsx: a department's lists; ?listType=BLACK&status=ACTIVE&regionCode=4403
 *   (listType and status repeatable). Read from the department subgraph in large pages.
 * - GET /export/platform/consolidated.csv|.xlsx: the consolidated list (汇总名单);
 *   ?listType=BLACK&domain=TAX&regionCode=44&industryCode=C&minDomains=2, as `consolidatedList` takes them.
 * - GET /export/platform/warning-list.csv|.xlsx: the big-data warning list.
 *
 * The answer's x-credithub-feed-cursor header is the change feed's cursor read before the
 * first row: `changes(after: <it>)` gives every change the snapshot may not hold. Streamed page
 * by page with backpressure: a million rows never sit in memory. A refusal of the first page
 * is an ordinary JSON error with its HTTP status; a failure after rows were sent (say, the
 * access register down) breaks the connection, so that no reader can take a cut-off file for
 * a complete one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { sendJsonError, type Route } from '../../subgraphs/kit/http.js';
import { ErrorCode } from '../../subgraphs/kit/errors.js';
import { tagRequest } from '../../subgraphs/kit/observability/tracing.js';
import type { GatewayContext } from '../context.js';
import { maskedBecause } from '../personal-data.js';
import { CONSOLIDATED_COLUMNS, CONSOLIDATED_SELECTION, ENTRY_COLUMNS, WARNING_LIST_COLUMNS, WARNING_LIST_SELECTION, type ExportColumn } from './columns.js';
import { departmentPages, ExportRefused, feedCursor, graphqlPages, type ExportFilter, type ExportPage, type ExportSources } from './pages.js';
import { CONTENT_TYPES, csvWriter, xlsxWriter, type TableWriter } from './writers.js';

export const EXPORT_PATH = '/export';
export const PERSONAL_DATA_HEADER = 'x-credithub-personal-data';
export const FEED_CURSOR_HEADER = 'x-credithub-feed-cursor';

const STATUS_OF_CODE: Record<string, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.DOMAIN_UNAVAILABLE]: 503,
};

/** One export: its file name, columns, the query parameters it takes, and where its pages come from. */
interface ExportKind {
  name: string;
  columns: ExportColumn[];
  /** Query parameter → the filter field it sets, repeatable or not, and how its text is read. */
  parameters: Record<string, { field: string; repeatable?: boolean; number?: boolean }>;
  pages(filter: ExportFilter, contextFor: () => Promise<GatewayContext>): AsyncGenerator<ExportPage>;
}

function filterOf(url: URL, kind: ExportKind): ExportFilter | string {
  const known = Object.keys(kind.parameters);
  const unknown = [...url.searchParams.keys()].find((key) => !known.includes(key));
  if (unknown) return `unknown parameter "${unknown}": the filters are ${known.join(', ') || 'none'}`;
  const filter: ExportFilter = {};
  for (const [parameter, { field, repeatable, number }] of Object.entries(kind.parameters)) {
    if (!url.searchParams.has(parameter)) continue;
    const values = url.searchParams.getAll(parameter);
    if (!repeatable && values.length > 1) return `"${parameter}" is given ${values.length} times: give it once`;
    if (number && !/^\d+$/.test(values[0])) return `"${parameter}" must be a whole number, got "${values[0]}"`;
    filter[field] = repeatable ? values : number ? Number(values[0]) : values[0];
  }
  return filter;
}

function exportRoute(kind: ExportKind, format: keyof typeof CONTENT_TYPES, sources: ExportSources, contextOf: (req: IncomingMessage) => Promise<GatewayContext>): Route {
  const path = `${EXPORT_PATH}/${kind.name}.${format}`;
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return sendJsonError(res, 405, 'METHOD_NOT_ALLOWED', `Export with GET ${path}`);
    }
    const filter = filterOf(new URL(req.url ?? '/', 'http://localhost'), kind);
    if (typeof filter === 'string') return sendJsonError(res, 400, ErrorCode.BAD_USER_INPUT, filter);
    let context: GatewayContext;
    try {
      context = await contextOf(req); // authenticates, and checks the stated purpose, before anything is sent
      tagRequest(context.requestId); // the export's server span, as a GraphQL request's
    } catch (error) {
      const { extensions, message } = error as GraphQLError;
      const code = String(extensions?.code ?? ErrorCode.BAD_USER_INPUT);
      return sendJsonError(res, STATUS_OF_CODE[code] ?? 400, code, message);
    }
    let writer: TableWriter | undefined;
    try {
      // Before the first row: every change after this cursor may be missing from the file.
      const cursor = await feedCursor(sources, context);
      // Every page is a request of its own, with the caller's identity and purpose.
      for await (const page of kind.pages(filter, () => contextOf(req))) {
        if (!writer) {
          res.setHeader('content-type', CONTENT_TYPES[format]);
          res.setHeader('content-disposition', `attachment; filename="${kind.name.replace('/', '-')}.${format}"`);
          res.setHeader('cache-control', 'no-store');
          res.setHeader(FEED_CURSOR_HEADER, cursor);
          const masked = maskedBecause(context.principal, context.purpose);
          if (masked) res.setHeader(PERSONAL_DATA_HEADER, `masked; ${masked}`);
          writer = format === 'csv' ? csvWriter(res, kind.columns) : xlsxWriter(res, kind.columns, kind.name.replace('/', '-'));
        }
        if (res.destroyed) return; // the reader went away: stop reading pages
        await writer.writeRows(page.rows);
      }
      await writer!.end();
    } catch (error) {
      if (!res.headersSent && error instanceof ExportRefused) return sendJsonError(res, STATUS_OF_CODE[error.code] ?? 500, error.code, error.message);
      if (!res.headersSent) return sendJsonError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'The export could not be produced');
      console.error(`export ${kind.name} stopped: ${error instanceof ExportRefused ? error.code : 'error'}`);
      res.destroy();
    }
  };
}

const ENTRY_PARAMETERS = { listType: { field: 'listTypes', repeatable: true }, status: { field: 'statuses', repeatable: true }, regionCode: { field: 'regionCode' } };

/** The platform's lists, through the gateway's GraphQL execution (the API's pages of 100). */
function platformKinds(server: ApolloServer<GatewayContext>): ExportKind[] {
  const selection = (field: string, args: string, node: string) =>
    `query Export(${args ? `${args}, ` : ''}$after: String) { ${field}(${args ? 'filter: $filter, ' : ''}first: 100, after: $after) { edges { node { ${node} } } pageInfo { hasNextPage endCursor } } }`;
  const consolidated = selection('consolidatedList', '$filter: ConsolidatedListFilter', CONSOLIDATED_SELECTION);
  const warningList = selection('warningList', '', WARNING_LIST_SELECTION);
  return [
    {
      name: 'platform/consolidated',
      columns: CONSOLIDATED_COLUMNS,
      parameters: {
        listType: { field: 'listType' },
        domain: { field: 'domain' },
        regionCode: { field: 'regionCode' },
        industryCode: { field: 'industryCode' },
        minDomains: { field: 'minDomains', number: true },
      },
      pages: (filter, contextFor) => graphqlPages(server, consolidated, 'consolidatedList', { filter }, contextFor),
    },
    {
      name: 'platform/warning-list',
      columns: WARNING_LIST_COLUMNS,
      parameters: {},
      pages: (_filter, contextFor) => graphqlPages(server, warningList, 'warningList', {}, contextFor),
    },
  ];
}

/** The export routes of every department (by name, as the supergraph composes them) and of the platform's lists, for serveGraphQL's `routes`. */
export function exportRoutes(
  server: ApolloServer<GatewayContext>,
  departmentNames: readonly string[],
  sources: ExportSources,
  contextOf: (req: IncomingMessage) => Promise<GatewayContext>,
): Record<string, Route> {
  const kinds: ExportKind[] = [
    ...departmentNames.map((name) => ({
      name,
      columns: ENTRY_COLUMNS,
      parameters: ENTRY_PARAMETERS,
      pages: (filter: ExportFilter, contextFor: () => Promise<GatewayContext>) => departmentPages(sources, name, filter, contextFor),
    })),
    ...platformKinds(server),
  ];
  const routes: Record<string, Route> = {};
  for (const kind of kinds) {
    for (const format of ['csv', 'xlsx'] as const) routes[`${EXPORT_PATH}/${kind.name}.${format}`] = exportRoute(kind, format, sources, contextOf);
  }
  return routes;
}
