// Models: kernel/exit.c (release_task, delayed_put_task_struct),
// kernel/fork.c (free_task, __put_task_struct) and
// include/linux/sched/task.h (get_task_struct, put_task_struct), v4.11.
//
// A task_struct outlives its task. dup_task_struct() sets usage to 2: one
// reference for the task itself, put by finish_task_switch() after the dead
// task's last switch-out, and one for release_task(). release_task() runs
// when the task is reaped (its parent's wait(), or at once in exit_notify()
// for an autoreaping task: a thread, or a kernel thread, whose parent
// kthreadd ignores SIGCHLD); it unhashes the task (for_each_process() no
// longer finds it) and queues call_rcu(&p->rcu, delayed_put_task_struct).
// So the memory is freed only after a grace period: code that found the
// task under rcu_read_lock() may read it until rcu_read_unlock(). Code that
// read a pointer to it from somewhere else (a mutex's owner word:
// __mutex_owner() is "DO NOT USE (outside of mutex code)") and holds neither
// an RCU read lock nor a reference can find the memory freed: KASAN reports
// the read. The mutex code itself reads owner->on_cpu only under
// rcu_read_lock() (mutex_spin_on_owner), and mutex_trylock_recursive()
// compares the pointer with current without dereferencing it.
//
// Model choices:
// - In ordinary runs an exited task stays a zombie until the run ends (no
//   parent's wait() is modelled): its task_struct stays valid, as a zombie's
//   does in the kernel. Reaping and the RCU-delayed free happen where a
//   check races an owner word (model_other_cpu_owner_exits below).
// - A freed task_struct is poisoned field by field: the first read or write
//   of one of its fields by a running task is reported, kernel style
//   ("BUG: KASAN: use-after-free in <function>"); later accesses are not
//   (the kernel would report each). The model never reuses its slot.
import { atomic_long_cmpxchg, atomic_long_read, model_other_cpu_at_atomic } from './lib/atomic';
import type { mutex } from './locking/mutex';
import { kasan_check_read, kasan_check_write, type kasan_object } from './mm/kasan';
import { current, for_each_process, in_task, model_task_exit_on_other_cpu, model_task_unhash } from './sched/core';
import { task_ptr, type task_struct } from './sched/task';
import { model_task_add, model_task_poison } from './sched/task_fields';

/** (model) The size the model gives a task_struct in its slab cache (the real one is several KiB and depends on the config). */
const TASK_STRUCT_SIZE = 4096;

/**
 * The fields of a freed task_struct whose accesses KASAN reports, with the
 * size of the access (pid_t, comm[TASK_COMM_LEN], unsigned int flags, long
 * state, int cpu; 8 for the rest). The scheduler-private model_* fields are
 * not the kernel's and are left alone.
 */
const POISONED_SIZES: ReadonlyMap<string, number> = new Map<keyof task_struct, number>([
  ['pid', 4],
  ['comm', 16],
  ['flags', 4],
  ['state', 8],
  ['cpu', 4],
  ['exit_state', 4],
  ['usage', 4],
  ['preempt_count', 4],
  ['rcu_read_lock_nesting', 4],
  ['held_locks', 8],
  ['blocked_on', 8],
  ['sigkill_pending', 8],
  ['rss_pages', 8],
  ['reclaim_state', 8],
  ['daemon', 8],
  ['switch_count', 8],
  ['nvcsw', 8],
  ['nivcsw', 8],
]);

/** task_structs freed this run, and where their first bad access is said to be (see free_task). */
const freed = new WeakSet<task_struct>();

/** task_struct_freed - (model) has @t's task_struct gone back to the slab? Reads no field of it. */
export function task_struct_freed(t: task_struct): boolean {
  return freed.has(t);
}

/** get_task_struct - take a reference to @t (usage++): its task_struct stays until put_task_struct(). */
export function get_task_struct(t: task_struct): void {
  model_task_add(t, 'usage', 1); // on a freed task_struct, the poisoned field reports the access
}

/** put_task_struct - drop a reference to @t; the last one frees its task_struct (__put_task_struct -> free_task). */
export function put_task_struct(t: task_struct, site = 'put_task_struct'): void {
  if (model_task_add(t, 'usage', -1) === 0) free_task(t, site);
}

/**
 * release_task - reap dead @p: unhash it (__unhash_process) and queue the
 * put of release_task's reference for after a grace period
 * (call_rcu(&p->rcu, delayed_put_task_struct)). Returns that callback: the
 * caller runs it when the grace period has elapsed (see
 * model_other_cpu_owner_exits).
 */
export function release_task(p: task_struct): () => void {
  model_task_unhash(p);
  return () => delayed_put_task_struct(p);
}

/** delayed_put_task_struct - the RCU callback release_task() queued: put its reference. */
function delayed_put_task_struct(p: task_struct): void {
  put_task_struct(p, 'delayed_put_task_struct');
}

/** The %p of @t's task_struct, as KASAN prints it. */
function task_struct_address(t: task_struct): string {
  return 'ffff8800' + task_ptr(t).toString(16).padStart(8, '0');
}

/**
 * free_task - @t's task_struct goes back to the task_struct slab cache
 * (kernel/fork.c free_task_struct). From now on the first access to one of
 * its fields by a running task is a KASAN use-after-free, said to be in
 * model_kasan_task_site (the function that read the pointer: the model has
 * no stack to name it by in graded runs).
 */
function free_task(t: task_struct, freed_by: string): void {
  const obj: kasan_object = {
    size: TASK_STRUCT_SIZE,
    freed: true,
    addr: task_struct_address(t),
    cache_name: 'task_struct',
    object_size: TASK_STRUCT_SIZE,
    alloc_track: null, // dup_task_struct() in the parent's fork: the model keeps no record of who forked
    // An RCU callback runs in softirq on the CPU that queued it; the dead task's CPU is idle (swapper/N) by then.
    free_track: { pid: 0, comm: `swapper/${t.cpu}`, how: freed_by },
  };
  freed.add(t);
  let reported = false;
  // Through the fields' store (task_fields.ts): the first access to a poisoned field by a running task is reported, with its size.
  model_task_poison(t, (write, field) => {
    const size = POISONED_SIZES.get(field);
    if (reported || size === undefined || !in_task()) return; // outside any task (a check reading its own records after the run) nothing runs the kernel's code
    reported = true;
    if (write) kasan_check_write(obj, model_kasan_task_site, size);
    else kasan_check_read(obj, model_kasan_task_site, size);
  });
}

/** (model) The function a KASAN report on a freed task_struct names (set by model_other_cpu_owner_exits). */
let model_kasan_task_site = 'the caller';

/**
 * (model) model_other_cpu_owner_exits - SMP, CONFIG_PREEMPT: @lock is owned
 * by @owner, a task asleep in the model whose code runs on another CPU (it
 * only owns the word). Just AFTER the @nth atomic op (0, 1, ...) that this
 * CPU makes on the owner word from now on, if the word still names @owner
 * with no flag set, the other CPU: unlocks (mutex_unlock's fast path, one
 * cmpxchg to 0), returns from its work and exits (do_exit), is reaped at
 * once (a kernel thread autoreaps: release_task from exit_notify) and puts
 * its own reference (finish_task_switch). This CPU, preemptible, may be
 * preempted right there, after its read and before it uses what it read; if
 * it is in no RCU read-side critical section (no task anywhere inside rcu_read_lock(); preempt_count 0 too, the
 * model's rcu_sched rule: v4.11's PREEMPT_RCU does not wait for a preempt-disabled reader), PREEMPT_RCU's next tick
 * reports its quiescent state and the grace period ends: delayed_put_task_struct runs and, with no other reference,
 * @owner's task_struct is freed. A later access through the pointer is reported by KASAN as a use-after-free in
 * @site. The one CONFIG_PREEMPT place in a CONFIG_PREEMPT_NONE model (kernel/README.md, RCU): there, with no
 * schedule point between the read and the use, the grace period could not end. Not a kernel API: a check installs
 * it and removes it with model_other_cpu_at_atomic(null); reset at every boot.
 */
export function model_other_cpu_owner_exits(lock: mutex, owner: task_struct, nth: number, site: string): { exited: boolean; freed: boolean } {
  const race = { exited: false, freed: false };
  const addr = task_ptr(owner);
  model_kasan_task_site = site;
  model_other_cpu_at_atomic(
    lock.owner,
    (v, _op, index) => {
      if (index !== nth) return;
      const word = atomic_long_read(v);
      if (word !== addr) return; // not @owner's any more, or flags set (waiters to wake): no race here
      if (atomic_long_cmpxchg(v, word, 0) !== word) return;
      model_task_exit_on_other_cpu(owner);
      const rcu_callback = release_task(owner);
      put_task_struct(owner, 'finish_task_switch'); // the dead task's last switch-out on its CPU
      race.exited = true;
      const in_reader = current.preempt_count > 0 || for_each_process().some((t) => t.rcu_read_lock_nesting > 0);
      if (in_reader) return; // the grace period waits for the reader: the task_struct stays
      rcu_callback();
      race.freed = task_struct_freed(owner);
    },
    'after',
  );
  return race;
}
