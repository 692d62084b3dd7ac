// "You are the scheduler" in a real browser (Debian's Chromium driven by
// playwright-core) against the built site on a plain static host: exercise
// 03's starter stepped into its deadlock by keyboard alone shows the cycle;
// for every exercise whose checks explore scenarios, each string `shrinker-lab
// run NN` prints for the failing starter replays on load to the whole log
// `shrinker-lab replay --log-only` prints, and a string made on the site by
// keyboard replays in the CLI to the log the site shows (one test per
// exercise: each has its own budget); nothing is asked of any host but
// 127.0.0.1. Budgets are in decisions stepped and pages read, not seconds;
// the site is built once for this file. (Every page, the playground mid-run
// included, is checked with axe and at 375 px in every_page.browser.test.ts.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { PATIENCE_MS, patient_page } from './patience';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse_schedule } from '../../explorer/schedule';
import { every_declaration } from '../../site/src/playground_core';
import { make_course_copy, remove_copy } from '../cli/course_copy';
import { cli_replay_log, cli_run_strings } from './playground_cli';
import { serve_static } from './static_server';

const repo = resolve(import.meta.dirname, '../..');
let tmp = '';
let browser: Browser | null = null;
let host: { url: string; stop(): Promise<void> } | null = null;
const outside: string[] = [];
/** A learner's copy of the course (the CLI records its runs there, not in this tree). */
let course: string | null = null;

/** Every exercise whose checks explore declared scenarios (course/scenario_registry.ts), with their ids: one test each. */
const DECLARED = await every_declaration();
const EXPLORING = DECLARED.map((d) => d.exercise);
const ids_of = (exercise: string): Set<string> => new Set(DECLARED.find((d) => d.exercise === exercise)!.scenarios.map((x) => x.id));
/** How many schedule strings `run` printed per exercise. */
const printed = new Map<string, number>();

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shrinker-playground-'));
  await build({ configFile: join(repo, 'site', 'vite.config.ts'), logLevel: 'silent', build: { outDir: join(tmp, 'dist'), emptyOutDir: true } });
  host = await serve_static(join(tmp, 'dist'));
  course = make_course_copy(true);
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
  if (course) remove_copy(course);
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
  const r = await cli_replay_log(course!, schedule);
  expect(r.code, r.log).toBe(0);
  return r.log;
}

/** The whole text of a paged region (site/src/paged_text.ts): every page, from the first, joined as the CLI prints it. */
async function whole_paged_text(region: Locator): Promise<string> {
  const first = region.getByRole('button', { name: 'First' });
  if (await first.count()) await first.click();
  const pages: string[] = [(await region.locator('pre').textContent()) ?? ''];
  const next = region.getByRole('button', { name: 'Next' });
  // A budget of pages, not of time: 10,000 lines are 50 pages of 200.
  for (let i = 0; i < 1000 && (await next.count()) && !(await next.isDisabled()); i++) {
    await next.click();
    pages.push((await region.locator('pre').textContent()) ?? '');
  }
  return pages.join('\n');
}

/** Tab (keyboard only) until the element with @id has the focus; at most @budget presses. */
async function tab_to(page: Page, id: string, budget = 60): Promise<void> {
  for (let i = 0; i < budget; i++) {
    if ((await page.evaluate(() => document.activeElement?.id ?? '')) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`#${id} never got the focus in ${budget} Tab presses`);
}

/** Line @line (1-based) of the tree's file @file, as this checkout has it (the site was built from it). */
function source_line(file: string, line: number): string {
  return readFileSync(join(repo, file), 'utf8').split('\n')[line - 1] ?? '';
}

/**
 * A lane in exercise 03's deadlock says where its task is, as the CLI's call
 * traces do: "mutex_lock ← fn (file:line) ← …", innermost first. The first
 * frame is the model function it waits in, at the line where it sleeps (an
 * await in kernel/locking/mutex.ts); each frame after it is at the line that
 * calls the frame before; and the learner's exercise 03 file is on it, at its
 * line that calls mutex_lock. Each file:line is read back from the tree.
 */
function expect_where_names_source_lines(where: string): void {
  const [sleeps_in, ...frames] = where.split(' ← ');
  expect(sleeps_in, where).toBe('mutex_lock');
  const parsed = frames.map((f) => /^([A-Za-z_$][\w$]*) \(((?:kernel|exercises|solutions)\/[\w./-]+\.ts):(\d+)\)$/.exec(f));
  expect(parsed.length, where).toBeGreaterThanOrEqual(2);
  for (const [i, m] of parsed.entries()) {
    expect(m, `frame ${i} of: ${where}`).not.toBeNull();
    const at = source_line(m![2]!, Number(m![3]));
    if (i === 0) {
      expect(m![2], where).toBe('kernel/locking/mutex.ts');
      expect(at, `${m![2]}:${m![3]} is where ${m![1]} sleeps`).toMatch(/\bawait\b/);
    } else {
      expect(at, `${m![2]}:${m![3]} calls ${parsed[i - 1]![1]}`).toContain(`${parsed[i - 1]![1]}(`);
    }
  }
  const learner = parsed.find((m) => m![2]!.startsWith('exercises/03-reclaim-recursion/'));
  expect(learner, `the learner's file:line is on the stack: ${where}`).toBeDefined();
  expect(source_line(learner![2]!, Number(learner![3])), where).toContain('mutex_lock(');
}

describe('the playground in Chromium', () => {
  it("steps exercise 03's starter into its deadlock by keyboard alone and shows the cycle, each blocked lane at the model's file:line and the learner's; axe is clean mid-run; no sideways scroll at 375 px", async () => {
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
    expect(axe.violations.map((v) => `${v.impact ?? ''} ${v.id}: ${v.help}`)).toEqual([]);
    const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(client);
    // Step with the kernel's choice ("n") until the run ends: a budget of 200 decisions.
    for (let i = 0; i < 200; i++) {
      // The status line says the run ended a moment before the end panel is drawn: either one means stop stepping.
      const before = await page.textContent('#pg-status');
      if (/The run ended/.test(before ?? '') || (await page.locator('.pg-end').count())) break;
      await page.keyboard.press('n');
      await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).not.toBe(before);
    }
    await expect.poll(() => page.textContent('.pg-end'), { timeout: PATIENCE_MS }).toMatch(/The run ended: deadlock/);
    expect(await page.textContent('.pg-cycle')).toMatch(/Wait-for cycle: .* waits for /);
    expect(await page.locator('tr.in-cycle').count()).toBeGreaterThan(0);
    // Every blocked lane names the model's file:line it waits at and the learner's line that called it (Where it is: the 3rd cell).
    const blocked = page.locator('table.pg-lanes tbody tr.sleeping');
    expect(await blocked.count()).toBeGreaterThan(0);
    for (let i = 0; i < (await blocked.count()); i++) expect_where_names_source_lines((await blocked.nth(i).locator('td').allTextContents())[2] ?? '');
    expect(await page.textContent('#pg-schedule')).toMatch(/^sl1:ex03-recursion:m1:-:[0-9a-f]{4}$/);
    expect(page.url()).toContain('scenario=ex03-recursion');
    expect(errors).toEqual([]);
  });

  it("undo takes a departure back, by keyboard; at the deadlock each lane in the cycle names the model's file:line its task sleeps at, the learner's file:line that called it, and the lock it is blocked on with its owner; every view is text in a region of its own", async () => {
    const { page, errors } = await open('playground.html?scenario=ex03-recursion&variant=starter');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/Decision #0/);
    const labels = await page.locator('.pg-picker button[data-pid]').allTextContents();
    await page.keyboard.press(String(labels.findIndex((l) => !l.includes("kernel's choice")) + 1));
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/Decision #1|The run ended/);
    expect(await page.textContent('#pg-schedule')).toMatch(/^sl1:ex03-recursion:m1:0=\d+:[0-9a-f]{4}$/);
    await page.keyboard.press('u');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/Decision #0/);
    expect(await page.textContent('#pg-schedule')).toMatch(/^sl1:ex03-recursion:m1:-:[0-9a-f]{4}$/);
    // Run on to the deadlock, then undo from the end: back at the run's last decision.
    await page.keyboard.press('r');
    await expect.poll(() => page.textContent('.pg-end'), { timeout: PATIENCE_MS }).toMatch(/The run ended: deadlock/);
    const cycle = page.locator('tr.in-cycle');
    expect(await cycle.count()).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < (await cycle.count()); i++) {
      const cells = await cycle.nth(i).locator('td').allTextContents();
      // Columns: CPU, State, Where it is, Blocked on, Holds. The bundle's frames name the tree's file:line through the
      // build's frame table (site/src/frame_map.ts), as node and the CLI name them.
      expect_where_names_source_lines(cells[2] ?? '');
      expect(cells[3], 'blocked on: the lock and who holds it').toMatch(/held by \S+:\d+/);
    }
    for (const name of ['Tasks', /^Locks/, /^Zone Normal/, 'Workqueue pools', 'RCU', 'dmesg', /^Timeline/]) {
      const region = page.getByRole('region', { name }).first();
      expect(await region.isVisible(), String(name)).toBe(true);
      expect(((await region.textContent()) ?? '').length, String(name)).toBeGreaterThan(20);
      // Text a screen reader reads: no picture of it.
      expect(await region.locator('canvas, svg, img').count(), String(name)).toBe(0);
    }
    await page.keyboard.press('u');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/Decision #\d+/);
    expect(await page.locator('.pg-picker').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it.each(EXPLORING)(
    'exercise %s: every string `shrinker-lab run --all --full` prints for the failing starter replays on the site (?schedule=) to the whole dmesg `replay --log-only` prints, and the challenge\'s same schedule on the solution survives; a string made on the site by keyboard replays in the CLI to the dmesg the site shows',
    async (exercise) => {
      const run = await cli_run_strings(course!, exercise.slice(0, 2));
      // The starter fails: `run` says so and exits 1.
      expect(run.code, run.output).toBe(1);
      expect(run.output).toMatch(/CHECKS? FAIL/);
      const own = run.strings.filter((x) => ids_of(exercise).has(parse_schedule(x).scenario_id));
      // Every string it printed is one of this exercise's scenarios (none is lost, none is foreign).
      expect(own).toEqual(run.strings);
      printed.set(exercise, own.length);
      for (const x of own) {
        const want = await cli_log(x);
        const { page, errors } = await open(`playground.html?schedule=${encodeURIComponent(x)}&variant=starter`);
        const dmesg = page.getByRole('region', { name: 'dmesg' });
        await dmesg.waitFor();
        expect(await whole_paged_text(dmesg), x).toBe(want);
        expect(await page.textContent('#pg-schedule'), x).toBe(x);
        expect(await page.textContent('#pg-status')).toMatch(/The run ended \(\w+\): [1-9]\d* failure/);
        // The challenge: the starter failed this schedule; the same schedule on the reference solution survives it.
        const challenge = page.getByRole('region', { name: /Challenge: make the starter fail/ });
        expect(await challenge.textContent()).toMatch(/You made the starter fail with \d+ departure\(s\)/);
        await challenge.getByRole('button', { name: 'Same schedule on the solution' }).click();
        await expect.poll(() => page.getByRole('region', { name: /Challenge/ }).textContent(), { timeout: PATIENCE_MS }).toMatch(/The reference solution survives this schedule/);
        expect(errors).toEqual([]);
        await page.context().close();
      }
      // The other way: on the scenario of the first string printed (or the suite's first), at decision #0, the first runnable task that is not the kernel's choice, by its digit key; then run on.
      const id = own[0] ? parse_schedule(own[0]).scenario_id : [...ids_of(exercise)][0]!;
      const { page, errors } = await open(`playground.html?scenario=${encodeURIComponent(id)}&variant=starter`);
      await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/Decision #0|The run ended/);
      expect(await page.textContent('#pg-status'), `${id} has a decision point`).toMatch(/Decision #0/);
      const labels = await page.locator('.pg-picker button[data-pid]').allTextContents();
      const other = labels.findIndex((l) => !l.includes("kernel's choice"));
      expect(other, labels.join(' | ')).toBeGreaterThanOrEqual(0);
      await page.keyboard.press(String(other + 1));
      await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/Decision #1|The run ended/);
      await page.keyboard.press('r');
      await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/The run ended/);
      const made = (await page.textContent('#pg-schedule')) ?? '';
      expect(made).toMatch(new RegExp(`^sl1:${id.replace(/[.]/g, '\\.')}:m\\d+:0=\\d+:[0-9a-f]{4}$`));
      expect(page.url()).toContain(encodeURIComponent(made));
      const shown = await whole_paged_text(page.getByRole('region', { name: 'dmesg' }));
      expect(shown).toMatch(/>>> explorer: decision #0: ran /);
      expect(await cli_log(made)).toBe(shown);
      expect(errors).toEqual([]);
      await page.context().close();
    },
  );

  it('`shrinker-lab run` printed a schedule string for at least six failing starters (the issue counted seven), each replayed above', () => {
    console.log(`Schedule strings printed by \`shrinker-lab run NN --all --full\` per exercise: ${[...printed].map(([e, n]) => `${e.slice(0, 2)}: ${n}`).join(', ')}`);
    expect([...printed.values()].filter((n) => n > 0).length).toBeGreaterThanOrEqual(6);
  });

  it('no page of the playground asked any host but 127.0.0.1', () => {
    expect(outside).toEqual([]);
  });
});
