// Models: include/linux/atomic.h and include/asm-generic/atomic-long.h, v4.11.
// The model runs one task at a time and never between two statements of a
// task, so every operation here is trivially atomic. They exist so that model
// code reads like kernel code, and so that "read the word once" is visible:
// atomic_long_read() is the model's READ_ONCE() of a long
// (Documentation/atomic_t.txt: the non-RMW ops are READ_ONCE/WRITE_ONCE).
//
// Another CPU: on SMP, code running on another CPU needs no schedule point
// to touch a shared atomic; its atomic ops land *between* any two of this
// CPU's (each op is indivisible, the sequence of two is not). A check can
// put such a CPU on one atomic_long_t (model_other_cpu_at_atomic): its
// callback runs just before each op on that word, and may itself do atomic
// ops on it, as the other CPU's code would at that moment. A check may put it
// just *after* each op instead (when = 'after'): what the other CPU does
// between this CPU's read of the word and whatever this CPU does next with
// the value it read (on a CONFIG_PREEMPT kernel the reader may even be
// preempted there, kernel/exit.ts model_other_cpu_owner_exits).
//
// Plain access: atomic_t and atomic_long_t keep their value where only the
// operations below reach it. `.counter` is still there, as in C, but a read
// or write of it from outside these operations is a plain access to a word
// other CPUs change with atomic ops: a data race (Documentation/atomic_t.txt:
// the non-RMW ops are READ_ONCE()/WRITE_ONCE(); Documentation/memory-barriers.txt:
// a plain load may be torn, fused or repeated by the compiler). It also
// bypasses everything the model attaches to an op (the other CPU, the
// explorer's footprint), so a plain `x.counter++` would look atomic here when
// it is not on SMP. The model reports it the way a race-detecting kernel
// does, "BUG: KCSAN: data-race" (KCSAN came in v5.8: it reports and goes on;
// the model also stops the task, so no check can miss it), and a checker that
// must look at the value uses model_checker_read().
import { register_initcall } from '../init/initcall';
import { footprint_add, footprint_read, footprint_write } from '../footprint';
import { report, KernelOops } from '../panic';

/** The value behind an atomic, for this file's operations only. */
let raw_long: (v: atomic_long_t) => number;
let set_raw_long: (v: atomic_long_t, n: number) => void;
let raw_int: (v: atomic_t) => number;
let set_raw_int: (v: atomic_t, n: number) => void;

/** Depth of the other CPU's hooks running: the check's code, allowed to look at the word plainly. */
let in_other_cpu = 0;

/**
 * plain_access - a read or write of an atomic's `.counter` outside the atomic
 * operations: report it as the data race it is and stop the task. Inside a
 * check's other-CPU hook the access is the check's own and is allowed.
 */
function plain_access(type: string, is_write: boolean): void {
  if (in_other_cpu > 0) return;
  const op = is_write ? 'write' : 'read';
  const api = type === 'atomic_t' ? (is_write ? 'atomic_set()/atomic_inc()/...' : 'atomic_read()') : is_write ? 'atomic_long_set()/atomic_long_xchg()/...' : 'atomic_long_read()';
  const title = `KCSAN: data-race: plain ${op} of an ${type}`;
  report('bug', title, [
    '==================================================================',
    `BUG: ${title}`,
    '',
    `plain ${op} of ${type}.counter: another CPU may change the word at any moment with an atomic op,`,
    `and a plain access may be torn, fused or repeated by the compiler. Use ${api}.`,
    '==================================================================',
  ]);
  throw new KernelOops(title);
}

export class atomic_long_t {
  #counter: number;
  constructor(counter = 0) {
    this.#counter = counter;
    // No field can be added (grader red team 13 #14 kept a counter on the shrinker's nr_deferred[0]).
    Object.seal(this);
  }
  /** A plain access (see the top of this file): use atomic_long_read() and friends. */
  get counter(): number {
    plain_access('atomic_long_t', false);
    return this.#counter;
  }
  set counter(n: number) {
    plain_access('atomic_long_t', true);
    this.#counter = n;
  }
  static {
    raw_long = (v) => v.#counter;
    set_raw_long = (v, n) => {
      v.#counter = n;
      write_watched(v, n);
    };
  }
}

/** The other CPU's hook on one word: called before each atomic op on it, with the op's name and its index (0, 1, ...). */
export type other_cpu_hook = (v: atomic_long_t, op: string, index: number) => void;
let other_cpu: { v: atomic_long_t; hook: other_cpu_hook; ops: number; running: boolean; when: 'before' | 'after' } | null = null;

register_initcall('core', 'lib_atomic', () => {
  other_cpu = null;
  op_watch = null;
  write_watch = null;
  in_other_cpu = 0;
});

/**
 * model_other_cpu_at_atomic - from now on, before (or, with @when 'after',
 * just after) each atomic op on @v (by any task of this run, not by @hook
 * itself), call @hook: what another CPU does at that moment. null: no other
 * CPU. Reset at every boot.
 */
export function model_other_cpu_at_atomic(v: atomic_long_t | null, hook?: other_cpu_hook, when: 'before' | 'after' = 'before'): void {
  other_cpu = v && hook ? { v, hook, ops: 0, running: false, when } : null;
}

/** (model) A count of the atomic ops made on one watched word (model_watch_atomic_ops). */
export interface atomic_op_watch {
  readonly v: atomic_long_t;
  ops: number;
}
let op_watch: atomic_op_watch | null = null;

/**
 * model_watch_atomic_ops - from now on count every atomic op on @v (null:
 * stop); returns the new watch and the one it replaces, so that nested
 * watches can put the outer one back. How a check measures a busy wait: a
 * loop of trylocks or reads of a lock word costs nothing in the model's time
 * (no schedule point, no jiffy), but each pass is an atomic op on the word.
 * Not a kernel API; reset at every boot.
 */
export function model_watch_atomic_ops(v: atomic_long_t | null): { watch: atomic_op_watch | null; previous: atomic_op_watch | null } {
  const previous = op_watch;
  op_watch = v ? { v, ops: 0 } : null;
  return { watch: op_watch, previous };
}

/** model_restore_atomic_watch - put back the watch model_watch_atomic_ops() replaced. */
export function model_restore_atomic_watch(previous: atomic_op_watch | null): void {
  op_watch = previous;
}

/** An atomic op on @v is about to run: let the other CPU act first (a no-op unless a check put one on @v). */
function other_cpu_before(v: atomic_long_t, op: string): void {
  if (op_watch !== null && op_watch.v === v) op_watch.ops++;
  if (other_cpu === null || other_cpu.when !== 'before') return;
  other_cpu_acts(v, op);
}

/** An atomic op on @v has run (its value is read): let the other CPU act before this CPU goes on (a no-op unless a check put one after @v's ops). */
function other_cpu_after(v: atomic_long_t, op: string): void {
  if (other_cpu === null || other_cpu.when !== 'after') return;
  other_cpu_acts(v, op);
}

function other_cpu_acts(v: atomic_long_t, op: string): void {
  if (other_cpu === null || other_cpu.v !== v || other_cpu.running) return;
  other_cpu.running = true;
  in_other_cpu++;
  try {
    other_cpu.hook(v, op, other_cpu.ops++);
  } finally {
    in_other_cpu--;
    other_cpu.running = false;
  }
}

/** (model) A checker's watch on the writes to one word (model_watch_atomic_writes). */
let write_watch: { v: atomic_long_t; on_write: (n: number) => void } | null = null;

function write_watched(v: atomic_long_t, n: number): void {
  if (write_watch !== null && write_watch.v === v) write_watch.on_write(n);
}

/**
 * model_watch_atomic_writes - from now until the returned stop() is called,
 * call @on_write with the new value after every atomic op that writes @v
 * (by any task). The checker's instrument on a lock word: a release and a
 * re-take inside a call leave the word as it was, but not this record. Not a
 * kernel API; one watch at a time, reset at every boot.
 */
export function model_watch_atomic_writes(v: atomic_long_t, on_write: (n: number) => void): { stop(): void } {
  const previous = write_watch;
  const mine = { v, on_write };
  write_watch = mine;
  return {
    stop() {
      if (write_watch === mine) write_watch = previous;
    },
  };
}

export class atomic_t {
  #counter: number;
  constructor(counter = 0) {
    this.#counter = counter;
    Object.seal(this); // as atomic_long_t
  }
  /** A plain access (see the top of this file): use atomic_read() and friends. */
  get counter(): number {
    plain_access('atomic_t', false);
    return this.#counter;
  }
  set counter(n: number) {
    plain_access('atomic_t', true);
    this.#counter = n;
  }
  static {
    raw_int = (v) => v.#counter;
    set_raw_int = (v, n) => {
      v.#counter = n;
    };
  }
}

export function ATOMIC_LONG_INIT(i: number): atomic_long_t {
  return new atomic_long_t(i);
}
export function ATOMIC_INIT(i: number): atomic_t {
  return new atomic_t(i);
}

/**
 * model_checker_read - the checker's look at @v (a WARNING's test of who
 * holds a lock while it watches code walk a list): the value, with the same
 * footprint as a read (the explorer orders it as before), but not an op of
 * the CPU under watch: no other CPU acts before or after it
 * (model_other_cpu_at_atomic) and model_watch_atomic_ops does not count it.
 * A race indexed by op number then lands on the watched code's own ops.
 */
export function model_checker_read(v: atomic_long_t | atomic_t): number {
  footprint_read(v);
  return v instanceof atomic_t ? raw_int(v) : raw_long(v);
}

export function atomic_long_read(v: atomic_long_t): number {
  other_cpu_before(v, 'atomic_long_read');
  footprint_read(v);
  const r = raw_long(v);
  other_cpu_after(v, 'atomic_long_read');
  return r;
}
export function atomic_long_set(v: atomic_long_t, i: number): void {
  other_cpu_before(v, 'atomic_long_set');
  footprint_write(v);
  set_raw_long(v, i);
  other_cpu_after(v, 'atomic_long_set');
}
export function atomic_long_add(i: number, v: atomic_long_t): void {
  other_cpu_before(v, 'atomic_long_add');
  footprint_write(v);
  set_raw_long(v, raw_long(v) + i);
  other_cpu_after(v, 'atomic_long_add');
}
export function atomic_long_sub(i: number, v: atomic_long_t): void {
  other_cpu_before(v, 'atomic_long_sub');
  footprint_write(v);
  set_raw_long(v, raw_long(v) - i);
  other_cpu_after(v, 'atomic_long_sub');
}
export function atomic_long_add_return(i: number, v: atomic_long_t): number {
  other_cpu_before(v, 'atomic_long_add_return');
  footprint_write(v);
  const r = raw_long(v) + i;
  set_raw_long(v, r);
  other_cpu_after(v, 'atomic_long_add_return');
  return r;
}
/** atomic_long_xchg - set @v to @n, return the old value. */
export function atomic_long_xchg(v: atomic_long_t, n: number): number {
  other_cpu_before(v, 'atomic_long_xchg');
  footprint_write(v);
  const old = raw_long(v);
  set_raw_long(v, n);
  other_cpu_after(v, 'atomic_long_xchg');
  return old;
}
/** atomic_long_cmpxchg - if @v is @old set it to @n; return what @v was. */
export function atomic_long_cmpxchg(v: atomic_long_t, old: number, n: number): number {
  other_cpu_before(v, 'atomic_long_cmpxchg');
  footprint_write(v);
  const cur = raw_long(v);
  if (cur === old) set_raw_long(v, n);
  other_cpu_after(v, 'atomic_long_cmpxchg');
  return cur;
}
/** atomic_long_cmpxchg_acquire / _release - the same in the model (one task runs at a time, no reordering). */
export const atomic_long_cmpxchg_acquire = atomic_long_cmpxchg;
export const atomic_long_cmpxchg_release = atomic_long_cmpxchg;
export function atomic_long_or(i: number, v: atomic_long_t): void {
  other_cpu_before(v, 'atomic_long_or');
  footprint_write(v);
  set_raw_long(v, raw_long(v) | i);
  other_cpu_after(v, 'atomic_long_or');
}
export function atomic_long_andnot(i: number, v: atomic_long_t): void {
  other_cpu_before(v, 'atomic_long_andnot');
  footprint_write(v);
  set_raw_long(v, raw_long(v) & ~i);
  other_cpu_after(v, 'atomic_long_andnot');
}

export function atomic_read(v: atomic_t): number {
  footprint_read(v);
  return raw_int(v);
}
export function atomic_set(v: atomic_t, i: number): void {
  footprint_write(v);
  set_raw_int(v, i);
}
export function atomic_inc(v: atomic_t): void {
  footprint_add(v);
  set_raw_int(v, raw_int(v) + 1);
}
export function atomic_dec(v: atomic_t): void {
  footprint_add(v);
  set_raw_int(v, raw_int(v) - 1);
}
export function atomic_add(i: number, v: atomic_t): void {
  footprint_add(v);
  set_raw_int(v, raw_int(v) + i);
}
export function atomic_sub(i: number, v: atomic_t): void {
  footprint_add(v);
  set_raw_int(v, raw_int(v) - i);
}
export function atomic_inc_return(v: atomic_t): number {
  footprint_write(v);
  const r = raw_int(v) + 1;
  set_raw_int(v, r);
  return r;
}
export function atomic_dec_and_test(v: atomic_t): boolean {
  footprint_write(v);
  const r = raw_int(v) - 1;
  set_raw_int(v, r);
  return r === 0;
}

/** READ_ONCE - one read of a plain field, for code that mirrors the kernel's. */
export function READ_ONCE<T>(x: T): T {
  return x;
}
