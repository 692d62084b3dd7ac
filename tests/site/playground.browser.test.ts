// "You are the scheduler" in a real browser (Debian's Chromium driven by
// playwright-core) against the built site on a plain static host: exercise
// 03's starter stepped into its deadlock by keyboard alone shows the cycle;
// a string `shrinker-lab run` prints replays on load to the log `shrinker-lab
// replay --log-only` prints; axe finds nothing serious mid-run; nothing is
// asked of any host but 127.0.0.1; no sideways scroll at 375 px. Budgets are
// in decisions stepped, not seconds; the site is built once for this file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PATIENCE_MS, patient_page } from './patience';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli_replay_log } from './playground_cli';
import { serve_static } from './static_server';

const repo = resolve(import.meta.dirname, '../..');
let tmp = '';
let browser: Browser | null = null;
let host: { url: string; stop(): Promise<void> } | null = null;
const outside: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shrinker-playground-'));
  await build({ configFile: join(repo, 'site', 'vite.config.ts'), logLevel: 'silent', build: { outDir: join(tmp, 'dist'), emptyOutDir: true } });
  host = await serve_static(join(tmp, 'dist'));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  if (!browser || !host) throw new Error('the playground browser tests could not start: no browser or no static host');
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await patient_page(browser!, { viewport });
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1:')) outside.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${host!.url}/${path}`);
  return { page, errors };
}

/** What `shrinker-lab replay S --log-only` prints between its header and its verdict (the real command, on this tree). */
async function cli_log(schedule: string): Promise<string> {
  const r = await cli_replay_log(repo, schedule);
  expect(r.code, r.log).toBe(0);
  return r.log;
}

/** Tab (keyboard only) until the element with @id has the focus; at most @budget presses. */
async function tab_to(page: Page, id: string, budget = 60): Promise<void> {
  for (let i = 0; i < budget; i++) {
    if ((await page.evaluate(() => document.activeElement?.id ?? '')) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`#${id} never got the focus in ${budget} Tab presses`);
}

describe('the playground in Chromium', () => {
  it("steps exercise 03's starter into its deadlock by keyboard alone and shows the cycle; axe is clean mid-run; no sideways scroll at 375 px", async () => {
    const { page, errors } = await open('playground.html', { width: 375, height: 800 });
    await page.locator('#pg-scenario').waitFor();
    await tab_to(page, 'pg-scenario');
    // A <select> takes the typed start of an option.
    await page.keyboard.type('ex03-recursion');
    expect(await page.evaluate(() => (document.getElementById('pg-scenario') as HTMLSelectElement).value)).toBe('ex03-recursion');
    await tab_to(page, 'pg-variant');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/Decision #0/);
    // Mid-run: axe, and the width.
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(client);
    // Step with the kernel's choice ("n") until the run ends: a budget of 200 decisions.
    for (let i = 0; i < 200; i++) {
      if (await page.locator('.pg-end').count()) break;
      const before = await page.textContent('#pg-status');
      await page.keyboard.press('n');
      await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).not.toBe(before);
    }
    await expect.poll(() => page.textContent('.pg-end'), { timeout: PATIENCE_MS }).toMatch(/The run ended: deadlock/);
    expect(await page.textContent('.pg-cycle')).toMatch(/Wait-for cycle: .* waits for /);
    expect(await page.locator('tr.in-cycle').count()).toBeGreaterThan(0);
    expect(await page.textContent('#pg-schedule')).toMatch(/^sl1:ex03-recursion:m1:-:[0-9a-f]{4}$/);
    expect(page.url()).toContain('scenario=ex03-recursion');
    expect(errors).toEqual([]);
  });

  it('replays a string `shrinker-lab run 03` prints, given in the URL, to the same dmesg as `shrinker-lab replay --log-only`', async () => {
    const s = 'sl1:ex03-recursion:m1:-:1647';
    const want = await cli_log(s);
    const { page, errors } = await open(`playground.html?schedule=${encodeURIComponent(s)}&variant=starter`);
    const dmesg = page.getByRole('region', { name: 'dmesg' });
    await dmesg.waitFor({ timeout: PATIENCE_MS });
    // The first page of the paged dmesg (200 lines) is the start of the CLI's log.
    const shown = (await dmesg.locator('pre').textContent()) ?? '';
    expect(shown.length).toBeGreaterThan(0);
    expect(want.startsWith(shown)).toBe(true);
    expect(want.split('\n').slice(0, 200).join('\n')).toBe(shown);
    expect(await dmesg.evaluate((e) => e.closest('[aria-live]'))).toBeNull();
    expect(errors).toEqual([]);
  });

  it('a schedule made on the site (a task other than the kernel\'s picked by keyboard) replays in the CLI to the dmesg the site shows', async () => {
    const { page, errors } = await open('playground.html?scenario=ex03-recursion&variant=starter');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/Decision #0/);
    // The first runnable task that is not the kernel's choice: its digit key.
    const labels = await page.locator('.pg-picker button[data-pid]').allTextContents();
    const other = labels.findIndex((l) => !l.includes("kernel's choice"));
    expect(other).toBeGreaterThanOrEqual(0);
    await page.keyboard.press(String(other + 1));
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/Decision #1|The run ended/);
    await page.keyboard.press('r');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/The run ended/);
    const made = (await page.textContent('#pg-schedule')) ?? '';
    expect(made).toMatch(/^sl1:ex03-recursion:m1:0=\d+:[0-9a-f]{4}$/);
    expect(page.url()).toContain(encodeURIComponent(made));
    const shown = (await page.getByRole('region', { name: 'dmesg' }).locator('pre').textContent()) ?? '';
    const want = await cli_log(made);
    expect(want.split('\n').slice(0, 200).join('\n')).toBe(shown);
    expect(shown).toMatch(/>>> explorer: decision #0: ran /);
    expect(errors).toEqual([]);
  });

  it('no page of the playground asked any host but 127.0.0.1', () => {
    expect(outside).toEqual([]);
  });
});
