// Models: mm/memory.c (do_anonymous_page via handle_mm_fault) and
// pagefault_out_of_memory from mm/oom_kill.c, v4.11.
//
// A user process touching new memory: the page fault allocates a page
// (GFP_HIGHUSER_MOVABLE: may reclaim, may trigger the OOM killer) and maps
// it. Scenarios use it to create memory pressure from user space.
//
// Simplified: one page per call, no page tables; a task that has been
// killed gets no more memory (the kernel would deliver SIGKILL on return to
// user space and the task would die there).
import { mutex_trylock, mutex_unlock } from '../locking/mutex';
import { model_task_context } from '../sched/core';
import { fatal_signal_pending } from '../sched/task';
import { GFP_HIGHUSER_MOVABLE } from './gfp';
import { mm_add_anon_page, mm_alloc } from './mmap';
import { oom_lock, out_of_memory } from './oom_kill';
import { alloc_page } from './page_alloc';
import { put_page } from './swap';

export const VM_FAULT_OOM = 0x0001;
export const VM_FAULT_SIGBUS = 0x0002;

/**
 * do_anonymous_page - current faults in one new anonymous page. Returns 0,
 * or VM_FAULT_OOM if no page could be had (after pagefault_out_of_memory),
 * or VM_FAULT_SIGBUS if the task was killed.
 */
export async function do_anonymous_page(): Promise<number> {
  const t = model_task_context('do_anonymous_page');
  if (fatal_signal_pending(t)) return VM_FAULT_SIGBUS;
  const p = await alloc_page(GFP_HIGHUSER_MOVABLE);
  if (!p) {
    // Killed meanwhile: back in user space the signal ends the task.
    if (fatal_signal_pending(t)) return VM_FAULT_SIGBUS;
    await pagefault_out_of_memory();
    return VM_FAULT_OOM;
  }
  if (fatal_signal_pending(t)) {
    // Killed (and reaped) while we were allocating: do not map into a dead mm.
    put_page(p);
    return VM_FAULT_SIGBUS;
  }
  mm_add_anon_page(mm_alloc(t), p);
  return 0;
}

/** pagefault_out_of_memory - a fault found no memory: run the OOM killer (gfp 0: no __GFP_FS check). */
export async function pagefault_out_of_memory(): Promise<void> {
  if (!mutex_trylock(oom_lock, 'pagefault_out_of_memory')) return;
  await out_of_memory({ gfp_mask: 0, order: 0 });
  mutex_unlock(oom_lock, 'pagefault_out_of_memory');
}
