// A learner's callback answers something C cannot hold (round 5's attack 06,
// round 6's 01): an object, a Proxy, a BigInt, NaN, a thenable. The verdict
// must never come from the host-time backstop. Before the fix, do_shrink_slab
// read an object whose valueOf says 0 as "freeable 0" only in its arithmetic
// (`freeable === 0` is false), so its batch loop ran with nr_to_scan 0 until
// the step limit (minutes of host time: the grader stopped it at 60 s), and a
// thenable whose then() never calls back left the task neither running nor
// asleep. Now the model's boundary (kernel/mm/vmscan.ts call_shrinker) ends
// the call as an oops in a few steps, naming the callback.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run_isolated } from '../../course/isolate';
import { start_kernel, type run_result } from '../../kernel/init/main';
import { kthread_run } from '../../kernel/kthread';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { out_of_memory, register_oom_notifier } from '../../kernel/mm/oom_kill';
import { drop_slab, model_set_do_shrink_slab, register_shrinker, shrink_slab, type shrinker } from '../../kernel/mm/vmscan';
import { make_course_copy, remove_copy } from '../cli/course_copy';
import { test_shrinker } from '../kernel/mm_helpers';
import { EX01 } from './fixtures';

/** Answers no unsigned long can be, each built fresh (a Proxy or a getter runs code when read). */
const NOT_AN_UNSIGNED_LONG: Record<string, () => unknown> = {
  'an object whose valueOf says 0': () => ({ valueOf: () => 0 }),
  'an object whose Symbol.toPrimitive flips': () => {
    let n = 0;
    return { [Symbol.toPrimitive]: () => (n++ % 2 ? 0 : 4096) };
  },
  'a Proxy': () => new Proxy({}, { get: (_t, k) => (k === Symbol.toPrimitive ? () => 1 : undefined) }),
  'a BigInt': () => 5n,
  NaN: () => NaN,
  Infinity: () => Infinity,
  'a string': () => '64',
  undefined: () => undefined,
  'a thenable that never calls back': () => ({ then(): void {} }),
  'a Promise of an object': () => Promise.resolve({ valueOf: () => 0 }),
};

// A small step limit: without the boundary the spinning answers reach it, deterministically, in a test's time.
const PARAMS = { max_steps: 5_000 };

/** One shrink_slab by kswapd with @s registered; the oops ends kswapd's task, as in the kernel. */
function reclaim_with(s: shrinker): Promise<run_result> {
  return start_kernel(PARAMS, () => {
    expect(register_shrinker(s)).toBe(0);
    kthread_run(async () => {
      await shrink_slab(GFP_KERNEL, 0, null, 1000, 1000);
    }, 'kswapd0');
  });
}

describe('count_objects and scan_objects answer an unsigned long, or the call oopses', () => {
  for (const [what, make] of Object.entries(NOT_AN_UNSIGNED_LONG)) {
    it(`count_objects returns ${what}: an oops naming count_objects, scan never called, in a few steps`, async () => {
      const s = test_shrinker(() => make() as number, (sc) => sc.nr_to_scan, { name: 'i915_gem_shrinker' });
      const r = await reclaim_with(s);
      const bug = r.reports.find((x) => x.kind === 'bug');
      expect(bug?.title).toMatch(/^i915_gem_shrinker: count_objects returned /);
      expect(r.reports.some((x) => x.kind === 'step_limit')).toBe(false);
      expect(s.scans).toEqual([]);
      expect(r.steps).toBeLessThan(50);
    });
  }

  it('scan_objects returns an object whose valueOf says 128: an oops naming scan_objects after one call', async () => {
    const s = test_shrinker(() => 1000, () => ({ valueOf: () => 128 }) as unknown as number, { name: 'i915_gem_shrinker' });
    const r = await reclaim_with(s);
    expect(r.reports.find((x) => x.kind === 'bug')?.title).toBe('i915_gem_shrinker: scan_objects returned an object');
    expect(s.scans).toHaveLength(1);
  });

  it('an exercise\'s do_shrink_slab (11) that returns an object whose valueOf says 100: an oops naming do_shrink_slab, not drop_slab looping to the step limit', async () => {
    const s = test_shrinker(() => 1000, (sc) => sc.nr_to_scan, { name: 'fs_cache' });
    const r = await start_kernel(PARAMS, () => {
      expect(register_shrinker(s)).toBe(0);
      model_set_do_shrink_slab(async () => ({ valueOf: () => 100 }) as unknown as number);
      kthread_run(async () => {
        await drop_slab();
      }, 'drop_caches');
    });
    expect(r.reports.find((x) => x.kind === 'bug')?.title).toBe('do_shrink_slab returned an object');
    expect(r.reports.some((x) => x.kind === 'step_limit')).toBe(false);
    expect(r.steps).toBeLessThan(50);
  });

  it('a callback that throws a value whose every read throws (a Proxy): the task still dies with an oops, and the run ends', async () => {
    const hostile = () => new Proxy({}, { get: () => { throw new Error('read'); }, getPrototypeOf: () => { throw new Error('instanceof'); } });
    const s = test_shrinker(() => { throw hostile(); }, (sc) => sc.nr_to_scan, { name: 'i915_gem_shrinker' });
    const r = await reclaim_with(s);
    expect(r.reports.find((x) => x.kind === 'bug')?.title).toBe('Oops: Error: (a thrown value that could not be read)');
    expect(r.steps).toBeLessThan(50);
  });

  it('an OOM notifier (05) that leaves *freed at an object whose valueOf says 1, or returns a thenable: an oops naming it, not "progress" for ever', async () => {
    const answers: Record<string, (freed: { value: number }) => number | Promise<number>> = {
      'left *freed at an object': (freed) => {
        freed.value = { valueOf: () => 1 } as unknown as number;
        return 0;
      },
      'returned an object': () => ({ then(): void {} }) as unknown as number,
    };
    for (const [what, call] of Object.entries(answers)) {
      const r = await start_kernel(PARAMS, () => {
        register_oom_notifier({ notifier_call: function i915_gem_shrinker_oom(_nb, _event, freed) { return call(freed); } });
        kthread_run(async () => {
          await out_of_memory({ gfp_mask: GFP_KERNEL, order: 0 });
        }, 'oom');
      });
      expect(r.reports.find((x) => x.kind === 'bug')?.title, what).toBe(`i915_gem_shrinker_oom ${what}`);
    }
  });

  it('numbers are taken as they are (0, SHRINK_STOP from scan, a negative errno: their meaning is the checks\' to judge)', async () => {
    const s = test_shrinker(() => 300, () => -11, { name: 'i915_gem_shrinker' });
    const r = await reclaim_with(s);
    expect(r.reports.filter((x) => x.kind === 'bug')).toEqual([]);
    expect(s.scans.length).toBeGreaterThan(0);
  });
});

describe('a check that awaits what nothing can finish ends at once, in the same words everywhere', () => {
  it('an async count that returns a thenable whose then() never calls back: the exercise crashes with the reason, not the host-time backstop nor exit 13', async () => {
    const root = make_course_copy();
    const dir = join(root, 'exercises', EX01.id);
    writeFileSync(join(dir, EX01.files[0]!), `import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrink_control } from '../../kernel/mm/vmscan';
export async function i915_gem_shrinker_count(_i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  return { then(): void {} } as unknown as number;
}
`);
    let run;
    try {
      run = await run_isolated({ root, exercise: EX01.id, dir, typecheck: false, timeout_ms: 600_000 });
    } finally {
      remove_copy(root);
    }
    expect(run.status).toBe('crashed');
    expect(run.message).toMatch(/^the checks could not go on: the code under test waits for something that can never happen/);
    expect(run.results).toEqual([]);
  });
});
