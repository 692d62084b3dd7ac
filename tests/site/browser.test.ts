// The study site in a real browser: Debian's Chromium (never a downloaded
// one) driven by playwright-core, against the built site served by the same
// static server `npm start` uses. It checks what only a browser can: the
// playground runs the kernel model in the page, hints open one at a time,
// search works from the keyboard, and axe finds no serious accessibility
// violation on the main pages. .ci/run installs chromium when it is missing.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PATIENCE_MS, patient_page } from './patience';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start_study_site, type site_handle } from '../../cli/site';
import { format_schedule } from '../../explorer/schedule';
import { serve_static } from './static_server';

const repo = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
let tmp: string;
let site: site_handle;
let browser: Browser;
let url = '';
let static_host: { url: string; stop(): Promise<void> };
let pages: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shrinker-site-browser-'));
  await build({ configFile: join(repo, 'site', 'vite.config.ts'), logLevel: 'silent', build: { outDir: join(tmp, 'site', 'dist'), emptyOutDir: true } });
  pages = readdirSync(join(tmp, 'site', 'dist')).filter((f) => f.endsWith('.html')).sort();
  // The learner has passed exercise 01: `npm start` serves that as progress.json.
  mkdirSync(join(tmp, '.shrinker-lab'), { recursive: true });
  writeFileSync(join(tmp, '.shrinker-lab', 'state.json'), JSON.stringify({ format: 1, exercises: { '01-count-must-not-hide-memory': { status: 'passed', passed: true, hints: 0, checked_at: null } } }));
  static_host = await serve_static(join(tmp, 'site', 'dist'));
  site = await start_study_site({ root: tmp, host: '127.0.0.1', port: 0 });
  if (!site.running) throw new Error(`the study site did not start: ${site.reason}`);
  url = site.url.replace(/\/$/, '');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (site?.running) await site.stop();
  await static_host?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function open(path: string): Promise<Page> {
  const page = await patient_page(browser);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${url}/${path}`);
  // Offline: every request stays on the local server.
  expect(requests.filter((r) => !r.startsWith(url))).toEqual([]);
  return page;
}

/** What a page did while it loaded: console errors, uncaught errors, failed or 4xx/5xx requests, and every URL asked for. */
interface page_log {
  errors: string[];
  requests: string[];
  /** Bytes of each response body by resource type ("script", "document", ...). */
  bytes: Map<string, number>;
}

async function open_logged(base: string, path: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; log: page_log; settle(): Promise<void> }> {
  const page = await patient_page(browser, { viewport });
  const log: page_log = { errors: [], requests: [], bytes: new Map() };
  const bodies: Promise<void>[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.errors.push(`uncaught: ${e.message}`));
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('requestfailed', (r) => log.errors.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) log.errors.push(`HTTP ${r.status()}: ${r.url()}`);
    const type = r.request().resourceType();
    bodies.push(
      r.body().then(
        (b) => void log.bytes.set(type, (log.bytes.get(type) ?? 0) + b.length),
        () => undefined,
      ),
    );
  });
  await page.goto(`${base}/${path}`, { waitUntil: 'networkidle' });
  return { page, log, settle: async () => void (await Promise.all(bodies)) };
}

/** The playground replaying scenario @id's default schedule on load (?schedule=). */
const replay_url = (id: string): string => `playground.html?schedule=${encodeURIComponent(format_schedule(id, []))}`;

const page_type = (f: string): string =>
  f === 'index.html' ? 'index' : f === 'playground.html' ? 'playground' : f.startsWith('exercise-') ? 'exercise' : /^\d/.test(f) ? 'lesson' : 'reference (thread, sources, glossary)';

describe('study site on a plain static host (no npm start)', () => {
  // One pass over every page at 375 px (each load is slow on a shared machine):
  // console and network errors, requests leaving 127.0.0.1, sideways scroll, bytes.
  it('on every page at 375 px: no console error, no failed request, nothing asked of any host but 127.0.0.1, no sideways scroll; a lesson page has under 50 KB of JS', async () => {
    expect(pages.length).toBeGreaterThanOrEqual(21);
    const problems: string[] = [];
    const by_type = new Map<string, { js: number; total: number; pages: number }>();
    const sideways = async (page: Page, what: string): Promise<void> => {
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      if (scroll > client) problems.push(`${what} scrolls sideways at 375 px: ${scroll} > ${client}`);
    };
    for (const f of pages) {
      const { page, log, settle } = await open_logged(static_host.url, f, { width: 375, height: 800 });
      await sideways(page, f);
      if (f === 'playground.html') {
        // Mid-run too: the run with the longest trace (about 10,000 lines).
        await page.goto(`${static_host.url}/${replay_url('count-trylock')}`);
        await page.getByRole('region', { name: 'dmesg' }).waitFor({ timeout: PATIENCE_MS });
        await sideways(page, `${f} after a run`);
      }
      await settle();
      problems.push(...log.errors.map((e) => `${f}: ${e}`));
      problems.push(...log.requests.filter((r) => !r.startsWith('http://127.0.0.1:')).map((r) => `${f} asked outside 127.0.0.1: ${r}`));
      const js = log.bytes.get('script') ?? 0;
      const total = [...log.bytes.values()].reduce((a, b) => a + b, 0);
      const t = by_type.get(page_type(f)) ?? { js: 0, total: 0, pages: 0 };
      by_type.set(page_type(f), { js: Math.max(t.js, js), total: Math.max(t.total, total), pages: t.pages + 1 });
      if (page_type(f) === 'lesson' && js >= 50 * 1024) problems.push(`${f}: ${js} bytes of JS (a lesson page stays under 50 KB)`);
      if (js === 0) problems.push(`${f}: loaded no script`);
      await page.context().close();
    }
    console.log(
      'Bytes per page type (largest page of each type, uncompressed, before any run):\n' +
        [...by_type].map(([type, t]) => `  ${type.padEnd(28)} JS ${String(t.js).padStart(7)}  total ${String(t.total).padStart(7)}  (${t.pages} pages)`).join('\n'),
    );
    expect([...by_type.keys()].sort()).toEqual(['exercise', 'index', 'lesson', 'playground', 'reference (thread, sources, glossary)']);
    expect(problems).toEqual([]);
  });

  it('keeps progress in the browser: the map says how to get it on a static host, and shows what npm start served', async () => {
    const plain = await open_logged(static_host.url, 'index.html');
    await expect.poll(() => plain.page.textContent('#progress-summary'), { timeout: PATIENCE_MS }).toMatch(/npm start/);
    expect(await plain.page.textContent('.status[data-exercise="01-count-must-not-hide-memory"]')).toBe('not checked yet');
    expect(plain.log.errors).toEqual([]);
    const served = await open_logged(url, 'index.html');
    await expect.poll(() => served.page.textContent('.status[data-exercise="01-count-must-not-hide-memory"]'), { timeout: PATIENCE_MS }).toBe('✓ passed');
    expect(await served.page.textContent('#progress-summary')).toMatch(/1 of \d+ exercises passed/);
    // Remembered in this browser: the map shows it even when progress.json has none.
    await served.page.route('**/progress.json', (r) => r.fulfill({ contentType: 'application/json', body: '{"format":1,"static":true,"exercises":{}}' }));
    await served.page.reload({ waitUntil: 'networkidle' });
    await expect.poll(() => served.page.textContent('.status[data-exercise="01-count-must-not-hide-memory"]'), { timeout: PATIENCE_MS }).toBe('✓ passed');
    expect(await served.page.textContent('#progress-summary')).toMatch(/as this browser last saw it/);
    expect(served.log.errors).toEqual([]);
    await plain.page.context().close();
    await served.page.context().close();
  });
});

describe('study site in Chromium', () => {
  it('runs the kernel model in the page: the v4.10 hang shows the hung-task report', async () => {
    const page = await open(replay_url('rcu-hang-v4.10'));
    await expect.poll(() => page.textContent('body'), { timeout: PATIENCE_MS }).toContain('INFO: task i915_ioctl:1 blocked for more than 120 seconds.');
  });

  it('announces a run in a few words and pages the trace: dmesg in a normal region labelled "dmesg", never the whole trace live', async () => {
    const page = await open(replay_url('count-trylock'));
    const dmesg = page.getByRole('region', { name: 'dmesg' });
    await expect.poll(() => dmesg.textContent(), { timeout: PATIENCE_MS }).toContain('Killed process');
    const live = await page.$$eval('[aria-live], [role="status"], [role="log"], [role="alert"]', (els) => els.map((e) => e.textContent ?? ''));
    expect(live.join('')).toMatch(/The run ended \(\w+\): \d+ failure/);
    expect(live.join('').length).toBeLessThan(400);
    expect(await dmesg.evaluate((e) => e.closest('[aria-live]'))).toBeNull();
    // The ~10,000-line timeline shows 200 lines at a time, paged.
    const timeline = page.getByRole('region', { name: /Timeline/ });
    const lines = async (): Promise<number> => ((await timeline.locator('pre').textContent()) ?? '').split('\n').length;
    expect(await lines()).toBe(200);
    await expect.poll(() => timeline.textContent(), { timeout: PATIENCE_MS }).toMatch(/Lines 1–200 of \d{4,}/);
    await timeline.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => timeline.textContent(), { timeout: PATIENCE_MS }).toMatch(/Lines 201–400 of /);
    await timeline.getByRole('button', { name: 'Last' }).click();
    expect(await timeline.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    expect(await lines()).toBeLessThanOrEqual(200);
  });

  it('has no serious or critical accessibility violation on the playground mid-run (axe)', async () => {
    const page = await open(replay_url('rcu-hang-v4.10'));
    await page.getByRole('region', { name: 'dmesg' }).waitFor({ timeout: PATIENCE_MS });
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
  });

  it('remembers the hints shown for an exercise in this browser', async () => {
    const page = await open('exercise-02-scan-must-say-stop.html');
    await page.locator('.reveal-hint').click();
    await page.locator('.reveal-hint').click();
    await page.reload();
    expect(await page.locator('.hint:visible').count()).toBe(2);
    expect(await page.locator('.reveal-hint').textContent()).toMatch(/Show hint 3 of/);
  });

  it('says what is wrong with a malformed schedule string', async () => {
    const page = await open('playground.html');
    await page.getByLabel('Schedule string').fill('sl1:rcu-hang-v4.10:m1:-:xxxx');
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => page.textContent('body'), { timeout: PATIENCE_MS }).toContain('checksum');
  });

  it('reveals hints one at a time', async () => {
    const page = await open('exercise-01-count-must-not-hide-memory.html');
    const visible = () => page.locator('.hint:visible').count();
    expect(await visible()).toBe(0);
    await page.locator('.reveal-hint').click();
    expect(await visible()).toBe(1);
    await page.locator('.reveal-hint').click();
    expect(await visible()).toBe(2);
  });

  it('finds a lesson from the search box with the keyboard only', async () => {
    const page = await open('index.html');
    await page.getByRole('searchbox').or(page.getByLabel('Search')).first().focus();
    await page.keyboard.type('owner word');
    // Enter follows the first result: wait until the index has answered the query.
    await page.locator('#search-results a[href*="04-owner-word"]').first().waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/04-owner-word\.html/);
    expect(await page.title()).toContain('owner word');
  });

  it.each([
    ['thread.html', 'small fry'],
    ['thread.html', 'crossrelease'],
    ['glossary.html#wq_mem_reclaim', 'WQ_MEM_RECLAIM'],
  ])('search finds %s for "%s", from the keyboard', async (want, query) => {
    const page = await open('index.html');
    await page.getByLabel('Search').focus();
    await page.keyboard.type(query);
    const hit = page.locator(`#search-results a[href="${want}"]`);
    await hit.waitFor();
    // Down into the results until the wanted one has focus, then Enter follows it.
    for (let i = 0; i < 12 && !(await hit.evaluate((a) => a === document.activeElement)); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname.endsWith(want.split('#')[0]!));
    expect(page.url()).toContain(want);
  });

  it('opens a glossary definition from the keyboard and closes it with Escape, inside the screen at 375 px', async () => {
    const page = await patient_page(browser, { viewport: { width: 375, height: 800 } });
    await page.goto(`${url}/03-reclaim-recursion.html`);
    const term = page.locator('button.term[data-term="pf_memalloc"]');
    const pop = page.locator(`#${await term.getAttribute('popovertarget')}`);
    expect(await pop.isVisible()).toBe(false);
    await term.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => pop.isVisible(), { timeout: PATIENCE_MS }).toBe(true);
    expect(await pop.textContent()).toMatch(/^PF_MEMALLOC: .*reclaim.*In the glossary$/);
    // Announced as a button whose popover is expanded, the definition right after it.
    expect(await page.getByRole('button', { name: 'PF_MEMALLOC', expanded: true }).count()).toBe(1);
    expect(await page.getByRole('note', { name: 'PF_MEMALLOC: definition' }).isVisible()).toBe(true);
    const box = (await pop.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // Tab goes into the definition (its glossary link), Escape closes it and gives focus back.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('In the glossary');
    await page.keyboard.press('Escape');
    await expect.poll(() => pop.isVisible(), { timeout: PATIENCE_MS }).toBe(false);
    expect(await term.evaluate((b) => b === document.activeElement)).toBe(true);
    expect(await term.getAttribute('aria-expanded')).toBe('false');
    // Space opens it too.
    await page.keyboard.press('Space');
    await expect.poll(() => pop.isVisible(), { timeout: PATIENCE_MS }).toBe(true);
    const result = await new AxeBuilder({ page }).analyze();
    expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    await page.context().close();
  });

  it('has no serious or critical accessibility violation on highlighted code in the dark theme (axe)', async () => {
    const page = await patient_page(browser, { colorScheme: 'dark' });
    for (const path of ['04-owner-word.html', 'exercise-04-owner-word.html', 'thread.html']) {
      await page.goto(`${url}/${path}`);
      const result = await new AxeBuilder({ page }).analyze();
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad.map((v) => `${path}: ${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    }
    await page.context().close();
  });

  it.each(['index.html', '01-count-must-not-hide-memory.html', '04-owner-word.html', 'exercise-01-count-must-not-hide-memory.html', 'playground.html', 'sources.html', 'thread.html', 'glossary.html'])(
    'has no serious or critical accessibility violation on %s (axe)',
    async (path) => {
      const page = await open(path);
      const result = await new AxeBuilder({ page }).analyze();
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    },
  );
});
