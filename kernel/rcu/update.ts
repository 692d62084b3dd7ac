// Models: kernel/rcu/update.c (wait_rcu_gp, wakeme_after_rcu) and the
// synchronize_sched() entry of kernel/rcu/tree.c, v4.11; and the public face
// of the model's RCU: import RCU from here.
//
// What each wait guarantees (lessons/sources.md §7), and what it does not:
// - synchronize_rcu(): every reader that existed when it was called has
//   finished. In v4.11 it is wait_rcu_gp(call_rcu_sched): it queues its own
//   callback (wakeme_after_rcu) on the caller's CPU and sleeps until that is
//   invoked. It does NOT wait for callbacks that other call_rcu() callers
//   queued earlier: those on other CPUs, or behind a backlog, may still be
//   pending when it returns (Paul McKenney, PMCK-0321). Only callbacks queued
//   earlier on the caller's own CPU happen to run first (the list is FIFO) --
//   an implementation detail, not a promise.
// - synchronize_rcu_expedited(): the same guarantee, faster, driven by a
//   work item on system_wq (tree_exp.ts); it waits for no callback at all.
// - rcu_barrier(): every callback queued before it has been invoked.
// - None of them waits for what a callback queued in turn: if the callback
//   only does schedule_work(), the memory is freed later by the worker
//   (Andrea: "Waiting a RCU grace period only guarantees the work gets
//   queued"); flush_work() waits for that.
import { kfree, type kmem_object } from '../mm/slab';
import { complete, init_completion, wait_for_completion } from '../sched/completion';
import { model_task_context, might_sleep } from '../sched/core';
import { rcu_head } from './rcupdate';
import { call_rcu, rcu_blocking_is_gp, rcu_gp_kthread_task } from './tree';

export { rcu_head, rcu_read_lock, rcu_read_lock_held, rcu_read_unlock, type rcu_callback_t } from './rcupdate';
export {
  call_rcu,
  DEFAULT_RCU_BLIMIT,
  in_softirq,
  rcu_barrier,
  rcu_batches_completed,
  rcu_batches_started,
  rcu_gp_in_progress,
  rcu_pending_callbacks,
  rcu_set_blimit,
  SOFTIRQ_OFFSET,
} from './tree';
export { rcu_exp_batches_completed, synchronize_rcu_expedited } from './tree_exp';

/**
 * synchronize_rcu - wait until a full grace period has elapsed: every RCU
 * reader that was running when it was called has finished. Sleeps. Does not
 * wait for earlier call_rcu() callbacks (use rcu_barrier() for that).
 */
export async function synchronize_rcu(): Promise<void> {
  // rcu_blocking_is_gp() starts with might_sleep(): calling this inside a
  // reader is the "sleeping function called from invalid context" BUG.
  might_sleep('synchronize_rcu', 'kernel/rcu/tree.c');
  model_task_context('synchronize_rcu');
  if (rcu_blocking_is_gp()) return;
  await wait_rcu_gp(call_rcu);
}

/** synchronize_sched - the same thing: in a PREEMPT_NONE kernel RCU is rcu_sched. */
export const synchronize_sched = synchronize_rcu;

/**
 * wait_rcu_gp - queue a callback with @crf that completes a completion,
 * and wait for it: "a grace period has passed" is learned from the
 * callback being invoked.
 */
async function wait_rcu_gp(crf: (head: rcu_head, func: (head: rcu_head) => void) => void): Promise<void> {
  const done = init_completion('synchronize_rcu (rcu_sched grace period)', rcu_gp_kthread_task);
  const wakeme_after_rcu = (_head: rcu_head): void => complete(done);
  crf(new rcu_head(), wakeme_after_rcu);
  await wait_for_completion(done);
}

/**
 * kfree_rcu - kfree(@obj) after a grace period, without a callback of your
 * own (the kernel's kfree_rcu(ptr, rcu_head_field)).
 */
export function kfree_rcu(obj: kmem_object, head: rcu_head): void {
  const kfree_rcu_callback = (_head: rcu_head): void => kfree(obj);
  call_rcu(head, kfree_rcu_callback);
}
