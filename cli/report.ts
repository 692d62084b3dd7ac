// How a verdict reads in the terminal: each check with PASS/FAIL, then the
// first failure in full (what the kernel did, the minimised schedule, the
// dmesg tail: the check's own message), and the other failures by name.
// "Does not compile", "timed out" and "crashed" are states of their own,
// not a wall of failing checks.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { exercise_points, type manifest_exercise } from '../course/manifest';
import type { exercise_run } from '../course/outcome';
import type { learner_status } from './state';
import { bold, cyan, dim, green, indent, red, seconds, yellow } from './term';

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

/** exercise_header - title, lesson and the files to edit (paths relative to the current folder, so terminals make them clickable). */
export function exercise_header(root: string, e: manifest_exercise): string {
  const rel = (p: string) => relative(process.cwd(), join(root, p)) || '.';
  const files = e.files.map((f) => {
    const p = join('exercises', e.id, f);
    const line = todo_line(join(root, p));
    return `${rel(p)}${line ? `:${line}` : ''}`;
  });
  return [
    `${bold(`Exercise ${e.id}`)}: ${e.title}`,
    `  lesson: ${rel(e.lesson)}`,
    `  edit:   ${files.join('\n          ')}`,
  ].join('\n');
}

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

/** Lines of the learner's own output shown under a verdict. */
const OUTPUT_LINES = 20;

export interface render_options {
  /** Show every failure's message, not only the first. */
  all?: boolean;
  /** What the learner's code printed. */
  output?: string;
  /** Known wrong answers (decoys) whose verdict this run reproduces: their reviewer's notes are shown. */
  known_wrong?: readonly { name: string; why: string }[];
}

/** render_run - the verdict of @run for the terminal. */
export function render_run(e: manifest_exercise, run: exercise_run, opts: render_options = {}): string {
  const out: string[] = [];
  const took = dim(`(checked in ${seconds(run.ms)})`);
  switch (run.status) {
    case 'compile_error': {
      out.push(`${yellow('DOES NOT COMPILE')} ${took}`);
      if (run.diagnostics.length) {
        for (const d of run.diagnostics) out.push(`  ${d.file}:${d.line}:${d.column} - error ${d.code}: ${indent(d.message, '      ').trimStart()}`);
      } else out.push(indent(run.message.replace(/^does not compile:\s*/, ''), '  '));
      out.push('', 'Fix the error above first: the checks run once the file compiles.');
      break;
    }
    case 'timeout':
      out.push(`${yellow('TIMED OUT')} ${took}`, indent(run.message, '  '));
      out.push('', 'Your code never let the checks finish. A loop that waits for something must sleep (await a schedule point) or give up.');
      break;
    case 'crashed':
      out.push(`${yellow('CRASHED')} ${took}`, indent(run.message, '  '));
      break;
    case 'passed':
    case 'failed': {
      const failed = run.results.filter((r) => r.status === 'failed');
      const head = run.status === 'passed' ? green(`ALL ${run.results.length} CHECKS PASS`) : red(`${failed.length} OF ${run.results.length} CHECKS FAIL`);
      out.push(`${head}  ${score(e, run)} ${took}`);
      for (const r of run.results) out.push(`  ${r.status === 'passed' ? green('PASS') : red('FAIL')}  ${r.name}`);
      const shown = opts.all ? failed : failed.slice(0, 1);
      for (const f of shown) {
        out.push('', `${bold(shown.length > 1 || opts.all ? 'Failure' : 'First failure')}: ${f.name}`, indent(f.message, '  '));
      }
      if (!opts.all && failed.length > 1) out.push('', dim(`(${failed.length - 1} more failing; fix the first one, or see all with: npx shrinker-lab run ${e.id.slice(0, 2)} --all)`));
      const like = opts.known_wrong ?? [];
      if (like.length === 1) {
        out.push('', bold('A known wrong answer fails exactly this way.') + dim(' What a reviewer said about it (it may not be what you did):'));
        out.push(indent(`“${like[0]!.name}”: ${like[0]!.why}`, '  '));
      } else if (like.length > 1) {
        // Several mistakes look alike to these checks: name each by what it tried (the note's first sentence).
        out.push('', bold(`${like.length} known wrong answers fail exactly this way`) + dim(' (yours may be one of them, or none):'));
        for (const k of like.slice(0, 5)) out.push(indent(`“${k.name}”: ${first_sentence(k.why)}`, '  '));
      }
      const replay = failed.map((f) => /Replay it: (sl1:\S+)/.exec(f.message)?.[1]).find(Boolean);
      if (replay) out.push('', `${cyan('Full trace:')} npx shrinker-lab replay ${replay}`);
      break;
    }
  }
  if (opts.output && opts.output.trim()) {
    const lines = opts.output.trimEnd().split('\n');
    const shown = lines.slice(0, OUTPUT_LINES);
    out.push('', dim('Your code printed:'), indent(shown.join('\n'), '  | '));
    if (lines.length > OUTPUT_LINES) out.push(dim(`  ... (${lines.length - OUTPUT_LINES} more lines)`));
  }
  return out.join('\n');
}
