// Models: include/linux/rcupdate.h (rcu_read_lock, rcu_read_unlock,
// rcu_read_lock_held, struct rcu_head), v4.11, CONFIG_PREEMPT_NONE.
//
// In a CONFIG_PREEMPT_NONE kernel RCU is the "rcu_sched" flavour: a reader is
// just a region with preemption disabled. rcu_read_lock() raises
// preempt_count, so sleeping inside is the BUG might_sleep() prints, and a CPU
// that switches tasks (or idles) cannot be inside a reader: that is the
// quiescent state grace periods wait for (tree.ts).
//
// The kernel never counts readers; it infers them from context switches. The
// model counts readers per CPU so that the grace-period code can ask "is
// anyone on this CPU inside a read-side critical section?" exactly. A task
// does not change CPU inside a reader (preemption is off), so counting on
// current.cpu at lock and at unlock is consistent.
//
// Left out: rcu_dereference()/rcu_assign_pointer() (the model has no memory
// ordering to get wrong), the lockdep rcu_lock_map (lockdep tracks RCU
// readers with check=0, which the model's lockdep API has no way to say; the
// might_sleep report names the read-side section instead), SRCU, RCU-bh.
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';
import { WARN_ONCE } from '../panic';
import { footprint_read, footprint_write, rcu_readers_fp } from '../footprint';
import { model_task_context, current, register_sched_exit_hook } from '../sched/core';
import type { task_struct } from '../sched/task';
import { model_struct } from '../model_struct';
import { model_task_add, model_task_set } from '../sched/task_fields';

/** rcu_callback_t - what call_rcu() runs after a grace period (softirq context: must not sleep). */
export type rcu_callback_t = (head: rcu_head) => void;

/**
 * struct rcu_head (struct callback_head) - embed one in an object that is
 * freed through call_rcu(). Whether it is queued, and for which grace
 * period, kernel/rcu/tree.ts keeps beside it (queued_for).
 */
/** model_rcu_head_set_func - call_rcu() sets @head's callback (kernel/rcu/tree.ts). */
export let model_rcu_head_set_func!: (head: rcu_head, func: rcu_callback_t | null) => void;

export class rcu_head {
  // The callback is RCU's once call_rcu() has queued the head: code handed the struct that embeds it
  // (a GEM object's obj->rcu) reads it and cannot write it. As a plain field, a shrinker could swap
  // a queued object's callback for a no-op, so that the object never reached mm.free_list and the
  // free worker never freed it. A private field behind a class accessor: heads are made per object.
  #func: rcu_callback_t | null = null;
  /** The callback, set by call_rcu(). */
  get func(): rcu_callback_t | null {
    return this.#func;
  }
  set func(_: rcu_callback_t | null) {
    throw new TypeError("Cannot assign to read only property 'func' of object '#<rcu_head>': call_rcu() sets the callback");
  }
  constructor() {
    model_struct(this);
  }
  static {
    model_rcu_head_set_func = (head, func) => {
      head.#func = func;
    };
  }
}

/** Readers inside a read-side critical section, per CPU (the model's bookkeeping). */
let readers: number[] = [];

register_initcall('core', 'rcu_read', () => {
  readers = new Array<number>(boot_params().nr_cpus).fill(0);
});

register_initcall('subsys', 'rcu_read_exit_hook', () => {
  // A task that dies inside a reader (an oops) must not stall grace periods
  // forever: its read-side section ends with it.
  register_sched_exit_hook((t: task_struct) => {
    if (t.rcu_read_lock_nesting > 0) {
      footprint_write(rcu_readers_fp(t.cpu));
      readers[t.cpu] = Math.max(0, (readers[t.cpu] ?? 0) - 1);
      model_task_set(t, 'rcu_read_lock_nesting', 0);
    }
  });
});

/**
 * rcu_read_lock - begin an RCU read-side critical section. Objects reached
 * through RCU-protected pointers stay valid until rcu_read_unlock(). Nests.
 * Must not sleep inside (preemption is disabled).
 */
export function rcu_read_lock(): void {
  const t = model_task_context('rcu_read_lock');
  model_task_add(t, 'preempt_count', 1); // preempt_disable(): this is all rcu_read_lock() is under PREEMPT_NONE
  footprint_write(rcu_readers_fp(t.cpu));
  if (model_task_add(t, 'rcu_read_lock_nesting', 1) === 1) readers[t.cpu] = (readers[t.cpu] ?? 0) + 1;
}

/** rcu_read_unlock - end the read-side critical section begun by rcu_read_lock(). */
export function rcu_read_unlock(): void {
  const t = model_task_context('rcu_read_unlock');
  // Model's own check: the kernel would underflow preempt_count and complain later.
  if (WARN_ONCE(t.rcu_read_lock_nesting <= 0, 'kernel/rcu/update.c rcu_read_unlock', 'rcu_read_unlock() without a matching rcu_read_lock()')) return;
  footprint_write(rcu_readers_fp(t.cpu));
  if (model_task_add(t, 'rcu_read_lock_nesting', -1) === 0) readers[t.cpu] = (readers[t.cpu] ?? 1) - 1;
  model_task_add(t, 'preempt_count', -1); // preempt_enable()
}

/** rcu_read_lock_held - is current inside an RCU read-side critical section? */
export function rcu_read_lock_held(): boolean {
  return current.rcu_read_lock_nesting > 0;
}

/** model_rcu_readers_on - number of tasks on @cpu inside a read-side critical section (tree.ts, tree_exp.ts). */
export function model_rcu_readers_on(cpu: number): number {
  footprint_read(rcu_readers_fp(cpu));
  return readers[cpu] ?? 0;
}
