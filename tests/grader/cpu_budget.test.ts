// The backstop on learner code counts the child's CPU time (course/cpu_budget.ts):
// a child that is slow because the machine is busy, or that sleeps, is not a
// child in an infinite loop. Each test waits for a real child, so each proves
// its claim whatever the load: the verdicts below hold on a quiet and on a
// saturated machine alike.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cpu_ms, watch_cpu_budget, type budget_overrun } from '../../course/cpu_budget';

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

  it('stops a child whose sleeps add up to the stall limit, however it spaces them (red team 8 #01)', async () => {
    // Sleeps 400 ms, spins ~50 ms of CPU, 12 times, then ends: never 1 s without a tick (the old
    // rule), never near its CPU budget; asleep 4.8 s in all. Atomics.wait, as the attack slept.
    const c = node('const cell = new Int32Array(new SharedArrayBuffer(4)); for (let i = 0; i < 12; i++) { Atomics.wait(cell, 0, 0, 400); const t = process.cpuUsage(); while (process.cpuUsage(t).user < 50000) {} }');
    expect(await verdict(c, 60_000, 1000)).toBe('stalled');
  });

  it('does not count a busy child waiting for a core as asleep: a long CPU-bound run ends on its own', async () => {
    // Runnable (R) the whole time, whatever the load: no sleep adds up.
    expect(await verdict(node('const t = process.cpuUsage(); while (process.cpuUsage(t).user < 500000) {}'), 60_000, 2000)).toBe('exited');
  });

  it('stops a child that uses no CPU at all for the stall limit', async () => {
    expect(await verdict(node('setTimeout(() => {}, 600000)'), 500, 1000)).toBe('stalled');
  });
});
