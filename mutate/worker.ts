// The mutation worker: a child process (forked by mutate/runner.ts) that
// loads one exercise's check suite once and then evaluates mutants sent to
// it over IPC, one at a time. It is a separate process so that a mutant
// that never returns (a loop that never yields to the model's scheduler)
// can be stopped by killing it, and a mutant that breaks the process
// cannot take the runner down.
import { load_suite, read_manifest } from '../course/files';
import { typechecker } from '../course/typecheck';
import { evaluate_mutant, mutant_sandbox, type evaluation } from './evaluate';

export interface worker_init {
  kind: 'init';
  root: string;
  exercise: string;
  source_dir: string;
  typecheck: boolean;
  /** Where the worker writes mutants (the runner removes it, even if the worker is killed). */
  temp_base: string;
}
export interface worker_run {
  kind: 'run';
  key: string;
  files: Record<string, string>;
  /** Stop at the first failing check (mutate/evaluate.ts). */
  bail: boolean;
}
export type worker_reply = { kind: 'ready' } | { kind: 'result'; key: string; evaluation: evaluation } | { kind: 'error'; message: string };

const send = (m: worker_reply) => process.send?.(m);

let current_key: string | null = null;
let stray: string | null = null;
// A mutant that drops an `await` can leave a promise that rejects later:
// that is the mutant crashing, not the worker.
process.on('unhandledRejection', (e) => {
  stray ??= `unhandled rejection: ${e instanceof Error ? e.message : String(e)}`;
});

async function main(): Promise<void> {
  let ctx: { init: worker_init; suite: Awaited<ReturnType<typeof load_suite>>; sandbox: mutant_sandbox; checker: typechecker | null; exercise: { id: string; files: string[] } } | null = null;
  process.on('message', (msg: worker_init | worker_run) => {
    void (async () => {
      try {
        if (msg.kind === 'init') {
          const e = read_manifest(msg.root).exercises.find((x) => x.id === msg.exercise);
          if (!e) throw new Error(`no exercise ${msg.exercise}`);
          ctx = { init: msg, suite: await load_suite(e, msg.root), sandbox: new mutant_sandbox(msg.temp_base), checker: msg.typecheck ? new typechecker(msg.root) : null, exercise: e };
          send({ kind: 'ready' });
          return;
        }
        if (!ctx) throw new Error('run before init');
        current_key = msg.key;
        stray = null;
        const evaluation = await evaluate_mutant({ exercise: ctx.exercise, suite: ctx.suite, source_dir: ctx.init.source_dir, files: msg.files, sandbox: ctx.sandbox, checker: ctx.checker, bail: msg.bail });
        if (stray && evaluation.status === 'survived') Object.assign(evaluation, { status: 'crashed', detail: stray });
        send({ kind: 'result', key: msg.key, evaluation });
        current_key = null;
      } catch (e) {
        send({ kind: 'error', message: `${current_key ?? ''} ${(e as Error).stack ?? String(e)}` });
      }
    })();
  });
  process.on('disconnect', () => {
    (ctx as { sandbox: mutant_sandbox } | null)?.sandbox.dispose();
    process.exit(0);
  });
}

void main();
