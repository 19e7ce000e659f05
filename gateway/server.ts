/**
 * The gateway: the hub's one public endpoint. It serves the checked-in supergraph
 * statically (no introspection of subgraphs at run time) and never touches a database.
 */
import { randomUUID } from 'node:crypto';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { queryArmor, trustedDocumentsPlugin } from './hardening.js';
import { clientErrorsPlugin, clientErrorWithoutCode, withoutSuggestions } from './client-errors.js';
import { operationSizePlugin } from './operation-size.js';
import { serveSubscriptions } from './subscriptions.js';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError } from 'graphql';
import { serveGraphQL } from '../subgraphs/kit/http.js';
import { ErrorCode } from '../subgraphs/kit/errors.js';
import { departmentNamesIn, readCheckedInSupergraph, subgraphUrlsIn } from './supergraph.js';
import { SubgraphDataSource } from './datasource.js';
import type { GatewayContext } from './context.js';
import { authenticate, createTokenVerifier, purposeOf } from './auth.js';
import { personalDataPlugin } from './personal-data.js';
import { requestLogPlugin } from './request-log.js';
import { logger } from '../subgraphs/kit/observability/log.js';
import { signInternalToken } from '../subgraphs/kit/auth/internal-token.js';
import { internalTokenSecret } from '../subgraphs/kit/auth/secrets.js';
import { dashboardRoutes } from './dashboard/serve.js';
import { explorer } from './explorer/serve.js';
import { configuration } from '../subgraphs/kit/config/index.js';
import { exportRoutes } from './export/routes.js';
import { ACCESS_REGISTER_ROUTE } from '../subgraphs/kit/internal-routes.js';
import type { IncomingMessage } from 'node:http';

export interface GatewayOptions {
  port?: number;
  host?: string;
  /** Where each subgraph listens, by name; overrides the URLs written in the supergraph. */
  subgraphUrls: Record<string, string>;
  supergraphSdl?: string;
  /** Deadline of each subgraph call (SUBGRAPH_TIMEOUT_MS, default 10 s). */
  subgraphTimeoutMs?: number;
  production?: boolean;
  /** JSON array of SHA-256 hashes of the only operations to accept (TRUSTED_DOCUMENTS_FILE). */
  trustedDocumentsFile?: string;
  /** Largest request body in bytes (MAX_BODY_BYTES, default 2 MiB). */
  maxBodyBytes?: number;
  /** How often a live subscription reads the change feed (SUBSCRIPTION_POLL_MS, default 1 s). */
  subscriptionPollMs?: number;
  /** Unsent bytes after which a slow subscriber is disconnected (SUBSCRIPTION_MAX_BUFFERED_BYTES, default 1 MiB). */
  subscriptionMaxBufferedBytes?: number;
}

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** What a client sees of an error: its code and message, never a stack or an internal name. */
export function formatGatewayError(formatted: GraphQLFormattedError, error?: unknown, production = false): GraphQLFormattedError {
  const { stacktrace: _s, exception: _e, serviceName, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  const clientError = clientErrorWithoutCode(formatted, error);
  if (clientError) return clientError;
  if (!extensions.code || extensions.code === ErrorCode.INTERNAL_SERVER_ERROR) {
    return { message: 'Internal error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
  if (serviceName && !extensions.domain) extensions.domain = serviceName;
  const message = production ? withoutSuggestions(formatted.message) : formatted.message;
  return { message, locations: formatted.locations, path: formatted.path, extensions };
}

const accessRegisterUrl = (platformGraphqlUrl: string) => new URL(ACCESS_REGISTER_ROUTE, platformGraphqlUrl).toString();

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const settings = configuration();
  const production = options.production ?? settings.NODE_ENV === 'production';
  const timeoutMs = options.subgraphTimeoutMs ?? settings.SUBGRAPH_TIMEOUT_MS;
  const supergraphSdl = options.supergraphSdl ?? readCheckedInSupergraph();
  const subgraphUrls = { ...subgraphUrlsIn(supergraphSdl), ...options.subgraphUrls };
  const departments = departmentNamesIn(supergraphSdl);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => new SubgraphDataSource(name, subgraphUrls[name], timeoutMs),
  });
  const armor = queryArmor(production);
  const trustedDocuments = trustedDocumentsPlugin(options.trustedDocumentsFile ?? settings.TRUSTED_DOCUMENTS_FILE);
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // The process entry points own shutdown (stop the gateway, then subgraphs, then exit).
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: armor.validationRules,
    parseOptions: armor.parseOptions,
    formatError: (formatted, error) => formatGatewayError(formatted, error, production),
    logger: logger('apollo-gateway'),
    plugins: [
      clientErrorsPlugin() as ApolloServerPlugin<GatewayContext>,
      operationSizePlugin() as ApolloServerPlugin<GatewayContext>,
      ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]),
      ...(trustedDocuments ? [trustedDocuments as ApolloServerPlugin<GatewayContext>] : []),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      // The default landing page loads Apollo's hosted sandbox: a government hub phones nowhere.
      ApolloServerPluginLandingPageDisabled(),
      personalDataPlugin(accessRegisterUrl(subgraphUrls.platform), timeoutMs),
      // Last: it logs the answer as it leaves, after the plugins above changed it.
      requestLogPlugin(),
    ],
  });
  const explorerPage = production ? undefined : explorer();
  const verifier = await createTokenVerifier();
  const internalSecret = internalTokenSecret();
  await server.start();
  /** Who asks and why: for GraphQL requests and exports alike. */
  const contextOf = async (req: IncomingMessage): Promise<GatewayContext> => {
    const requestId = randomUUID();
    const principal = await authenticate(req, verifier, departments);
    const purpose = purposeOf(req);
    const internalToken = signInternalToken({ principal, purpose, requestId }, internalSecret);
    internalToken.catch(() => {}); // awaited by every subgraph call; never left unhandled
    return { requestId, principal, purpose, internalToken, personalDataReads: [], subgraphsCalled: new Set<string>() };
  };
  const http = await serveGraphQL(server, {
    port: options.port ?? 0,
    host: options.host,
    maxBodyBytes: options.maxBodyBytes ?? settings.MAX_BODY_BYTES,
    // The built-in dashboard (/dashboard): a static page on the same public API; outside
    // production, the explorer too (a browser's GET of /graphql).
    // Exports (/export/<department>.csv|.xlsx, /export/platform/…): the lists as the API gives them to the caller.
    routes: { ...dashboardRoutes(), ...(explorerPage ? explorerPage.routes : {}), ...exportRoutes(server, departments, { subgraphUrls, accessRegisterUrl: accessRegisterUrl(subgraphUrls.platform), timeoutMs, pageSize: settings.EXPORT_PAGE_SIZE }, contextOf) },
    browserPage: explorerPage?.page,
    context: contextOf,
  });
  const subscriptions = serveSubscriptions({
    httpServer: http.httpServer,
    path: '/graphql',
    verifier,
    supergraphSdl,
    internalSecret,
    platformUrl: subgraphUrls.platform,
    accessRegisterUrl: accessRegisterUrl(subgraphUrls.platform),
    pollMs: options.subscriptionPollMs,
    maxBufferedBytes: options.subscriptionMaxBufferedBytes,
  });
  return {
    url: http.url,
    port: http.port,
    async stop() {
      await subscriptions.close();
      await http.close();
      await server.stop();
    },
  };
}
