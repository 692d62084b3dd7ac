// The graded checks of exercise 06 (pin before alloc).
// Each check runs your i915_gem_execbuffer_relocate inside a GEM execbuffer
// ioctl that holds struct_mutex while memory is at the min watermark, so
// its kmalloc(GFP_KERNEL) enters reclaim and the i915 shrinker runs inside it.
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { dmesg_tail, first_report, no_failures, run_once } from '../course/check_helpers';
import type { run_result } from '../kernel/init/main';
import {
  execbuffer_ioctl,
  new_execbuffer_outcome,
  relocate_under_pressure,
  RELOC_PARAMS,
  type execbuffer_outcome,
  type relocate_fn,
} from '../scenarios/pin_before_alloc';
import { gem_world, type gem_world as world } from '../scenarios/i915_world';

const fn_of = (impl: exercise_impl): relocate_fn => impl.i915_gem_execbuffer_relocate as relocate_fn;

/** One execbuffer ioctl under pressure, under the kernel's own scheduling. */
async function one_ioctl(relocate: relocate_fn): Promise<{ result: run_result; out: execbuffer_outcome }> {
  const out = new_execbuffer_outcome();
  const w = { world: null as world | null };
  const { result } = await run_once(RELOC_PARAMS, () => execbuffer_ioctl(w.world!, relocate, out), () => {
    w.world = gem_world({ release: '4.12' });
  });
  return { result, out };
}

const BAD_KINDS = ['kasan', 'deadlock', 'lockdep', 'bug', 'warn', 'oom', 'forgotten_await', 'step_limit'] as const;

export default define_checks({
  exercise: '06-pin-before-alloc',
  exports: { i915_gem_execbuffer_relocate: 'async function i915_gem_execbuffer_relocate(i915, obj): Promise<number>' },
  checks: [
    {
      id: 'no-use-after-free-under-reclaim',
      name: 'never touches freed pages when the shrinker runs inside its allocation, in any schedule',
      run: (impl) => no_failures(relocate_under_pressure('ex06-relocate-under-pressure', fn_of(impl))),
    },
    {
      id: 'succeeds-under-pressure',
      name: 'still succeeds under memory pressure, writing to the pages it looked up',
      async run(impl) {
        const { result, out } = await one_ioctl(fn_of(impl));
        const bad = first_report(result, [...BAD_KINDS]);
        if (bad) return fail(`the kernel complained: ${bad}${dmesg_tail(result)}`);
        if (out.ret === null) return fail(`the relocation never returned: ${result.stop}${dmesg_tail(result)}`);
        if (out.ret !== 0) {
          return fail(`the relocation returned ${out.ret} with memory at the min watermark. A GFP_KERNEL allocation may reclaim, ` +
            'and reclaim could have freed the buffer cache: an ioctl must not fail with -ENOMEM where the kernel can make room.' + dmesg_tail(result, 6));
        }
        if (out.pages_after !== out.pages_before) {
          return fail('the relocation succeeded, but the object lost its pages during it and had them read in again: the shrinker undid ' +
            'the object under the ioctl (on a real machine, a swap-out and swap-in of a buffer in use), and anything derived from the first ' +
            'look at the pages is stale. Keep the pages for the whole relocation.');
        }
        return pass('returned 0, on the same pages');
      },
    },
    {
      id: 'shrinkable-afterwards',
      name: 'leaves the object as shrinkable as it found it (every pin released)',
      async run(impl) {
        const { result, out } = await one_ioctl(fn_of(impl));
        if (out.ret === null) return fail(`the relocation never returned: ${result.stop}${dmesg_tail(result)}`);
        if (out.pin_after !== out.pin_before) {
          return fail(`the object's pages_pin_count was ${out.pin_before} before the relocation and ${out.pin_after} after it. ` +
            (out.pin_after > out.pin_before
              ? 'A pin that is never dropped keeps the pages from the shrinker for good: can_release_pages() refuses the object from now on.'
              : 'An unpin without a pin lets the shrinker take pages someone else still uses.'));
        }
        return pass(`pages_pin_count back to ${out.pin_before}`);
      },
    },
  ],
});
