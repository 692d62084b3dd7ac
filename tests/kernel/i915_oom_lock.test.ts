// The OOM notifier's way in, v4.11 i915_gem_shrinker_lock_uninterruptible():
// one deadline set when it starts; each try waits for the GPU to idle with
// i915_gem_wait_for_idle(dev_priv, 0) (uninterruptible, no deadline of its
// own) and then tries struct_mutex; between failed tries a killable tick,
// fatal_signal_pending() and the deadline are looked at.
import { describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { start_kernel, type run_result } from '../../kernel/init/main';
import { i915_gem_wait_for_idle } from '../../kernel/drivers/gpu/drm/i915/i915_gem';
import { i915_gem_object_create, i915_gem_object_mark_active, i915_gem_object_pin_pages, i915_gem_object_unpin_pages, PAGE_SIZE } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_shrinker_lock_uninterruptible, i915_gem_shrinker_unlock } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { current, msleep, signal_wake_up } from '../../kernel/sched/core';
import { model_task_set } from '../../kernel/sched/task_fields';
import { TASK_UNINTERRUPTIBLE } from '../../kernel/sched/task';
import { jiffies } from '../../kernel/time/timekeeping';
import { gem_world, type gem_world as world } from '../../scenarios/i915_world';

interface setup {
  /** The GPU busy for this many jiffies from the start. */
  busy: number;
  /** Another task holds struct_mutex from the start for this many jiffies (0: nobody). */
  held: number;
  /** SIGKILL to the caller this many jiffies after it starts (absent: none). */
  sigkill?: number;
}

interface outcome {
  locked: boolean;
  took: number;
  state_at_kill: number | null;
}

async function lock_from_oom(s: setup): Promise<{ r: run_result; out: outcome }> {
  const out: outcome = { locked: false, took: -1, state_at_kill: null };
  const w = { gem: null as world | null, ready: false };
  const r = await start_kernel({ totalram_pages: 512 }, () => {
    w.gem = gem_world({ release: '4.11' });
    if (s.held) {
      user_task(async () => {
        await mutex_lock(w.gem!.i915.struct_mutex);
        w.ready = true;
        await msleep(s.held);
        mutex_unlock(w.gem!.i915.struct_mutex);
      }, 'Xorg');
    } else {
      w.ready = true;
    }
    user_task(async () => {
      const i915 = w.gem!.i915;
      while (!w.ready) await msleep(1);
      const obj = await i915_gem_object_create(i915, PAGE_SIZE);
      expect(await i915_gem_object_pin_pages(obj!)).toBe(0);
      i915_gem_object_unpin_pages(obj!);
      if (s.busy) i915_gem_object_mark_active(obj!, jiffies() + s.busy);
      if (s.sigkill !== undefined) {
        const victim = current;
        user_task(async () => {
          await msleep(s.sigkill!);
          out.state_at_kill = victim.state;
          model_task_set(victim, 'sigkill_pending', true);
          signal_wake_up(victim);
        }, 'kill');
      }
      const start = jiffies();
      const st = await i915_gem_shrinker_lock_uninterruptible(i915, 5000);
      out.took = jiffies() - start;
      out.locked = st !== null;
      if (st) await i915_gem_shrinker_unlock(i915, st.unlock);
    }, 'glxgears');
  });
  return { r, out };
}

const log = (r: run_result) => r.dmesg.join('\n');

describe('i915_gem_shrinker_lock_uninterruptible (v4.11)', () => {
  it('waits for a busy GPU uninterruptibly: SIGKILL during the GPU wait does not end it, and with the lock free it locks once the GPU idles', async () => {
    const { r, out } = await lock_from_oom({ busy: 3000, held: 0, sigkill: 20 });
    expect(r.stop).toBe('completed');
    expect(out.state_at_kill).toBe(TASK_UNINTERRUPTIBLE);
    expect(out.locked).toBe(true);
    expect(out.took).toBeGreaterThanOrEqual(3000);
    expect(out.took).toBeLessThanOrEqual(3001);
  });

  it('gives up on SIGKILL between tries: the GPU idle, struct_mutex held by another task', async () => {
    const { r, out } = await lock_from_oom({ busy: 0, held: 6000, sigkill: 35 });
    expect(r.stop).toBe('completed');
    expect(out.locked).toBe(false);
    expect(out.took).toBeGreaterThanOrEqual(35);
    expect(out.took).toBeLessThanOrEqual(37);
    expect(log(r)).not.toContain('Unable to lock GPU to purge memory.');
  });

  it('has one deadline, 5000 ms + 1 jiffy from the start: the GPU busy 4 s, then the lock still held, it gives up at the first tick past it', async () => {
    const { r, out } = await lock_from_oom({ busy: 4000, held: 6000 });
    expect(r.stop).toBe('completed');
    expect(out.locked).toBe(false);
    expect(out.took).toBe(5002);
    expect(log(r)).toContain('Unable to lock GPU to purge memory.');
  });

  it('looks at the deadline only after a failed try: a GPU busy past 5 s is waited for, and the lock then taken', async () => {
    const { r, out } = await lock_from_oom({ busy: 7000, held: 0 });
    expect(r.stop).toBe('completed');
    expect(out.locked).toBe(true);
    expect(out.took).toBeGreaterThanOrEqual(7000);
    expect(out.took).toBeLessThanOrEqual(7001);
    expect(log(r)).not.toContain('Unable to lock GPU to purge memory.');
  });
});

describe('i915_gem_wait_for_idle', () => {
  it('refuses flags the model does not wait by, with a clear error', async () => {
    let err = '';
    await start_kernel({ totalram_pages: 512 }, () => {
      const w = gem_world({ release: '4.11' });
      user_task(async () => {
        await i915_gem_wait_for_idle(w.i915, 1).catch((e: Error) => (err = e.message));
      }, 'gem_test');
    });
    expect(err).toMatch(/i915_gem_wait_for_idle: flags 1/);
  });
});
