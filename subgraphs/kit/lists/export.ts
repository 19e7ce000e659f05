/**
 * A department's entries for an export, in large pages: GET /internal/export?first=&after=&filter=
 * with the identity the gateway signs, answered as JSON { entries, personalDataReads,
 * endCursor, hasNextPage }. The gateway's export endpoint (gateway/export/) pulls page after
 * page and writes each as CSV or XLSX, registering the page's unmasked reads first.
 *
 * Nothing here decides anew what a caller may have: the page is the entries query's own
 * (`entriesPage`: filter checks, visibility of the policy, keyset order), only larger; each
 * value is the schema's (its scalar or enum serialised), and each `@personal` field goes
 * through the masking module's `personalValue`, which masks it or notes the read for the
 * access register exactly as the GraphQL field would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  coerceInputValue,
  getNamedType,
  GraphQLError,
  isLeafType,
  isObjectType,
  parse,
  type GraphQLInputType,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type DocumentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { authenticateForwarded, type AuthContext } from '../auth/context.js';
import { mentioningFields, mentioningValue, personalFields, personalValue, type PersonalField } from '../auth/masking.js';
import { badInput, ErrorCode, isDatabaseUnavailable } from '../errors.js';
import type { Route } from '../http.js';
import { ENTRY_SELECTION, EXPORT_ROUTE, type ExportEntriesPage } from '../internal-routes.js';
import { scalarResolvers } from '../scalars.js';
import type { DepartmentConfig } from './department.js';
import { entriesPage } from './resolvers.js';
import type { ListStore } from './store.js';
import type { EntryFilter as EntryFilterInput } from './__generated__/resolvers-types.js';


/** The largest page an export reads at once (the API's entries query stops at 100). */
export const EXPORT_MAX_PAGE_SIZE = 5000;


/** One page as the export endpoint answers it. */
type Projection = (source: any, ctx: AuthContext) => Record<string, unknown>;

/**
 * What the GraphQL execution of `selection` on `type` would give for `source` with default
 * resolvers: each leaf serialised by its scalar or enum, each `@personal` field masked or
 * registered by `personalValue`. Only plain field selections (no arguments, aliases or
 * fragments); a field the type lacks is an error at start-up, not in an export.
 */
function projection(type: GraphQLObjectType, selection: SelectionSetNode, personal: PersonalField[], subgraph: string, schema: GraphQLSchema): Projection {
  const mentioning = new Set(mentioningFields(schema).map((f) => `${f.type}.${f.field}`));
  const parts = selection.selections.map((node) => {
    if (node.kind !== 'Field' || node.alias || node.arguments?.length) throw new Error(`export selection of ${type.name}: plain fields only`);
    const name = node.name.value;
    const field = type.getFields()[name];
    if (!field) throw new Error(`export selection: ${type.name} has no field ${name}`);
    const named = getNamedType(field.type);
    if (node.selectionSet) {
      if (!isObjectType(named)) throw new Error(`export selection: ${type.name}.${name} is not an object`);
      const inner = projection(named, node.selectionSet, personal, subgraph, schema);
      return (source: any, ctx: AuthContext, out: Record<string, unknown>) => {
        const value = source[name];
        out[name] = value == null ? null : inner(value, ctx);
      };
    }
    if (!isLeafType(named)) throw new Error(`export selection: ${type.name}.${name} needs a selection`);
    const leaf = named as GraphQLLeafType;
    const rule = personal.find((p) => p.type === type.name && p.field === name);
    const mentions = mentioning.has(`${type.name}.${name}`) ? `${type.name}.${name}` : null;
    return (source: any, ctx: AuthContext, out: Record<string, unknown>) => {
      const value = rule
        ? personalValue(rule, subgraph, source[name], source, ctx)
        : mentions
          ? mentioningValue(mentions, source[name], source, schema, subgraph, ctx)
          : source[name];
      out[name] = value == null ? null : leaf.serialize(value);
    };
  });
  return (source, ctx) => {
    const out: Record<string, unknown> = {};
    for (const part of parts) part(source, ctx, out);
    return out;
  };
}

/**
 * The export path's view of a department's schema: the projection of `ENTRY_SELECTION` on its
 * `ListEntry`, and its `EntryFilter` input coerced as GraphQL coerces a variable (an unknown
 * list type or field is refused, naming it).
 */
export function exportSchema(typeDefs: DocumentNode, subgraph: string, selection = ENTRY_SELECTION) {
  const schema: GraphQLSchema = buildSubgraphSchema([{ typeDefs, resolvers: scalarResolvers }]);
  const operation = parse(`{ ${selection} }`).definitions[0] as OperationDefinitionNode;
  const filterType = schema.getType('EntryFilter') as GraphQLInputType;
  return {
    project: projection(schema.getType('ListEntry') as GraphQLObjectType, operation.selectionSet, personalFields(schema), subgraph, schema),
    coerceFilter(value: unknown): EntryFilterInput | null {
      if (value == null) return null;
      return coerceInputValue(value, filterType, (path, _invalid, error) => {
        throw badInput(`filter${path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('')}: ${error.message}`, { argument: 'filter' });
      }) as EntryFilterInput;
    },
  };
}

const STATUS_OF_CODE: Record<string, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

const refuse = (res: ServerResponse, code: string, message: string) =>
  reply(res, STATUS_OF_CODE[code] ?? 500, { errors: [{ message, extensions: { code } }] });

export function entryExportRoute(department: DepartmentConfig, store: ListStore, typeDefs: DocumentNode, secret: Uint8Array): Route {
  const { project, coerceFilter } = exportSchema(typeDefs, department.name);
  return async (req: IncomingMessage, res: ServerResponse) => {
    const auth = await authenticateForwarded(req, secret);
    if (!auth.principal) return refuse(res, ErrorCode.UNAUTHENTICATED, `Not authenticated: ${auth.authProblem ?? 'no identity'}`);
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      let filter: unknown;
      try {
        filter = JSON.parse(url.searchParams.get('filter') ?? 'null');
      } catch {
        return refuse(res, ErrorCode.BAD_USER_INPUT, 'filter is not JSON: give an EntryFilter as JSON');
      }
      const first = url.searchParams.has('first') ? Number(url.searchParams.get('first')) : EXPORT_MAX_PAGE_SIZE;
      const page = await entriesPage(department, store, auth.principal, { filter: coerceFilter(filter), first, after: url.searchParams.get('after') }, EXPORT_MAX_PAGE_SIZE);
      const ctx: AuthContext = { ...auth, personalDataReads: [] };
      const body: ExportEntriesPage = {
        entries: page.edges.map((edge) => project(edge.node, ctx)),
        personalDataReads: ctx.personalDataReads,
        endCursor: page.pageInfo.endCursor ?? null,
        hasNextPage: page.pageInfo.hasNextPage,
      };
      reply(res, 200, body);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions?.code) return refuse(res, String(error.extensions.code), error.message);
      if (isDatabaseUnavailable(error)) return refuse(res, ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable right now; retry in a few seconds');
      return refuse(res, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error');
    }
  };
}
