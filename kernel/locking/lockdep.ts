// Models: kernel/locking/lockdep.c and include/linux/lockdep.h (lock_acquire,
// lock_release, check_deadlock, check_prevs_add, check_noncircular,
// print_circular_bug, lockdep_print_held_locks, debug_show_all_locks,
// debug_check_no_locks_held, lock_map_acquire*), v4.11; plus v4.14's
// fs_reclaim pseudo-lock (d92a8cfcb37e, mm/page_alloc.c) and, optionally,
// v4.14-rc1's cross-release checks for completions (removed again in v4.15
// by e966eaeeb623).
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
// Rules kept from the kernel because exercises depend on them:
// - a trylock never waits, so it adds no edge *to* itself; but locks taken
//   later are ordered after it (check_prevs_add walks back over consecutive
//   trylocks to the first non-trylock lock);
// - recursive-read acquisitions (lock_map_acquire_read, read == 2) are
//   checked but their edges are not stored;
// - a chain of held classes that was validated once is not validated again
//   (the chain cache, here a trie of held-lock keys): this is what keeps
//   lock_acquire cheap.
// - after the first report lockdep turns itself off (debug_locks_off()): one
//   splat per boot. Every later lockdep report in that boot is suppressed.
//
// Model choices (say so, they differ from v4.11):
// - after debug_locks_off() the model keeps *tracking* held locks (v4.11
//   stops), so hung-task and deadlock reports and lockdep_print_held_locks()
//   stay accurate. Only the checks and reports stop.
// - report headers use v4.11's bracket form, "[ INFO: possible circular
//   locking dependency detected ]" (checked against 4.10/4.11-era splats).
//   Lockdep switched to "WARNING: possible circular locking dependency
//   detected" in 2017 (v4.13/v4.14); the report *titles* the model records are
//   the bare phrases, which both forms share.
// - the usage string after a class name has v4.14's four characters
//   ("{+.+.}": hardirq and softirq, write and read). v4.11 printed six, the
//   last pair for RECLAIM_FS, which the fs_reclaim pseudo-lock replaced in
//   v4.14, and the model uses fs_reclaim. Every lock in the model is taken in
//   process context with interrupts enabled, hence '+' or '.'.
// - no irq-safety checks (no hardirq/softirq lock usage in the model), no
//   subclasses or nest_lock, no lock statistics, no stack traces: an
//   acquisition site is the caller's name (its "ip"), passed in as a string,
//   printed as "at: ip" without an address. Where the kernel prints the
//   stack that recorded a dependency, the model prints that site and a
//   "(model)" line naming the task that recorded it.
// - code running outside any task's own code (timer functions and scheduler
//   hooks between steps) is treated as interrupt context: it gets its own
//   held-lock stack, so it does not borrow the locks of the task that
//   happened to run last.
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';
import { __GFP_DIRECT_RECLAIM, __GFP_FS, __GFP_NOMEMALLOC, type gfp_t } from '../mm/gfp';
import { print_tainted, report, UTS_RELEASE, WARN_ON } from '../panic';
import { KERN_WARNING } from '../printk/printk';
import { model_completion_set_lockdep_hooks, type completion, type completion_lockdep_hooks } from '../sched/completion';
import { current, for_each_process, in_task, register_sched_exit_hook } from '../sched/core';
import { PF_MEMALLOC, type held_lock, type task_struct } from '../sched/task';
import { debug_locks, debug_locks_off } from './debug_locks';

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

/** struct lock_class: one node of the dependency graph. */
class lock_class {
  /** locks_after: classes taken while this one was held. Insertion order keeps searches deterministic. */
  readonly after = new Map<lock_class, lock_dep>();
  /** Ever taken for write / for read (the usage characters). */
  used_write = false;
  used_read = false;
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
  /** The class, cached for the boot it was looked up in. */
  model_class: lock_class | null = null;
  model_gen = -1;
  constructor(public readonly name: string) {}
}

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
  gen++;
  classes = new Map();
  chain_root = { children: new Map() };
  irq_held = [];
  bfs_gen = 0;
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

function class_of(map: lockdep_map): lock_class {
  if (map.model_gen === gen && map.model_class) return map.model_class;
  let c = classes.get(map.name);
  if (!c) {
    c = new lock_class(map.name, classes.size + 1);
    classes.set(map.name, c);
  }
  map.model_class = c;
  map.model_gen = gen;
  return c;
}

/**
 * model_lockdep_task - the task whose held-lock stack an acquisition goes on:
 * current while it runs its own code, null in "interrupt context" (a timer
 * function or scheduler hook running between steps, or no task at all).
 */
export function model_lockdep_task(): task_struct | null {
  const t = current;
  if (!in_task() || t.model_parked || t.exit_state !== 'running') return null;
  return t;
}

function held_stack_of(t: task_struct | null): held_stack {
  // Only lockdep pushes onto held_locks, so every entry is a lockdep_held_lock.
  return t ? (t.held_locks as held_stack) : irq_held;
}

// ---------------------------------------------------------------------------
// Acquire and release

/**
 * lock_acquire - current is taking the lock of @map. @trylock: it will not
 * wait, so no dependency is added towards it. @read: false/0 exclusive,
 * true/1 shared (down_read), 2 shared and recursive (lock_map_acquire_read).
 * @ip: the acquisition site, printed as "at: ip".
 */
export function lock_acquire(map: lockdep_map, trylock: boolean, read: boolean | 0 | 1 | 2, ip: string): void {
  if (!enabled) return;
  const stack = held_stack_of(model_lockdep_task());
  const cls = class_of(map);
  const read_level = read === true ? 1 : read === false ? 0 : read;
  // mark_irqflags(): usage is recorded before validation, as in the kernel.
  if (read_level) cls.used_read = true;
  else cls.used_write = true;
  const depth = stack.length;
  const hl = new lockdep_held_lock(cls, map, ip, read_level, trylock, chain_root);
  validate_chain(stack, depth, hl);
  stack.push(hl);
}

/** lock_release - current releases the lock of @map (at @ip). Warns if it does not hold it. */
export function lock_release(map: lockdep_map, ip: string): void {
  if (!enabled) return;
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
 * non-trylock lock (it is already ordered after everything below it).
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
  // Recursive-read dependencies are checked but not stored (v4.11).
  if (next.read_level === 2 || prev.read_level === 2) return true;
  if (prev.cls.after.has(next.cls)) return true;
  prev.cls.after.set(next.cls, { ip: next.acquire_ip, comm: current.comm, pid: current.pid, how });
  return true;
}

/** check_noncircular's breadth-first search: the shortest path @from -> ... -> @to, or null. */
function find_path(from: lock_class, to: lock_class): lock_class[] | null {
  if (from === to) return [from];
  if (from.after.size === 0) return null;
  const g = ++bfs_gen;
  from.bfs_gen = g;
  from.bfs_parent = null;
  const queue = [from];
  for (let qi = 0; qi < queue.length; qi++) {
    const c = queue[qi]!;
    for (const n of c.after.keys()) {
      if (n.bfs_gen === g) continue;
      n.bfs_gen = g;
      n.bfs_parent = c;
      if (n === to) {
        const path: lock_class[] = [];
        for (let p: lock_class | null = n; p; p = p.bfs_parent) path.push(p);
        return path.reverse();
      }
      queue.push(n);
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// fs_reclaim (v4.14, d92a8cfcb37e "locking/lockdep: Rework FS_RECLAIM annotation")

/**
 * The fs_reclaim pseudo-lock. Reclaim "holds" it; an allocation that may
 * recurse into FS reclaim briefly takes it. So "L held across a GFP_KERNEL
 * allocation" (L -> fs_reclaim) plus "L taken inside a shrinker"
 * (fs_reclaim -> L) is an ordinary cycle. The model uses it although the
 * baseline is v4.11 (which had the older lockdep_trace_alloc() scheme):
 * it is the annotation that makes the course's reclaim deadlocks visible.
 */
export const __fs_reclaim_map = new lockdep_map('fs_reclaim');

/** __need_fs_reclaim - may an allocation with @gfp recurse into FS reclaim? */
function __need_fs_reclaim(gfp: gfp_t): boolean {
  if (!(gfp & __GFP_DIRECT_RECLAIM)) return false;
  // A PF_MEMALLOC task is reclaim itself: it will not recurse, unless told not to use the reserves.
  if (current.flags & PF_MEMALLOC && !(gfp & __GFP_NOMEMALLOC)) return false;
  if (!(gfp & __GFP_FS)) return false;
  return true;
}

/** __fs_reclaim_acquire - take fs_reclaim unconditionally (kswapd, for as long as it reclaims). */
export function __fs_reclaim_acquire(ip = 'fs_reclaim_acquire'): void {
  lock_map_acquire(__fs_reclaim_map, ip);
}

/** __fs_reclaim_release - release fs_reclaim taken with __fs_reclaim_acquire(). */
export function __fs_reclaim_release(ip = 'fs_reclaim_release'): void {
  lock_map_release(__fs_reclaim_map, ip);
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
    if (!t || t.held_locks.length === 0) return; // interrupt context holds nothing
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

function usage_chars(c: lock_class): string {
  const w = c.used_write ? '+' : '.';
  const r = c.used_read ? '+' : '.';
  return w + r + w + r;
}

/** print_lock_name: " (name){usage}" */
function lock_name(c: lock_class): string {
  return ` (${c.name}){${usage_chars(c)}}`;
}

/** print_lock: " (name){usage}, at: ip" */
function lock_line(h: lockdep_held_lock): string {
  return `${lock_name(h.cls)}, at: ${h.acquire_ip}`;
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

function banner(header: string): string[] {
  return ['', '='.repeat(header.length), header, kernel_ident(), '-'.repeat(header.length)];
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
  for (const t of for_each_process()) {
    if (t.exit_state !== 'running' || t.held_locks.length === 0) continue;
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
    ...banner('[ INFO: possible recursive locking detected ]'),
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
    ...banner('[ INFO: possible circular locking dependency detected ]'),
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

function print_unlock_imbalance_bug(t: task_struct | null, map: lockdep_map, ip: string): void {
  const { comm, pid } = who();
  const stack = held_stack_of(t);
  const lines = [
    ...banner('[ BUG: bad unlock balance detected! ]'),
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
  if (!enabled || t.held_locks.length === 0) return;
  if (!debug_locks_off()) return;
  const stack = held_stack_of(t);
  const lines = [
    '',
    '=====================================',
    `[ BUG: ${t.comm}/${t.pid} still has locks held! ]`,
    kernel_ident(),
    '-------------------------------------',
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
