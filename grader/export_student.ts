// The student template: what an instructor publishes (a GitHub Classroom
// template repository, or a zip). The whole course minus what students must
// not have: no solutions/, no hidden tests, no authoring tests that need the
// solutions, no progress or build output, the exercises at their starters,
// and a GitHub Actions workflow that grades every push and reports points.
//
//   npm run grade -- export-student DIR
//   node --import tsx grader/export_student.ts DIR
// The CLI wires it as `shrinker-lab export-student DIR` (export_student()).
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { read_manifest } from '../course/files';
import { write_checksums } from './tree';

/** Top-level folders and files never exported. */
const SKIP_TOP = new Set(['node_modules', '.git', 'solutions', 'dist', 'out', '.grade', '.shrinker-lab', 'hidden', 'coverage']);
/** Paths never exported: tests that need the solutions, the instructor's hidden tests. */
const SKIP_PATHS = ['tests/course/authoring.test.ts', 'tests/grader', 'tests/hidden', 'docs/instructors.md'];

function skipped(rel: string, name: string): boolean {
  if (name.endsWith('.tmp.ts') || /^scratch/i.test(name) || name.endsWith('.log')) return true;
  if (!rel.includes('/') && SKIP_TOP.has(name)) return true;
  return SKIP_PATHS.some((p) => rel === p || rel.startsWith(`${p}/`));
}

function copy_tree(root: string, dest: string, rel: string, out: string[]): void {
  for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (skipped(r, d.name)) continue;
    if (d.isDirectory()) copy_tree(root, dest, r, out);
    else if (d.isFile()) {
      mkdirSync(dirname(join(dest, r)), { recursive: true });
      cpSync(join(root, r), join(dest, r));
      out.push(r);
    }
  }
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
}

/**
 * export_student - write the student template of the course at @root into
 * @dest (created; must be empty or absent).
 */
export function export_student(root: string, dest: string): export_result {
  if (existsSync(dest) && readdirSync(dest).length) throw new Error(`${dest} is not empty: export into a new folder`);
  mkdirSync(dest, { recursive: true });
  const files: string[] = [];
  copy_tree(root, dest, '', files);
  // The exercises at their starters: the instructor's tree keeps them so, but say it.
  const m = read_manifest(root);
  for (const e of m.exercises) for (const f of e.files) cpSync(join(root, 'exercises', e.id, f), join(dest, 'exercises', e.id, f));
  mkdirSync(join(dest, '.github/workflows'), { recursive: true });
  writeFileSync(join(dest, '.github/workflows/classroom.yml'), CLASSROOM_WORKFLOW);
  if (existsSync(join(root, '.gitignore'))) cpSync(join(root, '.gitignore'), join(dest, '.gitignore'));
  write_checksums(dest);
  return { dir: dest, files: files.length + 1 };
}

if (process.argv[1]?.endsWith('grader/export_student.ts')) {
  const dest = process.argv[2];
  if (!dest) {
    console.error('usage: node --import tsx grader/export_student.ts DIR');
    process.exit(2);
  }
  const r = export_student(resolve(dirname(new URL(import.meta.url).pathname), '..'), resolve(dest));
  console.log(`student template written to ${r.dir} (${r.files} files)`);
}
