// Models: include/linux/sched.h (struct task_struct, task states, PF_* flags), v4.11.
// Only the fields the course needs. The scheduler-private fields at the end
// are how the model suspends a task's JavaScript: a learner never touches them.

import { register_initcall } from '../init/initcall';
import { boot_params, default_boot_params } from '../init/params';
import { prandom_state } from '../lib/prandom';

// Task states (v4.11 values).
export const TASK_RUNNING = 0x0000;
export const TASK_INTERRUPTIBLE = 0x0001;
export const TASK_UNINTERRUPTIBLE = 0x0002;
export const TASK_DEAD = 0x0040;
export const TASK_WAKEKILL = 0x0080;
export const TASK_KILLABLE = TASK_WAKEKILL | TASK_UNINTERRUPTIBLE;

// Per-task flags (v4.11 values). PF_MEMALLOC_NOFS arrived in v4.12 and is left out.
export const PF_EXITING = 0x00000004;
export const PF_WQ_WORKER = 0x00000020;
export const PF_MEMALLOC = 0x00000800;
export const PF_KSWAPD = 0x00020000;
export const PF_MEMALLOC_NOIO = 0x00080000;
export const PF_KTHREAD = 0x00200000;
export const PF_SWAPWRITE = 0x00800000;

/**
 * What a sleeping task waits for. Each primitive that can block (mutex,
 * completion, wait queue, work flush, grace period) supplies one, so that a
 * hung-task or deadlock report can say who waits on what, held by whom.
 */
export interface wait_target {
  /** e.g. "mutex &dev->struct_mutex" or "completion (flush of events:__i915_gem_free_work)". */
  describe(): string;
  /** The task that must act for the waiter to proceed, when one is known. */
  holder(): task_struct | null;
  /**
   * What the wait is for, in words, where the object slept on does not say
   * it (a wait queue): for the playground's lanes only; reports and the
   * trace name the object (describe).
   */
  explain?(): string;
}

/** Each wait target the model made, with its describe() as it was made (see model_wait_target). */
const model_targets = new WeakMap<wait_target, () => string>();

/**
 * model_wait_target - a wait target of the model's: frozen at creation, and
 * its text read through the describe() it was made with. Code handed a
 * sleeping task (a lock's owner, a waiter) reaches its blocked_on; a
 * describe() written there (or on a class prototype) told a check that
 * judges what a task slept on "the expedited grace period" for an
 * rcu_barrier() (grader red team 11 #12).
 */
export function model_wait_target<T extends wait_target>(target: T): Readonly<T> {
  model_targets.set(target, target.describe);
  return Object.freeze(target);
}

/** wait_target_text - what @target names, as the model made it; a target the model did not make says so. */
export function wait_target_text(target: wait_target): string {
  const describe = model_targets.get(target);
  return describe ? describe() : 'a wait target the kernel did not make';
}

/** Lockdep's record of one lock held by a task (filled in by kernel/locking/lockdep.ts). */
export interface held_lock {
  class_name: string;
  /** Where the lock was taken: "function" in the model's own words. */
  acquire_ip: string;
  read: boolean;
  /** Opaque per-lock identity, so lockdep can tell two locks of one class apart. */
  instance: object;
}

/**
 * A task as code handed one sees it: flags, state and reclaim_state are the
 * task's own to write (on itself: current); every other field is the
 * kernel's (kernel/sched/task_fields.ts: the model writes them through
 * model_task_set, a write from code throws).
 */
export interface task_struct {
  readonly pid: number;
  readonly comm: string;
  /** PF_* flags. */
  flags: number;
  /** TASK_* state: TASK_RUNNING while runnable. */
  state: number;
  /** The CPU this task runs on (tasks do not migrate in the model). */
  readonly cpu: number;
  /** Kernel threads that idle forever (kswapd, kworkers, rcu_sched) do not keep a run alive. */
  readonly daemon: boolean;
  /** Spinlocks, rcu_read_lock (CONFIG_PREEMPT_NONE) and softirq context raise this. */
  readonly preempt_count: number;
  /** Nesting of rcu_read_lock() (checked by RCU, reported by lockdep). */
  readonly rcu_read_lock_nesting: number;
  /** Locks held, innermost last (lockdep). */
  readonly held_locks: held_lock[];
  /** What the task sleeps on, or null while running. */
  readonly blocked_on: wait_target | null;
  /** Context switches (nvcsw + nivcsw): the hung-task detector watches this. */
  readonly switch_count: number;
  /** Voluntary context switches: the task went to sleep (mutex, completion, msleep, wait_event...). */
  readonly nvcsw: number;
  /** Involuntary context switches: the task was runnable and another one was picked (preemption, cond_resched). */
  readonly nivcsw: number;
  /** The hung-task detector's memory of switch_count at its last check. */
  readonly last_switch_count: number;
  /** jiffies when the task last went to sleep. */
  readonly sleep_start: number;
  /** SIGKILL pending (the OOM killer sets this). */
  readonly sigkill_pending: boolean;
  /** Pages this task's mm owns (the OOM killer's badness). 0 for kernel threads. */
  readonly rss_pages: number;
  /** Set while the task is in direct reclaim or is kswapd (mm/vmscan.c). */
  reclaim_state: { reclaimed_slab: number } | null;
  /** Exit status: 'running', 'exited', 'killed' (OOM), 'oops' (died in a BUG). */
  readonly exit_state: 'running' | 'exited' | 'killed' | 'oops';
  /**
   * References to this task_struct (v4.11 task_struct.usage): 2 from
   * dup_task_struct, one for the task itself (dropped by finish_task_switch
   * after its last switch-out) and one for release_task's RCU callback
   * (kernel/exit.ts). When it drops to 0 the task_struct is freed.
   */
  readonly usage: number;
  // The scheduler's private state of the task is kept beside it: kernel/sched/core.ts model_task_sched().
}

export function task_is_running(t: task_struct): boolean {
  return t.state === TASK_RUNNING && t.exit_state === 'running';
}

/** fatal_signal_pending - the task has been sent SIGKILL. */
export function fatal_signal_pending(t: task_struct): boolean {
  return t.sigkill_pending;
}

// Where each task_struct lives. In the kernel, dup_task_struct() takes it
// from the task_struct slab cache (kernel/fork.c, alloc_task_struct_node):
// its address says nothing about the pid, and differs from boot to boot. The
// model picks, per boot, a seeded random 64-byte-aligned slot for each task
// (deterministic for a given boot_params().seed), so that nothing but the
// task itself (task_ptr) or __mutex_owner() can tell whose address a word holds.

/** Slots a task_struct may occupy: 0x40000000 + slot * 0x40 stays below 2^31. */
const TASK_SLOTS = 0x00ffffff;
const TASK_STRUCT_BASE = 0x40000000;
const TASK_STRUCT_ALIGN = 0x40;

let task_addresses = new WeakMap<task_struct, number>();
/** The task_struct at each address handed out this boot (the model never reuses a slot). */
let used_task_addresses = new Map<number, task_struct>();
let task_address_rng = new prandom_state(default_boot_params.seed);

register_initcall('core', 'task_struct_cachep', () => {
  task_addresses = new WeakMap();
  used_task_addresses = new Map();
  task_address_rng = new prandom_state(boot_params().seed ^ 0x7a5c0de);
});

/**
 * task_ptr - a stand-in for the address of @t's task_struct, as stored in a
 * mutex's owner word. It is 64-byte aligned (so the low three bits are free
 * for the MUTEX_FLAG_* bits, as in the kernel) and below 2^31, so that
 * JavaScript's 32-bit bitwise operators (`owner & ~0x07`) work on it. Where
 * the slab put it is chosen at random for each boot (see above): no
 * arithmetic on an address recovers a pid.
 */
export function task_ptr(t: task_struct): number {
  let addr = task_addresses.get(t);
  if (addr === undefined) {
    do addr = TASK_STRUCT_BASE + (1 + task_address_rng.below(TASK_SLOTS)) * TASK_STRUCT_ALIGN;
    while (used_task_addresses.has(addr));
    used_task_addresses.set(addr, t);
    task_addresses.set(t, addr);
  }
  return addr;
}

/**
 * (model) task_struct_at - the task_struct whose slot is at @addr, or null:
 * what a pointer cast of an owner word gives in the kernel. Still the same
 * object after the task has exited, been reaped and freed (kernel/exit.ts):
 * a pointer does not know that its memory went back to the slab.
 */
export function task_struct_at(addr: number): task_struct | null {
  return used_task_addresses.get(addr) ?? null;
}
