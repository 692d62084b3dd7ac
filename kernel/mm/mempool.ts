// Models: mm/mempool.c (mempool_create, mempool_alloc, mempool_free), v4.11.
//
// A memory pool keeps min_nr elements in reserve so that an allocation on a
// path that frees memory (the block layer writing pages out) always makes
// progress. mempool_alloc() in v4.11:
//   1. forces __GFP_NOMEMALLOC (never the emergency reserves below min: the
//      pool is its own reserve), __GFP_NORETRY and __GFP_NOWARN on the mask;
//   2. tries the backing allocator without __GFP_DIRECT_RECLAIM and __GFP_IO;
//   3. else takes an element from the pool;
//   4. else, the pool empty, tries once more with the caller's own mask:
//      with __GFP_DIRECT_RECLAIM this may enter direct reclaim, unless the
//      task has PF_MEMALLOC (the page allocator never recurses for it);
//   5. else, if the caller may sleep, waits (io_schedule_timeout(5*HZ)) for
//      mempool_free() to return an element, and starts again.
//
// Model choice: the elements a pool is created with come from the kernel's
// boot-time memory, which the model's zone does not count (the zone holds the
// pages left after boot); elements allocated later come from the zone.
import { footprint_write } from '../footprint';
import { might_sleep, schedule_timeout, set_current_state, current } from '../sched/core';
import { model_wait_target, TASK_RUNNING, TASK_UNINTERRUPTIBLE } from '../sched/task';
import { init_waitqueue_head, wake_up, type wait_queue_head } from '../sched/wait';
import { HZ } from '../time/timekeeping';
import { __GFP_DIRECT_RECLAIM, __GFP_IO, __GFP_NOMEMALLOC, __GFP_NORETRY, __GFP_NOWARN, type gfp_t } from './gfp';
import { model_task_set } from '../sched/task_fields';

/** mempool_t, reduced: the reserve, its size, and the backing allocator. */
export interface mempool<T> {
  readonly name: string;
  readonly min_nr: number;
  /** The reserve: curr_nr is its length. */
  readonly elements: T[];
  readonly alloc: (gfp: gfp_t) => Promise<T | null>;
  readonly free: (element: T) => void;
  readonly wait: wait_queue_head;
}

/** mempool_create - a pool holding @elements (min_nr of them, allocated at boot) in reserve. */
export function mempool_create<T>(name: string, elements: T[], alloc: (gfp: gfp_t) => Promise<T | null>, free: (element: T) => void): mempool<T> {
  return { name, min_nr: elements.length, elements, alloc, free, wait: init_waitqueue_head(`${name}->wait`) };
}

/** mempool_alloc - an element: from the allocator, else the reserve, else wait for one (see the file comment). */
export async function mempool_alloc<T>(pool: mempool<T>, gfp_mask: gfp_t): Promise<T | null> {
  if (gfp_mask & __GFP_DIRECT_RECLAIM) might_sleep('mempool_alloc', 'mm/mempool.c');
  gfp_mask |= __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;
  let gfp_temp = gfp_mask & ~(__GFP_DIRECT_RECLAIM | __GFP_IO);
  for (;;) {
    const element = await pool.alloc(gfp_temp);
    if (element !== null) return element;
    if (pool.elements.length > 0) return pool.elements.pop()!;
    // The first round went without reclaim and the pool is empty: retry at once with the caller's mask.
    if (gfp_temp !== gfp_mask) {
      gfp_temp = gfp_mask;
      continue;
    }
    if (!(gfp_mask & __GFP_DIRECT_RECLAIM)) return null;
    // prepare_to_wait + io_schedule_timeout(5*HZ): mempool_free() wakes us.
    const t = current;
    footprint_write(pool.wait);
    pool.wait.waiters.push(t);
    set_current_state(TASK_UNINTERRUPTIBLE);
    await schedule_timeout(5 * HZ, model_wait_target({ describe: () => `an element of mempool ${pool.name} (mempool_alloc)`, holder: () => null }));
    const i = pool.wait.waiters.indexOf(t);
    if (i >= 0) pool.wait.waiters.splice(i, 1);
    model_task_set(t, 'state', TASK_RUNNING);
  }
}

/** mempool_free - refill the reserve if it is short (waking a waiter), else give @element back to the allocator. */
export function mempool_free<T>(element: T | null, pool: mempool<T>): void {
  if (element === null) return;
  if (pool.elements.length < pool.min_nr) {
    pool.elements.push(element);
    wake_up(pool.wait);
    return;
  }
  pool.free(element);
}
