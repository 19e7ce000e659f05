/**
 * The built-in dashboard in a real browser (Debian's chromium, driven by playwright-core —
 * no browser is downloaded): it loads with a handful of GraphQL requests, shows the same
 * headline figures as the API, filters, and looks a subject up across departments, masked
 * as the viewer's role requires. Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from './env.js';
import { mintDevelopmentToken } from '../scripts/token.js';
import { describeInBrowser, launchChromium } from './browser.js';
import { departments } from '../subgraphs/departments.js';

const names = departments.map((department) => department.name);

describeInBrowser('dashboard.browser.test.ts', 'the dashboard in a real browser', () => {
  const clock = () => new Date('2026-11-01T02:00:00.000Z');
  let hub: TestHub;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    hub = await startTestHub({ subjects: 600, clock, caseRecords: true });
    await hub.hub.settle();
    origin = new URL(hub.url).origin;
    browser = await launchChromium();
    mkdirSync('test-results', { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  /** A fresh page that records every request it makes and every error it meets. */
  async function openDashboard() {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1600 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const requests: { url: string; method: string; body: string | null }[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push({ url: request.url(), method: request.method(), body: request.postData() }));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${origin}/dashboard`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
    return { page, context, requests, problems, graphqlRequests: () => requests.filter((r) => r.url === `${origin}/graphql`) };
  }

  const figureOf = async (page: Page, name: string) => Number(await page.getAttribute(`[data-figure="${name}"]`, 'data-value'));

  async function apiFigures(from: string, to: string, filter: Record<string, string> = {}) {
    const { data, errors } = await hub.queryAs(null, `query($from: Date!, $to: Date!, $filter: StatisticsFilter) {
      entryStatistics(from: $from, to: $to, filter: $filter) { recognised { count } exited { count } active { count } }
      warningListStatistics(from: $from, to: $to, filter: $filter) { current }
      listedSubjectStatistics(from: $from, to: $to, filter: $filter) { subjects multiDomainSubjects } }`, { from, to, filter });
    expect(errors).toBeUndefined();
    return {
      active: data.entryStatistics.active[0].count,
      recognised: data.entryStatistics.recognised[0].count,
      exited: data.entryStatistics.exited[0].count,
      warning: data.warningListStatistics.current,
      listed: data.listedSubjectStatistics.subjects,
      multi: data.listedSubjectStatistics.multiDomainSubjects,
    };
  }

  it('loads with the catalogue and one batched GraphQL request, shows the API\'s headline figures, and filters', async () => {
    const { page, context, requests, problems, graphqlRequests } = await openDashboard();
    try {
      // First load: the page, its script and style, the chart library — from the gateway only.
      expect(requests.every((r) => r.url.startsWith(`${origin}/`)), requests.map((r) => r.url).join('\n')).toBe(true);
      expect(requests.some((r) => r.url === `${origin}/dashboard/vendor/chart.umd.min.js`)).toBe(true);
      const firstLoad = graphqlRequests();
      expect(firstLoad.length).toBeLessThanOrEqual(5);
      // The hub's departments (the catalogue, for the labels and the queries), then every figure,
      // the warning list and the departments' figures in one operation.
      expect(firstLoad.length).toBe(2);
      expect(firstLoad[0].body).toContain('departments');
      const figuresRequest = firstLoad[1];
      expect(firstLoad.every((r) => r.method === 'POST')).toBe(true);

      const from = await page.inputValue('#from');
      const to = await page.inputValue('#to');
      const expected = await apiFigures(from, to);
      for (const [name, value] of Object.entries(expected)) expect(await figureOf(page, name), name).toBe(value);
      expect(expected.active).toBeGreaterThan(0);
      expect(await page.textContent('[data-figure="active"]')).toBe(new Intl.NumberFormat('zh-CN').format(expected.active));
      // Every chart drew, and the warning list shows its members.
      expect(await page.evaluate(() => [...document.querySelectorAll('canvas')].every((c) => c.width > 0 && c.height > 0))).toBe(true);
      expect(await page.locator('#warning-list tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('#cases tbody tr').count()).toBe(departments.length);
      // One row per department of the catalogue, labelled as the hub's departments query says.
      expect(await page.$$eval('#cases tbody tr td:first-child', (cells) => cells.map((cell) => cell.textContent))).toEqual(departments.map((d) => d.label));
      // The departments' objection and repair figures, as each department answers them.
      const cases = await hub.queryAs(null, `query($from: Date!, $to: Date!) { ${names.map((d) =>
        `${d}: ${d}ObjectionAndRepairStatistics(from: $from, to: $to) { objectionsFiled { count } objectionOutcomes { key count } objectionsOpen repairApplications repairOutcomes { key count } }`).join(' ')} }`, { from, to });
      const outcome = (rows: { key: string; count: number }[], key: string) => rows.find((row) => row.key === key)?.count ?? 0;
      const expectedCases = names.map((d) => {
        const f = cases.data[d];
        return [f.objectionsFiled.reduce((sum: number, row: any) => sum + row.count, 0), outcome(f.objectionOutcomes, 'UPHELD'), f.objectionsOpen, f.repairApplications, outcome(f.repairOutcomes, 'APPROVED')].map(String);
      });
      const shownCases = await page.$$eval('#cases tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(1).map((td) => td.textContent!.replace(/,/g, ''))));
      expect(shownCases).toEqual(expectedCases);
      expect(expectedCases.flat().some((value) => value !== '0')).toBe(true);
      // The joint-measure loop's figures are not the public's: not asked, not shown.
      expect(figuresRequest.body).toContain('"loop":false');
      expect(await page.isVisible('#loop-panel')).toBe(false);
      expect(figuresRequest.body).toContain('"consolidated":false');
      expect(await page.isVisible('#consolidated-panel')).toBe(false);
      await page.screenshot({ path: 'test-results/dashboard-public.png', fullPage: true });

      // A filter is one more request, and the figures follow it.
      await page.selectOption('#domain', 'COURTS');
      await page.fill('#region', '11');
      await page.evaluate(() => delete document.body.dataset.loaded);
      await page.click('#filters button[type="submit"]');
      await page.waitForSelector('body[data-loaded="true"]');
      expect(graphqlRequests().length).toBe(firstLoad.length + 1);
      const courts = await apiFigures(from, to, { domain: 'COURTS', regionCode: '11' });
      for (const [name, value] of Object.entries(courts)) expect(await figureOf(page, name), `COURTS/11 ${name}`).toBe(value);
      expect(courts.active).toBeLessThan(expected.active);
      // One department chosen: only its objection and repair figures, narrowed to the region.
      expect(await page.locator('#cases tbody tr').count()).toBe(1);
      expect(graphqlRequests().at(-1)!.body).toContain('"caseFilter":{"regionCode":"11"}');
      expect(await page.textContent('#region-level')).toBe('city');

      // A wrong filter gets the API's own explanation.
      await page.fill('#region', '4a');
      await page.evaluate(() => delete document.body.dataset.loaded);
      await page.click('#filters button[type="submit"]');
      await page.waitForSelector('body[data-loaded="true"]');
      expect(await page.textContent('#error')).toMatch(/"4a" is not an administrative division code/);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('looks a subject up across departments, masked for the public and unmasked for an administrator who states a purpose', async () => {
    const { page, context, problems } = await openDashboard();
    try {
      const entries = [...hub.demo.entriesByDepartment.values()].flat();
      // A natural person listed publicly in two departments: the identity number is personal data.
      const byPerson = new Map<string, typeof entries>();
      for (const e of entries.filter((x) => x.subjectType === 'NATURAL_PERSON' && x.status === 'ACTIVE' && x.published)) {
        byPerson.set(e.creditCode, [...(byPerson.get(e.creditCode) ?? []), e]);
      }
      const [code, own] = [...byPerson].find(([, list]) => new Set(list.map((e) => e.domain)).size >= 2)!;
      const masked = `${code.slice(0, 4)}**********${code.slice(-4)}`;

      await page.fill('#code', code);
      await page.click('#lookup button[type="submit"]');
      await page.waitForSelector('#subject-entries');
      const publicView = await hub.queryAs(null, `query($c: ID!) { subject(creditCode: $c) { ${names.map((d) => `${d} { entries { id } }`).join(' ')} } }`, { c: code });
      const visible = names.flatMap((d) => publicView.data.subject[d].entries.map((e: any) => e.id));
      const shown = await page.$$eval('#subject-entries tbody tr[data-entry]', (rows) => rows.map((row) => (row as HTMLElement).dataset.entry));
      expect(shown.sort()).toEqual(visible.sort());
      expect(shown.length).toBeGreaterThanOrEqual(2);
      // The entries as the API gave them to the public: the identity number masked.
      const text = await page.textContent('#subject-entries');
      expect(text).toContain(masked);
      expect(text).not.toContain(code);
      expect(await page.textContent('#subject')).toContain('Personal data is masked');
      await page.screenshot({ path: 'test-results/dashboard-lookup-public.png', fullPage: true });

      // Meanwhile an agency screens a judgment debtor before a procurement and reports what it did.
      const agency = { role: 'agency', agency: '某市财政局政府采购监管处', sub: 'dashboard-agency' } as const;
      const debtor = hub.demo.entriesByDepartment.get('courts')!.find((e) => e.listKind === 'DISHONEST_JUDGMENT_DEBTOR' && e.status === 'ACTIVE' && e.subjectType === 'ORGANISATION')!;
      const screened = await hub.queryAs(agency, `mutation { screen(creditCodes: ["${debtor.creditCode}"], scenario: GOVERNMENT_PROCUREMENT, reference: "CG-2026-0001") {
        id items { measures { measure { id } } } } }`);
      const reported = await hub.queryAs(agency, `mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id } }`, {
        input: { screeningId: screened.data.screen.id, creditCode: debtor.creditCode, measureId: screened.data.screen.items[0].measures[0].measure.id, outcome: 'APPLIED', caseReference: 'CG-2026-0001' },
      }, { purpose: '政府采购供应商资格审查', reference: 'CG-2026-0001' });
      expect(reported.errors).toBeUndefined();

      // An administrator pastes a token and states a purpose: the same lookup, unmasked — and registered.
      await page.fill('#token', await mintDevelopmentToken({ role: 'admin', sub: 'dashboard-admin' }));
      await page.evaluate(() => delete document.body.dataset.loaded);
      await page.click('#identity button[type="submit"]');
      await page.waitForSelector('body[data-loaded="true"]');
      expect(await page.textContent('[data-testid="viewer"]')).toContain('admin');
      // An administrator also sees the joint-measure loop, with the API's figures.
      await page.waitForSelector('#loop-panel', { state: 'visible' });
      const loop = await hub.queryAs({ role: 'admin' }, `query($from: Date!, $to: Date!) { jointMeasureStatistics(from: $from, to: $to) { sharedCases recognisedEntries } }`,
        { from: await page.inputValue('#from'), to: await page.inputValue('#to') });
      expect(await figureOf(page, 'loop-cases')).toBe(loop.data.jointMeasureStatistics.sharedCases);
      expect(await figureOf(page, 'loop-recognised')).toBe(loop.data.jointMeasureStatistics.recognisedEntries);
      expect(loop.data.jointMeasureStatistics).toMatchObject({ sharedCases: 1 });
      expect(loop.data.jointMeasureStatistics.recognisedEntries).toBeGreaterThan(0);
      expect(await page.textContent('#loop-outcomes')).toContain('Applied');
      // …and the consolidated black list's first page, as the API gives it to an administrator.
      const consolidated = await hub.queryAs({ role: 'admin' }, `{ consolidatedList(first: 20) { edges { node { subject { creditCode } } } } }`);
      const listed = consolidated.data.consolidatedList.edges.map((e: any) => e.node.subject.creditCode);
      expect(listed.length).toBe(20);
      const shownListed = await page.$$eval('#consolidated tbody tr td:first-child', (cells) => cells.map((cell) => cell.textContent!.trim().split(' ').at(-1)));
      expect(shownListed).toEqual(listed);
      await page.click('#lookup summary');
      await page.fill('#purpose', '信用监管统计核查');
      await page.fill('#reference', 'DASH-2026-0001');
      await page.click('#lookup button[type="submit"]');
      await page.waitForFunction((c) => document.querySelector('#subject-entries')?.textContent?.includes(c), code);
      const rows = await page.$$eval('#subject-entries tbody tr[data-entry]', (list) => list.map((row) => (row as HTMLElement).dataset.entry));
      expect(rows.sort()).toEqual(expect.arrayContaining(own.map((e) => e.id).sort()));
      await page.screenshot({ path: 'test-results/dashboard-lookup-admin.png', fullPage: true });
      const register = await hub.query(`query($c: ID!) { accessRegister(filter: { subjectCode: $c }) { edges { node { purpose reference } } } }`, { c: code });
      expect(register.data.accessRegister.edges.map((e: any) => e.node)).toContainEqual({ purpose: '信用监管统计核查', reference: 'DASH-2026-0001' });

      // A code that is not one: the API's message.
      await page.fill('#code', '91110108614693833X');
      await page.click('#lookup button[type="submit"]');
      await page.waitForSelector('#subject p.error');
      expect(await page.textContent('#subject')).toMatch(/not a valid credit code/);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('serves the page with a strict content policy, and only to GET', async () => {
    const page = await fetch(`${origin}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*connect-src 'self'/);
    const again = await fetch(`${origin}/dashboard/app.js`, { headers: { 'if-none-match': (await fetch(`${origin}/dashboard/app.js`)).headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${origin}/dashboard`, { method: 'POST' })).status).toBe(405);
  });
});
