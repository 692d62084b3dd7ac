import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { mutex_init, mutex_lock } from '../../kernel/locking/mutex';
import { rcu_barrier } from '../../kernel/rcu/tree';
import { cond_resched } from '../../kernel/sched/core';
import { DECLARE_WORK, flush_work } from '../../kernel/workqueue';
import { SOFTLOCKUP_CALLS } from '../../kernel/watchdog';
import { print_ip_sym } from '../../kernel/lib/dump_stack';

describe('watchdog: soft lockup', () => {
  it('reports a loop of flush_work() with nothing to flush as the watchdog would, and stops it', async () => {
    let rounds = 0;
    const r = await start_kernel({}, () => {
      const idle = DECLARE_WORK(async () => {}, 'idle_work');
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        await mutex_lock(m);
        // "wait until it is freed": the work is idle, so flush_work() returns at once, forever.
        for (;;) {
          rounds++;
          await flush_work(idle);
        }
      }, 'spinner');
    });
    expect(r.stop).toBe('bug');
    const [lockup] = r.reports;
    expect(lockup!.kind).toBe('bug');
    expect(lockup!.title).toBe('soft lockup - CPU#1 stuck for 22s!');
    expect(lockup!.lines[0]).toBe('NMI watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [spinner:1]');
    expect(lockup!.lines.join('\n')).toContain('the last one flush_work()');
    expect(lockup!.lines).toContain(` #0:  (&dev->struct_mutex), at: ${print_ip_sym('mutex_lock')}`);
    // Every flush_work() call is two model calls (might_sleep and its own context check).
    expect(rounds).toBeLessThanOrEqual(SOFTLOCKUP_CALLS);
    expect(rounds).toBeGreaterThan(SOFTLOCKUP_CALLS / 4);
  });

  it('counts per run between schedule points: rcu_barrier() in a loop with cond_resched() is no soft lockup', async () => {
    let rounds = 0;
    const r = await start_kernel({ max_steps: 2_000 }, () => {
      user_task(async () => {
        for (;;) {
          rounds++;
          await rcu_barrier();
          await cond_resched();
        }
      }, 'yielder');
    });
    // It still never ends, and the model says so in steps, not as a soft lockup.
    expect(r.stop).toBe('step_limit');
    expect(r.reports.map((x) => x.kind)).toEqual(['step_limit']);
    expect(rounds).toBeGreaterThan(100);
  });

  it('leaves bounded work alone: many calls spread over schedule points never trip it', async () => {
    const r = await start_kernel({}, () => {
      user_task(async () => {
        for (let i = 0; i < 3 * SOFTLOCKUP_CALLS; i += 1_000) {
          for (let j = 0; j < 1_000; j++) await rcu_barrier();
          await cond_resched();
        }
      }, 'bounded');
    });
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
  });
});
