// Drive a mutation worker (mutate/worker.ts): send it an exercise's
// mutants one by one, collect the verdicts, and stop it when a mutant runs
// past its time limit (then start a fresh worker for the rest).
//
// The time limit is a safety net, not a verdict source the checks rely on:
// the model stops runaway schedules itself by its step budget (a failed
// check). Only a mutant that never yields to the model (a synchronous
// endless loop) reaches the wall-clock limit, which is generous: ten times
// the unmutated run, and at least 20 s.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TSX_LOADER } from '../course/isolate';
import type { evaluation } from './evaluate';
import type { worker_init, worker_reply, worker_run } from './worker';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.ts');

export interface runner_options {
  root: string;
  exercise: string;
  /** The folder the unmutated files come from. */
  source_dir: string;
  /** The unmutated files (name -> text). */
  files: Record<string, string>;
  typecheck?: boolean;
  /**
   * Stop each mutant at its first failing check (default true). The baseline
   * always runs every check: it sets the time limit, which must cover a
   * mutant that passes them all.
   */
  bail?: boolean;
  /** Workers run side by side (default 1; each loads the suite once). */
  jobs?: number;
  /** Minimum wall-clock limit per mutant (default 20 s). */
  min_timeout_ms?: number;
}

export interface job {
  key: string;
  files: Record<string, string>;
}

class worker_handle {
  private child: ChildProcess;
  private waiting: ((r: worker_reply) => void) | null = null;
  private exited: (() => void) | null = null;
  readonly ready: Promise<void>;

  constructor(init: worker_init) {
    this.child = fork(WORKER, [], { execArgv: ['--import', TSX_LOADER, '--max-old-space-size=1536'], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    this.child.on('message', (m: worker_reply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(m);
    });
    this.child.on('exit', () => {
      const w = this.waiting;
      this.waiting = null;
      w?.({ kind: 'error', message: 'the worker exited' });
      this.exited?.();
    });
    this.ready = this.request(init).then((r) => {
      if (r.kind !== 'ready') throw new Error(`mutation worker failed to start: ${r.kind === 'error' ? r.message : r.kind}`);
    });
  }

  request(msg: worker_init | worker_run, timeout_ms = 300_000): Promise<worker_reply | { kind: 'timeout' }> {
    return new Promise<worker_reply | { kind: 'timeout' }>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        resolve({ kind: 'timeout' });
      }, timeout_ms);
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.child.send(msg);
    });
  }

  /** stop - end this worker (our own child, by its handle) and wait for it to go. */
  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.exited = resolve;
      this.child.kill('SIGKILL');
    });
  }
}

/**
 * run_mutants - evaluate the unmutated files first (the baseline, which sets
 * the time limit), then each job. Calls @on_result as verdicts arrive.
 */
export async function run_mutants(
  opts: runner_options,
  jobs: readonly job[],
  on_result: (key: string, e: evaluation) => void = () => {},
): Promise<{ baseline: evaluation; results: Map<string, evaluation> }> {
  const temp_base = mkdtempSync(join(tmpdir(), 'shrinker-mutate-run-'));
  const init: worker_init = { kind: 'init', root: opts.root, exercise: opts.exercise, source_dir: opts.source_dir, typecheck: opts.typecheck ?? true, temp_base };
  const workers: worker_handle[] = [];
  const results = new Map<string, evaluation>();
  /** run - one job on worker slot @slot; a worker that times out or dies is replaced. */
  const run = async (slot: number, key: string, files: Record<string, string>, timeout_ms: number, bail: boolean): Promise<evaluation> => {
    const r = await workers[slot]!.request({ kind: 'run', key, files, bail }, timeout_ms);
    if (r.kind === 'result') return r.evaluation;
    await workers[slot]!.stop();
    workers[slot] = new worker_handle(init);
    await workers[slot].ready;
    if (r.kind === 'timeout') return { status: 'timeout', failed: [], detail: `no verdict after ${Math.round(timeout_ms / 1000)} s (a loop that never yields to the model)`, ms: timeout_ms };
    return { status: 'crashed', failed: [], detail: r.kind === 'error' ? r.message.split('\n')[0]! : 'crashed', ms: 0 };
  };
  try {
    workers.push(new worker_handle(init));
    await workers[0]!.ready;
    const baseline = await run(0, 'baseline', opts.files, 600_000, false);
    const limit = Math.max(opts.min_timeout_ms ?? 20_000, 10 * baseline.ms);
    for (let i = 1; i < Math.max(1, Math.min(opts.jobs ?? 1, jobs.length)); i++) workers.push(new worker_handle(init));
    await Promise.all(workers.map((w) => w.ready));
    let next = 0;
    await Promise.all(
      workers.map(async (_, slot) => {
        while (next < jobs.length) {
          const j = jobs[next++]!;
          const e = await run(slot, j.key, j.files, limit, opts.bail ?? true);
          results.set(j.key, e);
          on_result(j.key, e);
        }
      }),
    );
    return { baseline, results };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    rmSync(temp_base, { recursive: true, force: true });
  }
}
