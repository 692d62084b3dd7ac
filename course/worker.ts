// The process that runs a learner's code. Started by course/isolate.ts with
// the tsx loader (or, by the grader, as transpiled JavaScript under Node's
// permission model), so that an infinite loop, a crash or a process.exit()
// in the learner's code ends this process, never the learner's loop or the
// grader.
//
//   one shot:  worker.ts --root R --exercise ID --dir D [--no-typecheck]
//                        [--nonce] [--harden] [--extra SUITE]...
//   serve:     worker.ts --serve --root R [--nonce]
//              (stdin: one JSON request per line {req, exercise, dir, typecheck};
//               stdout: one result line per request, after RESULT_MARKER)
//
// --nonce: a learner's code can print RESULT_MARKER too. With --nonce the
// worker first prints RESULT_MARKER + {"nonce": N}, a fresh random value,
// BEFORE any learner code is loaded, and every result line is then
// RESULT_MARKER + N + JSON. N lives only in this module's closure, so a
// forged line cannot carry it. The result is written with fs.writeSync
// captured at start-up, not through process.stdout (which the learner's code
// could patch). Without --nonce the lines are RESULT_MARKER + JSON, as before.
//
// --harden: grading mode (see course/check_exercise.ts and grader/harden.ts).
// --extra: another suite to run on the same files (hidden tests).
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { check_exercise } from './check_exercise';
import { read_manifest } from './files';
import { find_exercise } from './manifest';
import { RESULT_MARKER, type exercise_run } from './outcome';
import type { typechecker } from './typecheck';

const real_exit = process.exit.bind(process);
const stringify = JSON.stringify;
const use_nonce = process.argv.includes('--nonce');
const nonce = use_nonce ? randomBytes(16).toString('hex') : '';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && process.argv[i + 1] !== undefined) out.push(process.argv[i + 1]!);
  });
  return out;
}

function write_line(text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

function emit(payload: unknown): void {
  // In nonce mode, start on a fresh line: a learner's unfinished print must not swallow the result.
  write_line(`${use_nonce ? '\n' : ''}${RESULT_MARKER}${nonce}${stringify(payload)}\n`);
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
  const { typechecker } = await import('./typecheck');
  return new typechecker(root);
}

async function run_one(root: string, exercise: string, dir: string, checker: typechecker | null, version?: string, harden = false, extra: string[] = []): Promise<exercise_run> {
  const e = find_exercise(read_manifest(root), exercise);
  return check_exercise(e, { root, dir, checker, version, harden, extra });
}

async function main(): Promise<void> {
  if (use_nonce) write_line(`${RESULT_MARKER}${stringify({ nonce })}\n`);
  const root = arg('root') ?? process.cwd();
  if (process.argv.includes('--serve')) {
    const checker = await new_checker(root);
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
    process.stderr.write('usage: worker.ts --root R --exercise ID --dir D [--no-typecheck] [--nonce] [--harden] [--extra SUITE]... | --serve --root R [--nonce]\n');
    real_exit(2);
  }
  const checker = process.argv.includes('--no-typecheck') ? null : await new_checker(root);
  guard_exit();
  try {
    emit({ run: await run_one(root, exercise!, dir!, checker, undefined, process.argv.includes('--harden'), args('extra')) });
  } catch (err) {
    emit({ error: err instanceof Error ? err.message : String(err) });
  }
  real_exit(0);
}

await main();
