// A throw-away copy of the course for end-to-end tests of the command, as a
// learner has it: the project's files (tracked and new, not ignored ones),
// node_modules symlinked, no .git and no .shrinker-lab. The manifest is cut
// down to exercise 01 plus a tiny synthetic exercise (02-tiny-sum) whose
// checks take milliseconds, so the tests do not depend on exercises that
// are still being written, and stay fast.
import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EX01 = '01-count-must-not-hide-memory';
export const EX01_FILE = 'i915_gem_shrinker_count.ts';
export const TINY = '02-tiny-sum';

const TINY_STARTER = `// A tiny exercise for the command's own tests.
// TODO: add, do not subtract.
export function sum(a: number, b: number): number {
  return a - b;
}
`;
const TINY_SOLUTION = `// Reference: adds.
export function sum(a: number, b: number): number {
  return a + b;
}
`;
const TINY_CHECKS = `import { define_checks, fail, pass } from '../course/checks';

export default define_checks({
  exercise: '${TINY}',
  exports: { sum: 'function sum(a: number, b: number): number' },
  checks: [
    {
      id: 'adds-two-numbers',
      name: 'adds two numbers',
      async run(impl) {
        const v = (impl.sum as (a: number, b: number) => number)(2, 3);
        return v === 5 ? pass('2 + 3 = 5') : fail(\`sum(2, 3) returned \${v}, not 5\`);
      },
    },
  ],
});
`;

/**
 * make_course_copy - a fresh copy of the course in a temporary folder;
 * returns its root. @full keeps the whole manifest (for benchmarks).
 */
export function make_course_copy(full = false): string {
  const root = mkdtempSync(join(tmpdir(), 'shrinker-lab-cli-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !f.startsWith('node_modules/'));
  for (const f of files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    try {
      copyFileSync(join(REPO, f), join(root, f));
    } catch {
      // deleted in the working tree but still tracked: the learner would not have it either
    }
  }
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  if (full) return root;
  const manifest = JSON.parse(readFileSync(join(REPO, 'exercises/course.json'), 'utf8')) as { exercises: { id: string }[] };
  const ex01 = manifest.exercises.find((e) => e.id === EX01)!;
  const tiny = {
    id: TINY,
    title: 'tiny sum',
    lesson: 'lessons/00-introduction.md',
    files: ['sum.ts'],
    checks: `checks/${TINY}.checks.ts`,
    tasks: [{ id: 1, title: 'Add' }],
    tests: [{ check: 'adds-two-numbers', points: 1, task: 1 }],
    hints: ['Look at the operator.', 'It subtracts.', 'Use +.'],
  };
  writeFileSync(join(root, 'exercises/course.json'), JSON.stringify({ format_version: 1, exercises: [ex01, tiny] }, null, 2) + '\n');
  mkdirSync(join(root, 'exercises', TINY), { recursive: true });
  mkdirSync(join(root, 'solutions', TINY), { recursive: true });
  writeFileSync(join(root, 'exercises', TINY, 'sum.ts'), TINY_STARTER);
  writeFileSync(join(root, 'solutions', TINY, 'sum.ts'), TINY_SOLUTION);
  writeFileSync(join(root, 'checks', `${TINY}.checks.ts`), TINY_CHECKS);
  return root;
}

export function remove_copy(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export interface cli_result {
  code: number;
  stdout: string;
  stderr: string;
}

const ENV = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };

/** cli - run `shrinker-lab <args>` in @root as a learner would (no terminal). */
export function cli(root: string, args: readonly string[]): Promise<cli_result> {
  return new Promise((res) => {
    execFile(process.execPath, [join(root, 'bin/shrinker-lab.js'), ...args], { cwd: root, env: ENV, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

/** start_cli - a long-running `shrinker-lab <args>` (watch), with its output collected. */
export function start_cli(root: string, args: readonly string[]): { child: ChildProcessWithoutNullStreams; output: () => string; wait_for: (re: RegExp, from?: number, ms?: number) => Promise<number> } {
  const child = spawn(process.execPath, [join(root, 'bin/shrinker-lab.js'), ...args], { cwd: root, env: ENV });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  // Waits until the text appears or the command ends, never for a fixed time: a cold check on a busy
  // machine may take minutes of wall time (@ms is only a backstop, for the bench; vitest's own is 900 s).
  const wait_for = (re: RegExp, from = 0, ms = 600_000): Promise<number> =>
    new Promise((res, rej) => {
      const t0 = Date.now();
      const tick = () => {
        const m = re.exec(out.slice(from));
        if (m) return res(from + m.index + m[0].length);
        if (child.exitCode !== null || child.signalCode !== null) return rej(new Error(`the command ended (${child.exitCode ?? child.signalCode}) before ${re} appeared:\n${out}`));
        if (Date.now() - t0 > ms) return rej(new Error(`timed out waiting for ${re} in:\n${out}`));
        setTimeout(tick, 20);
      };
      tick();
    });
  return { child, output: () => out, wait_for };
}

/** solve - copy the reference solution of @id over the learner's files. */
export function solve(root: string, id: string, file: string): void {
  copyFileSync(join(root, 'solutions', id, file), join(root, 'exercises', id, file));
}
