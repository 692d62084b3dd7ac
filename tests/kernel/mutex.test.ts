import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { atomic_long_read } from '../../kernel/lib/atomic';
import { lockdep_assert_held } from '../../kernel/locking/lockdep';
import {
  DEFINE_MUTEX,
  EINTR,
  MUTEX_FLAG_HANDOFF,
  MUTEX_FLAG_PICKUP,
  MUTEX_FLAG_WAITERS,
  MUTEX_FLAGS,
  MUTEX_TRYLOCK_FAILED,
  MUTEX_TRYLOCK_RECURSIVE,
  MUTEX_TRYLOCK_SUCCESS,
  __mutex_owner,
  __owner_task,
  mutex_destroy,
  mutex_init,
  mutex_is_locked,
  mutex_lock,
  mutex_lock_killable,
  mutex_trylock,
  mutex_trylock_recursive,
  mutex_unlock,
  type mutex,
  type mutex_trylock_recursive_enum,
} from '../../kernel/locking/mutex';
import { cond_resched, current, msleep, signal_wake_up, type sched_policy } from '../../kernel/sched/core';
import { model_task_set } from '../../kernel/sched/task_fields';
import { task_ptr, type task_struct } from '../../kernel/sched/task';

/** A policy that switches to another runnable task at every schedule point. */
const always_switch: sched_policy = { pick: (d) => d.runnable.find((t) => t !== d.prev) ?? d.default_choice };

/** Exercise 04's wrong answer: compare the raw owner word with current's pointer. */
function raw_word_trylock_recursive(lock: mutex): mutex_trylock_recursive_enum {
  if (atomic_long_read(lock.owner) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}

describe('mutex', () => {
  it('excludes a second task from the critical section even when every schedule point switches tasks', async () => {
    const run = async (use_lock: boolean): Promise<number> => {
      let inside = 0;
      let max_inside = 0;
      const r = await start_kernel(
        {},
        () => {
          const m = mutex_init('test_lock');
          for (const comm of ['a', 'b']) {
            user_task(async () => {
              for (let i = 0; i < 3; i++) {
                if (use_lock) await mutex_lock(m);
                inside++;
                max_inside = Math.max(max_inside, inside);
                await cond_resched();
                inside--;
                if (use_lock) mutex_unlock(m);
                await cond_resched();
              }
            }, comm);
          }
        },
        always_switch,
      );
      expect(r.stop).toBe('completed');
      expect(r.reports).toEqual([]);
      return max_inside;
    };
    // The policy really interleaves the two tasks inside the section...
    expect(await run(false)).toBe(2);
    // ...and the mutex keeps them out of each other's way.
    expect(await run(true)).toBe(1);
  });

  it('queues waiters first come first served and sets MUTEX_FLAG_WAITERS while any wait', async () => {
    const order: string[] = [];
    let word_while_held = 0;
    let queued: string[] = [];
    let holder: task_struct | null = null;
    let m: mutex | null = null;
    const r = await start_kernel({}, () => {
      const lock = mutex_init('test_lock');
      m = lock;
      holder = user_task(async () => {
        await mutex_lock(lock);
        await msleep(10);
        word_while_held = atomic_long_read(lock.owner);
        queued = lock.wait_list.map((t) => t.comm);
        mutex_unlock(lock);
      }, 'holder');
      for (const comm of ['w1', 'w2', 'w3']) {
        user_task(async () => {
          await mutex_lock(lock);
          order.push(comm);
          mutex_unlock(lock);
        }, comm);
      }
    });
    expect(r.stop).toBe('completed');
    expect(queued).toEqual(['w1', 'w2', 'w3']);
    expect(word_while_held & MUTEX_FLAGS).toBe(MUTEX_FLAG_WAITERS);
    expect(word_while_held & ~MUTEX_FLAGS).toBe(task_ptr(holder!));
    expect(order).toEqual(['w1', 'w2', 'w3']);
    // The flags are cleared once the wait list is empty.
    expect(atomic_long_read(m!.owner)).toBe(0);
  });

  it('hands the lock to a starved first waiter with HANDOFF, and the waiter picks it up via PICKUP', async () => {
    const log: string[] = [];
    const words: Record<string, number> = {};
    let thief: task_struct | null = null;
    let waiter: task_struct | null = null;
    let thief_trylock_after_handoff = true;
    let owner_after_handoff: task_struct | null = null;
    const r = await start_kernel({}, () => {
      const m = mutex_init('test_lock');
      thief = user_task(async () => {
        await mutex_lock(m);
        log.push('thief 1');
        await msleep(1); // the waiter queues up
        mutex_unlock(m); // wakes the waiter...
        await mutex_lock(m); // ...but keeps running and steals the lock back
        log.push('thief 2 (stolen)');
        words.after_steal = atomic_long_read(m.owner);
        await msleep(5); // the woken waiter fails, sets HANDOFF and sleeps again
        words.before_unlock = atomic_long_read(m.owner);
        mutex_unlock(m); // HANDOFF: the lock goes straight to the waiter
        words.after_handoff = atomic_long_read(m.owner);
        owner_after_handoff = __mutex_owner(m);
        thief_trylock_after_handoff = mutex_trylock(m);
      }, 'thief');
      waiter = user_task(async () => {
        await mutex_lock(m);
        words.picked_up = atomic_long_read(m.owner);
        log.push('waiter');
        mutex_unlock(m);
      }, 'waiter');
    });
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
    expect(log).toEqual(['thief 1', 'thief 2 (stolen)', 'waiter']);
    expect(words.after_steal).toBe(task_ptr(thief!) | MUTEX_FLAG_WAITERS);
    expect(words.before_unlock).toBe(task_ptr(thief!) | MUTEX_FLAG_WAITERS | MUTEX_FLAG_HANDOFF);
    expect(words.after_handoff).toBe(task_ptr(waiter!) | MUTEX_FLAG_WAITERS | MUTEX_FLAG_PICKUP);
    expect(owner_after_handoff).toBe(waiter);
    expect(thief_trylock_after_handoff).toBe(false);
    expect(words.picked_up).toBe(task_ptr(waiter!));
  });

  it('WARNs with DEBUG_LOCKS_WARN_ON when a task unlocks a mutex it does not own, and the mutex becomes free', async () => {
    let trylock_after = false;
    const r = await start_kernel({ lockdep: false }, () => {
      const m = mutex_init('test_lock');
      user_task(async () => {
        await mutex_lock(m);
        await msleep(10);
      }, 'owner');
      user_task(async () => {
        mutex_unlock(m);
        trylock_after = mutex_trylock(m);
        mutex_unlock(m);
      }, 'intruder');
    });
    expect(r.stop).toBe('completed');
    const warns = r.reports.filter((x) => x.kind === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]!.comm).toBe('intruder');
    expect(warns[0]!.lines).toContain('WARNING: CPU: 0 PID: 2 at kernel/locking/mutex.c __mutex_unlock_slowpath');
    expect(warns[0]!.lines).toContain('DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)');
    expect(trylock_after).toBe(true);
  });

  it("reports a non-owner unlock as lockdep's bad unlock balance when lockdep is on, which silences the DEBUG_MUTEXES WARN as in v4.11", async () => {
    const r = await start_kernel({}, () => {
      const m = mutex_init('test_lock');
      user_task(async () => {
        await mutex_lock(m);
        await msleep(10);
        mutex_unlock(m);
      }, 'owner');
      user_task(async () => {
        mutex_unlock(m);
      }, 'intruder');
    });
    expect(r.reports.map((x) => [x.kind, x.title])).toEqual([['lockdep', 'bad unlock balance detected!']]);
    expect(r.reports[0]!.lines).toContain('intruder/2 is trying to release lock (test_lock) at:');
  });

  it('mutex_trylock_recursive returns SUCCESS, then RECURSIVE for the owner (also while WAITERS is set), and FAILED for others', async () => {
    const got: Record<string, number> = {};
    let word_at_recursive_with_waiter = 0;
    const r = await start_kernel({}, () => {
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        got.first = mutex_trylock_recursive(m);
        got.again = mutex_trylock_recursive(m);
        await msleep(5); // 'other' tries, 'waiter' queues
        word_at_recursive_with_waiter = atomic_long_read(m.owner);
        got.with_waiter = mutex_trylock_recursive(m);
        mutex_unlock(m);
      }, 'owner');
      user_task(async () => {
        got.other = mutex_trylock_recursive(m);
      }, 'other');
      user_task(async () => {
        await mutex_lock(m);
        mutex_unlock(m);
      }, 'waiter');
    });
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
    expect(got).toEqual({ first: MUTEX_TRYLOCK_SUCCESS, again: MUTEX_TRYLOCK_RECURSIVE, other: MUTEX_TRYLOCK_FAILED, with_waiter: MUTEX_TRYLOCK_RECURSIVE });
    expect(word_at_recursive_with_waiter & MUTEX_FLAG_WAITERS).toBe(MUTEX_FLAG_WAITERS);
  });

  it('comparing the raw owner word with current is wrong exactly when a waiter has set a flag; masking the flags is right', async () => {
    const seen: Record<string, unknown> = {};
    const r = await start_kernel({}, () => {
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        await mutex_lock(m);
        seen.raw_alone = raw_word_trylock_recursive(m);
        await msleep(5); // a waiter queues and sets MUTEX_FLAG_WAITERS
        seen.raw_with_waiter = raw_word_trylock_recursive(m);
        seen.masked_with_waiter = (atomic_long_read(m.owner) & ~MUTEX_FLAGS) === task_ptr(current);
        seen.owner_task = __owner_task(atomic_long_read(m.owner)) === current;
        seen.real_with_waiter = mutex_trylock_recursive(m);
        mutex_unlock(m);
      }, 'shrinker');
      user_task(async () => {
        await mutex_lock(m);
        mutex_unlock(m);
      }, 'waiter');
    });
    expect(r.stop).toBe('completed');
    expect(seen).toEqual({
      raw_alone: MUTEX_TRYLOCK_RECURSIVE,
      raw_with_waiter: MUTEX_TRYLOCK_FAILED,
      masked_with_waiter: true,
      owner_task: true,
      real_with_waiter: MUTEX_TRYLOCK_RECURSIVE,
    });
  });

  it('lockdep_assert_held WARNs when current does not hold the mutex and stays quiet when it does', async () => {
    const r = await start_kernel({}, () => {
      const m = mutex_init('&dev->struct_mutex');
      user_task(async () => {
        lockdep_assert_held(m);
        await mutex_lock(m);
        lockdep_assert_held(m);
        mutex_unlock(m);
      }, 'caller');
    });
    expect(r.stop).toBe('completed');
    expect(r.reports).toHaveLength(1);
    expect(r.reports[0]!.kind).toBe('warn');
    expect(r.reports[0]!.lines[1]).toBe('WARNING: CPU: 1 PID: 1 at include/linux/lockdep.h lockdep_assert_held');
  });

  it('mutex_lock_killable returns -EINTR on SIGKILL and leaves the wait list, while mutex_lock keeps waiting', async () => {
    const result: Record<string, unknown> = {};
    let m: mutex | null = null;
    let holder: task_struct | null = null;
    const r = await start_kernel({}, () => {
      const lock = mutex_init('test_lock');
      m = lock;
      holder = user_task(async () => {
        await mutex_lock(lock);
        await msleep(10);
        result.queue_after_kill = lock.wait_list.map((t) => t.comm);
        mutex_unlock(lock);
      }, 'holder');
      const victim = user_task(async () => {
        result.killable = await mutex_lock_killable(lock);
        result.victim_holds_after = mutex_is_locked(lock) && __mutex_owner(lock) === current;
        result.victim_lockdep_held = current.held_locks.length;
      }, 'victim');
      const stubborn = user_task(async () => {
        await mutex_lock(lock);
        result.stubborn_got_it = true;
        mutex_unlock(lock);
      }, 'stubborn');
      user_task(async () => {
        await msleep(2);
        for (const t of [victim, stubborn]) {
          model_task_set(t, 'sigkill_pending', true);
          signal_wake_up(t);
        }
      }, 'oom_reaper');
    });
    expect(r.stop).toBe('completed');
    expect(r.reports).toEqual([]);
    expect(EINTR).toBe(4);
    expect(result).toEqual({
      killable: -EINTR,
      victim_holds_after: false,
      victim_lockdep_held: 0,
      queue_after_kill: ['stubborn'],
      stubborn_got_it: true,
    });
    expect(atomic_long_read(m!.owner)).toBe(0);
    expect(holder).not.toBeNull();
  });

  it('traces lock_acquire, lock_contended, lock_acquired and lock_release with the owner word as it is when each fires', async () => {
    const ptr = { a: 0, b: 0 };
    const r = await start_kernel({ trace: true }, () => {
      const m = mutex_init('traced_lock');
      ptr.a = task_ptr(user_task(async () => {
        await mutex_lock(m);
        await msleep(1);
        mutex_unlock(m);
      }, 'a'));
      ptr.b = task_ptr(user_task(async () => {
        await mutex_lock(m);
        mutex_unlock(m);
      }, 'b'));
    });
    const ev = r.trace.filter((e) => e.fields.lock === 'traced_lock').map((e) => `${e.comm} ${e.event} ${String(e.fields.owner_word)} ${String(e.fields.flags)}`);
    const a = ptr.a.toString(16);
    const b = ptr.b.toString(16);
    expect(ev).toEqual([
      'a lock_acquire 0x0 0',
      `a lock_acquired 0x${a} 0`,
      `b lock_acquire 0x${a} 0`,
      `b lock_contended 0x${a} 0`,
      `a lock_release 0x${(ptr.a + 1).toString(16)} 1`,
      `b lock_acquired 0x${b} 0`,
      `b lock_release 0x${b} 0`,
    ]);
  });

  it('mutex_destroy WARNs on a locked mutex', async () => {
    const r = await start_kernel({ lockdep: false }, () => {
      const m = mutex_init('test_lock');
      user_task(async () => {
        await mutex_lock(m);
        mutex_destroy(m);
        mutex_unlock(m);
      }, 'a');
    });
    expect(r.reports.map((x) => x.title)).toEqual(['DEBUG_LOCKS_WARN_ON(mutex_is_locked(lock))']);
  });

  it('gives a DEFINE_MUTEX back unlocked at the next boot even if a task died holding it', async () => {
    const m = DEFINE_MUTEX('static_lock');
    const first = await start_kernel({}, () => {
      user_task(async () => {
        await mutex_lock(m);
      }, 'leaker');
    });
    expect(first.reports.map((x) => x.title)).toEqual(['leaker/1 still has locks held!']);
    expect(mutex_is_locked(m)).toBe(true);
    let got = false;
    const second = await start_kernel({}, () => {
      user_task(async () => {
        got = mutex_trylock(m);
        mutex_unlock(m);
      }, 'next_boot');
    });
    expect(second.reports).toEqual([]);
    expect(got).toBe(true);
  });
});
