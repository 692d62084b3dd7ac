// The owner of struct_mutex exits, is reaped and freed between a reader's
// load of the owner word and its use of what it loaded (exercises 03 and 04).
//
// __mutex_owner() and __owner_task() give a bare task_struct pointer, read
// with no reference and no RCU read lock. On SMP the owner can unlock, exit
// and be reaped right after that read; on a CONFIG_PREEMPT kernel the reader
// can be preempted there, outside any RCU read-side critical section, and the
// grace period that release_task() queued delayed_put_task_struct behind
// ends: the task_struct is freed while the reader still holds the pointer.
// Comparing the pointer with current is safe (only current can make itself
// the owner, so "owner == current" cannot go stale); reading the owner's
// pid, comm, flags or state through it is a use-after-free (kernel/exit.ts).
// The mutex code itself dereferences the owner only under rcu_read_lock()
// (mutex_spin_on_owner reads owner->on_cpu).
//
// The workload: struct_mutex is held, with no waiter, by a kernel thread
// whose work runs on another CPU (the model's stand-in only owns the word:
// kernel/exit.ts model_other_cpu_owner_exits). The caller asks for the lock;
// just after the caller's atomic op #nth on the owner word the owner
// unlocks and exits, and its task_struct is freed. Each op the call makes is
// raced in turn.
import { dmesg_tail, first_report, run_in_gem_world } from '../course/check_helpers';
import { model_other_cpu_owner_exits } from '../kernel/exit';
import { kthread_run } from '../kernel/kthread';
import { atomic_long_read, atomic_long_set, model_other_cpu_at_atomic } from '../kernel/lib/atomic';
import { __mutex_owner, mutex_unlock } from '../kernel/locking/mutex';
import { current, schedule, set_current_state, wake_up_process } from '../kernel/sched/core';
import { TASK_UNINTERRUPTIBLE, task_ptr, type task_struct } from '../kernel/sched/task';
import type { i915_gem_options } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import type { gem_world } from './i915_world';

/** The owner-word ops raced, one per run: the references make two or three (a READ_ONCE, mutex_trylock()'s read and cmpxchg); an answer that makes more is raced at each of its first few. */
export const STALE_OWNER_AT_OPS = [0, 1, 2, 3, 4, 5] as const;

/** The owner's comm: the same as the caller's, so a comparison of names reads the owner's task_struct too. */
const OWNER_COMM = 'Xorg';

/** An answer that is a Promise is let run to its end, so the race stays on while it runs. */
async function settled(answer: unknown): Promise<void> {
  if (answer instanceof Promise) await answer.catch(() => undefined);
}

/**
 * judge_stale_owner - run @call (the learner's function on struct_mutex)
 * with the owner exiting and freed just after the call's atomic op #@nth on
 * the owner word; @site names the learner's function in KASAN's report;
 * @world is the device (with the learner's shrinker_ops where it has any).
 * Returns what a reviewer says, or null. Other checks judge the answer
 * itself; this one judges only that the owner's task_struct is never read.
 */
export async function judge_stale_owner(call: (w: gem_world) => unknown, site: string, nth: number, world: i915_gem_options = { release: '4.12' }): Promise<string | null> {
  let owner: task_struct | null = null;
  const { result, value } = await run_in_gem_world(
    world,
    async (w) => {
      const lock = w.i915.struct_mutex;
      if (!owner || atomic_long_read(lock.owner) !== 0) return { setup: 'check setup: struct_mutex should be free and the owner asleep' };
      // Its work on the other CPU took struct_mutex (the fast path: one cmpxchg; lockdep is not told, the stand-in never runs a critical section).
      atomic_long_set(lock.owner, task_ptr(owner));
      const race = model_other_cpu_owner_exits(lock, owner, nth, site);
      try {
        await settled(call(w));
      } finally {
        model_other_cpu_at_atomic(null);
      }
      if (__mutex_owner(lock) === current) mutex_unlock(lock); // the caller took the lock its owner left: give it back
      if (!race.exited) {
        atomic_long_set(lock.owner, 0); // the call made fewer ops: the owner's work ends normally
        wake_up_process(owner);
      }
      return { setup: null, race };
    },
    () => {
      owner = kthread_run(async () => {
        set_current_state(TASK_UNINTERRUPTIBLE);
        await schedule(); // its work runs on the other CPU: in the model it only owns the word (no timer: it is woken or exits there)
      }, OWNER_COMM);
    },
    undefined,
    OWNER_COMM,
  );
  const kasan = first_report(result, ['kasan']);
  if (kasan) {
    return `struct_mutex was held by ${OWNER_COMM} (a kernel thread working on another CPU). Just after your call's atomic op #${nth} on the owner word, ` +
      `${OWNER_COMM} unlocked, exited and was reaped, and your task, preempted right there (CONFIG_PREEMPT) and in no RCU read-side critical section, ` +
      'let the grace period end: delayed_put_task_struct freed its task_struct. Your code then read that task_struct through the pointer it had loaded from the word: ' +
      `${kasan}. __mutex_owner() gives a bare pointer, with no reference and no RCU read lock: compare it with current (only current can make itself the owner, ` +
      'so that answer cannot go stale), never read the task it points to (its pid, comm, flags or state).' + dmesg_tail(result, 10);
  }
  const bad = first_report(result, ['deadlock', 'hung_task', 'lockdep', 'bug', 'warn', 'forgotten_await', 'step_limit']);
  if (bad) return `the kernel complained: ${bad}${dmesg_tail(result)}`;
  if (!value) return `the check did not finish: ${result.stop}${dmesg_tail(result)}`;
  return value.setup;
}
