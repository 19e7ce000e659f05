/**
 * The subgraph server factory: every subgraph — platform and departments — is an
 * SDL, resolvers and migrations handed to this one function, which connects to the
 * database, migrates, builds the federated schema and serves it over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginUsageReportingDisabled, ApolloServerPluginSchemaReportingDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { deny, shield, type IRules } from 'graphql-shield';
import { authenticateForwarded, type AuthContext } from './auth/context.js';
import { internalTokenSecret } from './auth/secrets.js';
import { requireProductionKeys, type ProductionSecret } from './auth/production-keys.js';
import { maskingMiddleware } from './auth/masking.js';
import { connect, databaseUrlFor, explainUnreachable, migrate, type Database, type Migration } from './db.js';
import { systemClock, type Clock } from './dates.js';
import { ErrorCode, isConcurrencyConflict, isDatabaseUnavailable, typedError } from './errors.js';
import { subgraphTypeDefs } from './schema.js';
import type { SubgraphResolvers } from './resolvers.js';
import { serveGraphQL, type Route, type RunningHttpServer } from './http.js';
import { scalarResolvers } from './scalars.js';
import { WorkerLoop, type Worker } from './workers.js';
import { logger } from './observability/log.js';
import { forgetPool, watchPool } from './observability/metrics.js';
import { subgraphReadiness } from './observability/readiness.js';
import { inputLimitsMiddleware, type InputLimits } from './input-limits.js';

export interface SubgraphDeps {
  db: Database;
  clock: Clock;
  /** The SDL the subgraph serves (its files and those generated from the catalogue), for paths that read it outside GraphQL. */
  typeDefs: DocumentNode;
}

/** What one request sees: its id, who asks, and its own DataLoaders (never shared between requests). */
export interface SubgraphContext extends AuthContext {
  requestId: string;
  loaders: unknown;
  /** Aborted when the gateway gave up on this request (its deadline passed): writes stop. */
  signal?: AbortSignal;
}

export interface BuiltSubgraph {
  /** Its parts' resolvers merged: each part is typed by the subgraph's generated `Resolvers`, with its own context. */
  resolvers: SubgraphResolvers;
  /** Per-request DataLoaders, so batching and caching never cross requests. */
  createLoaders(): unknown;
  /** graphql-shield rules; whatever they do not allow is denied. */
  permissions: IRules;
  /** Plain HTTP routes beside /graphql, for what is no part of the public API. */
  routes?: Record<string, Route>;
  /** Background work, given the GraphQL URLs of the department subgraphs whose events it consumes. */
  workers?(departmentUrls: Record<string, string>): Worker[];
}

export interface SubgraphModule {
  name: string;
  /** SDL files under `schema/`, shared ones first; those in `generatedSchema` are not read but generated. */
  schemaFiles: string[];
  /** SDL generated from the catalogue (kit/lists/sdl.ts), by its file name in `schemaFiles`; `npm run compose` writes a copy. */
  generatedSchema?: Record<string, string>;
  migrations: Migration[];
  /**
   * How long every String input field of its SDL may be (kit/input-limits.ts), checked before
   * every resolver: declared by the module, from the lengths of the columns the values go to.
   */
  inputLimits: InputLimits;
  /** Secrets beyond the internal one that this subgraph needs in production (checked before it starts). */
  productionSecrets?: ProductionSecret[];
  build(deps: SubgraphDeps): BuiltSubgraph | Promise<BuiltSubgraph>;
}

export interface RunningSubgraph {
  name: string;
  url: string;
  db: Database;
  /** Starts the background workers (on their intervals unless `manual`); returns them. */
  startWorkers(departmentUrls: Record<string, string>, mode?: 'interval' | 'manual'): Worker[];
  /** Runs every worker until none finds anything to do (tests, and draining before a stop). */
  settle(): Promise<number>;
  /** Runs one worker once, by name. */
  runWorker(name: string): Promise<number>;
  /** Stops the workers only (before peers go away, so none of them fails on a closed peer). */
  stopWorkers(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartSubgraphOptions {
  port?: number;
  host?: string;
  databaseUrl?: string;
  clock?: Clock;
}

/** Client errors keep their code and message; anything unexpected is logged and told as a code. */
export function formatSubgraphError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (isDatabaseUnavailable(error)) {
    return {
      message: 'The database is unavailable right now; retry in a few seconds',
      path: formatted.path,
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
    };
  }
  if (isConcurrencyConflict(error) || isConcurrencyConflict((error as any)?.originalError)) {
    // A write outside inTransaction (one statement) that lost a deadlock, a lock wait or a cluster certification.
    return {
      message: 'Another write to the same records collided with this one: retry in a moment',
      path: formatted.path,
      extensions: { code: ErrorCode.CONFLICT },
    };
  }
  if (code === ErrorCode.INTERNAL_SERVER_ERROR || code === undefined) {
    // Log the kind of failure only: driver errors quote their SQL, personal data included.
    logger('subgraph').error({ path: formatted.path, err: { code: (error as any)?.originalError?.code ?? (error as any)?.originalError?.name ?? 'Error' } }, 'unexpected error');
    return { message: 'Internal error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
  const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
  return { ...formatted, extensions };
}

const permissionDenied = typedError(ErrorCode.FORBIDDEN, 'Not allowed: no permission rule grants this field to you');

export function buildSubgraphServer(module: SubgraphModule, built: BuiltSubgraph): ApolloServer<SubgraphContext> {
  const federated = buildSubgraphSchema([
    { typeDefs: subgraphTypeDefs(module), resolvers: { ...scalarResolvers, ...built.resolvers } },
  ]);
  const schema = applyMiddleware(
    federated,
    shield(built.permissions, {
      fallbackRule: deny,
      fallbackError: permissionDenied,
      // Resolvers throw only typed errors (BAD_USER_INPUT, …) meant for the client; anything
      // unexpected is still reduced to a bare INTERNAL_SERVER_ERROR by formatSubgraphError.
      allowExternalErrors: true,
      debug: false,
    }),
    inputLimitsMiddleware(module.inputLimits),
    maskingMiddleware(federated, module.name),
  );
  return new ApolloServer<SubgraphContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // The process entry points own shutdown (stop the gateway, then subgraphs, then exit).
    stopOnTerminationSignals: false,
    formatError: formatSubgraphError,
    logger: logger(`apollo-${module.name}`),
    plugins: [
      subgraphRequestLog(module.name),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      {
        // Unmasked personal data read by this request travels back to the gateway, which
        // writes it to the access register before answering the client.
        async requestDidStart() {
          return {
            async willSendResponse({ response, contextValue }) {
              if (response.body.kind !== 'single' || contextValue.personalDataReads.length === 0) return;
              response.body.singleResult.extensions = {
                ...response.body.singleResult.extensions,
                personalDataReads: contextValue.personalDataReads,
              };
            },
          };
        },
      },
    ],
  });
}

/** One line per request a subgraph answers, under the gateway's request id: operation, duration, error codes. */
function subgraphRequestLog(name: string): ApolloServerPlugin<SubgraphContext> {
  const log = logger(name);
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue, operationName }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          log.info(
            {
              requestId: contextValue.requestId,
              operation: operationName ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              errorCodes: [...new Set(errors.map((error) => String(error.extensions?.code)))],
            },
            'subgraph request',
          );
        },
      };
    },
  };
}

export async function startSubgraph(module: SubgraphModule, options: StartSubgraphOptions = {}): Promise<RunningSubgraph> {
  requireProductionKeys(`subgraph ${module.name}`, ['internal-secret', ...(module.productionSecrets ?? [])]);
  const url = options.databaseUrl ?? databaseUrlFor(module.name);
  const db = connect(url);
  try {
    await migrate(db, module.name, module.migrations);
  } catch (error) {
    await db.destroy();
    throw explainUnreachable(error, module.name, url, !options.databaseUrl);
  }
  const built = await module.build({ db, clock: options.clock ?? systemClock, typeDefs: subgraphTypeDefs(module) });
  const server = buildSubgraphServer(module, built);
  const secret = internalTokenSecret();
  await server.start();
  let http: RunningHttpServer;
  try {
    http = await serveGraphQL(server, {
      port: options.port ?? 0,
      host: options.host,
      routes: built.routes,
      readiness: subgraphReadiness(module.name, db, module.migrations),
      internalSecret: secret,
      context: async (req, signal) => {
        const auth = await authenticateForwarded(req, secret);
        return { ...auth, requestId: auth.requestId ?? randomUUID(), loaders: built.createLoaders(), signal };
      },
    });
  } catch (error) {
    await server.stop();
    await db.destroy();
    throw error;
  }
  watchPool(module.name, db);
  let workers: Worker[] = [];
  let loops: WorkerLoop[] = [];
  return {
    name: module.name,
    url: http.url,
    db,
    startWorkers(departmentUrls, mode = 'interval') {
      workers = built.workers?.(departmentUrls) ?? [];
      if (mode === 'interval') {
        loops = workers.map((worker) => new WorkerLoop(worker));
        loops.forEach((loop) => loop.start());
      }
      return workers;
    },
    async settle() {
      let total = 0;
      for (;;) {
        let done = 0;
        for (const worker of workers) done += await worker.runOnce();
        total += done;
        if (done === 0) return total;
      }
    },
    async runWorker(name) {
      const worker = workers.find((w) => w.name === name);
      if (!worker) throw new Error(`${module.name} has no worker "${name}": ${workers.map((w) => w.name).join(', ')}`);
      return worker.runOnce();
    },
    async stopWorkers() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
    // Workers finish their current batch, in-flight requests drain, then the pool closes.
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
      await http.close();
      await server.stop();
      forgetPool(module.name);
      await db.destroy();
    },
  };
}
