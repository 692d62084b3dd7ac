// The parent's side of reading a submission's graded files
// (grader/read_child.ts says why it happens in a child): start the reader
// through the one runner, with its limits, and take back per file the
// JavaScript to write, the syntax errors and the import policy's violations.
// When the reader is stopped (out of CPU, out of memory) or dies, the file it
// was reading is the one that failed: it gets a clear error of its own, and a
// new reader goes on with the files after it. The grader's own process does
// no work whose cost the learner's text chooses.
import { cpSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { run_worker, stopped_message } from '../course/runner';
import { make_temp } from './tree';
import type { policy_violation } from './policy';
import type { transpile_error } from './transpile';

/** One graded file to read: its path in the grading tree, its name for the report, its exercise. */
export interface read_job {
  file: string;
  display: string;
  exercise: string;
}

export type read_result =
  | { file: string; js: string; errors: transpile_error[]; violations: policy_violation[] }
  | { file: string; failure: string };

/**
 * CPU time a reader may use, counted from its start. Reading the whole
 * course's references takes about 1 s (most of it loading the compiler);
 * the slowest file the 64 KiB cap lets through (expando chains) under 1 s more.
 */
export const READ_CPU_MS = 20_000;

/** The compiler's package folder (the grader's own node_modules; grading trees hold only the realm's packages). */
const TYPESCRIPT_DIR = dirname(createRequire(import.meta.url).resolve('typescript/package.json'));

/**
 * prepare_reader - a folder with the reader's code: @base_dir's transpiled
 * JavaScript (no packages) and a node_modules that is a link to the
 * grader's own, where Node's ES module resolver finds the compiler (it
 * ignores NODE_PATH). Outside every grading tree: no learner's process ever
 * gets a path to it, and a tree never holds a link.
 */
export function prepare_reader(base_dir: string): string {
  const dir = make_temp('shrinker-grade-reader-');
  const skip = join(base_dir, 'node_modules');
  cpSync(base_dir, dir, { recursive: true, filter: (src) => src !== skip && !src.endsWith('.ts') });
  symlinkSync(dirname(TYPESCRIPT_DIR), join(dir, 'node_modules'));
  return dir;
}

/** read_flags - the reader's sandbox: Node's permission model, reads of its code, the tree and the compiler only; no writes, no children. */
export function read_flags(reader_dir: string, tree: string): string[] {
  return ['--experimental-permission', `--allow-fs-read=${reader_dir}/*`, `--allow-fs-read=${tree}/*`, `--allow-fs-read=${TYPESCRIPT_DIR}/*`, '--disallow-code-generation-from-strings'];
}

function well_formed(p: unknown, file: string): p is read_result {
  if (!p || typeof p !== 'object' || (p as { file?: unknown }).file !== file) return false;
  const r = p as Record<string, unknown>;
  return typeof r.failure === 'string' || (typeof r.js === 'string' && Array.isArray(r.errors) && Array.isArray(r.violations));
}

/**
 * read_learner_files - read @jobs (files of the grading tree @tree) in
 * reader children running @reader_dir's code (prepare_reader); one result
 * per job, in order. @cpu_ms replaces READ_CPU_MS (tests).
 */
export async function read_learner_files(reader_dir: string, tree: string, jobs: readonly read_job[], cpu_ms = READ_CPU_MS): Promise<read_result[]> {
  const out: read_result[] = [];
  while (out.length < jobs.length) {
    const start = out.length;
    const rest = jobs.slice(start);
    const o = await run_worker({
      verb: 'read',
      args: ['--root', tree, ...rest.flatMap((j) => ['--file', j.file, '--display', j.display, '--exercise', j.exercise])],
      cwd: tree,
      worker: join(reader_dir, 'grader/read_child.js'),
      loader: false,
      node_flags: read_flags(reader_dir, tree),
      timeout_ms: cpu_ms,
    });
    for (const r of o.results) {
      const job = rest[out.length - start];
      if (!job || !well_formed(r, job.file)) break;
      out.push(r);
    }
    if (out.length === jobs.length) break;
    // The reader ended before the next file's result: that file stopped it.
    const job = jobs[out.length]!;
    const why = o.stopped
      ? o.stopped === 'timeout'
        ? `reading it (the compiler's parse and transpile, before any of it runs) used more than ${cpu_ms / 1000} s of CPU time and was stopped`
        : `reading it (the compiler's parse and transpile) was stopped: ${stopped_message(o.stopped, { timeout_ms: cpu_ms })}`
      : `the compiler could not read it (its process ended with ${o.code ?? o.signal}${o.stderr_tail ? `: ${first_error(o.stderr_tail)}` : ''})`;
    out.push({ file: job.file, failure: why });
  }
  return out;
}

/** The line of a dead process's stderr that says what went wrong (Node ends it with its version). */
function first_error(tail: string): string {
  const lines = tail.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.find((l) => /^[A-Za-z]*Error\b|^Error \[|FATAL|out of memory/.test(l)) ?? lines[0] ?? '').slice(0, 300);
}
