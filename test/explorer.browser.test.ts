/**
 * The development explorer in a real browser (Debian's chromium through playwright-core, as
 * the dashboard's test): GraphiQL renders under the content policy with nothing refused, and
 * a query run from it, with a token in the token field, is answered — the request carried
 * the token as `Authorization: Bearer`.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestHub, type TestHub } from './env.js';
import { mintDevelopmentToken } from '../scripts/token.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCI = Boolean(process.env.CI) && !['false', '0'].includes(process.env.CI!);
const SKIP_REASON = `skipped: ${CHROMIUM} is not installed (apt-get install -y chromium); in CI this test fails instead`;
if (!haveChromium && !inCI) console.warn(`explorer.browser.test.ts ${SKIP_REASON}`);

describe.runIf(!haveChromium && inCI)('the explorer in a real browser (CI)', () => {
  it(`needs ${CHROMIUM}: CI installs it (apt-get install -y chromium)`, () => {
    throw new Error(`${CHROMIUM} is missing: the browser test must run in CI`);
  });
});

describe.skipIf(!haveChromium)(`the explorer in a real browser${haveChromium ? '' : ` (${SKIP_REASON})`}`, () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    hub = await startTestHub({ subjects: 50 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
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
