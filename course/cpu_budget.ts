// The time limit on a child that runs learner code, counted in the child's own
// CPU time, so that a verdict never depends on how busy the machine is.
//
// On a quiet machine a check of 02 uses about 5 s of CPU in about 5 s; under
// load 80 on two cores the same check still uses about 5 s of CPU but takes
// minutes of wall time. A wall-clock limit would stop it there and call the
// learner's correct code an infinite loop. The child's CPU time (user plus
// system, from /proc/<pid>/stat) is what a runaway loop burns and what a
// busy machine does not inflate. Two backstops remain for a child that burns
// no CPU at all (blocked on something that will never come): it is stopped
// after STALL_MS of wall time without a single tick of CPU, and in any case
// after WALL_BACKSTOP_MS. And a child that sleeps (state S in /proc: a futex,
// Atomics.wait, not a runnable task waiting for a core) is stopped once its
// sleeps add up to STALL_MS, however it spaces them: red team 8 slept 100 s,
// spun 50 ms and slept again, never 120 s without a tick, and held a grading
// slot for the 30 minutes of the wall backstop. A child waiting for a CPU on a
// busy machine is runnable, never asleep, so load does not count.
// How long it slept is read from the scheduler's own record over the child's
// whole life, not sampled: /proc/<pid>/task/<tid>/schedstat gives each thread
// its time on a CPU and its time runnable but waiting for one. The main
// thread's wall time minus those two is the time it was asleep; minus what
// the other threads (V8's helpers, libuv's pool) ran or waited to run, it is
// time in which the whole process was asleep (a lower bound, so a main thread
// waiting for a starved GC helper never counts). However late or rarely the
// watch polls on a loaded machine, the sum is the same. Where schedstat is
// missing, sleeps are sampled at each poll (state S and no CPU moved).
// Where /proc cannot be read (not Linux), the budget falls back to wall time.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports utime/stime in clock ticks of USER_HZ, which is 100 on every architecture Node runs on. */
const MS_PER_TICK = 10;
/** Wall time a child may spend without using any CPU before it is called stalled. */
export const STALL_MS = 120_000;
/** Wall time after which any child is stopped, whatever its CPU time. */
export const WALL_BACKSTOP_MS = 30 * 60_000;

/**
 * cpu_ms - CPU time (user + system, all threads) that process @pid has used,
 * in ms; null when /proc/<pid>/stat cannot be read.
 */
export function cpu_ms(pid: number): number | null {
  return cpu_and_state(pid)?.ms ?? null;
}

/**
 * cpu_and_state - @pid's CPU time in ms and its scheduler state ('R'
 * running or runnable, 'S' asleep, ...: proc(5) field 3); null when
 * /proc/<pid>/stat cannot be read.
 */
export function cpu_and_state(pid: number): { ms: number; state: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); utime is field 14, stime field 15 (proc(5)).
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? { ms: (utime + stime) * MS_PER_TICK, state: rest[0] ?? '' } : null;
  } catch {
    return null;
  }
}

/** Per thread of a process: ns on a CPU and ns runnable waiting for one (proc(5) /proc/<pid>/task/<tid>/schedstat). */
export type thread_sched = Map<number, { run_ns: number; wait_ns: number }>;

/** sched_of - @pid's threads' schedstat, or null when it cannot be read (no such process, no CONFIG_SCHED_INFO). */
export function sched_of(pid: number): thread_sched | null {
  try {
    const out: thread_sched = new Map();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        if (Number.isFinite(run) && Number.isFinite(wait)) out.set(Number(tid), { run_ns: run!, wait_ns: wait! });
      } catch {
        /* a thread that just ended */
      }
    }
    return out.has(pid) ? out : null;
  } catch {
    return null;
  }
}

/**
 * asleep_ms - how long process @pid has been asleep as a whole since
 * @first (its schedstat then) over @wall_ms of wall time, from its threads'
 * schedstat @now: the main thread's wall time not on a CPU nor waiting for
 * one, less every other thread's time on a CPU or waiting for one (threads
 * seen in @first count from there, new ones from their start). Never below 0.
 * @seen keeps each thread's last record, so a thread that ended still counts.
 */
export function asleep_ms(pid: number, first: thread_sched, seen: thread_sched, now: thread_sched, wall_ms: number): number {
  for (const [tid, t] of now) seen.set(tid, t);
  let others_ns = 0;
  for (const [tid, t] of seen) {
    if (tid === pid) continue;
    const f = first.get(tid);
    others_ns += t.run_ns + t.wait_ns - (f ? f.run_ns + f.wait_ns : 0);
  }
  const main = seen.get(pid)!;
  const main0 = first.get(pid)!;
  const busy_ms = (main.run_ns - main0.run_ns + main.wait_ns - main0.wait_ns + others_ns) / 1e6;
  return Math.max(0, wall_ms - busy_ms);
}

/** Why a budget watch stopped the child. */
export type budget_overrun = 'cpu' | 'stalled' | 'wall';

/**
 * watch_cpu_budget - poll child @pid every @poll_ms and call @over once when,
 * counted from now, it has used more than @budget_ms of CPU ('cpu'; wall time
 * where CPU time cannot be read), used no CPU for STALL_MS or slept for STALL_MS in all ('stalled'), or run
 * for WALL_BACKSTOP_MS ('wall'). @stall_ms replaces STALL_MS (tests). Returns
 * the function that ends the watch.
 */
export function watch_cpu_budget(pid: number | undefined, budget_ms: number, poll_ms: number, over: (why: budget_overrun) => void, stall_ms = STALL_MS): () => void {
  const t0 = Date.now();
  const mono0 = performance.now();
  const cpu0 = pid === undefined ? null : cpu_ms(pid);
  const sched0 = pid === undefined ? null : sched_of(pid);
  const sched_seen: thread_sched = new Map(sched0 ?? []);
  let last_cpu = cpu0;
  let last_progress = t0;
  let last_poll = t0;
  /** Wall time in which the child was asleep as a whole: from schedstat (whole life), else summed over polls. */
  let asleep = 0;
  let done = false;
  const check = () => {
    if (done) return;
    const now = Date.now();
    const read = pid === undefined || cpu0 === null ? null : cpu_and_state(pid);
    const cpu = read === null ? null : read.ms;
    const sched = sched0 && pid !== undefined ? sched_of(pid) : null;
    if (sched0 && sched) asleep = asleep_ms(pid!, sched0, sched_seen, sched, performance.now() - mono0);
    else if (!sched0 && read !== null && read.ms === last_cpu && read.state === 'S') asleep += now - last_poll;
    last_poll = now;
    // Readable at the start and not now: the child has ended, and its 'close' ends this watch.
    // (Calling that an overrun would turn a slow pass into a timeout in the moment before 'close'.)
    if (cpu === null && cpu0 !== null) return;
    let why: budget_overrun | null = null;
    if (cpu === null) {
      if (now - t0 > budget_ms) why = 'cpu';
    } else {
      if (cpu !== last_cpu) {
        last_cpu = cpu;
        last_progress = now;
      }
      if (cpu - cpu0! > budget_ms) why = 'cpu';
      else if (now - last_progress > Math.max(stall_ms, budget_ms) || asleep > stall_ms) why = 'stalled';
    }
    if (!why && now - t0 > Math.max(WALL_BACKSTOP_MS, budget_ms)) why = 'wall';
    if (why) {
      stop();
      over(why);
    }
  };
  const timer = setInterval(check, poll_ms);
  const stop = () => {
    done = true;
    clearInterval(timer);
  };
  return stop;
}
