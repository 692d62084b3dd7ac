// A warm checker for the learner's loop: one long-lived worker process
// (course/worker.ts --serve) that keeps the tsx loader, the TypeScript
// program and the kernel model loaded, so a re-check after a save does not
// pay process start-up. The learner's code still runs outside the loop's
// own process: an infinite loop, a crash or a process.exit() there ends
// the worker, never the loop. This client:
//   - spawns the worker lazily (or on start()) and keeps it;
//   - sends one request at a time (the model allows one run at a time) and
//     queues the rest;
//   - gives each request a time limit: past it, the worker is killed (it is
//     stuck in the learner's code) and the request answers 'timeout';
//   - restarts the worker after a crash, after a timeout, and after a number
//     of requests (every re-check imports the learner's files anew, so a
//     long session would otherwise keep every old copy in memory);
//   - collects what the learner's code printed (capped) and answers
//     'crashed' when it prints too much;
//   - type-checks in a second warm worker (--typecheck-only), which keeps
//     the compiler's program over the model ready between saves and fills
//     the transpile cache, so the process that runs the checks never loads
//     the compiler: a first check peaked at 264-298 MB with both in one
//     process.
// The child is started by course/runner.ts (the one runner of learner code:
// its own process group, the common limits, results on the result pipe).
import { compiles, type exercise_run } from './outcome';
import { watch_cpu_budget } from './cpu_budget';
import { kill_worker, LIMITS, result_channel, result_pipe, spawn_worker, stopped_message, TYPECHECK_WORKER, type worker_child } from './runner';

export interface warm_options {
  /** Course root with the checks, the model and the manifest. */
  root: string;
  /** CPU-time limit of one request, start-up included (default LIMITS.timeout_ms; course/cpu_budget.ts). */
  timeout_ms?: number;
  /** Bytes of output one request may print (default LIMITS.max_output); more ends it as 'crashed'. */
  max_output?: number;
  /** Restart the worker after this many requests (default 100). */
  recycle_after?: number;
  /** Get the type checker ready between requests, for the next save (default true; verify's lanes check other exercises next). */
  prepare_typecheck?: boolean;
  /** Extra node flags for the worker. */
  node_flags?: string[];
  /** What the worker does: run the checks (default), or only type-check (the companion a checks worker keeps). */
  role?: 'checks' | 'typecheck';
}

export interface warm_result {
  run: exercise_run;
  /** What the learner's code printed during this request (stdout and stderr, capped). */
  output: string;
}

interface pending {
  req: number;
  exercise: string;
  dir: string;
  typecheck: boolean;
  /** This request's time limit (default the worker's). */
  timeout_ms: number;
  resolve: (r: warm_result) => void;
}

type worker_process = worker_child;

/**
 * Node flags of the type checker: a young generation of 1 MiB (V8's default
 * grows it to 16 MiB and more), for a process whose heap is one long-lived
 * program: 243 -> 214 MB resident for 01's first type check, same CPU time.
 */
export const TYPECHECK_FLAGS = ['--max-semi-space-size=1'];

/** Output kept for the learner to read, per request. */
const OUTPUT_SHOWN = 4000;

/** warm_worker - a client for course/worker.ts --serve. */
export class warm_worker {
  private child: worker_process | null = null;
  private queue: pending[] = [];
  private active: pending | null = null;
  /** Ends the CPU-time watch of the active request (course/cpu_budget.ts). */
  private end_budget: (() => void) | null = null;
  private printed = '';
  private printed_bytes = 0;
  private served = 0;
  private started_at = 0;
  private next_req = 1;
  private closed = false;
  private stopping: 'timeout' | 'stalled' | 'output' | 'recycle' | null = null;
  /** How many times the worker was started (1 after the first request). */
  starts = 0;
  /** The type-checking companion (role 'checks' only), started with this one. */
  private readonly typecheck: warm_worker | null;

  constructor(private readonly opts: warm_options) {
    this.typecheck = opts.role === 'typecheck' ? null : new warm_worker({ ...opts, role: 'typecheck', node_flags: [...(opts.node_flags ?? []), ...TYPECHECK_FLAGS] });
  }

  /** start - spawn the worker now, so that the first check finds it loaded. */
  start(): void {
    if (!this.child && !this.closed) this.spawn();
    this.typecheck?.start();
  }

  /**
   * check - check @exercise from the learner's files in @dir (queued behind
   * earlier requests): the type check in the companion first, then the
   * checks here. The time is both together, the output both's.
   */
  async check(exercise: string, dir: string, opts: { typecheck?: boolean; timeout_ms?: number } = {}): Promise<warm_result> {
    if (!this.typecheck || opts.typecheck === false) return this.request(exercise, dir, opts);
    const t = await this.typecheck.request(exercise, dir, { timeout_ms: opts.timeout_ms });
    if (!compiles(t.run)) return t;
    const r = await this.request(exercise, dir, { ...opts, typecheck: false });
    return { run: { ...r.run, ms: r.run.ms + t.run.ms }, output: t.output + r.output };
  }

  private request(exercise: string, dir: string, opts: { typecheck?: boolean; timeout_ms?: number }): Promise<warm_result> {
    if (this.closed) return Promise.resolve(this.failed(exercise, 'crashed', 'the checker was closed'));
    const timeout_ms = opts.timeout_ms ?? this.opts.timeout_ms ?? LIMITS.timeout_ms;
    return new Promise((resolve) => {
      this.queue.push({ req: this.next_req++, exercise, dir, typecheck: opts.typecheck !== false, timeout_ms, resolve });
      this.pump();
    });
  }

  /** close - stop the worker; queued requests answer 'crashed'. */
  close(): void {
    this.typecheck?.close();
    this.closed = true;
    for (const p of this.queue.splice(0)) p.resolve(this.failed(p.exercise, 'crashed', 'the checker was closed'));
    if (this.active) {
      const p = this.active;
      this.active = null;
      p.resolve(this.failed(p.exercise, 'crashed', 'the checker was closed'));
    }
    this.end_budget_watch();
    if (this.child) {
      this.child.stdin?.end();
      kill_worker(this.child);
      this.child = null;
    }
  }

  private spawn(): void {
    const flags = [...(this.opts.prepare_typecheck === false ? ['--no-prepare'] : []), ...(this.opts.role === 'typecheck' ? ['--typecheck-only'] : [])];
    // The type checker runs as plain JavaScript, without tsx (course/typecheck_worker.mjs).
    const worker = this.opts.role === 'typecheck' ? TYPECHECK_WORKER : undefined;
    const child = spawn_worker({ verb: 'serve', args: ['--root', this.opts.root, ...flags], cwd: this.opts.root, stdin: 'pipe', node_flags: this.opts.node_flags, worker });
    this.child = child;
    this.served = 0;
    this.starts++;
    const channel = new result_channel((payload) => {
      if (child === this.child) this.on_result(payload);
    });
    child.stdout?.on('data', (b: Buffer) => this.on_printed(child, b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.on_printed(child, b.toString()));
    result_pipe(child)?.on('data', (b: Buffer) => channel.feed(b.toString()));
    child.stdin?.on('error', () => {}); // a dead worker's pipe: 'close' below handles it
    child.on('close', (code, signal) => this.on_close(child, code, signal));
  }

  private pump(): void {
    if (this.active || this.closed) return;
    const p = this.queue.shift();
    if (!p) return;
    if (!this.child) this.spawn();
    this.active = p;
    this.started_at = Date.now();
    this.printed = '';
    this.printed_bytes = 0;
    // The worker lives on between requests: the budget counts the CPU this request uses from here.
    this.end_budget = watch_cpu_budget(this.child!.pid, p.timeout_ms, LIMITS.rss_poll_ms, (why) => this.stop_child(why === 'cpu' ? 'timeout' : 'stalled'));
    this.child!.stdin!.write(JSON.stringify({ req: p.req, exercise: p.exercise, dir: p.dir, typecheck: p.typecheck }) + '\n');
  }

  private on_printed(child: worker_process, text: string): void {
    if (child !== this.child || !this.active) return;
    this.printed_bytes += text.length;
    if (this.printed.length < OUTPUT_SHOWN) this.printed += text.slice(0, OUTPUT_SHOWN - this.printed.length);
    if (this.printed_bytes > (this.opts.max_output ?? LIMITS.max_output)) this.stop_child('output');
  }

  private on_result(payload: unknown): void {
    const p = this.active;
    if (!p || !payload || typeof payload !== 'object') return;
    const msg = payload as { req?: number; run?: exercise_run; error?: string };
    if (msg.req !== p.req) return; // a stale answer
    this.finish(msg.run ? { run: msg.run, output: this.printed } : this.failed(p.exercise, 'crashed', msg.error ?? 'the checker failed without a message'));
    this.served++;
    if (this.served >= (this.opts.recycle_after ?? 100)) this.stop_child('recycle');
    this.pump();
  }

  private on_close(child: worker_process, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    const why = this.stopping;
    this.stopping = null;
    const p = this.active;
    if (p) {
      const limits = { timeout_ms: p.timeout_ms, max_output: this.opts.max_output };
      if (why === 'timeout' || why === 'stalled') {
        this.finish(this.failed(p.exercise, 'timeout', stopped_message(why, limits)));
      } else if (why === 'output') {
        this.finish(this.failed(p.exercise, 'crashed', stopped_message('output', limits)));
      } else {
        const tail = this.printed.trim().split('\n').slice(-8).join('\n');
        this.finish(this.failed(p.exercise, 'crashed', `the check process ended before reporting (exit ${code ?? signal})${tail ? `:\n${tail}` : ''}`));
      }
    }
    this.pump();
  }

  private stop_child(why: 'timeout' | 'stalled' | 'output' | 'recycle'): void {
    if (!this.child || this.stopping) return;
    this.stopping = why;
    if (why === 'recycle') {
      // Idle: end it quietly and forget it, the next request starts a fresh one.
      const c = this.child;
      this.child = null;
      this.stopping = null;
      c.stdin?.end();
      kill_worker(c);
      return;
    }
    kill_worker(this.child);
  }

  private finish(r: warm_result): void {
    const p = this.active;
    this.active = null;
    this.end_budget_watch();
    p?.resolve(r);
  }

  private end_budget_watch(): void {
    this.end_budget?.();
    this.end_budget = null;
  }

  private failed(exercise: string, status: exercise_run['status'], message: string): warm_result {
    return { run: { exercise, status, results: [], diagnostics: [], message, ms: this.active ? Date.now() - this.started_at : 0 }, output: this.printed };
  }
}
