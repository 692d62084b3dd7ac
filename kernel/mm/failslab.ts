// Models: mm/failslab.c (should_failslab, CONFIG_FAILSLAB), v4.11.
// Fault injection: a test installs a predicate and the slab allocator fails
// the allocations it picks, as the failslab debugfs knobs do in the kernel.
// The setting belongs to one boot: start_kernel() clears it, so a scenario
// sets it in its setup (or from a task) and cannot leak it into the next run.
import { register_initcall } from '../init/initcall';
import type { gfp_t } from './gfp';

let failslab: ((size: number, gfp: gfp_t) => boolean) | null = null;

register_initcall('core', 'failslab', () => {
  failslab = null;
});

/** failslab_set - make slab allocations for which @fn returns true fail (null: none). */
export function failslab_set(fn: ((size: number, gfp: gfp_t) => boolean) | null): void {
  failslab = fn;
}

/** should_failslab - does fault injection want this allocation to fail? */
export function should_failslab(size: number, gfp: gfp_t): boolean {
  return failslab !== null && failslab(size, gfp);
}
