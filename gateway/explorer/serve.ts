/**
 * The developer explorer, outside production only: a GET of /graphql from a browser
 * (`Accept: text/html`) gets GraphiQL, served from node_modules with React's UMD builds —
 * nothing from a CDN — under the dashboard's content policy (no inline script), with a token
 * field for the Authorization header. In production the gateway does not mount it, and a GET
 * of /graphql is GraphQL's as before.
 */
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Route } from '../../subgraphs/kit/http.js';
import { PAGE_POLICY, serveAsset, type Asset } from '../dashboard/serve.js';

export const EXPLORER_ASSETS_PATH = '/explorer';

/** The dashboard's policy, and GraphiQL's stylesheet embeds its fonts as data: URLs. */
export const EXPLORER_POLICY = `${PAGE_POLICY}; font-src 'self' data:`;

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const script = 'text/javascript; charset=utf-8';
const style = 'text/css; charset=utf-8';

const ASSETS: Record<string, Asset> = {
  [`${EXPLORER_ASSETS_PATH}/explorer.js`]: { file: join(here, 'explorer.js'), type: script },
  [`${EXPLORER_ASSETS_PATH}/explorer.css`]: { file: join(here, 'explorer.css'), type: style },
  // graphiql 3 (MIT) is the last line with a prebuilt browser bundle; it takes React 18 from globals.
  [`${EXPLORER_ASSETS_PATH}/vendor/graphiql.min.js`]: { file: join(packageDir('graphiql'), 'graphiql.min.js'), type: script },
  [`${EXPLORER_ASSETS_PATH}/vendor/graphiql.min.css`]: { file: join(packageDir('graphiql'), 'graphiql.min.css'), type: style },
  [`${EXPLORER_ASSETS_PATH}/vendor/react.production.min.js`]: { file: join(packageDir('react'), 'umd', 'react.production.min.js'), type: script },
  [`${EXPLORER_ASSETS_PATH}/vendor/react-dom.production.min.js`]: { file: join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'), type: script },
};

/** The explorer's page (for serveGraphQL's `browserPage`) and its assets (for its `routes`). */
export function explorer(): { page: Route; routes: Record<string, Route> } {
  const routes: Record<string, Route> = {};
  for (const [path, asset] of Object.entries(ASSETS)) routes[path] = serveAsset(asset);
  return { page: serveAsset({ file: join(here, 'index.html'), type: 'text/html; charset=utf-8', policy: EXPLORER_POLICY }), routes };
}
