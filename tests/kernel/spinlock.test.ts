import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { lockdep_dependencies } from '../../kernel/locking/lockdep';
import { mutex_init, mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import {
  assert_spin_locked,
  DEFINE_SPINLOCK,
  spin_is_locked,
  spin_lock,
  spin_lock_init,
  spin_trylock,
  spin_unlock,
  type spinlock_t,
} from '../../kernel/locking/spinlock';
import { current, msleep } from '../../kernel/sched/core';
import { mod_timer, timer_setup } from '../../kernel/time/timer';
import { jiffies } from '../../kernel/time/timekeeping';
import { print_ip_sym } from '../../kernel/lib/dump_stack';

describe('spinlock', () => {
  it('disables preemption while held, so a sleeping call under it is "sleeping function called from invalid context"', async () => {
    const counts: number[] = [];
    const r = await start_kernel({}, () => {
      const s = spin_lock_init('&pool->lock');
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        counts.push(current.preempt_count);
        spin_lock(s, 'queue_work');
        counts.push(current.preempt_count);
        await mutex_lock(m);
      }, 'atomic');
    });
    expect(counts).toEqual([0, 1]);
    expect(r.stop).toBe('bug');
    expect(r.reports[0]!.kind).toBe('bug');
    expect(r.reports[0]!.lines).toContain('BUG: sleeping function called from invalid context at kernel/locking/mutex.c');
    expect(r.reports[0]!.lines).toContain(` #0:  (&pool->lock), at: ${print_ip_sym('queue_work')}`);
  });

  it('restores the preempt count on unlock; trylock fails on a held lock; spin_is_locked tells', async () => {
    const seen: unknown[] = [];
    const r = await start_kernel({}, () => {
      const s = spin_lock_init('lock');
      user_task(async () => {
        spin_lock(s);
        seen.push(spin_is_locked(s), spin_trylock(s), current.preempt_count);
        spin_unlock(s);
        seen.push(spin_is_locked(s), current.preempt_count);
        seen.push(spin_trylock(s), current.preempt_count);
        spin_unlock(s);
        await msleep(1); // legal again
      }, 'a');
    });
    expect(r.reports).toEqual([]);
    expect(seen).toEqual([true, false, 1, false, 0, true, 1]);
  });

  it('kills a task that spins on a lock whose holder slept on another CPU, with the soft-lockup BUG', async () => {
    const r = await start_kernel({ panic_on_oops: false }, () => {
      const s = spin_lock_init('&obj->lock');
      user_task(
        async () => {
          spin_lock(s);
          await msleep(1); // BUG: sleeping with the lock held
          spin_unlock(s);
        },
        'sleeper',
        { cpu: 1 },
      );
      user_task(
        async () => {
          spin_lock(s);
          spin_unlock(s);
        },
        'spinner',
        { cpu: 0 },
      );
    });
    expect(r.reports.map((x) => x.title)).toEqual(['sleeping function called from invalid context', 'soft lockup - CPU#0 stuck for 22s!']);
    const lockup = r.reports[1]!;
    expect(lockup.kind).toBe('bug');
    expect(lockup.comm).toBe('spinner');
    expect(lockup.lines).toEqual([
      'NMI watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [spinner:2]',
      '  (model) spinner:2 spins on spinlock &obj->lock, held by sleeper:1, which slept while holding it; the CPU would spin forever.',
    ]);
  });

  it('prints DEBUG_SPINLOCK\'s "spinlock cpu recursion" when the sleeping holder ran on the same CPU', async () => {
    const r = await start_kernel({ panic_on_oops: false }, () => {
      const s = spin_lock_init('&obj->lock');
      user_task(
        async () => {
          spin_lock(s);
          await msleep(1);
        },
        'sleeper',
        { cpu: 1 },
      );
      user_task(
        async () => {
          spin_lock(s);
        },
        'spinner',
        { cpu: 1 },
      );
    });
    const lockup = r.reports[1]!;
    expect(lockup.title).toBe('spinlock cpu recursion');
    expect(lockup.lines.slice(0, 3)).toEqual([
      'BUG: spinlock cpu recursion on CPU#1, spinner/2',
      ' lock: &obj->lock, .magic: dead4ead, .owner: sleeper/1, .owner_cpu: 1',
      'NMI watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [spinner:2]',
    ]);
  });

  it('reports a task taking its own spinlock: lockdep first, then the lockup (with lockdep off: "spinlock recursion")', async () => {
    const scenario = () => {
      const s = spin_lock_init('&obj->lock');
      user_task(async () => {
        spin_lock(s, 'outer');
        spin_lock(s, 'inner');
      }, 'self');
    };
    const on = await start_kernel({}, scenario);
    expect(on.reports.map((x) => [x.kind, x.title])).toEqual([
      ['lockdep', 'possible recursive locking detected'],
      ['bug', 'soft lockup - CPU#1 stuck for 22s!'],
    ]);
    const off = await start_kernel({ lockdep: false }, scenario);
    expect(off.reports.map((x) => x.title)).toEqual(['spinlock recursion']);
    expect(off.reports[0]!.lines[0]).toBe('BUG: spinlock recursion on CPU#1, self/1');
  });

  it('reports unlocking a spinlock that is not locked', async () => {
    const r = await start_kernel({ lockdep: false, panic_on_oops: false }, () => {
      const s = spin_lock_init('lonely');
      user_task(async () => {
        spin_unlock(s);
      }, 'a');
    });
    expect(r.reports.map((x) => x.title)).toEqual(['spinlock already unlocked']);
    expect(r.reports[0]!.lines[0]).toBe('BUG: spinlock already unlocked on CPU#1, a/1');
  });

  it('assert_spin_locked BUGs on a free lock', async () => {
    const r = await start_kernel({}, () => {
      const s = spin_lock_init('lonely');
      user_task(async () => {
        spin_lock(s);
        assert_spin_locked(s);
        spin_unlock(s);
        assert_spin_locked(s);
      }, 'a');
    });
    expect(r.stop).toBe('bug');
    expect(r.reports.map((x) => x.title)).toEqual(['kernel BUG at include/linux/spinlock.h assert_spin_locked']);
  });

  it('is tracked by lockdep: ABBA on two spinlocks is a circular dependency', async () => {
    const r = await start_kernel({}, () => {
      const a = spin_lock_init('a_lock');
      const b = spin_lock_init('b_lock');
      const pair = (x: spinlock_t, y: spinlock_t, comm: string): void => {
        user_task(async () => {
          spin_lock(x);
          spin_lock(y);
          spin_unlock(y);
          spin_unlock(x);
        }, comm);
      };
      pair(a, b, 'ab');
      pair(b, a, 'ba');
    });
    expect(r.reports.map((x) => x.title)).toEqual(['possible circular locking dependency detected']);
  });

  it('in a timer function, neither borrows the held locks nor the preempt count of the task that ran last', async () => {
    let edges: string[] = [];
    let preempt_after = -1;
    let fired_in: string | null = null;
    const r = await start_kernel({}, () => {
      const s = spin_lock_init('&pool->lock');
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        await mutex_lock(m);
        const t = timer_setup(() => {
          fired_in = current.comm; // the task that ran last: a timer has no task of its own
          spin_lock(s, 'delayed_work_timer_fn');
          spin_unlock(s);
        }, 'delayed_work');
        mod_timer(t, jiffies() + 1);
        await msleep(5);
        preempt_after = current.preempt_count;
        mutex_unlock(m);
        edges = lockdep_dependencies().map((e) => `${e.from}->${e.to}`);
      }, 'holder');
    });
    expect(r.reports).toEqual([]);
    expect(fired_in).toBe('holder');
    expect(preempt_after).toBe(0);
    expect(edges).toEqual([]);
  });

  it('gives a DEFINE_SPINLOCK back unlocked at the next boot', async () => {
    const s = DEFINE_SPINLOCK('static_spin');
    await start_kernel({ panic_on_oops: false }, () => {
      user_task(async () => {
        spin_lock(s);
        await msleep(1);
      }, 'leaker');
    });
    expect(spin_is_locked(s)).toBe(true);
    let got = false;
    const r = await start_kernel({}, () => {
      user_task(async () => {
        got = spin_trylock(s);
        spin_unlock(s);
      }, 'next_boot');
    });
    expect(r.reports).toEqual([]);
    expect(got).toBe(true);
  });
});
