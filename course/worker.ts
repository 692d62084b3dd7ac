// The process that runs a learner's code, started by course/runner.ts (the
// one runner). One entry point, one verb per use:
//
//   worker.ts check  --root R --exercise ID --dir D [--no-typecheck | --typecheck-only] [--own-realm]
//       the learner's loop, one shot: type-check, then the suite and the
//       learner's files in the grading realm (course/realm.ts), from .ts
//       transpiled in memory: the same realm as when it is graded.
//       --typecheck-only: only the type check, and every module the checks
//       will load transpiled into the disk cache; the loop runs it in a
//       process of its own, then the checks with --no-typecheck, so the
//       compiler (a program over the whole model: about 100 MB resident)
//       never shares the process that runs the checks
//   worker.ts serve  --root R [--no-prepare] [--typecheck-only]
//       the learner's warm loop: stdin has one JSON request per line
//       {req, exercise, dir, typecheck}; one result per request; between
//       requests the compiler is made ready for the next save (not with
//       --no-prepare: verify's lanes, whose next request is another exercise).
//       --typecheck-only: the warm type checker of course/warm.ts, as above
//   worker.ts grade  --root R --exercise ID --dir D [--hidden TREE_PATH=FILE]... [--hidden-only]
//       the grader: the learner's module runs in a locked realm
//       (course/realm.ts); this process, outside it, writes the verdict.
//       --hidden-only runs the hidden suites alone (the grader's second child)
//   worker.ts replay --root R --schedule S [--tail N] [--log-only]
//       `shrinker-lab replay`: prints a trace to stdout; the learner's code
//       is prechecked and runs in the grading realm (cli/replay_child.ts)
//
// Results go to file descriptor 3 (course/runner.ts RESULT_FD), never to
// stdout: the first line is RESULT_MARKER + {"nonce": N}, a fresh random
// value written before any learner code loads, and each result is
// RESULT_MARKER + N + JSON. The writer is fs.writeSync captured at start-up
// (course/worker_io.ts, imported first), with JSON.stringify; learner code
// lives in another realm (for every verb, replay included) and can reach neither.
import { arg, emit, hello, write_all } from './worker_io';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { check_exercise, check_in_realm } from './check_exercise';
import { read_manifest } from './files';
import { find_exercise } from './manifest';
import type { typechecker } from './typecheck';

// The realm's local time is UTC on every machine (course/realm.ts DETERMINISM_SOURCE):
// V8 reads TZ again when it is set, for every context of this process.
process.env.TZ = 'UTC';

const real_exit = process.exit.bind(process);

function args(argv: readonly string[], name: string): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a === `--${name}` && argv[i + 1] !== undefined) out.push(argv[i + 1]!);
  });
  return out;
}

/** A learner's process.exit() must not end the check quietly with a "success" code. */
function guard_exit(): void {
  process.exit = ((code?: number) => {
    throw new Error(`the exercise called process.exit(${code ?? ''}); kernel code cannot end the machine`);
  }) as typeof process.exit;
}

async function new_checker(root: string): Promise<typechecker> {
  // Imported only when needed: a grading worker does not type-check (the
  // grader does it once per submission) and may not read the compiler.
  const { loop_checker } = await import('./typecheck_worker');
  return loop_checker(root);
}

/**
 * The learner's loop runs the learner's code in the grading realm too
 * (course/realm.ts), from the checkout's .ts files transpiled in memory: in
 * this process's own realm a file could rewrite the suite it is judged by.
 */
async function loop_realm(root: string): Promise<{ print: (text: string) => void; load: (path: string) => string | null }> {
  const { ts_loader, set_transpile_cache } = await import('./transpile');
  set_transpile_cache(join(root, '.shrinker-lab', 'transpile'));
  return { print: (text) => write_all(1, text), load: ts_loader };
}

/** typecheck_only - course/typecheck_worker.ts's (the loop runs that file in a process of its own, without tsx). */
async function typecheck_only(e: ReturnType<typeof find_exercise>, root: string, dir: string, checker: typechecker) {
  const { typecheck_only: run } = await import('./typecheck_worker');
  return run(e, root, dir, checker);
}

async function serve(root: string, prepare: boolean, only_typecheck: boolean): Promise<void> {
  const checker = await new_checker(root);
  let n = 0;
  guard_exit();
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as { req: number; exercise: string; dir: string; typecheck?: boolean };
    try {
      const e = find_exercise(read_manifest(root), req.exercise);
      const run = only_typecheck
        ? await typecheck_only(e, root, req.dir, checker)
        : await check_exercise(e, { root, dir: req.dir, checker: req.typecheck === false ? null : checker, version: String(++n), realm: await loop_realm(root) });
      emit({ req: req.req, run });
      // Idle until the next save: get the compiler ready for it (course/typecheck.ts prepare).
      if (prepare && req.typecheck !== false) setImmediate(() => {
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

/** What the learner is told when the checks wait for something nothing can finish. */
const STUCK_AWAIT_MESSAGE =
  'the checks could not go on: the code under test waits for something that can never happen ' +
  '(an await of a promise nothing resolves, or a thenable whose then() never calls back). ' +
  'In the kernel that is a task asleep with nobody to wake it; the model\'s tasks sleep only in its own calls ' +
  '(mutex_lock, wait_event, schedule_timeout, msleep...). A function declared to return a number must return a number.';

/**
 * The event loop empties while a check still awaits: nothing (no timer, no
 * model step, no I/O) can ever finish it. Say so at once, with the same words
 * on every machine, instead of leaving the verdict to the host-time backstop
 * or to Node's exit code 13 for an unsettled top-level await.
 */
function report_stuck_await(): void {
  process.once('beforeExit', () => {
    emit({ error: STUCK_AWAIT_MESSAGE });
    real_exit(0);
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const verb = argv[0];
  const root = arg(argv, 'root') ?? process.cwd();
  if (verb === 'replay') {
    // The replay prints its trace itself (text out of the grading realm); it only needs a process of its own.
    const { replay_main } = await import('../cli/replay_child');
    const code = await replay_main(argv.slice(1));
    // console.log to a pipe is asynchronous: let the whole trace drain before the process exits.
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    return code;
  }
  hello();
  // A rejected promise nobody awaited (learner code can make one) is not a crash of the checker.
  process.on('unhandledRejection', () => {});
  report_stuck_await();
  if (verb === 'serve') {
    await serve(root, !argv.includes('--no-prepare'), argv.includes('--typecheck-only'));
    return 0;
  }
  const exercise = arg(argv, 'exercise');
  const dir = arg(argv, 'dir');
  if ((verb !== 'check' && verb !== 'grade') || !exercise || !dir) {
    process.stderr.write('usage: worker.ts check|grade --root R --exercise ID --dir D [--no-typecheck | --typecheck-only] [--own-realm] [--hidden TREE_PATH=FILE]... [--hidden-only] | serve --root R [--no-prepare] [--typecheck-only] | replay --root R --schedule S\n');
    return 2;
  }
  try {
    const e = find_exercise(read_manifest(root), exercise);
    if (verb === 'grade') {
      const hidden = args(argv, 'hidden').map((h) => {
        const i = h.indexOf('=');
        return { path: h.slice(0, i), file: h.slice(i + 1) };
      });
      const visible = !argv.includes('--hidden-only');
      emit({ run: await check_in_realm(e, { root, dir, hidden, visible, print: (text) => write_all(1, text) }) });
    } else {
      const checker = argv.includes('--no-typecheck') ? null : await new_checker(root);
      if (checker && argv.includes('--typecheck-only')) {
        emit({ run: await typecheck_only(e, root, dir, checker) });
        return 0;
      }
      guard_exit();
      // --own-realm: the old way, in this process's realm; only the grader's "without the hardening" controls ask for it.
      const realm = argv.includes('--own-realm') ? undefined : await loop_realm(root);
      emit({ run: await check_exercise(e, { root, dir, checker, realm }) });
    }
  } catch (err) {
    emit({ error: err instanceof Error ? err.message : String(err) });
  }
  return 0;
}

real_exit(await main(process.argv.slice(2)));
