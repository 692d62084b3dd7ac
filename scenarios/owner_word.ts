// Exercise 04's workload: the i915 shrinker asks "do I already hold
// struct_mutex?" through a recursion check given as a function (the
// learner's mutex_trylock_recursive), while another task waits for the lock.
//
// A check that compares the raw owner word with current's task pointer is
// right as long as no flag bit is set. A waiter sets MUTEX_FLAG_WAITERS, and
// a waiter can only queue while the holder is switched out, so the default
// run (the holder keeps the CPU) never shows the bug: it takes a preemption,
// which is what the explorer tries.
import type { scenario } from '../explorer/scenario';
import { shrinker_lock_state_of, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import { mutex_lock, mutex_unlock, type mutex } from '../kernel/locking/mutex';
import { current, schedule_timeout_uninterruptible } from '../kernel/sched/core';
import { task_ptr } from '../kernel/sched/task';
import { atomic_long_read } from '../kernel/lib/atomic';
import { trace, trace_enabled } from '../kernel/trace/trace';
import { allocate_pages, gem_world, populate, WORLD_PARAMS } from './i915_world';

/** A recursion check with mutex_trylock_recursive()'s contract: FAILED 0, SUCCESS 1, RECURSIVE 2. */
export type trylock_recursive_fn = (lock: mutex) => number;

/**
 * shrinker_lock_from - i915_gem_shrinker_lock() built on @trylock_recursive
 * instead of the kernel's mutex_trylock_recursive(): FAILED means "give up",
 * RECURSIVE "go on, but the outer frame unlocks", anything else "go on, and
 * unlock when done". With tracing on, each call records the owner word it
 * was shown, the caller's address and the answer (a model tracepoint, so a
 * replayed run shows what the check saw).
 */
export function shrinker_lock_from(trylock_recursive: trylock_recursive_fn): i915_shrinker_ops['lock'] {
  return async (i915) => {
    const word = trace_enabled() ? atomic_long_read(i915.struct_mutex.owner) : 0;
    const ret = trylock_recursive(i915.struct_mutex);
    if (trace_enabled()) trace('i915_gem_shrinker_lock', { owner_word: word, current_ptr: task_ptr(current), ret });
    return shrinker_lock_state_of(ret);
  };
}

/** Pages the ioctl allocates under struct_mutex: enough to go below the min watermark. */
const PRESSURE_PAGES = 40;

/**
 * waiter_while_holder_allocates - a GEM ioctl takes struct_mutex and
 * allocates under memory pressure; another process's GEM ioctl ("Xorg", the
 * display server) wants struct_mutex too. If it asks while the first ioctl
 * holds the lock, it queues and sets MUTEX_FLAG_WAITERS. Reclaim, in
 * the ioctl's task, then calls the i915 shrinker: if the recursion check
 * does not see that the ioctl owns the lock, count reports 0, the buffer
 * cache stays hidden, the OOM notifier cannot take the lock either, and the
 * OOM killer kills a bystander ("firefox").
 */
export function waiter_while_holder_allocates(id: string, trylock_recursive: trylock_recursive_fn): scenario {
  return {
    id,
    params: { ...WORLD_PARAMS },
    setup() {
      const w = gem_world({ release: '4.12', shrinker_ops: { lock: shrinker_lock_from(trylock_recursive) } });
      user_task(async () => {
        await schedule_timeout_uninterruptible(60_000);
      }, 'firefox', { rss_pages: 15 });
      user_task(async () => {
        await populate(w, { pinned_pages: 125, cache_objects: 4, cache_object_pages: 12 });
        await mutex_lock(w.i915.struct_mutex);
        await allocate_pages(PRESSURE_PAGES);
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
      user_task(async () => {
        await mutex_lock(w.i915.struct_mutex);
        mutex_unlock(w.i915.struct_mutex);
      }, 'Xorg');
    },
  };
}
