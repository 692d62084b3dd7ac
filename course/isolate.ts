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
}

/** run_isolated - check @opts.exercise in a fresh child process. */
export function run_isolated(opts: isolate_options): Promise<exercise_run> {
  const timeout = opts.timeout_ms ?? 60_000;
  const cap = opts.max_output ?? 1 << 20;
  const args = [
    ...(opts.node_flags ?? []),
    '--import',
    TSX_LOADER,
    join(HERE, 'worker.ts'),
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
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (line) {
        const msg = JSON.parse(line.slice(RESULT_MARKER.length)) as { run?: exercise_run; error?: string };
        if (msg.run) return resolve(msg.run);
        return resolve({ ...base, status: 'crashed', message: msg.error ?? 'the checker failed without a message' });
      }
      const tail = err.trim().split('\n').slice(-8).join('\n');
      resolve({
        ...base,
        status: 'crashed',
        message: `the check process ended before reporting (exit ${code ?? signal})${tail ? `:\n${tail}` : ''}`,
      });
    });
  });
}
