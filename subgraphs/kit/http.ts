/**
 * Serves an Apollo Server over plain node:http — for the gateway and every subgraph —
 * with a request body limit, JSON errors for what never reaches GraphQL, health and
 * metrics routes and room for more routes (dashboard, keys) beside `/graphql`. Closing
 * drains: new connections are refused, /health/ready answers 503, in-flight requests
 * finish (up to SHUTDOWN_GRACE_MS), then the remaining connections are closed.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { createHttpTerminator } from 'http-terminator';
import { configuration } from './config/index.js';
import { logger } from './observability/log.js';
import { metricsRoute } from './observability/metrics.js';
import { serverSpan, type CallerTrace } from './observability/tracing.js';
import { forwardedIdentityOf, INTERNAL_TOKEN_HEADER } from './auth/internal-token.js';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface ServeOptions<Context extends BaseContext> {
  port: number;
  host?: string;
  path?: string;
  maxBodyBytes?: number;
  /** `signal` aborts when the caller goes away before the answer is sent (it gave up: stop the work). */
  context: (req: IncomingMessage, signal: AbortSignal) => Promise<Context>;
  routes?: Record<string, Route>;
  /** Served instead of GraphQL for a GET of `path` from a browser (`Accept: text/html`): the development explorer. */
  browserPage?: Route;
  /**
   * The secret of the hub's internal token: a call whose token verifies with it comes from another
   * of the hub's processes and follows its caller's decision (see CallerTrace). Without it (the
   * gateway, the hub's edge) this process decides which requests are traced and never continues a
   * caller's trace context.
   */
  internalSecret?: Uint8Array;
  /** What must hold for this process to take traffic (/health/ready); none: ready while not stopping. */
  readiness?: () => Promise<ReadinessCheck[]>;
}

/** One condition of readiness, as /health/ready reports it. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  /** Why not, when not ok (no data, only what an operator needs). */
  detail?: string;
}

/** Whether a GET asks for a page (a browser's address bar) rather than a GraphQL response. */
const wantsPage = (req: IncomingMessage) => req.method === 'GET' && /\btext\/html\b/.test(req.headers.accept ?? '');

export interface RunningHttpServer {
  url: string;
  port: number;
  httpServer: http.Server;
  close(): Promise<void>;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

export function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new RequestError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > maxBytes) throw new RequestError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  const contentType = String(req.headers['content-type'] ?? '');
  if (!contentType.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, 'BAD_REQUEST', 'The request body is not valid JSON: send {"query": "...", "variables": {...}}');
  }
}

export async function serveGraphQL<Context extends BaseContext>(
  server: ApolloServer<Context>,
  options: ServeOptions<Context>,
): Promise<RunningHttpServer> {
  const path = options.path ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  let draining = false;
  const live: Route = (_req, res) => sendJson(res, 200, { status: 'ok' });
  const routes: Record<string, Route> = {
    '/health': live,
    '/health/live': live,
    '/health/ready': async (_req, res) => {
      const checks: ReadinessCheck[] = [{ name: 'accepting', ok: !draining, detail: draining ? 'shutting down' : undefined }];
      if (!draining && options.readiness) checks.push(...(await options.readiness()));
      const ready = checks.every((check) => check.ok);
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks });
    },
    '/metrics': metricsRoute(),
    ...options.routes,
  };
  const log = logger('http');

  // The header's mere presence is not enough: a forged one next to a sampled traceparent would
  // have any caller traced. Only a sampled caller's token is verified here, and the context then
  // reuses that verification (forwardedIdentityOf), so no request pays for it twice.
  const secret = options.internalSecret;
  const hubCall = async (req: IncomingMessage) => {
    const identity = await forwardedIdentityOf(req, secret!);
    return 'problem' in identity ? undefined : identity;
  };
  const callerTrace = (req: IncomingMessage): CallerTrace => (secret && INTERNAL_TOKEN_HEADER in req.headers ? { verify: () => hubCall(req) } : 'ignore');
  const httpServer = http.createServer((req, res) => serverSpan(req, res, () => handle(req, res), callerTrace(req)));
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const callerGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) callerGone.abort();
    });
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== path) {
        const route = routes[url.pathname];
        if (route) return await route(req, res);
        return sendJsonError(res, 404, 'NOT_FOUND', `Nothing is served at ${url.pathname}: GraphQL is at ${path}`);
      }
      if (options.browserPage && wantsPage(req)) return await options.browserPage(req, res);
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const body = req.method === 'POST' ? await readBody(req, maxBodyBytes) : undefined;
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: url.search, body },
        context: () => options.context(req, callerGone.signal),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      if (res.headersSent) return void res.end();
      if (error instanceof RequestError) return sendJsonError(res, error.status, error.code, error.message);
      // Driver errors quote their SQL, values included: log what failed, never the data.
      log.error({ path: new URL(req.url ?? '/', 'http://localhost').pathname, err: { code: (error as any)?.code ?? (error as Error)?.name } }, 'request failed');
      sendJsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'The request could not be processed');
    }
  };
  httpServer.keepAliveTimeout = 65_000;
  const terminator = createHttpTerminator({ server: httpServer, gracefulTerminationTimeout: configuration().SHUTDOWN_GRACE_MS });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : 'localhost';
  return {
    url: `http://${host}:${port}${path}`,
    port,
    httpServer,
    async close() {
      draining = true;
      await terminator.terminate();
    },
  };
}
