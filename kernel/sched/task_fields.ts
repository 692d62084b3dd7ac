// Models: include/linux/sched.h struct task_struct, as code handed a task sees it.
//
// Code that is handed a task (`current`, a lock's owner, a waiter on a
// mutex's wait_list) could write any field the model decides with: its
// exit_state (the scheduler's "anyone left", khungtaskd, lockdep at exit),
// sigkill_pending, rss_pages (the OOM killer's choice of victim),
// preempt_count and rcu_read_lock_nesting (might_sleep, RCU's readers), cpu
// (run queue and worker pool), another task's state (grader red team 12's
// open list; #14/#16 did it with pid and daemon). So a task_struct's fields
// are accessors over a store beside it, fixed at fork (the object sealed):
//   - a task writes its own flags, state and reclaim_state, as Linux code
//     does (current->flags |= PF_MEMALLOC, __set_current_state,
//     current->reclaim_state); another task's, never;
//   - every other field is the kernel's: written only through
//     model_task_set(); a write from code throws as a read-only field does
//     (kernel/sched/core.ts task_died says it in kernel terms).
// A freed task_struct's accesses are reported by KASAN through the store's
// hook (model_task_poison; kernel/exit.ts), with no field redefined.
import type { task_struct } from './task';

/** Fields a task sets on itself in Linux: its PF_* flags, its state, its reclaim_state. */
const OWN_FIELDS: ReadonlySet<string> = new Set(['flags', 'state', 'reclaim_state']);

interface task_store {
  values: Record<string, unknown>;
  /** KASAN's check once the task_struct is freed (model_task_poison), else null. */
  on_access: ((write: boolean, field: string) => void) | null;
}

const stores = new WeakMap<object, task_store>();

/** As V8 says it for a read-only field, so that an oops names the field the same way (core.ts sealed_struct_write). */
function read_only(field: string): TypeError {
  return new TypeError(`Cannot assign to read only property '${field}' of object '#<task_struct>'`);
}

/**
 * seal_task - a task_struct holding @fields, each an accessor over a store
 * beside it (see above); @is_current says whether a task is the one running
 * (only it writes its own flags, state and reclaim_state).
 */
export function seal_task<T extends object>(fields: T, is_current: (t: T) => boolean): T {
  const t = {} as T;
  const store: task_store = { values: { ...(fields as Record<string, unknown>) }, on_access: null };
  for (const field of Object.keys(fields)) {
    const own = OWN_FIELDS.has(field);
    Object.defineProperty(t, field, {
      enumerable: true,
      configurable: false,
      get: () => {
        store.on_access?.(false, field);
        return store.values[field];
      },
      set: (v: unknown) => {
        if (!own || !is_current(t)) throw read_only(field);
        store.on_access?.(true, field);
        store.values[field] = v;
      },
    });
  }
  stores.set(t, store);
  return Object.seal(t);
}

/** model_task_set - the kernel writes @t's @field (a task the model never made: a plain write). */
export function model_task_set<K extends keyof task_struct>(t: task_struct, field: K, value: task_struct[K]): void {
  const s = stores.get(t);
  if (!s) {
    (t as { -readonly [k in K]: task_struct[K] })[field] = value;
    return;
  }
  s.on_access?.(true, field);
  s.values[field] = value;
}

/** model_task_add - the kernel adds @n to @t's numeric @field (preempt_count++, usage--); returns the new value. */
export function model_task_add(t: task_struct, field: 'preempt_count' | 'rcu_read_lock_nesting' | 'usage' | 'switch_count' | 'nvcsw' | 'nivcsw', n: number): number {
  const v = t[field] + n;
  model_task_set(t, field, v);
  return v;
}

/** (model) model_task_poison - from now on every access to @t's fields calls @check (KASAN on a freed task_struct). */
export function model_task_poison(t: task_struct, check: (write: boolean, field: string) => void): void {
  const s = stores.get(t);
  if (s) s.on_access = check;
}
