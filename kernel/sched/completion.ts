// Models: kernel/sched/completion.c and include/linux/completion.h, v4.11.
// A completion counts done events; wait_for_completion() sleeps
// (TASK_UNINTERRUPTIBLE) until one is available and consumes it. Lockdep
// does not see completions unless cross-release is on (v4.14): that blind
// spot is why the thread's RCU hang gave no lockdep warning.
import { model_task_context, current, schedule, set_current_state, try_to_wake_up, might_sleep } from './core';
import { TASK_UNINTERRUPTIBLE, TASK_RUNNING, model_wait_target, type task_struct, type wait_target } from './task';
import { footprint_new, footprint_read, footprint_write } from '../footprint';
import { model_struct } from '../model_struct';

/** Hooks for lockdep cross-release (kernel/locking/lockdep.ts fills them in). */
export interface completion_lockdep_hooks {
  wait(x: completion): void;
  complete(x: completion): void;
}
let xhooks: completion_lockdep_hooks | null = null;
export function model_completion_set_lockdep_hooks(h: completion_lockdep_hooks | null): void {
  xhooks = h;
}

export class completion {
  done = 0;
  readonly waiters: task_struct[] = [];
  /**
   * @name describes it in reports ("flush of events:__i915_gem_free_work").
   * @completer, if known, is the task expected to call complete().
   */
  constructor(
    public readonly name: string,
    public completer: () => task_struct | null = () => null,
  ) {
    footprint_new(this);
    model_struct(this);
  }
}

/** init_completion / DECLARE_COMPLETION. */
export function init_completion(name: string, completer?: () => task_struct | null): completion {
  return new completion(name, completer);
}

/** reinit_completion - reset @x to not done. */
export function reinit_completion(x: completion): void {
  footprint_write(x);
  x.done = 0;
}

/** wait_for_completion - sleep until @x is completed, then consume one completion. */
export async function wait_for_completion(x: completion): Promise<void> {
  might_sleep('wait_for_completion', 'kernel/sched/completion.c');
  const t = model_task_context('wait_for_completion');
  footprint_write(x);
  xhooks?.wait(x);
  const name = x.name;
  const target: wait_target = model_wait_target({ describe: () => `completion ${name}`, holder: () => x.completer() });
  while (x.done === 0) {
    if (!x.waiters.includes(t)) x.waiters.push(t);
    set_current_state(TASK_UNINTERRUPTIBLE);
    await schedule(target, 'wait_for_completion');
    footprint_write(x);
  }
  const i = x.waiters.indexOf(t);
  if (i >= 0) x.waiters.splice(i, 1);
  current.state = TASK_RUNNING;
  x.done--;
}

/** try_wait_for_completion - consume a completion if one is available, without sleeping. */
export function try_wait_for_completion(x: completion): boolean {
  footprint_write(x);
  if (x.done === 0) return false;
  x.done--;
  return true;
}

/** completion_done - has @x been completed (and not consumed)? */
export function completion_done(x: completion): boolean {
  footprint_read(x);
  return x.done > 0;
}

/** complete - signal one waiter. Never sleeps: callable from any context. */
export function complete(x: completion): void {
  footprint_write(x);
  x.done++;
  xhooks?.complete(x);
  const t = x.waiters.shift();
  if (t) try_to_wake_up(t, TASK_UNINTERRUPTIBLE);
}

/** complete_all - signal every waiter, now and later. */
export function complete_all(x: completion): void {
  footprint_write(x);
  x.done = Number.MAX_SAFE_INTEGER / 2;
  xhooks?.complete(x);
  for (const t of x.waiters.splice(0)) try_to_wake_up(t, TASK_UNINTERRUPTIBLE);
}
