// Timing primitives for the benchmarks: medians, wall time of a child
// process, and waiting for a pattern in a stream without polling (so the
// measured latency is not rounded up to a polling interval).
// Benchmarks measure; they never assert. A failing command is recorded with
// its exit code, not thrown.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** median - the middle value (upper middle for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const now = (): number => performance.now();

/**
 * cpu_now - CPU time this process has used, in ms (user + system, every
 * thread). The in-process rows (the model, the explorer) are timed with it:
 * on a shared machine their wall time mostly measures the other processes
 * (a run at load 25 took 3x its load-5 wall time), their CPU time does not.
 */
export function cpu_now(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const ENV = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };

export interface timed_exit {
  ms: number;
  code: number;
  /** The last 4 KiB of stdout (the summary line of most commands is there). */
  tail: string;
}

/** time_process - wall time from spawn to exit of @cmd @args in @cwd; output is discarded. */
export function time_process(cmd: string, args: readonly string[], cwd: string): Promise<timed_exit> {
  return new Promise((res, rej) => {
    const t0 = now();
    const child = spawn(cmd, args, { cwd, env: ENV, stdio: ['ignore', 'pipe', 'ignore'] });
    let tail = '';
    child.stdout.on('data', (b: Buffer) => (tail = (tail + b.toString()).slice(-4096)));
    child.on('error', rej);
    // 'close', not 'exit': the process has exited and its output is all read.
    child.on('close', (code, signal) => res({ ms: now() - t0, code: code ?? (signal ? 128 : 1), tail }));
  });
}

/** repeat_process - run @cmd @reps times in a row; every wall time and exit code, and the last run's output tail. */
export async function repeat_process(reps: number, cmd: string, args: readonly string[], cwd: string): Promise<{ all: number[]; codes: number[]; tail: string }> {
  const all: number[] = [];
  const codes: number[] = [];
  let tail = '';
  for (let i = 0; i < reps; i++) {
    const r = await time_process(cmd, args, cwd);
    all.push(r.ms);
    codes.push(r.code);
    tail = r.tail;
  }
  return { all, codes, tail };
}

/**
 * output_watcher - collects a child's output and resolves wait_for(re, from)
 * on the data event that completes a match after offset @from; resolves with
 * the offset just past the match and the time it arrived.
 */
export function output_watcher(...streams: Readable[]): { text: () => string; wait_for: (re: RegExp, from: number, ms: number) => Promise<{ at: number; t: number }> } {
  let out = '';
  let waiter: (() => void) | null = null;
  for (const s of streams) {
    s.on('data', (b: Buffer) => {
      out += b.toString();
      waiter?.();
    });
  }
  const wait_for = (re: RegExp, from: number, ms: number) =>
    new Promise<{ at: number; t: number }>((res, rej) => {
      const timer = setTimeout(() => {
        waiter = null;
        rej(new Error(`timed out after ${ms} ms waiting for ${re}; output so far:\n${out.slice(-2000)}`));
      }, ms);
      const check = () => {
        const m = re.exec(out.slice(from));
        if (!m) return;
        clearTimeout(timer);
        waiter = null;
        res({ at: from + m.index + m[0].length, t: now() });
      };
      waiter = check;
      check();
    });
  return { text: () => out, wait_for };
}
