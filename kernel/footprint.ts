// Models: the instrumentation idea of kernel/kcsan/ (every access to shared
// memory is reported to a runtime), for the explorer's partial-order
// reduction instead of data-race detection.
//
// A *step* is the code one task runs between two schedule points. Two steps
// of different tasks commute (running them in either order gives the same
// state) unless one writes something the other reads or writes. The explorer
// (explorer/dpor.ts) uses that to run only one interleaving of each class of
// equivalent ones. To know what a step touched, kernel objects tag
// themselves: the primitive that reads or writes a shared object calls
// footprint_read() or footprint_write() with it. A step that did something
// the model cannot describe (a timer fired, a report was made, a subsystem
// without tags ran) calls footprint_opaque(): it then depends on every other
// step, which is always safe.
//
// Every step also writes its own task_struct (its state, its stack), and
// waking a task writes that task: so a wake-up is ordered before the steps
// it made possible.
//
// Not tagged, on purpose: ktime_get_ns() (read only for log and trace
// timestamps, which differ between equivalent runs and are not state), the
// trace buffer (off while exploring), and the run queue's order (it decides
// only the default choice, never what a chosen step does).
//
// With no recorder installed (every ordinary run), each call is one null
// check: runs stay byte-identical and nearly as fast.

/** Who listens: the explorer, while it runs a schedule under partial-order reduction. */
export interface footprint_recorder {
  /** A step of @task begins; tags until the next begin() belong to it (hooks and timers after it too). */
  begin(task: object, pid: number): void;
  read(obj: object): void;
  write(obj: object): void;
  /**
   * An update that commutes with every other such update of @obj (an atomic add): it conflicts only with reads and
   * writes, and with a range read (read_range) only when its @delta (NaN: not known) may change that read's answer.
   */
  add(obj: object, delta: number): void;
  /**
   * The step read @obj's value @value only to ask whether it lies in [@lo, @hi] (it does): whatever else it does
   * depends on that answer alone (a watermark test). Conflicts with writes and plain reads' writers like a read, and
   * with an add only when the add may change the answer (explorer/README.md, conditional independence).
   */
  read_range(obj: object, value: number, lo: number, hi: number): void;
  /** The step touched something untracked: it depends on every step. */
  opaque(): void;
  /** The current task called into a subsystem without tags: this step and all its later ones are opaque. */
  untracked_call(): void;
  /**
   * The current task called into a subsystem whose whole state is the one
   * shared object @token (FP_RCU...): this step and all its later ones write it.
   */
  subsystem_call(token: object): void;
  /**
   * Task @pid is a kernel daemon whose code tags what it touches ('memory'
   * scenarios: its steps do not write FP_MEM until it calls
   * footprint_subsystem_call(FP_MEM)).
   */
  precise_task(pid: number): void;
  /** The current task entered memory code ('memory' scenarios: its steps write FP_MEM from now on; otherwise as untracked_call). */
  memory_call(): void;
  /** A new object: number it now, in creation order (steps that use it compare better across runs). */
  announce(obj: object): void;
  /** The clock crossed a jiffy boundary after the current step (see jiffies() readers). */
  jiffy_tick(): void;
}

let recorder: footprint_recorder | null = null;

/** footprint_install - route tags to @r for the next run (null: stop recording). */
export function footprint_install(r: footprint_recorder | null): void {
  recorder = r;
}

/** footprint_recording - is anyone listening? (skip building tags that cost something) */
export function footprint_recording(): boolean {
  return recorder !== null;
}

/** footprint_read - the current step read shared object @obj. */
export function footprint_read(obj: object): void {
  if (recorder !== null) recorder.read(obj);
}

/** footprint_write - the current step wrote (or read and wrote) shared object @obj. */
export function footprint_write(obj: object): void {
  if (recorder !== null) recorder.write(obj);
}

/**
 * footprint_add - the current step added to @obj without reading it
 * (atomic_add, atomic_inc...): two adds give the same value in either order,
 * so they do not conflict with each other; an add still conflicts with any
 * read or write of @obj.
 */
export function footprint_add(obj: object, delta = Number.NaN): void {
  if (recorder !== null) recorder.add(obj, delta);
}

/**
 * footprint_read_range - the current step read counter @obj (value @value)
 * only to test whether it lies in [@lo, @hi] (it does: the caller passes the
 * interval of values that give the same answer as @value). A commutative add
 * to @obj (footprint_add with its delta) then conflicts with this read only
 * if, in some order of the two, the read's answer would differ.
 */
export function footprint_read_range(obj: object, value: number, lo: number, hi: number): void {
  if (recorder !== null) recorder.read_range(obj, value, lo, hi);
}

/** footprint_new - @obj was just created (kernel objects' constructors announce themselves). */
export function footprint_new(obj: object): void {
  if (recorder !== null) recorder.announce(obj);
}

/** footprint_opaque - the current step touched state no tag describes: it conflicts with everything. */
export function footprint_opaque(): void {
  if (recorder !== null) recorder.opaque();
}

/** footprint_step_begin - the scheduler is about to run a step of @t. */
export function footprint_step_begin(t: { pid: number }): void {
  if (recorder !== null) recorder.begin(t, t.pid);
}

/**
 * footprint_untracked_call - the current task entered a subsystem whose state
 * is not tagged. Its code may go on touching that state after any later
 * schedule point, so the task's steps stay opaque from here on.
 */
export function footprint_untracked_call(): void {
  if (recorder !== null) recorder.untracked_call();
}

/**
 * footprint_subsystem_call - the current task entered a subsystem whose
 * state, as a whole, is @token. Coarser than a tag per object, finer than
 * footprint_untracked_call(): the task's steps from here on conflict only with
 * steps that touch that subsystem.
 */
export function footprint_subsystem_call(token: object): void {
  if (recorder !== null) recorder.subsystem_call(token);
}

/**
 * footprint_precise_task - @t is a kernel daemon whose code tags every
 * shared object it touches until it enters memory code (kswapd before it
 * reclaims). In a scenario declared `footprint: 'memory'`, every other
 * task's steps write FP_MEM; this one's do not, so they can commute with
 * theirs. Call it after creating @t, before its first step.
 */
export function footprint_precise_task(t: { pid: number }): void {
  if (recorder !== null) recorder.precise_task(t.pid);
}

/**
 * footprint_memory_call - a precise task (footprint_precise_task) enters
 * memory code, whose state is not tagged object by object: in a 'memory'
 * scenario its steps write FP_MEM from here on, like every other task's; in
 * any other scenario they are opaque (footprint_untracked_call).
 */
export function footprint_memory_call(): void {
  if (recorder !== null) recorder.memory_call();
}

/** footprint_jiffy_tick - called by the clock when jiffies() changes value. */
export function footprint_jiffy_tick(): void {
  if (recorder !== null) recorder.jiffy_tick();
}

/**
 * Shared objects that are not one kernel object each. The clock's jiffies
 * value (read by jiffies(); written by the steps either side of a tick), the
 * task list (pids and task_struct addresses are handed out in creation
 * order), the timer wheel (timers fire in expiry-then-arming order), the
 * kernel log, and lockdep's dependency graph.
 */
export const FP_JIFFIES = { name: 'jiffies' };
export const FP_TASKLIST = { name: 'tasklist' };
export const FP_TIMERS = { name: 'timer wheel' };
export const FP_LOG = { name: 'printk log' };
export const FP_LOCKDEP = { name: 'lockdep graph' };
/**
 * RCU's state (kernel/rcu/), in three parts. The grace period: its numbers
 * and the quiescent states owed. Every step reads it (the scheduler's RCU
 * hook looks after each step whether a grace period is in progress) and a
 * step taken during one writes it (that CPU's quiescent state). The callback
 * lists (call_rcu(), and the grace period they need). And each CPU's count of
 * readers (rcu_readers_fp()).
 */
export const FP_RCU = { name: 'rcu grace period' };
export const FP_RCU_CALLBACKS = { name: 'rcu callback lists' };

const rcu_readers_tokens: object[] = [];
/** rcu_readers_fp - the shared object that stands for the count of RCU readers on @cpu. */
export function rcu_readers_fp(cpu: number): object {
  return (rcu_readers_tokens[cpu] ??= { name: `rcu readers on CPU ${cpu}` });
}
/**
 * The workqueues' state as one object (kernel/workqueue.ts): the pools, their
 * lists of items and idle workers, the workqueues and their flush colours.
 * A kworker writes it in every step (it runs the pool's loop between its work
 * items); queue_work() and the flush and cancel calls write it.
 */
export const FP_WORKQUEUE = { name: 'workqueue pools' };

/**
 * Memory state, for scenarios declared `footprint: 'memory'` (the course's:
 * their tasks run scenario and learner code that reads and writes kernel
 * objects directly, the i915 lists and objects, pages, LRU and slab lists,
 * shrinkers and their nr_deferred, vmstat). None of that is tagged object by
 * object: every step of such a task writes FP_MEM, so all of them conflict
 * with each other. Only what a precise task (footprint_precise_task) touches
 * before it writes FP_MEM is tagged at every access, by whoever makes it:
 * FP_ZONE and FP_ZONE_FREE (the zone's watermarks and free pages, through the
 * zone object's accessors and the allocator's own tags, kernel/mm/zone.ts) and FP_KSWAPD (kswapd's wait queue, order
 * and task, and pgdat.kswapd_failures).
 */
export const FP_MEM = { name: 'memory state' };
export const FP_ZONE = { name: 'zone watermarks' };
/**
 * The zone's free page count (NR_FREE_PAGES), a counter: frees and the
 * allocator's take add to it (footprint_add with the number of pages), the
 * watermark tests read it as a range (footprint_read_range), and any other
 * read (learner code, zone.free_pages) is a plain read.
 */
export const FP_ZONE_FREE = { name: 'zone free pages' };
export const FP_KSWAPD = { name: 'kswapd state' };
