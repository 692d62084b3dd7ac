// Writing one run's results: every format into the output folder, the
// GitHub Actions outputs, and the terminal summary table.
import { appendFileSync } from 'node:fs';
import type { grade_report } from './grade';
import { write_result_file } from './safe_write';
import { message_lines, strip_terminal } from './text';
import { classroom_output_line, points_line, summary_text, to_classroom, to_exercism, to_gradescope, to_junit, visible_status } from './formats';

/** The files written into the output folder, relative to it. */
export const RESULT_FILES = {
  gradescope: 'results.json',
  classroom: 'classroom.json',
  junit: 'junit.xml',
  summary: 'summary.txt',
  exercism: (id: string) => `exercism/${id}/results.json`,
} as const;

/**
 * write_results - write every format of @r into @out, or into its subfolder
 * @under (class mode): no link below @out is followed (grader/safe_write.ts).
 */
export function write_results(r: grade_report, out: string, under = ''): void {
  const put = (rel: string, text: string) => write_result_file(out, under ? `${under}/${rel}` : rel, text);
  put(RESULT_FILES.gradescope, `${JSON.stringify(to_gradescope(r), null, 2)}\n`);
  put(RESULT_FILES.classroom, `${JSON.stringify(to_classroom(r), null, 2)}\n`);
  put(RESULT_FILES.junit, to_junit(r));
  put(RESULT_FILES.summary, `${summary_text(r)}\n`);
  for (const e of r.exercises) put(RESULT_FILES.exercism(e.id), `${JSON.stringify(to_exercism(e), null, 2)}\n`);
}

/** github_outputs - in GitHub Actions: the base64 runner result in $GITHUB_OUTPUT and the Classroom notices. */
export function github_outputs(r: grade_report, env: NodeJS.ProcessEnv = process.env): string[] {
  const lines: string[] = [];
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, classroom_output_line(r));
  if (env.GITHUB_ACTIONS === 'true') {
    lines.push(`::notice title=Autograding complete::${points_line(r)}`);
    lines.push(`::notice title=Autograding report::${JSON.stringify({ totalPoints: r.score, maxPoints: r.max_score })}`);
  }
  return lines;
}

/**
 * publish_results - write @r's result files into @out and return the lines
 * for the terminal after the table (GitHub notices, "Points X/Y"). A GitHub
 * Actions run is the student's own: its log, its outputs and its workspace
 * are theirs to read, so there nothing of a hidden check is written, not
 * even a total that includes it. The terminal gets the student's view
 * everywhere; the instructor's totals are in the result files.
 */
export function publish_results(r: grade_report, out: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const student_view = without_hidden(r);
  write_results(env.GITHUB_ACTIONS === 'true' ? student_view : r, out);
  return [...github_outputs(student_view, env), points_line(student_view)];
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/**
 * summary_table - the terminal table: one row per exercise, one per check
 * under it. The terminal may be a student's (a GitHub Actions log): hidden
 * checks, their points and totals appear only with @opts.hidden (the
 * instructor's own run). Terminal escapes from learner text are removed.
 */
export function summary_table(r0: grade_report, opts: { hidden?: boolean } = {}): string {
  const r = opts.hidden ? r0 : without_hidden(r0);
  const w = Math.max(8, ...r.exercises.map((e) => e.id.length));
  const rows = r.error ? [r.error] : [];
  rows.push(`${pad('exercise', w)}  ${pad('status', 13)}  ${lpad('points', 7)}`, `${'-'.repeat(w)}  ${'-'.repeat(13)}  ${'-'.repeat(7)}`);
  for (const e of r.exercises) {
    rows.push(`${pad(e.id, w)}  ${pad(e.status, 13)}  ${lpad(`${e.score}/${e.max_score}`, 7)}`);
    if (e.message) for (const l of message_lines(e.message)) rows.push(`    ${l}`);
    for (const c of e.checks) rows.push(`    ${c.status === 'passed' ? 'PASS' : 'FAIL'} ${lpad(`${c.score}/${c.max_score}`, 5)}  ${c.hidden ? '(hidden) ' : ''}${c.name}`);
  }
  rows.push(`${'-'.repeat(w)}  ${'-'.repeat(13)}  ${'-'.repeat(7)}`);
  rows.push(`${pad('total', w)}  ${pad('', 13)}  ${lpad(`${r.score}/${r.max_score}`, 7)}`);
  if (r.modified.length) rows.push(`Modified protected files (graded with the course's versions): ${r.modified.join(', ')}`);
  if (r.grader_modified.length) rows.push(`Warning: grader files differ from grader/checksums.json: ${r.grader_modified.join(', ')}`);
  if (opts.hidden) for (const e of r.exercises) for (const i of e.incidents ?? []) rows.push(`Incident (${e.id}): ${i}`);
  return strip_terminal(rows.join('\n'));
}

/** @r as a student may see it: hidden checks removed, totals recomputed. */
export function without_hidden(r: grade_report): grade_report {
  const exercises = r.exercises.map((e) => {
    const checks = e.checks.filter((c) => !c.hidden);
    return { ...e, status: visible_status(e), checks, score: checks.reduce((s, c) => s + c.score, 0), max_score: checks.reduce((s, c) => s + c.max_score, 0) };
  });
  return { ...r, exercises, score: exercises.reduce((s, e) => s + e.score, 0), max_score: exercises.reduce((s, e) => s + e.max_score, 0) };
}
