// struct drm_i915_private carries only what the kernel's has: which kernel
// release the model imitates, and whether it runs Andrea's 2/5, are kept
// beside the device (model_i915_config). Code handed the device (a
// learner's) cannot read them and behave one way on the release the checks
// use and another on the rest (red team 6: 08 model-knob, 09 model-release-knob).
import { describe, expect, it } from 'vitest';
import { model_i915_config, model_i915_objects, model_i915_shrinker_ops } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_create } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { v4_11_shrinker_ops } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { gem_world } from '../../scenarios/i915_world';

describe('the model configuration of an i915 device', () => {
  it('is not a field of the device: its own keys are the kernel structure\'s', async () => {
    await start_kernel({}, () => {
      const { i915 } = gem_world({ release: '4.12', flush_free_work_in_shrinker: true });
      expect(Object.keys(i915).sort()).toEqual(['mm', 'struct_mutex']);
      expect(Object.getOwnPropertySymbols(i915)).toEqual([]);
      expect(model_i915_config(i915)).toEqual({ release: '4.12', flush_free_work_in_shrinker: true });
      expect(Object.isFrozen(model_i915_config(i915))).toBe(true);
      expect(model_i915_config(gem_world().i915)).toEqual({ release: '4.11', flush_free_work_in_shrinker: false });
    });
  });

  // Linux has neither a list of every GEM object (v4.11 keeps them on mm.bound_list and mm.unbound_list)
  // nor an ops table on the device (the shrinker is i915->mm.shrinker): the model's record of both is
  // beside the device, so a learner's `i915.objects` or `i915.shrinker_ops` is a type error and undefined.
  it('keeps every object and the shrinker callbacks beside the device, not on it', async () => {
    let created: unknown[] = [];
    let i915: ReturnType<typeof gem_world>['i915'] | undefined;
    await start_kernel({ totalram_pages: 512 }, () => {
      const w = gem_world({ release: '4.11' });
      i915 = w.i915;
      user_task(async () => {
        created = [await i915_gem_object_create(w.i915, 4096), await i915_gem_object_create(w.i915, 8192)];
      }, 'gem_test');
    });
    expect(created).toHaveLength(2);
    expect(model_i915_objects(i915!)).toEqual(created);
    expect(model_i915_shrinker_ops(i915!).count).toBe(v4_11_shrinker_ops.count);
    expect(Object.isFrozen(model_i915_shrinker_ops(i915!))).toBe(true);
    const seen_by_learner = i915 as unknown as Record<string, unknown>;
    expect(seen_by_learner['objects']).toBeUndefined();
    expect(seen_by_learner['shrinker_ops']).toBeUndefined();
    expect(() => model_i915_objects({} as NonNullable<typeof i915>)).toThrow(/a device the model did not create/);
  });
});
