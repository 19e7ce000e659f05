/**
 * The development explorer in a real browser (Debian's chromium through playwright-core, as
 * the dashboard's test): GraphiQL renders under the content policy with nothing refused, and
 * a query run from it, with a token in the token field, is answered — the request carried
 * the token as `Authorization: Bearer`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestHub, type TestHub } from './env.js';
import { mintDevelopmentToken } from '../scripts/token.js';
import { describeInBrowser, launchChromium } from './browser.js';

describeInBrowser('explorer.browser.test.ts', 'the explorer in a real browser', () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    hub = await startTestHub({ subjects: 50 });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('renders GraphiQL under the content policy and runs a query with the token field\'s token', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const posts: { authorization?: string; body: string | null }[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === hub.url) posts.push({ authorization: request.headers().authorization, body: request.postData() });
    });
    await page.goto(hub.url);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20_000 });
    const token = await mintDevelopmentToken({ role: 'admin', sub: 'explorer-browser' });
    await page.fill('#token', token);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => /"totalCount"/.test(document.querySelector('.result-window')?.textContent ?? ''), undefined, { timeout: 20_000 });
    const run = posts.find((post) => post.body?.includes('taxEntries'));
    expect(run?.authorization).toBe(`Bearer ${token}`);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
