// Models: kernel/fork.c (_do_fork), v4.11, reduced to what the course needs:
// a user process that enters the kernel (an ioctl, a page fault) and owns
// @rss_pages of memory that the OOM killer frees if it picks this task.
import { __task_create } from './sched/core';
import type { task_struct } from './sched/task';

export interface user_task_options {
  cpu?: number;
  /** Resident pages owned by the process (its OOM badness). */
  rss_pages?: number;
}

/**
 * user_task - start a user process named @comm whose time in the kernel is
 * @fn (a system call, a fault). The run lasts until every such task returns.
 */
export function user_task(fn: () => Promise<void>, comm: string, opts: user_task_options = {}): task_struct {
  return __task_create(fn, comm, { cpu: opts.cpu, rss_pages: opts.rss_pages ?? 0 });
}
