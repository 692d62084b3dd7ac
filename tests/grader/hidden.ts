// An instructor's hidden suite for exercise 01, as a test writes it: one
// check a solution passes (3 points), one nobody passes (1 point). Its
// source carries HIDDEN_MARKER in a comment and in a function body: no
// report, output or message may ever contain it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { make_temp } from '../../grader/tree';
import { EX01 } from './fixtures';

export const HIDDEN_MARKER = 'hidden-suite-source-4b1d';
/**
 * The NUMA node id the hidden check passes to count, and no visible check
 * does: how an attack fixture tells a hidden check's call from a visible
 * one (an instructor's hidden workloads differ from the visible ones too).
 */
export const HIDDEN_NID = 7;

/** An instructor's hidden suite for exercise 01: one check a solution passes (3 points), one nobody passes (1 point). */
export function hidden_dir(): string {
  const d = make_temp('shrinker-hidden-');
  writeFileSync(join(d, `${EX01.id}.checks.ts`), `// ${HIDDEN_MARKER}: nothing of this file may reach a learner
import { define_checks, fail, pass, type exercise_impl } from '../../course/checks';
import { run_once } from '../../course/check_helpers';
import { gem_world, WORLD_PARAMS } from '../../scenarios/i915_world';
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
type count_fn = (i915: drm_i915_private, sc: unknown) => Promise<number>;
const HIDDEN_NID = ${HIDDEN_NID};
export default define_checks({
  exercise: '${EX01.id}',
  exports: { i915_gem_shrinker_count: 'async function i915_gem_shrinker_count(i915, sc): Promise<number>' },
  checks: [
    { id: 'empty-device-counts-zero', name: 'counts 0 on a device with no objects', async run(impl: exercise_impl) {
        const w = { i915: null as drm_i915_private | null };
        const { value } = await run_once(WORLD_PARAMS, async () => (impl.i915_gem_shrinker_count as count_fn)(w.i915!, { gfp_mask: GFP_KERNEL, nr_to_scan: 0, nid: HIDDEN_NID, memcg: null }), () => { w.i915 = gem_world({ release: '4.12', shrinker_ops: { count: impl.i915_gem_shrinker_count as count_fn } }).i915; });
        return value === 0 ? pass('0') : fail(\`counted \${String(value)} on an empty device\`);
    } },
    { id: 'impossible', name: 'a check nobody passes', run: async () => { const secret = '${HIDDEN_MARKER}'; return fail(secret.length > 0 ? 'by design' : ''); } },
  ],
});
`);
  writeFileSync(join(d, `${EX01.id}.points.json`), JSON.stringify({ points: { 'empty-device-counts-zero': 3, impossible: 1 } }));
  return d;
}
