// The study site in a real browser: Debian's Chromium (never a downloaded
// one) driven by playwright-core, against the built site served by the same
// static server `npm start` uses. It checks what only a browser can: the
// playground runs the kernel model in the page, hints open one at a time,
// search works from the keyboard, and axe finds no serious accessibility
// violation on the main pages. .ci/run installs chromium when it is missing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start_study_site, type site_handle } from '../../cli/site';

const repo = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
let tmp: string;
let site: site_handle;
let browser: Browser;
let url = '';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shrinker-site-browser-'));
  await build({ configFile: join(repo, 'site', 'vite.config.ts'), logLevel: 'silent', build: { outDir: join(tmp, 'site', 'dist'), emptyOutDir: true } });
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
  rmSync(tmp, { recursive: true, force: true });
});

async function open(path: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${url}/${path}`);
  // Offline: every request stays on the local server.
  expect(requests.filter((r) => !r.startsWith(url))).toEqual([]);
  return page;
}

describe('study site in Chromium', () => {
  it('runs the kernel model in the page: the v4.10 hang shows the hung-task report', async () => {
    const page = await open('playground.html');
    await page.getByRole('button', { name: 'Run rcu-hang-v4.10' }).click();
    await expect.poll(() => page.textContent('body'), { timeout: 20_000 }).toContain('INFO: task i915_ioctl:1 blocked for more than 120 seconds.');
  });

  it('says what is wrong with a malformed schedule string', async () => {
    const page = await open('playground.html');
    await page.getByLabel('Schedule string').fill('sl1:rcu-hang-v4.10:m1:-:xxxx');
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => page.textContent('body')).toContain('checksum');
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
    await page.keyboard.press('Enter');
    await page.waitForURL(/04-owner-word\.html/);
    expect(await page.title()).toContain('owner word');
  });

  it.each(['index.html', '01-count-must-not-hide-memory.html', 'exercise-01-count-must-not-hide-memory.html', 'playground.html'])(
    'has no serious or critical accessibility violation on %s (axe)',
    async (path) => {
      const page = await open(path);
      const result = await new AxeBuilder({ page }).analyze();
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    },
  );
});
