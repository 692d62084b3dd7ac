import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { kthread_run } from '../../kernel/kthread';
import { user_task } from '../../kernel/fork';
import { complete, init_completion, wait_for_completion } from '../../kernel/sched/completion';
import { cond_resched, current, schedule_timeout_uninterruptible, model_schedule_point } from '../../kernel/sched/core';
import { jiffies } from '../../kernel/time/timekeeping';

describe('scheduler core', () => {
  it('runs tasks to completion and interleaves them only at schedule points', async () => {
    const log: string[] = [];
    const r = await start_kernel({}, () => {
      user_task(async () => {
        log.push('a1');
        await cond_resched();
        log.push('a2');
      }, 'a');
      user_task(async () => {
        log.push('b1');
        log.push(current.comm);
      }, 'b');
    });
    expect(r.stop).toBe('completed');
    // Default policy: a keeps the CPU across cond_resched (slice not used up).
    expect(log).toEqual(['a1', 'a2', 'b1', 'b']);
  });

  it('wakes a waiter when its completion is completed', async () => {
    const log: string[] = [];
    const r = await start_kernel({}, () => {
      const done = init_completion('done');
      user_task(async () => {
        await wait_for_completion(done);
        log.push('waiter woke');
      }, 'waiter');
      user_task(async () => {
        log.push('completing');
        complete(done);
      }, 'completer');
    });
    expect(r.stop).toBe('completed');
    expect(log).toEqual(['completing', 'waiter woke']);
  });

  it('lets virtual time pass in schedule_timeout without real waiting', async () => {
    let woke = 0;
    const r = await start_kernel({}, () => {
      user_task(async () => {
        const start = jiffies();
        await schedule_timeout_uninterruptible(5000);
        woke = jiffies() - start;
      }, 'sleeper');
    });
    expect(r.stop).toBe('completed');
    expect(woke).toBeGreaterThanOrEqual(5000);
    expect(woke).toBeLessThan(5010);
  });

  it('reports a deadlock with the hung-task detector when every task sleeps forever', async () => {
    const r = await start_kernel({}, () => {
      const never = init_completion('never');
      user_task(async () => {
        await wait_for_completion(never);
      }, 'stuck');
    });
    expect(r.stop).toBe('deadlock');
    expect(r.dmesg.join('\n')).toContain('INFO: task stuck:1 blocked for more than 120 seconds.');
    expect(r.reports.map((x) => x.kind)).toEqual(['hung_task', 'deadlock']);
    expect(r.reports[1]!.lines.join('\n')).toContain('stuck:1 (D) waits for completion never');
  });

  it('catches a sleeping call that was not awaited and names it', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        // eslint-disable-next-line @typescript-eslint/no-floating-promises
        model_schedule_point('mutex_lock');
        await cond_resched();
      }, 'careless');
    });
    expect(r.stop).toBe('forgotten_await');
    expect(r.reports[0]!.lines.join('\n')).toContain('mutex_lock() in careless:1 was not awaited');
  });

  it('catches a task that returns with a sleeping call still pending', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        // eslint-disable-next-line @typescript-eslint/no-floating-promises
        model_schedule_point('flush_work');
      }, 'careless');
    });
    expect(r.reports[0]!.kind).toBe('forgotten_await');
    expect(r.reports[0]!.lines.join('\n')).toContain('the task returned while flush_work() had not returned yet');
  });

  it('turns an exception in a task into an oops report without crashing the host', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        await cond_resched();
        throw new TypeError('x is undefined');
      }, 'buggy');
    });
    expect(r.stop).toBe('bug');
    expect(r.reports[0]!.title).toContain('TypeError: x is undefined');
  });

  it('stops a scenario that never ends at the step limit', async () => {
    const r = await start_kernel({ max_steps: 500 }, () => {
      kthread_run(async () => {
        for (;;) await cond_resched();
      }, 'spinner');
    });
    expect(r.stop).toBe('step_limit');
    expect(r.reports[0]!.kind).toBe('step_limit');
  });

  it('gives the same dmesg byte for byte on the same inputs', async () => {
    const once = async () =>
      (
        await start_kernel({}, () => {
          const never = init_completion('never');
          for (const name of ['x', 'y']) user_task(async () => wait_for_completion(never), name);
        })
      ).dmesg.join('\n');
    expect(await once()).toBe(await once());
  });
});
