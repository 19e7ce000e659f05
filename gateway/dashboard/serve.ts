/**
 * The built-in dashboard at /dashboard: a static page (this folder) and the chart library,
 * served by the gateway from node_modules — nothing is fetched from the internet. The page
 * reads everything through the public GraphQL endpoint with the viewer's own token (or
 * none: the public view), so it shows exactly what that viewer may see.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../../subgraphs/kit/http.js';

export const DASHBOARD_PATH = '/dashboard';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The page may talk to this origin only: no inline script, no third party (the explorer's too). */
export const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Chart.js sizes its canvases through element styles.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export interface Asset {
  file: string;
  type: string;
  /** An HTML page's content policy (default PAGE_POLICY). */
  policy?: string;
}

const ASSETS: Record<string, Asset> = {
  [DASHBOARD_PATH]: { file: join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  [`${DASHBOARD_PATH}/app.js`]: { file: join(here, 'app.js'), type: 'text/javascript; charset=utf-8' },
  [`${DASHBOARD_PATH}/style.css`]: { file: join(here, 'style.css'), type: 'text/css; charset=utf-8' },
  // chart.js (MIT) exports only its module entry points: its UMD build sits beside them.
  [`${DASHBOARD_PATH}/vendor/chart.umd.min.js`]: {
    file: join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

/** A static file, revalidated by its hash; HTML pages under PAGE_POLICY. */
export function serveAsset(asset: Asset): Route {
  let loaded: { body: Buffer; etag: string } | undefined;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('allow', 'GET, HEAD');
      res.end();
      return;
    }
    loaded ??= (() => {
      const body = readFileSync(asset.file);
      return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    })();
    res.setHeader('content-type', asset.type);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    // Revalidated on every load, answered 304 while unchanged.
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('etag', loaded.etag);
    if (asset.type.startsWith('text/html')) {
      res.setHeader('content-security-policy', asset.policy ?? PAGE_POLICY);
      res.setHeader('x-frame-options', 'DENY');
    }
    if (req.headers['if-none-match'] === loaded.etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.setHeader('content-length', loaded.body.length);
    res.end(req.method === 'HEAD' ? undefined : loaded.body);
  };
}

/** The routes of the dashboard, for serveGraphQL's `routes`. */
export function dashboardRoutes(): Record<string, Route> {
  const routes: Record<string, Route> = {};
  for (const [path, asset] of Object.entries(ASSETS)) routes[path] = serveAsset(asset);
  routes[`${DASHBOARD_PATH}/`] = routes[DASHBOARD_PATH];
  return routes;
}
