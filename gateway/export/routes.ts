/**
 * GET /export/<department>.csv and /export/<department>.xlsx: a department's lists as the
 * caller may see them (Authorization, and x-credithub-purpose / x-credithub-reference to read
 * personal data unmasked), for partners who take a full snapshot before following the
 * change feed. Optional filters: ?listType=BLACK&status=ACTIVE&regionCode=4403 (repeatable
 * listType and status). Streamed page by page: a million rows never sit in memory.
 *
 * A refusal of the first page is an ordinary JSON error with its HTTP status; a failure
 * after rows were sent (say, the access register down) breaks the connection, so that no
 * reader can take a cut-off file for a complete one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { sendJsonError, type Route } from '../../subgraphs/kit/http.js';
import { entriesQueryOf } from '../../subgraphs/kit/lists/department.js';
import { ErrorCode } from '../../subgraphs/kit/errors.js';
import type { GatewayContext } from '../context.js';
import { ENTRY_COLUMNS } from './columns.js';
import { entryPages, ExportRefused, type ExportFilter } from './pages.js';
import { CONTENT_TYPES, csvWriter, xlsxWriter, type TableWriter } from './writers.js';

export const EXPORT_PATH = '/export';
export const PERSONAL_DATA_HEADER = 'x-credithub-personal-data';

const STATUS_OF_CODE: Record<string, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.DOMAIN_UNAVAILABLE]: 503,
};

function filterOf(url: URL): ExportFilter | string {
  const known = ['listType', 'status', 'regionCode'];
  const unknown = [...url.searchParams.keys()].find((key) => !known.includes(key));
  if (unknown) return `unknown parameter "${unknown}": the filters are ${known.join(', ')}`;
  const filter: ExportFilter = {};
  if (url.searchParams.has('listType')) filter.listTypes = url.searchParams.getAll('listType');
  if (url.searchParams.has('status')) filter.statuses = url.searchParams.getAll('status');
  if (url.searchParams.has('regionCode')) filter.regionCode = url.searchParams.get('regionCode')!;
  return filter;
}


function exportRoute(
  server: ApolloServer<GatewayContext>,
  department: { name: string; entriesQuery: string },
  format: keyof typeof CONTENT_TYPES,
  contextOf: (req: IncomingMessage) => Promise<GatewayContext>,
): Route {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return sendJsonError(res, 405, 'METHOD_NOT_ALLOWED', `Export with GET ${EXPORT_PATH}/${department.name}.${format}`);
    }
    const filter = filterOf(new URL(req.url ?? '/', 'http://localhost'));
    if (typeof filter === 'string') return sendJsonError(res, 400, ErrorCode.BAD_USER_INPUT, filter);
    try {
      await contextOf(req); // authenticates, and checks the stated purpose, before anything is sent
    } catch (error) {
      const { extensions, message } = error as GraphQLError;
      const code = String(extensions?.code ?? ErrorCode.BAD_USER_INPUT);
      return sendJsonError(res, STATUS_OF_CODE[code] ?? 400, code, message);
    }
    // Every page is a request of its own, with the caller's identity and purpose, and a fresh
    // short-lived internal token (a long export outlives one).
    const contextFor = () => contextOf(req);
    const pages = entryPages(server, department.entriesQuery, filter, contextFor);
    let writer: TableWriter | undefined;
    try {
      for await (const page of pages) {
        if (!writer) {
          res.setHeader('content-type', CONTENT_TYPES[format]);
          res.setHeader('content-disposition', `attachment; filename="${department.name}-entries.${format}"`);
          res.setHeader('cache-control', 'no-store');
          if (page.maskedBecause) res.setHeader(PERSONAL_DATA_HEADER, `masked; ${page.maskedBecause}`);
          writer = format === 'csv' ? csvWriter(res, ENTRY_COLUMNS) : xlsxWriter(res, ENTRY_COLUMNS, department.name);
        }
        if (res.destroyed) return; // the reader went away: stop reading pages
        await writer.writeRows(page.entries);
      }
      await writer!.end();
    } catch (error) {
      if (!res.headersSent && error instanceof ExportRefused) return sendJsonError(res, STATUS_OF_CODE[error.code] ?? 500, error.code, error.message);
      if (!res.headersSent) return sendJsonError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'The export could not be produced');
      console.error(`export of ${department.name} stopped: ${error instanceof ExportRefused ? error.code : 'error'}`);
      res.destroy();
    }
  };
}

/** The export routes of every department (by name, as the supergraph composes them), for serveGraphQL's `routes`. */
export function exportRoutes(
  server: ApolloServer<GatewayContext>,
  departmentNames: readonly string[],
  contextOf: (req: IncomingMessage) => Promise<GatewayContext>,
): Record<string, Route> {
  const routes: Record<string, Route> = {};
  for (const name of departmentNames) {
    const department = { name, entriesQuery: entriesQueryOf(name) };
    for (const format of ['csv', 'xlsx'] as const) routes[`${EXPORT_PATH}/${department.name}.${format}`] = exportRoute(server, department, format, contextOf);
  }
  return routes;
}
