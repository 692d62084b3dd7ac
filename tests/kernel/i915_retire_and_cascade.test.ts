// The model's request retirement (obj->active_count until retired), the free
// worker's cascades (an object's release drops the references it held) and
// need_resched(): the pieces exercises 07 and 09 grade on.
import { describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { i915_gem_is_busy, i915_gem_object_put, i915_gem_retire_requests } from '../../kernel/drivers/gpu/drm/i915/i915_gem';
import {
  i915_gem_object_create,
  i915_gem_object_is_active,
  i915_gem_object_mark_active,
  i915_gem_object_pin_pages,
  i915_gem_object_unpin_pages,
  model_i915_object_hold,
  model_retire_worker_runs_after,
  PAGE_SIZE,
  type drm_i915_gem_object,
  model_i915_object_freed,
} from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { rcu_barrier } from '../../kernel/rcu/update';
import { cond_resched, msleep, need_resched } from '../../kernel/sched/core';
import { jiffies } from '../../kernel/time/timekeeping';
import { flush_work } from '../../kernel/workqueue';
import { gem_world, type gem_world as world } from '../../scenarios/i915_world';

async function with_gem(body: (w: world) => Promise<void>): Promise<Awaited<ReturnType<typeof start_kernel>>> {
  return start_kernel({ totalram_pages: 512 }, () => {
    const w = gem_world({ release: '4.12' });
    user_task(() => body(w), 'gem_test');
  });
}

async function object_with_pages(w: world): Promise<drm_i915_gem_object> {
  const obj = await i915_gem_object_create(w.i915, PAGE_SIZE);
  expect(obj).not.toBeNull();
  expect(await i915_gem_object_pin_pages(obj!)).toBe(0);
  i915_gem_object_unpin_pages(obj!);
  return obj!;
}

describe('request retirement', () => {
  it('a completed request keeps its object active until i915_gem_retire_requests(), and the GPU counts as idle meanwhile', async () => {
    const seen: Record<string, boolean> = {};
    const r = await with_gem(async (w) => {
      const obj = await object_with_pages(w);
      i915_gem_object_mark_active(obj, jiffies() + 2);
      seen.active_while_running = i915_gem_object_is_active(obj, jiffies());
      await msleep(3); // the request completes
      seen.busy_after_completion = i915_gem_is_busy(w.i915);
      seen.active_before_retire = i915_gem_object_is_active(obj, jiffies());
      await mutex_lock(w.i915.struct_mutex);
      i915_gem_retire_requests(w.i915);
      mutex_unlock(w.i915.struct_mutex);
      seen.active_after_retire = i915_gem_object_is_active(obj, jiffies());
    });
    expect(r.stop).toBe('completed');
    expect(seen).toEqual({ active_while_running: true, busy_after_completion: false, active_before_retire: true, active_after_retire: false });
  });

  it('the retire worker retires a completed request at the next whole second', async () => {
    const seen: Record<string, boolean> = {};
    const r = await with_gem(async (w) => {
      const obj = await object_with_pages(w);
      i915_gem_object_mark_active(obj, jiffies());
      const worker = model_retire_worker_runs_after(obj.active_until);
      seen.active_before = i915_gem_object_is_active(obj, worker - 1);
      seen.active_at_worker_run = i915_gem_object_is_active(obj, worker);
    });
    expect(r.stop).toBe('completed');
    expect(seen).toEqual({ active_before: true, active_at_worker_run: false });
  });

  it('i915_gem_retire_requests() wants struct_mutex (lockdep_assert_held)', async () => {
    const r = await with_gem(async (w) => {
      i915_gem_retire_requests(w.i915);
    });
    expect(r.dmesg.join('\n')).toContain('i915_gem_retire_requests');
    expect(r.reports.map((x) => x.kind)).toContain('warn');
  });
});

describe('the free worker', () => {
  it('freeing an object drops the references it held: the last one sends that object through call_rcu() again (a cascade)', async () => {
    const seen: Record<string, number> = {};
    const r = await with_gem(async (w) => {
      const holder = await object_with_pages(w);
      const held = await object_with_pages(w);
      model_i915_object_hold(holder, held); // the creator's reference handed over
      i915_gem_object_put(holder);
      await rcu_barrier();
      await flush_work(w.i915.mm.free_work);
      seen.holder_freed = model_i915_object_freed(holder) ? 1 : 0;
      seen.held_freed_after_one_round = model_i915_object_freed(held) ? 1 : 0;
      seen.in_flight = w.i915.mm.free_count;
      await rcu_barrier();
      await flush_work(w.i915.mm.free_work);
      seen.held_freed_after_two = model_i915_object_freed(held) ? 1 : 0;
      seen.left = w.i915.mm.free_count;
    });
    expect(r.stop).toBe('completed');
    expect(seen).toEqual({ holder_freed: 1, held_freed_after_one_round: 0, in_flight: 1, held_freed_after_two: 1, left: 0 });
  });
});

describe('need_resched', () => {
  it('is set once current has run its slice while another task of its CPU waits, never for a task of another CPU', async () => {
    const seen: Record<string, number> = {};
    const r = await start_kernel({ nr_cpus: 2 }, () => {
      let stop = false;
      user_task(async () => {
        for (let i = 1; i <= 200; i++) {
          await cond_resched();
          if (need_resched()) {
            seen.same_cpu = i;
            break;
          }
        }
        stop = true;
      }, 'runner', { cpu: 0 });
      user_task(async () => {
        while (!stop) await cond_resched();
      }, 'waiter', { cpu: 0 });
    });
    expect(r.stop).toBe('completed');
    expect(seen.same_cpu).toBeGreaterThan(0);
    const other: Record<string, number> = {};
    const r2 = await start_kernel({ nr_cpus: 2 }, () => {
      let stop = false;
      user_task(async () => {
        other.hits = 0;
        for (let i = 1; i <= 200; i++) {
          await cond_resched();
          if (need_resched()) other.hits++;
        }
        stop = true;
      }, 'runner', { cpu: 0 });
      user_task(async () => {
        while (!stop) await cond_resched();
      }, 'elsewhere', { cpu: 1 });
    });
    expect(r2.stop).toBe('completed');
    expect(other.hits).toBe(0);
  });
});
