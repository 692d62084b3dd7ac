// The thread's phenomena, reproduced on the model (issue: kernel model §3).
// Each scenario lives in scenarios/thread.ts; here it runs once, under the
// kernel's own scheduling, and the test checks what a kernel developer
// would have seen in dmesg.
import { describe, expect, it } from 'vitest';
import { start_kernel, type run_result } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { atomic_long_read } from '../../kernel/lib/atomic';
import {
  mutex_init,
  mutex_lock,
  mutex_trylock_recursive,
  mutex_unlock,
  MUTEX_FLAG_WAITERS,
  MUTEX_FLAGS,
  MUTEX_TRYLOCK_FAILED,
  MUTEX_TRYLOCK_RECURSIVE,
} from '../../kernel/locking/mutex';
import { cond_resched, current } from '../../kernel/sched/core';
import { task_ptr } from '../../kernel/sched/task';
import type { scenario } from '../../explorer/scenario';
import { count_hides_memory, flush_from_reclaim, rcu_hang, shrinker_lock_recursion } from '../../scenarios/thread';

async function run(sc: scenario): Promise<run_result> {
  return start_kernel({ ...sc.params }, () => sc.setup());
}

const kinds = (r: run_result) => r.reports.map((x) => x.kind);
const log = (r: run_result) => r.dmesg.join('\n');

describe('1. synchronize_rcu_expedited() under struct_mutex (Andrea\'s hang)', () => {
  it('v4.10 hangs when no kworker can be created: the hung-task detector names the ioctl, lockdep says nothing', async () => {
    const r = await run(rcu_hang('4.10'));
    expect(r.stop).toBe('hung_task');
    expect(log(r)).toContain('INFO: task i915_ioctl:1 blocked for more than 120 seconds.');
    // It holds struct_mutex while it waits for the expedited grace period's wakeup.
    expect(log(r)).toMatch(/#0: {2}\(&dev->struct_mutex\)/);
    expect(log(r)).toContain('waiting for wait queue rcu_sched->exp_wq');
    expect(kinds(r)).not.toContain('lockdep');
  });

  it('v4.11 (wait only after a real unlock, c053b5a) completes the same workload', async () => {
    const r = await run(rcu_hang('4.11'));
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
  });

  it('v4.10 completes too when kworkers can still be created: the hang needs memory pressure on the workqueue', async () => {
    const r = await run(rcu_hang('4.10', false));
    expect(r.stop).toBe('completed');
  });
});

describe('2. flush_work() from the shrinker (Andrea\'s 2/5)', () => {
  it('prints the thread\'s check_flush_dependency warning, with the WARNING line, once', async () => {
    const r = await run(flush_from_reclaim(true));
    const warns = r.reports.filter((x) => x.kind === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]!.lines).toContain('workqueue: PF_MEMALLOC task 1(i915_ioctl) is flushing !WQ_MEM_RECLAIM events:__i915_gem_free_work [i915]');
    expect(log(r)).toMatch(/WARNING: CPU: \d PID: 1 at kernel\/workqueue\.c:2418 check_flush_dependency\+0x92\/0x130/);
    // A warning, not a deadlock: the flush still waits and the run ends.
    expect(r.stop).toBe('completed');
  });

  it('without the flush there is no warning', async () => {
    const r = await run(flush_from_reclaim(false));
    expect(r.reports).toEqual([]);
  });
});

describe('3. a count that hides memory', () => {
  it('count returning 0 whenever struct_mutex is contended leaves the buffers to the OOM path: the notifier waits out the busy GPU (30 s, v4.11 i915_gem_wait_for_idle) before it purges them', async () => {
    const r = await run(count_hides_memory('trylock'));
    expect(r.stop).toBe('completed');
    expect(kinds(r)).not.toContain('oom');
    expect(log(r)).not.toContain('Unable to lock GPU to purge memory.');
    expect(log(r)).toMatch(/\[ {3}31\.000000\] Purging GPU memory, 48 pages freed/);
  });

  it('a count that needs no lock lets reclaim purge the buffer cache instead', async () => {
    const r = await run(count_hides_memory('lockfree'));
    expect(r.stop).toBe('completed');
    expect(kinds(r)).not.toContain('oom');
    expect(log(r)).not.toContain('invoked oom-killer');
  });
});

describe('4. mutex_trylock_recursive and the owner word', () => {
  it('returns RECURSIVE for the owner while MUTEX_FLAG_WAITERS is set, where a raw comparison would not', async () => {
    const seen: number[] = [];
    let word = 0;
    let ioctl_holds = false;
    let me = 0;
    const r = await start_kernel({}, () => {
      const struct_mutex = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        await mutex_lock(struct_mutex);
        ioctl_holds = true;
        await cond_resched(); // let the waiter queue up
        await cond_resched();
        word = atomic_long_read(struct_mutex.owner);
        me = task_ptr(current);
        seen.push(mutex_trylock_recursive(struct_mutex));
        mutex_unlock(struct_mutex);
      }, 'i915_ioctl');
      user_task(async () => {
        await mutex_lock(struct_mutex);
        seen.push(mutex_trylock_recursive(struct_mutex));
        mutex_unlock(struct_mutex);
      }, 'waiter');
    }, {
      // Once the ioctl holds the lock, run the waiter when it yields, so it queues and sets WAITERS.
      pick: (d) => (ioctl_holds && d.prev?.comm === 'i915_ioctl' && d.runnable.find((t) => t.comm === 'waiter')) || d.default_choice,
    });
    expect(r.stop).toBe('completed');
    expect(word & MUTEX_FLAG_WAITERS).toBe(MUTEX_FLAG_WAITERS);
    expect(word).not.toBe(me); // the raw word is not current's pointer...
    expect(word & ~MUTEX_FLAGS).toBe(me); // ...the masked one is
    expect(seen).toEqual([MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_RECURSIVE]);
    expect(seen).not.toContain(MUTEX_TRYLOCK_FAILED);
  });
});

describe('5. reclaim recursion into a shrinker that takes struct_mutex', () => {
  it('mutex_lock in the shrinker deadlocks on the allocating task itself, with the cycle and v4.11 lockdep\'s inconsistent-lock-state splat', async () => {
    const r = await run(shrinker_lock_recursion('mutex_lock'));
    expect(r.stop).toBe('deadlock');
    expect(kinds(r)).toContain('lockdep');
    // v4.11 marks usage before it checks the chain: the RECLAIM_FS conflict is reported, not the recursion.
    expect(r.reports.filter((x) => x.kind === 'lockdep').map((x) => x.title)).toEqual(['inconsistent lock state']);
    expect(log(r)).toContain('inconsistent {RECLAIM_FS-ON-W} -> {IN-RECLAIM_FS-W} usage.');
    const dl = r.reports.find((x) => x.kind === 'deadlock')!;
    expect(dl.lines.join('\n')).toContain('wait-for cycle: i915_ioctl:1 -> mutex &dev->struct_mutex -> i915_ioctl:1');
  });

  it('mutex_trylock_recursive in the shrinker does not deadlock and frees the unpinned buffers', async () => {
    const r = await run(shrinker_lock_recursion('trylock_recursive'));
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
  });
});

describe('6. determinism', () => {
  it('the same scenario gives the same dmesg, byte for byte', async () => {
    const a = await run(rcu_hang('4.10'));
    const b = await run(rcu_hang('4.10'));
    expect(a.dmesg.length).toBeGreaterThan(5);
    expect(b.dmesg.join('\n')).toBe(a.dmesg.join('\n'));
    const c = await run(count_hides_memory('trylock'));
    const d = await run(count_hides_memory('trylock'));
    expect(d.dmesg.join('\n')).toBe(c.dmesg.join('\n'));
  });
});
