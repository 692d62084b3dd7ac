// The graded checks of exercise 04 (read the owner word right).
// Each check runs your mutex_trylock_recursive on the kernel model: once
// inside the i915 shrinker under every schedule within the bound, and on
// owner words crafted to carry each flag combination the mutex code produces.
import { define_checks, fail, pass, type check_outcome, type exercise_impl } from '../course/checks';
import { dmesg_tail, first_report, no_failures, run_in_gem_world } from '../course/check_helpers';
import { kthread_run } from '../kernel/kthread';
import { atomic_long_read, atomic_long_set } from '../kernel/lib/atomic';
import { lockdep_is_held } from '../kernel/locking/lockdep';
import {
  __mutex_owner,
  MUTEX_FLAG_HANDOFF,
  MUTEX_FLAG_PICKUP,
  MUTEX_FLAG_WAITERS,
  mutex_lock,
  MUTEX_TRYLOCK_FAILED,
  MUTEX_TRYLOCK_RECURSIVE,
  MUTEX_TRYLOCK_SUCCESS,
  mutex_unlock,
  type mutex,
} from '../kernel/locking/mutex';
import { current, msleep } from '../kernel/sched/core';
import { waiter_while_holder_allocates, type trylock_recursive_fn } from '../scenarios/owner_word';

const fn_of = (impl: exercise_impl): trylock_recursive_fn => impl.mutex_trylock_recursive as trylock_recursive_fn;

const NAMES: Record<number, string> = { 0: 'MUTEX_TRYLOCK_FAILED', 1: 'MUTEX_TRYLOCK_SUCCESS', 2: 'MUTEX_TRYLOCK_RECURSIVE' };
function answer(r: unknown): string {
  if (r instanceof Promise) return 'a Promise (mutex_trylock_recursive must not sleep: make it a plain function)';
  return typeof r === 'number' && NAMES[r] ? `${NAMES[r]} (${r})` : String(r);
}

/**
 * The flag combinations the v4.11 mutex code really leaves in the word of a
 * locked mutex, with how each comes about.
 */
const FLAG_CASES: ReadonlyArray<[number, string]> = [
  [0, 'no flags: nobody waits'],
  [MUTEX_FLAG_WAITERS, 'WAITERS: another task is queued on the lock'],
  [MUTEX_FLAG_WAITERS | MUTEX_FLAG_HANDOFF, 'WAITERS|HANDOFF: the first waiter was woken, found the lock taken, and asked for a handoff'],
  [MUTEX_FLAG_WAITERS | MUTEX_FLAG_PICKUP, 'WAITERS|PICKUP: the lock was handed to the owner named in the word, more waiters queued'],
  [MUTEX_FLAG_PICKUP, 'PICKUP: the lock was handed to the owner named in the word, nobody else waits'],
];

const hex = (x: number): string => '0x' + x.toString(16);

interface probe {
  flags: number;
  why: string;
  word: number;
  got: unknown;
  after: number;
}

/**
 * probe_words - with @lock's word set to base | flags for each case, call
 * @fn and record its answer and the word it left; restore the word after
 * each call (the crafted flags have no waiters behind them).
 */
function probe_words(fn: trylock_recursive_fn, lock: mutex, base: number): probe[] {
  const out: probe[] = [];
  for (const [flags, why] of FLAG_CASES) {
    const word = base | flags;
    atomic_long_set(lock.owner, word);
    let got: unknown;
    try {
      got = fn(lock);
    } finally {
      const after = atomic_long_read(lock.owner);
      atomic_long_set(lock.owner, base);
      out.push({ flags, why, word, got, after });
    }
  }
  return out;
}

/** The first problem among @probes, as a sentence, or null. */
function first_wrong(probes: probe[], want: number, who: string): string | null {
  for (const p of probes) {
    if (p.got !== want) {
      return `with ${who} owning struct_mutex and the owner word ${hex(p.word)} (${p.why}), ` +
        `mutex_trylock_recursive returned ${answer(p.got)}; it must return ${answer(want)}.`;
    }
    if (p.after !== p.word) {
      return `with the owner word ${hex(p.word)} (${p.why}), mutex_trylock_recursive changed the word to ${hex(p.after)}: ` +
        'a lock that is already owned must be left alone.';
    }
  }
  return null;
}

const BAD_KINDS = ['deadlock', 'lockdep', 'bug', 'warn', 'forgotten_await', 'step_limit'] as const;

function verdict(result: Parameters<typeof dmesg_tail>[0], problem: string | null | undefined, ok: string): check_outcome {
  if (problem === undefined) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
  if (problem) return fail(problem);
  const bad = first_report(result, [...BAD_KINDS]);
  if (bad) return fail(`the kernel complained: ${bad}${dmesg_tail(result)}`);
  return pass(ok);
}

export default define_checks({
  exercise: '04-owner-word',
  exports: { mutex_trylock_recursive: 'function mutex_trylock_recursive(lock: mutex): number' },
  checks: [
    {
      id: 'no-oom-when-waiter-queued',
      name: 'never reaches the OOM killer when another task waits for struct_mutex while its holder allocates',
      run: (impl) => no_failures(waiter_while_holder_allocates('ex04-waiter-queued', fn_of(impl))),
    },
    {
      id: 'recursive-whatever-flags',
      name: 'returns RECURSIVE to the owner whatever flag bits the owner word carries, and leaves the word alone',
      async run(impl) {
        const fn = fn_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12' }, async (w) => {
          const lock = w.i915.struct_mutex;
          await mutex_lock(lock); // as the GEM ioctl does before it allocates
          const probes = probe_words(fn, lock, atomic_long_read(lock.owner));
          mutex_unlock(lock);
          return first_wrong(probes, MUTEX_TRYLOCK_RECURSIVE, `the calling task (${current.comm})`);
        });
        return verdict(result, value, `RECURSIVE for every flag combination (${FLAG_CASES.map(([f]) => hex(f)).join(', ')})`);
      },
    },
    {
      id: 'failed-for-other-owner',
      name: 'returns FAILED, and takes nothing, while another task owns struct_mutex, whatever the flag bits',
      async run(impl) {
        const fn = fn_of(impl);
        const { result, value } = await run_in_gem_world(
          { release: '4.12' },
          async (w) => {
            await msleep(1); // the other task takes the lock first
            const lock = w.i915.struct_mutex;
            const owner = __mutex_owner(lock);
            if (!owner || owner === current) return 'check setup: the other task should own struct_mutex by now';
            const probes = probe_words(fn, lock, atomic_long_read(lock.owner));
            return first_wrong(probes, MUTEX_TRYLOCK_FAILED, `another task (${owner.comm})`);
          },
          (w) => {
            kthread_run(async () => {
              await mutex_lock(w.i915.struct_mutex);
              await msleep(100); // e.g. waiting for the GPU with the lock held
              mutex_unlock(w.i915.struct_mutex);
            }, 'i915_retire');
          },
        );
        return verdict(result, value, 'FAILED for every flag combination, word untouched');
      },
    },
    {
      id: 'success-takes-lock',
      name: 'returns SUCCESS only by taking a free struct_mutex with mutex_trylock (owner word and lockdep agree)',
      async run(impl) {
        const fn = fn_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12' }, async (w) => {
          const lock = w.i915.struct_mutex;
          const got: unknown = fn(lock);
          const owned = __mutex_owner(lock) === current;
          const held = lockdep_is_held(lock);
          if (owned) mutex_unlock(lock);
          if (got !== MUTEX_TRYLOCK_SUCCESS) return `with struct_mutex free, mutex_trylock_recursive returned ${answer(got)}; it must take the lock and return ${answer(MUTEX_TRYLOCK_SUCCESS)}.`;
          if (!owned) return 'mutex_trylock_recursive returned SUCCESS, but the owner word does not name the caller: the lock was never taken, and the caller will unlock a mutex it does not hold.';
          if (!held) return 'mutex_trylock_recursive returned SUCCESS and the owner word names the caller, but lockdep does not know: take the lock with mutex_trylock(), not by writing the word.';
          return null;
        });
        return verdict(result, value, 'took the free lock and said SUCCESS');
      },
    },
  ],
});
