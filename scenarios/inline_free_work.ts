// The free worker's job done inline, from reclaim (red team 12's
// run_free_worker_inline: exercises 02, 08, 09 and 13).
//
// A shrinker may not wait for i915's free worker (exercise 08: no flush of a
// !WQ_MEM_RECLAIM workqueue from reclaim). The tempting way round is to do
// the worker's job itself: after its own mutex_unlock(), when objects are on
// mm.free_list and struct_mutex looks free, call i915.mm.free_work.func(). But
// __i915_gem_free_objects() takes struct_mutex with mutex_lock(), a sleeping
// lock, from reclaim: the mutex_is_locked() test before it is a TOCTOU
// (another CPU's GEM ioctl takes the lock right after the test, then
// allocates and waits for the memory this reclaim is to free: lesson 03's
// deadlock, from the unlock), and the work function runs outside its
// workqueue, beside the kworker's own instance of it, with the work's
// lockdep map never taken.
//
// The model runs one task at a time, so in a check's default schedule the
// lock is still free when the inline mutex_lock() takes it and nothing
// sleeps. The checks therefore judge the call, not the schedule: the calling
// task must not ask for a sleeping lock at all inside a callback reclaim
// makes (course/invariants.ts watch_sleeping_locks, the model's record,
// lockdep on or off). And the workload gives the inline call something to do:
// objects on mm.free_list with free_work queued behind another driver's
// long item, so the worker has not run when the shrinker is called.
import { i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../kernel/rcu/update';
import { current } from '../kernel/sched/core';
import { busy_kworker } from './gem_free_path';
import { make_gem_objects } from './gem_workloads';

/**
 * Scheduler steps the other driver's item keeps the kworker busy: longer
 * than any shrinker call the checks make after it (a call that yields that
 * often has failed the never-waits rules first).
 */
const BUSY_STEPS = 1500;

/**
 * objects_on_free_list - from a task: @n one-page buffers whose last
 * reference is dropped, their RCU callbacks run, so they sit on
 * mm.free_list with free_work queued behind another driver's long item on
 * this CPU's kworker (the worker has not run yet). Call it with struct_mutex
 * free or held by the caller: it takes no lock.
 */
export async function objects_on_free_list(i915: drm_i915_private, n: number): Promise<void> {
  const objs = await make_gem_objects(i915, Array.from({ length: n }, () => ({ kind: 'needed' as const, pages: 1 })));
  busy_kworker(current.cpu, BUSY_STEPS);
  for (const obj of objs) i915_gem_object_put(obj);
  await rcu_barrier(); // the callbacks ran: the objects are on mm.free_list, free_work waits behind the busy item
}

/**
 * sleeping_lock_in_reclaim - what a reviewer says when @fn, called by @by
 * from reclaim (or the OOM path), asked for @locks with a sleeping lock call.
 */
export function sleeping_lock_in_reclaim(fn: string, by: string, locks: readonly string[]): string {
  const names = [...new Set(locks)].join(', ');
  return `${fn}, called by ${by}, asked for ${names} with a sleeping lock call (mutex_lock() or kin) during the call. ` +
    'It runs on the way into or out of reclaim: whoever holds struct_mutex may be waiting for the memory this reclaim is to free (lesson 03), ' +
    'so from here struct_mutex is only ever tried (mutex_trylock()), never waited for; that this run found it free does not make the wait safe ' +
    '(another CPU\'s GEM ioctl can take it between any test and the lock). Doing the free worker\'s job here is such a wait: ' +
    '__i915_gem_free_objects() takes struct_mutex with mutex_lock(), and a work item\'s function belongs in its worker, on its workqueue. ' +
    'Leave the freed objects to the free worker: their memory comes back when it runs.';
}
