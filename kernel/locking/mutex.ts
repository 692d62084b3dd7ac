// Models: kernel/locking/mutex.c and include/linux/mutex.h (mutex_lock,
// mutex_lock_killable, mutex_lock_interruptible, mutex_trylock,
// mutex_trylock_recursive, mutex_unlock, __mutex_owner, the owner word and
// its MUTEX_FLAG_* bits, lock handoff), v4.11 with CONFIG_DEBUG_MUTEXES and
// lockdep (checked against the v4.10 and v4.11 sources).
//
// The owner word. Since v4.10 a mutex keeps everything in one atomic long,
// lock->owner: the owning task_struct pointer OR'ed with flag bits, which
// are free because task_structs are aligned. v4.11 has three:
//   MUTEX_FLAG_WAITERS 0x01  the wait list is not empty: unlock must wake someone
//   MUTEX_FLAG_HANDOFF 0x02  the first waiter asks unlock to hand it the lock
//   MUTEX_FLAG_PICKUP  0x04  the lock was handed to the first waiter, who has
//                            yet to pick it up
// and MUTEX_FLAGS is 0x07. v4.10 had only WAITERS and HANDOFF: MUTEX_FLAGS
// was 0x03 and __mutex_owner() masked ~0x03.
// The word is the single source of truth for who owns the mutex. Anything
// that asks "who owns it" must read it once (atomic_long_read, the model's
// READ_ONCE) and mask the flags off, as __mutex_owner() does. Comparing the
// raw word with a task pointer is wrong exactly when a flag is set.
//
// Handoff (9d659ae14b54 "locking/mutex: Add lock handoff to avoid
// starvation", v4.10): unlock clears the owner and wakes the first waiter,
// but the lock is free for anyone until that waiter runs, so a running task
// can steal it. A woken first waiter therefore sets HANDOFF, and the next
// unlock does not free the lock but gives it to that waiter.
// - v4.10 stored the bare waiter pointer ("waiter", WAITERS kept), and a
//   first waiter's trylock succeeded whenever the word already named it. So
//   a task that mutex_lock()ed a mutex it already held, and was then woken
//   spuriously, found itself first in the queue and "owner" and went on as
//   if it had the lock twice.
// - v4.11 (e274795ea7b7 "locking/mutex: Fix mutex handoff", Peter Zijlstra,
//   January 2017) stores "waiter | PICKUP" instead, and only a waiter that
//   sees PICKUP takes the lock, clearing the bit.
// The model implements v4.11's handoff only.
//
// Model choices:
// - no optimistic spinning (CONFIG_MUTEX_SPIN_ON_OWNER): a waiter that cannot
//   take the lock goes straight to sleep. Spinning changes timing, never the
//   outcome a test can see.
// - every lock call has a schedule point on entry (might_sleep() may
//   reschedule), so the explorer can interleave tasks before acquisition.
// - no wait_lock spinlock: the model runs one task at a time between
//   schedule points, so the wait list is consistent by construction.
// - the only signal is SIGKILL, so _interruptible and _killable fail alike.
// - when a killed waiter leaves an empty wait list, the flags are cleared
//   (v4.11 left WAITERS set on that path until a later fix; it only cost an
//   unneeded slow-path unlock).
// - the optional @ip argument of the lock calls is the model's _RET_IP_: the
//   name lockdep prints after "at:". It defaults to the call's own name.
import { FP_TASKLIST, footprint_new, footprint_read, footprint_write } from '../footprint';
import { atomic_long_andnot, atomic_long_cmpxchg, atomic_long_or, atomic_long_read, atomic_long_set, atomic_long_t, model_other_cpu_at_atomic } from '../lib/atomic';
import { model_schedule_point, model_task_context, current, might_sleep, schedule, set_current_state, wake_up_process } from '../sched/core';
import { fatal_signal_pending, TASK_INTERRUPTIBLE, TASK_KILLABLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE, TASK_WAKEKILL, task_ptr, task_struct_at, model_wait_target, type task_struct, type wait_target } from '../sched/task';
import { trace, trace_enabled } from '../trace/trace';
import { DEBUG_LOCKS_WARN_ON } from './debug_locks';
import { lock_acquire, lock_release, lockdep_map, model_embed_map } from './lockdep';
import { model_static_lock_register } from './static_locks';
import { register_initcall } from '../init/initcall';
import { model_struct } from '../model_struct';
import { model_embed_list } from '../model_list';
import { model_task_set } from '../sched/task_fields';

export const MUTEX_FLAG_WAITERS = 0x01;
export const MUTEX_FLAG_HANDOFF = 0x02;
export const MUTEX_FLAG_PICKUP = 0x04;
export const MUTEX_FLAGS = 0x07;

/** enum mutex_trylock_recursive_enum (FAILED and SUCCESS match mutex_trylock()'s return values). */
export const MUTEX_TRYLOCK_FAILED = 0;
export const MUTEX_TRYLOCK_SUCCESS = 1;
export const MUTEX_TRYLOCK_RECURSIVE = 2;
export type mutex_trylock_recursive_enum = typeof MUTEX_TRYLOCK_FAILED | typeof MUTEX_TRYLOCK_SUCCESS | typeof MUTEX_TRYLOCK_RECURSIVE;

/** EINTR: what an interrupted sleeping lock returns, negated. */
export const EINTR = 4;

/** While set, told of every mutex made (the study site's stepper shows their owner words; explorer/stepper.ts). */
/**
 * What a waiter on each mutex sleeps on, for hung-task and deadlock reports
 * (built once). Kept beside the mutex, not on it: code handed a lock can
 * write any field of it by any spelling, and a wait target whose holder
 * answered null would hide a deadlock (grader red team 11 #01's class).
 */
const wait_targets = new WeakMap<mutex, wait_target>();

let model_mutex_watch: ((m: mutex) => void) | null = null;

/** model_watch_mutexes - have @fn told of every mutex made from now on (null: stop). Not a kernel API: the model's own instrumentation. */
export function model_watch_mutexes(fn: ((m: mutex) => void) | null): void {
  model_mutex_watch = fn;
}

/** Each mutex's sleeping waiters, as the model keeps them (the lock's wait_list is a frozen copy). */
const wait_lists = new WeakMap<mutex, task_struct[]>();

function waiters(lock: mutex): task_struct[] {
  return wait_lists.get(lock)!;
}

/** struct mutex */
export class mutex {
  /** task_ptr(owner) | MUTEX_FLAG_*; 0 when unlocked and nobody waits. */
  readonly owner = new atomic_long_t(0);
  /** Sleeping waiters, first come first served: a frozen copy (the model's list is beside the lock, model_embed_list). */
  declare readonly wait_list: readonly task_struct[];
  /** Lockdep's identity: the class is @name. */
  declare readonly dep_map: lockdep_map; // defined read-only in the constructor (model_embed_map)
  constructor(public readonly name: string) {
    footprint_new(this);
    footprint_new(this.owner);
    model_embed_map(this, 'dep_map', new lockdep_map(name));
    wait_lists.set(this, model_embed_list<task_struct>(this, 'wait_list'));
    wait_targets.set(this, model_wait_target({ describe: () => `mutex ${name}`, holder: () => __mutex_owner(this) }));
    model_mutex_watch?.(this);
    // The owner word is the lock's own for its life (struct mutex embeds its atomic_long_t): code
    // handed the lock can read it and no spelling swaps it. A plain field let a caller put in a
    // fresh, zero word, so that every other task found i915.struct_mutex free (grader red team 15).
    // The name is its lockdep class's, fixed at mutex_init(): judges that pick a lock's calls out by
    // name saw none from a scan that renamed struct_mutex around its sleeping mutex_lock() (red team
    // 15 A4, 02: 6/12 against the starter's 1/12). `readonly` in the type is no guard at run time.
    Object.defineProperty(this, 'owner', { writable: false });
    Object.defineProperty(this, 'name', { writable: false });
    model_struct(this);
  }
}

/** mutex_init - a new unlocked mutex whose lockdep class is @name (e.g. "&dev->struct_mutex"). */
export function mutex_init(name: string): mutex {
  return new mutex(name);
}

/** DEFINE_MUTEX - a mutex defined at module scope: unlocked again at every boot. */
export function DEFINE_MUTEX(name: string): mutex {
  return model_static_lock_register(new mutex(name), (m) => {
    atomic_long_set(m.owner, 0);
    waiters(m).length = 0;
  });
}

/**
 * __owner_task - the task encoded in an owner word, or null. Masks the flag
 * bits off and maps the address back to its task_struct: the kernel's cast,
 * so a word read before its owner exited still gives that task_struct, freed
 * or not (kernel/exit.ts). Dereferencing it is safe only under
 * rcu_read_lock() or with a reference (mutex_spin_on_owner() reads
 * owner->on_cpu under rcu_read_lock()).
 */
export function __owner_task(owner: number): task_struct | null {
  const addr = owner & ~MUTEX_FLAGS;
  if (addr === 0) return null;
  footprint_read(FP_TASKLIST); // as a walk of the task list did: the explorer orders it against forks
  return task_struct_at(addr);
}

/** __mutex_owner - who owns @lock: one atomic read of the owner word, flags masked off. "DO NOT USE (outside of mutex code)". */
export function __mutex_owner(lock: mutex): task_struct | null {
  return __owner_task(atomic_long_read(lock.owner));
}

/** mutex_is_locked - is @lock owned by anyone? */
export function mutex_is_locked(lock: mutex): boolean {
  return (atomic_long_read(lock.owner) & ~MUTEX_FLAGS) !== 0;
}

function __mutex_set_flag(lock: mutex, flag: number): void {
  atomic_long_or(flag, lock.owner);
}

function __mutex_clear_flag(lock: mutex, flag: number): void {
  atomic_long_andnot(flag, lock.owner);
}

/**
 * The lock tracepoints, with the owner word at the moment they fire:
 * lock_acquire and lock_release before the word changes (they come from
 * lockdep, first thing in lock and unlock), lock_contended when the fast
 * path failed, lock_acquired once the caller owns it.
 */
function trace_lock(event: string, lock: mutex): void {
  if (!trace_enabled()) return;
  const w = atomic_long_read(lock.owner);
  trace(event, { lock: lock.name, owner_word: '0x' + w.toString(16), flags: w & MUTEX_FLAGS });
}

/**
 * __mutex_trylock - take @lock for @t if it is free, or if it was handed off
 * to @t (owner == t | PICKUP). Clears HANDOFF on success: the bit must not
 * outlive the acquisition it asked for.
 */
function __mutex_trylock(lock: mutex, t: task_struct): boolean {
  const curr = task_ptr(t);
  let owner = atomic_long_read(lock.owner);
  // "must loop, can race against a flag": another CPU may change the word
  // between the read and the cmpxchg (a waiter sets a flag, or it takes the lock).
  for (;;) {
    let flags = owner & MUTEX_FLAGS;
    const task = owner & ~MUTEX_FLAGS;
    if (task !== 0) {
      if (task !== curr) return false;
      if (!(flags & MUTEX_FLAG_PICKUP)) return false; // we already own it: a trylock does not recurse
      flags &= ~MUTEX_FLAG_PICKUP;
    }
    flags &= ~MUTEX_FLAG_HANDOFF;
    const old = atomic_long_cmpxchg(lock.owner, owner, curr | flags);
    if (old === owner) return true;
    owner = old;
  }
}

/**
 * model_other_cpu_locks_mutex - SMP: a task running on another CPU takes
 * @lock (its mutex_lock()/mutex_trylock() fast path, one cmpxchg of the
 * owner word from free to @other) just before the @nth atomic op (0, 1, ...)
 * that this CPU does on the owner word from now on, if the lock is free at
 * that moment. Between a READ_ONCE of the word and mutex_trylock()'s
 * cmpxchg the lock can thus be taken, as on a real machine. Not a kernel
 * API: a check installs it (kernel/lib/atomic.ts model_other_cpu_at_atomic);
 * inert otherwise, reset at every boot. Lockdep is not told (the other CPU's
 * task never releases it in the run): a check that installs it puts the word back.
 * Returns whether the other CPU took it (set when it does).
 */
export function model_other_cpu_locks_mutex(lock: mutex, other: task_struct, nth: number): { took: boolean } {
  const race = { took: false };
  model_other_cpu_at_atomic(lock.owner, (v, _op, index) => {
    if (index !== nth) return;
    const word = atomic_long_read(v);
    if ((word & ~MUTEX_FLAGS) === 0) race.took = atomic_long_cmpxchg(v, word, task_ptr(other) | (word & MUTEX_FLAG_WAITERS)) === word;
  });
  return race;
}

/**
 * Who is told of each sleeping acquisition (mutex_lock() and its _killable
 * and _interruptible kin) as it starts, whether or not it ends up sleeping:
 * the call may sleep, and that is what a check of code that must never wait
 * judges (a shrinker taking struct_mutex with mutex_lock() from reclaim waits
 * whenever another CPU got there first, which the model's default schedule
 * may never show). Not a kernel API: the model's instrument, lockdep on or
 * off, reset at every boot.
 */
export type mutex_lock_watcher = (lock: mutex, t: task_struct, call: string) => void;
const mutex_lock_watchers = new Set<mutex_lock_watcher>();
register_initcall('core', 'locking_mutex_watch', () => mutex_lock_watchers.clear());

/** model_watch_mutex_lock - tell @fn of every sleeping acquisition from now on; returns the call that stops it. */
export function model_watch_mutex_lock(fn: mutex_lock_watcher): () => void {
  mutex_lock_watchers.add(fn);
  return () => {
    mutex_lock_watchers.delete(fn);
  };
}

/** signal_pending_state - would a signal end a sleep in @state? (SIGKILL is the model's only signal) */
function signal_pending_state(state: number, t: task_struct): boolean {
  if (!(state & (TASK_INTERRUPTIBLE | TASK_WAKEKILL))) return false;
  return fatal_signal_pending(t);
}

/** __mutex_lock_common - the slow path shared by the sleeping lock calls. Returns 0 or -EINTR. */
async function __mutex_lock_common(lock: mutex, state: number, ip: string, call: string): Promise<number> {
  might_sleep(call, 'kernel/locking/mutex.c');
  for (const watch of mutex_lock_watchers) watch(lock, current, call);
  await model_schedule_point(call);
  const t = current;
  footprint_write(lock); // the owner word tags itself (atomics); this covers the wait list
  // Lockdep sees the acquisition before the task may block on it, so a
  // self-deadlock is reported before it happens.
  lock_acquire(lock.dep_map, false, 0, ip);
  trace_lock('lock_acquire', lock);
  if (__mutex_trylock(lock, t)) {
    trace_lock('lock_acquired', lock);
    return 0;
  }
  trace_lock('lock_contended', lock);

  waiters(lock).push(t);
  if (waiters(lock)[0] === t) __mutex_set_flag(lock, MUTEX_FLAG_WAITERS);
  let first = false;
  let ret = 0;
  for (;;) {
    // Try before checking signals, so a handoff to us is always picked up.
    if (__mutex_trylock(lock, t)) break;
    if (signal_pending_state(state, t)) {
      ret = -EINTR;
      break;
    }
    set_current_state(state);
    await schedule(wait_targets.get(lock)!, call);
    footprint_write(lock);
    // Woken as the first waiter: ask the next unlock to hand the lock to us,
    // so that a task that keeps running cannot steal it forever.
    if (!first) {
      first = waiters(lock)[0] === t;
      if (first) __mutex_set_flag(lock, MUTEX_FLAG_HANDOFF);
    }
  }
  model_task_set(t, 'state', TASK_RUNNING);
  const i = waiters(lock).indexOf(t);
  if (i >= 0) waiters(lock).splice(i, 1);
  if (waiters(lock).length === 0) __mutex_clear_flag(lock, MUTEX_FLAGS);
  if (ret) {
    lock_release(lock.dep_map, ip);
    trace_lock('lock_release', lock);
    return ret;
  }
  trace_lock('lock_acquired', lock);
  return 0;
}

/** mutex_lock - acquire @lock, sleeping (TASK_UNINTERRUPTIBLE) until it is free. */
export async function mutex_lock(lock: mutex, ip = 'mutex_lock'): Promise<void> {
  await __mutex_lock_common(lock, TASK_UNINTERRUPTIBLE, ip, 'mutex_lock');
}

/** mutex_lock_killable - like mutex_lock, but a fatal signal ends the wait: returns 0 or -EINTR. */
export async function mutex_lock_killable(lock: mutex, ip = 'mutex_lock_killable'): Promise<number> {
  return __mutex_lock_common(lock, TASK_KILLABLE, ip, 'mutex_lock_killable');
}

/** mutex_lock_interruptible - like mutex_lock, but a signal ends the wait: returns 0 or -EINTR. */
export async function mutex_lock_interruptible(lock: mutex, ip = 'mutex_lock_interruptible'): Promise<number> {
  return __mutex_lock_common(lock, TASK_INTERRUPTIBLE, ip, 'mutex_lock_interruptible');
}

/** mutex_trylock - take @lock if it is free, without sleeping. Returns true on success. */
export function mutex_trylock(lock: mutex, ip = 'mutex_trylock'): boolean {
  const t = model_task_context('mutex_trylock');
  if (!__mutex_trylock(lock, t)) return false;
  lock_acquire(lock.dep_map, true, 0, ip);
  trace_lock('lock_acquire', lock);
  trace_lock('lock_acquired', lock);
  return true;
}

/**
 * mutex_trylock_recursive - MUTEX_TRYLOCK_RECURSIVE if current already owns
 * @lock (then it must NOT unlock it), else mutex_trylock()'s result. "This
 * function should not be used, _ever_" (its kerneldoc): it exists for i915.
 */
export function mutex_trylock_recursive(lock: mutex, ip = 'mutex_trylock_recursive'): mutex_trylock_recursive_enum {
  const t = model_task_context('mutex_trylock_recursive');
  if (__mutex_owner(lock) === t) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock, ip) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}

/**
 * __mutex_handoff - give @lock to @task: owner becomes task | PICKUP (WAITERS
 * kept, HANDOFF consumed). With no task the lock just becomes free.
 */
function __mutex_handoff(lock: mutex, task: task_struct | null): void {
  const owner = atomic_long_read(lock.owner);
  let next = owner & MUTEX_FLAG_WAITERS;
  if (task) next |= task_ptr(task) | MUTEX_FLAG_PICKUP;
  atomic_long_set(lock.owner, next);
}

/**
 * mutex_unlock - release @lock and wake the first waiter. Never sleeps.
 * The caller must own it: v4.11 with CONFIG_DEBUG_MUTEXES WARNs otherwise
 * (after lockdep's "bad unlock balance", which, being first, is the report
 * you see when lockdep is on), and the lock is released anyway.
 */
export function mutex_unlock(lock: mutex, ip = 'mutex_unlock'): void {
  const t = model_task_context('mutex_unlock');
  footprint_write(lock);
  lock_release(lock.dep_map, ip);
  // Like the kernel's tracepoint (fired from lockdep's lock_release), the event shows the word before the release.
  trace_lock('lock_release', lock);
  const owner = atomic_long_read(lock.owner);
  DEBUG_LOCKS_WARN_ON(__owner_task(owner) !== t, 'kernel/locking/mutex.c __mutex_unlock_slowpath', '__owner_task(owner) != current');
  DEBUG_LOCKS_WARN_ON((owner & MUTEX_FLAG_PICKUP) !== 0, 'kernel/locking/mutex.c __mutex_unlock_slowpath', 'owner & MUTEX_FLAG_PICKUP');
  if (!(owner & MUTEX_FLAG_HANDOFF)) {
    // Release now, keeping the flags: waiters may still be queued.
    atomic_long_set(lock.owner, owner & MUTEX_FLAGS);
    if (!(owner & MUTEX_FLAG_WAITERS)) return;
  }
  const next = waiters(lock)[0] ?? null;
  if (owner & MUTEX_FLAG_HANDOFF) __mutex_handoff(lock, next);
  if (next) wake_up_process(next);
}

/** mutex_destroy - @lock will not be used again; it must not be locked (CONFIG_DEBUG_MUTEXES). */
export function mutex_destroy(lock: mutex): void {
  DEBUG_LOCKS_WARN_ON(mutex_is_locked(lock), 'kernel/locking/mutex-debug.c mutex_destroy', 'mutex_is_locked(lock)');
}
