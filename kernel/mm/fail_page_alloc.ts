// Models: mm/page_alloc.c (should_fail_alloc_page, CONFIG_FAIL_PAGE_ALLOC), v4.11.
// Fault injection for the page allocator, as failslab is for kmalloc: a test
// decides which allocations fail, and the allocation returns NULL at once
// (prepare_alloc_pages gives up before the fast path), as if memory had run out.
import { register_initcall } from '../init/initcall';
import type { gfp_t } from './gfp';

let fail_page_alloc: ((gfp: gfp_t, order: number) => boolean) | null = null;

register_initcall('core', 'fail_page_alloc', () => {
  fail_page_alloc = null;
});

/** fail_page_alloc_set - make page allocations for which @fn returns true fail (null: none). */
export function fail_page_alloc_set(fn: ((gfp: gfp_t, order: number) => boolean) | null): void {
  fail_page_alloc = fn;
}

/** should_fail_alloc_page - does fault injection want this allocation to fail? */
export function should_fail_alloc_page(gfp: gfp_t, order: number): boolean {
  return fail_page_alloc !== null && fail_page_alloc(gfp, order);
}
