// "Your code" in a real browser (Debian's Chromium driven by playwright-core)
// against the study site server `npm start` runs (cli/site.ts) on a copy of
// the course: the learner's exercise 03 file is the reference solution, and
// the playground runs it, with the kernel model it has bundled, through the
// schedule that deadlocks the starter; saved back to the starter's text, the
// same string deadlocks, to the dmesg `shrinker-lab replay --log-only` prints
// for that course copy. The challenge ("make the starter fail") sends one
// schedule to the starter, the solution and your code. On a plain static
// host of the same build there is no "your code" and no console error.
// Budgets are in decisions and runs, not seconds (tests/site/patience.ts).
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start_study_site } from '../../cli/site';
import { PATIENCE_MS, patient_page } from './patience';
import { cli_replay_log } from './playground_cli';
import { serve_static } from './static_server';

const repo = resolve(import.meta.dirname, '../..');
const EX03_FILE = join('03-reclaim-recursion', 'i915_gem_shrinker_lock.ts');
/** The schedule `shrinker-lab run 03` prints for the starter: the kernel's own choices deadlock it. */
const DEADLOCKS_THE_STARTER = 'sl1:ex03-recursion:m1:-:1647';

let course = '';
let browser: Browser | null = null;
let site: { url: string; stop(): Promise<void> } | null = null;
let plain: { url: string; stop(): Promise<void> } | null = null;
const outside: string[] = [];

/** The learner saves @from's text of exercise 03 as their file. */
function learner_saves(from: 'exercises' | 'solutions'): void {
  copyFileSync(join(repo, from, EX03_FILE), join(course, 'exercises', EX03_FILE));
}

beforeAll(async () => {
  // A learner's course: the tree's sources (the CLI replays from them), its own exercises, the site built into it.
  course = mkdtempSync(join(tmpdir(), 'shrinker-yours-browser-'));
  for (const d of ['kernel', 'course', 'checks', 'explorer', 'scenarios', 'exercises', 'solutions', 'cli', 'grader', 'bin', 'tsconfig.json', 'package.json']) cpSync(join(repo, d), join(course, d), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(course, 'node_modules'));
  learner_saves('solutions');
  await build({ configFile: join(repo, 'site', 'vite.config.ts'), logLevel: 'silent', build: { outDir: join(course, 'site', 'dist'), emptyOutDir: true } });
  const h = await start_study_site({ root: course, host: '127.0.0.1', port: 0 });
  if (!h.running) throw new Error(`the study site server did not start: ${h.reason}`);
  site = { url: h.url.replace(/\/$/, ''), stop: h.stop };
  plain = await serve_static(join(course, 'site', 'dist'));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await site?.stop();
  await plain?.stop();
  if (course) rmSync(course, { recursive: true, force: true });
});

async function open(base: string, path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await patient_page(browser!, { viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1:')) outside.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/${path}`);
  return { page, errors };
}

/** What `shrinker-lab replay S --log-only` prints between its header and its verdict, run on the learner's course copy (their current code). */
async function cli_log(schedule: string): Promise<string> {
  const r = await cli_replay_log(course, schedule);
  expect(r.code, r.log).toBe(0);
  return r.log;
}

/** What the paged dmesg region shows first for log @log: its first 200 lines (a run that logged nothing says so). */
function first_page(log: string): string {
  return log ? log.split('\n').slice(0, 200).join('\n') : '(empty)';
}

/** The first page (200 lines) of the dmesg region once the run has ended. */
async function shown_dmesg(page: Page): Promise<string> {
  await page.locator('.pg-end').waitFor({ timeout: PATIENCE_MS });
  const dmesg = page.getByRole('region', { name: 'dmesg' });
  await dmesg.waitFor({ timeout: PATIENCE_MS });
  return (await dmesg.locator('pre').textContent()) ?? '';
}

describe('"your code" in the playground, served by `npm start`', () => {
  it('the learner\'s fixed file survives the schedule that deadlocks the starter; saved back to the starter, it deadlocks, to the dmesg `replay --log-only` prints', async () => {
    learner_saves('solutions');
    const url = `playground.html?schedule=${encodeURIComponent(DEADLOCKS_THE_STARTER)}&variant=yours`;
    const fixed = await open(site!.url, url);
    await fixed.page.locator('#pg-variant option[value="yours"]').waitFor({ state: 'attached' });
    const survived = await shown_dmesg(fixed.page);
    expect(await fixed.page.textContent('.pg-end')).toMatch(/✓ no failures in this run/);
    expect(await fixed.page.locator('#pg-variant').inputValue()).toBe('yours');
    expect(survived).toBe(first_page(await cli_log(DEADLOCKS_THE_STARTER)));
    expect(fixed.errors).toEqual([]);

    learner_saves('exercises');
    const broken = await open(site!.url, url);
    const deadlocked = await shown_dmesg(broken.page);
    await expect.poll(() => broken.page.textContent('.pg-end'), { timeout: PATIENCE_MS }).toMatch(/The run ended: deadlock/);
    expect(await broken.page.textContent('.pg-cycle')).toMatch(/Wait-for cycle: .* waits for /);
    // The lane of the task stuck in the learner's mutex_lock names their file and line (the server's line map), not the module's URL.
    const at = readFileSync(join(course, 'exercises', EX03_FILE), 'utf8').split('\n').findIndex((l) => /await mutex_lock\(/.test(l)) + 1;
    expect(at).toBeGreaterThan(0);
    expect(await broken.page.textContent('.pg-lanes')).toContain(`i915_gem_shrinker_lock (exercises/${EX03_FILE.replace(/\\/g, '/')}:${at})`);
    const want = await cli_log(DEADLOCKS_THE_STARTER);
    expect(want.length).toBeGreaterThan(0);
    expect(deadlocked).toBe(first_page(want));
    expect(deadlocked).not.toBe(survived);
    expect(broken.errors).toEqual([]);
  });

  it('a syntax error in the learner\'s file is a clear message on the page, not a crash', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(course, 'exercises', EX03_FILE), 'export async function i915_gem_shrinker_lock(i915 {\n  return 1;\n}\n');
    try {
      const { page, errors } = await open(site!.url, 'playground.html?scenario=ex03-recursion&variant=yours');
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: PATIENCE_MS });
      expect(await alert.textContent()).toMatch(/exercises\/03-reclaim-recursion\/i915_gem_shrinker_lock\.ts:1:\d+ - error TS\d+/);
      expect(errors).toEqual([]);
    } finally {
      learner_saves('solutions');
    }
  });

  it('the challenge: the starter fails the kernel\'s own schedule; the same schedule on the solution and on your code (fixed) survives', async () => {
    learner_saves('solutions');
    const { page, errors } = await open(site!.url, `playground.html?schedule=${encodeURIComponent(DEADLOCKS_THE_STARTER)}&variant=starter`);
    await page.locator('.pg-end').waitFor({ timeout: PATIENCE_MS });
    const challenge = page.getByRole('region', { name: /Challenge: make the starter fail/ });
    await expect.poll(() => challenge.textContent(), { timeout: PATIENCE_MS }).toMatch(/You made the starter fail with 0 departure\(s\)/);
    await challenge.getByRole('button', { name: 'Same schedule on the solution' }).click();
    await expect.poll(() => page.getByRole('region', { name: /Challenge/ }).textContent(), { timeout: PATIENCE_MS }).toMatch(/The reference solution survives this schedule/);
    await page.getByRole('region', { name: /Challenge/ }).getByRole('button', { name: 'Same schedule on your code' }).click();
    await expect.poll(() => page.getByRole('region', { name: /Challenge/ }).textContent(), { timeout: PATIENCE_MS }).toMatch(/Your code survives this schedule/);
    expect(await page.locator('#pg-schedule').textContent()).toBe(DEADLOCKS_THE_STARTER);
    expect(page.url()).toContain('variant=yours');
    expect(errors).toEqual([]);
  });

  it('on a plain static host of the same build: no "your code", no console error', async () => {
    const { page, errors } = await open(plain!.url, 'playground.html');
    await page.locator('#pg-variant').waitFor();
    expect(await page.locator('#pg-variant option').allTextContents()).toEqual(['the starter', 'the reference solution']);
    expect(errors).toEqual([]);
  });

  it('no page asked any host but 127.0.0.1', () => {
    expect(outside).toEqual([]);
  });
});
