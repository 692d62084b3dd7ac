// Small generated programs for the explorer's partial-order reduction
// tests: two or three tasks over mutexes, completions, a work item, RCU
// (readers, synchronize_rcu, call_rcu) and shared variables, each a short
// list of operations. The shared variables
// are cells that tag their reads and writes (kernel/footprint.ts), so
// scenarios built from them may say footprint: 'tagged'.
import fc from 'fast-check';
import { footprint_add, footprint_new, footprint_read, footprint_read_range, footprint_write } from '../../kernel/footprint';
import { user_task } from '../../kernel/fork';
import { mutex_init, mutex_lock, mutex_unlock, type mutex } from '../../kernel/locking/mutex';
import { down_read, down_write, init_rwsem, up_read, up_write } from '../../kernel/locking/rwsem';
import { WARN } from '../../kernel/panic';
import { complete, init_completion, wait_for_completion, type completion } from '../../kernel/sched/completion';
import { cond_resched, schedule, set_current_state, wake_up_process } from '../../kernel/sched/core';
import { TASK_RUNNING, TASK_UNINTERRUPTIBLE, type task_struct } from '../../kernel/sched/task';
import { jiffies } from '../../kernel/time/timekeeping';
import { flush_work, INIT_WORK, schedule_work, type work_struct } from '../../kernel/workqueue';
import { rcu_head, rcu_read_lock, rcu_read_unlock } from '../../kernel/rcu/rcupdate';
import { call_rcu } from '../../kernel/rcu/tree';
import { synchronize_rcu } from '../../kernel/rcu/update';
import type { scenario } from '../../explorer/scenario';

/** A shared variable whose accesses tag themselves, like a kernel object's. */
class cell {
  private v = 0;
  constructor() {
    footprint_new(this);
  }
  get(): number {
    footprint_read(this);
    return this.v;
  }
  set(x: number): void {
    footprint_write(this);
    this.v = x;
  }
  /** Add without reading, as atomic_add() does. */
  add(x: number): void {
    footprint_add(this);
    this.v += x;
  }
}

/**
 * A counter as the zone's free pages are one: adds with their delta, and
 * tests of "above a threshold" that tag only the answer (a range read), so
 * the reduction may commute an add with a test it cannot change.
 */
class counter {
  private v = 2;
  /** @range_reads false: the tests tag a plain read (every add conflicts with them), to measure what range reads save. */
  constructor(private readonly range_reads: boolean) {
    footprint_new(this);
  }
  add(d: number): void {
    footprint_add(this, d);
    this.v += d;
  }
  above(t: number): boolean {
    const ok = this.v > t;
    if (!this.range_reads) footprint_read(this);
    else if (ok) footprint_read_range(this, this.v, t + 1, Infinity);
    else footprint_read_range(this, this.v, -Infinity, t);
    return ok;
  }
  /** The final state (read by check() after the run, outside every step). */
  value(): number {
    return this.v;
  }
}

export type op =
  | { op: 'count'; d: number }
  | { op: 'take_above'; k: number }
  | { op: 'warn_above'; k: number }
  | { op: 'inc'; v: number }
  | { op: 'add'; v: number }
  | { op: 'set'; v: number; k: number }
  | { op: 'warn_if'; v: number; k: number }
  | { op: 'yield' }
  | { op: 'locked'; m: number; body: op[] }
  | { op: 'complete'; c: number }
  | { op: 'wait'; c: number }
  | { op: 'work' }
  | { op: 'flush' }
  | { op: 'rcu_read'; body: op[] }
  | { op: 'sync_rcu' }
  | { op: 'call_rcu'; v: number }
  | { op: 'read_locked'; body: op[] }
  | { op: 'write_locked'; body: op[] };

export interface program {
  tasks: op[][];
}

const VARS = ['a', 'b'];
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'];

const simple: fc.Arbitrary<op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('inc' as const), v: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), v: fc.integer({ min: 0, max: 1 }), k: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('warn_if' as const), v: fc.integer({ min: 0, max: 1 }), k: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.constant({ op: 'yield' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('complete' as const), c: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wait' as const), c: fc.constant(0) }) },
);

const any_op: fc.Arbitrary<op> = fc.oneof(
  { weight: 5, arbitrary: simple },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('locked' as const), m: fc.integer({ min: 0, max: 1 }), body: fc.array(simple, { minLength: 0, maxLength: 2 }) }) },
);

/** Variable accesses only: what a reader may do without sleeping. */
const access: fc.Arbitrary<op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('inc' as const), v: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), v: fc.integer({ min: 0, max: 1 }), k: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('warn_if' as const), v: fc.integer({ min: 0, max: 1 }), k: fc.integer({ min: 0, max: 3 }) }) },
);

/** RCU: a reader over a few accesses, a grace period waited for, a callback that adds 10 to a variable. */
const rcu_op: fc.Arbitrary<op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rcu_read' as const), body: fc.array(access, { minLength: 0, maxLength: 2 }) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'sync_rcu' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('call_rcu' as const), v: fc.integer({ min: 0, max: 1 }) }) },
);

/**
 * Programs of 2-3 tasks; @with_work lets operations queue and flush a work
 * item (the workqueues are tagged as a whole, FP_WORKQUEUE); @with_rcu adds
 * RCU readers, synchronize_rcu() and call_rcu() (tagged by RCU's grace
 * period, callback lists and readers).
 */
/** Sections under one rwsem: readers (variable accesses and yields) and writers. */
const rwsem_op: fc.Arbitrary<op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('read_locked' as const), body: fc.array(fc.oneof(access, fc.constant({ op: 'yield' as const })), { minLength: 0, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('write_locked' as const), body: fc.array(access, { minLength: 0, maxLength: 1 }) }) },
);

/** Counter operations: adds of +1, +2 or -1, a take of one when above k (test and add in one step), a WARN when above k. */
const counter_op: fc.Arbitrary<op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('count' as const), d: fc.constantFrom(1, 2, -1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('take_above' as const), k: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('warn_above' as const), k: fc.integer({ min: 1, max: 4 }) }) },
);

export function program_arb(with_work: boolean, with_rcu = false, with_adds = false, with_rwsem = false, with_counter = false): fc.Arbitrary<program> {
  let one: fc.Arbitrary<op> = any_op;
  if (with_counter) one = fc.oneof({ weight: 2, arbitrary: one }, { weight: 3, arbitrary: counter_op });
  if (with_rwsem) one = fc.oneof({ weight: 2, arbitrary: one }, { weight: 3, arbitrary: rwsem_op });
  if (with_adds) one = fc.oneof({ weight: 2, arbitrary: one }, { weight: 1, arbitrary: fc.record({ op: fc.constant('add' as const), v: fc.integer({ min: 0, max: 1 }) }) });
  if (with_work) one = fc.oneof({ weight: 8, arbitrary: one }, { weight: 2, arbitrary: fc.constant({ op: 'work' as const }) }, { weight: 1, arbitrary: fc.constant({ op: 'flush' as const }) });
  if (with_rcu) one = fc.oneof({ weight: 3, arbitrary: one }, { weight: 2, arbitrary: rcu_op });
  const task = fc.array(one, { minLength: 1, maxLength: 3 });
  return fc.record({ tasks: fc.array(task, { minLength: 2, maxLength: 3 }) });
}

/** Schedule points a task's ops make (a rough size of its interleavings). */
export function schedule_points(ops: readonly op[]): number {
  let n = 0;
  for (const o of ops) {
    if (o.op === 'yield' || o.op === 'wait' || o.op === 'sync_rcu' || o.op === 'flush') n++;
    if (o.op === 'locked' || o.op === 'read_locked' || o.op === 'write_locked') n += 1 + schedule_points(o.body);
  }
  return n;
}

export function describe_program(p: program): string {
  const one = (o: op): string => {
    switch (o.op) {
      case 'inc':
        return `${VARS[o.v]}++`;
      case 'add':
        return `atomic_add(1, ${VARS[o.v]})`;
      case 'count':
        return `n += ${o.d}`;
      case 'take_above':
        return `if (n > ${o.k}) n--`;
      case 'warn_above':
        return `WARN(n > ${o.k})`;
      case 'set':
        return `${VARS[o.v]}=${o.k}`;
      case 'warn_if':
        return `WARN(${VARS[o.v]}==${o.k})`;
      case 'yield':
        return 'cond_resched()';
      case 'locked':
        return `lock(m${o.m}){${o.body.map(one).join('; ')}}`;
      case 'complete':
        return `complete(c${o.c})`;
      case 'wait':
        return `wait(c${o.c})`;
      case 'work':
        return 'schedule_work(w)';
      case 'flush':
        return 'flush_work(w)';
      case 'read_locked':
        return `down_read(s){${o.body.map(one).join('; ')}}`;
      case 'write_locked':
        return `down_write(s){${o.body.map(one).join('; ')}}`;
      case 'rcu_read':
        return `rcu_read{${o.body.map(one).join('; ')}}`;
      case 'sync_rcu':
        return 'synchronize_rcu()';
      case 'call_rcu':
        return `call_rcu(${VARS[o.v]}+=10)`;
    }
  };
  return p.tasks.map((t, i) => `t${i}: ${t.map(one).join('; ')}`).join(' | ');
}

/**
 * program_scenario - the scenario running @p; each finished run's final
 * state (the variables, the counter, how each task ended, the completion's
 * count) is added to @final_states. @counter_range_reads false: the
 * counter's tests tag plain reads instead of range reads.
 */
export function program_scenario(id: string, p: program, tagged: boolean, final_states: Set<string>, lockdep = true, counter_range_reads = true): scenario {
  let state: { vars: cell[]; n: counter; warned: () => number; done: completion[]; tasks: Array<{ exit_state: string }> } | null = null;
  return {
    id,
    ...(tagged ? { footprint: 'tagged' as const } : {}),
    ...(lockdep ? {} : { params: { lockdep: false } }),
    setup() {
      const sem = init_rwsem('s');
      const vars = VARS.map(() => new cell());
      const n = new counter(counter_range_reads);
      let warned = 0;
      const locks: mutex[] = [mutex_init('m0'), mutex_init('m1')];
      const done = [init_completion('c0')];
      const work: work_struct = INIT_WORK({} as work_struct, async () => vars[0]!.set(vars[0]!.get() + 1), 'w');
      const run = async (o: op): Promise<void> => {
        switch (o.op) {
          case 'inc':
            vars[o.v]!.set(vars[o.v]!.get() + 1);
            return;
          case 'add':
            vars[o.v]!.add(1);
            return;
          case 'count':
            n.add(o.d);
            return;
          case 'take_above':
            if (n.above(o.k)) n.add(-1);
            return;
          case 'warn_above':
            if (WARN(n.above(o.k), `program: n is above ${WORDS[o.k]}`, `n > ${WORDS[o.k]}`)) warned++;
            return;
          case 'set':
            vars[o.v]!.set(o.k);
            return;
          case 'warn_if': {
            const x = vars[o.v]!.get();
            WARN(x === o.k, `program: ${VARS[o.v]} is ${WORDS[o.k]}`, `${VARS[o.v]} == ${WORDS[o.k]}`);
            return;
          }
          case 'yield':
            await cond_resched();
            return;
          case 'locked':
            await mutex_lock(locks[o.m]!);
            for (const b of o.body) await run(b);
            mutex_unlock(locks[o.m]!);
            return;
          case 'complete':
            complete(done[o.c]!);
            return;
          case 'wait':
            await wait_for_completion(done[o.c]!);
            return;
          case 'work':
            schedule_work(work);
            return;
          case 'flush':
            await flush_work(work);
            return;
          case 'read_locked':
            await down_read(sem);
            for (const b of o.body) await run(b);
            up_read(sem);
            return;
          case 'write_locked':
            await down_write(sem);
            for (const b of o.body) await run(b);
            up_write(sem);
            return;
          case 'rcu_read':
            rcu_read_lock();
            for (const b of o.body) await run(b);
            rcu_read_unlock();
            return;
          case 'sync_rcu':
            await synchronize_rcu();
            return;
          case 'call_rcu': {
            const v = vars[o.v]!;
            call_rcu(new rcu_head(), () => v.set(v.get() + 10));
            return;
          }
        }
      };
      const tasks = p.tasks.map((ops, i) =>
        user_task(async () => {
          for (const o of ops) await run(o);
        }, `t${i}`),
      );
      state = { vars, n, warned: () => warned, done, tasks };
    },
    check() {
      const s = state!;
      final_states.add(`${s.vars.map((v) => v.get()).join(',')} n=${s.n.value()} warned=${s.warned()} / ${s.tasks.map((t) => t.exit_state).join(',')} / c0=${s.done[0]!.done}`);
      return null;
    },
  };
}

/**
 * jiffy_program - a task runs @spin steps alone, then starts two readers;
 * each of the three reads jiffies() into a cell between schedule points.
 * With @spin near a multiple of 1000 steps the clock ticks among the
 * interleaved steps, so which step sees the new jiffies value depends on the
 * order (kernel/footprint.ts's tick rule).
 */
export function jiffy_program(spin: number, final_states: Set<string>): scenario {
  let cells: cell[] = [];
  return {
    id: `jiffy-${spin}`,
    footprint: 'tagged',
    setup() {
      const seen = [new cell(), new cell(), new cell()];
      cells = seen;
      user_task(async () => {
        for (let i = 0; i < spin; i++) await cond_resched();
        for (const k of [1, 2]) {
          user_task(async () => {
            seen[k]!.set(jiffies());
            await cond_resched();
            seen[k]!.set(jiffies() * 10 + seen[k]!.get());
          }, `reader${k}`);
        }
        await cond_resched();
        seen[0]!.set(jiffies());
      }, 'spinner');
    },
    check() {
      final_states.add(cells.map((c) => c.get()).join(','));
      return null;
    },
  };
}

/**
 * tagged_lost_wakeup - the lost wake-up on a tagged flag: the waiter tests
 * the flag, and (buggy) only after a schedule point sets its state and
 * sleeps; the waker sets the flag and calls wake_up_process(). Only the
 * wake-up's own tag (it writes the woken task) orders it against the
 * waiter's going to sleep. Fixed: the state is set before the test.
 */
export function tagged_lost_wakeup(fixed: boolean, final_states: Set<string>): scenario {
  let flag: cell | null = null;
  return {
    id: fixed ? 'tagged-lost-wakeup-fixed' : 'tagged-lost-wakeup',
    footprint: 'tagged',
    setup() {
      const f = new cell();
      flag = f;
      let waiter: task_struct | null = null;
      waiter = user_task(async () => {
        if (fixed) set_current_state(TASK_UNINTERRUPTIBLE);
        if (f.get() === 0) {
          await cond_resched();
          set_current_state(TASK_UNINTERRUPTIBLE);
          if (fixed && f.get() !== 0) set_current_state(TASK_RUNNING);
          await schedule({ describe: () => 'flag', holder: () => null });
        }
        set_current_state(TASK_RUNNING);
        f.set(f.get() + 10);
      }, 'waiter');
      user_task(async () => {
        await cond_resched();
        f.set(1);
        wake_up_process(waiter!);
      }, 'waker');
    },
    check() {
      final_states.add(String(flag!.get()));
      return null;
    },
  };
}
