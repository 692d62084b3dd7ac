// GEM objects on their way to being freed, for the checks of exercises 07
// (drain them) and 08 (never wait for them from reclaim).
//
// When the last reference to a GEM object goes (drivers/gpu/drm/i915/i915_gem.c,
// v4.10+), the object travels three legs before its memory is back:
//   i915_gem_free_object()   call_rcu() on the CPU that dropped it
//   RCU callback (softirq)   llist_add() to mm.free_list; the first one queues mm.free_work
//   __i915_gem_free_work     takes struct_mutex, unbinds, puts the pages, frees
// A check is only as good as the states it puts that road in: a few objects
// or a backlog of RCU callbacks longer than the batch limit (blimit, 10 per
// CPU per grace period, kernel/rcu/tree.c rcu_do_batch), dropped on one CPU
// or on both, the free worker idle, queued behind another driver's long item
// on the same kworker pool, or already running and blocked on struct_mutex.
import { fc } from '../course/workload';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import type { drm_i915_gem_object } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { model_i915_object_hold } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { user_task } from '../kernel/fork';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { complete, init_completion, wait_for_completion, type completion } from '../kernel/sched/completion';
import { cond_resched, msleep } from '../kernel/sched/core';
import { DECLARE_WORK, schedule_work_on } from '../kernel/workqueue';
import { make_gem_objects, type gem_object_kind, type gem_object_spec } from './gem_workloads';

/**
 * Kinds an object can be when its LAST reference goes. Not pinned pages,
 * not scanout, not GPU-active: each of those holds a reference of its own
 * (a CPU mapping, the framebuffer, the active request), so such an object is
 * never freed in that state.
 */
export const FREEABLE_KINDS = ['bound-idle', 'purgeable', 'needed', 'dirty-needed', 'no-pages'] as const satisfies readonly gem_object_kind[];

/** Where the last references are dropped: which CPU's call_rcu() list gets the callbacks. */
export type release_cpus = 'cpu0' | 'cpu1' | 'both';

export interface freed_objects_spec {
  /** How many objects lose their last reference (tens to hundreds of RCU callbacks). */
  count: number;
  /** Their kinds, cycled over the objects (one page each: a backlog is counted in callbacks, not pages). */
  kinds: (typeof FREEABLE_KINDS)[number][];
  cpus: release_cpus;
  /**
   * Optional cascades: the first @chains released objects each keep alive a
   * chain of @depth more objects (one reference each, the model's
   * references_held: a PRIME import keeping the exporter's object). Freeing
   * one drops the last reference of the next, which goes through call_rcu()
   * and the free worker in turn: @depth more grace periods and worker runs
   * after the first.
   */
  cascade?: { chains: number; depth: number };
}

export const arb_freed_objects = (min = 1, max = 120): fc.Arbitrary<freed_objects_spec> =>
  fc.record({
    count: fc.integer({ min, max }),
    kinds: fc.array(fc.constantFrom(...FREEABLE_KINDS), { minLength: 1, maxLength: 4 }),
    cpus: fc.constantFrom<release_cpus>('cpu0', 'cpu1', 'both'),
  });

/** The object specs of @spec on @cpu (objects alternate between the CPUs when both are used). */
function specs_on(spec: freed_objects_spec, cpu: number): gem_object_spec[] {
  const out: gem_object_spec[] = [];
  for (let i = 0; i < spec.count; i++) {
    const on = spec.cpus === 'both' ? i % 2 : spec.cpus === 'cpu0' ? 0 : 1;
    if (on === cpu) out.push({ kind: spec.kinds[i % spec.kinds.length]!, pages: 1 });
  }
  return out;
}

export function describe_freed(spec: freed_objects_spec): string {
  const where = spec.cpus === 'both' ? 'CPUs 0 and 1' : `CPU ${spec.cpus === 'cpu0' ? 0 : 1}`;
  const c = spec.cascade;
  const cascade = c && c.chains > 0 && c.depth > 0
    ? `, the first ${Math.min(c.chains, spec.count)} each keeping alive a chain of ${c.depth} more (freeing one drops the last reference of the next: a cascade of ${c.depth} more call_rcu() rounds)`
    : '';
  return `${spec.count} objects (${spec.kinds.join('/')}) released on ${where}${cascade}`;
}

/** Positions (in @spec's order) of the objects released on @cpu. */
function positions_on(spec: freed_objects_spec, cpu: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < spec.count; i++) {
    const on = spec.cpus === 'both' ? i % 2 : spec.cpus === 'cpu0' ? 0 : 1;
    if (on === cpu) out.push(i);
  }
  return out;
}

/**
 * keep_chains_alive - give each of @objs at @positions below the cascade's
 * chain count a chain of @spec.cascade.depth new objects, each held only by
 * the one before it (its creator's reference handed over). Returns the
 * chain objects: they are freed only after their holders.
 */
async function keep_chains_alive(i915: drm_i915_private, spec: freed_objects_spec, objs: drm_i915_gem_object[], positions: number[]): Promise<drm_i915_gem_object[]> {
  const c = spec.cascade;
  if (!c || c.depth <= 0) return [];
  const held: drm_i915_gem_object[] = [];
  for (let k = 0; k < objs.length; k++) {
    if (positions[k]! >= c.chains) continue;
    let holder = objs[k]!;
    const chain = await make_gem_objects(i915, Array.from({ length: c.depth }, (_, d) => ({ kind: spec.kinds[(positions[k]! + d + 1) % spec.kinds.length]!, pages: 1 })));
    for (const next of chain) {
      model_i915_object_hold(holder, next);
      holder = next;
    }
    held.push(...chain);
  }
  return held;
}

/** The objects a release put on the road, and when it is done. */
export interface release_handle {
  /** Every object whose last reference the release dropped (filled in as they go). */
  dropped: drm_i915_gem_object[];
  /** Completed once every object of @spec exists (created, pages populated). */
  created: completion;
  /** complete_all() it to drop the last references. */
  go: completion;
  /** Completed once every last reference is dropped (the RCU callbacks are queued, none run yet). */
  released: completion;
}

/**
 * release_objects - from scenario setup: one "client" task per CPU used,
 * which creates its share of @spec's objects, waits for @go, then drops
 * the last reference to each (call_rcu() on its CPU). Start it with
 * complete_all(h.go).
 */
export function release_objects(i915: () => drm_i915_private, spec: freed_objects_spec, comm = 'client'): release_handle {
  const h: release_handle = {
    dropped: [],
    created: init_completion('objects created'),
    go: init_completion('release the objects'),
    released: init_completion('objects released'),
  };
  const cpus = spec.cpus === 'both' ? [0, 1] : [spec.cpus === 'cpu0' ? 0 : 1];
  let left_to_create = cpus.length;
  let left_to_release = cpus.length;
  for (const cpu of cpus) {
    user_task(async () => {
      const objs = await make_gem_objects(i915(), specs_on(spec, cpu));
      const chained = await keep_chains_alive(i915(), spec, objs, positions_on(spec, cpu));
      if (--left_to_create === 0) complete(h.created);
      await wait_for_completion(h.go);
      for (const obj of objs) i915_gem_object_put(obj); // the last reference: call_rcu() on this CPU
      h.dropped.push(...objs, ...chained); // the chains go with their holders: released before the drain too
      if (--left_to_release === 0) complete(h.released);
    }, comm, { cpu });
  }
  return h;
}

/**
 * hold_struct_mutex - from scenario setup: a task named @comm on @cpu that,
 * once @go is completed, takes struct_mutex, completes the returned
 * `locked`, keeps the lock for @ms milliseconds (waiting for the GPU) and
 * releases it. The free worker cannot free anything meanwhile.
 */
export function hold_struct_mutex(i915: () => drm_i915_private, ms: number, comm: string, cpu = 1): { go: completion; locked: completion } {
  const h = { go: init_completion('take struct_mutex'), locked: init_completion('struct_mutex taken') };
  user_task(async () => {
    await wait_for_completion(h.go);
    await mutex_lock(i915().struct_mutex);
    complete(h.locked);
    await msleep(ms);
    mutex_unlock(i915().struct_mutex);
  }, comm, { cpu });
  return h;
}

/**
 * queue_behind_free_worker - from scenario setup: a task named @comm on @cpu
 * that, once @go is completed, calls mutex_lock(struct_mutex). Complete @go
 * while the free worker is blocked on the lock (another holder has it): the
 * task queues behind the worker (the wait list is FIFO, kernel/locking/mutex.c
 * __mutex_add_waiter), so it gets struct_mutex the moment the worker is done
 * with it, and keeps it @ms milliseconds (waiting for the GPU). A drain that
 * returned when the objects were freed never meets it; one that takes
 * struct_mutex afterwards "to be sure" waits the whole @ms.
 */
export function queue_behind_free_worker(i915: () => drm_i915_private, ms: number, comm: string, cpu = 1): { go: completion } {
  const h = { go: init_completion('queue on struct_mutex') };
  user_task(async () => {
    await wait_for_completion(h.go);
    await mutex_lock(i915().struct_mutex);
    await msleep(ms);
    mutex_unlock(i915().struct_mutex);
  }, comm, { cpu });
  return h;
}

/**
 * busy_kworker - from a task: another driver's long work item keeps @cpu's
 * "events" kworker running (not sleeping) for @steps scheduler steps, so
 * i915's free_work queued behind it on that pool waits its turn, as on a
 * loaded machine (concurrency management wakes another kworker only when
 * the running one sleeps).
 */
export function busy_kworker(cpu: number, steps: number): void {
  schedule_work_on(cpu, DECLARE_WORK(async () => {
    for (let i = 0; i < steps; i++) await cond_resched();
  }, 'busy_work'));
}

/**
 * sleepy_work - from a task: another driver's item on system_wq that sleeps
 * for @ms (waiting for its hardware). It has nothing to do with i915's free
 * path: waiting for it is waiting for somebody else's device.
 */
export function sleepy_work(cpu: number, ms: number): void {
  schedule_work_on(cpu, DECLARE_WORK(async () => {
    await msleep(ms);
  }, 'other_driver_work'));
}
