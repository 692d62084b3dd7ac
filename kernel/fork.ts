// Models: kernel/fork.c (_do_fork), v4.11, reduced to what the course needs:
// a user process that enters the kernel (an ioctl, a page fault) and owns
// @rss_pages of memory that the OOM killer frees if it picks this task.
//
// The rss_pages are real anonymous pages (kernel/mm/mmap.ts): swap-backed
// pages on the anon LRU, taken from the zone when the task is created (as if
// the process had faulted them in before the scenario starts, so no
// watermark or reclaim applies) and freed when it exits or is OOM-killed.
// Every user task gets an mm, even with no pages, so the OOM killer can pick it.
import { model_mm_populate_at_fork } from './mm/mmap';
import { model_task_create } from './sched/core';
import type { task_struct } from './sched/task';

export interface user_task_options {
  cpu?: number;
  /** Resident pages owned by the process (its OOM badness). */
  rss_pages?: number;
}

/**
 * user_task - start a user process named @comm whose time in the kernel is
 * @fn (a system call, a fault). The run lasts until every such task returns.
 * Throws if @opts.rss_pages do not fit in free memory.
 */
export function user_task(fn: () => Promise<void>, comm: string, opts: user_task_options = {}): task_struct {
  const t = model_task_create(fn, comm, { cpu: opts.cpu, rss_pages: 0 });
  model_mm_populate_at_fork(t, opts.rss_pages ?? 0);
  return t;
}
