// Where the task that calls a shrinker (or shrink_slab) is: the same call
// arrives from three contexts, and its rules do not change between them.
//
// - a plain process: drop_caches (fs/drop_caches.c drop_slab) or a check;
// - direct reclaim: the allocating task, with PF_MEMALLOC set for the
//   duration (mm/page_alloc.c __perform_reclaim);
// - kswapd: PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD for the thread's whole
//   life (mm/vmscan.c kswapd()).
// A check that always calls from one of them accepts answers keyed to the
// caller ("kswapd has time, let it take everything", "in reclaim, purge
// it all"). Checks draw the context, so such answers meet the other ones.
import { fc } from '../course/workload';
import { current } from '../kernel/sched/core';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../kernel/sched/mm';
import { PF_KSWAPD, PF_SWAPWRITE } from '../kernel/sched/task';

export type reclaim_context = 'process' | 'direct-reclaim' | 'kswapd';
export const RECLAIM_CONTEXTS: readonly reclaim_context[] = ['process', 'direct-reclaim', 'kswapd'];
export const arb_reclaim_context: fc.Arbitrary<reclaim_context> = fc.constantFrom(...RECLAIM_CONTEXTS);

/** For workload descriptions: '' for a plain process, else where the caller is and its flags. */
export function describe_reclaim_context(context: reclaim_context): string {
  return { process: '', 'direct-reclaim': ' from direct reclaim (PF_MEMALLOC)', kswapd: ' as kswapd (PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD)' }[context];
}

/**
 * enter_reclaim_context - give the current task the flags reclaim gives it
 * in @context (see above). Returns the undo, which restores exactly the
 * flags it found.
 */
export function enter_reclaim_context(context: reclaim_context): () => void {
  if (context === 'process') return () => {};
  const noreclaim = memalloc_noreclaim_save();
  const extra = context === 'kswapd' ? PF_SWAPWRITE | PF_KSWAPD : 0;
  const had = current.flags & extra;
  current.flags |= extra;
  return () => {
    current.flags = (current.flags & ~extra) | had;
    memalloc_noreclaim_restore(noreclaim);
  };
}
