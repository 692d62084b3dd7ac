// The model's own answer, reached through the objects the checks hand to the
// learner's code (red team 3, attack #8 "delegate-model-count"): a count that
// calls i915.shrinker_ops.count, a scan that calls i915.mm.shrinker.scan_objects,
// a notifier that calls i915.mm.oom_notifier.notifier_call... Each scored
// points while the checks booted devices with the model's v4.11 callbacks
// (01: 2, 02: 5, 05: 3 against the starter's 0).
//
// The class is closed in the model: while an exercise's checks run
// (course/checks.ts run_checks), i915_gem_load refuses to boot a device whose
// slot for a function the exercise writes would hold the model's own
// (kernel/drivers/gpu/drm/i915/i915_gem.ts model_arm_answer_slots), so every
// device a check hands over carries the learner's function there, and
// delegating only calls the learner's code again.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run_checks, define_checks, pass } from '../../course/checks';
import { starter_dir } from '../../course/files';
import type { manifest_exercise } from '../../course/manifest';
import { model_i915_shrinker_ops } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { MODEL_SHRINKER_OP_OF } from '../../kernel/drivers/gpu/drm/i915/i915_gem';
import { v4_11_shrinker_ops } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { grade_submission, prepare_base, release_base, type grading_base } from '../../grader/grade';
import { gem_world } from '../../scenarios/i915_world';
import { manifest, new_submission } from './fixtures';

/**
 * How each delegation reaches the model's own callback from the device it is
 * handed, when the slot is not this very function. Two routes for count and
 * scan (the ops table and the registered shrinker struct), the OOM notifier
 * for oom, and for shrink the model's scan (which calls the model's
 * i915_gem_shrink when the slot is empty).
 */
const DELEGATE: Record<string, { sig: string; args: string; body: (fn: string) => string }> = {
  count: {
    sig: '(i915: drm_i915_private, sc: shrink_control): Promise<number>',
    args: 'i915, sc',
    body: (fn) => `if (i915.shrinker_ops.count !== ${fn}) return i915.shrinker_ops.count(i915, sc);`,
  },
  scan: {
    sig: '(i915: drm_i915_private, sc: shrink_control): Promise<number>',
    args: 'i915, sc',
    body: (fn) => `if (i915.shrinker_ops.scan !== ${fn}) return i915.mm.shrinker.scan_objects(i915.mm.shrinker, sc);`,
  },
  lock: {
    sig: '(i915: drm_i915_private): Promise<shrinker_lock_state>',
    args: 'i915',
    body: (fn) => `if (i915.shrinker_ops.lock !== ${fn}) return i915.shrinker_ops.lock(i915);`,
  },
  unlock: {
    sig: '(i915: drm_i915_private, unlock: boolean): Promise<void>',
    args: 'i915, unlock',
    body: (fn) => `if (i915.shrinker_ops.unlock !== ${fn}) return i915.shrinker_ops.unlock(i915, unlock);`,
  },
  shrink: {
    sig: '(i915: drm_i915_private, target: number, flags: number): Promise<number>',
    args: 'i915, target, flags',
    body: (fn) =>
      `if (i915.shrinker_ops.shrink !== ${fn}) {\n    const r = await i915.shrinker_ops.scan(i915, { gfp_mask: 0, nr_to_scan: target, nid: 0, memcg: null });\n    return r > target ? 0 : r;\n  }`,
  },
  oom: {
    sig: '(i915: drm_i915_private, freed: { value: number }): Promise<number>',
    args: 'i915, freed',
    body: (fn) => `if (i915.shrinker_ops.oom !== ${fn}) return i915.mm.oom_notifier.notifier_call(i915.mm.oom_notifier, 0, freed);`,
  },
};

/** The exercise's exported functions that fill a shrinker slot (what it writes), from its starter. */
function slot_functions(e: manifest_exercise): string[] {
  const text = e.files.map((f) => readFileSync(join(starter_dir(e), f), 'utf8')).join('\n');
  return [...text.matchAll(/^export async function (\w+)\(/gm)].map((m) => m[1]!).filter((n) => Object.hasOwn(MODEL_SHRINKER_OP_OF, n));
}

/**
 * The starter, each written function renamed and wrapped: the wrapper calls
 * the model's own callback when the device carries one, else the starter's.
 */
function delegating_submission(e: manifest_exercise): string {
  const sub = new_submission(`delegate-${e.id.slice(0, 2)}`);
  mkdirSync(join(sub, e.id), { recursive: true });
  let text = readFileSync(join(starter_dir(e), e.files[0]!), 'utf8');
  for (const fn of slot_functions(e)) {
    const d = DELEGATE[MODEL_SHRINKER_OP_OF[fn]!]!;
    text = text.replace(new RegExp(`^export async function ${fn}\\(`, 'm'), `async function starter_${fn}(`);
    text += `\nexport async function ${fn}${d.sig} {\n  ${d.body(fn)}\n  return starter_${fn}(${d.args});\n}\n`;
  }
  if (!/^import [^;]*\bshrink_control\b/m.test(text)) text = `import type { shrink_control } from '../../kernel/mm/vmscan';\n${text}`;
  writeFileSync(join(sub, e.id, e.files[0]!), text);
  return sub;
}

const DELEGATING = manifest.exercises.filter((e) => slot_functions(e).length > 0);

describe('the model\'s own answer, reached through the objects handed to the learner\'s code', () => {
  let base: grading_base;
  beforeAll(() => {
    base = prepare_base();
  });
  afterAll(() => release_base(base));

  it('covers every exercise that writes a shrinker callback (01, 02, 03, 05, 08, 09, 13)', () => {
    expect(DELEGATING.map((e) => e.id.slice(0, 2))).toEqual(['01', '02', '03', '05', '08', '09', '13']);
  });

  for (const e of DELEGATING) {
    it(`${e.id}: a delegation to the model's ${slot_functions(e).map((f) => MODEL_SHRINKER_OP_OF[f]).join('/')} scores no more than the starter (0), refused by the state rule or graded`, async () => {
      const r = await grade_submission(base, { submission: delegating_submission(e), exercises: [e.id], typecheck: true });
      const x = r.exercises[0]!;
      // The delegation compares the device's callback with its own function, a function used as a
      // value: the state rule (course/module_state.ts) now refuses that before it runs. Where it is
      // not refused, the file is legal TypeScript, so the checks themselves must hold.
      // The ops table is no longer on the device (model_i915_shrinker_ops keeps it beside it): a
      // delegation through i915.shrinker_ops is refused by absence, a type error.
      if (x.status === 'policy') expect(x.message).toMatch(/uses the function `\w+` as a value/);
      else if (x.status === 'compile_error') expect(x.message).toMatch(/Property 'shrinker_ops' does not exist on type 'drm_i915_private'/);
      expect(x.checks.filter((c) => c.score > 0).map((c) => c.id)).toEqual([]);
      expect(x.score).toBe(0);
    });
  }
});

describe('model_arm_answer_slots: while a suite runs, no device it boots carries the model\'s own version of what the exercise writes', () => {
  const writes_count = define_checks({
    exercise: '01-count-must-not-hide-memory',
    exports: { i915_gem_shrinker_count: 'async function i915_gem_shrinker_count(i915, sc): Promise<number>' },
    checks: [
      { id: 'default-ops', name: 'boots with the model defaults', run: async () => (gem_world({ release: '4.12' }), pass()) },
      { id: 'model-count', name: 'boots with the model count, named', run: async () => (gem_world({ release: '4.12', shrinker_ops: { count: v4_11_shrinker_ops.count } }), pass()) },
      { id: 'learner-count', name: 'boots with the learner\'s count', run: async (impl) => (gem_world({ release: '4.12', shrinker_ops: { count: impl.i915_gem_shrinker_count as typeof v4_11_shrinker_ops.count } }), pass()) },
    ],
  });

  it('refuses the model defaults and the model count passed by name, takes the learner\'s, and disarms after the suite', async () => {
    const learner_count = async () => 0;
    const rs = await run_checks(writes_count, { i915_gem_shrinker_count: learner_count });
    expect(rs.map((r) => [r.id, r.status])).toEqual([['default-ops', 'failed'], ['model-count', 'failed'], ['learner-count', 'passed']]);
    expect(rs[0]!.message).toMatch(/the check crashed: Error: a check booted an i915 device with the model's own shrinker_ops\.count while the exercise writes it/);
    // Outside a suite (the explorer, the lessons' scenarios) the model's defaults are what they always were.
    expect(model_i915_shrinker_ops(gem_world({ release: '4.12' }).i915).count).toBe(v4_11_shrinker_ops.count);
  });
});
