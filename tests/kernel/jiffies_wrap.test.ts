// Boot parameter bits_per_long: on a 32-bit kernel jiffies is a u32 that
// starts at INITIAL_JIFFIES, (unsigned long)(unsigned int)(-300 * HZ), and
// wraps to 0 five minutes after boot (include/linux/jiffies.h). time_after()
// and friends compare by the signed difference and are right across the
// wrap; a raw `jiffies() > deadline` is not (red team 12's 13 open survivor,
// jiffies_compare_without_time_after, was equivalent while jiffies counted
// from 0 on 64 bits). The model's own clock work (timeouts, timers,
// khungtaskd, the GPU's requests) goes on across the wrap.
import { describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { i915_gem_load, i915_gem_wait_for_idle } from '../../kernel/drivers/gpu/drm/i915/i915_gem';
import { i915_gem_object_create, i915_gem_object_is_active, i915_gem_object_mark_active, i915_gem_object_request_completed, PAGE_SIZE } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { start_kernel } from '../../kernel/init/main';
import { measure_call } from '../../course/invariants';
import type { boot_params } from '../../kernel/init/params';
import { msleep, schedule_timeout_uninterruptible } from '../../kernel/sched/core';
import {
  get_jiffies_64,
  HZ,
  INITIAL_JIFFIES,
  jiffies,
  model_ticks,
  msecs_to_jiffies,
  time_after,
  time_after_eq,
  time_before,
} from '../../kernel/time/timekeeping';

/** Run @body in one user task on a fresh boot with @params; fails the test if the run did not complete. */
async function in_task(params: Partial<boot_params>, body: () => Promise<void>): Promise<void> {
  let err: unknown = null;
  const r = await start_kernel(params, () => {
    user_task(async () => {
      try {
        await body();
      } catch (e) {
        err = e;
      }
    }, 'x');
  });
  if (err) throw err;
  expect(r.reports.map((x) => x.title)).toEqual([]);
  expect(r.stop).toBe('completed');
}

/** 3 s before the 32-bit wrap: the clock starts 1 s after its zero, plus uptime_secs. */
const NEAR_WRAP = { bits_per_long: 32, uptime_secs: 296 } as const;

/**
 * Wait for a 5 s deadline set 3 s before the wrap, a tick loop of msleep(100) as a driver polls,
 * with @expired deciding; at most 200 polls (20 s). Returns the polls it took, or 200.
 */
async function polls_until(expired: (now: number, deadline: number) => boolean): Promise<number> {
  const deadline = jiffies() + msecs_to_jiffies(5000);
  let polls = 0;
  while (!expired(jiffies(), deadline) && polls < 200) {
    await msleep(100);
    polls++;
  }
  return polls;
}

describe('jiffies on 32 and 64 bits', () => {
  it('on 64 bits (the default) counts from 0: jiffies() is the model clock in ticks, and never wraps', async () => {
    await in_task({}, async () => {
      expect(jiffies()).toBe(model_ticks());
      expect(get_jiffies_64()).toBe(jiffies());
      expect(jiffies()).toBe(HZ); // the clock starts 1 s after its zero
      expect(INITIAL_JIFFIES()).toBe(2 ** 32 - 300_000);
    });
    await in_task({ uptime_secs: 9_000_000 }, async () => {
      expect(jiffies()).toBe(9_000_001 * HZ); // past 2^32 ticks (49.7 days at HZ=1000): no wrap
      expect(time_after(jiffies(), 2 ** 32)).toBe(true);
    });
  });

  it('on 32 bits starts at INITIAL_JIFFIES (300 s before the wrap, at every HZ) and wraps to 0 five minutes after boot', async () => {
    for (const hz of [1000, 250, 100]) {
      const seen: number[] = [];
      await in_task({ bits_per_long: 32, hz }, async () => {
        seen.push(jiffies(), INITIAL_JIFFIES());
        await msleep(298_000); // 299 s after the clock's zero
        seen.push(jiffies());
        await msleep(2000);
        seen.push(jiffies(), get_jiffies_64());
      });
      const [at_boot, initial, before, after, j64] = seen as [number, number, number, number, number];
      expect(initial).toBe(2 ** 32 - 300 * hz);
      expect(at_boot).toBe(initial + hz);
      expect(before).toBeGreaterThan(2 ** 32 - 2 * hz);
      expect(after).toBeLessThan(2 * hz); // wrapped, a second or so ago
      expect(j64).toBe(2 ** 32 + after); // jiffies_64 goes on
    }
  });

  it('time_after/time_before/time_after_eq are right across the wrap', async () => {
    await in_task(NEAR_WRAP, async () => {
      const before_wrap = jiffies();
      await msleep(4000);
      const after_wrap = jiffies();
      expect(after_wrap).toBeLessThan(before_wrap); // the raw values went backwards
      expect(time_after(after_wrap, before_wrap)).toBe(true);
      expect(time_before(before_wrap, after_wrap)).toBe(true);
      expect(time_after_eq(after_wrap, before_wrap + msecs_to_jiffies(4000))).toBe(true);
      expect(time_after(before_wrap + msecs_to_jiffies(5000), after_wrap)).toBe(true); // an unwrapped sum still compares right
    });
  });

  it('a 5 s deadline set just before the wrap: time_after ends the wait after 5 s, a raw > compare never does', async () => {
    let with_time_after = 0;
    let raw = 0;
    await in_task(NEAR_WRAP, async () => {
      with_time_after = await polls_until((now, deadline) => time_after(now, deadline));
    });
    await in_task(NEAR_WRAP, async () => {
      raw = await polls_until((now, deadline) => now > deadline);
    });
    expect(with_time_after).toBeGreaterThanOrEqual(50);
    expect(with_time_after).toBeLessThanOrEqual(51);
    expect(raw).toBe(200);
    // On 64 bits both forms agree: the raw compare was equivalent there.
    await in_task({ uptime_secs: 296 }, async () => {
      raw = await polls_until((now, deadline) => now > deadline);
    });
    expect(raw).toBe(with_time_after);
  });

  it('sleeps, timeouts and the GPU model go on across the wrap', async () => {
    await in_task(NEAR_WRAP, async () => {
      const from = get_jiffies_64();
      expect(await schedule_timeout_uninterruptible(msecs_to_jiffies(6000))).toBe(0);
      expect(get_jiffies_64() - from).toBeGreaterThanOrEqual(6000);
      expect(get_jiffies_64() - from).toBeLessThanOrEqual(6002);
    });
    // A request that completes 4 s from now, across the wrap: active until then, waited for by wait_for_idle.
    await in_task({ bits_per_long: 32, uptime_secs: 297 }, async () => {
      const i915 = i915_gem_load();
      const obj = (await i915_gem_object_create(i915, PAGE_SIZE))!;
      i915_gem_object_mark_active(obj, jiffies() + msecs_to_jiffies(4000));
      expect(i915_gem_object_request_completed(obj, jiffies())).toBe(false);
      expect(i915_gem_object_is_active(obj, jiffies())).toBe(true);
      const from = get_jiffies_64();
      expect(await i915_gem_wait_for_idle(i915, 0)).toBe(0);
      expect(get_jiffies_64() - from).toBe(4000);
      expect(i915_gem_object_request_completed(obj, jiffies())).toBe(true);
    });
  });

  it('the checks\' measure of a call (measure_call) counts jiffies_64 across the wrap', async () => {
    let stalled = -1;
    await in_task(NEAR_WRAP, async () => {
      stalled = (await measure_call(() => msleep(6000))).stalled_jiffies;
    });
    expect(stalled).toBeGreaterThanOrEqual(6000);
    expect(stalled).toBeLessThanOrEqual(6002);
  });

  it('refuses a BITS_PER_LONG the model does not build', async () => {
    await expect(start_kernel({ bits_per_long: 16 as 32 }, () => {})).rejects.toThrow(/BITS_PER_LONG is 32 or 64/);
  });
});
