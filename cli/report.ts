// How a verdict reads in the terminal: each check with PASS/FAIL, then the
// first failure in full (what the kernel did, the minimised schedule, the
// dmesg tail: the check's own message), and the other failures by name.
// "Does not compile", "timed out" and "crashed" are states of their own,
// not a wall of failing checks.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { match_known_wrong, type known_wrong_answer } from '../course/known_wrong';
import { exercise_points, type manifest_exercise } from '../course/manifest';
import type { exercise_run } from '../course/outcome';
import { KEY_LOG_LINE } from '../explorer/render';
import { place_your_frames, your_return_line } from './return_site';
import { is_untouched } from './starters';
import type { learner_status } from './state';
import { bold, cyan, dim, file_link, fit, green, indent, red, seconds, term_columns, visible_width, yellow } from './term';

/** The learner's word for a status. */
export function status_word(s: learner_status): string {
  switch (s) {
    case 'passed':
      return 'done';
    case 'failed':
      return 'failing';
    case 'compile_error':
      return 'not compiling';
    case 'timeout':
      return 'timed out';
    case 'crashed':
      return 'crashed';
    case 'not_started':
      return 'not started';
  }
}

/** status_label - the status word, coloured (the word is always there). */
export function status_label(s: learner_status): string {
  const w = status_word(s);
  if (s === 'passed') return green(w);
  if (s === 'not_started') return dim(w);
  if (s === 'failed') return red(w);
  return yellow(w);
}

/** The line of the first TODO in the learner's file, for a clickable "file:line". */
export function todo_line(path: string): number | null {
  if (!existsSync(path)) return null;
  const i = readFileSync(path, 'utf8').split('\n').findIndex((l) => /\bTODO\b/.test(l));
  return i >= 0 ? i + 1 : null;
}

/**
 * exercise_header - title, the files to edit and the lesson (paths relative to
 * the current folder, at the TODO's line, so terminals make them clickable;
 * OSC 8 links on terminals that take them). @welcome adds the first-run line.
 */
export function exercise_header(root: string, e: manifest_exercise, opts: { welcome?: boolean } = {}): string {
  const rel = (p: string) => relative(process.cwd(), join(root, p)) || '.';
  const texts = e.files.map((f) => {
    const p = join('exercises', e.id, f);
    const line = todo_line(join(root, p));
    return { text: `${rel(p)}${line ? `:${line}` : ''}`, path: join(root, p), line };
  });
  const files = texts.map((t) => file_link(t.text, t.path, t.line));
  // A path too long for "  edit:   " on the screen goes on a line of its own, whole: cut, it could not be clicked or copied.
  const long = texts.some((t) => '  edit:   '.length + visible_width(t.text) > term_columns());
  return [
    ...(opts.welcome ? [`Welcome! New here? Read ${file_link(rel(WELCOME_LESSON), join(root, WELCOME_LESSON))} first: the model, the loop, the thread.`] : []),
    `${bold(`Exercise ${e.id}`)}: ${fit(e.title, term_columns() - `Exercise ${e.id}: `.length)}`,
    long ? `  edit:\n${files.join('\n')}` : `  edit:   ${files.join('\n          ')}`,
    `  lesson: ${file_link(rel(e.lesson), join(root, e.lesson))}`,
  ].join('\n');
}

/** The lesson a newcomer reads before exercise 01 (the README says so too). */
export const WELCOME_LESSON = 'lessons/00-introduction.md';

/** score - points earned by @run's passing checks, out of the exercise's total. */
export function score(e: manifest_exercise, run: exercise_run): string {
  const passed = new Set(run.results.filter((r) => r.status === 'passed').map((r) => r.id));
  const got = e.tests.filter((t) => passed.has(t.check)).reduce((s, t) => s + t.points, 0);
  return `${got}/${exercise_points(e)} points`;
}

/** The first sentence of a reviewer's note, for a list of several. */
function first_sentence(text: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(text);
  return m ? m[1]! : text;
}

/** Lines of the learner's own output shown under a verdict (the full report shows them all). */
const OUTPUT_LINES = 20;
const OUTPUT_LINES_FIRST_SCREEN = 3;
/** Lines of the first failure's message on the first screen. */
const EXCERPT_LINES = 5;
/** The fewest lines a first screen's failure excerpt keeps (its first line; the learner's own line is kept besides). */
const EXCERPT_LINES_MIN = 1;


/**
 * your_code_line - the innermost line of a Call Trace in the learner's file,
 * as "your code: file:line in fn" (the file:line first: on an 80-column
 * screen it is what must not be cut), or null when the trace has none.
 */
function your_code_line(lines: readonly string[]): string | null {
  const mine = lines.find((l) => /\) {3}<- your code$/.test(l));
  const at = mine ? /^\s*(.+?) \((\S+:\d+)\)/.exec(mine) : null;
  return at ? `your code: ${at[2]} in ${at[1]}` : null;
}

/** A Call Trace frame in the learner's file. */
const IN_YOUR_FILE = /\(exercises\/\S+:\d+\) {3}<- your code$/m;

/**
 * your_code_shown - a "your code: exercises/NN-…/file.ts:24 in fn" line in
 * @width columns: the file:line must survive the cut, so the exercise's
 * folder (the "edit:" line above names it) goes first; a link to the file
 * where the terminal takes links and @root is known.
 */
function your_code_shown(e: manifest_exercise, line: string, width: number, root: string | undefined): string {
  const m = /^your code: (\S+?):(\d+)(.*)$/.exec(line);
  if (!m || width === Infinity) return line;
  const [, path, at, rest] = m as unknown as [string, string, string, string];
  const short = visible_width(line) > width ? path.replace(`exercises/${e.id}/`, '') : path;
  const text = fit(`${short}:${at}${rest}`, width - 'your code: '.length);
  const where = text.startsWith(`${short}:${at}`) ? `${short}:${at}` : null;
  return `your code: ${where && root ? file_link(where, join(root, path), Number(at)) + text.slice(where.length) : text}`;
}

/**
 * failure_excerpt - the part of a check's message that fits the first screen:
 * its opening paragraph, the report's key kernel lines, and any other
 * paragraph's first line; not the schedule (the "Full trace" line replays
 * it) or the trace tail. @hidden counts the lines left out.
 */
export function failure_excerpt(message: string, max_lines: number, locate?: (message: string) => string | null): { lines: string[]; hidden: number } {
  const paragraphs = message.split(/\n\s*\n/).map((p) => p.split('\n').filter((l) => l.trim() !== ''));
  const total = paragraphs.reduce((n, p) => n + p.length, 0);
  const picked: string[] = [];
  paragraphs.forEach((p, i) => {
    const head = p[0]?.trim() ?? '';
    // The explorer's coverage line ("found with N preemptions...") is for the full report.
    if (i === 0) picked.push(...p.filter((l) => !/^\s*found with /.test(l)).slice(0, 3));
    else if (/^(The schedule, as departures|Replay it:|End of the trace|The trace where your code ran|Your code never ran)/.test(head)) return;
    else if (/^Your code's first traced call|^The kernel's first call into your code/.test(head)) {
      // course/explain.ts: the call trace of the learner's first call into the kernel, or of the kernel's call into it.
      const at = your_code_line(p);
      if (at) picked.push(at);
    }
    else if (head === 'The kernel said:') {
      const key = p.slice(1).filter((l) => KEY_LOG_LINE.test(l));
      const body = (key.length ? key : p.slice(1)).slice(0, 2).map((l) => l.replace(/^\s*\[\s*[\d.]+\]\s*/, ''));
      picked.push(...body.map((l) => `kernel: ${l}`));
      const at = your_code_line(p);
      if (at) picked.push(at);
    } else if (p.length > 1 && head.endsWith(':')) picked.push(`${head} ${p[1]!.trim()}`); // a heading alone ("Other failures found:") says nothing
    else picked.push(p[0]!.trimStart());
  });
  // No Call Trace reaches the learner's file (no traced call into the kernel): the return that gave the wrong value (cli/return_site.ts).
  if (locate && !picked.some((l) => l.startsWith('your code: '))) {
    const at = locate(message);
    if (at) picked.splice(Math.min(1, picked.length), 0, at);
  }
  const lines = picked.slice(0, max_lines);
  // The learner's own line is the one a cut must keep: it leads from the failure to the code.
  const yours = picked.find((l) => l.startsWith('your code: '));
  if (yours && !lines.includes(yours)) {
    if (lines.length > 1) lines[lines.length - 1] = yours;
    else lines.push(yours);
  }
  return { lines, hidden: Math.max(0, total - lines.length) };
}

export interface render_options {
  /** Show every failure, not only the first. */
  all?: boolean;
  /** Show each failure's whole message (dmesg, schedule, trace) instead of the first screen's excerpt. */
  full?: boolean;
  /** The command that shows the whole report, named under an excerpt (e.g. "npx shrinker-lab run 01 --full"). */
  full_hint?: string;
  /** Lines the first failure's excerpt may take at most (EXCERPT_LINES). */
  excerpt_lines?: number;
  /** Rows the first screen's verdict may take (VERDICT_ROWS): the parts that matter least give way first. */
  max_rows?: number;
  /** What the learner's code printed. */
  output?: string;
  /** Known wrong answers (decoys) whose verdict this run reproduces: their reviewer's notes are shown. */
  known_wrong?: readonly { name: string; why: string }[];
  /** The starter's own story (manifest starter_story), shown instead of known wrong answers while the files are the starter's. */
  starter_story?: string | null;
  /** The course's root: the learner's files are read to name the return that gave a wrong value (cli/return_site.ts). */
  root?: string;
}

/**
 * verdict_notes - what a failing verdict is told beside its checks. While
 * the learner's files are the starter's (cli/starters.ts is_untouched), the
 * starter's own story, the bug as shipped: the decoys that fail the same way
 * are mistakes the learner has not made, and listed there they read as a list
 * of answers. Once the files differ, the known wrong answers whose verdict
 * this one reproduces (course/known_wrong.ts).
 */
export function verdict_notes(root: string, e: manifest_exercise, run: exercise_run): { known_wrong: known_wrong_answer[]; starter_story: string | null } {
  if (is_untouched(root, e)) return { known_wrong: [], starter_story: e.starter_story ?? null };
  return { known_wrong: match_known_wrong(e, run.results, root), starter_story: null };
}

/** @text in lines of at most @width columns, cut at spaces; past @max_lines the last kept line ends in "…". */
function wrap(text: string, width: number, max_lines = Infinity): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && visible_width(`${line} ${word}`) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  if (lines.length <= max_lines) return lines;
  const kept = lines.slice(0, max_lines);
  kept[max_lines - 1] = fit(`${kept[max_lines - 1]!} ${lines[max_lines]!}`, width);
  if (!kept[max_lines - 1]!.endsWith('…')) kept[max_lines - 1] = fit(`${kept[max_lines - 1]!}…`, width);
  return kept;
}

/** Lines the starter's story may take on the first screen (--full shows it whole). */
const STORY_LINES = 2;

/**
 * Rows a verdict may take on the first screen when the caller does not say:
 * an 80x24 terminal less the exercise's header (3 rows), the blank row under
 * it and the watch loop's progress and keys rows.
 */
export const VERDICT_ROWS = 24 - 3 - 1 - 2;

/** rows_of - rows @text takes on a terminal @width columns wide (long lines wrap). */
export function rows_of(text: string, width = term_columns()): number {
  return text.split('\n').reduce((n, l) => n + Math.max(1, Math.ceil(visible_width(l) / width)), 0);
}

/**
 * How much of each part a first screen shows. The shapes run from the most
 * generous to the most compact, each giving up what a learner misses least
 * (their program's output, a second similar wrong answer, lines of the
 * failure past its first, the story's second line, passing checks one by
 * one); the first that fits the rows is shown. What no shape gives up: the
 * verdict, every failing check, the first failure's name and first line, the
 * learner's own line ("your code: file:line"), and how to see the rest.
 */
interface shape {
  excerpt: number;
  known: number;
  story: number;
  /** Lines of the learner's output; 0 keeps a one-line "Your code printed N lines". */
  output: number;
  /** List passing checks one by one, or as one "PASS N other checks" row. */
  each_pass: boolean;
  /** List failing checks one by one, or the first and "FAIL N more checks" (all of them fail on few screens). */
  each_fail: boolean;
  /** "… N more lines" and "(N more failing)" as one row. */
  one_tail: boolean;
  /** Lines of a compile error's diagnostics, or of a timed out or crashed run's message. */
  message: number;
}

function* shapes(excerpt: number): Generator<shape> {
  const s: shape = { excerpt, known: 2, story: STORY_LINES, output: OUTPUT_LINES_FIRST_SCREEN, each_pass: true, each_fail: true, one_tail: false, message: 12 };
  yield { ...s };
  s.output = 1;
  yield { ...s };
  s.known = 1;
  yield { ...s };
  for (; s.excerpt > 2; s.excerpt--) yield { ...s, excerpt: s.excerpt - 1 };
  s.excerpt = Math.min(s.excerpt, 2);
  s.story = 1;
  yield { ...s };
  s.output = 0;
  yield { ...s };
  s.one_tail = true;
  yield { ...s };
  s.each_pass = false;
  yield { ...s };
  s.excerpt = EXCERPT_LINES_MIN;
  yield { ...s };
  s.each_fail = false;
  yield { ...s };
  for (const m of [6, 3, 1]) yield { ...s, message: m };
}

/** render_run - the verdict of @run for the terminal: whole with @opts.full or @opts.all, else the first screen's, in @opts.max_rows rows (VERDICT_ROWS). */
export function render_run(e: manifest_exercise, run: exercise_run, opts: render_options = {}): string {
  if (opts.full || opts.all) return render_shaped(e, run, opts, { excerpt: opts.excerpt_lines ?? EXCERPT_LINES, known: 5, story: Infinity, output: OUTPUT_LINES, each_pass: true, each_fail: true, one_tail: false, message: Infinity }).join('\n');
  const rows = opts.max_rows ?? VERDICT_ROWS;
  const width = term_columns();
  let text = '';
  for (const s of shapes(opts.excerpt_lines ?? EXCERPT_LINES)) {
    text = render_shaped(e, run, opts, s).join('\n');
    if (rows_of(text, width) <= rows) break;
  }
  return text;
}

/** @lines, at most @max of them, the last saying how many more a full report shows. */
function at_most(lines: readonly string[], max: number, hint: string): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, Math.max(0, max - 1)), dim(`  … ${lines.length - Math.max(0, max - 1)} more lines: ${hint}`)];
}

function render_shaped(e: manifest_exercise, run: exercise_run, opts: render_options, s: shape): string[] {
  const out: string[] = [];
  const took = dim(`(checked in ${seconds(run.ms)})`);
  const hint = opts.full_hint ?? `npx shrinker-lab run ${e.id.slice(0, 2)} --full`;
  // The full report may be read in a log; the first screen must fit a terminal (80x24 at least).
  const w = opts.full ? Infinity : term_columns();
  const cut = (text: string, by: number) => (w === Infinity ? text : fit(text, w - by));
  switch (run.status) {
    case 'compile_error': {
      // The course's own rules (SL-IMPORT: the allowlist, SL-STATE: state kept between calls) are not compiler errors.
      const rules = run.diagnostics.length > 0 && run.diagnostics.every((d) => d.code.startsWith('SL-'));
      out.push(`${yellow(rules ? 'NOT ACCEPTED' : 'DOES NOT COMPILE')} ${took}`);
      const lines = run.diagnostics.length
        ? run.diagnostics.flatMap((d) => `  ${d.file}:${d.line}:${d.column} - error ${d.code}: ${indent(d.message, '      ').trimStart()}`.split('\n'))
        : indent(run.message.replace(/^does not compile:\s*/, ''), '  ').split('\n');
      out.push(...at_most(lines, s.message, hint));
      out.push('', rules ? "Fix the above first: the checks run once the file keeps the exercise's rules." : 'Fix the error above first: the checks run once the file compiles.');
      break;
    }
    case 'timeout':
      out.push(`${yellow('TIMED OUT')} ${took}`, ...at_most(indent(run.message, '  ').split('\n'), s.message, hint));
      out.push('', 'Your code never let the checks finish. A loop that waits for something must sleep (await a schedule point) or give up.');
      break;
    case 'crashed':
      out.push(`${yellow('CRASHED')} ${took}`, ...at_most(indent(run.message, '  ').split('\n'), s.message, hint));
      break;
    case 'passed':
    case 'failed': {
      const failed = run.results.filter((r) => r.status === 'failed');
      const head = run.status === 'passed' ? green(`ALL ${run.results.length} CHECKS PASS`) : red(`${failed.length} OF ${run.results.length} CHECKS FAIL`);
      out.push(`${head}  ${score(e, run)} ${took}`);
      const passing = run.results.filter((r) => r.status === 'passed').length;
      for (const r of run.results) {
        if (r.status === 'passed' && !s.each_pass && passing > 1) continue;
        if (r.status === 'failed' && !s.each_fail && failed.length > 2 && r !== failed[0]) continue;
        out.push(`  ${r.status === 'passed' ? green('PASS') : red('FAIL')}  ${cut(r.name, 8)}`);
      }
      if (!s.each_fail && failed.length > 2) out.push(`  ${red('FAIL')}  ${failed.length - 1} more checks (all of them: npx shrinker-lab run ${e.id.slice(0, 2)} --all)`);
      if (!s.each_pass && passing > 1) out.push(`  ${green('PASS')}  ${passing} other checks (all of them: ${hint})`);
      const shown = opts.all ? failed : failed.slice(0, 1);
      let tail: string | null = null;
      for (const f of shown) {
        const label = shown.length > 1 || opts.all ? 'Failure' : 'First failure';
        out.push('', `${bold(label)}: ${cut(f.name, label.length + 2)}`);
        const root = opts.root;
        // The learner's frame the realm could not place gets the line of its return (cli/return_site.ts).
        const message = root ? place_your_frames(root, e, f.message) : f.message;
        if (opts.full) {
          out.push(indent(message, '  '));
          // No Call Trace of this report reaches the learner's file: name the return that gave the wrong value, as the first screen does.
          const placed = IN_YOUR_FILE.test(message) ? null : root ? your_return_line(root, e, message) : null;
          if (placed) out.push('', `  ${placed}`);
          continue;
        }
        const ex = failure_excerpt(message, s.excerpt, root ? (m) => your_return_line(root, e, m) : undefined);
        out.push(...ex.lines.map((l) => (l.startsWith('your code: ') ? `  ${your_code_shown(e, l, w - 2, root)}` : `  ${cut(l, 2)}`)));
        if (ex.hidden > 0) tail = `… ${ex.hidden} more lines`;
      }
      const more_failing = !opts.all && failed.length > 1 ? failed.length - 1 : 0;
      if (s.one_tail && (tail || more_failing)) {
        out.push(dim(cut(`  ${[tail, more_failing ? `${more_failing} more failing` : null].filter(Boolean).join(', ')}: ${more_failing ? `npx shrinker-lab run ${e.id.slice(0, 2)} --all` : hint}`, 0)));
      } else {
        if (tail) out.push(dim(`  ${tail}: ${hint}`));
        if (more_failing) out.push(dim(`(${more_failing} more failing; fix the first one, or see all: npx shrinker-lab run ${e.id.slice(0, 2)} --all)`));
      }
      const like = opts.starter_story ? [] : (opts.known_wrong ?? []);
      if (opts.starter_story) {
        // The unmodified starter: what it does wrong as shipped, which the lesson and the failure above explain.
        const lead = 'The starter, as shipped:';
        const text = wrap(`${lead} ${opts.starter_story}`, w === Infinity ? 100 : w, opts.full ? Infinity : s.story);
        out.push(bold(lead) + text[0]!.slice(lead.length), ...text.slice(1));
      } else if (like.length === 1 && opts.full) {
        out.push('', bold('A known wrong answer fails exactly this way.') + dim(' What a reviewer said about it (it may not be what you did):'));
        out.push(indent(`“${like[0]!.name}”: ${like[0]!.why}`, '  '));
      } else if (like.length === 1 || (like.length > 1 && s.known === 1 && !opts.full)) {
        const lead = like.length === 1 ? 'A known wrong answer fails this way:' : `${like.length} known wrong answers fail this way, e.g.`;
        out.push(`${bold(lead)} ${cut(`“${like[0]!.name}”: ${first_sentence(like[0]!.why)}`, lead.length + 1)}`);
      } else if (like.length > 1) {
        // Several mistakes look alike to these checks: name each by what it tried (the note's first sentence).
        out.push(bold(`${like.length} known wrong answers fail exactly this way`) + dim(' (yours may be one of them, or none):'));
        for (const k of like.slice(0, opts.full ? 5 : s.known)) out.push(`  ${cut(`“${k.name}”: ${first_sentence(k.why)}`, 2)}`);
      }
      // The trace of the failure shown above, never another check's (issue #13: the link could belong to a later failure).
      const replay = failed[0] ? /Replay it: (sl1:\S+)/.exec(failed[0].message)?.[1] : undefined;
      if (replay) out.push(`${cyan('Full trace:')} npx shrinker-lab replay ${replay}`);
      break;
    }
  }
  if (opts.output && opts.output.trim()) {
    const lines = opts.output.trimEnd().split('\n');
    const shown = lines.slice(0, s.output);
    if (shown.length === 0) out.push('', dim(`Your code printed ${lines.length} line${lines.length === 1 ? '' : 's'} (${hint}).`));
    else {
      out.push('', dim('Your code printed:'), ...shown.map((l) => `  | ${w === Infinity ? l : fit(l, w - 4)}`));
      if (lines.length > shown.length) out.push(dim(`  ... (${lines.length - shown.length} more lines)`));
    }
  }
  return out;
}
