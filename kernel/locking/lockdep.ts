// Models: kernel/locking/lockdep.c and include/linux/lockdep.h (lock_acquire,
// lock_release, mark_irqflags, mark_lock, mark_lock_irq, valid_state,
// check_usage_forwards/backwards, check_deadlock, check_prevs_add,
// check_prev_add, check_prev_add_irq, check_noncircular, print_usage_bug,
// print_irq_inversion_bug, print_bad_irq_dependency, print_circular_bug,
// lockdep_print_held_locks, debug_show_all_locks, debug_check_no_locks_held,
// lockdep_trace_alloc, lockdep_set_current_reclaim_state, lock_map_acquire*),
// v4.11 (checked against the v4.11 source); plus, as boot_params().
// lockdep_release '4.14', v4.14's fs_reclaim pseudo-lock (d92a8cfcb37e,
// mm/page_alloc.c) and, optionally, v4.14-rc1's cross-release checks for
// completions (removed again in v4.15 by e966eaeeb623).
//
// What lockdep does. Every lock belongs to a *class* (here: its name, e.g.
// "&dev->struct_mutex"; all struct_mutexes of all devices are one class).
// Whenever a task takes lock B while holding lock A, lockdep records the
// dependency A -> B in one graph shared by the whole boot. A cycle in that
// graph means some interleaving of the tasks that created its edges can
// deadlock, even if this run did not: lockdep *predicts*. It checks at the
// moment an edge is added, with a breadth-first search from the new lock
// back to the held one, and prints "possible circular locking dependency
// detected". Taking a lock whose class is already held is reported at once
// as "possible recursive locking detected".
//
// Reclaim, v4.11 (since cf40bd16fdad, 2009). Lockdep treats "reclaim" like
// an interrupt: a context that can start inside any allocation. Each class
// has usage bits for the state RECLAIM_FS, besides HARDIRQ and SOFTIRQ:
// - RECLAIM_FS-ON-W (-R): the lock was held (for write, for read) across an
//   allocation that may enter FS reclaim: lockdep_trace_alloc(gfp), called
//   by the page and slab allocators, marks every held lock;
// - IN-RECLAIM_FS-W (-R): the lock was taken in reclaim: __perform_reclaim
//   and kswapd call lockdep_set_current_reclaim_state(gfp), and while that
//   gfp has __GFP_FS every lock the task takes (not trylocks) is marked.
// A class with both is "inconsistent lock state" (a lock held across a
// GFP_KERNEL allocation that reclaim takes again: it deadlocks the moment
// reclaim runs in that task, or waits for its holder in another). Usage is
// marked when the lock is acquired, before the chain is validated, so for a
// lock taken recursively in reclaim this is the first report, ahead of
// "possible recursive locking". Two classes joined by a dependency, one
// IN-RECLAIM_FS and one RECLAIM_FS-ON, are reported when the second mark
// or the joining edge appears ("possible irq lock inversion dependency" and
// "RECLAIM_FS-safe -> RECLAIM_FS-unsafe lock order").
// Reclaim, v4.14 (d92a8cfcb37e): the usage bits are gone; reclaim holds a
// pseudo-lock, fs_reclaim, and an allocation that may recurse takes it
// briefly, so the same bug is an ordinary cycle L -> fs_reclaim -> L.
//
// Rules kept from the kernel because exercises depend on them:
// - a trylock never waits, so it adds no edge *to* itself and is not marked
//   IN-RECLAIM_FS; but locks taken later are ordered after it
//   (check_prevs_add walks back over consecutive trylocks to the first
//   non-trylock lock);
// - recursive-read acquisitions (lock_map_acquire_read, read == 2) are
//   checked but their edges are not stored;
// - a chain of held classes that was validated once is not validated again
//   (the chain cache, here a trie of held-lock keys): this is what keeps
//   lock_acquire cheap. Usage marks are checked on every acquisition.
// - after the first report lockdep turns itself off (debug_locks_off()): one
//   splat per boot. Every later lockdep report in that boot is suppressed.
//
// Model choices (say so, they differ from v4.11):
// - after debug_locks_off() the model keeps *tracking* held locks (v4.11
//   stops), so the model's own deadlock report and lockdep_print_held_locks()
//   stay accurate. Only the checks and reports stop (and, as in the kernel,
//   debug_show_all_locks() then says "INFO: lockdep is turned off.").
// - report headers and banner widths are each release's own: v4.11's
//   bracket form "[ INFO: possible circular locking dependency detected ]"
//   (whose "=" line is one shorter than its "-" line), v4.14's "WARNING:
//   ..." form. The report *titles* the model records are the bare phrases,
//   which both forms share. The kernel-ident line is always UTS_RELEASE.
// - the usage string after a class name has v4.11's six characters
//   ("{+.+.?.}": hardirq, softirq and reclaim_fs, each write and read) or
//   v4.14's four. Every lock in the model is taken in process context with
//   interrupts enabled, hence '+' or '.' for the irq pairs; the reclaim pair
//   is '.', '+' (ON), '-' (IN) or '?' (both).
// - no irq-safety checks (no hardirq/softirq lock usage in the model), no
//   irq event stamps, no class keys, no subclasses or nest_lock, no lock
//   statistics, no stack traces: an acquisition site is the caller's name (its "ip"),
//   passed in as a string (or a bracketed function's name, caller_ip below),
//   printed as "at: [<address>] fn+0xoff/0xsize" with a made-up address
//   (kernel/lib/dump_stack.ts print_ip_sym). Where the
//   kernel prints the stack that recorded a dependency or a usage bit, the
//   model prints that site and a "(model)" line naming the task.
// - code running outside any task's own code (timer functions and scheduler
//   hooks between steps) is treated as interrupt context: it gets its own
//   held-lock stack, so it does not borrow the locks of the task that
//   happened to run last.
import { FP_LOCKDEP, footprint_write } from '../footprint';
import { register_initcall } from '../init/initcall';
import { print_ip_sym } from '../lib/dump_stack';
import { boot_params } from '../init/params';
import { format_gfp, __GFP_DIRECT_RECLAIM, __GFP_FS, __GFP_NOMEMALLOC, type gfp_t } from '../mm/gfp';
import { print_tainted, report, UTS_RELEASE, WARN_ON } from '../panic';
import { KERN_WARNING } from '../printk/printk';
import { model_completion_set_lockdep_hooks, type completion, type completion_lockdep_hooks } from '../sched/completion';
import { current, for_each_process, in_task, model_task_sched, register_sched_exit_hook } from '../sched/core';
import { PF_MEMALLOC, TASK_RUNNING, type held_lock, type task_struct } from '../sched/task';
import { debug_locks, debug_locks_off } from './debug_locks';
import { model_task_set } from '../sched/task_fields';

// ---------------------------------------------------------------------------
// Classes, maps and held locks

/** Where a dependency A -> B was first seen: B's acquisition site and the task. */
interface lock_dep {
  ip: string;
  comm: string;
  pid: number;
  /** 'complete': a cross-release edge, B was held when the task completed A. */
  how: 'taken' | 'complete';
}

/** Where a usage bit was first set (the kernel saves a stack trace: usage_traces[bit]). */
interface usage_site {
  ip: string;
  comm: string;
  pid: number;
  /** The model's one-line reason, printed as "(model) ...". */
  why: string;
}

/** struct lock_class: one node of the dependency graph. */
class lock_class {
  /** locks_after: classes taken while this one was held. Insertion order keeps searches deterministic. */
  readonly after = new Map<lock_class, lock_dep>();
  /** locks_before: the same edges seen from the other end (the backwards searches of the usage checks). */
  readonly before = new Map<lock_class, lock_dep>();
  /** Ever taken for write / for read with interrupts on: HARDIRQ-ON-W/R and SOFTIRQ-ON-W/R. */
  used_write = false;
  used_read = false;
  /** The RECLAIM_FS usage bits (v4.11), 1 << LOCK_*_RECLAIM_FS*. */
  usage_mask = 0;
  /** usage_traces: where each usage bit was set (write, read, and the RECLAIM_FS bits). */
  readonly usage_sites = new Map<usage_bit | 'write' | 'read' | 'initial', usage_site>();
  /** ops: acquisitions of this class. */
  ops = 0;
  /** Breadth-first search bookkeeping (like lock_list.parent and dep_gen_id). */
  bfs_gen = 0;
  bfs_parent: lock_class | null = null;
  constructor(
    readonly name: string,
    readonly id: number,
  ) {}
}

/**
 * struct lockdep_map - a lock's lockdep identity. Every lock embeds one
 * (mutex.dep_map); pseudo-locks such as a workqueue's or fs_reclaim are just
 * a map. @name is the class name ("&dev->struct_mutex").
 */
export class lockdep_map {
  constructor(public readonly name: string) {
    Object.freeze(this); // the class is its name: code handed a lock cannot rename it
  }
}

/**
 * model_embed_map - put @map in @owner's @field as C embeds it (a struct
 * mutex's dep_map, a work_struct's lockdep_map): read-only and there for
 * good. A work item whose map was swapped for a fresh one for the instant
 * of a flush_work() hid the flush from lockdep's reclaim tracking (grader
 * red team 11 #05); in C the map is part of the struct, not a pointer.
 */
export function model_embed_map<T extends object>(owner: T, field: keyof T & string, map: lockdep_map): void {
  Object.defineProperty(owner, field, { value: map, writable: false, enumerable: true, configurable: false });
}

/**
 * Each map's class, cached for the boot it was looked up in (lockdep_map's
 * class_cache). Kept beside the map, not on it: code handed a lock (a
 * shrinker holding i915.struct_mutex) can write any field of it by any
 * spelling, and a map pointed at another class would hide its lock from
 * lockdep (grader red team 11 #01's class). This it cannot reach.
 */
const class_cache = new WeakMap<lockdep_map, { cls: lock_class; gen: number }>();

/** One node of the chain cache: the held-lock stacks seen so far. */
interface chain_node {
  readonly children: Map<number, chain_node>;
}

/** struct held_lock, as lockdep keeps it on task_struct.held_locks. */
class lockdep_held_lock implements held_lock {
  readonly class_name: string;
  read: boolean;
  constructor(
    readonly cls: lock_class,
    readonly instance: lockdep_map,
    public acquire_ip: string,
    /** 0: exclusive, 1: shared (down_read), 2: shared-recursive (lock_map_acquire_read). */
    public read_level: 0 | 1 | 2,
    readonly trylock: boolean,
    /** The chain-cache node of the stack up to and including this lock. */
    public chain: chain_node,
  ) {
    this.class_name = cls.name;
    this.read = read_level !== 0;
  }
}

type held_stack = lockdep_held_lock[];

// ---------------------------------------------------------------------------
// Per-boot state

/** CONFIG_PROVE_LOCKING for this boot (boot_params().lockdep). */
let enabled = true;
/** Which release's lockdep this boot runs (boot_params().lockdep_release; cross-release implies '4.14'). */
let release: '4.11' | '4.14' = '4.11';
/** current->lockdep_reclaim_gfp (v4.11): the gfp of the reclaim a task is running, 0 outside reclaim. */
let reclaim_gfp = new WeakMap<task_struct, gfp_t>();
/** Boot generation: lockdep_maps cache their class per boot. */
let gen = 0;
let classes = new Map<string, lock_class>();
let chain_root: chain_node = { children: new Map() };
/** Locks held by code that runs outside any task (timers, scheduler hooks). */
let irq_held: held_stack = [];
let bfs_gen = 0;

register_initcall('core', 'lockdep', () => {
  const p = boot_params();
  enabled = p.lockdep;
  release = p.lockdep_crossrelease ? '4.14' : p.lockdep_release;
  reclaim_gfp = new WeakMap();
  gen++;
  classes = new Map();
  chain_root = { children: new Map() };
  irq_held = [];
  stacks = new WeakMap();
  bfs_gen = 0;
  acquire_observer = null;
  named_callers = new WeakMap();
  model_completion_set_lockdep_hooks(enabled && p.lockdep_crossrelease ? crossrelease_hooks : null);
});

// Exit hooks must be registered after the scheduler's 'core' reset.
register_initcall('subsys', 'lockdep_exit_check', () => {
  if (!enabled) return;
  register_sched_exit_hook((t) => {
    // do_exit() checks a task that exits normally (or after SIGKILL). After an
    // oops the kernel has already turned lock debugging off (TAINT_DIE).
    if (t.exit_state === 'exited' || t.exit_state === 'killed') debug_check_no_locks_held(t);
  });
});

/**
 * Model instrument, not a kernel facility: a check may watch which map
 * instances are acquired (and at which ip), lockdep on or off. The kernel
 * tells classes apart by their lock_class_key (the address of the static key
 * of the map's init site), the model by name; a check uses this to insist on
 * the very map a kernel annotation must take. Cleared at every boot.
 */
let acquire_observer: ((map: lockdep_map, ip: string) => void) | null = null;
export function model_observe_lock_acquire(fn: ((map: lockdep_map, ip: string) => void) | null): void {
  acquire_observer = fn;
}

/**
 * The model's _RET_IP_ for code that does not name its call site: the lock
 * calls' default @ip is the call's own name ("mutex_lock"); the kernel's
 * acquire_ip is the return address into the caller. The model knows the
 * caller when it is a function bracketed with model_enter_caller(): each task
 * keeps the names of those it is inside, innermost last. No stack is read, so
 * a traced and an untraced run print the same "at:". The course brackets
 * the learner's exported functions (course/funcgraph.ts), so a lock their code
 * takes is "at: [<...>] i915_gem_shrinker_lock+0x7c/0x230 [i915]" as in v4.11
 * with CONFIG_DEBUG_LOCK_ALLOC (mutex_lock() is mutex_lock_nested(lock, 0),
 * which records _RET_IP_), never "mutex_lock+0x108/0x390".
 */
const DEFAULT_IPS = new Set([
  'mutex_lock', 'mutex_lock_killable', 'mutex_lock_interruptible', 'mutex_trylock', 'mutex_trylock_recursive',
  'down_read', 'down_read_trylock', 'down_write', 'down_write_trylock', 'spin_lock', 'spin_trylock',
  'lock_map_acquire', 'lock_map_acquire_read',
]);
let named_callers = new WeakMap<task_struct, string[]>();

/** model_enter_caller - current enters function @fn (a bracketed call); returns the call to make when it leaves. */
export function model_enter_caller(fn: string): () => void {
  const t = current;
  let names = named_callers.get(t);
  if (!names) named_callers.set(t, (names = []));
  names.push(fn);
  const depth = names.length;
  const frames = names;
  return () => {
    frames.length = Math.min(frames.length, depth - 1);
  };
}

/**
 * model_enter_caller_unless_inside - model_enter_caller(@fn), or null (nothing
 * to undo) when @fn is already the innermost bracketed function of current:
 * a function recursing into itself (through reclaim, say) names the same
 * site, and its outer call leaves after the inner one has, so the inner call
 * needs no bracket of its own. Deep recursion then costs no bracket per level.
 */
export function model_enter_caller_unless_inside(fn: string): (() => void) | null {
  const names = named_callers.get(current);
  return names?.length && names[names.length - 1] === fn ? null : model_enter_caller(fn);
}

/** The acquisition site lockdep records for @ip: the innermost bracketed caller when @ip is a lock call's default. */
function caller_ip(ip: string): string {
  if (!DEFAULT_IPS.has(ip)) return ip;
  const names = named_callers.get(current);
  return names?.length ? names[names.length - 1]! : ip;
}

function class_of(map: lockdep_map): lock_class {
  const cached = class_cache.get(map);
  if (cached && cached.gen === gen) return cached.cls;
  let c = classes.get(map.name);
  if (!c) {
    c = new lock_class(map.name, classes.size + 1);
    classes.set(map.name, c);
  }
  class_cache.set(map, { cls: c, gen });
  return c;
}

/**
 * model_lockdep_task - the task whose held-lock stack an acquisition goes on:
 * current while it runs its own code, null in "interrupt context" (a timer
 * function or scheduler hook running between steps, or no task at all).
 */
export function model_lockdep_task(): task_struct | null {
  const t = current;
  if (!in_task() || model_task_sched(t).parked || t.exit_state !== 'running') return null;
  return t;
}

/**
 * Each task's held-lock stack, lockdep's own, beside the task: task.held_locks
 * is a frozen copy for readers (publish_held), of entries without their
 * class. Lockdep's books on the task itself were in reach of code handed the
 * task (grader red team 12 #04/#05: an entry spliced out around an
 * acquisition, or its class's usage_mask cleared and put back, and the
 * course's own check-then-mutex-lock decoy passed 01 with lockdep blind).
 */
let stacks = new WeakMap<task_struct, held_stack>();

function held_stack_of(t: task_struct | null): held_stack {
  if (!t) return irq_held;
  let s = stacks.get(t);
  if (!s) {
    s = [];
    stacks.set(t, s);
  }
  return s;
}

/** The reader's view of a held lock: its class's name, where it was taken, shared or not, which lock. */
const views = new WeakMap<lockdep_held_lock, held_lock>();

/** publish_held - task.held_locks becomes a frozen copy of @t's stack (what lockdep_print_held_locks reads). */
function publish_held(t: task_struct | null, stack: held_stack): void {
  if (!t) return;
  model_task_set(t, 'held_locks', Object.freeze(
    stack.map((h) => {
      let v = views.get(h);
      if (!v || v.acquire_ip !== h.acquire_ip || v.read !== h.read) {
        v = Object.freeze({ class_name: h.class_name, acquire_ip: h.acquire_ip, read: h.read, instance: h.instance });
        views.set(h, v);
      }
      return v;
    }),
  ) as held_lock[]);
}

/**
 * model_lockdep_held_classes - the class names of the locks @t holds, innermost last, read from lockdep's own stack:
 * for checks, which must not judge from task.held_locks (a copy published for lockdep's printers, on a struct the
 * code under test is handed). Empty with lockdep off, as task.held_locks is.
 */
export function model_lockdep_held_classes(t: task_struct): string[] {
  return (stacks.get(t) ?? []).map((h) => h.class_name);
}

// ---------------------------------------------------------------------------
// Acquire and release

/**
 * lock_acquire - current is taking the lock of @map. @trylock: it will not
 * wait, so no dependency is added towards it. @read: false/0 exclusive,
 * true/1 shared (down_read), 2 shared and recursive (lock_map_acquire_read).
 * @ip: the acquisition site, printed as "at: [<address>] ip+0xoff/0xsize".
 */
export function lock_acquire(map: lockdep_map, trylock: boolean, read: boolean | 0 | 1 | 2, ip: string): void {
  if (enabled || acquire_observer) footprint_write(FP_LOCKDEP); // one graph (and an observer's one list) for every lock
  acquire_observer?.(map, ip);
  if (!enabled) return;
  ip = caller_ip(ip);
  const t = model_lockdep_task();
  const stack = held_stack_of(t);
  const cls = class_of(map);
  const read_level = read === true ? 1 : read === false ? 0 : read;
  cls.ops++;
  // mark_irqflags(): usage is recorded before validation, as in the kernel.
  const used = read_level ? 'read' : 'write';
  if (!cls.usage_sites.has(used)) {
    const first = { ip, comm: current.comm, pid: current.pid, why: `first taken by ${current.comm}/${current.pid}` };
    cls.usage_sites.set(used, first);
    if (!cls.usage_sites.has('initial')) cls.usage_sites.set('initial', first);
  }
  if (read_level) cls.used_read = true;
  else cls.used_write = true;
  const depth = stack.length;
  const hl = new lockdep_held_lock(cls, map, ip, read_level, trylock, chain_root);
  // v4.11: a lock taken (not tried) in reclaim for a __GFP_FS allocation is IN-RECLAIM_FS.
  if (release === '4.11' && t && !trylock && (reclaim_gfp.get(t) ?? 0) & __GFP_FS) {
    const gfp = reclaim_gfp.get(t)!;
    mark_lock(stack, hl, read_level ? LOCK_USED_IN_RECLAIM_FS_READ : LOCK_USED_IN_RECLAIM_FS, () => ({
      ip,
      comm: t.comm,
      pid: t.pid,
      why: `taken in reclaim (${format_gfp(gfp)}) by ${t.comm}/${t.pid}`,
    }));
  }
  validate_chain(stack, depth, hl);
  stack.push(hl);
  publish_held(t, stack);
}

/** lock_release - current releases the lock of @map (at @ip). Warns if it does not hold it. */
export function lock_release(map: lockdep_map, ip: string): void {
  if (!enabled) return;
  footprint_write(FP_LOCKDEP);
  const t = model_lockdep_task();
  const stack = held_stack_of(t);
  for (let i = stack.length - 1; i >= 0; i--) {
    if (stack[i]!.instance !== map) continue;
    if (i === stack.length - 1) {
      stack.pop();
    } else {
      // lock_release_non_nested(): drop it and re-add the locks above it,
      // which recomputes (and re-validates) their chains.
      stack.splice(i, 1);
      for (let j = i; j < stack.length; j++) validate_chain(stack, j, stack[j]!);
    }
    publish_held(t, stack);
    return;
  }
  if (debug_locks_off()) print_unlock_imbalance_bug(t, map, ip);
}

/** lock_map_acquire - take a pseudo-lock (a workqueue's or a work item's map, fs_reclaim). */
export function lock_map_acquire(map: lockdep_map, ip = 'lock_map_acquire'): void {
  lock_acquire(map, false, 0, ip);
}

/** lock_map_acquire_read - take a pseudo-lock shared and recursively (v4.11: lock_acquire_shared_recursive). */
export function lock_map_acquire_read(map: lockdep_map, ip = 'lock_map_acquire_read'): void {
  lock_acquire(map, false, 2, ip);
}

/** lock_map_release - release a pseudo-lock. */
export function lock_map_release(map: lockdep_map, ip = 'lock_map_release'): void {
  lock_release(map, ip);
}

/** lock_is_held - does current hold the lock of @map? (true when lockdep is not built in: nothing is known) */
export function lock_is_held(map: lockdep_map): boolean {
  if (!enabled) return true;
  const stack = held_stack_of(model_lockdep_task());
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.instance === map) return true;
  return false;
}

/** lockdep_is_held - does current hold @lock (anything with a dep_map: mutex, spinlock, rwsem)? */
export function lockdep_is_held(lock: { dep_map: lockdep_map }): boolean {
  return lock_is_held(lock.dep_map);
}

/**
 * lockdep_assert_held - WARN unless current holds @lock. In the kernel it is
 * a macro, so the WARNING names the line that asserts: pass that place as
 * @where ("drivers/gpu/drm/i915/i915_gem.c i915_gem_object_unbind").
 */
export function lockdep_assert_held(lock: { dep_map: lockdep_map }, where = 'include/linux/lockdep.h lockdep_assert_held'): void {
  if (!enabled) return;
  WARN_ON(debug_locks && !lockdep_is_held(lock), where);
}

// ---------------------------------------------------------------------------
// Validation (validate_chain, check_deadlock, check_prevs_add, check_prev_add)

/**
 * Put @hl, the lock at @depth of @stack, into the chain cache; if this stack
 * of held locks was not seen before in this boot, validate it: recursion
 * first, then the new dependencies.
 */
function validate_chain(stack: held_stack, depth: number, hl: lockdep_held_lock): void {
  const parent = depth > 0 ? stack[depth - 1]!.chain : chain_root;
  const key = hl.cls.id * 8 + hl.read_level * 2 + (hl.trylock ? 1 : 0);
  const seen = parent.children.get(key);
  if (seen) {
    hl.chain = seen;
    return;
  }
  const node: chain_node = { children: new Map() };
  parent.children.set(key, node);
  hl.chain = node;
  // A trylock cannot deadlock: it is neither checked nor ordered after the held locks.
  if (hl.trylock || !debug_locks) return;
  const ret = check_deadlock(stack, depth, hl);
  if (ret !== 1) return; // 0: reported; 2: allowed read-after-read recursion, no new edges
  check_prevs_add(stack, depth, hl);
}

/** check_deadlock - is a lock of @next's class already held? 1: no, 2: allowed read recursion, 0: reported. */
function check_deadlock(stack: held_stack, depth: number, next: lockdep_held_lock): 0 | 1 | 2 {
  for (let i = 0; i < depth; i++) {
    const prev = stack[i]!;
    if (prev.cls !== next.cls) continue;
    if (next.read_level === 2 && prev.read_level !== 0) return 2;
    if (debug_locks_off()) print_deadlock_bug(stack, depth, prev, next);
    return 0;
  }
  return 1;
}

/**
 * check_prevs_add - add prev -> next for the held locks that matter: walking
 * back from the innermost, every consecutive trylock and then the first
 * non-trylock lock (it is already ordered after everything below it). Held
 * recursive reads (read == 2, lock_map_acquire_read) are stepped over: no
 * dependency starts at them (v4.11, lessons/sources.md §12).
 */
function check_prevs_add(stack: held_stack, depth: number, next: lockdep_held_lock): void {
  for (let i = depth - 1; i >= 0; i--) {
    const prev = stack[i]!;
    if (prev.read_level !== 2) {
      if (!check_prev_add(stack, depth, prev, next)) return;
      if (!prev.trylock) return;
    }
  }
}

/** check_prev_add - would prev -> next close a cycle? If not, record it. Returns false after a report. */
function check_prev_add(stack: held_stack, depth: number, prev: lockdep_held_lock, next: lockdep_held_lock, how: lock_dep['how'] = 'taken'): boolean {
  const path = find_path(next.cls, prev.cls);
  if (path) {
    if (debug_locks_off()) print_circular_bug(stack, depth, path, next, prev);
    return false;
  }
  if (release === '4.11' && !check_prev_add_irq(stack, depth, prev, next)) return false;
  // Recursive-read dependencies are checked but not stored (v4.11).
  if (next.read_level === 2 || prev.read_level === 2) return true;
  if (prev.cls.after.has(next.cls)) return true;
  const dep: lock_dep = { ip: next.acquire_ip, comm: current.comm, pid: current.pid, how };
  prev.cls.after.set(next.cls, dep);
  next.cls.before.set(prev.cls, dep);
  return true;
}

/**
 * __bfs - breadth-first search from @root along locks_after (@forward) or
 * locks_before, for the nearest class that @match accepts, @root included.
 * Returns the path root, ..., match, or null.
 */
function __bfs(root: lock_class, forward: boolean, match: (c: lock_class) => boolean): lock_class[] | null {
  if (match(root)) return [root];
  const edges = (c: lock_class): Map<lock_class, lock_dep> => (forward ? c.after : c.before);
  if (edges(root).size === 0) return null;
  const g = ++bfs_gen;
  root.bfs_gen = g;
  root.bfs_parent = null;
  const queue = [root];
  for (let qi = 0; qi < queue.length; qi++) {
    const c = queue[qi]!;
    for (const n of edges(c).keys()) {
      if (n.bfs_gen === g) continue;
      n.bfs_gen = g;
      n.bfs_parent = c;
      if (match(n)) {
        const path: lock_class[] = [];
        for (let p: lock_class | null = n; p; p = p.bfs_parent) path.push(p);
        return path.reverse();
      }
      queue.push(n);
    }
  }
  return null;
}

/** check_noncircular's breadth-first search: the shortest path @from -> ... -> @to, or null. */
function find_path(from: lock_class, to: lock_class): lock_class[] | null {
  return __bfs(from, true, (c) => c === to);
}

// ---------------------------------------------------------------------------
// RECLAIM_FS usage bits (v4.11: cf40bd16fdad "lockdep: annotate reclaim context
// (__GFP_NOFS)"; removed by d92a8cfcb37e in v4.14)

/** enum lock_usage_bit, the RECLAIM_FS state (HARDIRQ has 0-3 and SOFTIRQ 4-7; lockdep_states.h). */
const LOCK_USED_IN_RECLAIM_FS = 8;
const LOCK_USED_IN_RECLAIM_FS_READ = 9;
const LOCK_ENABLED_RECLAIM_FS = 10;
const LOCK_ENABLED_RECLAIM_FS_READ = 11;
type usage_bit = 8 | 9 | 10 | 11;

/** usage_str: how the reports name the bits. */
const usage_str: Record<usage_bit, string> = {
  [LOCK_USED_IN_RECLAIM_FS]: 'IN-RECLAIM_FS-W',
  [LOCK_USED_IN_RECLAIM_FS_READ]: 'IN-RECLAIM_FS-R',
  [LOCK_ENABLED_RECLAIM_FS]: 'RECLAIM_FS-ON-W',
  [LOCK_ENABLED_RECLAIM_FS_READ]: 'RECLAIM_FS-ON-R',
};

/** exclusive_bit - the bit that conflicts with @new_bit: same state, the other direction, write. */
function exclusive_bit(new_bit: usage_bit): usage_bit {
  return ((new_bit & ~3) | ((new_bit & 2) ^ 2)) as usage_bit;
}

/** state_name - "RECLAIM_FS", or "RECLAIM_FS-READ" for a read bit. */
function state_name(bit: number): string {
  return bit & 1 ? 'RECLAIM_FS-READ' : 'RECLAIM_FS';
}

function has_usage(bit: number): (c: lock_class) => boolean {
  return (c) => (c.usage_mask & (1 << bit)) !== 0;
}

/**
 * lockdep_set_current_reclaim_state - current is reclaiming for an
 * allocation with @gfp (__perform_reclaim; kswapd with GFP_KERNEL for its
 * whole life). While @gfp has __GFP_FS, every lock current takes is marked
 * IN-RECLAIM_FS. A no-op under the v4.14 release, where reclaim holds fs_reclaim instead.
 */
export function lockdep_set_current_reclaim_state(gfp: gfp_t): void {
  if (!enabled || release !== '4.11') return;
  const t = model_lockdep_task();
  if (t) reclaim_gfp.set(t, gfp);
}

/** lockdep_clear_current_reclaim_state - current has finished reclaiming. */
export function lockdep_clear_current_reclaim_state(): void {
  if (!enabled || release !== '4.11') return;
  const t = model_lockdep_task();
  if (t) reclaim_gfp.delete(t);
}

/**
 * lockdep_trace_alloc - the page and slab allocators call this on every
 * allocation (@ip: which allocator). If @gfp may enter FS reclaim, every
 * lock current holds becomes RECLAIM_FS-ON-W (-R if held for read): reclaim
 * could start right here and must then never need it. A no-op under the
 * v4.14 release (fs_reclaim_acquire takes its place).
 */
export function lockdep_trace_alloc(gfp: gfp_t, ip = 'lockdep_trace_alloc'): void {
  if (!enabled || release !== '4.11' || !debug_locks) return;
  // The same three tests as v4.14's __need_fs_reclaim: may wait for reclaim,
  // is not reclaim itself (PF_MEMALLOC), and may recurse into filesystems.
  if (!__need_fs_reclaim(gfp)) return;
  const t = model_lockdep_task();
  if (!t) return;
  // mark_held_locks(curr, RECLAIM_FS)
  const stack = held_stack_of(t);
  for (const hl of stack) {
    const bit = hl.read ? LOCK_ENABLED_RECLAIM_FS_READ : LOCK_ENABLED_RECLAIM_FS;
    if (hl.cls.usage_mask & (1 << bit)) continue; // already marked (what mark_lock() checks first): no site to build, on every allocation
    const site = (): usage_site => ({ ip, comm: t.comm, pid: t.pid, why: `held (taken at ${hl.acquire_ip}) across a ${format_gfp(gfp)} allocation by ${t.comm}/${t.pid}` });
    if (!mark_lock(stack, hl, bit, site)) return;
  }
}

/**
 * mark_lock - set usage @new_bit on @hl's class and check it. False after a
 * report. @site says where (built only when the bit is new: this runs on
 * every acquisition in reclaim and every allocation).
 */
function mark_lock(stack: held_stack, hl: lockdep_held_lock, new_bit: usage_bit, site: () => usage_site): boolean {
  const cls = hl.cls;
  if (cls.usage_mask & (1 << new_bit)) return true;
  if (!debug_locks) return false; // graph_lock() fails once lockdep is off
  cls.usage_mask |= 1 << new_bit;
  cls.usage_sites.set(new_bit, site());
  return mark_lock_irq(stack, hl, new_bit);
}

/**
 * mark_lock_irq - the new bit must not meet its exclusive bit, neither on
 * this class (valid_state) nor along the dependency graph: an IN bit looks
 * forwards (nothing taken under this lock may be ON), an ON bit looks
 * backwards (nothing this lock is taken under may be IN). A write bit also
 * conflicts with the exclusive read bit.
 */
function mark_lock_irq(stack: held_stack, hl: lockdep_held_lock, new_bit: usage_bit): boolean {
  const excl = exclusive_bit(new_bit);
  const read = (new_bit & 1) !== 0;
  const forwards = (new_bit & 2) === 0; // USED_IN looks forwards, ENABLED backwards
  if (!valid_state(stack, hl, new_bit, excl)) return false;
  if (!check_usage_dir(stack, hl, excl, forwards, state_name(new_bit & ~1))) return false;
  if (!read) {
    const excl_read = (excl + 1) as usage_bit;
    if (!valid_state(stack, hl, new_bit, excl_read)) return false;
    if (!check_usage_dir(stack, hl, excl_read, forwards, state_name(new_bit + 1))) return false;
  }
  return true;
}

/** valid_state - does @hl's class already have @bad_bit? Then "inconsistent lock state". */
function valid_state(stack: held_stack, hl: lockdep_held_lock, new_bit: usage_bit, bad_bit: usage_bit): boolean {
  if (!(hl.cls.usage_mask & (1 << bad_bit))) return true;
  if (debug_locks_off()) print_usage_bug(stack, hl, bad_bit, new_bit);
  return false;
}

/** check_usage_forwards / check_usage_backwards - no class reachable from @hl's may have @bit. */
function check_usage_dir(stack: held_stack, hl: lockdep_held_lock, bit: usage_bit, forwards: boolean, irqclass: string): boolean {
  const path = __bfs(hl.cls, forwards, has_usage(bit));
  if (!path) return true;
  if (debug_locks_off()) print_irq_inversion_bug(stack, hl, path, forwards, irqclass);
  return false;
}

/**
 * check_prev_add_irq - the new dependency prev -> next must not connect a
 * class taken in reclaim (at or before prev) with one held across a
 * __GFP_FS allocation (at or after next): check_irq_usage for the IN-W and
 * IN-R bits.
 */
function check_prev_add_irq(stack: held_stack, depth: number, prev: lockdep_held_lock, next: lockdep_held_lock): boolean {
  for (const bit of [LOCK_USED_IN_RECLAIM_FS, LOCK_USED_IN_RECLAIM_FS_READ] as const) {
    // check_usage()
    const excl = exclusive_bit(bit);
    const backwards = __bfs(prev.cls, false, has_usage(bit));
    if (!backwards) continue;
    const forwards = __bfs(next.cls, true, has_usage(excl));
    if (!forwards) continue;
    if (debug_locks_off()) print_bad_irq_dependency(stack, depth, prev, next, backwards, forwards, bit, excl, state_name(bit));
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// fs_reclaim (v4.14, d92a8cfcb37e "locking/lockdep: Rework FS_RECLAIM annotation")

/**
 * The fs_reclaim pseudo-lock. Reclaim "holds" it; an allocation that may
 * recurse into FS reclaim briefly takes it. So "L held across a GFP_KERNEL
 * allocation" (L -> fs_reclaim) plus "L taken inside a shrinker"
 * (fs_reclaim -> L) is an ordinary cycle. Only the v4.14 release has it
 * (boot_params().lockdep_release); under v4.11 the calls below do nothing
 * and the RECLAIM_FS usage bits above catch the same bugs.
 */
export const __fs_reclaim_map = new lockdep_map('fs_reclaim');

/** __need_fs_reclaim - may an allocation with @gfp recurse into FS reclaim? (v4.11's __lockdep_trace_alloc tests the same) */
function __need_fs_reclaim(gfp: gfp_t): boolean {
  if (!(gfp & __GFP_DIRECT_RECLAIM)) return false;
  // A PF_MEMALLOC task is reclaim itself: it will not recurse, unless told not to use the reserves.
  if (current.flags & PF_MEMALLOC && !(gfp & __GFP_NOMEMALLOC)) return false;
  if (!(gfp & __GFP_FS)) return false;
  return true;
}

/** __fs_reclaim_acquire - take fs_reclaim unconditionally (kswapd, for as long as it reclaims). */
export function __fs_reclaim_acquire(ip = 'fs_reclaim_acquire'): void {
  if (release === '4.14') lock_map_acquire(__fs_reclaim_map, ip);
}

/** __fs_reclaim_release - release fs_reclaim taken with __fs_reclaim_acquire(). */
export function __fs_reclaim_release(ip = 'fs_reclaim_release'): void {
  if (release === '4.14') lock_map_release(__fs_reclaim_map, ip);
}

/** fs_reclaim_acquire - an allocation with @gfp may recurse into FS reclaim: tell lockdep. */
export function fs_reclaim_acquire(gfp: gfp_t, ip = 'fs_reclaim_acquire'): void {
  if (__need_fs_reclaim(gfp)) __fs_reclaim_acquire(ip);
}

/** fs_reclaim_release - the matching release (same @gfp, same PF_MEMALLOC state). */
export function fs_reclaim_release(gfp: gfp_t, ip = 'fs_reclaim_release'): void {
  if (__need_fs_reclaim(gfp)) __fs_reclaim_release(ip);
}

// ---------------------------------------------------------------------------
// Cross-release (v4.14-rc1 only; boot_params().lockdep_crossrelease)

/**
 * A completion acts as a lock of class "(completion)<name>". Waiting for it
 * is an acquire and release in the waiter's context (held locks -> C);
 * complete(C) adds C -> L for every lock L the completer holds at that
 * moment. (The real feature committed the completer's lock *history* since
 * the wait began; the locks held at complete() are the part that matters
 * for the course's deadlocks.)
 */
const completion_maps = new WeakMap<completion, lockdep_map>();

function completion_map(x: completion): lockdep_map {
  let m = completion_maps.get(x);
  if (!m) {
    m = new lockdep_map(`(completion)${x.name}`);
    completion_maps.set(x, m);
  }
  return m;
}

const crossrelease_hooks: completion_lockdep_hooks = {
  wait(x) {
    const m = completion_map(x);
    lock_acquire(m, false, 0, 'wait_for_completion');
    lock_release(m, 'wait_for_completion');
  },
  complete(x) {
    if (!debug_locks) return;
    const t = model_lockdep_task();
    if (!t || held_stack_of(t).length === 0) return; // interrupt context holds nothing
    const stack = held_stack_of(t);
    const m = completion_map(x);
    const xlock = new lockdep_held_lock(class_of(m), m, 'complete', 0, false, chain_root);
    for (const h of stack) {
      if (h.trylock) continue;
      if (!check_prev_add(stack, stack.length, xlock, h, 'complete')) return;
    }
  },
};

// ---------------------------------------------------------------------------
// Reports

/** get_usage_char - '.' unused, '+' ON (held with it enabled), '-' IN (used in that context), '?' both. */
function get_usage_char(c: lock_class, used_in: usage_bit): string {
  const on = (c.usage_mask & (1 << (used_in + 2))) !== 0;
  const inside = (c.usage_mask & (1 << used_in)) !== 0;
  return inside ? (on ? '?' : '-') : on ? '+' : '.';
}

/** get_usage_chars - hardirq W R, softirq W R (process context, irqs on: '+' once used), and v4.11's reclaim_fs W R. */
function usage_chars(c: lock_class): string {
  const w = c.used_write ? '+' : '.';
  const r = c.used_read ? '+' : '.';
  if (release === '4.14') return w + r + w + r;
  return w + r + w + r + get_usage_char(c, LOCK_USED_IN_RECLAIM_FS) + get_usage_char(c, LOCK_USED_IN_RECLAIM_FS_READ);
}

/** print_lock_name: " (name){usage}" */
function lock_name(c: lock_class): string {
  return ` (${c.name}){${usage_chars(c)}}`;
}

/** print_lock: " (name){usage}, at: [<address>] fn+0xoff/0xsize" (print_ip_sym of the acquire ip). */
function lock_line(h: lockdep_held_lock): string {
  return `${lock_name(h.cls)}, at: ${print_ip_sym(h.acquire_ip)}`;
}

/** print_kernel_ident: release, version, taint. */
function kernel_ident(): string {
  return `${UTS_RELEASE} #1 ${print_tainted()}`;
}

/** "stack backtrace:" and dump_stack()'s first line (the model has no call trace). */
function backtrace(): string[] {
  const t = current;
  return ['', 'stack backtrace:', `CPU: ${t.cpu} PID: ${t.pid} Comm: ${t.comm} ${print_tainted()} ${UTS_RELEASE} #1`];
}

/**
 * The header of each report, per release, with the kernel's own rule widths
 * (v4.11's circular-dependency "=" line is 54 wide under a 55-wide header;
 * a safe -> unsafe header is as wide as its state names make it, its rules are not).
 */
type report_header = 'circular' | 'recursive' | 'inconsistent' | 'irq_inversion' | 'safe_unsafe' | 'unlock_imbalance' | 'held_at_exit';
const headers: Record<'4.11' | '4.14', Record<report_header, { title: string; eq: number; dash: number }>> = {
  '4.11': {
    circular: { title: '[ INFO: possible circular locking dependency detected ]', eq: 54, dash: 55 },
    recursive: { title: '[ INFO: possible recursive locking detected ]', eq: 45, dash: 45 },
    inconsistent: { title: '[ INFO: inconsistent lock state ]', eq: 33, dash: 33 },
    irq_inversion: { title: '[ INFO: possible irq lock inversion dependency detected ]', eq: 57, dash: 57 },
    safe_unsafe: { title: '[ INFO: %s-safe -> %s-unsafe lock order detected ]', eq: 54, dash: 54 },
    unlock_imbalance: { title: '[ BUG: bad unlock balance detected! ]', eq: 37, dash: 37 },
    held_at_exit: { title: '[ BUG: %s still has locks held! ]', eq: 37, dash: 37 },
  },
  '4.14': {
    circular: { title: 'WARNING: possible circular locking dependency detected', eq: 54, dash: 54 },
    recursive: { title: 'WARNING: possible recursive locking detected', eq: 44, dash: 44 },
    inconsistent: { title: 'WARNING: inconsistent lock state', eq: 32, dash: 32 },
    irq_inversion: { title: 'WARNING: possible irq lock inversion dependency detected', eq: 56, dash: 56 },
    safe_unsafe: { title: 'WARNING: %s-safe -> %s-unsafe lock order detected', eq: 53, dash: 53 },
    unlock_imbalance: { title: 'WARNING: bad unlock balance detected!', eq: 37, dash: 37 },
    held_at_exit: { title: 'WARNING: %s still has locks held!', eq: 36, dash: 36 },
  },
};

/** The blank line, "=" rule, header (each %s replaced by @arg), kernel ident and "-" rule that open a report. */
function banner(which: report_header, arg = ''): string[] {
  const h = headers[release][which];
  return ['', '='.repeat(h.eq), h.title.replaceAll('%s', arg), kernel_ident(), '-'.repeat(h.dash)];
}

function held_lines(comm: string, pid: number, stack: readonly lockdep_held_lock[], depth: number): string[] {
  if (depth === 0) return [`no locks held by ${comm}/${pid}.`];
  const out = [`${depth} lock${depth > 1 ? 's' : ''} held by ${comm}/${pid}:`];
  for (let i = 0; i < depth; i++) out.push(` #${i}: ${lock_line(stack[i]!)}`);
  return out;
}

/** lockdep_print_held_locks - the "N locks held by comm/pid:" listing of @t. */
export function lockdep_print_held_locks(t: task_struct): string[] {
  const stack = held_stack_of(t);
  return held_lines(t.comm, t.pid, stack, stack.length);
}

/** debug_show_all_locks - every live task's held locks (what SysRq-d and khungtaskd print). */
export function debug_show_all_locks(): string[] {
  if (!enabled) return [];
  if (!debug_locks) return ['INFO: lockdep is turned off.'];
  const lines = ['', 'Showing all locks held in the system:'];
  const me = model_lockdep_task();
  for (const t of for_each_process()) {
    if (t.exit_state !== 'running' || t.held_locks.length === 0) continue;
    // A running task's list may change under us: only sleepers and current are printed.
    if (t.state === TASK_RUNNING && t !== me) continue;
    lines.push(...lockdep_print_held_locks(t));
  }
  lines.push('', '=============================================', '');
  return lines;
}

function who(): { comm: string; pid: number } {
  return { comm: current.comm, pid: current.pid };
}

function print_deadlock_bug(stack: held_stack, depth: number, prev: lockdep_held_lock, next: lockdep_held_lock): void {
  const { comm, pid } = who();
  const lines = [
    ...banner('recursive'),
    `${comm}/${pid} is trying to acquire lock:`,
    lock_line(next),
    '',
    'but task is already holding lock:',
    lock_line(prev),
    '',
    'other info that might help us debug this:',
    ' Possible unsafe locking scenario:',
    '',
    '       CPU0',
    '       ----',
    `  lock(${prev.cls.name});`,
    `  lock(${next.cls.name});`,
    '',
    ' *** DEADLOCK ***',
    '',
    ' May be due to missing lock nesting notation',
    '',
    ...held_lines(comm, pid, stack, depth),
    ...backtrace(),
  ];
  report('lockdep', 'possible recursive locking detected', lines, KERN_WARNING);
}

/**
 * print_circular_bug - @path is the existing chain next -> ... -> prev that
 * the new dependency prev -> next closes into a cycle.
 */
function print_circular_bug(stack: held_stack, depth: number, path: lock_class[], next: lockdep_held_lock, prev: lockdep_held_lock): void {
  const { comm, pid } = who();
  const lines = [
    ...banner('circular'),
    `${comm}/${pid} is trying to acquire lock:`,
    lock_line(next),
    '',
    'but task is already holding lock:',
    lock_line(prev),
    '',
    'which lock already depends on the new lock.',
    '',
    '',
    'the existing dependency chain (in reverse order) is:',
  ];
  // From the held lock (#n) back to the lock being taken (#0); each entry
  // says where that class was taken while holding the one before it.
  for (let k = path.length - 1; k >= 0; k--) {
    const c = path[k]!;
    lines.push('', `-> #${k}${lock_name(c)}:`);
    if (k === 0) {
      lines.push(`       ${next.acquire_ip}`, `       (model) being taken now by ${comm}/${pid}`);
    } else {
      const dep = path[k - 1]!.after.get(c)!;
      const why = dep.how === 'complete' ? `held when ${dep.comm}/${dep.pid} completed ${path[k - 1]!.name}` : `taken while holding ${path[k - 1]!.name}, by ${dep.comm}/${dep.pid}`;
      lines.push(`       ${dep.ip}`, `       (model) ${why}`);
    }
  }
  // print_circular_lock_scenario(): source is the lock being taken, target the
  // held one, parent the lock just before the target in the chain.
  const source = path[0]!.name;
  const target = path[path.length - 1]!.name;
  const parent = path.length >= 2 ? path[path.length - 2]!.name : source;
  lines.push('', 'other info that might help us debug this:', '');
  if (parent !== source) lines.push('Chain exists of:', `  ${source} --> ${parent} --> ${target}`, '');
  lines.push(
    ' Possible unsafe locking scenario:',
    '',
    '       CPU0                    CPU1',
    '       ----                    ----',
    `  lock(${target});`,
    `                               lock(${parent});`,
    `                               lock(${target});`,
    `  lock(${source});`,
    '',
    ' *** DEADLOCK ***',
    '',
    ...held_lines(comm, pid, stack, depth),
    ...backtrace(),
  );
  report('lockdep', 'possible circular locking dependency detected', lines, KERN_WARNING);
}

/** The task-context part of a usage report: "[HC0[0]:SC0[0]:HE1:SE1]" (process context, interrupts on). */
const IRQ_CONTEXT = '[HC0[0]:SC0[0]:HE1:SE1]';

/** print_stack_trace of a usage bit (the model: its site and why it was set). */
function usage_trace(c: lock_class, bit: usage_bit | 'write' | 'read' | 'initial', indent = '  '): string[] {
  const site = c.usage_sites.get(bit);
  return site ? [`${indent}${site.ip}`, `${indent}(model) ${site.why}`] : [];
}

/** print_usage_bug_scenario - v4.11 prints its interrupt scenario for reclaim too: reclaim "interrupts" the holder. */
function usage_bug_scenario(c: lock_class): string[] {
  return [' Possible unsafe locking scenario:', '', '       CPU0', '       ----', `  lock(${c.name});`, '  <Interrupt>', `    lock(${c.name});`, '', ' *** DEADLOCK ***', ''];
}

/**
 * print_usage_bug - @hl's class already has @prev_bit and is now getting
 * @new_bit, its exclusive: "inconsistent {RECLAIM_FS-ON-W} -> {IN-RECLAIM_FS-W} usage."
 */
function print_usage_bug(stack: held_stack, hl: lockdep_held_lock, prev_bit: usage_bit, new_bit: usage_bit): void {
  const { comm, pid } = who();
  const lines = [
    ...banner('inconsistent'),
    `inconsistent {${usage_str[prev_bit]}} -> {${usage_str[new_bit]}} usage.`,
    `${comm}/${pid} ${IRQ_CONTEXT} takes:`,
    lock_line(hl),
    `{${usage_str[prev_bit]}} state was registered at:`,
    ...usage_trace(hl.cls, prev_bit),
    '',
    'other info that might help us debug this:',
    ...usage_bug_scenario(hl.cls),
    ...held_lines(comm, pid, stack, stack.length),
    ...backtrace(),
  ];
  report('lockdep', 'inconsistent lock state', lines, KERN_WARNING);
}

/** print_irq_lock_scenario - the two-CPU picture of a safe (IN) and an unsafe (ON) class joined by a dependency. */
function irq_lock_scenario(safe: lock_class, unsafe: lock_class, prev: lock_class, next: lock_class): string[] {
  const middle = prev === safe ? next : prev;
  const out: string[] = [];
  if (middle !== unsafe) out.push('Chain exists of:', `  ${safe.name} --> ${middle.name} --> ${unsafe.name}`, '');
  out.push(
    ' Possible interrupt unsafe locking scenario:',
    '',
    '       CPU0                    CPU1',
    '       ----                    ----',
    `  lock(${unsafe.name});`,
    '                               local_irq_disable();',
    `                               lock(${safe.name});`,
    `                               lock(${middle.name});`,
    '  <Interrupt>',
    `    lock(${safe.name});`,
    '',
    ' *** DEADLOCK ***',
    '',
  );
  return out;
}

/** print_lock_class_header - a class, its usage bits and where each was set, indented by @depth. */
function lock_class_header(c: lock_class, depth: number): string[] {
  const ind = ' '.repeat(depth);
  const out = [`${ind}->${lock_name(c)} ops: ${c.ops} {`];
  const bits: Array<[usage_bit | 'write' | 'read' | 'initial', string]> = [
    ['write', 'HARDIRQ-ON-W'],
    ['read', 'HARDIRQ-ON-R'],
    ['write', 'SOFTIRQ-ON-W'],
    ['read', 'SOFTIRQ-ON-R'],
    ...([LOCK_USED_IN_RECLAIM_FS, LOCK_USED_IN_RECLAIM_FS_READ, LOCK_ENABLED_RECLAIM_FS, LOCK_ENABLED_RECLAIM_FS_READ] as const).map((b): [usage_bit, string] => [b, usage_str[b]]),
    ['initial', 'INITIAL USE'],
  ];
  for (const [bit, name] of bits) {
    if (typeof bit === 'number' ? !(c.usage_mask & (1 << bit)) : !c.usage_sites.has(bit)) continue;
    out.push(`${ind}   ${name} at:`, ...usage_trace(c, bit, `${ind}    `));
  }
  out.push(`${ind} }`);
  return out;
}

/**
 * print_shortest_lock_dependencies - @path (root, ..., leaf, as __bfs
 * returned it) printed from the leaf back to the root; each entry says
 * where its dependency was recorded (the root: where it is being taken now).
 */
function shortest_lock_dependencies(path: lock_class[], forward: boolean, root_ip: string): string[] {
  const out: string[] = [];
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const c = path[depth]!;
    const ind = ' '.repeat(depth);
    out.push(...lock_class_header(c, depth), `${ind} ... acquired at:`);
    if (depth === 0) {
      out.push(`${ind}    ${root_ip}`);
    } else {
      const parent = path[depth - 1]!;
      const dep = forward ? parent.after.get(c)! : parent.before.get(c)!;
      out.push(`${ind}    ${dep.ip}`, `${ind}    (model) recorded by ${dep.comm}/${dep.pid}`);
    }
    out.push('');
  }
  return out;
}

/**
 * print_irq_inversion_bug - @hl's class just got a usage bit, and @path
 * leads (forwards or backwards) to a class with the exclusive bit.
 */
function print_irq_inversion_bug(stack: held_stack, hl: lockdep_held_lock, path: lock_class[], forwards: boolean, irqclass: string): void {
  const { comm, pid } = who();
  const root = path[0]!;
  const other = path[path.length - 1]!;
  const middle = path.length >= 2 ? path[1]! : root;
  const lines = [
    ...banner('irq_inversion'),
    `${comm}/${pid} just changed the state of lock:`,
    lock_line(hl),
    forwards ? `but this lock took another, ${irqclass}-unsafe lock in the past:` : `but this lock was taken by another, ${irqclass}-safe lock in the past:`,
    lock_name(other),
    '',
    'and interrupts could create inverse lock ordering between them.',
    '',
    '',
    'other info that might help us debug this:',
    ...(forwards ? irq_lock_scenario(root, other, middle, other) : irq_lock_scenario(other, root, middle, root)),
    ...held_lines(comm, pid, stack, stack.length),
    '',
    'the shortest dependencies between 2nd lock and 1st lock:',
    ...shortest_lock_dependencies(path, forwards, hl.acquire_ip),
    ...backtrace(),
  ];
  report('lockdep', 'possible irq lock inversion dependency detected', lines, KERN_WARNING);
}

/**
 * print_bad_irq_dependency - the new dependency @prev -> @next would join
 * @backwards' last class (taken in reclaim, at or before prev) to
 * @forwards' last class (held across a __GFP_FS allocation, at or after next).
 */
function print_bad_irq_dependency(
  stack: held_stack,
  depth: number,
  prev: lockdep_held_lock,
  next: lockdep_held_lock,
  backwards: lock_class[],
  forwards: lock_class[],
  bit1: usage_bit,
  bit2: usage_bit,
  irqclass: string,
): void {
  const { comm, pid } = who();
  const safe = backwards[backwards.length - 1]!;
  const unsafe = forwards[forwards.length - 1]!;
  const lines = [
    ...banner('safe_unsafe', irqclass),
    `${comm}/${pid} ${IRQ_CONTEXT} is trying to acquire:`,
    lock_line(next),
    '',
    'and this task is already holding:',
    lock_line(prev),
    'which would create a new lock dependency:',
    `${lock_name(prev.cls)} ->${lock_name(next.cls)}`,
    '',
    `but this new dependency connects a ${irqclass}-irq-safe lock:`,
    lock_name(safe),
    `... which became ${irqclass}-irq-safe at:`,
    ...usage_trace(safe, bit1),
    '',
    `to a ${irqclass}-irq-unsafe lock:`,
    lock_name(unsafe),
    `... which became ${irqclass}-irq-unsafe at:`,
    // printk("...") and then the trace, whose first line continues it
    ...usage_trace(unsafe, bit2).map((l, i) => (i === 0 ? `...${l}` : l)),
    '',
    'other info that might help us debug this:',
    '',
    ...irq_lock_scenario(safe, unsafe, prev.cls, next.cls),
    ...held_lines(comm, pid, stack, depth),
    '',
    `the dependencies between ${irqclass}-irq-safe lock and the holding lock:`,
    ...shortest_lock_dependencies(backwards, false, prev.acquire_ip),
    '',
    `the dependencies between the lock to be acquired and ${irqclass}-irq-unsafe lock:`,
    ...shortest_lock_dependencies(forwards, true, next.acquire_ip),
    ...backtrace(),
  ];
  report('lockdep', `${irqclass}-safe -> ${irqclass}-unsafe lock order detected`, lines, KERN_WARNING);
}

function print_unlock_imbalance_bug(t: task_struct | null, map: lockdep_map, ip: string): void {
  const { comm, pid } = who();
  const stack = held_stack_of(t);
  const lines = [
    ...banner('unlock_imbalance'),
    `${comm}/${pid} is trying to release lock (${map.name}) at:`,
    ip,
    'but there are no more locks to release!',
    '',
    'other info that might help us debug this:',
    ...held_lines(comm, pid, stack, stack.length),
    ...backtrace(),
  ];
  report('lockdep', 'bad unlock balance detected!', lines, KERN_WARNING);
}

/**
 * debug_check_no_locks_held - a task must not exit holding locks (do_exit()
 * calls this). @t defaults to current.
 */
export function debug_check_no_locks_held(t: task_struct = current): void {
  if (!enabled || held_stack_of(t).length === 0) return;
  if (!debug_locks_off()) return;
  const stack = held_stack_of(t);
  const lines = [
    ...banner('held_at_exit', `${t.comm}/${t.pid}`),
    ...held_lines(t.comm, t.pid, stack, stack.length),
    ...backtrace(),
  ];
  report('lockdep', `${t.comm}/${t.pid} still has locks held!`, lines, KERN_WARNING);
}

/**
 * lockdep_dependencies - the dependency graph of this boot (for the study
 * site and tests): every edge "from -> to" with where it was first seen.
 */
export function lockdep_dependencies(): Array<{ from: string; to: string } & lock_dep> {
  const out: Array<{ from: string; to: string } & lock_dep> = [];
  for (const c of classes.values()) for (const [n, d] of c.after) out.push({ from: c.name, to: n.name, ...d });
  return out;
}
