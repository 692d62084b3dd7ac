// The study site's content, read from the repo at build time (Node only):
// lessons/*.md, exercises/course.json, each exercise's README, starter files
// and check suite. Everything is rendered to HTML bodies here; layout.ts wraps
// them in the page shell and plugin.ts hands them to Vite.
//
// All pages live at the top of the output directory (index.html,
// 01-count-must-not-hide-memory.html, exercise-01-....html), so a link is
// just a file name and works at any URL prefix.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import MarkdownItCallable, { type Env, type MarkdownIt, type RendererRule, type StateCore, type Token } from 'markdown-it';
import { read_manifest } from '../../course/files.ts';
import { exercise_points, type manifest_exercise } from '../../course/manifest.ts';
import { containers } from './containers.ts';
import { GLOSSARY, definition_html, definition_text, glossary_href, glossary_popovers, type glossary_env } from './glossary.ts';
import type { highlight_fn } from './highlight.ts';

export interface lesson_meta {
  id: string;
  title: string;
  exercise: string | null;
  /** Source file name in lessons/, e.g. 01-count-must-not-hide-memory.md. */
  file: string;
}

export interface site_page {
  /** Output file name, e.g. "02-scan-must-say-stop.html". */
  file: string;
  title: string;
  kind: 'map' | 'lesson' | 'thread' | 'sources' | 'glossary' | 'exercise' | 'playground';
  /** The page body (inside <main>). */
  body: string;
  /** Plain text for the search index. */
  text: string;
  /** Which client script the page loads besides the common one. */
  script?: 'playground';
}

export interface search_entry {
  url: string;
  title: string;
  text: string;
}

/** escape_html - text to HTML text/attribute content. */
export function escape_html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** parse_front_matter - split the "---" header (simple `key: value` lines) from the body. */
export function parse_front_matter(src: string): { meta: Record<string, string | null>; body: string } {
  const m = /^---\n([\s\S]*?)\n---\n?/.exec(src);
  if (!m) return { meta: {}, body: src };
  const meta: Record<string, string | null> = {};
  for (const line of m[1]!.split('\n')) {
    const kv = /^(\w+):\s*(.*)$/.exec(line);
    if (!kv) continue;
    let v = kv[2]!.trim();
    if (v === 'null' || v === '~' || v === '') {
      meta[kv[1]!] = null;
      continue;
    }
    if (/^".*"$/.test(v)) v = JSON.parse(v) as string;
    else if (/^'.*'$/.test(v)) v = v.slice(1, -1);
    meta[kv[1]!] = v;
  }
  return { meta, body: src.slice(m[0].length) };
}

/** page_for_markdown - the site page a repo-relative .md link points to, or null. */
export function lesson_page_file(md_file: string): string {
  return basename(md_file).replace(/\.md$/, '.html');
}

/** exercise_page_file - the page of exercise @id. */
export function exercise_page_file(id: string): string {
  return `exercise-${id}.html`;
}

/**
 * Per-page state of the render rules, shared by every render of one page:
 * which open links were turned into text, the heading ids given out (each
 * unique on the page), and the glossary popovers made so far.
 */
interface link_env extends glossary_env {
  dropped?: boolean[];
  ids?: Set<string>;
  /** Tables rendered so far on the page (each region's label is numbered). */
  tables?: number;
}

/** page_env - a fresh env for the renders of one page. */
export function page_env(): Env {
  return {};
}

export interface markdown_options {
  /** Build-time highlighting of ts and c fences (site/generator/highlight.ts); plain <pre> without it. */
  highlight?: highlight_fn;
  /** The first use of each glossary term on a page opens its definition (not on the glossary page itself). */
  glossary?: boolean;
}

/**
 * make_markdown - a markdown-it that rewrites links to lessons onto their
 * pages, gives headings unique ids, draws the ::: boxes (containers.ts) and,
 * when asked, highlights code and adds the glossary popovers.
 */
export function make_markdown(lesson_files: ReadonlySet<string>, options: markdown_options = {}): MarkdownIt {
  const highlight = options.highlight;
  const md = MarkdownItCallable({
    html: false,
    linkify: false,
    typographer: false,
    // A string starting with "<pre" is used as the whole block (shiki's); '' means markdown-it's own escaping.
    highlight: (code, lang) => (highlight && lang ? (highlight(code, lang) ?? '') : ''),
  });
  containers(md);
  if (options.glossary) glossary_popovers(md);
  const default_link_open = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  const default_link_close = md.renderer.rules.link_close ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  // Relative links: lessons/X.md (from anywhere) -> X.html; other repo
  // files are not on the site, so the link becomes text naming the file.
  md.renderer.rules.link_open = (tokens, idx, options, env_in: Env | undefined, self) => {
    const env = (env_in ?? {}) as link_env;
    const tok = tokens[idx]!;
    const href = String(tok.attrGet('href') ?? '');
    env.dropped ??= [];
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#')) {
      env.dropped.push(false);
      return default_link_open(tokens, idx, options, env_in, self);
    }
    const [path, given_frag] = href.split('#', 2) as [string, string | undefined];
    const name = basename(path);
    if (lesson_files.has(name)) {
      // "[sources §8](sources.md)" lands at §8, not at the top of the page.
      const frag = given_frag ?? (name === SOURCES_FILE ? section_anchor(link_text(tokens, idx)) : undefined);
      tok.attrSet('href', lesson_page_file(name) + (frag ? `#${frag}` : ''));
      env.dropped.push(false);
      return default_link_open(tokens, idx, options, env_in, self);
    }
    env.dropped.push(true);
    return `<span class="repo-link" title="in the repository: ${escape_html(path)}">`;
  };
  md.renderer.rules.link_close = (tokens, idx, options, env_in: Env | undefined, self) => {
    const env = (env_in ?? {}) as link_env;
    const dropped = env.dropped?.pop() ?? false;
    return dropped ? '</span>' : default_link_close(tokens, idx, options, env_in, self);
  };
  // Headings get ids so that "#fragment" links and the search can point at them.
  md.renderer.rules.heading_open = (tokens, idx, options, env_in: Env | undefined, self) => {
    const env = (env_in ?? {}) as link_env;
    const inline = tokens[idx + 1];
    const text = inline?.children?.map((c) => c.content).join('') ?? '';
    // sources.md's "§N Title" headings get the short, stable id "sN".
    const slug = section_anchor(text) ?? heading_slug(text);
    if (slug) {
      // A second heading with the same words gets "-2", so every #fragment lands on one place.
      env.ids ??= new Set();
      let id = slug;
      for (let n = 2; env.ids.has(id); n++) id = `${slug}-${n}`;
      env.ids.add(id);
      tokens[idx]!.attrSet('id', id);
    }
    return self.renderToken(tokens, idx, options);
  };
  // Code blocks scroll sideways: make them focusable so the keyboard can scroll them.
  md.renderer.rules.code_block = wrap_pre(md.renderer.rules.code_block);
  md.renderer.rules.fence = wrap_pre(md.renderer.rules.fence);
  // Tables scroll sideways inside their own box on a narrow screen, never the
  // page: a focusable, labelled region so the keyboard can scroll it too.
  // Each region is named by its table's header row, so that two tables on a
  // page are two landmarks a screen reader tells apart.
  md.renderer.rules.table_open = (tokens, idx, options, env_in: Env | undefined, self) => {
    const env = (env_in ?? {}) as link_env;
    env.tables = (env.tables ?? 0) + 1;
    const heads: string[] = [];
    for (let i = idx + 1; i < tokens.length && tokens[i]!.type !== 'thead_close'; i++) if (tokens[i]!.type === 'inline' && tokens[i]!.content.trim()) heads.push(tokens[i]!.content.replace(/[`*]/g, '').trim());
    const label = `Table ${env.tables}${heads.length ? `: ${heads.join(', ')}` : ''} (scrolls sideways)`;
    return `<div class="table-scroll" role="region" aria-label="${escape_html(label)}" tabindex="0">${self.renderToken(tokens, idx, options)}`;
  };
  md.renderer.rules.table_close = (tokens, idx, options, _env, self) => `${self.renderToken(tokens, idx, options)}</div>`;
  // An empty header cell (the corner above a column of row labels) is a plain cell: a header must say something.
  const empty_cell = (tokens: Token[], at: number): boolean => tokens[at]?.type === 'inline' && tokens[at]!.content.trim() === '';
  md.renderer.rules.th_open = (tokens, idx, options, _env, self) => (empty_cell(tokens, idx + 1) ? '<td>' : self.renderToken(tokens, idx, options));
  md.renderer.rules.th_close = (tokens, idx, options, _env, self) => (empty_cell(tokens, idx - 1) ? '</td>\n' : self.renderToken(tokens, idx, options));
  if (lesson_files.has(SOURCES_FILE)) md.core.ruler.push('sources_section_links', link_plain_source_refs);
  return md;
}

/** heading_slug - the id a heading's text gets: lower case, letters, digits and dashes (lessons link to these). */
export function heading_slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9§ -]/g, '').trim().replace(/\s+/g, '-');
}

/** The lessons' bibliography: lessons cite its sections as "sources §N". */
const SOURCES_FILE = 'sources.md';

/** section_anchor - "sN" for text that starts with "§N" (after an optional "sources "), else undefined. */
export function section_anchor(text: string): string | undefined {
  const m = /^\s*(?:sources\s+)?§(\d+)/.exec(text);
  return m ? `s${m[1]}` : undefined;
}

/** link_text - the plain text between the link_open at @idx and its link_close. */
function link_text(tokens: Token[], idx: number): string {
  let text = '';
  for (let i = idx + 1; i < tokens.length && tokens[i]!.type !== 'link_close'; i++) text += tokens[i]!.content;
  return text;
}

/**
 * link_plain_source_refs - a core rule: the unlinked "sources §5, §7" in a
 * lesson's text becomes links to sources.html#s5 and #s7 (text already
 * inside a link is left alone).
 */
function link_plain_source_refs(state: StateCore): void {
  const refs = /sources §\d+(?:,\s*§\d+)*/g;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const out: Token[] = [];
    let in_link = 0;
    for (const t of block.children) {
      if (t.type === 'link_open') in_link++;
      if (t.type === 'link_close') in_link--;
      if (t.type !== 'text' || in_link > 0 || !refs.test(t.content)) {
        out.push(t);
        continue;
      }
      refs.lastIndex = 0;
      let at = 0;
      const push_text = (s: string): void => {
        if (!s) return;
        const tt = new state.Token('text', '', 0);
        tt.content = s;
        out.push(tt);
      };
      for (const m of t.content.matchAll(refs)) {
        push_text(t.content.slice(at, m.index));
        // Each "§N" of the run is its own link; "sources " goes with the first.
        const parts = m[0].split(/(§\d+)/);
        let pending = '';
        for (const part of parts) {
          if (!/^§\d+$/.test(part)) {
            pending += part;
            continue;
          }
          const starts_with_word = pending.startsWith('sources');
          if (!starts_with_word) push_text(pending);
          const open = new state.Token('link_open', 'a', 1);
          open.attrs = [['href', `${SOURCES_FILE}#${section_anchor(part)!}`]];
          const text = new state.Token('text', '', 0);
          text.content = starts_with_word ? pending + part : part;
          out.push(open, text, new state.Token('link_close', 'a', -1));
          pending = '';
        }
        push_text(pending);
        at = m.index + m[0].length;
      }
      push_text(t.content.slice(at));
    }
    block.children = out;
  }
}

function wrap_pre(rule: RendererRule): RendererRule {
  return (tokens, idx, options, env, self) => rule(tokens, idx, options, env, self).replace(/^<pre>/, '<pre tabindex="0">');
}

/** plain_text - markdown reduced to words for the search index (code and quoted mail included: they are searched too). */
export function plain_text(markdown: string): string {
  return markdown
    .replace(/^```.*$/gm, ' ')
    .replace(/^:{3,}.*$/gm, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*>#|]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** read_lessons - lessons/*.md with their front matter, in file-name order. */
export function read_lessons(root: string): (lesson_meta & { body: string })[] {
  const dir = join(root, 'lessons');
  const out: (lesson_meta & { body: string })[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.md')) continue;
    const { meta, body } = parse_front_matter(readFileSync(join(dir, file), 'utf8'));
    if (meta.title === undefined) continue; // LICENSE.md and other non-lessons
    out.push({ id: meta.id ?? file.replace(/\.md$/, ''), title: meta.title ?? file, exercise: meta.exercise ?? null, file, body });
  }
  return out;
}

function code_block(title: string, path: string, source: string, highlight?: highlight_fn): string {
  const pre = (path.endsWith('.ts') ? highlight?.(source, 'ts') : null) ?? `<pre tabindex="0"><code class="language-ts">${escape_html(source)}</code></pre>`;
  return `<section class="code-file" aria-labelledby="${escape_html(path)}-h">
<h2 id="${escape_html(path)}-h">${escape_html(title)} <code>${escape_html(path)}</code></h2>
${pre}
</section>`;
}

/** check_name - the name the check suite @source gives check @id (its "name:" after "id:", line comments between allowed), or null. */
export function check_name(source: string, id: string): string | null {
  const esc = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`id:\\s*(['"])${esc}\\1,(?:\\s|//[^\\n]*)*name:\\s*(['"])((?:\\\\.|(?!\\2).)*)\\2`).exec(source);
  return m ? m[3]!.replace(/\\(.)/g, '$1') : null;
}

/** points_text - "1 point", "3 points". */
export function points_text(n: number): string {
  return `${n} ${n === 1 ? 'point' : 'points'}`;
}

/** tasks_section - the exercise's tasks, each with its graded checks and their points (from the manifest). */
function tasks_section(ex: manifest_exercise, check_source: string): string {
  const tasks = ex.tasks
    .map((t) => {
      const tests = ex.tests.filter((c) => c.task === t.id);
      const points = tests.reduce((sum, c) => sum + c.points, 0);
      const rows = tests
        .map((c) => {
          const name = check_name(check_source, c.check);
          return `<li><code>${escape_html(c.check)}</code>${name ? `: ${escape_html(name)}` : ''} <span class="points">(${points_text(c.points)})</span></li>`;
        })
        .join('\n');
      return `<li class="task"><strong>Task ${t.id}.</strong> ${escape_html(t.title)} <span class="points">(${points_text(points)})</span>\n<ul class="check-list">\n${rows}\n</ul></li>`;
    })
    .join('\n');
  return `<section class="tasks" aria-labelledby="tasks-h">
<h2 id="tasks-h">Tasks and points</h2>
<p>${ex.tests.length} graded checks, ${points_text(exercise_points(ex))} in all. <code>npx shrinker-lab run ${escape_html(ex.id.slice(0, 2))}</code> runs them on your code.</p>
<ol class="task-list">
${tasks}
</ol>
</section>`;
}

/**
 * break_it_section - the exercise's challenge in the playground: its first
 * declared scenario (playground.html?exercise=), run with the starter until
 * it fails, then the same schedule on the reference solution.
 */
function break_it_section(ex: manifest_exercise): string {
  return `<section class="break-it" aria-labelledby="break-it-h">
<h2 id="break-it-h">Break it in the playground</h2>
<p>Before you change a line, watch the starter fail: <a href="playground.html?exercise=${encodeURIComponent(ex.id)}">this exercise's challenge in the playground</a> runs the scenario its checks explore, with the starter, one scheduling decision at a time (keys 1–9 pick a task, <kbd>n</kbd> the kernel's choice, <kbd>u</kbd> undoes, <kbd>r</kbd> runs on). Make it fail, score your schedule against the explorer's, then replay the same schedule on the reference solution and see it hold. Under <code>npm start</code> the playground also runs your own code.</p>
</section>`;
}

/** glossary_page - every term with its definition and the lessons that explain it. */
function glossary_page(lessons: readonly lesson_meta[]): site_page {
  const title_of = new Map(lessons.map((l) => [l.file, l]));
  const entries = [...GLOSSARY]
    .sort((a, b) => a.term.localeCompare(b.term, 'en', { sensitivity: 'base' }))
    .map((t) => {
      const links = t.lessons
        .map((f) => title_of.get(f))
        .filter((l): l is lesson_meta => l !== undefined)
        .map((l) => `<a href="${lesson_page_file(l.file)}">${escape_html(l.id)}: ${escape_html(l.title)}</a>`)
        .join('; ');
      return `<dt id="${t.id}"><dfn>${escape_html(t.term)}</dfn></dt>
<dd><p>${definition_html(t)}</p><p class="muted">Explained in ${links}. Facts: <a href="${lesson_page_file(SOURCES_FILE)}#s${t.source}">sources §${t.source}</a>.</p></dd>`;
    })
    .join('\n');
  return {
    file: 'glossary.html',
    title: 'Glossary',
    kind: 'glossary',
    body: `<article class="prose"><h1>Glossary</h1>
<p>The kernel words the lessons and the thread use, in a sentence or three each. On the other pages the first use of each word is a button: press it (or Enter, or Space) to read its definition, Escape to close it.</p>
<dl class="glossary">
${entries}
</dl></article>`,
    text: GLOSSARY.map((t) => t.term).join(' '),
  };
}

/** collect_pages - every page of the site, plus the search index; @highlight colours code at build time. */
export function collect_pages(root: string, highlight?: highlight_fn): { pages: site_page[]; search: search_entry[] } {
  const lessons = read_lessons(root);
  const manifest = read_manifest(root).exercises;
  const md = make_markdown(new Set(lessons.map((l) => l.file)), { highlight, glossary: true });
  const by_id = new Map(manifest.map((e) => [e.id, e]));
  const pages: site_page[] = [];

  const numbered = lessons.filter((l) => /^\d/.test(l.file));
  // Course map.
  const rows = numbered
    .map((l) => {
      const ex = l.exercise ? by_id.get(l.exercise) : undefined;
      const ex_cell = ex
        ? `<a href="${exercise_page_file(ex.id)}">Exercise ${escape_html(ex.id.slice(0, 2))}: ${escape_html(ex.title)}</a>`
        : '<span class="muted">no exercise</span>';
      const status = ex ? `<span class="status" data-exercise="${escape_html(ex.id)}">not checked yet</span>` : '';
      return `<li class="map-item"><a class="lesson-link" href="${lesson_page_file(l.file)}"><span class="num">${escape_html(l.id)}</span> ${escape_html(l.title)}</a><div class="map-ex">${ex_cell} ${status}</div></li>`;
    })
    .join('\n');
  const others = lessons.filter((l) => !/^\d/.test(l.file));
  pages.push({
    file: 'index.html',
    title: 'Course map',
    kind: 'map',
    body: `<h1>Shrinker Lab: course map</h1>
<p>Lessons in order. Each lesson ends in an exercise; the status shows your progress when the site is served by <code>npm start</code>.</p>
<p id="progress-summary" class="muted" aria-live="polite"></p>
<ol class="course-map">
${rows}
</ol>
<h2>Also</h2>
<ul>
${others.map((l) => `<li><a href="${lesson_page_file(l.file)}">${escape_html(l.title)}</a></li>`).join('\n')}
<li><a href="glossary.html">Glossary: the kernel words of the course</a></li>
<li><a href="playground.html">Playground: you are the scheduler (step any check's scenario, replay any schedule string)</a></li>
</ul>`,
    text: 'course map lessons exercises progress',
  });

  for (const l of lessons) {
    const ex = l.exercise ? by_id.get(l.exercise) : undefined;
    const i = numbered.indexOf(l);
    const nav: string[] = [];
    if (i > 0) nav.push(`<a rel="prev" href="${lesson_page_file(numbered[i - 1]!.file)}">← ${escape_html(numbered[i - 1]!.title)}</a>`);
    if (ex) nav.push(`<a href="${exercise_page_file(ex.id)}">Exercise: ${escape_html(ex.title)}</a>`);
    if (i >= 0 && i + 1 < numbered.length) nav.push(`<a rel="next" href="${lesson_page_file(numbered[i + 1]!.file)}">${escape_html(numbered[i + 1]!.title)} →</a>`);
    pages.push({
      file: lesson_page_file(l.file),
      title: l.title,
      kind: l.id === 'thread' ? 'thread' : l.id === 'sources' ? 'sources' : 'lesson',
      body: `<article class="prose">${md.render(l.body, page_env())}</article>${nav.length ? `<nav class="pager" aria-label="Lesson navigation">${nav.join(' ')}</nav>` : ''}`,
      text: plain_text(l.body),
    });
  }

  for (const ex of manifest) {
    const dir = join(root, 'exercises', ex.id);
    const readme_path = join(dir, 'README.md');
    const readme = existsSync(readme_path) ? readFileSync(readme_path, 'utf8') : '';
    const files = ex.files
      .map((f) => {
        const p = join(dir, f);
        return existsSync(p) ? code_block('Starter file', `exercises/${ex.id}/${f}`, readFileSync(p, 'utf8'), highlight) : '';
      })
      .join('\n');
    const checks_path = join(root, ex.checks);
    // The check suite stays plain text: it is ten times the starter's length and colouring it took most of the build.
    const checks = existsSync(checks_path) ? code_block('Check suite', ex.checks, readFileSync(checks_path, 'utf8')) : '';
    // One env for the page's renders: heading ids and popover ids stay unique on the page.
    const env = page_env();
    const readme_html = readme ? md.render(readme, env) : `<h1>${escape_html(ex.title)}</h1>`;
    const hints = ex.hints
      .map((h, i) => `<li class="hint" data-hint="${i}" hidden><strong>Hint ${i + 1}.</strong> ${md.renderInline(h, env)}</li>`)
      .join('\n');
    const lesson_file = basename(ex.lesson);
    const check_source = existsSync(checks_path) ? readFileSync(checks_path, 'utf8') : '';
    pages.push({
      file: exercise_page_file(ex.id),
      title: `Exercise ${ex.id.slice(0, 2)}: ${ex.title}`,
      kind: 'exercise',
      body: `<p class="crumbs"><a href="${lesson_page_file(lesson_file)}">← the lesson</a></p>
<article class="prose">${readme_html}</article>
${tasks_section(ex, check_source)}
${break_it_section(ex)}
<section class="hints" aria-labelledby="hints-h" data-exercise="${escape_html(ex.id)}">
<h2 id="hints-h">Hints</h2>
<p>Try first; then take the hints one at a time (${ex.hints.length} in all).</p>
<ol class="hint-list">
${hints}
</ol>
<button type="button" class="reveal-hint">Show hint 1 of ${ex.hints.length}</button>
<p class="hint-count muted" aria-live="polite"></p>
</section>
${files}
${checks}`,
      text: plain_text(`${ex.title} ${readme}`),
    });
  }

  pages.push({
    file: 'playground.html',
    title: 'Playground: you are the scheduler',
    kind: 'playground',
    script: 'playground',
    body: `<h1>Playground: you are the scheduler</h1>
<p>Choose a scenario (every one an exercise's checks explore, and the thread's own) and whose code runs in it: the starter or the reference solution. At each decision point choose which runnable task runs next (buttons, or the keys 1–9; <kbd>n</kbd> takes the kernel's choice, <kbd>u</kbd> undoes, <kbd>r</kbd> runs on with the kernel's choices). Each task's lane says where it is and what it is blocked on; locks with their owner words, the zone's watermarks, workqueue pools and RCU are shown as text. The schedule you make is an <code>sl1:</code> string: paste it into <code>npx shrinker-lab replay</code>, or paste one that <code>npx shrinker-lab run</code> printed here. The page's address keeps the scenario, the code and the schedule. The kernel model runs here, in your browser.</p>
<div id="playground-root"><p class="muted">Loading the kernel model…</p></div>`,
    text: 'playground scheduler step decision runnable task replay schedule string kernel model dmesg timeline locks owner word watermarks workqueue RCU challenge',
  });

  pages.push(glossary_page(lessons));

  const search = pages.map((p) => ({ url: p.file, title: p.title, text: p.text }));
  for (const t of GLOSSARY) search.push({ url: glossary_href(t), title: `Glossary: ${t.term}`, text: `${t.term} ${(t.also ?? []).join(' ')} ${definition_text(t)}` });
  return { pages, search };
}
