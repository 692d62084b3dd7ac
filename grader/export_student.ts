// The student template: what an instructor publishes (a GitHub Classroom
// template repository, or a zip). The whole course minus what students must
// not have: no solutions/, no hidden tests, no authoring tests that need the
// solutions, no progress or build output, the exercises at their starters,
// and a GitHub Actions workflow that grades every push and reports points.
//
//   npm run grade -- export-student DIR
//   node --import tsx grader/export_student.ts DIR
// The CLI wires it as `shrinker-lab export-student DIR` (export_student()).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { read_manifest } from '../course/files';
import { STARTERS_DIR } from './grade';
import { solved_starter_error, starters_that_are_solutions } from './solved_starter';
import { write_checksums } from './tree';

/** Top-level folders and files never exported. */
const SKIP_TOP = new Set(['node_modules', '.git', 'solutions', 'dist', 'out', '.grade', '.shrinker-lab', 'hidden', 'coverage', 'mutate', 'submissions', 'grades']);
/** Paths never exported: the instructor's hidden tests and notes, the tools that need the solutions. */
const SKIP_PATHS = ['tests/hidden', 'tests/grader', 'tests/mutate', 'docs/instructors.md', 'scripts'];

function skipped(rel: string): boolean {
  const name = basename(rel);
  if (name.endsWith('.tmp.ts') || /^scratch/i.test(name) || name.endsWith('.log') || name === '.env' || name.startsWith('.env.')) return true;
  if (SKIP_TOP.has(rel.split('/')[0]!)) return true;
  return SKIP_PATHS.some((p) => rel === p || rel.startsWith(`${p}/`));
}

/**
 * hidden_like - @rel is named like an instructor's hidden suite (the grader's --hidden layout): a
 * points file, or a .checks.ts/.js outside checks/. Hidden suites committed under another folder
 * (instructor/private-tests/) were exported to every student (red team 9 #05): such files are left
 * out, and named. (By name: the course's own tests and site hold suites in strings.)
 */
export function hidden_like(rel: string): boolean {
  if (/\.points\.json$/.test(rel)) return true;
  return !rel.startsWith('checks/') && /\.checks\.(ts|js)$/.test(rel);
}

/** What a file needs that the template does not have: a static import of solutions/, or the solution helpers (tests). */
const IMPORTS_SOLUTIONS = /from\s+['"](\.\.?\/)+solutions\//;
const USES_SOLUTIONS = /\b(solution_dir|variant_dir|read_decoys|list_variants)\b|['"`]solutions\//;

/**
 * needs_solutions - the .ts files of @files (tree paths, with @read giving
 * their text) that cannot work without solutions/: those importing it, and
 * tests (and their helpers under tests/) using the solution helpers, with
 * every file that imports one of those, transitively.
 */
export function needs_solutions(files: readonly string[], read: (f: string) => string): Set<string> {
  const ts = files.filter((f) => f.endsWith('.ts'));
  const text = new Map(ts.map((f) => [f, read(f)]));
  const bad = new Set(ts.filter((f) => IMPORTS_SOLUTIONS.test(text.get(f)!) || ((f.startsWith('tests/') || f.startsWith('checks/')) && USES_SOLUTIONS.test(text.get(f)!))));
  const imports = new Map(ts.map((f) => [f, [...text.get(f)!.matchAll(/from\s+['"](\.\.?\/[^'"]+)['"]/g)].map((m) => join(dirname(f), m[1]!).split(sep).join('/').replace(/\.(ts|js)$/, '') + '.ts')]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of ts) if (!bad.has(f) && imports.get(f)!.some((i) => bad.has(i))) {
      bad.add(f);
      grew = true;
    }
  }
  return bad;
}

/** The GitHub Actions workflow of the template (GitHub Classroom's naming rules included). */
export const CLASSROOM_WORKFLOW = `# Grades every push with the course's autograder and reports the points.
# GitHub Classroom reads the "Points X/Y" notice of the reporter step; it
# wants the workflow named "Autograding Tests" and the job
# "run-autograding-tests". Results (Gradescope, JUnit, Exercism, Classroom
# formats) are kept as the "grade" artifact of each run.
name: Autograding Tests
on:
  push:
  workflow_dispatch:
  repository_dispatch:
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci --no-audit --no-fund
      - name: Grade
        id: grader
        run: |
          npm run -s grade -- --out .grade
          cat .grade/summary.txt >> "$GITHUB_STEP_SUMMARY"
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: grade
          path: .grade/
      - name: Report points
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          GRADER_RESULTS: "\${{ steps.grader.outputs.result }}"
        with:
          runners: grader
`;

export interface export_result {
  dir: string;
  files: number;
  /** Files left out: they need the solutions (tests, tools), or look like hidden suites (hidden_like). */
  left_out: string[];
  /** Of those, the ones that look like an instructor's hidden suites or points files. */
  hidden_like: string[];
}

/** The real path @p will have: its nearest existing ancestor's real path, and the rest. */
function real_target(p: string): string {
  let head = resolve(p);
  const tail: string[] = [];
  while (!existsSync(head)) {
    tail.unshift(basename(head));
    head = dirname(head);
  }
  return join(realpathSync(head), ...tail);
}

/**
 * export_student - write the student template of the course at @root into
 * @dest (created; must be empty or absent, and outside the course). Only
 * what git tracks at HEAD is exported, read from git itself: untracked
 * submissions, grades, .env files, hidden tests under any name, and a
 * locally solved exercise in the working tree never leave.
 */
/**
 * check_export_target - throw if @dest cannot take the template of the course at @root (inside the
 * course, not empty, or the course has no commit); the real target otherwise. main.ts asks before its
 * guard run, so that a wrong target is said at once, not after minutes of grading every starter
 * (grader red team 14 #06).
 */
export function check_export_target(root: string, dest: string): string {
  const course = realpathSync(root);
  const target = real_target(dest);
  if (target === course || target.startsWith(course + sep)) throw new Error(`${dest} is inside the course (${course}): export into a folder outside it`);
  if (existsSync(target) && readdirSync(target).length) throw new Error(`${dest} is not empty: export into a new folder`);
  try {
    execFileSync('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: course, stdio: 'ignore' });
  } catch {
    throw new Error(`${root} is not a git repository with a commit: export-student exports what git tracks at HEAD`);
  }
  return target;
}

export function export_student(root: string, dest: string): export_result {
  const course = realpathSync(root);
  const target = check_export_target(root, dest);
  let listing: string;
  try {
    listing = execFileSync('git', ['ls-tree', '-r', '-z', 'HEAD'], { cwd: course, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    throw new Error(`${root} is not a git repository with a commit: export-student exports what git tracks at HEAD`);
  }
  const at_head = (f: string) => execFileSync('git', ['show', `HEAD:./${f}`], { cwd: course, maxBuffer: 64 << 20 }); // ./: relative to the course, which may be a folder of a larger repository
  // "<mode> <type> <hash>\t<path>": regular files and executables only (no links, no submodules).
  const entries = listing.split('\0').filter(Boolean).map((l) => ({ mode: l.split(' ')[0]!, path: l.slice(l.indexOf('\t') + 1) }));
  const executable = new Set(entries.filter((x) => x.mode === '100755').map((x) => x.path));
  const regular = entries.filter((x) => x.mode === '100644' || x.mode === '100755').map((x) => x.path).filter((f) => !skipped(f));
  const hidden = regular.filter(hidden_like);
  const tracked = regular.filter((f) => !hidden.includes(f));
  const left_out = new Set([...needs_solutions(tracked, (f) => at_head(f).toString('utf8')), ...hidden]);
  const files = tracked.filter((f) => !left_out.has(f));
  // A solution committed over a starter would go to every student as "the starter" (grader red team 12 #09).
  const solved = starters_that_are_solutions(course, read_manifest(course), (id, f) => at_head(`exercises/${id}/${f}`).toString('utf8'));
  if (solved.length) throw new Error(solved_starter_error('export-student refuses', solved));
  mkdirSync(target, { recursive: true });
  for (const f of files) {
    mkdirSync(dirname(join(target, f)), { recursive: true });
    writeFileSync(join(target, f), at_head(f), { mode: executable.has(f) ? 0o755 : 0o644 });
  }
  mkdirSync(join(target, '.github/workflows'), { recursive: true });
  writeFileSync(join(target, '.github/workflows/classroom.yml'), CLASSROOM_WORKFLOW);
  // The starters, kept apart from exercises/: in the student's repository git HEAD holds their
  // answers, and the grader must still know what the starter was (grader/grade.ts committed_starter).
  let starters = 0;
  for (const e of read_manifest(target).exercises) {
    for (const f of e.files) {
      const out = join(target, STARTERS_DIR, e.id, `${f}.starter`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, at_head(`exercises/${e.id}/${f}`));
      starters++;
    }
  }
  write_checksums(target);
  return { dir: target, files: files.length + 1 + starters, left_out: [...left_out].sort(), hidden_like: hidden.sort() };
}

if (process.argv[1]?.endsWith('grader/export_student.ts')) {
  // Strict, as every command of the grader: an unknown option or a second folder is an error, not ignored.
  let dest: string | undefined;
  try {
    const { positionals } = parseArgs({ args: process.argv.slice(2), options: {}, strict: true, allowPositionals: true });
    if (positionals.length === 1) dest = positionals[0];
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
  }
  if (!dest) {
    console.error('usage: node --import tsx grader/export_student.ts DIR');
    process.exit(2);
  }
  const r = export_student(resolve(dirname(new URL(import.meta.url).pathname), '..'), resolve(dest));
  console.log(`student template written to ${r.dir} (${r.files} files)`);
}
