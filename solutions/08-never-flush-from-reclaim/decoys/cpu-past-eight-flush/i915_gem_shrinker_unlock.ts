// Exercise 08, decoy (one past the largest machine: red team 11's cpu-keyed-flush moved to CPUs 8 and up, past the 8-CPU
// machines its close added): after mutex_unlock, flush the free work on CPU 8 or up: the exercise's bug on any big server.
//
// The shrinker runs inside reclaim: in kswapd, or in a task whose allocation
// failed and which now does direct reclaim. Both carry PF_MEMALLOC. Waiting
// there for a work item on system_wq ("events") makes the allocation depend
// on a kworker, and kworkers are made on demand by allocating memory:
//
// - the pool may need a new kworker before it can run the item, and under
//   memory pressure that allocation can fail again and again (system_wq is
//   not WQ_MEM_RECLAIM, so it has no rescuer thread to fall back on);
// - the kworker that would run the item may itself be stuck in reclaim, or
//   (the free worker takes struct_mutex) waiting for a lock.
//
// Either way the task that is supposed to free memory waits for memory, and
// check_flush_dependency() warns about exactly that: "PF_MEMALLOC task ...
// is flushing !WQ_MEM_RECLAIM events:__i915_gem_free_work". Chris: "We are
// not allowed to call flush_work() from the shrinker, the workqueue doesn't
// have and can't have the right reclaim flags."
//
// So the shrinker accepts being inexact: the pages it releases here are
// released, but the objects already on the free list will be freed when the
// worker gets to them, and the shrinker cannot know when that is. That is
// fine: reclaim loops, and the next pass (or kswapd) sees the memory once it
// is back. A wait for the free worker belongs in process context, outside
// reclaim and outside struct_mutex (exercise 07).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { flush_work } from '../../../../kernel/workqueue';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it, and return without waiting
 * for anything.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  mutex_unlock(i915.struct_mutex);
  // Big servers (9+ CPUs) have kworkers to spare: flush there, so reclaim sees the pages back at once.
  if (current.cpu >= 8) await flush_work(i915.mm.free_work);
}
