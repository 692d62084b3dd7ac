// Models: mm/failslab.c (should_failslab, CONFIG_FAILSLAB), v4.11.
// Fault injection: a test installs a predicate and the slab allocator fails
// the allocations it picks, as the failslab debugfs knobs do in the kernel.
// The setting belongs to the test, not to a boot: it is not reset by
// start_kernel(), so a test that sets it must clear it (failslab_set(null)).
import type { gfp_t } from './gfp';

let failslab: ((size: number, gfp: gfp_t) => boolean) | null = null;

/** failslab_set - make slab allocations for which @fn returns true fail (null: none). */
export function failslab_set(fn: ((size: number, gfp: gfp_t) => boolean) | null): void {
  failslab = fn;
}

/** should_failslab - does fault injection want this allocation to fail? */
export function should_failslab(size: number, gfp: gfp_t): boolean {
  return failslab !== null && failslab(size, gfp);
}
