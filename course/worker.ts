// The process that runs a learner's code. Started by course/isolate.ts with
// the tsx loader, so that an infinite loop, a crash or a process.exit() in
// the learner's code ends this process, never the learner's loop or the
// grader.
//
//   one shot:  worker.ts --root R --exercise ID --dir D [--no-typecheck]
//   serve:     worker.ts --serve --root R
//              (stdin: one JSON request per line {req, exercise, dir, typecheck};
//               stdout: one result line per request, after RESULT_MARKER)
import { createInterface } from 'node:readline';
import { check_exercise } from './check_exercise';
import { read_manifest } from './files';
import { find_exercise } from './manifest';
import { RESULT_MARKER, type exercise_run } from './outcome';
import { typechecker } from './typecheck';

const real_exit = process.exit.bind(process);
const write = process.stdout.write.bind(process.stdout);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function emit(payload: unknown): void {
  write(`${RESULT_MARKER}${JSON.stringify(payload)}\n`);
}

/** A learner's process.exit() must not end the check quietly with a "success" code. */
function guard_exit(): void {
  process.exit = ((code?: number) => {
    throw new Error(`the exercise called process.exit(${code ?? ''}); kernel code cannot end the machine`);
  }) as typeof process.exit;
}

async function run_one(root: string, exercise: string, dir: string, checker: typechecker | null, version?: string): Promise<exercise_run> {
  const e = find_exercise(read_manifest(root), exercise);
  return check_exercise(e, { root, dir, checker, version });
}

async function main(): Promise<void> {
  const root = arg('root') ?? process.cwd();
  if (process.argv.includes('--serve')) {
    const checker = new typechecker(root);
    let n = 0;
    guard_exit();
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      if (!line.trim()) continue;
      const req = JSON.parse(line) as { req: number; exercise: string; dir: string; typecheck?: boolean };
      try {
        const run = await run_one(root, req.exercise, req.dir, req.typecheck === false ? null : checker, String(++n));
        emit({ req: req.req, run });
      } catch (err) {
        emit({ req: req.req, error: err instanceof Error ? err.message : String(err) });
      }
    }
    real_exit(0);
  }
  const exercise = arg('exercise');
  const dir = arg('dir');
  if (!exercise || !dir) {
    process.stderr.write('usage: worker.ts --root R --exercise ID --dir D [--no-typecheck] | --serve --root R\n');
    real_exit(2);
  }
  const checker = process.argv.includes('--no-typecheck') ? null : new typechecker(root);
  guard_exit();
  try {
    emit({ run: await run_one(root, exercise!, dir!, checker) });
  } catch (err) {
    emit({ error: err instanceof Error ? err.message : String(err) });
  }
  real_exit(0);
}

await main();
