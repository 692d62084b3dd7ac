// A wrong value returned without any call into the kernel (a `return 0`
// after a failed trylock) left the explanation with no Call Trace at all:
// the judged code's frame is on no stack the model reads. course/explain.ts
// now shows the kernel's first call into it: the judged function, what it
// returned, and the model's callers (issue #13: every failure shows a call
// trace with the learner's place in it).
import { describe, expect, it } from 'vitest';
import { explain_failure } from '../../course/explain';
import { traced_exports } from '../../course/funcgraph';
import { user_task } from '../../kernel/fork';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { start_kernel } from '../../kernel/init/main';
import { register_shrinker, shrink_slab, type shrinker } from '../../kernel/mm/vmscan';

/** A learner's count that answers 0 without asking the kernel anything, and one that answers through a kernel call. */
const answer = {
  i915_gem_shrinker_count(): number {
    return 0;
  },
};

/** Boot, register a shrinker whose count is the traced answer, and let shrink_slab call it once. */
const workload = () =>
  start_kernel({ trace: true }, () => {
    user_task(async () => {
      const impl = traced_exports(answer);
      const s: shrinker = { count_objects: () => impl.i915_gem_shrinker_count(), scan_objects: () => 0, seeks: 2, batch: 0, flags: 0, name: 'i915_gem_shrinker' };
      register_shrinker(s);
      await shrink_slab(GFP_KERNEL, 0, null, 32, 32);
    }, 'i915_ioctl');
  });

describe('explain_failure: judged code that made no call into the kernel', () => {
  it("shows the kernel's call into it as a Call Trace: the judged function with what it returned, then the model's callers", async () => {
    const lines = await explain_failure(workload);
    const at = lines.indexOf("The kernel's first call into your code on that workload (replayed with trace on):");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('  Call Trace:');
    expect(lines[at + 2]).toBe('   i915_gem_shrinker_count   <- your code (returned 0)');
    // The callers are the model's frames, innermost first, down through shrink_slab (never the trace machinery's own).
    const callers = lines.slice(at + 3, lines.indexOf('', at + 3));
    expect(callers.every((l) => /^ {3}[\w.]+ \(kernel\/\S+\.ts:\d+\)$/.test(l))).toBe(true);
    expect(callers.some((l) => l.includes('do_shrink_slab (kernel/mm/vmscan.ts:'))).toBe(true);
    expect(callers.some((l) => l.includes('shrink_slab (kernel/mm/vmscan.ts:'))).toBe(true);
    expect(callers.some((l) => l.includes('kernel/trace/'))).toBe(false);
    // The trace window follows, with the call marked.
    expect(lines.some((l) => /funcgraph_exit: func=i915_gem_shrinker_count retval=0 {3}<- your code$/.test(l))).toBe(true);
  });

  it("shows the judged function over the scheduler alone when the check's own task called it", async () => {
    const lines = await explain_failure(() =>
      start_kernel({ trace: true }, () => {
        user_task(async () => {
          traced_exports(answer).i915_gem_shrinker_count();
        }, 'i915_ioctl');
      }),
    );
    const at = lines.indexOf("The kernel's first call into your code on that workload (replayed with trace on):");
    expect(lines.slice(at + 1, at + 3)).toEqual(['  Call Trace:', '   i915_gem_shrinker_count   <- your code (returned 0)']);
    // Under it only the scheduler that runs the task's body.
    const under = lines.slice(at + 3, lines.indexOf('', at + 3));
    expect(under.every((l) => /\((kernel\/sched|kernel\/init)\//.test(l))).toBe(true);
  });
});
