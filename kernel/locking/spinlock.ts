// Models: kernel/locking/spinlock.c, include/linux/spinlock.h and
// kernel/locking/spinlock_debug.c (spin_lock, spin_unlock, spin_trylock,
// spin_is_locked, assert_spin_locked, CONFIG_DEBUG_SPINLOCK checks), v4.11,
// and the soft-lockup message of kernel/watchdog.c.
//
// A spinlock holder must not sleep: spin_lock() disables preemption
// (preempt_count++), so any sleeping call made under it is reported by
// might_sleep() as "BUG: sleeping function called from invalid context".
//
// Because a task's code runs atomically between schedule points, a spinlock
// can only be found held by someone else if its holder slept while holding
// it, which is already a bug. The real CPU would then spin forever: v4.11
// prints, at most, CONFIG_DEBUG_SPINLOCK's "BUG: spinlock recursion" (the
// holder is current) or "BUG: spinlock cpu recursion" (the holder last ran on
// this CPU), and after 20 seconds the watchdog's "BUG: soft lockup". The
// model cannot spin, so it prints those and kills the spinning task (BUG ->
// KernelOops).
//
// Model choices:
// - v4.10's "BUG: spinlock lockup suspected on CPU#%d, %s/%d" detector is
//   gone in v4.11 (spinlock_debug.c of v4.11 has no lockup detection; it was
//   removed in the v4.11 merge window), so the model reports what v4.11
//   shows: the soft-lockup watchdog, "stuck for 22s" (model choice: the first
//   watchdog sample after the 20 s threshold).
// - no irq/bh variants, no raw_spinlock_t or rwlock_t (the course needs none),
//   no arch ticket/queued locks: a flag and an owner.
// - a spinlock taken outside any task's own code (a timer function) does not
//   touch the preempt count of the task that happened to run last.
import { footprint_new, footprint_read, footprint_write } from '../footprint';
import { BUG, KernelOops, report } from '../panic';
import { KERN_EMERG } from '../printk/printk';
import { model_task_context } from '../sched/core';
import type { task_struct } from '../sched/task';
import { trace, trace_enabled } from '../trace/trace';
import { softlockup_line, softlockup_title } from '../watchdog';
import { debug_locks_off } from './debug_locks';
import { model_embed_map, model_lockdep_task, lock_acquire, lock_release, lockdep_map } from './lockdep';
import { model_static_lock_register } from './static_locks';
import { model_struct } from '../model_struct';
import { model_task_add } from '../sched/task_fields';

/** SPINLOCK_MAGIC of CONFIG_DEBUG_SPINLOCK. */
const SPINLOCK_MAGIC = 0xdead4ead;

/** spinlock_t */
export class spinlock_t {
  locked = false;
  /** CONFIG_DEBUG_SPINLOCK's owner and owner_cpu. */
  owner: task_struct | null = null;
  owner_cpu = -1;
  declare readonly dep_map: lockdep_map; // defined read-only in the constructor (model_embed_map)
  constructor(public readonly name: string) {
    footprint_new(this);
    model_embed_map(this, 'dep_map', new lockdep_map(name));
    model_struct(this);
  }
}

/** spin_lock_init - a new unlocked spinlock whose lockdep class is @name. */
export function spin_lock_init(name: string): spinlock_t {
  return new spinlock_t(name);
}

/** DEFINE_SPINLOCK - a spinlock defined at module scope: unlocked again at every boot. */
export function DEFINE_SPINLOCK(name: string): spinlock_t {
  return model_static_lock_register(new spinlock_t(name), (l) => {
    l.locked = false;
    l.owner = null;
    l.owner_cpu = -1;
  });
}

/** The task running its own code, or null in a timer function / scheduler hook. */
function lock_context(call: string): task_struct | null {
  const t = model_lockdep_task();
  if (t) model_task_context(call); // catches a forgotten await, like every model entry
  return t;
}

/** spin_dump's two lines: "BUG: spinlock <msg> on CPU#n, comm/pid" and the lock's debug state. */
function spin_dump_lines(lock: spinlock_t, msg: string, me: task_struct | null): string[] {
  const cpu = me?.cpu ?? 0;
  return [
    `BUG: spinlock ${msg} on CPU#${cpu}, ${me ? `${me.comm}/${me.pid}` : 'swapper/0'}`,
    ` lock: ${lock.name}, .magic: ${SPINLOCK_MAGIC.toString(16).padStart(8, '0')}, .owner: ${lock.owner ? `${lock.owner.comm}/${lock.owner.pid}` : '<none>'}, .owner_cpu: ${lock.owner_cpu}`,
  ];
}

/**
 * The lock is held and the model cannot spin: print what v4.11 would, then
 * kill the spinning task.
 */
function spin_lockup(lock: spinlock_t, me: task_struct | null): never {
  const cpu = me?.cpu ?? 0;
  const lines: string[] = [];
  let title = '';
  // debug_spin_lock_before(): only the first lock-debugging report of a boot is printed.
  const why = lock.owner === me ? 'recursion' : lock.owner_cpu === cpu ? 'cpu recursion' : '';
  if (why && debug_locks_off()) {
    lines.push(...spin_dump_lines(lock, why, me));
    title = `spinlock ${why}`;
  }
  const comm = me ? me.comm : 'swapper/0';
  const pid = me ? me.pid : 0;
  lines.push(softlockup_line(cpu, comm, pid));
  if (lock.owner) {
    lines.push(
      `  (model) ${comm}:${pid} spins on spinlock ${lock.name}, held by ${lock.owner.comm}:${lock.owner.pid}` +
        `${lock.owner === me ? ' (itself)' : ', which slept while holding it'}; the CPU would spin forever.`,
    );
  }
  report('bug', title || softlockup_title(cpu), lines, KERN_EMERG);
  throw new KernelOops(`spinlock ${lock.name} can never be taken`);
}

function take(lock: spinlock_t, me: task_struct | null): void {
  footprint_write(lock);
  lock.locked = true;
  lock.owner = me;
  lock.owner_cpu = me ? me.cpu : -1;
  if (trace_enabled()) trace('lock_acquire', { lock: lock.name, kind: 'spinlock' });
}

/** spin_lock - take @lock, disabling preemption. Never sleeps. */
export function spin_lock(lock: spinlock_t, ip = 'spin_lock'): void {
  const me = lock_context('spin_lock');
  footprint_write(lock);
  if (me) model_task_add(me, 'preempt_count', 1);
  lock_acquire(lock.dep_map, false, 0, ip);
  if (lock.locked) spin_lockup(lock, me);
  take(lock, me);
}

/** spin_trylock - take @lock if it is free. Returns true on success. */
export function spin_trylock(lock: spinlock_t, ip = 'spin_trylock'): boolean {
  const me = lock_context('spin_trylock');
  footprint_write(lock);
  if (lock.locked) return false;
  if (me) model_task_add(me, 'preempt_count', 1);
  lock_acquire(lock.dep_map, true, 0, ip);
  take(lock, me);
  return true;
}

/** spin_unlock - release @lock and re-enable preemption. */
export function spin_unlock(lock: spinlock_t, ip = 'spin_unlock'): void {
  const me = lock_context('spin_unlock');
  footprint_write(lock);
  lock_release(lock.dep_map, ip);
  // debug_spin_unlock(): report (once per boot) and carry on, as v4.11 does.
  const why = !lock.locked ? 'already unlocked' : lock.owner !== me ? 'wrong owner' : '';
  if (why && debug_locks_off()) report('bug', `spinlock ${why}`, spin_dump_lines(lock, why, me), KERN_EMERG);
  lock.locked = false;
  lock.owner = null;
  lock.owner_cpu = -1;
  if (me && me.preempt_count > 0) model_task_add(me, 'preempt_count', -1);
  if (trace_enabled()) trace('lock_release', { lock: lock.name, kind: 'spinlock' });
}

/** spin_is_locked - is @lock held by anyone? */
export function spin_is_locked(lock: spinlock_t): boolean {
  footprint_read(lock);
  return lock.locked;
}

/** assert_spin_locked - BUG unless @lock is held (by anyone: the kernel cannot tell who). */
export function assert_spin_locked(lock: spinlock_t): void {
  footprint_read(lock);
  if (!lock.locked) BUG('include/linux/spinlock.h assert_spin_locked', `spinlock ${lock.name} is not locked`);
}

