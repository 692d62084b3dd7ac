// The type checker's own process: `shrinker-lab` type-checks a learner's
// files here, then runs the checks in another process (course/worker.ts), so
// the compiler's program over the whole model and the checks never share a
// heap. Same verbs and results as course/worker.ts --typecheck-only:
//
//   typecheck_worker.mjs check --root R --exercise ID --dir D
//   typecheck_worker.mjs serve --root R [--no-prepare]
//       one JSON request per line on stdin {req, exercise, dir}; one result
//       per request; between requests the compiler is made ready for the
//       next save (not with --no-prepare: verify's lanes)
//
// It imports only the compiler's side of the course (no model, no realm), and
// runs as plain JavaScript without tsx (course/typecheck_worker.mjs transpiles
// it): tsx's loader thread is a second V8 isolate, and the model its imports
// pulled in through worker.ts was a third of the process. 01's first type
// check: 251 -> 131 MB resident, 3.1 -> 2.2 s of CPU (load ~25).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { read_manifest } from './files';
import { find_exercise, type manifest_exercise } from './manifest';
import type { exercise_run } from './outcome';
import { typecheck_run, typechecker } from './typecheck';
import { arg, emit, hello } from './worker_io';

/** The folders whose modules the grading realm loads (course/check_exercise.ts TRUSTED_DIRS and the harness), besides the exercise's suite. */
const REALM_DIRS = ['kernel', 'explorer', 'scenarios', 'course'];

/** The checker of the learner's loop: its state folder (cli/state.ts STATE_DIR) remembers checks of unchanged files. */
export function loop_checker(root: string): typechecker {
  return new typechecker(root, { cache_dir: join(root, '.shrinker-lab', 'typecheck') });
}

/** typecheck_only - the type check of @e's files in @dir, and the transpile cache made ready for the checks' process. */
export async function typecheck_only(e: manifest_exercise, root: string, dir: string, checker: typechecker): Promise<exercise_run> {
  const run = await typecheck_run(e, e.files.map((f) => join(dir, f)), checker, Date.now());
  if (run.status === 'passed') {
    const { set_transpile_cache, warm_transpile_cache } = await import('./transpile');
    set_transpile_cache(join(root, '.shrinker-lab', 'transpile'));
    // The exercise's suite and what sits beside it (its golden outcomes), not the other twelve.
    const own = readdirSync(join(root, dirname(e.checks))).filter((f) => f.startsWith(`${e.id}.`) && f.endsWith('.ts') && !f.endsWith('.test.ts'));
    warm_transpile_cache(root, REALM_DIRS, [...e.files.map((f) => join(dir, f)), ...own.map((f) => join(root, dirname(e.checks), f))]);
  }
  return run;
}

/** serve_typecheck - answer each request on stdin with typecheck_only; @prepare: get the compiler ready for the next save in between. */
export async function serve_typecheck(root: string, prepare: boolean): Promise<void> {
  const checker = loop_checker(root);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as { req: number; exercise: string; dir: string };
    try {
      const e = find_exercise(read_manifest(root), req.exercise);
      emit({ req: req.req, run: await typecheck_only(e, root, req.dir, checker) });
      // Idle until the next save: get the compiler ready for it (course/typecheck.ts prepare).
      if (prepare) setImmediate(() => {
          try {
            checker.prepare(e.files.map((f) => join(req.dir, f)));
          } catch {
            /* the next check compiles and reports for itself */
          }
        });
    } catch (err) {
      emit({ req: req.req, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

/** main - the verbs above, from @argv; the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const verb = argv[0];
  const root = arg(argv, 'root') ?? process.cwd();
  hello();
  if (verb === 'serve') {
    await serve_typecheck(root, !argv.includes('--no-prepare'));
    return 0;
  }
  const exercise = arg(argv, 'exercise');
  const dir = arg(argv, 'dir');
  if (verb !== 'check' || !exercise || !dir) {
    process.stderr.write('usage: typecheck_worker.mjs check --root R --exercise ID --dir D | serve --root R [--no-prepare]\n');
    return 2;
  }
  try {
    emit({ run: await typecheck_only(find_exercise(read_manifest(root), exercise), root, dir, loop_checker(root)) });
  } catch (err) {
    emit({ error: err instanceof Error ? err.message : String(err) });
  }
  return 0;
}
