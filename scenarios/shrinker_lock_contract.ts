// The contract of the shrinker's lock and unlock, judged on every call a
// workload makes, whoever makes it: count and scan from direct reclaim,
// kswapd or drop_caches, i915_gem_shrink() from an ioctl, the OOM notifier.
//
// i915_gem_shrinker_lock() (drivers/gpu/drm/i915/i915_gem_shrinker.c, v4.11)
// has one right answer for each state of struct_mutex, and the answer never
// depends on who the caller is, what it is called, or what lockdep recorded:
//   free                    take it, { locked: true,  unlock: true  }
//   held by this very task  leave it, { locked: true,  unlock: false } (an outer frame took it)
//   held by another task    leave it, { locked: false, unlock: false } at once
// and it never sleeps (mutex_trylock_recursive, kernel/locking/mutex.c).
// i915_gem_shrinker_unlock() releases struct_mutex exactly when the lock
// call took it (unlock = true), and leaves it with the outer frame otherwise.
//
// The judge wraps the learner's function where the model calls it
// (model_i915_shrinker_ops) and states each rule against the mutex's owner word
// (__mutex_owner: the word, flags masked off), never against lockdep's
// records, so it holds with lockdep off too. Each broken rule is kept, in a
// reviewer's words, with the task that made the call.
//
// Pure: no Node APIs (the study site runs checks too).
import {
  i915_gem_shrinker_lock as model_shrinker_lock,
  i915_gem_shrinker_unlock as model_shrinker_unlock,
  type i915_shrinker_ops,
  type shrinker_lock_state,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { atomic_long_read, model_restore_atomic_watch, model_watch_atomic_ops } from '../kernel/lib/atomic';
import { model_describe_value, model_read_fields } from '../kernel/model_value';
import { __mutex_owner, MUTEX_FLAGS } from '../kernel/locking/mutex';
import { current } from '../kernel/sched/core';
import { PF_KSWAPD, PF_MEMALLOC, type task_struct } from '../kernel/sched/task';
import { measure_call, type call_measure } from '../course/invariants';

export type shrinker_lock_fn = i915_shrinker_ops['lock'];
export type shrinker_unlock_fn = i915_shrinker_ops['unlock'];

/** Every call judged, and what the first broken rule was. */
export interface contract_judge {
  /** Calls judged so far. */
  calls: number;
  /** What went wrong, one line per broken rule (the first few only). */
  violations: string[];
  /** Calls that started and have not returned (yet, or ever): who made each, and who held struct_mutex then. */
  in_flight: Map<task_struct, string>;
}

const MAX_KEPT = 3;

/**
 * Atomic ops on struct_mutex's owner word one lock call may make while
 * another task holds it: mutex_trylock_recursive() makes two (__mutex_owner's
 * read, mutex_trylock()'s read); an answer that asks a few ways (a trylock,
 * then the owner) stays well below. A spin makes one or two per pass.
 */
const SPIN_OPS = 8;

function new_judge(): contract_judge {
  return { calls: 0, violations: [], in_flight: new Map() };
}

function note(j: contract_judge, what: string): void {
  if (j.violations.length < MAX_KEPT) j.violations.push(what);
}

/** A learner's file that hands back the model's own implementation has written nothing to grade. */
const REEXPORT = (name: string): string =>
  `${name} is the kernel model's own implementation, re-exported: the exercise asks you to write it (the model's copy is what your function replaces).`;

/** "i915_ioctl:1 (in direct reclaim)": who called, and from where, for a message. */
export function caller_text(t: task_struct = current): string {
  const where = t.flags & PF_KSWAPD ? ' (kswapd)' : t.flags & PF_MEMALLOC ? ' (in direct reclaim)' : '';
  return `${t.comm}:${t.pid}${where}`;
}

const who = (t: task_struct | null): string => (t ? `${t.comm}:${t.pid}` : 'nobody');
const state_text = (s: shrinker_lock_state): string => `{ locked: ${s.locked}, unlock: ${s.unlock} }`;

/**
 * first_violation - the first broken rule a judge saw, or null. A call that
 * never returned counts: it is what a hang inside the function looks like.
 */
export function first_violation(j: contract_judge): string | null {
  if (j.violations[0]) return j.violations[0];
  const stuck = [...j.in_flight.values()][0];
  if (stuck) return `${stuck} never returned: it went to sleep and nothing ever woke it (see the report below).`;
  return null;
}

/**
 * judged_lock - @lock, wrapped so that every call is checked against the
 * three-way rule above, and against "never sleeps, never stalls".
 */
export function judged_lock(lock: shrinker_lock_fn): { lock: shrinker_lock_fn; judge: contract_judge } {
  const judge = new_judge();
  if (lock === model_shrinker_lock) note(judge, REEXPORT('i915_gem_shrinker_lock'));
  const wrapped: shrinker_lock_fn = async (i915) => {
    const me = current;
    const owner_before = __mutex_owner(i915.struct_mutex);
    judge.in_flight.set(me, `the shrinker lock, called by ${caller_text(me)} while struct_mutex was held by ${who(owner_before)},`);
    const { watch, previous } = model_watch_atomic_ops(i915.struct_mutex.owner);
    let m: call_measure<shrinker_lock_state>;
    try {
      m = await measure_call(() => lock(i915));
    } finally {
      model_restore_atomic_watch(previous);
    }
    const word_ops = watch!.ops;
    judge.in_flight.delete(me);
    // One read of each field (model_read_fields): the judge and the model then use the same
    // snapshot, so a getter cannot answer the judge one thing and the model's i915_gem_shrink another.
    const read = model_read_fields(m.value, ['locked', 'unlock'] as const);
    const owner_after = __mutex_owner(i915.struct_mutex);
    judge.calls++;
    const by = caller_text(me);
    if (m.slept > 0 || m.stalled_jiffies > 0) {
      note(judge, `the shrinker lock, called by ${by} while struct_mutex was held by ${who(owner_before)}, slept ${m.slept} time(s) and returned after ` +
        `${m.stalled_jiffies} jiffies: called from reclaim it must never wait for struct_mutex, not even briefly ` +
        '(the holder may be waiting for the very memory this reclaim is looking for).');
    }
    if (owner_before !== null && owner_before !== me && owner_after === owner_before && word_ops > SPIN_OPS) {
      note(judge, `the shrinker lock, called by ${by} while struct_mutex was held by ${who(owner_before)}, made ${word_ops} atomic operations on its owner word ` +
        `(trylocks, reads) before it answered: a busy wait. It never sleeps, but it burns this CPU for as long as the holder keeps the lock, in every ` +
        'reclaimer at once, and on one CPU, or with the holder preempted on this one, it cannot succeed. The shrinker asks once ' +
        '(mutex_trylock_recursive: one read of the word, one trylock) and gives up.');
    }
    if (!read.ok || typeof read.fields.locked !== 'boolean' || typeof read.fields.unlock !== 'boolean') {
      const got = read.ok ? `{ locked: ${model_describe_value(read.fields.locked)}, unlock: ${model_describe_value(read.fields.unlock)} }` : read.why;
      note(judge, `the shrinker lock returned ${got}: it must return { locked: boolean, unlock: boolean }.`);
      return { locked: false, unlock: false }; // the call is already a violation; the model gives up on i915, as on a failed trylock
    }
    const st: shrinker_lock_state = { locked: read.fields.locked, unlock: read.fields.unlock };
    if (owner_before === null) {
      if (!st.locked) {
        note(judge, `struct_mutex was free when ${by} called the shrinker lock, and it answered ${state_text(st)}: ` +
          'reclaim gave up on i915 buffers that nobody was using.');
      } else if (owner_after !== me) {
        note(judge, `struct_mutex was free when ${by} called the shrinker lock; it answered ${state_text(st)} but the lock is held by ${who(owner_after)}: ` +
          'the shrinker would walk and unbind objects without holding the lock that protects their lists.');
      } else if (!st.unlock) {
        note(judge, `the shrinker lock took a free struct_mutex for ${by} and answered ${state_text(st)}: ` +
          'nobody will ever release the lock it took (the next mutex_lock() on it blocks for ever).');
      }
    } else if (owner_before === me) {
      if (!st.locked) {
        note(judge, `${by} already held struct_mutex (an outer frame took it: a GEM ioctl before allocating, or scan before calling i915_gem_shrink()) and the shrinker lock answered ${state_text(st)}: ` +
          "the task that holds the lock can then never shrink i915's buffers, however many there are, and reclaim ends at the OOM killer (\"users' oom\").");
      } else if (st.unlock) {
        note(judge, `${by} already held struct_mutex (an outer frame took it) and the shrinker lock answered ${state_text(st)}: ` +
          "the shrinker would release the outer frame's lock, which goes on as if it still held it.");
      }
      if (owner_after !== me) {
        note(judge, `${by} already held struct_mutex, and after the shrinker lock returned it was held by ${who(owner_after)}: ` +
          "the lock call released the outer frame's lock.");
      }
    } else {
      if (st.locked) {
        note(judge, `while ${who(owner_before)} held struct_mutex, the shrinker lock answered ${state_text(st)} to ${by}: ` +
          'the shrinker would walk and unbind objects whose lists another task is changing ' +
          '(the kernel asks the lock who owns it: held by me, held by someone else, and free are three different answers).');
      } else if (st.unlock) {
        note(judge, `while ${who(owner_before)} held struct_mutex, the shrinker lock answered ${state_text(st)} to ${by}: ` +
          'the caller would release a lock that another task holds.');
      }
      if (owner_after !== owner_before && owner_after === me) {
        note(judge, `while ${who(owner_before)} held struct_mutex, ${by} came out of the shrinker lock owning it: it waited for the holder.`);
      }
    }
    return st;
  };
  return { lock: wrapped, judge };
}

/**
 * judged_unlock - @unlock, wrapped so that every call is checked: with
 * unlock = true the caller's hold on struct_mutex ends (the lock is free, or
 * handed to its first waiter); with unlock = false the outer frame still
 * holds it and the owner word is untouched; either way, no sleep.
 */
export function judged_unlock(unlock: shrinker_unlock_fn): { unlock: shrinker_unlock_fn; judge: contract_judge } {
  const judge = new_judge();
  if (unlock === model_shrinker_unlock) note(judge, REEXPORT('i915_gem_shrinker_unlock'));
  const wrapped: shrinker_unlock_fn = async (i915, should_unlock) => {
    const me = current;
    const word_before = atomic_long_read(i915.struct_mutex.owner);
    const owner_before = __mutex_owner(i915.struct_mutex);
    judge.in_flight.set(me, `the shrinker unlock (unlock = ${should_unlock}), called by ${caller_text(me)},`);
    const m = await measure_call(() => unlock(i915, should_unlock));
    judge.in_flight.delete(me);
    const word_after = atomic_long_read(i915.struct_mutex.owner);
    const owner_after = __mutex_owner(i915.struct_mutex);
    judge.calls++;
    const by = caller_text(me);
    if (m.slept > 0 || m.stalled_jiffies > 0) {
      note(judge, `the shrinker unlock (unlock = ${should_unlock}), called by ${by}, slept ${m.slept} time(s) and returned after ${m.stalled_jiffies} jiffies: ` +
        'releasing a mutex never waits, and a shrinker called from reclaim must not wait for anything (a grace period, a worker) on its way out.');
    }
    if (owner_before !== me) return; // not a state the v4.11 lock call leaves: judged by the lock's own checks
    if (should_unlock && owner_after === me) {
      note(judge, `the shrinker lock took struct_mutex for ${by} (MUTEX_TRYLOCK_SUCCESS, unlock = true), and after the shrinker unlock ${by} still held it: ` +
        'a lock taken must be released, or the next mutex_lock() on it blocks for ever.');
    }
    if (!should_unlock && (owner_after !== me || (word_after & MUTEX_FLAGS) !== (word_before & MUTEX_FLAGS))) {
      note(judge, `${by} held struct_mutex from an outer frame (MUTEX_TRYLOCK_RECURSIVE, unlock = false), and the shrinker unlock ` +
        `${owner_after !== me ? `left it held by ${who(owner_after)}` : 'changed its owner word'}: ` +
        "the lock belongs to the frame that took it, which goes on as if it still held it.");
    }
  };
  return { unlock: wrapped, judge };
}
