// Models: include/linux/kthread.h (kthread_run, a macro over kernel/kthread.c's
// kthread_create_on_node), v4.11. Kernel threads carry
// PF_KTHREAD and own no user memory, so the OOM killer never picks them.
import { model_task_create, type task_options } from './sched/core';
import { PF_KTHREAD, type task_struct } from './sched/task';

/**
 * kthread_run - create and wake a kernel thread running @threadfn, named @comm
 * (e.g. "kswapd0", "kworker/1:1"). @opts.daemon marks threads that idle
 * forever, so that a run can end while they sleep.
 */
export function kthread_run(threadfn: () => Promise<void>, comm: string, opts: task_options = {}): task_struct {
  return model_task_create(threadfn, comm, { ...opts, flags: (opts.flags ?? 0) | PF_KTHREAD });
}
