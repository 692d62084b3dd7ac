// The study site in a real browser: Debian's Chromium (never a downloaded
// one) driven by playwright-core, against the built site served by the same
// static server `npm start` uses. It checks what only a browser can: the
// playground runs the kernel model in the page, hints open one at a time,
// search works from the keyboard, glossary popovers open and close from the
// keyboard, and a newcomer's walk: the annotated thread's links land on the
// lessons, "sources §N" lands at §N, an exercise page shows its tasks and
// points. Every page one by one (axe, console, requests, 375 px) is in
// every_page.browser.test.ts. .ci/run installs chromium when it is missing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shrinker-site-browser-'));
  await build({ configFile: join(repo, 'site', 'vite.config.ts'), logLevel: 'silent', build: { outDir: join(tmp, 'site', 'dist'), emptyOutDir: true } });
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

/** What a page did while it loaded: console errors, uncaught errors, failed or 4xx/5xx requests. */
interface page_log {
  errors: string[];
}

async function open_logged(base: string, path: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; log: page_log }> {
  const page = await patient_page(browser, { viewport });
  const log: page_log = { errors: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.errors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => log.errors.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) log.errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(`${base}/${path}`, { waitUntil: 'networkidle' });
  return { page, log };
}

/** The playground replaying scenario @id's default schedule on load (?schedule=). */
const replay_url = (id: string): string => `playground.html?schedule=${encodeURIComponent(format_schedule(id, []))}`;

describe('study site on a plain static host (no npm start)', () => {
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
    // The thread's v4.10 hang has the longest trace of the thread's scenarios (a thousand lines: 241 s of
    // virtual time). count-trylock's no longer ends in an OOM kill since the model's OOM notifier waits for
    // the GPU as v4.11's does (uninterruptibly, no deadline: df7a508), so its trace is shorter.
    const page = await open(replay_url('rcu-hang-v4.10'));
    const dmesg = page.getByRole('region', { name: 'dmesg' });
    await expect.poll(() => dmesg.textContent(), { timeout: PATIENCE_MS }).toContain('blocked for more than 120 seconds');
    const live = await page.$$eval('[aria-live], [role="status"], [role="log"], [role="alert"]', (els) => els.map((e) => e.textContent ?? ''));
    expect(live.join('')).toMatch(/The run ended \(\w+\): \d+ failure/);
    expect(live.join('').length).toBeLessThan(400);
    expect(await dmesg.evaluate((e) => e.closest('[aria-live]'))).toBeNull();
    // The thousand-line timeline shows 200 lines at a time, paged.
    const timeline = page.getByRole('region', { name: /^Timeline \(/ });
    const lines = async (): Promise<number> => ((await timeline.locator('pre').textContent()) ?? '').split('\n').length;
    expect(await lines()).toBe(200);
    await expect.poll(() => timeline.textContent(), { timeout: PATIENCE_MS }).toMatch(/Lines 1–200 of \d{4,}/);
    await timeline.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => timeline.textContent(), { timeout: PATIENCE_MS }).toMatch(/Lines 201–400 of /);
    await timeline.getByRole('button', { name: 'Last' }).click();
    expect(await timeline.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    expect(await lines()).toBeLessThanOrEqual(200);
  });

  it('remembers the hints shown for an exercise in this browser', async () => {
    const page = await open('exercise-02-scan-must-say-stop.html');
    await page.locator('.reveal-hint').click();
    await expect.poll(() => page.locator('.reveal-hint').textContent(), { timeout: PATIENCE_MS }).toMatch(/^Show hint 2 of/);
    await page.locator('.reveal-hint').click();
    await expect.poll(() => page.locator('.reveal-hint').textContent(), { timeout: PATIENCE_MS }).toMatch(/^Show hint 3 of/);
    await page.reload();
    await expect.poll(() => page.locator('.reveal-hint').textContent(), { timeout: PATIENCE_MS }).toMatch(/^Show hint 3 of/);
    expect(await page.locator('.hint:visible').count()).toBe(2);
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
    await expect.poll(visible, { timeout: PATIENCE_MS }).toBe(1);
    await page.locator('.reveal-hint').click();
    await expect.poll(visible, { timeout: PATIENCE_MS }).toBe(2);
  });

  it('finds a lesson from the search box with the keyboard only', async () => {
    const page = await open('index.html');
    await page.getByRole('searchbox').or(page.getByLabel('Search')).first().focus();
    await page.keyboard.type('owner word');
    // Enter follows the first result: wait until the list answers the whole query (site.ts marks it with data-query).
    await page.locator('#search-results[data-query="owner word"] a[href*="04-owner-word"]').first().waitFor();
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
    // The list that answers the whole query, not one typed half-way (site.ts marks it with data-query).
    const hit = page.locator(`#search-results[data-query="${query}"] a[href="${want}"]`);
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
    // aria-expanded follows the popover's toggle event, which comes a moment after it shows: wait for that state itself.
    await expect.poll(() => page.getByRole('button', { name: 'PF_MEMALLOC', expanded: true }).count(), { timeout: PATIENCE_MS }).toBe(1);
    expect(await page.getByRole('note', { name: 'PF_MEMALLOC: definition' }).isVisible()).toBe(true);
    const box = (await pop.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // Tab goes into the definition (its glossary link), Escape closes it and gives focus back.
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent), { timeout: PATIENCE_MS }).toBe('In the glossary');
    await page.keyboard.press('Escape');
    await expect.poll(() => pop.isVisible(), { timeout: PATIENCE_MS }).toBe(false);
    await expect.poll(() => term.getAttribute('aria-expanded'), { timeout: PATIENCE_MS }).toBe('false');
    expect(await term.evaluate((b) => b === document.activeElement)).toBe(true);
    // Space opens it too.
    await page.keyboard.press('Space');
    await expect.poll(() => pop.isVisible(), { timeout: PATIENCE_MS }).toBe(true);
    await expect.poll(() => term.getAttribute('aria-expanded'), { timeout: PATIENCE_MS }).toBe('true');
    const result = await new AxeBuilder({ page }).analyze();
    expect(result.violations.map((v) => `${v.impact ?? ''} ${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    await page.context().close();
  });

  it('has no accessibility violation on highlighted code in the dark theme (axe)', async () => {
    const page = await patient_page(browser, { colorScheme: 'dark' });
    for (const path of ['04-owner-word.html', 'exercise-04-owner-word.html', 'thread.html']) {
      await page.goto(`${url}/${path}`);
      const result = await new AxeBuilder({ page }).analyze();
      expect(result.violations.map((v) => `${path}: ${v.impact ?? ''} ${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    }
    await page.context().close();
  });
});

describe("a newcomer's walk through the site, in Chromium", () => {
  it('reads the annotated thread passage by passage: each quoted with its author, a "later kernels" note and a lesson link that lands at the lesson\'s section', async () => {
    const page = await open('thread.html');
    const passages = await page.$$eval('main h2[id]', (hs) => {
      const out: { id: string; quote: string; note: string; lesson: string | null; sources: number }[] = [];
      for (const h of hs) {
        if (!/^\d+-/.test(h.id)) continue;
        const parts: Element[] = [];
        for (let e = h.nextElementSibling; e && e.tagName !== 'H2'; e = e.nextElementSibling) parts.push(e);
        const find = (sel: string): Element | null => parts.map((p) => (p.matches(sel) ? p : p.querySelector(sel))).find((x) => x) ?? null;
        out.push({
          id: h.id,
          quote: find('figure.box-thread figcaption')?.textContent ?? '',
          note: find('.box-kernel[role="note"]')?.textContent ?? '',
          lesson: find('a[href^="0"], a[href^="1"]')?.getAttribute('href') ?? null,
          sources: parts.reduce((n, p) => n + p.querySelectorAll('a[href^="sources.html#s"]').length, 0),
        });
      }
      return out;
    });
    expect(passages.length).toBeGreaterThanOrEqual(11);
    for (const p of passages) {
      expect(p.quote, p.id).toMatch(/— (Andrea Arcangeli|Chris Wilson)/);
      expect(p.note.length, `${p.id}: a note on what later kernels showed`).toBeGreaterThan(40);
      expect(p.lesson, p.id).toMatch(/^\d\d-[a-z0-9-]+\.html#[a-z0-9-]+$/);
      expect(p.sources, p.id).toBeGreaterThan(0);
    }
    // Follow the first passage's lesson link: the lesson opens at that section, not at its top.
    const href = passages[0]!.lesson!;
    await page.locator(`main a[href="${href}"]`).first().click();
    await page.waitForURL((u) => u.href.endsWith(href));
    const fragment = href.split('#')[1]!;
    const top = await page.evaluate((id) => document.getElementById(id)?.getBoundingClientRect().top ?? null, fragment);
    expect(top, `#${fragment} exists on ${href}`).not.toBeNull();
    expect(top!).toBeGreaterThanOrEqual(-1);
    expect(top!).toBeLessThan(await page.evaluate(() => window.innerHeight));
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    await page.context().close();
  });

  it.each(['03-reclaim-recursion.html', 'thread.html'])('follows a "sources §N" link on %s to §N itself, on screen', async (from) => {
    const page = await open(from);
    const link = page.locator('main a[href^="sources.html#s"]').last();
    const href = (await link.getAttribute('href'))!;
    const n = href.split('#s')[1]!;
    expect(await link.textContent()).toContain(`§${n}`);
    await link.click();
    await page.waitForURL((u) => u.pathname.endsWith('/sources.html') && u.hash === `#s${n}`);
    const heading = page.locator(`#s${n}`);
    expect(await heading.textContent()).toMatch(new RegExp(`^§${n} `));
    expect(await heading.isVisible()).toBe(true);
    const top = await heading.evaluate((h) => h.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(-1);
    expect(top).toBeLessThan(await page.evaluate(() => window.innerHeight));
    if (n !== '1') expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    await page.context().close();
  });

  it('shows an exercise\'s tasks with the points of each check, the command to check it, and hints one at a time', async () => {
    const page = await open('exercise-03-reclaim-recursion.html');
    const tasks = page.getByRole('region', { name: /Tasks/ });
    expect(await tasks.isVisible()).toBe(true);
    expect(await tasks.textContent()).toMatch(/Task 1\. .*\(\d+ points?\)/);
    expect(await tasks.locator('code').count()).toBeGreaterThan(0);
    expect(await page.textContent('main')).toContain('npx shrinker-lab run 03');
    const hints = () => page.locator('.hint:visible').count();
    expect(await hints()).toBe(0);
    await page.locator('.reveal-hint').click();
    await expect.poll(hints, { timeout: PATIENCE_MS }).toBe(1);
    await page.context().close();
  });
});
