// Timing primitives for the benchmarks: medians, wall time of a child
// process, and waiting for a pattern in a stream without polling (so the
// measured latency is not rounded up to a polling interval).
// Benchmarks measure; they never assert. A failing command is recorded with
// its exit code, not thrown.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { children_cpu_ms, watch_peak_rss, type peak_reading } from './proc';

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
  /** CPU time of the process and every process it waited for (bench/proc.ts), ms; null without /proc. */
  cpu_ms: number | null;
  /** The largest peak resident memory of one process of its tree, sampled (bench/proc.ts). */
  peak: peak_reading;
}

/** time_process - wall time from spawn to exit of @cmd @args in @cwd, its tree's CPU time and peak memory; output is discarded. */
export function time_process(cmd: string, args: readonly string[], cwd: string): Promise<timed_exit> {
  return new Promise((res, rej) => {
    const cpu0 = children_cpu_ms();
    const t0 = now();
    const child = spawn(cmd, args, { cwd, env: ENV, stdio: ['ignore', 'pipe', 'ignore'] });
    const rss = child.pid ? watch_peak_rss(child.pid) : null;
    let tail = '';
    child.stdout.on('data', (b: Buffer) => (tail = (tail + b.toString()).slice(-4096)));
    child.on('error', (e) => {
      rss?.stop();
      rej(e);
    });
    // 'close', not 'exit': the process has exited (and was waited for: its CPU is in ours) and its output is all read.
    child.on('close', (code, signal) => {
      const ms = now() - t0;
      const peak = rss?.stop() ?? { mb: 0, role: '' };
      const cpu1 = children_cpu_ms();
      res({ ms, code: code ?? (signal ? 128 : 1), tail, cpu_ms: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null, peak });
    });
  });
}

export interface repeated {
  all: number[];
  codes: number[];
  tail: string;
  /** CPU time of each run (ms), where /proc could say. */
  cpu: number[];
  /** The largest peak of one process over the runs. */
  peak: peak_reading;
}

/** repeat_process - run @cmd @reps times in a row; every wall time, CPU time and exit code, the largest process, and the last run's output tail. */
export async function repeat_process(reps: number, cmd: string, args: readonly string[], cwd: string): Promise<repeated> {
  const all: number[] = [];
  const codes: number[] = [];
  const cpu: number[] = [];
  let peak: peak_reading = { mb: 0, role: '' };
  let tail = '';
  for (let i = 0; i < reps; i++) {
    const r = await time_process(cmd, args, cwd);
    all.push(r.ms);
    codes.push(r.code);
    if (r.cpu_ms !== null) cpu.push(r.cpu_ms);
    if (r.peak.mb > peak.mb) peak = r.peak;
    tail = r.tail;
  }
  return { all, codes, tail, cpu, peak };
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

/**
 * stop_and_reap - end a long-running child (a watcher) and wait until it has
 * exited and been waited for: its CPU then counts in this process's
 * children's time before the next row starts, not in that row's (session
 * 10: a watch's CPU, reaped late, showed up as 15 s of a trivial vitest run).
 */
export function stop_and_reap(child: ChildProcess, backstop_ms = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      res();
    }, backstop_ms);
    child.once('close', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}
