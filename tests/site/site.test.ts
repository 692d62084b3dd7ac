// The study site: built with Vite into a temporary directory, then checked
// as files (tests/site/browser.test.ts drives a real browser): a page per lesson and exercise, links
// that land on pages that exist, a search index with every lesson, nothing
// loaded from the network, and the playground's replay matching the explorer.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start_study_site } from '../../cli/site';
import { explore, replay } from '../../explorer/index';
import { rcu_hang } from '../../scenarios/thread';
import { read_manifest } from '../../course/files';
import { exercise_points } from '../../course/manifest';
import { check_name, escape_html, make_markdown, page_env, points_text, read_lessons } from '../../site/generator/content';
import { GLOSSARY } from '../../site/generator/glossary';
import { load_highlighter } from '../../site/generator/highlight';
import { search } from '../../site/src/site';
import { default_schedule_string, run_schedule_string } from '../../site/src/playground_core';

const repo = resolve(import.meta.dirname, '../..');
let tmp: string;
let dist: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shrinker-site-'));
  dist = join(tmp, 'site', 'dist');
  await build({ configFile: join(repo, 'site', 'vite.config.ts'), logLevel: 'silent', build: { outDir: dist, emptyOutDir: true } });
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const html_files = (): string[] => readdirSync(dist).filter((f) => f.endsWith('.html'));
const read = (f: string): string => readFileSync(join(dist, f), 'utf8');

describe('study site build', () => {
  it('produces a page for every lesson, the thread, the sources, every exercise, the map and the playground', () => {
    for (const l of read_lessons(repo)) expect(existsSync(join(dist, l.file.replace(/\.md$/, '.html'))), l.file).toBe(true);
    for (const e of read_manifest(repo).exercises) {
      const page = read(`exercise-${e.id}.html`);
      expect(page).toContain(e.title.replace(/&/g, '&amp;'));
      expect(page).toContain('class="reveal-hint"');
      expect(page.match(/class="hint"/g)?.length).toBe(e.hints.length);
      expect(page).toContain(e.checks); // the check suite is shown
      for (const f of e.files) expect(page).toContain(`exercises/${e.id}/${f}`);
    }
    // progress.json: the static host's stand-in (no progress known, no 404); favicon.svg: no 404 for the icon either.
    expect(JSON.parse(read('progress.json'))).toEqual({ format: 1, static: true, exercises: {} });
    for (const f of ['index.html', 'thread.html', 'sources.html', 'playground.html', 'assets/site.js', 'assets/playground.js', 'assets/style.css', 'search-index.json', 'favicon.svg']) {
      expect(existsSync(join(dist, f)), f).toBe(true);
    }
  });

  it('lists lesson 00 and every exercise\'s lesson in course order on the course map, each with its exercise', () => {
    const map = read('index.html');
    const numbered = read_lessons(repo).filter((l) => /^\d/.test(l.file));
    expect(numbered.map((l) => l.id)).toEqual(['00', ...read_manifest(repo).exercises.map((e) => e.id.slice(0, 2))]);
    let last = -1;
    for (const l of numbered) {
      const at = map.indexOf(`href="${l.file.replace(/\.md$/, '.html')}"`);
      expect(at, l.file).toBeGreaterThan(last);
      last = at;
      if (l.exercise) expect(map).toContain(`href="exercise-${l.exercise}.html"`);
    }
  });

  it('has every link and script between pages land on a file that exists', () => {
    let checked = 0;
    for (const f of html_files()) {
      for (const m of read(f).matchAll(/\s(?:href|src)="([^"]*)"/g)) {
        const url = m[1]!;
        if (url.startsWith('#')) continue;
        expect(url, `${f} links outside the site: ${url}`).not.toMatch(/^[a-z]+:/i);
        // A query is the page's own parameter (playground.html?exercise=NN-slug): the file is what comes before it.
        const target = url.split('#')[0]!.split('?')[0]!;
        expect(existsSync(join(dist, target)), `${f} -> ${url}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    // The lessons' own relative links were rewritten onto pages.
    expect(read('01-count-must-not-hide-memory.html')).toContain('href="sources.html"');
    expect(read('00-introduction.html')).toContain('href="thread.html"');
    expect(html_files().some((f) => /href="[^"]*\.md[#"]/.test(read(f)))).toBe(false);
  });

  it('lands every "sources §N" link at §N: sources.md\'s headings have ids s1..s12 and every #fragment exists on its page', () => {
    const sources = read('sources.html');
    const sections = [...sources.matchAll(/<h2 id="(s\d+)">§(\d+) /g)];
    expect(sections.map((m) => m[1])).toEqual(sections.map((m) => `s${m[2]}`));
    expect(sections.length).toBeGreaterThanOrEqual(12);
    let to_sections = 0;
    for (const f of html_files()) {
      const html = read(f);
      for (const m of html.matchAll(/<a href="([^"#]*)#([^"]+)"[^>]*>([^<]*)/g)) {
        const target = m[1] === '' ? html : read(m[1]!);
        expect(target.includes(`id="${m[2]}"`), `${f} -> ${m[1]}#${m[2]}`).toBe(true);
        if (m[1] === 'sources.html' && /^s\d+$/.test(m[2]!)) {
          to_sections++;
          // The link names the section it lands at.
          expect(m[3], `${f}: "${m[3]}" -> #${m[2]}`).toContain(`§${m[2]!.slice(1)}`);
        }
      }
      // A link that names a section never lands at the top of sources.html.
      expect(html, f).not.toMatch(/<a href="sources\.html">[^<]*§/);
    }
    expect(to_sections).toBeGreaterThanOrEqual(43);
  });

  it('shows every exercise\'s tasks and the points of each check from the validated manifest, next to the hints', () => {
    for (const e of read_manifest(repo).exercises) {
      const page = read(`exercise-${e.id}.html`);
      const tasks = page.slice(page.indexOf('<section class="tasks"'), page.indexOf('<section class="hints"'));
      expect(tasks.length, e.id).toBeGreaterThan(0);
      expect(tasks).toContain(`${points_text(exercise_points(e))} in all`);
      for (const t of e.tasks) {
        const own = e.tests.filter((c) => c.task === t.id);
        expect(tasks).toContain(`<strong>Task ${t.id}.</strong> ${escape_html(t.title)} <span class="points">(${points_text(own.reduce((n, c) => n + c.points, 0))})</span>`);
      }
      const source = readFileSync(join(repo, e.checks), 'utf8');
      for (const c of e.tests) {
        const name = check_name(source, c.check);
        expect(name, `${e.id}: the suite names check ${c.check}`).toBeTruthy();
        expect(tasks).toContain(`<code>${c.check}</code>: ${escape_html(name!)} <span class="points">(${points_text(c.points)})</span>`);
      }
    }
  });

  it('builds a search index that contains every lesson title and exercise', () => {
    const index = JSON.parse(read('search-index.json')) as { url: string; title: string; text: string }[];
    for (const l of read_lessons(repo)) expect(index.some((e) => e.title === l.title && e.url === l.file.replace(/\.md$/, '.html')), l.title).toBe(true);
    for (const e of read_manifest(repo).exercises) expect(index.some((x) => x.url === `exercise-${e.id}.html`)).toBe(true);
    expect(index.find((e) => e.url === '03-reclaim-recursion.html')!.text).toMatch(/PF_MEMALLOC/);
  });

  it('references no http(s) URL outside text: no external scripts, styles or fonts', () => {
    for (const f of html_files()) {
      for (const tag of read(f).match(/<[a-z][^>]*>/gi) ?? []) expect(tag, f).not.toMatch(/https?:\/\//i);
      expect(read(f), f).not.toMatch(/<(?:iframe|object|embed)\b/i);
    }
    for (const f of readdirSync(join(dist, 'assets'))) {
      const text = readFileSync(join(dist, 'assets', f), 'utf8');
      expect(text, f).not.toMatch(/@import|@font-face|url\(\s*["']?(?:https?:)?\/\//i);
      expect(text, f).not.toMatch(/(?:import\s*\(|from\s*)["'`]https?:|fetch\(\s*["'`]https?:/i);
    }
  });
});

describe('playground', () => {
  it('replays a schedule string from rcu_hang(4.10) to the same dmesg as the explorer', async () => {
    const sc = rcu_hang('4.10');
    const found = await explore(sc, { stop_on: 'first' });
    const s = found.failures[0]?.schedule_string ?? default_schedule_string(sc.id);
    const want = await replay(rcu_hang('4.10'), s);
    const got = await run_schedule_string(s);
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.scenario_id).toBe('rcu-hang-v4.10');
    expect(got.dmesg).toBe(want.dmesg_text);
    expect(got.timeline).toBe(want.timeline_text);
    expect(got.dmesg).toMatch(/blocked for more than 120 seconds/);
  });

});

describe('markdown links', () => {
  it('rewrites lesson links from anywhere onto pages and turns other repo links into text', () => {
    const md = make_markdown(new Set(['04-owner-word.md', 'sources.md']));
    const html = md.render('[a](../../lessons/04-owner-word.md) [b](sources.md#x) [c](kernel/README.md) [d](https://lkml.org/)', {});
    expect(html).toContain('href="04-owner-word.html"');
    expect(html).toContain('href="sources.html#x"');
    expect(html).not.toContain('href="kernel/README.md"');
    expect(html).toContain('<span class="repo-link" title="in the repository: kernel/README.md">c</span>');
    expect(html).toContain('href="https://lkml.org/"');
  });

  it('points "sources §N" at #sN, linked or not, and gives "§N Title" headings the id sN', () => {
    const md = make_markdown(new Set(['sources.md']));
    const html = md.render('## §3 Reclaim\n\nas said ([sources §4, §11](sources.md)); also (sources §5, §7) and [other](sources.md#x).', {});
    expect(html).toContain('<h2 id="s3">§3 Reclaim</h2>');
    expect(html).toContain('<a href="sources.html#s4">sources §4, §11</a>');
    expect(html).toContain('(<a href="sources.html#s5">sources §5</a>, <a href="sources.html#s7">§7</a>)');
    expect(html).toContain('<a href="sources.html#x">other</a>');
  });

  it('wraps tables in a focusable box that scrolls sideways on its own', () => {
    const html = make_markdown(new Set()).render('| a | b |\n|---|---|\n| 1 | 2 |\n', {});
    expect(html).toMatch(/^<div class="table-scroll" role="region" aria-label="[^"]+" tabindex="0"><table>[\s\S]*<\/table>\n?<\/div>/);
    // Two tables on a page are two regions a screen reader tells apart (axe landmark-unique); an empty corner cell is no header (axe empty-table-header).
    const two = make_markdown(new Set()).render('| a | `b` |\n|---|---|\n| 1 | 2 |\n\n| | x |\n|---|---|\n| y | 3 |\n', page_env());
    expect([...two.matchAll(/aria-label="([^"]+)"/g)].map((m) => m[1])).toEqual(['Table 1: a, b (scrolls sideways)', 'Table 2: x (scrolls sideways)']);
    expect(two).toContain('<tr>\n<td></td>\n<th>x</th>');
    expect(two).not.toMatch(/<th>\s*<\/th>/);
  });
});

describe('start_study_site', () => {
  it('says how to build the site when site/dist is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'shrinker-nosite-'));
    try {
      expect(await start_study_site({ root: empty, host: '127.0.0.1', port: 0 })).toEqual({ running: false, reason: 'run npm run build to build the study site' });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('serves the built pages and the read-only progress on 127.0.0.1, and nothing outside the site', async () => {
    mkdirSync(join(tmp, '.shrinker-lab'), { recursive: true });
    writeFileSync(join(tmp, '.shrinker-lab', 'state.json'), JSON.stringify({ format: 1, exercises: { '01-count-must-not-hide-memory': { status: 'passed', passed: true, hints: 0, checked_at: null } } }));
    writeFileSync(join(tmp, 'secret.txt'), 'no');
    const h = await start_study_site({ root: tmp, host: '127.0.0.1', port: 0 });
    expect(h.running).toBe(true);
    if (!h.running) return;
    try {
      expect(h.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const index = await fetch(h.url);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/text\/html/);
      expect(await index.text()).toContain('course map');
      const js = await fetch(new URL('assets/playground.js', h.url));
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      const progress = (await (await fetch(new URL('progress.json', h.url))).json()) as { static?: boolean; exercises: Record<string, { passed: boolean }> };
      expect(progress.exercises['01-count-must-not-hide-memory']!.passed).toBe(true);
      expect(progress.static).toBeUndefined(); // the learner's state, not the build's static stand-in
      expect((await fetch(new URL('nope.html', h.url))).status).toBe(404);
      expect((await fetch(new URL('/..%2f..%2fsecret.txt', h.url))).status).toBe(404);
    } finally {
      await h.stop();
    }
  });
});

describe('the annotated thread, the glossary and search', () => {
  const thread_passages = (): { title: string; body: string }[] => {
    const html = read('thread.html');
    const end = html.indexOf('<h2 id="the-mail-as-sent"');
    return [...html.slice(0, end).matchAll(/<h2 id="\d+-[^"]*">([^<]*)<\/h2>([\s\S]*?)(?=<h2 |$)/g)].map((m) => ({ title: m[1]!, body: m[2]! }));
  };

  it('walks the thread passage by passage: each quoted with its author, linked to a lesson section, with a note on what later kernels showed', () => {
    const passages = thread_passages();
    expect(passages.length).toBeGreaterThanOrEqual(11);
    for (const p of passages) {
      expect(p.body, p.title).toMatch(/<figure class="box box-thread"><blockquote>[\s\S]*?<figcaption>— (?:Andrea Arcangeli|Chris Wilson)[^<]*<\/figcaption>/);
      expect(p.body, p.title).toMatch(/<a href="\d\d-[a-z0-9-]+\.html#[a-z0-9-]+">/);
      expect(p.body, p.title).toMatch(/<div class="box box-kernel" role="note"><p class="box-title">[^<]+<\/p>/);
      expect(p.body, p.title).toMatch(/<a href="sources\.html#s\d+">/);
    }
    // Every lesson of the thread's first part is taken up by some passage.
    const linked = new Set(passages.flatMap((p) => [...p.body.matchAll(/href="(\d\d)-/g)].map((m) => m[1])));
    for (const n of ['01', '02', '03', '04', '05', '06', '07', '08', '09', '12']) expect(linked, `lesson ${n}`).toContain(n);
  });

  it('keeps the whole mail as sent at the end of the thread page', () => {
    const html = read('thread.html');
    const mail = html.slice(html.indexOf('<h2 id="the-mail-as-sent"'));
    for (const line of ['Re: [PATCH 2/5] i915: flush gem obj freeing workqueues to add accuracy to the i915 shrinker', '&gt; &gt; &gt; Waiting a RCU grace period only guarantees the work gets queued, but', 'the &quot;crossrelease&quot; patches would fix the lack of warnings.', 'Ah. The RCU freeing is only for the small fry, the slabs from which', 'Chris Wilson, Intel Open Source Technology Centre']) {
      expect(mail).toContain(line);
    }
  });

  it('finds the thread by phrases of its text, and glossary terms, with the site\'s own search', () => {
    const index = JSON.parse(read('search-index.json')) as { url: string; title: string; text: string }[];
    for (const q of ['small fry', 'crossrelease', 'WQ_MEM_RELCAIM complains bitterly', 'pin before alloc']) {
      expect(search(index, q).map((h) => h.entry.url), q).toContain('thread.html');
    }
    for (const t of GLOSSARY) {
      const hits = search(index, t.term).map((h) => h.entry.url);
      expect(hits, t.term).toContain(`glossary.html#${t.id}`);
    }
    expect(search(index, 'small fry')[0]!.snippet).toMatch(/small fry/);
  });

  it('has a glossary page with every term, its definition, the lessons that explain it and its sources section', () => {
    const page = read('glossary.html');
    const lessons = new Set(read_lessons(repo).map((l) => l.file));
    for (const t of GLOSSARY) {
      expect(page, t.id).toMatch(new RegExp(`<dt id="${t.id}"><dfn>${t.term}</dfn></dt>\\s*<dd><p>.{20}`));
      expect(t.lessons.length, t.id).toBeGreaterThan(0);
      for (const f of t.lessons) expect(lessons.has(f), `${t.id} -> ${f}`).toBe(true);
      expect(page).toContain(`href="sources.html#s${t.source}"`);
    }
    expect(new Set(GLOSSARY.map((t) => t.id)).size).toBe(GLOSSARY.length);
    // The brief's terms are all there.
    for (const term of ['PF_MEMALLOC', 'struct_mutex', 'grace period', 'WQ_MEM_RECLAIM', 'SHRINK_STOP', 'owner word', 'nr_deferred', 'kswapd', 'direct reclaim', 'GFP_NOFS', 'lockdep', 'cross-release']) {
      expect(GLOSSARY.map((t) => t.term)).toContain(term);
    }
  });

  it('turns the first use of a term on a page into a popover button, once per page, with unique ids on every page', () => {
    const lesson = read('03-reclaim-recursion.html');
    const buttons = [...lesson.matchAll(/<button type="button" class="term" popovertarget="(gl-\d+)" data-term="([a-z_]+)">/g)];
    expect(buttons.length).toBeGreaterThan(5);
    expect(new Set(buttons.map((b) => b[2])).size).toBe(buttons.length); // each term once
    for (const [, id] of buttons) expect(lesson).toMatch(new RegExp(`<span class="term-pop" id="${id!}" popover [^>]*><strong>`));
    expect(lesson).toContain('data-term="pf_memalloc"');
    expect(read('glossary.html')).not.toContain('class="term"');
    for (const f of html_files()) {
      const ids = [...read(f).matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i), f).toEqual([]);
      // Never inside a heading or a link.
      expect(read(f), f).not.toMatch(/<h[1-6][^>]*>(?:(?!<\/h[1-6]>).)*class="term"/);
      expect(read(f), f).not.toMatch(/<a [^>]*>(?:(?!<\/a>).)*<button/);
    }
  });

  it('colours C and TypeScript at build time, and ships nothing of shiki to the browser', () => {
    expect(read('04-owner-word.html')).toMatch(/<pre class="shiki [^"]*" tabindex="0" data-lang="c"><code><span class="line"><span style="color:#[0-9A-F]{6};--shiki-dark:#[0-9A-F]{6}">/);
    expect(read('exercise-01-count-must-not-hide-memory.html')).toMatch(/<pre class="shiki [^"]*" tabindex="0" data-lang="typescript">/);
    // dmesg stays plain text.
    expect(read('01-count-must-not-hide-memory.html')).toContain('<pre tabindex="0"><code class="language-text">');
    // (style.css names .shiki to colour the spans; no script carries shiki's code, grammars or themes.)
    for (const f of readdirSync(join(dist, 'assets')).filter((n) => n.endsWith('.js'))) {
      const text = readFileSync(join(dist, 'assets', f), 'utf8');
      expect(text, f).not.toMatch(/shiki|oniguruma|textmate|github-light|createHighlighter/i);
    }
  });
});

describe('markdown boxes and anchors', () => {
  const md = make_markdown(new Set(['04-owner-word.md', 'sources.md']));

  it('draws ::: note, kernel, thread and details boxes, with titles, markdown inside and four colons around three', () => {
    const html = md.render(
      '::: note\nA *side* remark.\n:::\n\n::: kernel What v4.12 did\nNo wait.\n:::\n\n::: thread Chris Wilson, second reply\nI know.\n:::\n\n:::: details More about it\n::: note Inner\nx\n:::\n::::\n',
      page_env(),
    );
    expect(html).toContain('<div class="box box-note" role="note"><p class="box-title">Note</p>\n<p>A <em>side</em> remark.</p>\n</div>');
    expect(html).toContain('<div class="box box-kernel" role="note"><p class="box-title">What v4.12 did</p>\n<p>No wait.</p>\n</div>');
    expect(html).toContain('<figure class="box box-thread"><blockquote>\n<p>I know.</p>\n</blockquote><figcaption>— Chris Wilson, second reply</figcaption></figure>');
    expect(html).toMatch(/<details class="box box-details"><summary>More about it<\/summary>\n<div class="box box-note" role="note"><p class="box-title">Inner<\/p>\n<p>x<\/p>\n<\/div>\n<\/details>/);
  });

  it('leaves unknown kinds and indented colons as text, and closes an unclosed box at the end', () => {
    expect(md.render('::: warning\nx\n:::\n', page_env())).toContain('<p>::: warning');
    expect(md.render('    ::: note\n', page_env())).toContain('<pre');
    expect(md.render('::: note\nstill inside', page_env())).toBe('<div class="box box-note" role="note"><p class="box-title">Note</p>\n<p>still inside</p>\n</div>\n');
  });

  it('captions a lesson\'s quote whose last line is an attribution, and leaves other quotes alone', () => {
    const html = md.render('> We know.\n>\n> — Chris Wilson, LKML, 7 April 2017\n\n> plain\n', page_env());
    expect(html).toContain('<figure class="box box-thread"><blockquote>\n<p>We know.</p>\n</blockquote><figcaption>— Chris Wilson, LKML, 7 April 2017</figcaption></figure>');
    expect(html).toContain('<blockquote>\n<p>plain</p>\n</blockquote>');
  });

  it('lets a box open with its own heading instead of a title, and draws each lesson\'s "What the real kernel did" as one', () => {
    expect(md.render('::: kernel\n## What the real kernel did\n\n- v4.12\n:::\n', page_env())).toBe(
      '<div class="box box-kernel" role="note">\n<h2 id="what-the-real-kernel-did">What the real kernel did</h2>\n<ul>\n<li>v4.12</li>\n</ul>\n</div>\n',
    );
    const boxed = read_lessons(repo).filter((l) => l.body.includes('## What the real kernel did'));
    expect(boxed.length).toBeGreaterThanOrEqual(8);
    for (const l of boxed) expect(read(l.file.replace(/\.md$/, '.html')), l.file).toContain('<div class="box box-kernel" role="note">\n<h2 id="what-the-real-kernel-did">');
  });

  it('gives a repeated heading its own id, so every #fragment lands on one place', () => {
    const env = page_env();
    const html = md.render('## Your turn\n\n## Your turn\n', env) + md.render('## Your turn\n', env);
    expect([...html.matchAll(/id="([^"]+)"/g)].map((m) => m[1])).toEqual(['your-turn', 'your-turn-2', 'your-turn-3']);
  });

  it('highlights c and ts fences with the build-time highlighter, and only those', async () => {
    const lit = make_markdown(new Set(), { highlight: await load_highlighter() });
    expect(lit.render('```c\nint x;\n```\n', page_env())).toMatch(/^<pre class="shiki[^"]*" tabindex="0" data-lang="c"><code><span class="line"><span style="color:/);
    expect(lit.render('```ts\nconst x = 1;\n```\n', page_env())).toContain('data-lang="typescript"');
    expect(lit.render('```text\n[ 1.0] x\n```\n', page_env())).toBe('<pre tabindex="0"><code class="language-text">[ 1.0] x\n</code></pre>\n');
  });
});
