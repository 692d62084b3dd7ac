// The kernel-specific swaps the mutation generator knows: a call replaced by
// the sibling a learner (or a patch on LKML) might reach for, and a constant
// replaced by its neighbours. StrykerJS knows nothing of these; each one is a
// wrong fix somebody could plausibly write, so a check suite must reject it.
//
// A template's `$args` stands for the original call's arguments. `imports`
// lists what the replacement needs, by kernel module (relative to the course
// root); the generator adds an import for any name the file lacks.

export interface kernel_import {
  name: string;
  /** Module path from the course root, without extension ("kernel/locking/mutex"). */
  from: string;
}

export interface call_swap {
  /** The called function's name. */
  call: string;
  /** The replacement expression; `$args` is the original argument list, `$1`, `$2` one argument of it. */
  template: string;
  imports: kernel_import[];
  /** The replacement uses `await`: only generated inside an async function. */
  needs_async?: boolean;
  /** What the swap means, in kernel terms. */
  why: string;
}

export interface constant_swap {
  name: string;
  replacements: { text: string; imports: kernel_import[] }[];
}

const MUTEX = 'kernel/locking/mutex';
const RCU = 'kernel/rcu/update';
const WQ = 'kernel/workqueue';
const GFP = 'kernel/mm/gfp';
const VMSCAN = 'kernel/mm/vmscan';
const I915_OBJ = 'kernel/drivers/gpu/drm/i915/i915_gem_object';
const TASK = 'kernel/sched/task';
const SCHED_MM = 'kernel/sched/mm';
const I915_DRV = 'kernel/drivers/gpu/drm/i915/i915_drv';
const SCHED_CORE = 'kernel/sched/core';
const ATOMIC = 'kernel/lib/atomic';

const m = (name: string): kernel_import => ({ name, from: MUTEX });

/** Calls and the siblings they are confused with. */
export const CALL_SWAPS: call_swap[] = [
  // kernel/locking/mutex.c: a plain trylock fails for the owner too, so the task holding struct_mutex sees "busy".
  {
    call: 'mutex_trylock_recursive',
    // `as number`: the answer's literal type must not turn the swap into a compile error where it is compared with RECURSIVE.
    template: '((mutex_trylock($args) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED) as number)',
    imports: [m('mutex_trylock'), m('MUTEX_TRYLOCK_SUCCESS'), m('MUTEX_TRYLOCK_FAILED')],
    why: 'mutex_trylock() instead of mutex_trylock_recursive(): the owner itself is told FAILED',
  },
  {
    call: 'mutex_trylock_recursive',
    template: '(await mutex_lock($args), MUTEX_TRYLOCK_SUCCESS as number)',
    imports: [m('mutex_lock'), m('MUTEX_TRYLOCK_SUCCESS')],
    needs_async: true,
    why: 'mutex_lock() instead of a trylock: sleeps on struct_mutex (and deadlocks on its own owner)',
  },
  {
    call: 'mutex_trylock',
    template: '(await mutex_lock($args), true)',
    imports: [m('mutex_lock')],
    needs_async: true,
    why: 'mutex_lock() instead of mutex_trylock(): reclaim sleeps on the lock',
  },
  {
    call: 'mutex_trylock',
    template: 'mutex_is_locked($args)',
    imports: [m('mutex_is_locked')],
    why: 'mutex_is_locked() instead of mutex_trylock(): asks, takes nothing',
  },
  {
    call: 'mutex_lock',
    template: 'mutex_trylock($args)',
    imports: [m('mutex_trylock')],
    why: 'mutex_trylock() with its answer ignored instead of mutex_lock()',
  },
  {
    call: 'mutex_lock',
    template: 'mutex_lock_interruptible($args)',
    imports: [m('mutex_lock_interruptible')],
    why: 'mutex_lock_interruptible() with its answer ignored instead of mutex_lock(): a signal leaves the lock not taken',
  },
  {
    call: 'mutex_lock',
    template: 'mutex_lock_killable($args)',
    imports: [m('mutex_lock_killable')],
    why: 'mutex_lock_killable() instead of mutex_lock(): still sleeps on the lock',
  },
  // kernel/rcu/tree.c: a grace period, an expedited one and a barrier wait for different things.
  { call: 'synchronize_rcu', template: 'synchronize_rcu_expedited($args)', imports: [{ name: 'synchronize_rcu_expedited', from: RCU }], why: 'synchronize_rcu_expedited() instead of synchronize_rcu()' },
  { call: 'synchronize_rcu', template: 'rcu_barrier($args)', imports: [{ name: 'rcu_barrier', from: RCU }], why: 'rcu_barrier() instead of synchronize_rcu()' },
  { call: 'synchronize_rcu_expedited', template: 'synchronize_rcu($args)', imports: [{ name: 'synchronize_rcu', from: RCU }], why: 'synchronize_rcu() instead of synchronize_rcu_expedited()' },
  { call: 'rcu_barrier', template: 'synchronize_rcu($args)', imports: [{ name: 'synchronize_rcu', from: RCU }], why: 'synchronize_rcu() instead of rcu_barrier(): waits for readers, not for queued callbacks' },
  { call: 'rcu_barrier', template: 'synchronize_rcu_expedited($args)', imports: [{ name: 'synchronize_rcu_expedited', from: RCU }], why: 'synchronize_rcu_expedited() instead of rcu_barrier()' },
  // kernel/workqueue.c: flushing, cancelling and queueing a work item.
  { call: 'flush_work', template: 'cancel_work_sync($args)', imports: [{ name: 'cancel_work_sync', from: WQ }], why: 'cancel_work_sync() instead of flush_work(): the pending work is dropped, not run' },
  { call: 'flush_work', template: 'schedule_work($args)', imports: [{ name: 'schedule_work', from: WQ }], why: 'schedule_work() (queue_work on system_wq) instead of flush_work(): queues, does not wait' },
  { call: 'cancel_work_sync', template: 'flush_work($args)', imports: [{ name: 'flush_work', from: WQ }], why: 'flush_work() instead of cancel_work_sync()' },
  { call: 'flush_workqueue', template: 'drain_workqueue($args)', imports: [{ name: 'drain_workqueue', from: WQ }], why: 'drain_workqueue() instead of flush_workqueue()' },
  { call: 'drain_workqueue', template: 'flush_workqueue($args)', imports: [{ name: 'flush_workqueue', from: WQ }], why: 'flush_workqueue() instead of drain_workqueue()' },
  // include/linux/sched/mm.h: PF_MEMALLOC_NOIO only narrows the GFP mask; PF_MEMALLOC keeps reclaim out.
  { call: 'memalloc_noreclaim_save', template: 'memalloc_noio_save($args)', imports: [{ name: 'memalloc_noio_save', from: SCHED_MM }], why: 'memalloc_noio_save() instead of memalloc_noreclaim_save(): allocations still enter reclaim (GFP_NOIO), and the shrinkers run' },
  { call: 'memalloc_noio_save', template: 'memalloc_noreclaim_save($args)', imports: [{ name: 'memalloc_noreclaim_save', from: SCHED_MM }], why: 'memalloc_noreclaim_save() instead of memalloc_noio_save()' },
  // mm/vmscan.c do_shrink_slab(): nr_deferred is taken with xchg and given back with add, so racing reclaimers neither double-count nor lose it.
  { call: 'atomic_long_xchg', template: 'atomic_long_read($1)', imports: [{ name: 'atomic_long_read', from: ATOMIC }], why: 'atomic_long_read() instead of atomic_long_xchg(): the deferred work is read but left in place, so it is counted again' },
  { call: 'atomic_long_add_return', template: 'atomic_long_set($2, $1)', imports: [{ name: 'atomic_long_set', from: ATOMIC }], why: 'atomic_long_set() instead of atomic_long_add_return(): the give-back stores over what a concurrent reclaimer deferred' },
  { call: 'atomic_long_add', template: 'atomic_long_set($2, $1)', imports: [{ name: 'atomic_long_set', from: ATOMIC }], why: 'atomic_long_set() instead of atomic_long_add(): stores over what a concurrent reclaimer added' },
  // kernel/time/timer.c: a killable sleep ends on SIGKILL; an uninterruptible one does not.
  { call: 'schedule_timeout_killable', template: 'schedule_timeout_uninterruptible($args)', imports: [{ name: 'schedule_timeout_uninterruptible', from: SCHED_CORE }], why: 'schedule_timeout_uninterruptible() instead of schedule_timeout_killable(): a task being OOM-killed keeps sleeping' },
  // drivers/gpu/drm/i915/i915_gem.c: getting pages is not keeping them.
  { call: 'i915_gem_object_pin_pages', template: 'i915_gem_object_get_pages($args)', imports: [{ name: 'i915_gem_object_get_pages', from: I915_OBJ }], why: 'get_pages instead of pin_pages: the shrinker may release the pages under us' },
  { call: 'i915_gem_object_get_pages', template: 'i915_gem_object_pin_pages($args)', imports: [{ name: 'i915_gem_object_pin_pages', from: I915_OBJ }], why: 'pin_pages instead of get_pages (a pin nobody drops)' },
];

const rotate = (names: string[], from: string) => names.filter((n) => n !== from);

/** Constants and the values they are confused with. */
export const CONSTANT_SWAPS: constant_swap[] = [
  // mm/vmscan.c do_shrink_slab(): SHRINK_STOP defers the work, 0 says "nothing here".
  { name: 'SHRINK_STOP', replacements: [{ text: '0', imports: [] }] },
  // kernel/locking/mutex.c: the three answers of mutex_trylock_recursive().
  ...['MUTEX_TRYLOCK_FAILED', 'MUTEX_TRYLOCK_SUCCESS', 'MUTEX_TRYLOCK_RECURSIVE'].map((name, _i, all) => ({
    name,
    replacements: rotate(all, name).map((r) => ({ text: r, imports: [m(r)] })),
  })),
  // kernel/locking/mutex.c: the flag bits in the low bits of the owner word.
  ...['MUTEX_FLAGS', 'MUTEX_FLAG_WAITERS', 'MUTEX_FLAG_HANDOFF', 'MUTEX_FLAG_PICKUP'].map((name, _i, all) => ({
    name,
    replacements: [
      ...rotate(all, name).map((r) => ({ text: r, imports: [m(r)] })),
      ...(name === 'MUTEX_FLAGS' ? [{ text: '(MUTEX_FLAG_WAITERS | MUTEX_FLAG_HANDOFF)', imports: [m('MUTEX_FLAG_WAITERS'), m('MUTEX_FLAG_HANDOFF')] }] : []),
    ],
  })),
  // include/linux/gfp.h: which reclaim an allocation may enter.
  ...['GFP_KERNEL', 'GFP_NOFS', 'GFP_NOIO', 'GFP_NOWAIT', 'GFP_ATOMIC'].map((name, _i, all) => ({
    name,
    replacements: rotate(all, name).map((r) => ({ text: r, imports: [{ name: r, from: GFP }] })),
  })),
  // drivers/gpu/drm/i915/i915_drv.h: which objects i915_gem_shrink() may take (purgeable only, unbound, bound, active too).
  ...['I915_SHRINK_PURGEABLE', 'I915_SHRINK_UNBOUND', 'I915_SHRINK_BOUND', 'I915_SHRINK_ACTIVE'].map((name, _i, all) => ({
    name,
    replacements: rotate(all, name).map((r) => ({ text: r, imports: [{ name: r, from: I915_DRV }] })),
  })),
  // include/uapi/drm/i915_drm.h: what userspace said about a buffer's contents (DONTNEED: may be purged).
  ...['I915_MADV_WILLNEED', 'I915_MADV_DONTNEED'].map((name, _i, all) => ({
    name,
    replacements: rotate(all, name).map((r) => ({ text: r, imports: [{ name: r, from: I915_DRV }] })),
  })),
  // include/linux/sched.h: the task flags reclaim looks at.
  ...['PF_MEMALLOC', 'PF_KSWAPD', 'PF_MEMALLOC_NOIO'].map((name, _i, all) => ({
    name,
    replacements: rotate(all, name).map((r) => ({ text: r, imports: [{ name: r, from: TASK }] })),
  })),
];

/** `return 0` in a shrinker callback may be meant as SHRINK_STOP (and the other way round). */
export const SHRINK_STOP_IMPORT: kernel_import = { name: 'SHRINK_STOP', from: VMSCAN };
