// Models: include/linux/sched/mm.h (memalloc_noio_save/restore,
// memalloc_noio_flags; memalloc_noreclaim_save/restore), v4.11 + v4.12.
//
// Per-task allocation scopes. PF_MEMALLOC says "this task is reclaim itself":
// its allocations may use the reserves below the min watermark and never
// recurse into direct reclaim. PF_MEMALLOC_NOIO says "no I/O during
// reclaim" (block drivers, resume paths): every allocation in the scope
// behaves as GFP_NOIO.
//
// The rule these helpers teach (lessons/sources.md §4, §11): *save and
// restore* the flag, never set-then-clear it. A nested section that clears
// PF_MEMALLOC on its way out takes it away from the reclaim context it was
// called from, and the next allocation recurses into direct reclaim.
//
// memalloc_noreclaim_save/restore were added in v4.12 by Vlastimil Babka
// (499118e966f1, "mm: introduce memalloc_noreclaim_{save,restore}"), later than
// the model's v4.11 baseline; the preceding patch fixed exactly the blind-clear
// bug. memalloc_noio_save/restore exist in v4.11.
import { __GFP_FS, __GFP_IO, type gfp_t } from '../mm/gfp';
import { current } from './core';
import { PF_MEMALLOC, PF_MEMALLOC_NOIO } from './task';

/** memalloc_noreclaim_save - set PF_MEMALLOC; returns the previous value, for memalloc_noreclaim_restore. (v4.12) */
export function memalloc_noreclaim_save(): number {
  const flags = current.flags & PF_MEMALLOC;
  current.flags |= PF_MEMALLOC;
  return flags;
}

/** memalloc_noreclaim_restore - put PF_MEMALLOC back as it was before the matching save. (v4.12) */
export function memalloc_noreclaim_restore(flags: number): void {
  current.flags = (current.flags & ~PF_MEMALLOC) | flags;
}

/** memalloc_noio_save - enter a no-I/O allocation scope; returns the previous PF_MEMALLOC_NOIO. */
export function memalloc_noio_save(): number {
  const flags = current.flags & PF_MEMALLOC_NOIO;
  current.flags |= PF_MEMALLOC_NOIO;
  return flags;
}

/** memalloc_noio_restore - leave the scope entered by the matching memalloc_noio_save. */
export function memalloc_noio_restore(flags: number): void {
  current.flags = (current.flags & ~PF_MEMALLOC_NOIO) | flags;
}

/** memalloc_noio_flags - @flags as the current scope allows: no __GFP_IO/__GFP_FS inside a noio scope. */
export function memalloc_noio_flags(flags: gfp_t): gfp_t {
  if (current.flags & PF_MEMALLOC_NOIO) flags &= ~(__GFP_IO | __GFP_FS);
  return flags;
}
