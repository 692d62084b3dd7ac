// Every page of the built site, one test per page, in Debian's Chromium on a
// plain static host (no `npm start`): no console error, no failed request,
// nothing asked of any host but 127.0.0.1, no sideways scroll at 375 px, and
// axe finds no violation at all; Tab reaches every stop, each visible, inside
// the width and with a focus ring. The playground is checked mid-run too: at a
// decision point with every view shown, at the end of a deadlock with its
// cycle marked, and after the replay with the longest trace.
//
// Why one test per page: on a shared two-core machine (load 30+) a page load
// plus axe takes 5-15 s; one test looping over every page shares one budget
// and once ran past it. Each test here has its own, and the browser is
// launched once for the file. Measured at load ~30: load 1-4 s, injecting
// axe 2-4 s, axe's full run 2-9 s a page, so the full rule set is kept.
//
// The JS and total bytes of each page type are printed at the end (issue 12:
// "report JS and total bytes per page type"); a lesson page stays under
// 50 KB of JS.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { format_schedule } from '../../explorer/schedule';
import { collect_pages, type site_page } from '../../site/generator/content';
import { PATIENCE_MS, patient_page } from './patience';
import { serve_static } from './static_server';

const repo = resolve(import.meta.dirname, '../..');
/** Every page the generator makes (read from the course at collection time: a test per page). */
const PAGES: { file: string; kind: site_page['kind'] }[] = collect_pages(repo).pages.map((p) => ({ file: p.file, kind: p.kind }));
const LESSON_JS_LIMIT = 50 * 1024;

let tmp = '';
let dist = '';
let browser: Browser | null = null;
let host: { url: string; stop(): Promise<void> } | null = null;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shrinker-every-page-'));
  dist = join(tmp, 'dist');
  await build({ configFile: join(repo, 'site', 'vite.config.ts'), logLevel: 'silent', build: { outDir: dist, emptyOutDir: true } });
  host = await serve_static(dist);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** What the pages of one browser context did: errors of every kind, every URL asked for, and the bytes received by resource type. */
interface watched {
  page: Page;
  errors: string[];
  requests: string[];
  bytes: Map<string, number>;
  /** Wait for every response body counted so far. */
  settle(): Promise<void>;
}

async function watched_page(viewport = { width: 375, height: 800 }): Promise<watched> {
  const page = await patient_page(browser!, { viewport });
  const context: BrowserContext = page.context();
  const w: watched = { page, errors: [], requests: [], bytes: new Map(), settle: async () => void (await Promise.all(bodies)) };
  const bodies: Promise<void>[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.errors.push(`uncaught: ${e.message}`));
  // On the context: workers' and every page's requests count too.
  context.on('request', (r) => w.requests.push(r.url()));
  context.on('requestfailed', (r) => w.errors.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  context.on('response', (r) => {
    if (r.status() >= 400) w.errors.push(`HTTP ${r.status()}: ${r.url()}`);
    const type = r.request().resourceType();
    bodies.push(
      r.body().then(
        (b) => void w.bytes.set(type, (w.bytes.get(type) ?? 0) + b.length),
        () => undefined,
      ),
    );
  });
  return w;
}

/** The problems a page shows now: console/network errors, requests off 127.0.0.1, sideways scroll, any axe violation. */
async function problems_of(w: watched, what: string): Promise<string[]> {
  const out: string[] = [];
  const [scroll, client] = await w.page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  if (scroll > client) out.push(`${what} scrolls sideways at ${client} px: ${scroll} px wide`);
  // axe is injected once per call, into this page only.
  const axe = await new AxeBuilder({ page: w.page }).analyze();
  out.push(...axe.violations.map((v) => `${what}: axe ${v.impact ?? ''} ${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join('; ')})`));
  await w.settle();
  out.push(...w.errors.map((e) => `${what}: ${e}`));
  out.push(...w.requests.filter((r) => !r.startsWith('http://127.0.0.1:')).map((r) => `${what} asked outside 127.0.0.1: ${r}`));
  return out;
}

/**
 * keyboard_problems - Tab through every stop of the page (keyboard only, up
 * to 400 presses, until the focus comes back to a stop already seen): each
 * focused element must have a size, lie inside the viewport's width once
 * scrolled to, and show a focus ring (an outline or a box shadow).
 */
async function keyboard_problems(page: Page, what: string): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const e = document.activeElement as HTMLElement | null;
      if (!e || e === document.body) return null;
      const r = e.getBoundingClientRect();
      const cs = getComputedStyle(e);
      return {
        stop: `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.getAttribute('href') ? `[href="${e.getAttribute('href')}"]` : ''} "${(e.textContent ?? '').trim().slice(0, 40)}" at y ${Math.round(r.top + scrollY)}`,
        sized: r.width > 0 && r.height > 0,
        inside: r.left >= -1 && r.right <= innerWidth + 1,
        ring: (cs.outlineStyle !== 'none' && cs.outlineWidth !== '0px') || cs.boxShadow !== 'none',
      };
    });
    if (!f || seen.has(f.stop)) break;
    seen.add(f.stop);
    if (!f.sized) out.push(`${what}: Tab focuses an element with no size: ${f.stop}`);
    if (!f.inside) out.push(`${what}: a focused element sticks out of the ${await page.evaluate(() => innerWidth)} px viewport: ${f.stop}`);
    if (!f.ring) out.push(`${what}: no focus ring on ${f.stop}`);
  }
  if (seen.size === 0) out.push(`${what}: Tab reaches nothing`);
  return out;
}

/** The check suites' chunks (assets/NN-slug.checks-HASH.js) the pages of @w asked for, by file name. */
function suites_asked(w: watched): string[] {
  return w.requests.map((r) => /\/assets\/([\w-]+\.checks-[\w-]+\.js)$/.exec(r)?.[1]).filter((f): f is string => f !== undefined);
}

/** Bytes each page received before any run (playground: also after its run), for the report at the end. */
const measured = new Map<string, { kind: string; js: number; total: number }>();
function measure(w: watched, file: string, kind: string): { js: number; total: number } {
  const js = w.bytes.get('script') ?? 0;
  const total = [...w.bytes.values()].reduce((a, b) => a + b, 0);
  measured.set(file, { kind, js, total });
  return { js, total };
}

describe('every page of the study site, one at a time, at 375 px on a static host', () => {
  it('the build has exactly the pages the generator lists, the playground among them', () => {
    expect(readdirSync(dist).filter((f) => f.endsWith('.html')).sort()).toEqual(PAGES.map((p) => p.file).sort());
    expect(PAGES.length).toBeGreaterThanOrEqual(31);
    expect(new Set(PAGES.map((p) => p.kind))).toEqual(new Set(['map', 'lesson', 'thread', 'sources', 'glossary', 'exercise', 'playground']));
  });

  it.each(PAGES)('$file ($kind): no console error, no failed request, nothing outside 127.0.0.1, no sideways scroll, axe clean; by keyboard every Tab stop is visible, inside the width, with a focus ring', async ({ file, kind }) => {
    const w = await watched_page();
    await w.page.goto(`${host!.url}/${file}`, { waitUntil: 'networkidle' });
    const problems = await problems_of(w, file);
    problems.push(...(await keyboard_problems(w.page, file)));
    const { js } = measure(w, file, kind);
    if (js === 0) problems.push(`${file}: loaded no script`);
    // The playground lists every scenario from the build's index: it loads no check suite until one of its scenarios runs.
    if (kind === 'playground') problems.push(...suites_asked(w).map((f) => `${file} loaded the check suite ${f} before any run`));
    if (kind === 'lesson' && js >= LESSON_JS_LIMIT) problems.push(`${file}: ${js} bytes of JS (a lesson page stays under 50 KB)`);
    await w.page.context().close();
    expect(problems).toEqual([]);
  });
});

describe('the playground mid-run, at 375 px on a static host', () => {
  it("at a decision point of exercise 03's starter, every view shown: no error, nothing outside 127.0.0.1, no sideways scroll, axe clean", async () => {
    const w = await watched_page();
    await w.page.goto(`${host!.url}/playground.html?scenario=ex03-recursion&variant=starter`);
    await expect.poll(() => w.page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^Decision #0:/);
    // Two steps in: tasks are asleep and hold locks, so the lanes, locks and zone views have rows. Each key is pressed
    // at a decision (the page takes keys there) and each wait is for the exact next one.
    for (const n of [1, 2]) {
      await w.page.keyboard.press('n');
      await expect.poll(() => w.page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(new RegExp(`^Decision #${n}:`));
    }
    for (const view of ['Tasks', 'Zone Normal', 'dmesg']) expect(await w.page.getByRole('heading', { name: new RegExp(view) }).count(), view).toBeGreaterThan(0);
    const problems = await problems_of(w, 'playground at decision #2');
    await w.page.context().close();
    expect(problems).toEqual([]);
  });

  it("at the end of exercise 03's deadlock, the cycle marked: no error, no sideways scroll, axe clean", async () => {
    const w = await watched_page();
    await w.page.goto(`${host!.url}/playground.html?schedule=${encodeURIComponent(format_schedule('ex03-recursion', []))}&variant=starter`);
    // The end of the run: status, end panel, lanes and dmesg are drawn in one go.
    await expect.poll(() => w.page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^The run ended \(deadlock\)/);
    expect(await w.page.textContent('.pg-end')).toMatch(/deadlock/);
    expect(await w.page.locator('tr.in-cycle').count()).toBeGreaterThan(0);
    const problems = await problems_of(w, 'playground at the deadlock');
    // Only the suite that declares the scenario was loaded, on demand.
    expect(suites_asked(w)).toEqual([expect.stringMatching(/^03-reclaim-recursion\.checks-[\w-]+\.js$/)]);
    measure(w, "playground.html after an exercise's run (03)", "playground after an exercise's run");
    await w.page.context().close();
    expect(problems).toEqual([]);
  });

  it('after the replay with the longest trace (the thread\'s v4.10 hang, a thousand lines, paged): no error, no sideways scroll, axe clean; its bytes after the run', async () => {
    const w = await watched_page();
    await w.page.goto(`${host!.url}/playground.html?schedule=${encodeURIComponent(format_schedule('rcu-hang-v4.10', []))}`);
    await expect.poll(() => w.page.textContent('#pg-status'), { timeout: PATIENCE_MS }).toMatch(/^The run ended/);
    await expect.poll(() => w.page.getByRole('region', { name: /^Timeline \(/ }).textContent(), { timeout: PATIENCE_MS }).toMatch(/Lines 1–200 of \d{4,}/);
    const problems = await problems_of(w, 'playground after a replay');
    measure(w, 'playground.html after the thread\'s longest run', 'playground after the thread\'s longest run');
    await w.page.context().close();
    expect(problems).toEqual([]);
  });

  it('reports JS and total bytes per page type (the largest page of each type, uncompressed): every page was measured', () => {
    const by_kind = new Map<string, { js: number; total: number; pages: number }>();
    for (const m of measured.values()) {
      const t = by_kind.get(m.kind) ?? { js: 0, total: 0, pages: 0 };
      by_kind.set(m.kind, { js: Math.max(t.js, m.js), total: Math.max(t.total, m.total), pages: t.pages + 1 });
    }
    console.log(
      'Bytes per page type (largest page of each type, uncompressed):\n' +
        [...by_kind].map(([kind, t]) => `  ${kind.padEnd(24)} JS ${String(t.js).padStart(8)}  total ${String(t.total).padStart(8)}  (${t.pages} page${t.pages > 1 ? 's' : ''})`).join('\n'),
    );
    expect(PAGES.filter((p) => !measured.has(p.file)).map((p) => p.file)).toEqual([]);
    expect(by_kind.get('lesson')!.js).toBeLessThan(LESSON_JS_LIMIT);
  });
});
