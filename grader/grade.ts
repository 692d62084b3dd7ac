// Grading one submission: build a grading tree from the grader's own course,
// drop the submission's editable files into exercises/<id>/, and check each
// exercise in its own locked-down child process. The parent alone writes
// results: the children print one nonce-signed line each and have no write
// access to anything.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { check_result } from '../course/checks';
import { COURSE_ROOT, read_manifest } from '../course/files';
import { run_isolated, type isolated_run } from '../course/isolate';
import { CHECKS_TIMEOUT_S, LIMITS, node_args, run_worker, type run_options } from '../course/runner';
import { exercise_points, find_exercise, type course_manifest, type manifest_exercise } from '../course/manifest';
import type { exercise_status } from '../course/outcome';
import type { diagnostic } from '../course/typecheck';
import { grader_failure } from './failure';
import type { policy_violation } from './policy';
import { prepare_reader, read_learner_files, type read_job } from './read';
import { starter_twin } from './signatures';
import { passes_every_check, solved_starter_advice, solved_starter_error, starter_record_drift, starters_that_are_solutions } from './solved_starter';
import { cap_message, strip_terminal } from './text';
import { transpile_all, transpile_file } from './transpile';
import {
  compute_checksums,
  copy_course,
  diff_checksums,
  file_digest,
  make_temp,
  protected_files,
  read_checksums,
  remove,
} from './tree';

export type visibility = 'hidden' | 'after_due_date' | 'after_published' | 'visible';

export interface grade_options {
  /** The grader's course (default: this checkout). Tests, model, harness and configuration come from here. */
  root?: string;
  /** A student repository (with exercises/) or an exercises/ folder. Default: @root itself. */
  submission?: string;
  /** Only these exercises ("01", "01-slug"); default all. */
  exercises?: string[];
  /** The instructor's hidden tests: <id>.checks.ts (+ <id>.points.json) per exercise. */
  hidden?: string | null;
  /** Gradescope visibility of hidden checks (default after_due_date). */
  hidden_visibility?: visibility;
  /**
   * Run the hidden suites only from this moment (the due date; default: always). Before it no
   * hidden child starts and the hidden checks say when they will run: nothing the grader does,
   * nor when it finishes, depends on them (the timing channel of red team 8 #04b). A regrade
   * after the date grades them.
   */
  hidden_from?: Date | null;
  /** Whether hidden_from is still ahead, decided by the caller once for many submissions (class mode); default: now, per submission. */
  hidden_pending?: boolean;
  /** Per exercise, CPU time; default course/runner.ts CHECKS_TIMEOUT_S. */
  timeout_ms?: number;
  /** Child processes at once (default 2). */
  jobs?: number;
  /** Type-check the submission first (default true). */
  typecheck?: boolean;
  /** Enforce the import policy and allowlist statically (default true; tests turn it off to prove the runtime layers alone). */
  policy?: boolean;
  /** Node permission model and frozen intrinsics for the children (default true). */
  sandbox?: boolean;
  /** Give points to an exercise whose files are identical to the starter (default false: 0). */
  credit_unchanged?: boolean;
  /**
   * Run the learner's code in the locked grading realm (default true). Only
   * the tests turn it off, to show that a trick would work without it.
   */
  harden?: boolean;
  /**
   * Points only for checks the committed starter fails (default true): a
   * check the starter already passes guards against breaking what works,
   * and is worth nothing on its own.
   */
  starter_baseline?: boolean;
  /** Heap and resident-memory caps of each child, MiB (default course/runner.ts LIMITS). */
  heap_mb?: number;
  rss_mb?: number;
}

export interface graded_check {
  id: string;
  name: string;
  /** The manifest's task, null for hidden checks. */
  task: number | null;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  message: string;
  hidden: boolean;
  /** The starter passes it too: it must pass, and earns nothing (starter_baseline). */
  guard?: boolean;
}

export type graded_status = exercise_status | 'missing' | 'policy' | 'unchanged';

export interface graded_exercise {
  id: string;
  title: string;
  status: graded_status;
  /** Why the exercise scored 0 as a whole (empty when the checks ran). */
  message: string;
  score: number;
  max_score: number;
  checks: graded_check[];
  /** What the learner's code printed (capped, terminal escapes removed). */
  output: string;
  ms: number;
  /** For the instructor only: forged or garbled result lines, results the manifest does not know. */
  incidents?: string[];
}

export interface grade_report {
  /** The submission's folder name. */
  submission: string;
  score: number;
  max_score: number;
  exercises: graded_exercise[];
  /** Protected files the submission changed (graded with the pristine versions instead). */
  modified: string[];
  /** Protected files of the grader's own tree that differ from grader/checksums.json. */
  grader_modified: string[];
  hidden_visibility: visibility;
  /**
   * Seconds the visible checks ran: the sum of the exercises' visible runs
   * (informational). Never the hidden checks' child, nor the wall clock of
   * the whole run (which includes it): a learner's code that spins only
   * under a hidden check must not be timed from the results.
   */
  execution_time: number;
  /** Set when the grader itself could not run (every exercise then scores 0): what a student may be told (grader/failure.ts). */
  error?: string;
  /** The instructor's detail of @error (the error, its stack): no result format writes it (grader/failure.ts). */
  failure_detail?: string;
}

/**
 * The largest editable file the grader takes. 64 KiB, six times the largest reference. The parent
 * no longer reads a file's text (grader/read.ts: the reader child transpiles and parses it, under a
 * CPU budget); the cap bounds that child's work, the type check's and the report: TypeScript's
 * binder is quadratic in expando assignments (`P.a = P.a = ...`), and 43,000 of them in a 256 KiB
 * file took 22 s of CPU (red team 8 #06); at 64 KiB about 1 s.
 */
export const MAX_FILE_BYTES = 64 * 1024;

/** A limiter shared by every job of a run (and of a batch). */
export type limiter = <T>(job: () => Promise<T>) => Promise<T>;

export function make_limiter(n: number): limiter {
  // Fewer than one slot starts nothing, and the run ends with nothing written (red team 9 #02).
  if (!Number.isInteger(n) || n < 1) throw new Error(`a limiter needs a whole number of slots, at least 1 (got ${n})`);
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await job();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

interface hidden_suite {
  exercise: string;
  /** Where the suite sits for its imports: a tree path that exists only in the grading realm (course/realm.ts virtual modules). */
  path: string;
  /** The transpiled suite, outside every grading tree (the learner's process gets no path to it). */
  file: string;
  points: Record<string, number>;
  /** Its check ids, from the instructor's points file (required): never from the child, nor from its source. */
  ids: string[];
}

/** A prepared copy of the course: TypeScript and its JavaScript, no solutions, no hidden suites (they sit apart). */
export interface grading_base {
  dir: string;
  /** The hidden suites' folder (outside dir), or null. */
  hidden_dir: string | null;
  /** The reader child's code (grader/read.ts prepare_reader), outside every grading tree. */
  reader_dir: string;
  root: string;
  manifest: course_manifest;
  hidden: hidden_suite[];
  grader_modified: string[];
  /** Per exercise: the ids of the checks the committed starter passes (computed once, when first needed). */
  starter_passes: Map<string, Promise<Set<string>>>;
}

/**
 * read_hidden - the suites of the hidden folder @dir, read strictly: every entry (but dot files, an
 * editor's or the OS's) is <exercise id>.checks.ts or <exercise id>.points.json with an exercise's
 * full id, each points file has its suite and each suite its points file (read_points), and there is
 * at least one suite. Anything else is an error naming the file: a misspelt suite
 * ("01-….check.ts") was ignored and every student graded without hidden checks (red team 10 #07), and
 * "01.checks.ts" beside "01-count-….checks.ts" made two suites of one exercise, the second
 * overwriting the first's code under the first's points (#06). Exported for gradescope-zip.
 */
export function read_hidden(dir: string, m: course_manifest): { exercise: manifest_exercise; file: string; points: Record<string, number> }[] {
  const problems: string[] = [];
  const suites = new Map<string, string>();
  const points = new Set<string>();
  const example = m.exercises[0]?.id ?? '01-…';
  for (const f of readdirSync(dir).sort()) {
    if (f.startsWith('.')) continue;
    const hit = /^(.+)\.(checks\.ts|points\.json)$/.exec(f);
    const e = hit ? m.exercises.find((x) => x.id === hit[1]) : undefined;
    if (!hit || !e) {
      problems.push(`${f} is not a hidden suite or points file: name them <exercise id>.checks.ts and <exercise id>.points.json with the exercise's full id (${example}.checks.ts)`);
      continue;
    }
    if (hit[2] === 'checks.ts') suites.set(e.id, f);
    else points.add(e.id);
  }
  for (const id of points) if (!suites.has(id)) problems.push(`${id}.points.json has no suite ${id}.checks.ts beside it`);
  if (!suites.size && !problems.length) problems.push(`it holds no hidden suite (${example}.checks.ts and its ${example}.points.json)`);
  if (problems.length) throw new Error(problems.join('; '));
  return [...suites].map(([id, f]) => ({ exercise: find_exercise(m, id), file: join(dir, f), points: read_points(join(dir, `${id}.points.json`), f) }));
}

/**
 * read_points - a hidden suite's points file, checked: {"points": {"<check id>": n}}, every n a
 * finite number >= 0. It is required, and names the suite's checks: their ids cannot come from
 * the suite's source (read as text, `id: '...'` also matched its scenarios' ids, and checks worth
 * 1 point that no suite reports cost every student points, red team 9 #03), and the suite itself
 * runs only in a child. Quoted numbers were added as strings ("0832", red team 9 #23).
 */
export function read_points(file: string, suite: string): Record<string, number> {
  const name = basename(file);
  if (!existsSync(file)) throw new Error(`hidden suite ${suite} has no ${name}: write {"points": {"<check id>": <points>, ...}} naming each of its checks`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${name} is not JSON: ${(e as Error).message}`);
  }
  const points = (parsed as { points?: unknown } | null)?.points;
  if (!points || typeof points !== 'object' || Array.isArray(points) || !Object.keys(points).length) throw new Error(`${name} must be {"points": {"<check id>": <points>, ...}} with at least one check`);
  for (const [id, n] of Object.entries(points)) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new Error(`${name}: "${id}" is not a check id (lower-case letters, digits and '-')`);
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new Error(`${name}: the points of "${id}" must be a number >= 0 (got ${JSON.stringify(n)})`);
  }
  return points as Record<string, number>;
}

/** prepare_base - copy and transpile the trusted course once for a run (or a batch). */
export function prepare_base(root = COURSE_ROOT, hidden: string | null = null): grading_base {
  const manifest = read_manifest(root);
  const dir = realpathSync(make_temp('shrinker-grade-base-'));
  copy_course(root, dir, manifest);
  const restored = restore_committed_starters(root, dir, manifest);
  // A solution committed over a starter: every student's answer would be "unchanged", the exercise worth 0/0 (grader red team 12 #09).
  const solved = starters_that_are_solutions(root, manifest, (id, f) => required_starter(root, id, f));
  if (solved.length) {
    remove(dir);
    throw new grader_failure('starter', solved_starter_error('the grader refuses to grade', solved));
  }
  const hs: hidden_suite[] = [];
  const hidden_dir = hidden ? realpathSync(make_temp('shrinker-grade-hidden-')) : null;
  try {
    if (hidden && hidden_dir) prepare_hidden(hidden, hidden_dir, dir, manifest, hs);
  } catch (e) {
    // Its text names the suites, their check ids or their source: the instructor's only (grader/failure.ts).
    remove(dir);
    if (hidden_dir) remove(hidden_dir);
    throw new grader_failure('hidden', `the hidden folder ${hidden} could not be prepared: ${(e as Error).message}`, { cause: e });
  }
  const ts_files: string[] = [];
  const walk = (p: string) => {
    for (const d of readdirSync(p, { withFileTypes: true })) {
      if (d.name === 'node_modules') continue;
      const q = join(p, d.name);
      if (d.isDirectory()) walk(q);
      else if (q.endsWith('.ts')) ts_files.push(q);
    }
  };
  walk(dir);
  transpile_all(ts_files);
  const expected = read_checksums(root);
  const grader_modified = expected ? (() => {
    const d = diff_checksums(expected, compute_checksums(root));
    return [...d.modified, ...d.missing, ...d.added];
  })() : [];
  return { dir, hidden_dir, reader_dir: prepare_reader(dir), root, manifest, hidden: hs, grader_modified: [...grader_modified, ...restored], starter_passes: new Map() };
}

/**
 * prepare_hidden - transpile each suite of @hidden where its imports resolve from (tests/hidden/ of
 * the base @dir), then move it into @hidden_dir: no grading tree ever holds it. A suite with syntax
 * errors, an exercise the manifest does not know or a points file that is wrong throws here, once,
 * and not on every student's submission.
 */
function prepare_hidden(hidden: string, hidden_dir: string, dir: string, manifest: course_manifest, hs: hidden_suite[]): void {
  mkdirSync(join(dir, 'tests/hidden'), { recursive: true });
  for (const h of read_hidden(hidden, manifest)) {
    const path = `tests/hidden/${h.exercise.id}.checks.ts`;
    const source = readFileSync(h.file, 'utf8');
    writeFileSync(join(dir, path), source);
    const errors = transpile_file(join(dir, path));
    if (errors.length) throw new Error(`${basename(h.file)} does not compile: ${errors.map((x) => x.message).join('; ')}`);
    const file = join(hidden_dir, `${h.exercise.id}.checks.js`);
    renameSync(join(dir, path.replace(/\.ts$/, '.js')), file);
    rmSync(join(dir, path));
    hs.push({ exercise: h.exercise.id, path, file, points: h.points, ids: Object.keys(h.points) });
  }
  rmSync(join(dir, 'tests/hidden'), { recursive: true, force: true });
}

/** release_base - remove a base's temporary folders. */
export function release_base(base: grading_base): void {
  remove(base.dir);
  remove(base.reader_dir);
  if (base.hidden_dir) remove(base.hidden_dir);
}

/**
 * An instructor may grade from a working tree where they solved exercises
 * themselves. The grading base must hold the *starters* (a submission equal
 * to one scores nothing): where git knows the committed starter and the
 * working file differs, use the committed one and say so. Without git (an
 * exported template) the files are taken as they are.
 */
function restore_committed_starters(root: string, dir: string, manifest: course_manifest): string[] {
  const restored: string[] = [];
  for (const e of manifest.exercises) {
    for (const f of e.files) {
      const rel = `exercises/${e.id}/${f}`;
      const committed = required_starter(root, e.id, f);
      const copy = join(dir, rel);
      if (!existsSync(copy) || readFileSync(copy, 'utf8') !== committed) {
        writeFileSync(copy, committed);
        // In an exported template (a student's repository, the Classroom workflow) the file is the student's
        // answer, expected to differ: not a change to the grader's files (grader red team 11 #13 listed every
        // worked exercise as "the grader's own files differ"). In the authoring checkout it is the instructor's edit.
        if (!existsSync(join(root, STARTERS_DIR, e.id, `${f}.starter`))) restored.push(`${rel} (edited in the grader's tree: graded against the committed starter)`);
      }
    }
  }
  return restored;
}

/** Where an exported template keeps the course's starters (grader/export_student.ts writes them). */
export const STARTERS_DIR = 'grader/starters';

/**
 * committed_starter - the course's starter of exercise @id's file @f in the
 * course at @root: the template's recorded copy (STARTERS_DIR/<id>/<f>.starter)
 * when there is one, else the file at git HEAD (the authoring repository),
 * else null. In a student's repository HEAD holds the student's committed
 * answer: taken as "the starter", every committed answer was "unchanged:
 * no points" in the Classroom workflow (red team 9 #20).
 */
export function committed_starter(root: string, id: string, f: string): string | null {
  const s = starter_source(root, id, f);
  return 'text' in s ? s.text : null;
}

/** starter_source - committed_starter(), or why there is none (git's own words). */
export function starter_source(root: string, id: string, f: string): { text: string } | { why: string } {
  const recorded = join(root, STARTERS_DIR, id, `${f}.starter`);
  if (existsSync(recorded)) return { text: readFileSync(recorded, 'utf8') };
  try {
    return { text: execFileSync('git', ['show', `HEAD:./exercises/${id}/${f}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') return { why: 'git is not installed' };
    return { why: (err.stderr ?? err.message).trim().split('\n')[0] || 'git show failed' };
  }
}

/**
 * required_starter - the starter of exercise @id's file @f, or an error saying why there is none.
 * With neither a recorded starter nor git, the grader used the working tree's file as "the starter":
 * a course without .git (a downloaded zip, git archive, a container without git, git refusing a
 * checkout of another owner) where the instructor had tried 01 graded every correct answer
 * 'unchanged: 0', and its Gradescope zip shipped the solution as the starter (red team 10 #03).
 */
export function required_starter(root: string, id: string, f: string): string {
  const s = starter_source(root, id, f);
  if ('text' in s) return s.text;
  throw new grader_failure('grader', `cannot tell the course's starter of exercises/${id}/${f}: there is no ${STARTERS_DIR}/${id}/${f}.starter and git cannot show it (${s.why}). The grader compares every submission with the starters: grade from a git checkout of the course, or from a template made by npm run grade -- export-student (it records the starters)`);
}

/** Where one editable file of a submission is, or why it cannot be taken. */
type located = { path: string } | { missing: string } | { refused: string };

/**
 * lstat every component of @rel under @root: a symbolic link anywhere (the
 * exercise folder, the file) is refused, so a submission can never make the
 * grader read outside it (a classmate's folder, solutions/, the course).
 */
function walk_no_links(root: string, rel: string): located {
  const parts = rel.split('/');
  let p = root;
  for (let i = 0; i < parts.length; i++) {
    p = join(p, parts[i]!);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return { missing: rel };
    }
    const shown = parts.slice(0, i + 1).join('/');
    if (st.isSymbolicLink()) return { refused: `${shown} is a symbolic link: the grader takes only real files and folders of the submission (copy the file itself)` };
    if (i < parts.length - 1 && !st.isDirectory()) return { missing: rel };
    if (i === parts.length - 1 && !st.isFile()) return { refused: `${shown} is not a regular file` };
  }
  return { path: p };
}

/**
 * wrapping_folder - the one folder a zip of the repository's folder puts everything in
 * (macOS "Compress", Windows "Send to", GitHub "Download ZIP": shrinker-lab-main/exercises/...),
 * when @sub holds only that folder (besides __MACOSX and dot-entries) and it holds exercises/:
 * graded as the submission (red team 11 #07: a full answer so wrapped scored 0, "missing"). A real
 * folder only, never a link; null otherwise.
 */
function wrapping_folder(sub: string): string | null {
  if (lstatSync(join(sub, 'exercises'), { throwIfNoEntry: false })) return null;
  let entries;
  try {
    entries = readdirSync(sub, { withFileTypes: true }).filter((d) => !d.name.startsWith('.') && d.name !== '__MACOSX');
  } catch {
    return null;
  }
  if (entries.length !== 1 || !entries[0]!.isDirectory()) return null;
  const inner = join(sub, entries[0]!.name);
  return lstatSync(join(inner, 'exercises'), { throwIfNoEntry: false })?.isDirectory() ? inner : null;
}

/**
 * Where a submission keeps its files. Shapes: a whole student repository
 * (exercises/<id>/<file>, and protected files that can be compared), its
 * exercises/ folder (<id>/<file>, or <NN>/<file>), or the edited files
 * uploaded one by one (Gradescope): <file> when the name belongs to one
 * exercise, else exercise-qualified as <NN>-<file> (no two exercises of
 * today's course share a file name, but a course may: then a bare name is
 * reported with that advice). Nothing is read through a symbolic link.
 * Exported for the tests.
 */
export function submission_layout(sub: string, m: course_manifest): { locate: (e: manifest_exercise, f: string) => located; repo: string | null } {
  const wrapped = wrapping_folder(sub);
  if (wrapped) return submission_layout(wrapped, m);
  const top = lstatSync(join(sub, 'exercises'), { throwIfNoEntry: false });
  if (top?.isDirectory()) return { locate: (e, f) => walk_no_links(sub, `exercises/${e.id}/${f}`), repo: sub };
  if (top?.isSymbolicLink()) return { locate: () => ({ refused: 'exercises is a symbolic link: the grader takes only real files and folders of the submission' }), repo: null };
  const owners = new Map<string, string[]>();
  for (const e of m.exercises) for (const f of e.files) owners.set(f, [...(owners.get(f) ?? []), e.id.slice(0, 2)]);
  return {
    locate: (e, f) => {
      const nn = e.id.slice(0, 2);
      const tries = [`${e.id}/${f}`, `${nn}/${f}`, `${nn}-${f}`, `${nn}_${f}`, ...(owners.get(f)!.length === 1 ? [f] : [])];
      for (const t of tries) {
        const r = walk_no_links(sub, t);
        if (!('missing' in r)) return r;
      }
      const shared = owners.get(f)!;
      if (shared.length > 1 && lstatSync(join(sub, f), { throwIfNoEntry: false })) {
        return { missing: `${f} (exercises ${shared.join(' and ')} both edit a file of this name: upload it as ${shared.map((n) => `${n}-${f}`).join(' and ')}, or in folders ${shared.map((n) => `${n}/`).join(' and ')})` };
      }
      return { missing: `exercises/${e.id}/${f}` };
    },
    repo: null,
  };
}

/** The compiler's package folder (the grader's own node_modules; grading trees hold only the realm's packages). */
const TYPESCRIPT_DIR = dirname(createRequire(import.meta.url).resolve('typescript/package.json'));

/**
 * typecheck_run - the type-check child as the one runner starts it (course/runner.ts run_worker,
 * verb 'typecheck'): the tree's transpiled grader/typecheck_child.js (no loader: tsx would need
 * worker threads and reads outside the list), under Node's permission model with reads of exactly
 * what grader/typecheck_confine.ts lets the compiler see (the files, the tree's kernel/ and
 * tsconfig.json, the compiler) plus the grader code it runs. No writes, no child processes, no
 * workers: a path the confinement missed is refused by Node too. The runner gives it what every
 * child that takes learner text gets: its own session and process group (killed whole), the CPU
 * budget, the heap cap and the resident-memory check, the output cap, the result channel, and
 * kill_all_workers() when the grader is interrupted. Exported for the tests.
 */
export function typecheck_run(tree: string, files: readonly string[], o: { heap_mb?: number; rss_mb?: number; timeout_ms?: number } = {}): run_options {
  return {
    verb: 'typecheck',
    args: [tree, ...files],
    cwd: tree,
    worker: join(tree, 'grader/typecheck_child.js'),
    loader: false,
    // The workers' heap cap (course/runner.ts LIMITS): a type check of the whole course needs ~200 MB;
    // 400 aliases of 90k-member template-literal unions took one to 3 GB (red team 8 #03).
    heap_mb: o.heap_mb ?? LIMITS.heap_mb,
    rss_mb: o.rss_mb ?? LIMITS.rss_mb,
    timeout_ms: o.timeout_ms ?? LIMITS.timeout_ms,
    node_flags: [
      '--experimental-permission',
      ...files.map((f) => `--allow-fs-read=${f}`),
      // Each file's starter twin (grader/signatures.ts): the contract its exports are held to.
      ...files.map((f) => `--allow-fs-read=${starter_twin(f)}`),
      `--allow-fs-read=${join(tree, 'kernel')}/*`,
      `--allow-fs-read=${join(tree, 'tsconfig.json')}`,
      `--allow-fs-read=${join(tree, 'package.json')}`,
      `--allow-fs-read=${join(tree, 'grader')}/*`,
      `--allow-fs-read=${join(tree, 'course')}/*`,
      `--allow-fs-read=${TYPESCRIPT_DIR}/*`,
      '--disallow-code-generation-from-strings',
    ],
    // The tree's course/typecheck.js finds the compiler where the grader's own require does.
    env: { NODE_PATH: dirname(TYPESCRIPT_DIR) },
  };
}

/** typecheck_argv - the node arguments of the type-check child (typecheck_run), for the tests that probe its sandbox. */
export function typecheck_argv(tree: string, files: readonly string[], heap_mb: number = LIMITS.heap_mb): string[] {
  return node_args(typecheck_run(tree, files, { heap_mb }));
}

/**
 * run_typecheck - the type check of @files in @tree, in a child of the one runner (it parses,
 * never runs, the code): the diagnostics, or why it did not finish, in the instructor's and the
 * learner's terms. @timeout_ms is CPU time (course/cpu_budget.ts): under load the type check is
 * slow, not stuck.
 */
export async function run_typecheck(tree: string, files: readonly string[], o: { heap_mb?: number; rss_mb?: number; timeout_ms?: number } = {}): Promise<diagnostic[] | string> {
  const opts = typecheck_run(tree, files, o);
  const r = await run_worker(opts);
  const answer = r.results[0] as { diagnostics?: unknown } | undefined;
  if (!r.stopped && r.results.length === 1 && Array.isArray(answer?.diagnostics)) return answer.diagnostics as diagnostic[];
  const why = ((): string => {
    switch (r.stopped) {
      case 'timeout':
      case 'stalled':
        return `used ${Math.round(opts.timeout_ms! / 1000)} s of CPU time and was stopped`;
      case 'memory':
        return `used more than ${opts.heap_mb} MiB of heap or ${opts.rss_mb} MiB of memory (are there huge types in the file?)`;
      case 'output':
        return 'printed more than a type check can';
      default:
        return `its process ended with ${r.code ?? r.signal}${r.stderr_tail ? `: ${r.stderr_tail.split('\n').slice(-4).join('\n')}` : ''}`;
    }
  })();
  return `the type check did not finish: ${why}`;
}

/** Text for the report: no grading-tree paths, no terminal escapes. */
function sanitize(text: string, tree: string, extra: readonly string[] = []): string {
  let t = text;
  for (const p of new Set([tree, ...extra])) {
    t = t.split(`file://${p}/`).join('').split(`${p}/`).join('').split(p).join('.');
  }
  return strip_terminal(t);
}

function zero_checks(e: manifest_exercise, message: string, hidden: hidden_suite | undefined): graded_check[] {
  const out: graded_check[] = e.tests.map((t) => ({ id: t.check, name: t.check, task: t.task, score: 0, max_score: t.points, status: 'failed', message, hidden: false }));
  if (hidden) for (const id of hidden.ids) out.push({ id: `hidden/${id}`, name: `hidden check ${id}`, task: null, score: 0, max_score: hidden.points[id] ?? 1, status: 'failed', message, hidden: true });
  return out;
}

/**
 * The sandbox of a grading child: frozen intrinsics, no code from strings, reads only its tree, and
 * the hidden suites' folder only for the child that runs them (@hidden): the visible child, whose
 * output the student reads, gets no path to them at all.
 */
function sandbox_flags(tree: string, base: grading_base, hidden: boolean): string[] {
  return [
    '--frozen-intrinsics',
    // Frozen intrinsics fix Error.stackTraceLimit at its start value: deep enough for the
    // model's Call Traces (course/realm.ts install_stack_source) to reach the learner's line.
    '--stack-trace-limit=64',
    '--disallow-code-generation-from-strings',
    '--experimental-permission',
    `--allow-fs-read=${tree}/*`,
    ...(base.hidden_dir && hidden ? [`--allow-fs-read=${base.hidden_dir}/*`] : []),
  ];
}

/** A fresh grading tree: a copy of the base (real files only, its node_modules a copy too). */
function new_tree(base: grading_base): string {
  const tree = realpathSync(make_temp('shrinker-grade-'));
  cpSync(base.dir, tree, { recursive: true, verbatimSymlinks: true });
  return tree;
}

/** A run's verdict, with why the hidden checks have no results when their child failed. */
type tree_run = isolated_run & { hidden_failure?: string };

/**
 * run_in_tree - grade @e in @tree: the visible suite in one child, and the
 * hidden suites (if any) in a second child of their own. Nothing the
 * learner's code does while a hidden check runs (print what it is handed,
 * loop, crash, take time) reaches the visible results, whose output, status
 * and time come from the first child alone; the second child's output is
 * dropped and its failure scores only the hidden checks.
 */
async function run_in_tree(tree: string, base: grading_base, e: manifest_exercise, opts: grade_options): Promise<tree_run> {
  const sandbox = opts.sandbox !== false;
  const harden = opts.harden !== false;
  const common = {
    root: tree,
    exercise: e.id,
    dir: join(tree, 'exercises', e.id),
    timeout_ms: opts.timeout_ms ?? CHECKS_TIMEOUT_S * 1000,
    typecheck: false,
    worker: join(tree, 'course/worker.js'),
    verb: harden ? ('grade' as const) : ('check' as const),
    // Without the hardening: the worker's own realm, as before the grading realm existed (the tests' controls).
    own_realm: !harden,
    heap_mb: opts.heap_mb,
    rss_mb: opts.rss_mb,
  };
  const visible = await run_isolated({ ...common, node_flags: sandbox ? sandbox_flags(tree, base, false) : [], hidden: [] });
  const suites = harden && !opts.hidden_from ? base.hidden.filter((h) => h.exercise === e.id).map((h) => ({ path: h.path, file: h.file })) : [];
  if (!suites.length) return visible;
  const hidden = await run_isolated({ ...common, node_flags: sandbox ? sandbox_flags(tree, base, true) : [], hidden: suites, hidden_only: true });
  const failed = hidden.status === 'crashed' || hidden.status === 'timeout' || hidden.status === 'compile_error';
  return {
    ...visible,
    ...(hidden.extra && !failed ? { extra: hidden.extra } : {}),
    // A fixed sentence: the process's own message may quote the hidden suite (its path, a line of
    // its source, a thrown text), and a hidden check's message is shown to students (after the due
    // date, or at once with --visibility visible). The message is the instructor's, as an incident.
    ...(failed ? { hidden_failure: hidden.status === 'timeout' ? "not run: the hidden checks' process timed out and was stopped" : "not run: the hidden checks' process failed (the instructor's log says why)" } : {}),
    incidents: [
      ...(visible.incidents ?? []),
      ...(hidden.incidents ?? []).map((i) => `(hidden checks' process) ${i}`),
      ...(failed ? [`(hidden checks' process) ${hidden.status}: ${hidden.message}`] : []),
    ],
  };
}

/** hidden_pending - the hidden suites are not to run yet (grade_options.hidden_from is still ahead). */
export function hidden_pending(opts: grade_options, now = Date.now()): boolean {
  return !!opts.hidden_from && now < opts.hidden_from.getTime();
}

/**
 * starter_passes - the checks (visible ids, and 'hidden/<id>') the committed
 * starter of @e passes, graded once per base exactly as a submission is.
 */
export function starter_passes(base: grading_base, e: manifest_exercise, opts: grade_options, limit: limiter): Promise<Set<string>> {
  // Keyed by whether the hidden suites run: a baseline without them must not serve a grading with them.
  const key = `${e.id}${opts.hidden_from ? ' (hidden pending)' : ''}`;
  let p = base.starter_passes.get(key);
  if (!p) {
    p = limit(async () => {
      const tree = new_tree(base);
      try {
        const run = await run_in_tree(tree, base, e, { ...opts, sandbox: true, harden: true });
        // A guard run that did not finish says nothing of the checks it never reached: read as
        // "the starter now fails them", it refused a whole class's grading as a partly solved
        // starter when 09's starter merely needed more CPU than --timeout (grader red team 14 #12).
        if (run.status === 'timeout' || run.status === 'crashed' || run.status === 'compile_error') {
          throw new grader_failure('grader', `the guard run of exercise ${e.id}'s committed starter did not finish (${run.status}): ${run.message} ` +
            `The grader grades every submission against the checks that starter passes, so it cannot grade ${e.id} without it. ` +
            (run.status === 'timeout' ? `Give it more CPU time (--timeout, in seconds of CPU; now ${Math.round((opts.timeout_ms ?? LIMITS.timeout_ms) / 1000)}) and grade again.` : `Run \`npx shrinker-lab run ${e.id}\` on the starter to see why.`));
        }
        const ids = new Set(run.results.filter((r) => r.status === 'passed').map((r) => r.id));
        for (const x of run.extra ?? []) for (const r of x.results) if (r.status === 'passed') ids.add(`hidden/${r.id}`);
        return ids;
      } finally {
        remove(tree);
      }
    });
    base.starter_passes.set(key, p);
  }
  return p;
}

/**
 * known_guards - per exercise of @exercises, the checks its starter passes (the guard run, cached in
 * @base: computed now if it was not), for a report of a run that failed before its own guard run; an
 * exercise whose guard run fails too is left out (its checks keep their points).
 */
export async function known_guards(base: grading_base, exercises: readonly manifest_exercise[], opts: grade_options): Promise<Map<string, Set<string>>> {
  const pending = opts.hidden_pending ?? hidden_pending(opts);
  const o = { ...opts, hidden_from: pending ? opts.hidden_from : null };
  const limit = make_limiter(opts.jobs ?? 2);
  const out = new Map<string, Set<string>>();
  for (const e of exercises) {
    try {
      out.set(e.id, await starter_passes(base, e, o, limit));
    } catch {
      // no guards known for it
    }
  }
  return out;
}

/**
 * refuse_solved_starters - stop when the guard run found an exercise of @exercises whose starter
 * passes every visible check (@passes: per exercise id, what the starter passed): every check would
 * be a guard worth 0, the exercise 0/0 for the whole class, and a correct answer "unchanged"
 * (grader red team 12 #09). Thrown as the instructor's failure (grader/failure.ts 'starter').
 */
export function refuse_solved_starters(root: string, exercises: readonly manifest_exercise[], passes: ReadonlyMap<string, ReadonlySet<string>>): void {
  const solved = exercises.flatMap((e) => {
    const p = passes.get(e.id);
    const why = p ? passes_every_check(e, p) : null;
    return why ? [{ id: e.id, why }] : [];
  });
  if (solved.length) throw new grader_failure('starter', `the grader refuses to grade: ${solved.map((s) => s.why).join('; ')}, so nothing is left to earn: ${solved_starter_advice(solved.map((s) => s.id))}`);
  // A partly solved starter: the checks it fails are not the ones the course recorded (red team 13 #07).
  const drift = exercises.flatMap((e) => {
    const p = passes.get(e.id);
    const why = p ? starter_record_drift(root, e, p) : null;
    return why ? [why] : [];
  });
  if (drift.length) throw new grader_failure('starter', `the grader refuses to grade: ${drift.join('; ')}, then run this again`);
}

/**
 * check_starters_fail - grade the starter of each of @exercises once (the guard run grading does
 * anyway, cached in @base) and refuse_solved_starters(). Class mode calls it before the first
 * submission, export-student before it writes anything.
 */
export async function check_starters_fail(base: grading_base, exercises: readonly manifest_exercise[], opts: grade_options, limit: limiter): Promise<void> {
  // Keyed as grade_submission keys its guard run, so that the run serves both.
  const pending = opts.hidden_pending ?? hidden_pending(opts);
  const o = { ...opts, hidden_from: pending ? opts.hidden_from : null };
  const passes = new Map<string, Set<string>>();
  const runs = exercises.map((e) => [e.id, starter_passes(base, e, o, limit)] as const);
  for (const [id, p] of runs) passes.set(id, await p);
  refuse_solved_starters(base.root, exercises, passes);
}

/**
 * verify_hidden - run each hidden suite of @base once against its exercise's committed starter, as
 * a submission is graded: it must load, run and report exactly the checks its points file names.
 * Then, where the course has its reference solution (solutions/<id>/ of the grader's course; an
 * authoring checkout, not a template or the Gradescope image), once against the reference: it must
 * report exactly those checks again, and the reference must pass every one (a hidden check the
 * reference fails costs every student its points, unseen until the due date: grader red team 13
 * #05). Returns what is wrong, suite by suite (empty: every suite works), and whether the reference
 * was run. setup.sh runs it when Gradescope builds the image (npm run grade -- check-hidden): a
 * suite that cannot load (an import with one '../' too few) was found only after the due date,
 * "not run" for every student, when the proof run graded exercise 01 alone (red team 10 #05).
 */
export async function verify_hidden(base: grading_base, limit: limiter = make_limiter(2)): Promise<{ exercise: string; problems: string[]; reference: boolean }[]> {
  const shown = (t: string, tree: string) => sanitize(t, tree, base.hidden_dir ? [base.hidden_dir] : []);
  /** What is wrong with @h's run on the files now in @tree (@what: "the starter", "the reference"). */
  const prove = async (h: hidden_suite, e: manifest_exercise, tree: string, what: string, must_pass: boolean): Promise<string[]> => {
    const run = await run_in_tree(tree, base, e, { sandbox: true, harden: true, hidden_from: null });
    if (run.hidden_failure) return (run.incidents ?? []).filter((i) => i.startsWith("(hidden checks' process)")).map((i) => `on ${what}: ${shown(i, tree)}`);
    const results = (run.extra ?? []).find((x) => x.suite === h.path)?.results ?? [];
    const reported = results.map((r) => r.id);
    const problems: string[] = [];
    const missing = h.ids.filter((id) => !reported.includes(id));
    const unknown = reported.filter((id) => !h.ids.includes(id));
    if (missing.length) problems.push(`on ${what} it did not report ${missing.join(', ')}, which its points file names`);
    if (unknown.length) problems.push(`on ${what} it reported ${unknown.join(', ')}, which its points file does not name (worth nothing)`);
    if (must_pass) {
      for (const r of results) {
        if (r.status !== 'passed' && h.ids.includes(r.id)) problems.push(`hidden check ${r.id} fails on ${what} (every student would lose its ${h.points[r.id] ?? 1} points): ${shown(r.message.split('\n')[0] ?? '', tree)}`);
      }
    }
    return problems;
  };
  return Promise.all(
    base.hidden.map((h) =>
      limit(async () => {
        const e = find_exercise(base.manifest, h.exercise);
        const tree = new_tree(base);
        try {
          const problems = await prove(h, e, tree, 'the starter', false);
          const reference = join(base.root, 'solutions', e.id);
          const has_reference = e.files.every((f) => existsSync(join(reference, f)));
          if (has_reference) {
            for (const f of e.files) {
              const dst = join(tree, 'exercises', e.id, f);
              writeFileSync(dst, readFileSync(join(reference, f), 'utf8'));
              transpile_file(dst);
            }
            problems.push(...(await prove(h, e, tree, `the reference (solutions/${e.id})`, true)));
          }
          return { exercise: h.exercise, problems, reference: has_reference };
        } finally {
          remove(tree);
        }
      }),
    ),
  );
}

/**
 * The verdict of one run, read against the trusted manifest: one result per
 * check id the manifest (or the hidden points file) names, nothing else.
 * Anything the child sent beyond that is an incident for the instructor.
 */
function trusted_results(e: manifest_exercise, run: isolated_run, hidden: hidden_suite | undefined): { visible: Map<string, check_result>; hidden: Map<string, check_result>; incidents: string[] } {
  const incidents = [...(run.incidents ?? [])];
  const take = (rs: unknown, known: Set<string>, what: string): Map<string, check_result> => {
    const out = new Map<string, check_result>();
    if (!Array.isArray(rs)) {
      incidents.push(`${what}: the results are not a list`);
      return out;
    }
    for (const r of rs as Partial<check_result>[]) {
      const ok = r && typeof r === 'object' && typeof r.id === 'string' && typeof r.name === 'string' && typeof r.message === 'string' && (r.status === 'passed' || r.status === 'failed');
      if (!ok) {
        incidents.push(`${what}: a result of the wrong shape`);
        continue;
      }
      if (!known.has(r.id!)) {
        incidents.push(`${what}: a result for "${r.id}", which the manifest does not list`);
        continue;
      }
      if (out.has(r.id!)) {
        incidents.push(`${what}: two results for "${r.id}"`);
        out.delete(r.id!);
        known.delete(r.id!); // neither counts
        continue;
      }
      out.set(r.id!, { id: r.id!, name: r.name!.slice(0, 500), status: r.status!, message: r.message!.slice(0, 100_000) });
    }
    return out;
  };
  const visible = take(run.results, new Set(e.tests.map((t) => t.check)), 'checks');
  const h = hidden ? take((run.extra ?? []).find((x) => x.suite === hidden.path)?.results ?? [], new Set(hidden.ids), 'hidden checks') : new Map<string, check_result>();
  return { visible, hidden: h, incidents };
}

/**
 * grade_submission - grade @opts.submission against @base (prepare_base);
 * @limit bounds the child processes (shared by a batch).
 */
export async function grade_submission(base: grading_base, opts: grade_options = {}, limit: limiter = make_limiter(opts.jobs ?? 2)): Promise<grade_report> {
  const given = resolve(opts.submission ?? base.root);
  // The instructor names the submission: resolve that path once; below it nothing is followed.
  let sub_root: string;
  try {
    sub_root = realpathSync(given);
  } catch (e) {
    throw new grader_failure('submission', `the submission ${given} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  const m = base.manifest;
  const layout = submission_layout(sub_root, m);
  const wanted = opts.exercises?.length ? opts.exercises.map((q) => find_exercise(m, q).id) : m.exercises.map((e) => e.id);
  const exercises = m.exercises.filter((e) => wanted.includes(e.id));
  const timeout_ms = opts.timeout_ms ?? CHECKS_TIMEOUT_S * 1000;
  const baseline = opts.starter_baseline !== false;
  // Decided once per submission, so that every exercise of it is graded the same way: from here
  // on a hidden_from that is set means "not yet" (run_in_tree).
  const pending = opts.hidden_pending ?? hidden_pending(opts);
  opts = { ...opts, hidden_from: pending ? opts.hidden_from : null };

  const tree = new_tree(base);
  try {
    // 1. The grading tree: the base, and the submission's editable files on top.
    const missing = new Map<string, string[]>();
    const refused = new Map<string, string[]>();
    const unchanged = new Set<string>();
    const syntax = new Map<string, string>();
    /** Files the reader child transpiles and checks against the policy (grader/read.ts): never this process. */
    const reads: read_job[] = [];
    for (const e of exercises) {
      const miss: string[] = [];
      const bad: string[] = [];
      let same = true;
      for (const f of e.files) {
        const where = layout.locate(e, f);
        const dst = join(tree, 'exercises', e.id, f);
        const starter = join(base.dir, 'exercises', e.id, f);
        if (!('path' in where)) {
          if ('missing' in where) miss.push(where.missing);
          else bad.push(where.refused);
          rmSync(dst, { force: true });
          rmSync(dst.replace(/\.ts$/, '.js'), { force: true });
          continue;
        }
        const bytes = statSync(where.path).size;
        if (bytes > MAX_FILE_BYTES) {
          // Transpiling and parsing a 24 MB file blocked the grader (a whole batch) for minutes: refused unread.
          bad.push(`exercises/${e.id}/${f} is ${Math.ceil(bytes / 1024)} KiB: a graded file may be at most ${MAX_FILE_BYTES / 1024} KiB (the reference solutions are under 10 KiB)`);
          rmSync(dst, { force: true });
          rmSync(dst.replace(/\.ts$/, '.js'), { force: true });
          continue;
        }
        if (!existsSync(starter) || file_digest(where.path) !== file_digest(starter)) same = false;
        cpSync(where.path, dst);
        rmSync(dst.replace(/\.ts$/, '.js'), { force: true });
        reads.push({ file: dst, display: `exercises/${e.id}/${f}`, exercise: e.id });
      }
      if (bad.length) refused.set(e.id, bad);
      else if (miss.length) missing.set(e.id, miss);
      else if (same) unchanged.add(e.id);
    }

    // 2. Protected files the submission changed (a whole repository only).
    const modified: string[] = [];
    if (layout.repo) {
      for (const f of protected_files(base.dir)) {
        const theirs = walk_no_links(layout.repo, f);
        if (!('path' in theirs)) continue;
        // Larger than the course's file with every line ending CRLF is a change, said without reading
        // it: 201 protected files of 500 MB (sparse: 20 KB on disk) held this process 27 minutes and
        // 2 GiB (red team 9 #16). (A Windows checkout's CRLF must not look like one.)
        const ours = statSync(join(base.dir, f)).size;
        if (statSync(theirs.path).size > 2 * ours + 2 || file_digest(theirs.path) !== file_digest(join(base.dir, f))) modified.push(f);
      }
    }

    // 3. The files, read in a child (transpiled, sealed, held to the import policy and allowlist):
    //    the learner's text chooses the cost of reading it, so this process does none of it.
    const violations = new Map<string, policy_violation[]>();
    const unreadable = new Map<string, string[]>();
    const graded_reads = reads.filter((r) => !missing.has(r.exercise) && !refused.has(r.exercise));
    const read = graded_reads.length ? await limit(() => read_learner_files(base.reader_dir, tree, graded_reads)) : [];
    for (const [i, r] of read.entries()) {
      const job = graded_reads[i]!;
      if ('failure' in r) {
        unreadable.set(job.exercise, [...(unreadable.get(job.exercise) ?? []), `${job.display}: ${r.failure}`]);
        continue;
      }
      writeFileSync(job.file.replace(/\.ts$/, '.js'), r.js);
      if (r.errors.length) syntax.set(job.exercise, [syntax.get(job.exercise), ...r.errors.map((x) => `${job.display}${x.message}`)].filter(Boolean).join('\n'));
      if (opts.policy !== false && r.violations.length) violations.set(job.exercise, [...(violations.get(job.exercise) ?? []), ...r.violations]);
    }

    // 4. Type check (one child for the whole submission) and the exercises (one child each), in parallel.
    const to_run = exercises.filter((e) => !missing.has(e.id) && !refused.has(e.id) && !unreadable.has(e.id) && !violations.has(e.id) && !syntax.has(e.id) && (opts.credit_unchanged || !unchanged.has(e.id)));
    const tc_files = to_run.flatMap((e) => e.files.map((f) => join(tree, 'exercises', e.id, f)));
    // The committed starter beside each file: the type check holds the file's exports to its types.
    for (const e of to_run) {
      for (const f of e.files) {
        const starter = join(base.dir, 'exercises', e.id, f);
        if (existsSync(starter)) cpSync(starter, starter_twin(join(tree, 'exercises', e.id, f)));
      }
    }
    const tc: Promise<diagnostic[] | string> = opts.typecheck === false || tc_files.length === 0 ? Promise.resolve([]) : limit(() => run_typecheck(tree, tc_files, { timeout_ms: Math.max(timeout_ms, 60_000), heap_mb: opts.heap_mb, rss_mb: opts.rss_mb }));
    const runs = new Map<string, Promise<tree_run>>();
    for (const e of to_run) runs.set(e.id, limit(() => run_in_tree(tree, base, e, opts)));
    const guards = new Map<string, Promise<Set<string>>>();
    if (baseline) for (const e of exercises) guards.set(e.id, starter_passes(base, e, opts, limit));
    const diags = await tc;
    const settled = new Map<string, tree_run>();
    for (const [id, p] of runs) settled.set(id, await p);
    const passes_of_starter = new Map<string, Set<string>>();
    for (const [id, p] of guards) passes_of_starter.set(id, await p);
    refuse_solved_starters(base.root, exercises, passes_of_starter);

    // 5. Scores, in manifest order.
    const out: graded_exercise[] = [];
    const hidden_paths = base.hidden_dir ? [base.hidden_dir] : [];
    for (const e of exercises) {
      const hidden = base.hidden.find((h) => h.exercise === e.id);
      const guard = passes_of_starter.get(e.id) ?? new Set<string>();
      // A check the starter passes is worth nothing: it must pass, and says so.
      const weigh = (c: graded_check): graded_check => (guard.has(c.id) ? { ...c, score: 0, max_score: 0, guard: true } : c);
      const ge = (status: graded_status, message: string, checks: graded_check[], output = '', ms = 0, incidents: string[] = []): graded_exercise => {
        let weighed = checks.map(weigh).map((c) => ({ ...c, message: cap_message(c.message) }));
        // A check the starter passes, failed: the answer broke what worked, and earns nothing for the
        // rest. Before this a guard cost 0 when failed, and 44 of the course's own known-wrong answers,
        // rejected only by guards, kept full marks (red team 8 #05: 04's lie-success-when-free 8/8).
        // A hidden guard voids the hidden checks only, and says nothing visible.
        const broken = weighed.filter((c) => c.guard && c.status === 'failed' && !c.hidden);
        const broken_hidden = weighed.some((c) => c.guard && c.status === 'failed' && c.hidden);
        // Said only where it takes visible points away: an exercise that did not run (missing, refused,
        // crashed, timed out) fails its guards too, and its own message already says why it has none.
        // Decided on the visible checks alone: whether a hidden check scored must change nothing a
        // student sees (red team 10 #02: the note appeared only when a hidden check passed, so two
        // probes that broke a guard on purpose read a hidden check's verdict in the visible message).
        const voids = broken.length > 0 && weighed.some((c) => !c.hidden && c.score > 0);
        const voided = `no points: it fails ${broken.map((c) => c.id).join(', ')}, which the starter passes (the answer breaks what worked)`;
        // A broken guard voids every check, the hidden ones silently.
        if (broken.length) weighed = weighed.map((c) => (c.score <= 0 ? c : c.hidden ? { ...c, score: 0 } : { ...c, score: 0, message: c.message ? `${c.message}\n${voided}` : voided }));
        else if (broken_hidden) weighed = weighed.map((c) => (c.hidden && c.score > 0 ? { ...c, score: 0 } : c));
        return {
          id: e.id,
          title: e.title,
          status,
          message: cap_message(voids ? (message ? `${message}\n${voided}` : voided) : message),
          score: weighed.reduce((s, c) => s + c.score, 0),
          max_score: weighed.reduce((s, c) => s + c.max_score, 0),
          checks: weighed,
          output,
          ms,
          ...(incidents.length ? { incidents } : {}),
        };
      };
      if (refused.has(e.id)) {
        const msg = `not graded: ${refused.get(e.id)!.join('; ')}`;
        out.push(ge('missing', msg, zero_checks(e, msg, hidden)));
        continue;
      }
      if (missing.has(e.id)) {
        const msg = `missing from the submission: ${missing.get(e.id)!.join(', ')} (restore the starter with: npx shrinker-lab reset ${e.id.slice(0, 2)})`;
        out.push(ge('missing', msg, zero_checks(e, msg, hidden)));
        continue;
      }
      if (unreadable.has(e.id)) {
        const msg = `not graded: ${unreadable.get(e.id)!.join('; ')}`;
        out.push(ge('compile_error', msg, zero_checks(e, msg, hidden)));
        continue;
      }
      if (violations.has(e.id)) {
        const msg = `not graded: the file breaks the grader's import policy (a fix needs only the kernel model's API):\n${violations.get(e.id)!.map((v) => `  ${v.where}: ${v.message}`).join('\n')}`;
        out.push(ge('policy', msg, zero_checks(e, msg, hidden)));
        continue;
      }
      if (syntax.has(e.id)) {
        const msg = `does not compile:\n${syntax.get(e.id)}`;
        out.push(ge('compile_error', msg, zero_checks(e, msg, hidden)));
        continue;
      }
      if (!opts.credit_unchanged && unchanged.has(e.id)) {
        const msg = 'unchanged from the starter: no points (fix the TODO first; some checks only guard against breaking what already works)';
        out.push(ge('unchanged', msg, zero_checks(e, msg, hidden)));
        continue;
      }
      const mine = typeof diags === 'string' ? null : diags.filter((d) => d.file.startsWith(`exercises/${e.id}/`));
      if (typeof diags === 'string' || (mine && mine.length)) {
        const msg = typeof diags === 'string' ? diags : `does not compile:\n${mine!.map((d) => `${d.file}:${d.line}:${d.column} - error ${d.code}: ${d.message}`).join('\n')}`;
        out.push(ge('compile_error', sanitize(msg, tree), zero_checks(e, sanitize(msg, tree), hidden)));
        continue;
      }
      const run = settled.get(e.id)!;
      const output = sanitize((run.output ?? '').trim(), tree, hidden_paths);
      const trusted = trusted_results(e, run, hidden);
      const incidents = trusted.incidents.map((i) => sanitize(i, tree, hidden_paths));
      if (run.status === 'compile_error' || run.status === 'crashed' || run.status === 'timeout') {
        const msg = sanitize(run.message, tree, hidden_paths);
        out.push(ge(run.status, msg, zero_checks(e, msg, hidden), output, run.ms, incidents));
        continue;
      }
      const checks: graded_check[] = e.tests.map((t) => {
        const r = trusted.visible.get(t.check);
        const ok = r?.status === 'passed';
        return {
          id: t.check,
          name: r?.name ?? t.check,
          task: t.task,
          score: ok ? t.points : 0,
          max_score: t.points,
          status: ok ? 'passed' : 'failed',
          message: r ? sanitize(r.message, tree, hidden_paths) : 'the suite did not report this check (the manifest and the suite disagree)',
          hidden: false,
        };
      });
      if (hidden) {
        for (const id of hidden.ids) {
          const r = trusted.hidden.get(id);
          const ok = r?.status === 'passed';
          const pts = hidden.points[id] ?? 1;
          const why_not = pending
            ? `not run yet: the hidden checks run from ${opts.hidden_from!.toISOString()} (a regrade after it grades them)`
            : run.hidden_failure ? sanitize(run.hidden_failure, tree, hidden_paths) : 'not run';
          checks.push({ id: `hidden/${id}`, name: r?.name ?? id, task: null, score: ok ? pts : 0, max_score: pts, status: ok ? 'passed' : 'failed', message: r ? sanitize(r.message, tree, hidden_paths) : why_not, hidden: true });
        }
      }
      const all_passed = checks.every((c) => c.status === 'passed');
      out.push(ge(all_passed ? 'passed' : 'failed', '', checks, output, run.ms, incidents));
    }
    return {
      submission: basename(given),
      score: out.reduce((s, e) => s + e.score, 0),
      max_score: out.reduce((s, e) => s + e.max_score, 0),
      exercises: out,
      modified: modified.sort(),
      grader_modified: base.grader_modified,
      hidden_visibility: opts.hidden_visibility ?? 'after_due_date',
      execution_time: out.reduce((s, e) => s + e.ms, 0) / 1000,
    };
  } finally {
    remove(tree);
  }
}

/** grade - prepare a base, grade one submission, clean up. */
export async function grade(opts: grade_options = {}): Promise<grade_report> {
  const base = prepare_base(opts.root ?? COURSE_ROOT, opts.hidden ?? null);
  try {
    return await grade_submission(base, opts);
  } finally {
    release_base(base);
  }
}

/**
 * A report for a run that could not grade at all (results are written even then): @message is what
 * a student may see (grader/failure.ts shown_failure), @detail the instructor's.
 */
export function failed_report(submission: string, message: string, m: course_manifest | null, detail?: string, only?: readonly string[], guards?: ReadonlyMap<string, ReadonlySet<string>>): grade_report {
  // The exercises graded (--exercises), as a report that ran has them: a failed row of 0/151 beside
  // rows of x/8 in a gradebook of 01 alone (red team 10, minor).
  const ids = new Set((only ?? []).flatMap((q) => {
    try {
      return m ? [find_exercise(m, q).id] : [];
    } catch {
      return [];
    }
  }));
  const wanted = (e: manifest_exercise) => ids.size === 0 || ids.has(e.id);
  const exercises: graded_exercise[] = (m?.exercises ?? []).filter(wanted).map((e) => {
    // The starter's guards, where the guard run found them (run_grade, class mode): worth 0 here too, so
    // that a failed report is out of what a graded one is (grader red team 12 #12: 01 out of 12, not 8).
    const guard = guards?.get(e.id);
    const checks = zero_checks(e, message, undefined).map((c) => (guard?.has(c.id) ? { ...c, max_score: 0, guard: true } : c));
    return { id: e.id, title: e.title, status: 'crashed', message, score: 0, max_score: guard ? checks.reduce((n, c) => n + c.max_score, 0) : exercise_points(e), checks, output: '', ms: 0 };
  });
  return { submission, score: 0, max_score: exercises.reduce((s, e) => s + e.max_score, 0), exercises, modified: [], grader_modified: [], hidden_visibility: 'after_due_date', execution_time: 0, error: message, ...(detail !== undefined ? { failure_detail: detail } : {}) };
}

export function write_text(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/** is_inside - @p is @dir or under it (real paths). */
export function is_inside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}
