// struct drm_i915_private carries only what the kernel's has: which kernel
// release the model imitates, and whether it runs Andrea's 2/5, are kept
// beside the device (model_i915_config). Code handed the device (a
// learner's) cannot read them and behave one way on the release the checks
// use and another on the rest (red team 6: 08 model-knob, 09 model-release-knob).
import { describe, expect, it } from 'vitest';
import { model_i915_config } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { start_kernel } from '../../kernel/init/main';
import { gem_world } from '../../scenarios/i915_world';

describe('the model configuration of an i915 device', () => {
  it('is not a field of the device: its own keys are the kernel structure\'s', async () => {
    await start_kernel({}, () => {
      const { i915 } = gem_world({ release: '4.12', flush_free_work_in_shrinker: true });
      expect(Object.keys(i915).sort()).toEqual(['mm', 'objects', 'shrinker_ops', 'struct_mutex']);
      expect(Object.getOwnPropertySymbols(i915)).toEqual([]);
      expect(model_i915_config(i915)).toEqual({ release: '4.12', flush_free_work_in_shrinker: true });
      expect(Object.isFrozen(model_i915_config(i915))).toBe(true);
      expect(model_i915_config(gem_world().i915)).toEqual({ release: '4.11', flush_free_work_in_shrinker: false });
    });
  });
});
