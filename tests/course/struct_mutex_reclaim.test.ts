// The struct_mutex workloads of exercises 03 and 05 (scenarios/struct_mutex_reclaim.ts)
// and the judge of scenarios/shrinker_lock_contract.ts: every path really reaches the
// shrinker's lock and unlock in the state it claims, the model's v4.11 lock and
// unlock break no rule there, and known-wrong ones are caught on the path that shows them.
import { describe, expect, it } from 'vitest';
import { i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock } from '../../kernel/locking/mutex';
import { schedule_timeout_uninterruptible } from '../../kernel/sched/core';
import { first_violation, judged_lock, judged_unlock } from '../../scenarios/shrinker_lock_contract';
import { decisive_workload, LOCK_PATHS, STRUCT_MUTEX_HOLDERS, run_struct_mutex_workload } from '../../scenarios/struct_mutex_reclaim';

describe('struct_mutex workloads', () => {
  it.each(LOCK_PATHS.flatMap((p) => STRUCT_MUTEX_HOLDERS.map((h) => [p, h] as const)))(
    'path %s with holder %s reaches the shrinker lock, and the v4.11 lock and unlock break no rule',
    async (path, holder) => {
      const l = judged_lock((i915) => i915_gem_shrinker_lock(i915)); // a wrapper: the judge refuses the model's own function as an answer
      const u = judged_unlock((i915, unlock) => i915_gem_shrinker_unlock(i915, unlock));
      const { result, value } = await run_struct_mutex_workload(decisive_workload(path, holder, holder === 'nobody' ? 'none' : 'waiters', false), {
        lock: l.lock,
        unlock: u.unlock,
      });
      expect(result.reports.map((r) => `${r.kind}: ${r.title}`)).toEqual([]);
      expect(l.judge.calls).toBeGreaterThan(0);
      expect(first_violation(l.judge)).toBeNull();
      expect(first_violation(u.judge)).toBeNull();
      expect(value?.owner_at_end).toBeNull();
      if (holder === 'reclaimer') expect(value?.reclaimer_kept_lock).toBe(true);
      if (holder === 'other') expect(value?.released_under_other_holder).toBe(0);
    },
  );

  it('catches a plain trylock in the task that holds struct_mutex, and a short poll under another holder', async () => {
    const plain = judged_lock(async (i915) => (mutex_trylock(i915.struct_mutex) ? { locked: true, unlock: true } : { locked: false, unlock: false }));
    await run_struct_mutex_workload(decisive_workload('direct', 'reclaimer', 'none', false), { lock: plain.lock });
    expect(first_violation(plain.judge)).toContain('already held struct_mutex');
    const poll = judged_lock(async (i915) => {
      const st = await i915_gem_shrinker_lock(i915);
      if (!st.locked) await schedule_timeout_uninterruptible(1);
      return st;
    });
    await run_struct_mutex_workload(decisive_workload('drop-caches', 'other', 'none', true), { lock: poll.lock });
    expect(first_violation(poll.judge)).toContain('slept 1 time(s)');
  });
});
