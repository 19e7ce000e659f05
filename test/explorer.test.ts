/**
 * The developer explorer: outside production, a browser's GET of /graphql (Accept: text/html)
 * is GraphiQL's page under the dashboard's content policy, with no inline script and every
 * asset served by the gateway itself (none from a CDN); a query sent as the explorer sends it
 * (POST, JSON, the token field's Bearer header) is answered. In production there is no page
 * and no asset: a GET of /graphql is GraphQL's as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { PAGE_POLICY } from '../gateway/dashboard/serve.js';
import { EXPLORER_POLICY } from '../gateway/explorer/serve.js';
import { mintDevelopmentToken } from '../scripts/token.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let hub: TestHub;
let production: RunningGateway;

beforeAll(async () => {
  hub = await startTestHub({ subjects: 50 });
  const subgraphUrls = Object.fromEntries([...hub.hub.subgraphs].map(([name, subgraph]) => [name, subgraph.url]));
  production = await startGateway({ port: 0, production: true, subgraphUrls });
}, 120_000);
afterAll(async () => {
  await production?.stop();
  await hub?.stop();
});

/** What the page loads: every script src and stylesheet href. */
const assetsOf = (html: string) => [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+)"/g)].map((match) => match[1]);

describe('in development', () => {
  it('a browser opening /graphql gets the explorer under the strict content policy, no inline script', async () => {
    const response = await fetch(hub.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // The dashboard's policy, fonts from data: URLs added (GraphiQL's stylesheet embeds them).
    expect(response.headers.get('content-security-policy')).toBe(EXPLORER_POLICY);
    expect(EXPLORER_POLICY).toBe(`${PAGE_POLICY}; font-src 'self' data:`);
    expect(PAGE_POLICY).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('id="token"');
    // Every <script> has a src: nothing inline, which the policy would block anyway.
    expect([...html.matchAll(/<script\b[^>]*>/g)].every((tag) => /\bsrc="/.test(tag[0]))).toBe(true);
    expect([...html.matchAll(/<script\b[^>]*>([^<]*)<\/script>/g)].every((match) => match[1].trim() === '')).toBe(true);
  });

  it('loads every asset from the gateway itself, with its type', async () => {
    const html = await (await fetch(hub.url, { headers: { accept: BROWSER_ACCEPT } })).text();
    const assets = assetsOf(html);
    expect(assets.filter((asset) => !asset.startsWith('data:')).length).toBe(6);
    for (const asset of assets.filter((a) => !a.startsWith('data:'))) {
      expect(asset, `${asset} is not from this origin`).toMatch(/^\/explorer\//);
      const response = await fetch(new URL(asset, hub.url));
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type')).toBe(asset.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect((await response.text()).length).toBeGreaterThan(100);
    }
    const graphiql = await (await fetch(new URL('/explorer/vendor/graphiql.min.js', hub.url))).text();
    expect(graphiql).toContain('window.GraphiQL');
  });

  it('answers a query sent as the explorer sends it, with the token field\'s Bearer header', async () => {
    const token = await mintDevelopmentToken({ role: 'admin', sub: 'explorer-user' });
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ taxEntries(first: 3) { totalCount edges { node { listName creditCode } } } }' }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.taxEntries.edges.length).toBeGreaterThan(0);
  });

  it('still answers GraphQL GETs that do not ask for a page', async () => {
    const response = await fetch(`${hub.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect((await response.json()).data).toEqual({ __typename: 'Query' });
  });
});

describe('in production', () => {
  it('serves no explorer: /graphql from a browser is GraphQL\'s answer (CSRF prevention), the assets are 404', async () => {
    const page = await fetch(production.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.headers.get('content-type')).not.toMatch(/text\/html/);
    expect(page.status).toBe(400);
    expect(await page.text()).not.toContain('GraphiQL');
    for (const asset of ['/explorer/explorer.js', '/explorer/vendor/graphiql.min.js']) {
      expect((await fetch(new URL(asset, production.url))).status, asset).toBe(404);
    }
  });
});
