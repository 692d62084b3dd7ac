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
//     'crashed' when it prints too much.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { TSX_LOADER } from './isolate';
import { RESULT_MARKER, type exercise_run } from './outcome';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface warm_options {
  /** Course root with the checks, the model and the manifest. */
  root: string;
  /** Time limit of one request, start-up included (default 30 s). */
  timeout_ms?: number;
  /** Bytes of output one request may print (default 256 KiB); more ends it as 'crashed'. */
  max_output?: number;
  /** Restart the worker after this many requests (default 100). */
  recycle_after?: number;
  /** Extra node flags for the worker. */
  node_flags?: string[];
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
  resolve: (r: warm_result) => void;
}

type worker_process = ChildProcessByStdio<Writable, Readable, Readable>;

/** Output kept for the learner to read, per request. */
const OUTPUT_SHOWN = 4000;

/** warm_worker - a client for course/worker.ts --serve. */
export class warm_worker {
  private child: worker_process | null = null;
  private buf = '';
  private queue: pending[] = [];
  private active: pending | null = null;
  private timer: NodeJS.Timeout | null = null;
  private printed = '';
  private printed_bytes = 0;
  private served = 0;
  private started_at = 0;
  /** The worker's nonce (course/worker.ts --nonce): result lines must carry it. '' when the worker has none. */
  private nonce: string | null = null;
  private next_req = 1;
  private closed = false;
  private stopping: 'timeout' | 'output' | 'recycle' | null = null;
  /** How many times the worker was started (1 after the first request). */
  starts = 0;

  constructor(private readonly opts: warm_options) {}

  /** start - spawn the worker now, so that the first check finds it loaded. */
  start(): void {
    if (!this.child && !this.closed) this.spawn();
  }

  /** check - check @exercise from the learner's files in @dir (queued behind earlier requests). */
  check(exercise: string, dir: string, opts: { typecheck?: boolean } = {}): Promise<warm_result> {
    if (this.closed) return Promise.resolve(this.failed(exercise, 'crashed', 'the checker was closed'));
    return new Promise((resolve) => {
      this.queue.push({ req: this.next_req++, exercise, dir, typecheck: opts.typecheck !== false, resolve });
      this.pump();
    });
  }

  /** close - stop the worker; queued requests answer 'crashed'. */
  close(): void {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.resolve(this.failed(p.exercise, 'crashed', 'the checker was closed'));
    if (this.active) {
      const p = this.active;
      this.active = null;
      p.resolve(this.failed(p.exercise, 'crashed', 'the checker was closed'));
    }
    this.clear_timer();
    if (this.child) {
      this.child.stdin.end();
      this.child.kill('SIGKILL');
      this.child = null;
    }
  }

  private spawn(): void {
    const args = [...(this.opts.node_flags ?? []), '--import', TSX_LOADER, join(HERE, 'worker.ts'), '--serve', '--nonce', '--root', this.opts.root];
    const child = spawn(process.execPath, args, { cwd: this.opts.root, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.buf = '';
    this.nonce = null;
    this.served = 0;
    this.starts++;
    child.stdout.on('data', (b: Buffer) => this.on_stdout(child, b.toString()));
    child.stderr.on('data', (b: Buffer) => this.on_printed(child, b.toString()));
    child.stdin.on('error', () => {}); // a dead worker's pipe: 'close' below handles it
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
    this.timer = setTimeout(() => this.stop_child('timeout'), this.opts.timeout_ms ?? 30_000);
    this.child!.stdin.write(JSON.stringify({ req: p.req, exercise: p.exercise, dir: p.dir, typecheck: p.typecheck }) + '\n');
  }

  private on_stdout(child: worker_process, text: string): void {
    if (child !== this.child) return;
    this.buf += text;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.startsWith(RESULT_MARKER)) this.on_marker(child, line);
      else if (line) this.on_printed(child, line + '\n');
    }
  }

  /**
   * A marker line. The worker's first one announces its nonce ({"nonce": N},
   * printed before any learner code is loaded); after that only lines with
   * marker + N are results, and any other marker line is something the
   * learner's code printed. A worker without --nonce support starts with a
   * result straight away: then no nonce is required.
   */
  private on_marker(child: worker_process, line: string): void {
    const rest = line.slice(RESULT_MARKER.length);
    if (this.nonce === null) {
      try {
        const hello = JSON.parse(rest) as { nonce?: unknown; req?: unknown };
        if (typeof hello.nonce === 'string' && hello.req === undefined) {
          this.nonce = hello.nonce;
          return;
        }
      } catch {
        // not JSON: handled as a result below (and ignored there)
      }
      this.nonce = '';
    }
    if (this.nonce && !rest.startsWith(this.nonce)) return this.on_printed(child, line + '\n');
    this.on_result(rest.slice(this.nonce.length));
  }

  private on_printed(child: worker_process, text: string): void {
    if (child !== this.child || !this.active) return;
    this.printed_bytes += text.length;
    if (this.printed.length < OUTPUT_SHOWN) this.printed += text.slice(0, OUTPUT_SHOWN - this.printed.length);
    if (this.printed_bytes > (this.opts.max_output ?? 256 * 1024)) this.stop_child('output');
  }

  private on_result(json: string): void {
    const p = this.active;
    if (!p) return;
    let msg: { req?: number; run?: exercise_run; error?: string };
    try {
      msg = JSON.parse(json) as typeof msg;
    } catch {
      return;
    }
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
      const limit = Math.round((this.opts.timeout_ms ?? 30_000) / 1000);
      if (why === 'timeout') {
        this.finish(this.failed(p.exercise, 'timeout', `did not finish within ${limit} s and was stopped: an infinite loop that never reaches a schedule point (a loop without await)?`));
      } else if (why === 'output') {
        this.finish(this.failed(p.exercise, 'crashed', `printed more than ${this.opts.max_output ?? 256 * 1024} bytes and was stopped: is something printing in a loop?`));
      } else {
        const tail = this.printed.trim().split('\n').slice(-8).join('\n');
        this.finish(this.failed(p.exercise, 'crashed', `the check process ended before reporting (exit ${code ?? signal})${tail ? `:\n${tail}` : ''}`));
      }
    }
    this.pump();
  }

  private stop_child(why: 'timeout' | 'output' | 'recycle'): void {
    if (!this.child || this.stopping) return;
    this.stopping = why;
    if (why === 'recycle') {
      // Idle: end it quietly and forget it, the next request starts a fresh one.
      const c = this.child;
      this.child = null;
      this.stopping = null;
      c.stdin.end();
      c.kill('SIGKILL');
      return;
    }
    this.child.kill('SIGKILL');
  }

  private finish(r: warm_result): void {
    const p = this.active;
    this.active = null;
    this.clear_timer();
    p?.resolve(r);
  }

  private clear_timer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private failed(exercise: string, status: exercise_run['status'], message: string): warm_result {
    return { run: { exercise, status, results: [], diagnostics: [], message, ms: this.active ? Date.now() - this.started_at : 0 }, output: this.printed };
  }
}
