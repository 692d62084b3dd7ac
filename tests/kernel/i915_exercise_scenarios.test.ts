// The workloads of exercises 04 (owner word) and 06 (pin before alloc) show
// what their lessons say they show, and the model helper exercise 06 relies
// on (sg_table_page) lets KASAN see a stale sg_table.
import { describe, expect, it } from 'vitest';
import { explore } from '../../explorer/explore';
import { I915_SHRINK_BOUND, I915_SHRINK_UNBOUND } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import {
  i915_gem_object_create,
  i915_gem_object_get_pages,
  i915_gem_object_pin_pages,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  sg_table_page,
} from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_shrink } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { atomic_long_read } from '../../kernel/lib/atomic';
import {
  MUTEX_FLAG_HANDOFF,
  MUTEX_FLAG_WAITERS,
  MUTEX_FLAGS,
  mutex_lock,
  mutex_trylock,
  mutex_unlock,
  MUTEX_TRYLOCK_FAILED,
  MUTEX_TRYLOCK_RECURSIVE,
  MUTEX_TRYLOCK_SUCCESS,
  type mutex,
} from '../../kernel/locking/mutex';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../kernel/mm/slab';
import { current } from '../../kernel/sched/core';
import { task_ptr } from '../../kernel/sched/task';
import { gem_world } from '../../scenarios/i915_world';
import { handoff_pending_while_holder_allocates, waiter_while_holder_allocates, type handoff_pending_setup } from '../../scenarios/owner_word';
import { new_execbuffer_outcome, relocate_under_pressure, type relocate_fn } from '../../scenarios/pin_before_alloc';

describe('sg_table_page', () => {
  it('reports a KASAN use-after-free when the table was freed by the shrinker, and none while the pages are pinned', async () => {
    const run = (pin: boolean) =>
      start_kernel({ totalram_pages: 512, swap_pages: 64 }, () => {
        const w = gem_world({ release: '4.12' });
        user_task(async () => {
          const obj = (await i915_gem_object_create(w.i915, 4 * PAGE_SIZE))!;
          await (pin ? i915_gem_object_pin_pages(obj) : i915_gem_object_get_pages(obj));
          const sgt = obj.mm.pages!;
          await mutex_lock(w.i915.struct_mutex);
          await i915_gem_shrink(w.i915, 100, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
          mutex_unlock(w.i915.struct_mutex);
          sg_table_page(sgt, 0, 'stale_walk');
          if (pin) i915_gem_object_unpin_pages(obj);
        }, 'gem_test');
      });
    const bad = await run(false);
    expect(bad.reports.map((r) => r.kind)).toEqual(['kasan']);
    expect(bad.dmesg.join('\n')).toContain('BUG: KASAN: use-after-free in stale_walk at addr');
    expect((await run(true)).reports).toEqual([]);
  });
});

describe('exercise 04 workload: a waiter sets MUTEX_FLAG_WAITERS while the holder allocates', () => {
  const raw = (lock: mutex): number => {
    if (atomic_long_read(lock.owner) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
    return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
  };

  it('a raw owner-word comparison passes the default run and reaches the OOM killer with one preemption', async () => {
    const sc = waiter_while_holder_allocates('t-owner-word-raw', raw);
    const single = await explore(sc, { preemption_bound: 0 });
    expect(single.failures).toEqual([]);
    const x = await explore(sc, { preemption_bound: 2, stop_on: 'first' });
    expect(x.failures.map((f) => [f.kind, f.title, f.preemptions])).toEqual([['oom', 'Killed process 1 (firefox)', 1]]);
  });
});

describe('exercise 13 workload: HANDOFF already pending when the holder allocates (the relocation slow path dropped and retook struct_mutex)', () => {
  /** A recursion check that masks @mask off the owner word before comparing it with current. */
  const masking = (mask: number) => (lock: mutex): number => {
    if ((atomic_long_read(lock.owner) & ~mask) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
    return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
  };

  it('the default run shows the holder "ioctl | WAITERS | HANDOFF"; masking only WAITERS passes 04\'s default run but OOM-kills here, masking all flags does not', async () => {
    const seen: handoff_pending_setup = { word_before_allocating: 0 };
    const right = await explore(handoff_pending_while_holder_allocates('t-handoff-right', masking(MUTEX_FLAGS), seen), { preemption_bound: 0 });
    expect(right.failures).toEqual([]);
    expect(seen.word_before_allocating & MUTEX_FLAGS).toBe(MUTEX_FLAG_WAITERS | MUTEX_FLAG_HANDOFF);
    expect(seen.word_before_allocating & ~MUTEX_FLAGS).not.toBe(0);
    const waiters_only = masking(MUTEX_FLAG_WAITERS);
    expect((await explore(waiter_while_holder_allocates('t-waiters-only', waiters_only), { preemption_bound: 1 })).failures).toEqual([]);
    const bad = await explore(handoff_pending_while_holder_allocates('t-handoff-waiters-only', waiters_only, { word_before_allocating: 0 }), { preemption_bound: 0 });
    expect(bad.failures.map((f) => [f.kind, f.title, f.preemptions])).toEqual([['oom', 'Killed process 1 (firefox)', 0]]);
  });
});

describe('exercise 06 workload: a relocation allocates under struct_mutex at the min watermark', () => {
  const relocate = (pin: boolean): relocate_fn => async (_i915, obj) => {
    const err = pin ? await i915_gem_object_pin_pages(obj) : await i915_gem_object_get_pages(obj);
    if (err) return err;
    const sgt = obj.mm.pages!;
    sg_table_page(sgt, 0, 'relocate');
    const buf = await kmalloc(1024, GFP_KERNEL);
    sg_table_page(sgt, 0, 'relocate');
    kfree(buf);
    if (pin) i915_gem_object_unpin_pages(obj);
    return buf ? 0 : -12;
  };

  it('the shrinker drops unpinned pages inside the kmalloc in the default run (KASAN), and a pin keeps them', async () => {
    const bad = await explore(relocate_under_pressure('t-reloc-get', relocate(false)), { preemption_bound: 0 });
    expect(bad.failures.map((f) => [f.kind, f.title])).toEqual([['kasan', 'KASAN: use-after-free in relocate']]);
    const out = new_execbuffer_outcome();
    const good = await explore(relocate_under_pressure('t-reloc-pin', relocate(true), out), { preemption_bound: 0 });
    expect(good.failures).toEqual([]);
    expect(out.ret).toBe(0);
    expect(out.pages_after).toBe(out.pages_before);
    expect([out.pin_before, out.pin_after]).toEqual([0, 0]);
  });
});
