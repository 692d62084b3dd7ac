// The result formats one grading run writes, from one grade_report:
//   Gradescope results.json          (gradescope/autograder_samples docs/specs.md)
//   GitHub Classroom runner JSON     (classroom-resources/autograding-*-grader: version 1)
//   JUnit XML                        (the common Ant/Surefire shape CI systems read)
//   Exercism results.json, version 3 (exercism/docs test-runners/interface.md), one per exercise
// Nothing here reads the clock: execution times come from the report.
import type { grade_report, graded_check, graded_exercise, graded_status } from './grade';
import { message_lines, shown_name, strip_terminal } from './text';

const num = (n: number) => Math.round(n * 1000) / 1000;
/** "01" from "01-count-must-not-hide-memory". */
const short = (id: string) => id.slice(0, 2);

function integrity_text(r: grade_report): string {
  const lines: string[] = [];
  if (r.modified.length) {
    lines.push(`Modified protected files (graded with the course's own versions instead): ${r.modified.join(', ')}`);
  }
  if (r.grader_modified.length) {
    lines.push(`Warning: the grader's own files differ from grader/checksums.json: ${r.grader_modified.join(', ')}`);
  }
  return lines.join('\n');
}

/**
 * shown_exercise - @e with every string a result file shows passed through the one sanitiser
 * (grader/text.ts strip_terminal): messages, names, titles, output and incidents. Each format
 * starts from it, so no learner text (a thrown message, console output, a reader's or the type
 * check's diagnostic quoting the learner's identifiers) reaches an output with a terminal escape,
 * a bidi control or a zero-width character, whichever path put it in the report.
 */
export function shown_exercise(e: graded_exercise): graded_exercise {
  return {
    ...e,
    title: strip_terminal(e.title),
    message: strip_terminal(e.message),
    output: strip_terminal(e.output),
    checks: e.checks.map((c) => ({ ...c, id: strip_terminal(c.id), name: strip_terminal(c.name), message: strip_terminal(c.message) })),
    ...(e.incidents ? { incidents: e.incidents.map(strip_terminal) } : {}),
  };
}

/** shown_report - @r with shown_exercise() applied to every exercise and its other texts sanitised too. */
export function shown_report(r: grade_report): grade_report {
  return {
    ...r,
    exercises: r.exercises.map(shown_exercise),
    modified: r.modified.map(strip_terminal),
    grader_modified: r.grader_modified.map(strip_terminal),
    ...(r.error !== undefined ? { error: strip_terminal(r.error) } : {}),
  };
}

/** The score of the checks a student may see: hidden checks left out (their existence and points included). */
export function visible_points(e: graded_exercise): { score: number; max_score: number } {
  const shown = e.checks.filter((c) => !c.hidden);
  return { score: shown.reduce((s, c) => s + c.score, 0), max_score: shown.reduce((s, c) => s + c.max_score, 0) };
}

/**
 * visible_status - @e's status as a student may see it: for an exercise whose
 * checks ran, passed or failed by the visible checks alone. (The status
 * counting hidden checks said "failed" next to every visible check passed:
 * whether a hidden check fails, before the due date, in Gradescope's output.)
 */
export function visible_status(e: graded_exercise): graded_status {
  if (e.status !== 'passed' && e.status !== 'failed') return e.status;
  return e.checks.every((c) => c.hidden || c.status === 'passed') ? 'passed' : 'failed';
}

function exercise_line_visible(e: graded_exercise): string {
  const v = visible_points(e);
  const [first, ...rest] = e.message ? message_lines(e.message) : [];
  const why = first ? ` — ${first}` : '';
  return [`${e.id}: ${v.score}/${v.max_score} (${visible_status(e)})${why}`, ...rest.map((l) => `  ${l}`)].join('\n');
}

/**
 * summary_text - the plain-text summary used as the top-level output of
 * every format (and summary.txt, which a student sees): totals of the
 * visible checks only, so hidden checks reveal neither results nor points.
 */
export function summary_text(r0: grade_report): string {
  const r = shown_report(r0);
  const vs = r.exercises.map(visible_points);
  const head = `Shrinker Lab: ${vs.reduce((s, v) => s + v.score, 0)}/${vs.reduce((s, v) => s + v.max_score, 0)} points (visible checks; checks the starter already passes are worth 0)`;
  return strip_terminal([head, r.error ?? '', ...r.exercises.map(exercise_line_visible), integrity_text(r)].filter(Boolean).join('\n'));
}

function check_output(e: graded_exercise, c: graded_check): string {
  const msg = c.message.length > 20_000 ? `${c.message.slice(0, 20_000)}\n… (truncated)` : c.message;
  return c.status === 'passed' ? msg : msg;
}

export interface gradescope_results {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  output_format: 'text';
  /** The results' own visibility (Gradescope's top-level field): see to_gradescope. */
  visibility: string;
  stdout_visibility: 'hidden';
  tests: {
    name: string;
    number: string;
    score: number;
    max_score: number;
    status: 'passed' | 'failed';
    output: string;
    output_format: 'text';
    visibility: string;
    tags: string[];
  }[];
}

/** to_gradescope - Gradescope's results.json. */
export function to_gradescope(r0: grade_report): gradescope_results {
  const r = shown_report(r0);
  const tests: gradescope_results['tests'] = [];
  r.exercises.forEach((e, i) => {
    e.checks.forEach((c, j) => {
      tests.push({
        name: `${short(e.id)} ${e.title}: ${c.name}`,
        number: `${i + 1}.${j + 1}`,
        score: c.score,
        max_score: c.max_score,
        status: c.status,
        output: check_output(e, c),
        output_format: 'text',
        visibility: c.hidden ? r.hidden_visibility : 'visible',
        tags: [e.id, c.hidden ? 'hidden' : `task ${c.task}`],
      });
    });
  });
  if (r.modified.length) {
    tests.push({
      name: 'protected files unchanged',
      number: `${r.exercises.length + 1}.1`,
      score: 0,
      max_score: 0,
      status: 'failed',
      output: integrity_text(r),
      output_format: 'text',
      visibility: 'visible',
      tags: ['integrity'],
    });
  }
  // The top-level score counts the hidden checks' points (it is the grade), so it is released when
  // they are: Gradescope's top-level "visibility" takes the hidden checks' setting whenever some
  // carry points. Every test names its own visibility (visible checks 'visible'), and the top-level
  // "output" sums the visible checks only, so before the due date a student sees each visible check
  // and that sum, never a total that tells what the hidden checks scored (docs/instructors.md).
  const hides_points = r.exercises.some((e) => e.checks.some((c) => c.hidden && c.max_score > 0));
  return {
    score: r.score,
    max_score: r.max_score,
    execution_time: num(r.execution_time),
    output: summary_text(r),
    output_format: 'text',
    visibility: hides_points ? r.hidden_visibility : 'visible',
    stdout_visibility: 'hidden',
    tests,
  };
}

export interface classroom_results {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: {
    name: string;
    status: 'pass' | 'fail' | 'error';
    score: number;
    message: string;
    test_code: string;
    filename: string;
    line_no: number;
    duration: number;
  }[];
}

/** to_classroom - the runner JSON of GitHub Classroom's autograding actions (version 1). */
export function to_classroom(r0: grade_report): classroom_results {
  const r = shown_report(r0);
  const tests: classroom_results['tests'] = [];
  for (const e of r.exercises) {
    const errored = e.status !== 'passed' && e.status !== 'failed';
    for (const c of e.checks) {
      tests.push({
        name: `${short(e.id)} ${c.name}`,
        status: c.status === 'passed' ? 'pass' : errored ? 'error' : 'fail',
        score: c.score,
        message: c.message,
        test_code: c.hidden ? '' : `npx shrinker-lab run ${short(e.id)}`,
        filename: c.hidden ? '' : `checks/${e.id}.checks.ts`,
        line_no: 0,
        duration: 0,
      });
    }
  }
  const all_error = r.exercises.length > 0 && r.exercises.every((e) => e.status !== 'passed' && e.status !== 'failed');
  const status = all_error ? 'error' : tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
  return { version: 1, status, max_score: r.max_score, tests };
}

/** The line GitHub Classroom's reporter prints and reads: "Points X/Y". */
export function points_line(r: grade_report): string {
  return `Points ${r.score}/${r.max_score}`;
}

/** classroom_output_line - `result=<base64 JSON>` for $GITHUB_OUTPUT. */
export function classroom_output_line(r: grade_report): string {
  return `result=${Buffer.from(JSON.stringify(to_classroom(r))).toString('base64')}\n`;
}

const xml_escape = (s: string) =>
  strip_terminal(s)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/**
 * to_junit - JUnit XML valid against the Jenkins xunit schema: one testsuite
 * per exercise, one testcase per check. Points go in the testsuite's
 * <properties> ("points:<check>" = "score/max"): the schema allows no
 * properties inside a testcase.
 */
export function to_junit(r0: grade_report): string {
  const r = shown_report(r0);
  const suites = r.exercises.map((e) => {
    const errored = e.status !== 'passed' && e.status !== 'failed';
    const failures = errored ? 0 : e.checks.filter((c) => c.status === 'failed').length;
    const errors = errored ? e.checks.filter((c) => c.status === 'failed').length : 0;
    const props = e.checks.length
      ? `    <properties>\n${e.checks.map((c) => `      <property name="points:${xml_escape(c.id)}" value="${c.score}/${c.max_score}"/>\n`).join('')}    </properties>\n`
      : '';
    const cases = e.checks.map((c) => {
      const body = c.status === 'passed' ? '' : errored
        ? `      <error message="${xml_escape(`${e.status}: ${c.message.split('\n')[0] ?? ''}`)}" type="${e.status}">${xml_escape(c.message)}</error>\n`
        : `      <failure message="${xml_escape(c.message.split('\n')[0] ?? '')}" type="check_failed">${xml_escape(c.message)}</failure>\n`;
      return `    <testcase classname="${xml_escape(e.id)}" name="${xml_escape(c.name)}" time="0">\n${body}    </testcase>\n`;
    });
    const out = e.output ? `    <system-out>${xml_escape(e.output.slice(0, 4000))}</system-out>\n` : '';
    return `  <testsuite name="${xml_escape(e.id)}" tests="${e.checks.length}" failures="${failures}" errors="${errors}" skipped="0" time="${num(e.ms / 1000)}">\n${props}${cases.join('')}${out}  </testsuite>\n`;
  });
  const tests = r.exercises.reduce((s, e) => s + e.checks.length, 0);
  const failures = r.exercises.reduce((s, e) => s + (e.status === 'passed' || e.status === 'failed' ? e.checks.filter((c) => c.status === 'failed').length : 0), 0);
  const errors = r.exercises.reduce((s, e) => s + (e.status !== 'passed' && e.status !== 'failed' ? e.checks.length : 0), 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="shrinker-lab ${xml_escape(shown_name(r.submission))}" tests="${tests}" failures="${failures}" errors="${errors}" time="${num(r.execution_time)}">\n${suites.join('')}</testsuites>\n`;
}

export interface exercism_results {
  version: 3;
  status: 'pass' | 'fail' | 'error';
  message: string | null;
  tests: {
    name: string;
    status: 'pass' | 'fail' | 'error';
    message: string | null;
    output: string | null;
    test_code: string;
    task_id?: number;
  }[];
}

/** Exercism caps a test's output at 500 characters, with a notice. */
function cap_output(s: string): string | null {
  if (!s) return null;
  return s.length > 500 ? `${s.slice(0, 450)}\n… (output truncated at 500 characters)`.slice(0, 500) : s;
}

/** to_exercism - Exercism's results.json (version 3) for one exercise; hidden checks are left out. */
export function to_exercism(e0: graded_exercise): exercism_results {
  const e = shown_exercise(e0);
  const errored = e.status !== 'passed' && e.status !== 'failed';
  const visible = e.checks.filter((c) => !c.hidden);
  const tests: exercism_results['tests'] = errored
    ? []
    : visible.map((c) => ({
        name: c.name,
        status: c.status === 'passed' ? 'pass' : 'fail',
        message: c.status === 'passed' ? null : c.message.slice(0, 65_535),
        output: cap_output(e.output),
        test_code: `check "${c.id}" in checks/${e.id}.checks.ts (run it: npx shrinker-lab run ${short(e.id)})`,
        ...(c.task !== null ? { task_id: c.task } : {}),
      }));
  if (errored) return { version: 3, status: 'error', message: (e.message || e.status).slice(0, 65_535), tests };
  return { version: 3, status: tests.every((t) => t.status === 'pass') ? 'pass' : 'fail', message: null, tests };
}
