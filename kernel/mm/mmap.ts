// Models: the anonymous-memory side of a process: mm_struct and
// get_mm_rss (include/linux/mm.h), exit_mmap (mm/mmap.c) and the
// zap_pte_range work it does (mm/memory.c), v4.11.
//
// A user task's rss_pages are real pages: swap-backed pages on the anon LRU,
// taken from the zone when the task is created (as if it had run and faulted
// them in before the scenario starts) and given back when it exits or when
// the OOM killer reaps it. With swap, reclaim can swap them out (the task
// then owns swap slots instead); without swap they are unreclaimable, which
// is why killing a task is what frees memory at OOM.
//
// Simplified: no VMAs and no page tables; pages are counted, not addressed.
import { register_initcall } from '../init/initcall';
import { register_sched_exit_hook } from '../sched/core';
import type { task_struct } from '../sched/task';
import { mm_struct, PG_swapbacked, PG_swapcache, type page } from './mm_types';
import { lru_cache_add_active_or_unevictable, put_page } from './swap';
import { try_to_free_swap } from './swap_state';
import { swap_free } from './swapfile';
import { node_stat } from './vmstat';
import { rmqueue } from './zone';
import { model_task_set } from '../sched/task_fields';

let mms = new Map<task_struct, mm_struct>();

register_initcall('core', 'mm_mmap', () => {
  mms = new Map();
});

register_initcall('subsys', 'mm_mmap_exit_hook', () => {
  // do_exit -> exit_mm -> mmput -> exit_mmap: a task's memory goes when it exits.
  register_sched_exit_hook((t) => {
    if (mms.has(t)) exit_mmap(t);
  });
});

/** The mm of @t, or null (kernel threads, exited tasks). */
export function task_mm(t: task_struct): mm_struct | null {
  return mms.get(t) ?? null;
}

/** mm_alloc - give @t an (empty) address space. */
export function mm_alloc(t: task_struct): mm_struct {
  let mm = mms.get(t);
  if (!mm) {
    mm = new mm_struct(t);
    mms.set(t, mm);
  }
  return mm;
}

/** get_mm_rss - resident pages (MM_ANONPAGES in the model). */
export function get_mm_rss(mm: mm_struct): number {
  return mm.pages.size;
}

/** page_add_new_anon_rmap + lru_cache_add_active_or_unevictable: @p becomes @mm's. */
export function mm_add_anon_page(mm: mm_struct, p: page): void {
  p.flags |= PG_swapbacked;
  p.mapping = mm;
  mm.pages.add(p);
  model_task_set(mm.owner, 'rss_pages', mm.pages.size);
  node_stat.nr_anon_mapped++;
  lru_cache_add_active_or_unevictable(p);
}

/** Reclaim swapped @p out: the mm now owns slot @entry instead of the page. */
export function mm_page_swapped_out(mm: mm_struct, p: page, entry: number): void {
  mm.pages.delete(p);
  mm.swap_slots.push(entry);
  model_task_set(mm.owner, 'rss_pages', mm.pages.size);
  node_stat.nr_anon_mapped--;
}

/**
 * model_mm_populate_at_fork - charge @nr resident pages to a task created by
 * scenario setup. They come straight from the zone (no watermarks, no
 * reclaim: the process is supposed to exist already). Throws if RAM is too
 * small for the scenario.
 */
export function model_mm_populate_at_fork(t: task_struct, nr: number): void {
  const mm = mm_alloc(t);
  for (let i = 0; i < nr; i++) {
    const p = rmqueue(0);
    if (!p) throw new Error(`user_task(${t.comm}): rss_pages ${nr} do not fit in RAM (boot_params().totalram_pages)`);
    mm_add_anon_page(mm, p);
  }
}

/**
 * exit_mmap - unmap everything: drop the mapping's reference on each
 * resident page (freeing it unless someone else holds one) and free the swap
 * slots. The OOM reaper (oom_kill.ts) calls it too.
 */
export function exit_mmap(t: task_struct): void {
  const mm = mms.get(t);
  if (!mm) return;
  for (const p of [...mm.pages]) {
    mm.pages.delete(p);
    node_stat.nr_anon_mapped--;
    if (p.flags & PG_swapcache) try_to_free_swap(p);
    // The page leaves the process; if reclaim has it isolated, reclaim's
    // reference keeps it until reclaim puts it back.
    p.mapping = null;
    put_page(p);
  }
  for (const e of mm.swap_slots) swap_free(e);
  mm.swap_slots.length = 0;
  model_task_set(t, 'rss_pages', 0);
  mms.delete(t);
}
