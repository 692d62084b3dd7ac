// Run one exercise's checks in a child process, with a time limit and capped
// output. Whatever the learner's code does (loop for ever, throw at import,
// call process.exit, print megabytes), the caller gets an exercise_run back.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER, type exercise_run } from './outcome';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The tsx loader, resolved once: the child needs it to import TypeScript. */
export const TSX_LOADER = import.meta.resolve('tsx');

export interface isolate_options {
  /** Course root with the checks and the model. */
  root: string;
  exercise: string;
  /** Folder with the learner's files. */
  dir: string;
  /** Default 60 s. */
  timeout_ms?: number;
  /** Bytes of stdout+stderr kept (default 1 MiB); more ends the run. */
  max_output?: number;
  typecheck?: boolean;
  /** Extra node flags (the grader adds permission flags). */
  node_flags?: string[];
  /** The worker module to run (default course/worker.ts next to this file; the grader runs its tree's worker.js). */
  worker?: string;
  /** Load TypeScript through tsx (default true; false for a transpiled worker.js). */
  loader?: boolean;
  /** Grading mode: freeze what the learner's code could patch (worker --harden). */
  harden?: boolean;
  /** More suites to run on the same files, paths relative to @root (worker --extra). */
  extra?: string[];
}

export interface isolated_run extends exercise_run {
  /** What the learner's code printed (stdout without the result lines, then stderr), capped at 64 KiB. */
  output?: string;
}

/**
 * parse_worker_output - the verdict in a worker's stdout (run with --nonce):
 * the first RESULT_MARKER line announces the nonce, and the one result line
 * must carry it. Lines a learner printed, with or without the marker, are
 * never taken for a result. Returns null when there is no valid result line.
 */
export function parse_worker_output(out: string): { run?: exercise_run; error?: string; forged: number } | null {
  const lines = out.split('\n');
  const hello = lines.find((l) => l.startsWith(RESULT_MARKER));
  if (!hello) return null;
  let nonce = '';
  try {
    nonce = (JSON.parse(hello.slice(RESULT_MARKER.length)) as { nonce?: string }).nonce ?? '';
  } catch {
    return null;
  }
  if (!/^[0-9a-f]{32}$/.test(nonce)) return null;
  const prefix = `${RESULT_MARKER}${nonce}`;
  const results = lines.filter((l) => l.startsWith(prefix));
  const forged = lines.filter((l) => l.startsWith(RESULT_MARKER) && l !== hello && !l.startsWith(prefix)).length;
  if (results.length !== 1) return null;
  try {
    return { ...(JSON.parse(results[0]!.slice(prefix.length)) as { run?: exercise_run; error?: string }), forged };
  } catch {
    return null;
  }
}

/** run_isolated - check @opts.exercise in a fresh child process. */
export function run_isolated(opts: isolate_options): Promise<isolated_run> {
  const timeout = opts.timeout_ms ?? 60_000;
  const cap = opts.max_output ?? 1 << 20;
  const args = [
    ...(opts.node_flags ?? []),
    ...(opts.loader === false ? [] : ['--import', TSX_LOADER]),
    opts.worker ?? join(HERE, 'worker.ts'),
    '--nonce',
    ...(opts.harden ? ['--harden'] : []),
    ...(opts.extra ?? []).flatMap((x) => ['--extra', x]),
    '--root',
    opts.root,
    '--exercise',
    opts.exercise,
    '--dir',
    opts.dir,
    ...(opts.typecheck === false ? ['--no-typecheck'] : []),
  ];
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: opts.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let why: 'timeout' | 'output' | null = null;
    const stop = (reason: 'timeout' | 'output') => {
      if (why) return;
      why = reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), timeout);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.length + err.length > cap) stop('output');
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      if (out.length + err.length > cap) stop('output');
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const base = { exercise: opts.exercise, results: [], diagnostics: [], ms: Date.now() - t0 };
      if (why === 'timeout') {
        return resolve({ ...base, status: 'timeout', message: `did not finish within ${Math.round(timeout / 1000)} s and was stopped: an infinite loop that never reaches a schedule point (a loop without await)?` });
      }
      if (why === 'output') {
        return resolve({ ...base, status: 'crashed', message: `printed more than ${cap} bytes and was stopped: is something printing in a loop?` });
      }
      const printed = `${out.split('\n').filter((l) => !l.startsWith(RESULT_MARKER)).join('\n')}${err}`.slice(0, 1 << 16);
      const msg = parse_worker_output(out);
      if (msg) {
        if (msg.run) return resolve({ ...msg.run, output: printed });
        return resolve({ ...base, output: printed, status: 'crashed', message: msg.error ?? 'the checker failed without a message' });
      }
      const tail = err.trim().split('\n').slice(-8).join('\n');
      resolve({
        ...base,
        output: printed,
        status: 'crashed',
        message: `the check process ended before reporting (exit ${code ?? signal})${tail ? `:\n${tail}` : ''}`,
      });
    });
  });
}
