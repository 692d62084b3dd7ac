// Models: kernel/sched/wait.c and include/linux/wait.h (wait queues), v4.11.
// A wait queue is a FIFO of sleeping tasks; wake_up() wakes them all and each
// re-checks its condition, as wait_event() does in the kernel.
import { model_task_context, current, schedule, set_current_state, try_to_wake_up, might_sleep } from './core';
import { TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, TASK_RUNNING, model_wait_target, type task_struct, type wait_target } from './task';
import { footprint_new, footprint_read, footprint_write } from '../footprint';
import { model_struct } from '../model_struct';

export class wait_queue_head {
  readonly waiters: task_struct[] = [];
  constructor(public readonly name: string) {
    // Read-only at run time too: reports and the checks' trace name the queue a task sleeps on by it.
    Object.defineProperty(this, 'name', { value: name, writable: false, enumerable: true, configurable: false });
    footprint_new(this);
    model_struct(this);
  }
}

/** DECLARE_WAIT_QUEUE_HEAD / init_waitqueue_head. */
export function init_waitqueue_head(name: string): wait_queue_head {
  return new wait_queue_head(name);
}

/** wake_up - wake every task sleeping on @wq (they re-check their conditions). */
export function wake_up(wq: wait_queue_head): void {
  footprint_write(wq);
  const ws = wq.waiters.splice(0);
  for (const t of ws) try_to_wake_up(t, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE);
}

/** wake_up_all - the same as wake_up() in the model (no exclusive waiters). */
export const wake_up_all = wake_up;

/** waitqueue_active - is anyone sleeping on @wq? */
export function waitqueue_active(wq: wait_queue_head): boolean {
  footprint_read(wq);
  return wq.waiters.length > 0;
}

/**
 * wait_event - sleep in TASK_UNINTERRUPTIBLE on @wq until @condition() is true.
 * @holder, if given, names the task expected to make it true (for reports);
 * @explain, if given, says in words what the wait is for (the playground's lanes).
 */
export async function wait_event(wq: wait_queue_head, condition: () => boolean, holder: () => task_struct | null = () => null, explain?: () => string): Promise<void> {
  might_sleep('wait_event', 'include/linux/wait.h');
  await __wait_event(wq, condition, TASK_UNINTERRUPTIBLE, holder, explain);
}

/** wait_event_interruptible - the same in TASK_INTERRUPTIBLE (kernel threads idling). */
export async function wait_event_interruptible(wq: wait_queue_head, condition: () => boolean, explain?: () => string): Promise<void> {
  might_sleep('wait_event_interruptible', 'include/linux/wait.h');
  await __wait_event(wq, condition, TASK_INTERRUPTIBLE, () => null, explain);
}

async function __wait_event(wq: wait_queue_head, condition: () => boolean, state: number, holder: () => task_struct | null, explain?: () => string): Promise<void> {
  model_task_context('wait_event');
  footprint_write(wq); // joins and leaves its waiters; the condition's own state tags itself
  const name = wq.name;
  const target: wait_target = model_wait_target({ describe: () => `wait queue ${name}`, holder, ...(explain ? { explain } : {}) });
  while (!condition()) {
    if (!wq.waiters.includes(current)) wq.waiters.push(current);
    set_current_state(state);
    await schedule(target, 'wait_event');
    footprint_write(wq);
  }
  const i = wq.waiters.indexOf(current);
  if (i >= 0) wq.waiters.splice(i, 1);
  current.state = TASK_RUNNING;
}
