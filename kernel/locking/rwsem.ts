// Models: kernel/locking/rwsem.c, kernel/locking/rwsem-xadd.c and
// include/linux/rwsem.h (down_read, down_read_trylock, up_read, down_write,
// down_write_trylock, up_write, __rwsem_mark_wake), v4.11.
//
// A reader-writer semaphore: many readers or one writer. The course meets it
// as shrinker_rwsem: shrink_slab() walks the shrinker list under
// down_read_trylock() (and gives up if it cannot get it), register_shrinker()
// adds to the list under down_write().
//
// Fairness as in v4.11: waiters queue in arrival order, and as soon as
// anyone waits, new readers queue too (down_read's fast path fails when the
// count shows waiters), so a waiting writer is not starved by a stream of
// readers. down_read_trylock() likewise fails while anyone waits. When the
// lock becomes free, a writer at the head of the queue gets it alone; readers
// at the head all get it together, up to the first queued writer.
//
// Model choices:
// - the lock is handed directly to the tasks woken (v4.11 does this for
//   readers; a woken writer re-tries and may lose to a writer that is
//   already running): no writer lock stealing, no optimistic spinning.
// - an owner list of readers is kept (v4.11 only recorded the writer) so a
//   deadlock report can name a reader that holds the lock.
// - no _killable, _nested, downgrade_write or non-owner variants.
import { footprint_add, footprint_new, footprint_read, footprint_write } from '../footprint';
import { model_schedule_point, model_task_context, current, might_sleep, schedule, set_current_state, wake_up_process } from '../sched/core';
import { TASK_RUNNING, TASK_UNINTERRUPTIBLE, model_wait_target, type task_struct, type wait_target } from '../sched/task';
import { trace, trace_enabled } from '../trace/trace';
import { lock_acquire, lock_release, lockdep_map, model_embed_map } from './lockdep';
import { model_static_lock_register } from './static_locks';
import { model_struct } from '../model_struct';
import { model_task_set } from '../sched/task_fields';
import { model_embed_list } from '../model_list';

/** struct rwsem_waiter */
interface rwsem_waiter {
  task: task_struct;
  type: 'read' | 'write';
  /** Set by the waker when it hands the lock over. */
  granted: boolean;
}

/** struct rw_semaphore */
/** What a waiter on each rwsem sleeps on (beside it, not on it: see mutex.ts wait_targets). */
const wait_targets = new WeakMap<rw_semaphore, wait_target>();

/** Each rwsem's readers and waiters, as the model keeps them (the rwsem's fields are frozen copies). */
const lists = new WeakMap<rw_semaphore, { writer: task_struct | null; readers: task_struct[]; wait_list: rwsem_waiter[] }>();

function set_writer(sem: rw_semaphore, t: task_struct | null): void {
  lists.get(sem)!.writer = t;
}

function readers(sem: rw_semaphore): task_struct[] {
  return lists.get(sem)!.readers;
}

function waiters(sem: rw_semaphore): rwsem_waiter[] {
  return lists.get(sem)!.wait_list;
}

export class rw_semaphore {
  /** The writer holding it, or null: read-only (the model's record is beside the rwsem). */
  declare readonly writer: task_struct | null;
  /** Readers holding it (a task appears once per read hold): a frozen copy (the model's list is beside the rwsem, model_embed_list). */
  declare readonly readers: readonly task_struct[];
  /** Sleeping waiters, first come first served: a frozen copy, as readers. */
  declare readonly wait_list: readonly Readonly<rwsem_waiter>[];
  declare readonly dep_map: lockdep_map; // defined read-only in the constructor (model_embed_map)
  constructor(public readonly name: string) {
    footprint_new(this);
    lists.set(this, { writer: null, readers: model_embed_list<task_struct>(this, 'readers'), wait_list: model_embed_list<rwsem_waiter>(this, 'wait_list', (w) => Object.freeze({ ...w })) });
    footprint_new(lists.get(this)!.readers);
    const rec = lists.get(this)!;
    Object.defineProperty(this, 'writer', { enumerable: true, configurable: false, get: () => rec.writer });
    model_embed_map(this, 'dep_map', new lockdep_map(name));
    // A reader holder is named by the lowest pid, not by arrival order: two down_read()s commute (see down_read).
    wait_targets.set(this, model_wait_target({ describe: () => `rwsem ${name}`, holder: () => this.writer ?? lowest_pid(readers(this)) }));
    model_struct(this);
  }
}

function lowest_pid(ts: readonly task_struct[]): task_struct | null {
  let best: task_struct | null = null;
  for (const t of ts) if (best === null || t.pid < best.pid) best = t;
  return best;
}

/** init_rwsem - a new free rwsem whose lockdep class is @name. */
export function init_rwsem(name: string): rw_semaphore {
  return new rw_semaphore(name);
}

/** DECLARE_RWSEM - an rwsem defined at module scope (shrinker_rwsem): free again at every boot. */
export function DECLARE_RWSEM(name: string): rw_semaphore {
  return model_static_lock_register(new rw_semaphore(name), (s) => {
    set_writer(s, null);
    readers(s).length = 0;
    waiters(s).length = 0;
  });
}

/** rwsem_is_locked - is @sem held by anyone? */
export function rwsem_is_locked(sem: rw_semaphore): boolean {
  footprint_read(sem);
  footprint_read(readers(sem));
  return sem.writer !== null || readers(sem).length > 0;
}

function trace_rwsem(event: string, sem: rw_semaphore, read: boolean): void {
  if (trace_enabled()) trace(event, { lock: sem.name, read, readers: readers(sem).length, writer: sem.writer?.pid ?? 0 });
}

/** Sleep until a waker hands @sem over to @t. */
async function rwsem_wait(sem: rw_semaphore, t: task_struct, type: rwsem_waiter['type'], call: string): Promise<void> {
  trace_rwsem('lock_contended', sem, type === 'read');
  const w: rwsem_waiter = { task: t, type, granted: false };
  waiters(sem).push(w);
  while (!w.granted) {
    set_current_state(TASK_UNINTERRUPTIBLE);
    await schedule(wait_targets.get(sem)!, call);
    footprint_write(sem);
  }
  model_task_set(t, 'state', TASK_RUNNING);
}

/** __rwsem_mark_wake - @sem may be free: hand it to the head of the queue. */
function rwsem_wake(sem: rw_semaphore): void {
  if (sem.writer || waiters(sem).length === 0) return;
  const head = waiters(sem)[0]!;
  if (head.type === 'write') {
    footprint_read(readers(sem));
    if (readers(sem).length > 0) return;
    waiters(sem).shift();
    set_writer(sem, head.task);
    head.granted = true;
    wake_up_process(head.task);
    return;
  }
  // Grant the lock to every reader at the head of the queue, up to the first writer.
  footprint_write(readers(sem));
  while (waiters(sem).length > 0 && waiters(sem)[0]!.type === 'read') {
    const w = waiters(sem).shift()!;
    readers(sem).push(w.task);
    w.granted = true;
    wake_up_process(w.task);
  }
}

/** down_read - acquire @sem for reading, sleeping while a writer holds it or anyone waits. */
export async function down_read(sem: rw_semaphore, ip = 'down_read'): Promise<void> {
  might_sleep('down_read', 'kernel/locking/rwsem.c');
  await model_schedule_point('down_read');
  const t = current;
  lock_acquire(sem.dep_map, false, 1, ip);
  // The fast path reads the writer and the queue and adds a reader: two of them commute (the count, not the
  // order, is the state: the readers' order is never read, see holder()). Queuing writes the rwsem.
  footprint_read(sem);
  if (!sem.writer && waiters(sem).length === 0) {
    footprint_add(readers(sem));
    readers(sem).push(t);
  } else {
    footprint_write(sem);
    await rwsem_wait(sem, t, 'read', 'down_read');
  }
  trace_rwsem('lock_acquired', sem, true);
}

/** down_read_trylock - take @sem for reading if no writer holds it and nobody waits. */
export function down_read_trylock(sem: rw_semaphore, ip = 'down_read_trylock'): boolean {
  const t = model_task_context('down_read_trylock');
  footprint_read(sem);
  if (sem.writer || waiters(sem).length > 0) return false;
  footprint_add(readers(sem));
  readers(sem).push(t);
  lock_acquire(sem.dep_map, true, 1, ip);
  trace_rwsem('lock_acquired', sem, true);
  return true;
}

/** up_read - release a read hold of @sem. */
export function up_read(sem: rw_semaphore, ip = 'up_read'): void {
  const t = model_task_context('up_read');
  lock_release(sem.dep_map, ip);
  const i = readers(sem).indexOf(t);
  // A read hold may be released by another task (up_read_non_owner); drop the oldest then.
  if (i >= 0) {
    footprint_add(readers(sem)); // its own hold: the count goes down by one whatever the order
    readers(sem).splice(i, 1);
  } else if (readers(sem).length > 0) {
    footprint_write(readers(sem));
    readers(sem).shift();
  }
  trace_rwsem('lock_release', sem, true);
  // Nobody queued: nothing to hand over, and the count is not looked at (a read of the queue only).
  footprint_read(sem);
  if (sem.writer || waiters(sem).length === 0) return;
  footprint_write(sem);
  footprint_read(readers(sem));
  if (readers(sem).length === 0) rwsem_wake(sem);
}

/** down_write - acquire @sem for writing, sleeping until nobody else holds it. */
export async function down_write(sem: rw_semaphore, ip = 'down_write'): Promise<void> {
  might_sleep('down_write', 'kernel/locking/rwsem.c');
  await model_schedule_point('down_write');
  footprint_write(sem);
  footprint_read(readers(sem));
  const t = current;
  lock_acquire(sem.dep_map, false, 0, ip);
  if (!sem.writer && readers(sem).length === 0 && waiters(sem).length === 0) set_writer(sem, t);
  else await rwsem_wait(sem, t, 'write', 'down_write');
  trace_rwsem('lock_acquired', sem, false);
}

/** down_write_trylock - take @sem for writing if it is completely free. */
export function down_write_trylock(sem: rw_semaphore, ip = 'down_write_trylock'): boolean {
  const t = model_task_context('down_write_trylock');
  footprint_write(sem);
  footprint_read(readers(sem));
  if (sem.writer || readers(sem).length > 0 || waiters(sem).length > 0) return false;
  set_writer(sem, t);
  lock_acquire(sem.dep_map, true, 0, ip);
  trace_rwsem('lock_acquired', sem, false);
  return true;
}

/** up_write - release @sem held for writing and hand it to the next waiter(s). */
export function up_write(sem: rw_semaphore, ip = 'up_write'): void {
  model_task_context('up_write');
  footprint_write(sem);
  lock_release(sem.dep_map, ip);
  set_writer(sem, null);
  trace_rwsem('lock_release', sem, false);
  rwsem_wake(sem);
}
