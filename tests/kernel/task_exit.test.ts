// Task exit and the RCU-delayed free of a task_struct (kernel/exit.ts), with
// the other CPU put just after an atomic op (kernel/lib/atomic.ts): what
// exercises 03 and 04 use to show a stale owner pointer read after its owner
// exited (scenarios/stale_owner.ts).
import { describe, expect, it } from 'vitest';
import { model_other_cpu_owner_exits, task_struct_freed } from '../../kernel/exit';
import { kthread_run } from '../../kernel/kthread';
import { atomic_long_read, atomic_long_set, atomic_long_t, model_other_cpu_at_atomic, model_restore_atomic_watch, model_watch_atomic_ops } from '../../kernel/lib/atomic';
import { __mutex_owner, __owner_task, mutex_init, mutex_trylock_recursive, MUTEX_TRYLOCK_SUCCESS, mutex_unlock } from '../../kernel/locking/mutex';
import { rcu_read_lock, rcu_read_unlock } from '../../kernel/rcu/rcupdate';
import { current, for_each_process, schedule, set_current_state } from '../../kernel/sched/core';
import { TASK_UNINTERRUPTIBLE, task_ptr, type task_struct } from '../../kernel/sched/task';
import { run_in_kthread } from './mm_helpers';

/** A task asleep for good (no timer), that stands for code running on another CPU. */
function sleeper(comm: string): task_struct {
  return kthread_run(async () => {
    set_current_state(TASK_UNINTERRUPTIBLE);
    await schedule();
  }, comm);
}

describe('the other CPU just after an atomic op', () => {
  it("acts after the op's value is taken, with the index of the op", async () => {
    const v = new atomic_long_t(5);
    const seen: Array<[string, number, number]> = [];
    let got = -1;
    await run_in_kthread({}, async () => {
      model_other_cpu_at_atomic(v, (w, op, index) => {
        seen.push([op, index, w.counter]);
        atomic_long_set(w, 9); // the other CPU's own op: not raced again
      }, 'after');
      got = atomic_long_read(v);
      model_other_cpu_at_atomic(null);
    });
    expect(got).toBe(5);
    expect(seen).toEqual([['atomic_long_read', 0, 5]]);
  });

  it('a watch counts every atomic op on one word and can be nested', async () => {
    const v = new atomic_long_t(0);
    const counts: number[] = [];
    await run_in_kthread({}, async () => {
      const outer = model_watch_atomic_ops(v);
      atomic_long_read(v);
      const inner = model_watch_atomic_ops(v);
      atomic_long_read(v);
      atomic_long_set(v, 1);
      model_restore_atomic_watch(inner.previous);
      atomic_long_read(v);
      model_restore_atomic_watch(outer.previous);
      atomic_long_read(v);
      counts.push(outer.watch!.ops, inner.watch!.ops);
    });
    expect(counts).toEqual([2, 2]);
  });
});

describe('an owner that exits under a reader', () => {
  it('is unhashed and, with the reader outside RCU, freed: the first read of its task_struct is a KASAN use-after-free', async () => {
    let owner: task_struct | null = null;
    const out: { race?: { exited: boolean; freed: boolean }; same_pointer?: boolean; listed?: boolean; freed?: boolean } = {};
    const r = await run_in_kthread(
      {},
      async () => {
        const lock = mutex_init('demo');
        atomic_long_set(lock.owner, task_ptr(owner!));
        const race = model_other_cpu_owner_exits(lock, owner!, 0, 'reader');
        const p = __mutex_owner(lock); // op #0: the owner exits and is freed just after it
        model_other_cpu_at_atomic(null);
        out.race = race;
        out.same_pointer = p === owner && __owner_task(task_ptr(owner!)) === owner; // the cast still decodes the freed slot
        out.listed = for_each_process().includes(owner!);
        out.freed = task_struct_freed(owner!);
        void p!.pid; // the bad read
        void p!.comm; // reported once per object
      },
      () => {
        owner = sleeper('owner');
      },
    );
    expect(out).toEqual({ race: { exited: true, freed: true }, same_pointer: true, listed: false, freed: true });
    const kasan = r.reports.filter((x) => x.kind === 'kasan');
    expect(kasan).toHaveLength(1);
    expect(kasan[0]!.lines[1]).toMatch(/^BUG: KASAN: use-after-free in reader at addr ffff8800[0-9a-f]{8}$/);
    expect(kasan[0]!.lines[2]).toBe('Read of size 4 by task test/2');
    expect(kasan[0]!.lines.join('\n')).toContain('in cache task_struct');
    // After the run (no task running) the record reads quietly.
    expect(owner!.comm).toBe('owner');
  });

  it('inside rcu_read_lock() the grace period waits: the task_struct stays, and reading it is fine', async () => {
    let owner: task_struct | null = null;
    const out: { race?: { exited: boolean; freed: boolean }; pid?: number } = {};
    const r = await run_in_kthread(
      {},
      async () => {
        const lock = mutex_init('demo');
        atomic_long_set(lock.owner, task_ptr(owner!));
        const race = model_other_cpu_owner_exits(lock, owner!, 0, 'reader');
        rcu_read_lock();
        const p = __mutex_owner(lock);
        out.pid = p?.pid;
        rcu_read_unlock();
        model_other_cpu_at_atomic(null);
        out.race = race;
      },
      () => {
        owner = sleeper('owner');
      },
    );
    expect(out).toEqual({ race: { exited: true, freed: false }, pid: 1 });
    expect(r.reports.filter((x) => x.kind === 'kasan')).toEqual([]);
  });

  it('comparing the pointer with current needs no dereference: the kernel helper reads nothing of the exited owner', async () => {
    let owner: task_struct | null = null;
    let answer = -1;
    const r = await run_in_kthread(
      {},
      async () => {
        const lock = mutex_init('demo');
        atomic_long_set(lock.owner, task_ptr(owner!));
        model_other_cpu_owner_exits(lock, owner!, 0, 'mutex_trylock_recursive');
        answer = mutex_trylock_recursive(lock); // the owner leaves after its read: the trylock then takes the free lock
        model_other_cpu_at_atomic(null);
        if (__mutex_owner(lock) === current) mutex_unlock(lock);
      },
      () => {
        owner = sleeper('owner');
      },
    );
    expect(answer).toBe(MUTEX_TRYLOCK_SUCCESS);
    expect(r.reports.filter((x) => x.kind === 'kasan')).toEqual([]);
  });
});
