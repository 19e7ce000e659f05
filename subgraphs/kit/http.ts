/**
 * Serves an Apollo Server over plain node:http — for the gateway and every subgraph —
 * with a request body limit, JSON errors for what never reaches GraphQL, a health
 * route and room for more routes (dashboard, keys) beside `/graphql`.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface ServeOptions<Context extends BaseContext> {
  port: number;
  host?: string;
  path?: string;
  maxBodyBytes?: number;
  /** `signal` aborts when the caller goes away before the answer is sent (it gave up: stop the work). */
  context: (req: IncomingMessage, signal: AbortSignal) => Promise<Context>;
  routes?: Record<string, Route>;
}

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
  const routes: Record<string, Route> = {
    '/health': (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"ok"}');
    },
    ...options.routes,
  };

  const httpServer = http.createServer(async (req, res) => {
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
      console.error(`request to ${req.url} failed: ${(error as any)?.code ?? (error as Error)?.name ?? 'error'}`);
      sendJsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'The request could not be processed');
    }
  });
  httpServer.keepAliveTimeout = 65_000;

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
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      }),
  };
}
