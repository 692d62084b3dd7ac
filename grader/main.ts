// npm run grade -- [--submission DIR] [--out DIR] [--hidden DIR] [--timeout SECONDS] [--jobs N]
//                  [--exercises 01,02] [--batch DIR] [--visibility after_due_date] [--hidden-from DATE|now]
//                  [--credit-unchanged] [--no-typecheck] [--quiet]
// npm run grade -- checksums [--write]        verify (or regenerate) grader/checksums.json
// npm run grade -- export-student DIR          write the student template
// npm run grade -- gradescope-zip [--out FILE] [--hidden DIR --hidden-from DATE|now]
// npm run grade -- check-hidden --hidden DIR    run each hidden suite once on its starter
//
// Every command's arguments are parsed strictly (node:util parseArgs): an
// unknown or misspelt option is an error (exit 2), never silently ignored
// ("--hiden DIR" must not grade without the hidden tests).
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { COURSE_ROOT, read_manifest } from '../course/files';
import { find_exercise, type course_manifest } from '../course/manifest';
import { read_starter_record } from '../course/starter_record';
import { CHECKS_TIMEOUT_S, kill_all_workers } from '../course/runner';
import { batch_lines, grade_batch } from './batch';
import { check_export_target, export_student } from './export_student';
import { failure_detail, grader_failure, shown_failure } from './failure';
import { check_starters_fail, failed_report, grade_submission, known_guards, make_limiter, prepare_base, release_base, verify_hidden, type grade_options, type grade_report, type grading_base, type visibility } from './grade';
import { build_gradescope_zip } from './gradescope_zip';
import { publish_results, summary_table } from './output';
import { write_result_file } from './safe_write';
import { strip_terminal } from './text';
import { cleanup_temps, compute_checksums, diff_checksums, read_checksums, write_checksums } from './tree';

export const USAGE = `usage:
  npm run grade -- [--submission DIR] [--out DIR] [--hidden DIR] [--timeout SECONDS] [--jobs N]
                   [--exercises 01,02] [--visibility after_due_date|hidden|after_published|visible]
                   [--hidden-from DATE|now]
                   [--credit-unchanged] [--no-typecheck] [--quiet]
  npm run grade -- --batch DIR [--out DIR] [--jobs N] [...]
  npm run grade -- checksums [--write]
  npm run grade -- export-student DIR
  npm run grade -- gradescope-zip [--out FILE] [--hidden DIR --hidden-from DATE|now]
  npm run grade -- check-hidden --hidden DIR`;

/** A command line the grader does not accept: the message, the usage, exit 2. */
export class usage_error extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'usage_error';
  }
}

type option_spec = Record<string, { type: 'string' | 'boolean' }>;

const COMMON: option_spec = { root: { type: 'string' }, help: { type: 'boolean' } };
/** The options of each command: nothing else is accepted. */
export const COMMAND_OPTIONS: Record<string, option_spec> = {
  grade: {
    ...COMMON,
    submission: { type: 'string' },
    out: { type: 'string' },
    hidden: { type: 'string' },
    timeout: { type: 'string' },
    jobs: { type: 'string' },
    exercises: { type: 'string' },
    batch: { type: 'string' },
    visibility: { type: 'string' },
    'hidden-from': { type: 'string' },
    'credit-unchanged': { type: 'boolean' },
    'no-typecheck': { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
  checksums: { ...COMMON, write: { type: 'boolean' } },
  'export-student': { ...COMMON },
  'gradescope-zip': { ...COMMON, out: { type: 'string' }, hidden: { type: 'string' }, 'hidden-from': { type: 'string' } },
  'check-hidden': { ...COMMON, hidden: { type: 'string' } },
};

export interface parsed {
  command: string;
  values: Map<string, string>;
  flags: Set<string>;
  rest: string[];
}

/** parse_args - the command and its options; throws usage_error on anything unknown or malformed. */
export function parse_args(argv: string[]): parsed {
  const command = Object.hasOwn(COMMAND_OPTIONS, argv[0] ?? '') && argv[0] !== 'grade' ? argv[0]! : 'grade';
  const args = command === 'grade' ? argv : argv.slice(1);
  let r;
  try {
    r = parseArgs({ args, options: COMMAND_OPTIONS[command]!, strict: true, allowPositionals: true });
  } catch (e) {
    throw new usage_error(`${command === 'grade' ? 'grade' : command}: ${(e as Error).message}`);
  }
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (const [k, v] of Object.entries(r.values)) {
    // `--submission "$SUB"` with SUB unset: "" resolved to the current folder, and the grader graded
    // the instructor's own checkout, with no hidden tests (red team 9 #19).
    if (typeof v === 'string' && v.trim() === '') throw new usage_error(`${command}: --${k} needs a value (got an empty one)`);
    if (typeof v === 'string') values.set(k, v);
    else if (v === true) flags.add(k);
  }
  const max_positionals = command === 'export-student' ? 1 : 0;
  if (r.positionals.length > max_positionals) throw new usage_error(`${command}: unexpected argument "${r.positionals[max_positionals]}"`);
  return { command, values, flags, rest: r.positionals };
}

/**
 * hidden_from - --hidden-from's date (ISO 8601, e.g. 2026-12-18T23:59:00Z), or null for 'now'
 * (the hidden suites run at every submission). Undefined when the option is absent.
 */
export function hidden_from(p: parsed): Date | null | undefined {
  const v = p.values.get('hidden-from');
  if (v === undefined) return undefined;
  if (v === 'now') return null;
  const t = Date.parse(v);
  // A time and its offset, always: "2026-12-18" alone is UTC midnight, hours before a due date in America (red team 9 #24).
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(t)) {
    throw new usage_error(`--hidden-from must be a date, a time and its offset, such as 2026-12-18T23:59:00Z or 2026-12-18T23:59:00-08:00, or now (got "${v}")`);
  }
  return new Date(t);
}

function options(p: parsed): grade_options {
  const num = (k: string, d: number) => {
    const v = p.values.get(k);
    if (v === undefined) return d;
    const n = Number(v);
    if (!(n > 0)) throw new usage_error(`--${k} must be a positive number (got "${v}")`);
    return n;
  };
  // A count of children: `--jobs 0.5` floored to 0 started none, and the grader ended with status 0 and no results (red team 9 #02).
  const whole = (k: string, d: number) => {
    const n = num(k, d);
    if (!Number.isInteger(n)) throw new usage_error(`--${k} must be a whole number of at least 1 (got "${p.values.get(k)}")`);
    return n;
  };
  const vis = p.values.get('visibility') ?? 'after_due_date';
  if (!['hidden', 'after_due_date', 'after_published', 'visible'].includes(vis)) throw new usage_error(`--visibility must be hidden, after_due_date, after_published or visible`);
  const submission = p.values.has('submission') ? resolve(p.values.get('submission')!) : undefined;
  // Said at once, before the minute the grader's own run takes (grader red team 12 #12: a zip given as
  // --submission ended in "an error in the grader itself" and a stack, status 0).
  if (submission !== undefined) {
    let st: ReturnType<typeof statSync> | null = null;
    try {
      st = statSync(submission);
    } catch {
      throw new usage_error(`--submission ${submission} does not exist (or cannot be read): give the folder of the student's submission`);
    }
    if (!st.isDirectory()) throw new usage_error(`--submission ${submission} is a file, not a folder: unpack it (a zip) into a folder and give that folder`);
  }
  return {
    root: resolve(p.values.get('root') ?? COURSE_ROOT),
    submission,
    hidden: p.values.has('hidden') ? resolve(p.values.get('hidden')!) : null,
    hidden_visibility: vis as visibility,
    hidden_from: hidden_from(p) ?? null,
    timeout_ms: num('timeout', CHECKS_TIMEOUT_S) * 1000,
    jobs: whole('jobs', 2),
    exercises: p.values.get('exercises')?.split(',').map((s) => s.trim()).filter(Boolean),
    typecheck: !p.flags.has('no-typecheck'),
    credit_unchanged: p.flags.has('credit-unchanged'),
  };
}

/** run_grade - grade one submission and write every result file into @out (even when grading fails). */
export async function run_grade(opts: grade_options, out: string, quiet = false): Promise<grade_report> {
  let report: grade_report;
  let manifest: course_manifest | null = null;
  let base: grading_base | null = null;
  try {
    manifest = read_manifest(opts.root);
    base = prepare_base(opts.root, opts.hidden ?? null);
    report = await grade_submission(base, opts);
  } catch (e) {
    // The student sees a fixed sentence; the error (a hidden suite's name, path or check) is the instructor's.
    // Out of what a graded report is: the starter's guards worth 0 (when the base could be prepared).
    let guards: Map<string, Set<string>> | undefined;
    if (base && manifest && !(e instanceof grader_failure && e.kind === 'starter')) {
      const wanted = opts.exercises?.length ? opts.exercises.map((q) => find_exercise(manifest!, q).id) : manifest.exercises.map((x) => x.id);
      guards = await known_guards(base, manifest.exercises.filter((x) => wanted.includes(x.id)), opts);
    } else if (manifest && e instanceof grader_failure && e.kind === 'starter') {
      // The starter at HEAD was refused: the guards are the ones the course recorded for its starter
      // (checks/<id>.starter.json), so the report is out of what a graded one is (red team 14 #02: 'Points 0/12' for 01's 8).
      guards = new Map();
      for (const x of manifest.exercises) {
        const record = read_starter_record(x, opts.root);
        if (typeof record !== 'string') guards.set(x.id, new Set(x.tests.map((t) => t.check).filter((id) => !record.starter_fails.includes(id))));
      }
    }
    report = failed_report(basename(opts.submission ?? 'submission'), shown_failure(e), manifest, failure_detail(e), opts.exercises, guards);
  } finally {
    if (base) release_base(base);
  }
  const lines = publish_results(report, out);
  if (!quiet) console.log(summary_table(report));
  for (const l of lines) console.log(l);
  // Forged or garbled result lines are the instructor's to see, in single mode too (red team 9 #04):
  // here, and on Gradescope, whose autograder output students do not see (results.json's
  // stdout_visibility). A GitHub Actions log is the student's own: not there.
  const incidents = incident_lines(report);
  for (const i of incidents) console.log(i);
  if (incidents.length) write_result_file(out, 'incidents.txt', `${incidents.join('\n')}\n`);
  const detail = failure_log(report);
  if (detail) {
    console.error(detail);
    write_result_file(out, FAILURE_LOG, `${detail}\n`);
  }
  return report;
}

/** The instructor's log of a run that could not grade, in the output folder (no result format names it). */
export const FAILURE_LOG = 'grader-error.txt';

/**
 * failure_log - why the grader could not run, for the instructor: on the terminal (stderr; on
 * Gradescope students do not see it, results.json's stdout_visibility) and in FAILURE_LOG. None in
 * GitHub Actions, whose log and workspace are the student's own (as for incident_lines).
 */
export function failure_log(r: grade_report, env: NodeJS.ProcessEnv = process.env): string | null {
  if (!r.failure_detail || env.GITHUB_ACTIONS === 'true') return null;
  return strip_terminal(`${r.error ?? 'the grader could not run'}\n${r.failure_detail}`);
}

/**
 * check_hidden - the hidden folder @hidden read (names, points files) and each suite run once on its
 * exercise's starter (grade.ts verify_hidden): 0 when every suite loads and reports exactly its
 * points file's checks, else 1 with each problem on stderr, naming the suite.
 */
export async function check_hidden(root: string, hidden: string): Promise<number> {
  install_interrupt_cleanup();
  let base: grading_base;
  try {
    base = prepare_base(root, hidden);
  } catch (e) {
    console.error(`check-hidden: ${failure_detail(e).split('\n')[0]}`);
    return 1;
  }
  try {
    let bad = 0;
    for (const r of await verify_hidden(base)) {
      const h = base.hidden.find((x) => x.exercise === r.exercise)!;
      const pts = Object.values(h.points).reduce((a, b) => a + b, 0);
      const proved = r.reference ? 'the starter and the reference' : 'the starter only (no solutions/ here to run the reference)';
      if (r.problems.length) {
        bad++;
        console.error(strip_terminal(`check-hidden: ${r.exercise}.checks.ts does not work: ${r.problems.join('; ')}`));
      } else console.log(`check-hidden: ${r.exercise}.checks.ts loads and reports its ${h.ids.length} checks (${pts} points) on ${proved}; the reference passes them all${r.reference ? '' : ' (not proved here)'}`);
    }
    return bad ? 1 : 0;
  } finally {
    release_base(base);
  }
}

/** incident_lines - the incidents of @r for the instructor, one line each; none in GitHub Actions (the student's own log and workspace). */
export function incident_lines(r: grade_report, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.GITHUB_ACTIONS === 'true') return [];
  return r.exercises.flatMap((e) => (e.incidents ?? []).map((i) => strip_terminal(`incident in ${e.id}: ${i}`)));
}

/**
 * on_interrupt - when the grader is stopped (Ctrl-C, a CI cancel, a batch
 * supervisor's SIGTERM), kill every worker group and remove every temporary
 * tree before exiting: nothing of a submission is left running or on disk.
 */
export function install_interrupt_cleanup(): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      const killed = kill_all_workers();
      const removed = cleanup_temps();
      process.stderr.write(`\ngrader stopped by ${sig}: killed ${killed} worker(s), removed ${removed} temporary folder(s)\n`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  const p = parse_args(argv);
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const root = resolve(p.values.get('root') ?? COURSE_ROOT);
  if (p.command === 'checksums') {
    if (p.flags.has('write')) {
      const c = write_checksums(root);
      console.log(`grader/checksums.json: ${Object.keys(c.files).length} files`);
      return 0;
    }
    const expected = read_checksums(root);
    if (!expected) {
      console.error('grader/checksums.json is missing. Generate it with: npm run grade -- checksums --write');
      return 1;
    }
    const d = diff_checksums(expected, compute_checksums(root));
    const bad = [...d.modified.map((f) => `modified: ${f}`), ...d.missing.map((f) => `missing:  ${f}`), ...d.added.map((f) => `new:      ${f}`)];
    if (bad.length) {
      console.error(`grader/checksums.json is stale:\n  ${bad.join('\n  ')}\nRegenerate it with: npm run grade -- checksums --write`);
      return 1;
    }
    console.log(`grader/checksums.json matches ${Object.keys(expected.files).length} files`);
    return 0;
  }
  if (p.command === 'export-student') {
    const dest = p.rest[0];
    if (!dest) throw new usage_error('export-student needs a destination folder');
    check_export_target(root, resolve(dest)); // before minutes of grading (red team 14 #06)
    // Each starter graded once, before anything is written: one that passes every check is a solution
    // committed over it, and would go to every student (grader red team 12 #09).
    console.log('export-student: grading each starter once (a few minutes): each must fail exactly the checks recorded for it');
    install_interrupt_cleanup();
    const base = prepare_base(root, null);
    try {
      await check_starters_fail(base, base.manifest.exercises, {}, make_limiter(2));
    } finally {
      release_base(base);
    }
    const r = export_student(root, resolve(dest));
    console.log(`student template written to ${r.dir} (${r.files} files)`);
    if (r.hidden_like.length) console.log(`left out, as they look like hidden suites or their points: ${r.hidden_like.join(', ')}`);
    return 0;
  }
  if (p.command === 'gradescope-zip') {
    const file = resolve(p.values.get('out') ?? 'dist/gradescope-autograder.zip');
    const hidden = p.values.has('hidden') ? resolve(p.values.get('hidden')!) : null;
    const from = hidden_from(p);
    // A choice the instructor makes knowingly: run at every submission, a run's duration can say
    // one bit about a hidden check to a student who times it (docs/instructors.md, Hidden tests).
    if (hidden && from === undefined) {
      throw new usage_error('gradescope-zip --hidden needs --hidden-from: the due date (the hidden checks run only from then; regrade after it), or now (they run at every submission, and how long a run takes can tell a student one bit about them)');
    }
    // Each starter graded once, as export-student does: one that passes a check the course's starter
    // fails (checks/<id>.starter.json) is partly solved, and would move every student's points (red team 13 #07).
    console.log('gradescope-zip: grading each starter once (a few minutes): each must fail exactly the checks recorded for it');
    install_interrupt_cleanup();
    const base = prepare_base(root, null);
    try {
      await check_starters_fail(base, base.manifest.exercises, {}, make_limiter(2));
    } finally {
      release_base(base);
    }
    const r = build_gradescope_zip(root, file, hidden, from ?? null);
    console.log(`${r.file}: ${r.files} files`);
    for (const h of r.hidden) console.log(`hidden suite: ${h}`);
    return 0;
  }
  if (p.command === 'check-hidden') {
    const hidden = p.values.get('hidden');
    if (!hidden) throw new usage_error('check-hidden needs --hidden DIR');
    return check_hidden(root, resolve(hidden));
  }
  const opts = options(p);
  const out = resolve(p.values.get('out') ?? '.grade');
  install_interrupt_cleanup();
  if (p.values.has('batch')) {
    const base = prepare_base(opts.root, opts.hidden ?? null);
    try {
      // Once for the class, before the first submission: a solved starter stops the run here, not per student.
      const wanted = opts.exercises?.length ? opts.exercises.map((q) => find_exercise(base.manifest, q).id) : base.manifest.exercises.map((e) => e.id);
      await check_starters_fail(base, base.manifest.exercises.filter((e) => wanted.includes(e.id)), opts, make_limiter(opts.jobs ?? 2));
      const b = await grade_batch(base, resolve(p.values.get('batch')!), out, opts);
      for (const line of batch_lines(b, out)) console.log(line);
    } finally {
      release_base(base);
    }
    return 0;
  }
  await run_grade(opts, out, p.flags.has('quiet'));
  return 0;
}

if (import.meta.url === new URL(`file://${process.argv[1]}`).href || process.argv[1]?.endsWith('grader/main.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(2);
    },
  );
}
