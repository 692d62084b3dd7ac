// The one way learner code is run: a child process of course/worker.ts,
// with one set of limits, one result channel and one parser. The learner's
// loop (course/isolate.ts, course/warm.ts), `shrinker-lab replay` and the
// grader all start their children here: this is the security boundary, so
// there is one place to harden and test.
//
// Each child:
//   - runs in its own session and process group (detached): a timeout kills
//     the whole group (kill -pgid), and nothing the child does to "its"
//     group reaches the parent;
//   - has a heap cap (--max-old-space-size) and a resident-memory check: an
//     allocation storm ends the child as 'memory', never the machine;
//   - reports on file descriptor 3, a pipe only the worker writes: the first
//     line is RESULT_MARKER + {"nonce": N}, each result RESULT_MARKER + N +
//     JSON. Anything else on that pipe is an incident, reported to whoever
//     grades (forged or garbled lines never pass for results);
//   - has its stdout and stderr captured as "what the learner's code
//     printed", capped.
// Every live child is known here, so a grader that is interrupted (SIGINT,
// SIGTERM) can kill them all: kill_all_workers().
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { STALL_MS, WALL_BACKSTOP_MS, watch_cpu_budget } from './cpu_budget';
import { RESULT_MARKER } from './outcome';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The tsx loader, resolved once: a child running TypeScript needs it. */
export const TSX_LOADER = import.meta.resolve('tsx');
/** The worker entry point in this checkout (TypeScript, run through tsx). */
export const WORKER_TS = join(HERE, 'worker.ts');
/** The type checker's entry point: plain JavaScript, no tsx (course/typecheck_worker.mjs says why). */
export const TYPECHECK_WORKER = join(HERE, 'typecheck_worker.mjs');
/** The file descriptor of the result channel in the child. */
export const RESULT_FD = 3;

/** One set of limits for every child that runs learner code. */
/**
 * Seconds of CPU time one exercise's checks may use, in the learner's loop and in the grader
 * alike (--timeout). Only a backstop for code that never reaches a schedule point: the checks
 * budget their work in model steps. 09's reference needs about 95 s of it (session 14), so the
 * grader's old default of 60 s failed correct answers and refused 09's own starter.
 */
export const CHECKS_TIMEOUT_S = 300;

export const LIMITS = {
  /**
   * One request, start-up included: CPU time of the child (course/cpu_budget.ts),
   * so that a busy machine never turns a slow pass into a timeout.
   */
  timeout_ms: 60_000,
  /** Bytes of stdout+stderr a request may print; more ends it. */
  max_output: 1 << 20,
  /** What is kept of that output for the report. */
  output_kept: 1 << 16,
  /** V8 heap of the child (--max-old-space-size), MiB. */
  heap_mb: 512,
  /** Resident memory of the child, MiB, checked while it runs (buffers outside the heap count too). */
  rss_mb: 1024,
  /** How often the resident memory is read (a check, not a deadline: results never depend on it). */
  rss_poll_ms: 200,
} as const;

/**
 * The learner's code: check, serve, grade, replay. 'read': the grader's reader of learner files
 * (grader/read_child.ts), 'typecheck': the grader's type check (grader/typecheck_child.ts); both
 * parse the learner's files and never run them, and the learner's text chooses their cost.
 */
export type worker_verb = 'check' | 'serve' | 'grade' | 'replay' | 'read' | 'typecheck';

export interface spawn_options {
  verb: worker_verb;
  /** Arguments after the verb. */
  args: readonly string[];
  cwd: string;
  /** The worker module (default WORKER_TS); the grader runs its tree's transpiled worker.js. */
  worker?: string;
  /** Load TypeScript through tsx (default: when the worker ends in .ts). */
  loader?: boolean;
  /** More node flags (the grader's sandbox flags). */
  node_flags?: readonly string[];
  heap_mb?: number;
  /** stdin: a pipe for 'serve' (requests), ignored otherwise. */
  stdin?: 'pipe' | 'ignore';
  /** Variables added to the child's environment (the type check's NODE_PATH). */
  env?: Readonly<Record<string, string>>;
}

export type worker_child = ChildProcess & { stdin: Writable | null; stdout: Readable | null; stderr: Readable | null };

const live = new Set<worker_child>();
/** Worker children this process has started, by verb (workers_started). */
const started = new Map<worker_verb | 'hidden', number>();

/**
 * workers_started - how many worker children this process has started with
 * @verb ('hidden': grading children that run hidden suites), for a grader
 * that must show it started none (the hidden suites before their date).
 */
export function workers_started(verb: worker_verb | 'hidden'): number {
  return started.get(verb) ?? 0;
}

/**
 * Node flags of the children that run the model (checks, replays): a young
 * generation of up to 32 MiB a semi-space (V8's default stops at 16). The
 * model allocates short-lived objects at every step (descriptors of the
 * run-time watch, held-lock copies, schedule records): with the default,
 * scavenges run twice as often. GC only: no result can depend on it. 06's reference checks, CPU s, interleaved pairs on a loaded machine:
 * 12.99 -> 10.32, 9.72 -> 9.12, 9.29 -> 9.25 (scavenges 306 -> 166); an
 * exploration measured -24% in session 14. The type checker's own
 * TYPECHECK_FLAGS (course/warm.ts) come later in the arguments and win.
 */
export const MODEL_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** node_args - the full argument list of a worker child. */
export function node_args(o: spawn_options): string[] {
  const worker = o.worker ?? WORKER_TS;
  const loader = o.loader ?? worker.endsWith('.ts');
  const model = o.verb === 'check' || o.verb === 'serve' || o.verb === 'grade' || o.verb === 'replay';
  return [
    `--max-old-space-size=${o.heap_mb ?? LIMITS.heap_mb}`,
    '--experimental-vm-modules',
    '--no-warnings',
    ...(model ? MODEL_FLAGS : []),
    ...(o.node_flags ?? []),
    ...(loader ? ['--import', TSX_LOADER] : []),
    worker,
    o.verb,
    ...o.args,
  ];
}

let exit_hooks = false;

/**
 * A child in its own session does not get the terminal's Ctrl-C: when this
 * process ends, its workers must end too. On exit, and on a signal nobody
 * else handles (the grader installs its own), kill every worker group, then
 * let the signal do what it would have done.
 */
function install_exit_hooks(): void {
  if (exit_hooks) return;
  exit_hooks = true;
  process.on('exit', () => kill_all_workers());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(sig) > 0) continue;
    const on_signal = () => {
      kill_all_workers();
      process.removeListener(sig, on_signal);
      process.kill(process.pid, sig);
    };
    process.on(sig, on_signal);
  }
}

/**
 * worker_env - the child's environment: this process's, with glibc's malloc
 * held to two arenas unless the caller chose otherwise. V8's background
 * threads (concurrent compilation, GC) each get an arena of their own by
 * default, and memory freed in them stays resident: a cold check (the
 * compiler loaded for the type check and the transpile) peaked at 399 MB
 * with the default and 328 MB with two arenas; a warm one 159 -> 156 MB,
 * CPU time unchanged (session 8, exercise 01's solution, /usr/bin/time -v).
 */
export function worker_env(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2' };
}

/** spawn_worker - start a worker child in its own session and process group. */
export function spawn_worker(o: spawn_options): worker_child {
  install_exit_hooks();
  const out = 'pipe';
  const child = spawn(process.execPath, node_args(o), {
    cwd: o.cwd,
    env: worker_env({ ...process.env, ...o.env }),
    detached: true,
    stdio: [o.stdin ?? 'ignore', out, out, 'pipe'],
  }) as worker_child;
  live.add(child);
  started.set(o.verb, workers_started(o.verb) + 1);
  if (o.args.includes('--hidden')) started.set('hidden', workers_started('hidden') + 1);
  child.on('exit', () => live.delete(child));
  return child;
}

/** kill_worker - SIGKILL the child's whole process group (it may have started others). */
export function kill_worker(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** kill_all_workers - kill every live worker group (an interrupted grader cleans up). Returns how many. */
export function kill_all_workers(): number {
  const n = live.size;
  for (const c of [...live]) kill_worker(c);
  return n;
}

/** The result pipe of a child (fd 3), or null when it was not created. */
export function result_pipe(child: worker_child): Readable | null {
  return (child.stdio[RESULT_FD] as Readable | null | undefined) ?? null;
}

/** Resident memory of @pid in MiB (Linux /proc), or null when unknown. */
export function rss_mb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * result_channel - the one parser of the result pipe. Feed it the pipe's
 * text as it arrives; it keeps the nonce from the first line, hands every
 * line carrying it to @on_result (the JSON after the nonce, parsed), and
 * records everything else as an incident.
 */
export class result_channel {
  nonce: string | null = null;
  readonly incidents: string[] = [];
  private buf = '';

  constructor(private readonly on_result: (payload: unknown) => void) {}

  feed(text: string): void {
    this.buf += text;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.line(line);
    }
    if (this.buf.length > LIMITS.max_output) {
      this.incident(`an unterminated line of ${this.buf.length} bytes on the result channel`);
      this.buf = '';
    }
  }

  /** end - the pipe closed: a partial last line is an incident. */
  end(): void {
    if (this.buf) this.incident(`a partial line on the result channel: ${preview(this.buf)}`);
    this.buf = '';
  }

  private line(line: string): void {
    if (!line) return;
    if (!line.startsWith(RESULT_MARKER)) return this.incident(`a line without the result marker: ${preview(line)}`);
    const rest = line.slice(RESULT_MARKER.length);
    if (this.nonce === null) {
      try {
        const hello = JSON.parse(rest) as { nonce?: unknown };
        if (typeof hello.nonce === 'string' && /^[0-9a-f]{32}$/.test(hello.nonce)) {
          this.nonce = hello.nonce;
          return;
        }
      } catch {
        /* below */
      }
      this.nonce = '';
      return this.incident(`the first line is not the worker's greeting: ${preview(line)}`);
    }
    if (!this.nonce || !rest.startsWith(this.nonce)) return this.incident(`a result line without the worker's nonce: ${preview(line)}`);
    let payload: unknown;
    try {
      payload = JSON.parse(rest.slice(this.nonce.length));
    } catch {
      return this.incident(`a result line that is not JSON: ${preview(line)}`);
    }
    this.on_result(payload);
  }

  incident(text: string): void {
    if (this.incidents.length < 20) this.incidents.push(text);
  }
}

function preview(s: string): string {
  const t = s.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(t.length > 160 ? `${t.slice(0, 160)}…` : t);
}

export interface run_options extends spawn_options {
  timeout_ms?: number;
  max_output?: number;
  rss_mb?: number;
  /**
   * Show what the child prints as it prints it (replay), besides capturing it. Never straight to the
   * terminal: a student's code, or a "schedule string" someone sent, printed escapes there that set the
   * title, cleared the screen and drew a fake verdict (grader red team 12 #07); @echo filters them.
   */
  echo?: (which: 'out' | 'err', text: string) => void;
}

export interface run_outcome {
  /** Results received (parsed JSON payloads, in order). */
  results: unknown[];
  /** Lines on the result channel that were not results (forged, garbled). */
  incidents: string[];
  /** What the child printed (stdout then stderr), capped at LIMITS.output_kept. */
  output: string;
  /** Why the runner stopped the child, if it did. */
  stopped: 'timeout' | 'stalled' | 'output' | 'memory' | null;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The tail of stderr (for "ended before reporting" messages). */
  stderr_tail: string;
  ms: number;
}

/** run_worker - run one worker child to its end, within the limits. */
export function run_worker(o: run_options): Promise<run_outcome> {
  const timeout = o.timeout_ms ?? LIMITS.timeout_ms;
  const cap = o.max_output ?? LIMITS.max_output;
  const rss_cap = o.rss_mb ?? LIMITS.rss_mb;
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn_worker(o);
    const results: unknown[] = [];
    const channel = new result_channel((p) => results.push(p));
    let out = '';
    let err = '';
    let printed = 0;
    let stopped: run_outcome['stopped'] = null;
    const stop = (why: NonNullable<run_outcome['stopped']>) => {
      if (stopped) return;
      stopped = why;
      kill_worker(child);
    };
    const end_budget = watch_cpu_budget(child.pid, timeout, LIMITS.rss_poll_ms, (why) => stop(why === 'cpu' ? 'timeout' : 'stalled'));
    const poll = setInterval(() => {
      const mb = child.pid !== undefined ? rss_mb(child.pid) : null;
      if (mb !== null && mb > rss_cap) stop('memory');
    }, LIMITS.rss_poll_ms);
    const take = (which: 'out' | 'err') => (b: Buffer) => {
      printed += b.length;
      const s = b.toString();
      o.echo?.(which, s);
      if (which === 'out') out = (out + s).slice(0, LIMITS.output_kept);
      else err = (err + s).slice(-LIMITS.output_kept);
      if (printed > cap) stop('output');
    };
    child.stdout?.on('data', take('out'));
    child.stderr?.on('data', take('err'));
    result_pipe(child)?.on('data', (b: Buffer) => channel.feed(b.toString()));
    child.on('close', (code, signal) => {
      end_budget();
      clearInterval(poll);
      channel.end();
      // V8's own heap limit ends the child with this on stderr.
      if (!stopped && /JavaScript heap out of memory|Reached heap limit/.test(err)) stopped = 'memory';
      done({
        results,
        incidents: channel.incidents,
        output: `${out}${err}`.slice(0, LIMITS.output_kept),
        stopped,
        code,
        signal,
        stderr_tail: err.trim().split('\n').slice(-8).join('\n'),
        ms: Date.now() - t0,
      });
    });
  });
}

/** The message for a child the runner stopped, in the learner's terms. */
export function stopped_message(why: NonNullable<run_outcome['stopped']>, o: { timeout_ms?: number; max_output?: number; rss_mb?: number; heap_mb?: number }): string {
  switch (why) {
    case 'timeout':
      // A loop that keeps calling the model is the model's soft lockup (kernel/watchdog.ts); what
      // reaches this host backstop runs JavaScript alone, never calling into the kernel.
      return `used ${Math.round((o.timeout_ms ?? LIMITS.timeout_ms) / 1000)} s of CPU time without finishing and was stopped (the backstop, not the model): a loop that never calls into the kernel, such as \`while (x) {}\` or \`while (x) await Promise.resolve()\` waiting for something only another task could change?`;
    case 'stalled':
      return `used no CPU for ${Math.round(Math.max(STALL_MS, o.timeout_ms ?? LIMITS.timeout_ms) / 1000)} s (or ran ${WALL_BACKSTOP_MS / 60_000} min in all) without finishing and was stopped (the backstop, not the model): is it waiting on something outside the model (a real timer, a pipe) that never comes?`;
    case 'output':
      return `printed more than ${o.max_output ?? LIMITS.max_output} bytes and was stopped: is something printing in a loop?`;
    case 'memory':
      return `used more memory than allowed (${o.heap_mb ?? LIMITS.heap_mb} MiB of heap, ${o.rss_mb ?? LIMITS.rss_mb} MiB resident) and was stopped: is something allocating in a loop?`;
  }
}
