// The backstop on learner code counts the child's CPU time (course/cpu_budget.ts):
// a child that is slow because the machine is busy, or that sleeps, is not a
// child in an infinite loop. Each test waits for a real child, so each proves
// its claim whatever the load: the verdicts below hold on a quiet and on a
// saturated machine alike.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { asleep_ms, cpu_ms, sched_of, watch_cpu_budget, type budget_overrun, type thread_sched } from '../../course/cpu_budget';

const children: ChildProcess[] = [];
function node(code: string): ChildProcess {
  const c = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  children.push(c);
  return c;
}
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** The watch's verdict on @c, or 'exited' if the child ended first. */
function verdict(c: ChildProcess, budget_ms: number, stall_ms?: number): Promise<budget_overrun | 'exited'> {
  return new Promise((done) => {
    const end = watch_cpu_budget(c.pid, budget_ms, 50, (why) => done(why), stall_ms);
    c.on('exit', () => {
      end();
      done('exited');
    });
  });
}

describe('the CPU-time backstop', () => {
  it('reads a process’s own CPU time from /proc, growing while it computes', async () => {
    const c = node('const t = Date.now(); while (Date.now() - t < 400) {} setTimeout(() => {}, 60000);');
    const first = cpu_ms(c.pid!);
    expect(first).not.toBeNull();
    let now = first!;
    for (let i = 0; i < 2000 && now - first! < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      now = cpu_ms(c.pid!) ?? now;
    }
    expect(now - first!).toBeGreaterThanOrEqual(100);
    expect(cpu_ms(2 ** 22 + 12345)).toBeNull(); // no such process
  });

  it('stops an infinite loop once it has burnt its budget of CPU', async () => {
    expect(await verdict(node('for (;;) {}'), 300)).toBe('cpu');
  });

  it('lets a child that sleeps past the budget finish: wall time is not CPU time', async () => {
    expect(await verdict(node('setTimeout(() => {}, 1500)'), 300)).toBe('exited');
  });

  it('says nothing of a child that has ended, however long it ran: its end is not an overrun', async () => {
    // Sleeps past the budget in wall time, within it in CPU time, then ends; the watch outlives it
    // (as it does in the moment between the child's exit and its 'close'), and must stay silent.
    const c = node('setTimeout(() => {}, 1000)');
    const verdicts: budget_overrun[] = [];
    const end = watch_cpu_budget(c.pid, 400, 10, (why) => verdicts.push(why));
    await new Promise((r) => c.on('exit', r));
    await new Promise((r) => setTimeout(r, 500));
    end();
    expect(cpu_ms(c.pid!)).toBeNull();
    expect(verdicts).toEqual([]);
  });

  it('stops a child whose sleeps add up to the stall limit, however it spaces them and however rarely it is watched (red team 8 #01)', async () => {
    // Sleeps 400 ms, spins ~50 ms of CPU, 60 times, then ends: never 1 s without a tick, never near its
    // CPU budget; asleep 24 s in all. Atomics.wait, as the attack slept. Polled every 3 s, as a busy
    // machine may poll: every poll sees CPU moved since the last, so sampling its state at the polls
    // (the old rule) never saw it asleep and it ended ('exited'). The scheduler's record sees each sleep.
    const c = node('const cell = new Int32Array(new SharedArrayBuffer(4)); for (let i = 0; i < 60; i++) { Atomics.wait(cell, 0, 0, 400); const t = process.cpuUsage(); while (process.cpuUsage(t).user < 50000) {} }');
    const end_poll = 3000;
    const got = await new Promise<budget_overrun | 'exited'>((done) => {
      const end = watch_cpu_budget(c.pid, 60_000, end_poll, (why) => done(why), 1000);
      c.on('exit', () => {
        end();
        done('exited');
      });
    });
    expect(got).toBe('stalled');
  });

  it("reads sleep from the scheduler's record: time waiting for a core, or a helper thread's work, is not sleep", () => {
    const sched = (rows: [number, number, number][]): thread_sched => new Map(rows.map(([tid, run_ms, wait_ms]) => [tid, { run_ns: run_ms * 1e6, wait_ns: wait_ms * 1e6 }]));
    const first = sched([[100, 50, 10], [101, 0, 0]]);
    // 10 s of wall time: the main thread ran 1 s and waited 9 s for a core (a load of 10): not asleep.
    expect(asleep_ms(100, first, new Map(first), sched([[100, 1050, 9010], [101, 0, 0]]), 10_000)).toBe(0);
    // The main thread slept 6 s of 10 while a helper (GC) ran or waited to run 6 s: the process never slept as a whole.
    expect(asleep_ms(100, first, new Map(first), sched([[100, 2050, 2010], [101, 3000, 3000]]), 10_000)).toBe(0);
    // It slept 8 s with nothing else running: 8 s.
    expect(asleep_ms(100, first, new Map(first), sched([[100, 1050, 1010], [101, 0, 0]]), 10_000)).toBe(8000);
    // A helper seen once and gone since still counts its work (its last record is kept).
    const seen = new Map(first);
    asleep_ms(100, first, seen, sched([[100, 60, 10], [101, 0, 0], [102, 500, 0]]), 1000);
    expect(asleep_ms(100, first, seen, sched([[100, 1050, 1010], [101, 0, 0]]), 10_000)).toBe(7500);
  });

  it('reads the schedstat of a live process, main thread first', () => {
    const mine = sched_of(process.pid);
    expect(mine?.get(process.pid)?.run_ns).toBeGreaterThan(0);
    expect(sched_of(2 ** 22 + 12345)).toBeNull();
  });

  it('does not count a busy child waiting for a core as asleep: a long CPU-bound run ends on its own', async () => {
    // Runnable (R) the whole time, whatever the load: no sleep adds up.
    expect(await verdict(node('const t = process.cpuUsage(); while (process.cpuUsage(t).user < 500000) {}'), 60_000, 2000)).toBe('exited');
  });

  it('stops a child that uses no CPU at all for the stall limit', async () => {
    expect(await verdict(node('setTimeout(() => {}, 600000)'), 500, 1000)).toBe('stalled');
  });
});
