// "You are the scheduler" in a real browser (Debian's Chromium driven by
// playwright-core) against the built site on a plain static host: exercise
// 03's starter stepped into its deadlock by keyboard alone shows the cycle
// and each blocked task's whole call chain; the challenge ("make the starter
// fail") is played by keyboard and scored against the explorer's fewest
// departures, then the same schedule survives on the solution;
// for every exercise whose checks explore scenarios, each string `shrinker-lab
// run NN` prints for the failing starter replays on load to the whole log
// `shrinker-lab replay --log-only` prints, and a string made on the site by
// keyboard replays in the CLI to the log the site shows (one test per
// exercise: each has its own budget); nothing is asked of any host but
// 127.0.0.1. Budgets are in decisions stepped and pages read, not seconds;
// the site is built once for this file. Every wait is for the exact state
// the next step needs (the status line's "Decision #k:" or "The run ended",
// which the page writes in the same task as the views), never for "a change".
// (Every page, the playground mid-run
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
import { explore } from '../../explorer/explore';
import { every_declaration, resolve as resolve_scenario } from '../../site/src/playground_core';
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

/** Tab (keyboard only) until the button named @name has the focus; at most @budget presses. */
async function tab_to_button(page: Page, name: string, budget = 80): Promise<void> {
  for (let i = 0; i < budget; i++) {
    if ((await page.evaluate(() => (document.activeElement?.tagName === 'BUTTON' ? document.activeElement.textContent : null))) === name) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`the button "${name}" never got the focus in ${budget} Tab presses`);
}

/**
 * The explorer's answer to "make the starter fail" on scenario @id, in node:
 * the check's own search (its bound), stopped at the first failure, which
 * has the fewest departures (it searches level by level).
 */
async function explorer_fewest(id: string): Promise<{ departures: { at: number; pid: number }[]; string: string }> {
  const r = await resolve_scenario(id, 'starter');
  const run = () => explore(r.built.scenario, { preemption_bound: 2, ...r.built.options, stop_on: 'first' });
  const x = await (r.built.around ? r.built.around(run) : run());
  expect(x.failures.length, `${id}: the explorer makes the starter fail`).toBeGreaterThan(0);
  const best = x.failures.reduce((a, f) => (f.preemptions < a.preemptions ? f : a));
  return { departures: [...best.schedule], string: best.schedule_string };
}

/**
 * Play scenario @id by keyboard from decision #0: at each decision the
 * departure @departures names (its task's digit key) or the kernel's choice
 * ("n"), each key pressed only when the status says "Decision #k:", each
 * wait for the exact next state; until the run ends.
 */
async function play_by_keyboard(page: Page, departures: readonly { at: number; pid: number }[], budget = 200): Promise<void> {
  for (let i = 0; i < budget; i++) {
    const status = (await page.textContent('#pg-status')) ?? '';
    if (/^The run ended/.test(status)) return;
    const at = /^Decision #(\d+):/.exec(status);
    expect(at, `the page is at a decision: ${status}`).not.toBeNull();
    const k = Number(at![1]);
    const d = departures.find((x) => x.at === k);
    if (d) {
      const pids = await page.locator('.pg-picker button[data-pid]').evaluateAll((bs) => bs.map((b) => Number(b.getAttribute('data-pid'))));
      const index = pids.indexOf(d.pid);
      expect(index, `decision #${k}: pid ${d.pid} is runnable (${pids.join(', ')})`).toBeGreaterThanOrEqual(0);
      await page.keyboard.press(String(index + 1));
    } else await page.keyboard.press('n');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(new RegExp(`^(?:Decision #${k + 1}:|The run ended)`));
  }
  throw new Error(`the run did not end within ${budget} decisions`);
}

/** Line @line (1-based) of the tree's file @file, as this checkout has it (the site was built from it). */
function source_line(file: string, line: number): string {
  return readFileSync(join(repo, file), 'utf8').split('\n')[line - 1] ?? '';
}

/** The body of function @fn in @file, as 1-based lines [from, to]: from its declaration to the next line that closes a top-level block. */
function function_span(file: string, fn: string): [number, number] | null {
  const lines = readFileSync(join(repo, file), 'utf8').split('\n');
  const from = lines.findIndex((l) => new RegExp(`^\\s*(?:export\\s+)?(?:async\\s+)?function\\s+${fn.replace(/\$/g, '\\$')}\\s*[(<]`).test(l));
  if (from < 0) return null;
  const to = lines.findIndex((l, i) => i > from && /^\}/.test(l));
  return [from + 1, to < 0 ? lines.length : to + 1];
}

/**
 * A blocked lane in exercise 03's deadlock says where its task is, as the
 * CLI's call traces do: the model call it is parked in (mutex_lock), then
 * its whole call chain as a list, innermost first, "fn (file:line)". Read
 * back from the tree: each frame's line is inside the function it names and
 * is an await (where an async frame is suspended); the first frame sleeps in
 * kernel/locking/mutex.ts; the chain goes on past the learner's frame down
 * into reclaim (shrink_slab); and the learner's exercise 03 line that calls
 * mutex_lock is on it, marked as the exercise's code (and no model frame is).
 */
async function expect_chain_names_source_lines(lane: Locator): Promise<void> {
  const who = (await lane.locator('th').textContent()) ?? '';
  expect(await lane.locator('.pg-parked').textContent(), who).toBe('mutex_lock');
  const chain = lane.locator('ol.pg-chain');
  expect(await chain.getAttribute('aria-label'), who).toMatch(/^Call chain of \S+:\d+, innermost first$/);
  const items = await chain.locator('li').evaluateAll((lis) => lis.map((li) => ({ text: li.textContent ?? '', marked: li.querySelector('mark') !== null })));
  const text = items.map((i) => i.text).join(' | ');
  expect(items.length, `more than the three frames lanes once showed: ${text}`).toBeGreaterThan(3);
  const parsed = items.map((i) => ({ ...i, m: /^([A-Za-z_$][\w$]*) \(((?:kernel|exercises|solutions)\/[\w./-]+\.ts):(\d+)\)( — the exercise's code)?$/.exec(i.text) }));
  for (const [i, { m, marked, text: t }] of parsed.entries()) {
    expect(m, `frame ${i} of ${who}: ${t}`).not.toBeNull();
    const [, fn, file, line, label] = m!;
    const n = Number(line);
    const span = function_span(file!, fn!);
    expect(span, `${file} declares ${fn}`).not.toBeNull();
    expect(n, `${file}:${n} is inside ${fn} (lines ${span!.join('-')})`).toBeGreaterThan(span![0]);
    expect(n, `${file}:${n} is inside ${fn} (lines ${span!.join('-')})`).toBeLessThanOrEqual(span![1]);
    expect(source_line(file!, n), `${file}:${n} is where ${fn} waits`).toMatch(/\bawait\b/);
    const exercise_code = file!.startsWith('exercises/');
    expect(marked, `${t}: marked only if it is the exercise's code`).toBe(exercise_code);
    expect(Boolean(label), t).toBe(exercise_code);
    if (i === 0) expect(file, text).toBe('kernel/locking/mutex.ts');
  }
  const learner = parsed.findIndex((p) => p.m![2]!.startsWith('exercises/03-reclaim-recursion/'));
  expect(learner, `the learner's file:line is on the chain: ${text}`).toBeGreaterThan(0);
  expect(source_line(parsed[learner]!.m![2]!, Number(parsed[learner]!.m![3])), text).toContain('mutex_lock(');
  expect(parsed.slice(learner + 1).map((p) => p.m![1]), `the chain goes on into reclaim: ${text}`).toContain('shrink_slab');
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
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    // Mid-run: axe, and the width.
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.impact ?? ''} ${v.id}: ${v.help}`)).toEqual([]);
    const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(client);
    // Step with the kernel's choice ("n") until the run ends: a budget of 200 decisions.
    await play_by_keyboard(page, []);
    await expect.poll(() => page.textContent('.pg-end'), { timeout: PATIENCE_MS }).toMatch(/The run ended: deadlock/);
    expect(await page.textContent('.pg-cycle')).toMatch(/Wait-for cycle: .* waits for /);
    expect(await page.locator('tr.in-cycle').count()).toBeGreaterThan(0);
    // Every blocked lane shows its whole call chain: the model's file:line it waits at, the learner's line that called it, and on into reclaim.
    const blocked = page.locator('table.pg-lanes tbody tr.sleeping');
    expect(await blocked.count()).toBeGreaterThan(0);
    for (let i = 0; i < (await blocked.count()); i++) await expect_chain_names_source_lines(blocked.nth(i));
    expect(await page.textContent('#pg-schedule')).toMatch(/^sl1:ex03-recursion:m1:-:[0-9a-f]{4}$/);
    expect(page.url()).toContain('scenario=ex03-recursion');
    expect(errors).toEqual([]);
  });

  it("undo takes a departure back, by keyboard; at the deadlock each lane in the cycle names the model's file:line its task sleeps at, the learner's file:line that called it, and the lock it is blocked on with its owner; every view is text in a region of its own", async () => {
    const { page, errors } = await open('playground.html?scenario=ex03-recursion&variant=starter');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    const labels = await page.locator('.pg-picker button[data-pid]').allTextContents();
    await page.keyboard.press(String(labels.findIndex((l) => !l.includes("kernel's choice")) + 1));
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^(?:Decision #1:|The run ended)/);
    expect(await page.textContent('#pg-schedule')).toMatch(/^sl1:ex03-recursion:m1:0=\d+:[0-9a-f]{4}$/);
    await page.keyboard.press('u');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    expect(await page.textContent('#pg-schedule')).toMatch(/^sl1:ex03-recursion:m1:-:[0-9a-f]{4}$/);
    // The mouse picks a task too: the same departure by its button, then undone again.
    const other_pid = await page.locator('.pg-picker button[data-pid]').nth(labels.findIndex((l) => !l.includes("kernel's choice"))).getAttribute('data-pid');
    await page.locator(`.pg-picker button[data-pid="${other_pid}"]`).click();
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^(?:Decision #1:|The run ended)/);
    expect(await page.textContent('#pg-schedule')).toMatch(new RegExp(`^sl1:ex03-recursion:m1:0=${other_pid}:[0-9a-f]{4}$`));
    await page.keyboard.press('u');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    // Run on to the deadlock, then undo from the end: back at the run's last decision.
    await page.keyboard.press('r');
    await expect.poll(() => page.textContent('.pg-end'), { timeout: PATIENCE_MS }).toMatch(/The run ended: deadlock/);
    const cycle = page.locator('tr.in-cycle');
    expect(await cycle.count()).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < (await cycle.count()); i++) {
      const cells = await cycle.nth(i).locator('td').allTextContents();
      // Columns: CPU, State, Where it is, Blocked on, Holds. The bundle's frames name the tree's file:line through the
      // build's frame table (site/src/frame_map.ts), as node and the CLI name them.
      await expect_chain_names_source_lines(cycle.nth(i));
      expect(cells[3], 'blocked on: the lock and who holds it').toMatch(/held by \S+:\d+/);
    }
    // The timeline lanes: each task at each decision, the locks held as bars, in words for a screen reader.
    const words = await page.locator('.pg-timeline-lanes ul.tl-words li').allTextContents();
    expect(words.filter((w) => w.includes('(in the deadlock cycle the run ends in)')).length, words.join('\n')).toBe(await cycle.count());
    expect(words.join('\n')).toMatch(/It held \(or was taking, as lockdep records it\): &dev->struct_mutex from #0 to the end of the run/);
    expect(await page.locator('.pg-timeline-lanes .tl-bar').count()).toBeGreaterThan(0);
    for (const name of ['Tasks', /^Locks/, /^Zone Normal/, 'Workqueue pools', 'RCU', /^Timeline lanes/, 'dmesg', /^Timeline \(/]) {
      const region = page.getByRole('region', { name }).first();
      expect(await region.isVisible(), String(name)).toBe(true);
      expect(((await region.textContent()) ?? '').length, String(name)).toBeGreaterThan(20);
      // Text a screen reader reads: no picture of it.
      expect(await region.locator('canvas, svg, img').count(), String(name)).toBe(0);
    }
    await page.keyboard.press('u');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #\d+:/);
    expect(await page.locator('.pg-picker').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("the challenge by keyboard: the starter made to fail with the explorer's fewest departures is scored 'You matched it', then the same schedule on the solution survives; a failing run with more departures than needed is told there is a shorter way", async () => {
    // A scenario the kernel's own schedule survives: failing it takes a departure (the explorer's search says where).
    const id = 'ex04-waiter-queued';
    const fewest = await explorer_fewest(id);
    expect(fewest.departures.length, `${id}: the default schedule survives, so failing it takes a departure`).toBeGreaterThan(0);
    const { page, errors } = await open(`playground.html?scenario=${id}&variant=starter`);
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    await play_by_keyboard(page, fewest.departures);
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^The run ended \(\w+\): [1-9]\d* failure/);
    expect(await page.textContent('#pg-schedule')).toBe(fewest.string);
    const challenge = page.getByRole('region', { name: /Challenge: make the starter fail/ });
    expect(await challenge.textContent()).toContain(`You made the starter fail with ${fewest.departures.length} departure(s).`);
    await tab_to_button(page, 'Score it against the explorer');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => challenge.locator('p').first().textContent(), { timeout: PATIENCE_MS })
      .toBe(`You: ${fewest.departures.length} departure(s). The explorer's fewest: ${fewest.departures.length} (${fewest.string}). You matched it.`);
    await tab_to_button(page, 'Same schedule on the solution');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('region', { name: /Challenge/ }).textContent(), { timeout: PATIENCE_MS }).toMatch(/The reference solution survives this schedule/);
    expect(await page.textContent('#pg-schedule')).toBe(fewest.string);
    expect(await page.textContent('.pg-end')).toMatch(/✓ no failures in this run/);
    expect(page.url()).toContain('variant=solution');
    expect(errors).toEqual([]);
    await page.context().close();

    // Exercise 03's recursion deadlocks under the kernel's own choices (the explorer's fewest: 0); a departure at #0 deadlocks too.
    const zero = await explorer_fewest('ex03-recursion');
    expect(zero.departures).toEqual([]);
    const more = await open('playground.html?scenario=ex03-recursion&variant=starter');
    await expect.poll(() => more.page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    const pids = await more.page.locator('.pg-picker button[data-pid]').evaluateAll((bs) => bs.map((b) => ({ pid: Number(b.getAttribute('data-pid')), theirs: b.textContent?.includes("kernel's choice") })));
    const other = pids.find((p) => !p.theirs)!;
    await play_by_keyboard(more.page, [{ at: 0, pid: other.pid }]);
    await expect.poll(() => more.page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^The run ended \(\w+\): [1-9]\d* failure/);
    const again = more.page.getByRole('region', { name: /Challenge: make the starter fail/ });
    expect(await again.textContent()).toContain('You made the starter fail with 1 departure(s).');
    await tab_to_button(more.page, 'Score it against the explorer');
    await more.page.keyboard.press('Enter');
    await expect.poll(() => again.locator('p').first().textContent(), { timeout: PATIENCE_MS }).toBe(`You: 1 departure(s). The explorer's fewest: 0 (${zero.string}). There is a shorter way.`);
    expect(more.errors).toEqual([]);
    await more.page.context().close();

    // A schedule whose departure the solution never reaches (it ends sooner): its own run is shown, no failure, and a note says which departure did not fit.
    const unfit = await explorer_fewest('ex03-free-then-taken-ioctl-shrink');
    const sol = await open(`playground.html?schedule=${encodeURIComponent(unfit.string)}&variant=solution`);
    await expect.poll(() => sol.page.locator('#pg-unfit').count(), { timeout: PATIENCE_MS }).toBe(1);
    expect(await sol.page.textContent('#pg-unfit')).toContain(`Not every departure of ${unfit.string} was taken with this code: the schedule does not fit this run`);
    expect(await sol.page.textContent('.pg-end')).toMatch(/✓ no failures in this run/);
    expect(await sol.page.getByRole('region', { name: /Challenge/ }).textContent()).toMatch(/The reference solution survives this schedule/);
    expect(sol.errors).toEqual([]);
    await sol.page.context().close();
  });

  /**
   * The challenges of 02, 10, 11 and 12 (the last exercises to get one): each
   * scenario's starter fails under the explorer's fewest departures (02's
   * only under a departure: the scan must meet the lock another task took;
   * 10, 11 and 12's under the kernel's own schedule: their bugs are in the
   * workload, and the page says what to step through and what wins), played
   * by keyboard: a few steps with "n", the departures by their digit keys,
   * then "r" to run on; scored against the explorer; then the same schedule
   * on the solution survives.
   */
  it.each([
    ['ex02-busy-lock-race', null],
    ['ex10-writeback-in-reclaim', /^Challenge: Win when the run ends with the i915 shrinker entered again from inside itself/],
    ['ex11-nofs-storm', /^Challenge: Win when a GFP_KERNEL reclaim after the storm empties the cache at once/],
    ['ex12-ioctl-waits-under-struct-mutex', /^Challenge: Win when the run ends with lockdep silent/],
  ] as const)('the challenge of %s by keyboard: the starter fails, scored against the explorer; the solution survives the same schedule', async (id, goal) => {
    const fewest = await explorer_fewest(id);
    if (goal === null) expect(fewest.departures.length, `${id}: the kernel's own schedule survives; failing it takes a departure`).toBeGreaterThan(0);
    else expect(fewest.departures, `${id}: the starter fails under the kernel's own schedule`).toEqual([]);
    const { page, errors } = await open(`playground.html?scenario=${id}&variant=starter`);
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    if (goal) expect(await page.textContent('#pg-goal')).toMatch(goal);
    else expect(await page.locator('#pg-goal').isHidden()).toBe(true);
    // Step with the kernel's choice, or the departure's digit key, until the last departure is taken; then run on with "r".
    const last = Math.max(2, ...fewest.departures.map((d) => d.at + 1));
    for (let k = 0; k < last; k++) {
      const d = fewest.departures.find((x) => x.at === k);
      if (d) {
        const pids = await page.locator('.pg-picker button[data-pid]').evaluateAll((bs) => bs.map((b) => Number(b.getAttribute('data-pid'))));
        expect(pids, `decision #${k}: pid ${d.pid} is runnable`).toContain(d.pid);
        await page.keyboard.press(String(pids.indexOf(d.pid) + 1));
      } else await page.keyboard.press('n');
      await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(new RegExp(`^(?:Decision #${k + 1}:|The run ended)`));
      if (/^The run ended/.test((await page.textContent('#pg-status')) ?? '')) break;
    }
    if (/^Decision #/.test((await page.textContent('#pg-status')) ?? '')) await page.keyboard.press('r');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^The run ended \(\w+\): [1-9]\d* failure/);
    expect(await page.textContent('#pg-schedule')).toBe(fewest.string);
    const challenge = page.getByRole('region', { name: /Challenge: make the starter fail/ });
    const score = challenge.locator('.pg-score');
    expect(await score.textContent()).toMatch(new RegExp(`^You made the starter fail with ${fewest.departures.length} departure\\(s\\)\\.${goal ? ' You won: ' : '$'}`));
    await tab_to_button(page, 'Score it against the explorer');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => score.textContent(), { timeout: PATIENCE_MS })
      .toBe(`You: ${fewest.departures.length} departure(s). The explorer's fewest: ${fewest.departures.length} (${fewest.string}). You matched it.`);
    // A workload challenge says what its one winning run shows, and that it says nothing about other schedules.
    if (goal) expect(await challenge.locator('.pg-shows').textContent()).toMatch(/^What this run shows: the starter fails this workload with 0 departure\(s\) from the kernel's choices\. .*One run says nothing about other schedules/);
    else expect(await challenge.locator('.pg-shows').count()).toBe(0);
    await tab_to_button(page, 'Same schedule on the solution');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('region', { name: /Challenge/ }).textContent(), { timeout: PATIENCE_MS }).toMatch(/The reference solution survives this schedule: this one run, no more\./);
    expect(await page.textContent('#pg-schedule')).toBe(fewest.string);
    expect(await page.textContent('.pg-end')).toMatch(/✓ no failures in this run/);
    // What the check proves, by keyboard: every interleaving, or every schedule within the bound, said as the explorer covered it.
    await tab_to_button(page, 'What the check proves');
    await page.keyboard.press('Enter');
    const proof = page.getByRole('region', { name: /Challenge/ }).locator('.pg-proof');
    await expect.poll(() => proof.textContent(), { timeout: PATIENCE_MS }).toMatch(/^With the reference solution: (?:No failure|Fails|Not proved|The explorer could not)/);
    const said = (await proof.textContent()) ?? '';
    const bound = /^With the reference solution: No failure (?:in any interleaving: .*every interleaving covered\.\)|within bound (\d+): the explorer ran every schedule with at most \1 departures? from the kernel's choices \(\d+ schedules?\); schedules with more departures were not run\. \(.*with at most \1 preemptions?.*\.\))$/;
    expect(said).toMatch(bound);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a page reached as //playground.html (a doubled slash in a typed or pasted URL) runs its scenario and keeps its state in the URL', async () => {
    // The page writes its state with history.replaceState; a URL built from location.pathname ("//playground.html") is read as a host there.
    const { page, errors } = await open('/playground.html?scenario=ex03-recursion&variant=starter');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    expect(new URL(page.url()).searchParams.get('schedule')).toMatch(/^sl1:ex03-recursion:/);
    expect(new URL(page.url()).host).toBe(new URL(host!.url).host);
    // Run on with the kernel's choices ("r"): exercise 03's starter deadlocks with no departure, and the page says the
    // challenge there is to find where, not a race.
    await page.keyboard.press('r');
    await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^The run ended \(\w+\): [1-9]\d* failure/);
    expect(await page.getByRole('region', { name: /Challenge/ }).locator('.pg-shows').textContent()).toMatch(/^The starter fails under the kernel's own choices: no race is needed/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("an exercise page's 'Break it in the playground' link, followed by keyboard, opens that exercise's challenge: its first declared scenario, the starter at decision #0, the goal shown", async () => {
    const exercise = '10-save-and-restore-pf-memalloc';
    const first = [...ids_of(exercise)][0]!;
    const { page, errors } = await open(`exercise-${exercise}.html`);
    const link = page.getByRole('link', { name: "this exercise's challenge in the playground" });
    expect(await link.getAttribute('href')).toBe(`playground.html?exercise=${exercise}`);
    // Tab to the link, then Enter.
    for (let i = 0; i < 80 && !(await link.evaluate((a) => a === document.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await link.evaluate((a) => a === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#pg-status').catch(() => ''), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    expect(await page.textContent('#pg-title')).toMatch(new RegExp(`^${first} \\(exercise ${exercise}\\): `));
    expect(await page.textContent('#pg-goal')).toMatch(/^Challenge: Win when /);
    expect(await page.evaluate(() => (document.getElementById('pg-variant') as HTMLSelectElement).value)).toBe('starter');
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
        // The end of the replayed run, the state every read below needs (status, end panel and dmesg are drawn together).
        await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^The run ended \(\w+\): [1-9]\d* failure/);
        const dmesg = page.getByRole('region', { name: 'dmesg' });
        expect(await whole_paged_text(dmesg), x).toBe(want);
        expect(await page.textContent('#pg-schedule'), x).toBe(x);
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
      await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^(?:Decision #0:|The run ended)/);
      expect(await page.textContent('#pg-status'), `${id} has a decision point`).toMatch(/^Decision #0:/);
      const labels = await page.locator('.pg-picker button[data-pid]').allTextContents();
      const other = labels.findIndex((l) => !l.includes("kernel's choice"));
      expect(other, labels.join(' | ')).toBeGreaterThanOrEqual(0);
      await page.keyboard.press(String(other + 1));
      await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^(?:Decision #1:|The run ended)/);
      // Run on ("r") only from a decision (the page takes keys there); a run that ended at the departure is already at its end.
      if (/^Decision #1:/.test((await page.textContent('#pg-status')) ?? '')) await page.keyboard.press('r');
      await expect.poll(() => page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^The run ended/);
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
