/**
 * Browser tests run Debian's chromium through playwright-core (no browser is downloaded).
 * Without /usr/bin/chromium a browser suite skips with a message, except in CI, where it
 * fails instead: there the browser tests must run.
 */
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCI = Boolean(process.env.CI) && !['false', '0'].includes(process.env.CI!);
const SKIP_REASON = `skipped: ${CHROMIUM} is not installed (apt-get install -y chromium); in CI this test fails instead`;

/** `describe(title, body)` when chromium is there; otherwise a skip (or, in CI, a failing test). */
export function describeInBrowser(file: string, title: string, body: () => void): void {
  if (!haveChromium && !inCI) console.warn(`${file} ${SKIP_REASON}`);
  describe.runIf(!haveChromium && inCI)(`${title} (CI)`, () => {
    it(`needs ${CHROMIUM}: CI installs it (apt-get install -y chromium)`, () => {
      throw new Error(`${CHROMIUM} is missing: the browser test must run in CI`);
    });
  });
  describe.skipIf(!haveChromium)(`${title}${haveChromium ? '' : ` (${SKIP_REASON})`}`, body);
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}
