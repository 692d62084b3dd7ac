// Reference solution for exercise 07: drain the deferred frees.
//
// An object whose last reference is gone travels three legs before its
// memory is back (i915_gem.c, since fbbd37b36fa5 in v4.10):
//
//   i915_gem_free_object()  -> call_rcu(__i915_gem_free_object_rcu)
//   RCU callback (softirq)  -> llist_add to mm.free_list, schedule_work(free_work)
//   __i915_gem_free_work    -> mutex_lock(struct_mutex), unlink, put pages, free
//
// Each wait covers exactly one leg:
// - synchronize_rcu() waits for a grace period, i.e. for readers. It does
//   not wait for callbacks queued earlier: they run in batches (blimit, 10
//   per CPU per batch), so a backlog on another CPU can still be pending
//   when it returns (Paul McKenney, PMCK-0321). That was 3d3d18f086cd's
//   mistake. Even when the callbacks did run, they only queued the work
//   (Andrea: "Waiting a RCU grace period only guarantees the work gets
//   queued").
// - rcu_barrier() waits until every callback queued before it has been
//   invoked: now every object is on the free list and the work is queued.
//   Nothing is freed yet.
// - flush_work(free_work) waits until the queued work has finished: the
//   worker has taken struct_mutex and freed the objects. Called on its own,
//   before rcu_barrier(), it finds nothing queued and returns at once.
//
// The loop: free_count counts objects anywhere on that road. Freeing can
// release more objects (the kernel's later drain loops for the same reason),
// and another task may drop objects meanwhile, so repeat until nothing is in
// flight. It also makes the call free when nothing is pending: no grace
// period, no sleep.
//
// Why this is only for process context: flush_work() waits for a worker
// that needs struct_mutex, and rcu_barrier() can wait for several grace
// periods. Called with struct_mutex held it deadlocks (the worker waits for
// our lock, we wait for the worker); called from reclaim (PF_MEMALLOC) it
// flushes a !WQ_MEM_RECLAIM workqueue, which check_flush_dependency() warns
// about and which can block for ever under memory pressure (exercise 08).
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../kernel/rcu/update';
import { flush_work } from '../../kernel/workqueue';

/**
 * i915_gem_drain_freed_objects - wait until every GEM object released
 * before this call has been freed (pages and all). Process context only,
 * and never with struct_mutex held.
 */
export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  while (i915.mm.free_count > 0) {
    await rcu_barrier(); // every earlier RCU callback has run: the objects are on free_list, free_work is queued
    await flush_work(i915.mm.free_work); // the worker has run: pages and objects are freed
  }
}
