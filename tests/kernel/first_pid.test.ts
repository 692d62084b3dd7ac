// Boot parameter first_pid (kernel/init/params.ts): pids count up from it, so a
// check can give its tasks a desktop's pids (red team 11: answers keyed to the pid).
import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { current, PID_MAX_LIMIT, pid_of_nth_task, RESERVED_PIDS } from '../../kernel/sched/core';

/** The pid, CPU and comm of every user task the boot runs, in creation order. */
async function user_tasks(params: Parameters<typeof start_kernel>[0]): Promise<Array<[number, number, string]>> {
  const seen: Array<[number, number, string]> = [];
  const r = await start_kernel(params, () => {
    for (const comm of ['Xorg', 'firefox', 'glxgears']) {
      user_task(async () => {
        seen.push([current.pid, current.cpu, current.comm]);
      }, comm);
    }
  });
  expect(r.stop).toBe('completed');
  return seen;
}

describe('boot parameter first_pid', () => {
  it('numbers tasks from first_pid, keeping each on its CPU when the offset is a multiple of nr_cpus', async () => {
    const usual = await user_tasks({});
    const late = await user_tasks({ first_pid: 4001 });
    expect(late.map(([pid]) => pid)).toEqual(usual.map(([pid]) => pid + 4000));
    expect(late.map(([, cpu, comm]) => [cpu, comm])).toEqual(usual.map(([, cpu, comm]) => [cpu, comm]));
    expect(Math.min(...late.map(([pid]) => pid))).toBeGreaterThan(4000);
  });

  it('keeps the usual numbering by default', async () => {
    const usual = await user_tasks({});
    const explicit = await user_tasks({ first_pid: 1 });
    expect(explicit).toEqual(usual);
  });

  it('wraps past PID_MAX_LIMIT - 1 to RESERVED_PIDS, as alloc_pidmap does', async () => {
    const usual = await user_tasks({});
    const n = usual[usual.length - 1]![0]; // the last user task is the boot's nth task
    const top = await user_tasks({ first_pid: PID_MAX_LIMIT - n + 1 }); // the last task is one past the largest pid: it wraps
    const pids = top.map(([pid]) => pid);
    expect(pids).toEqual([PID_MAX_LIMIT - 2, PID_MAX_LIMIT - 1, RESERVED_PIDS]);
    expect(pid_of_nth_task(PID_MAX_LIMIT - 1, 1)).toBe(PID_MAX_LIMIT - 1);
  });

  it('refuses a first pid outside the pid space with a clear error', () => {
    for (const bad of [0, -5, 1.5, PID_MAX_LIMIT]) expect(() => pid_of_nth_task(bad, 1)).toThrow(/first_pid .*whole number from 1 to 4194303/);
  });
});
