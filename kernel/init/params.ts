// Models: the kernel command line and sysctls that shape a run (init/main.c,
// kernel/sysctl.c), v4.11. A leaf module: every subsystem may read it.

export interface boot_params {
  /** Number of CPUs (nr_cpu_ids). */
  nr_cpus: number;
  /**
   * Memory nodes (nr_node_ids). The LRU lists and the zone are node 0's; the
   * other nodes exist for per-node shrinker state: a SHRINKER_NUMA_AWARE
   * shrinker's nr_deferred[nid] and the per-node counts of its list_lru.
   */
  nr_node_ids: number;
  /** Seed for the scheduler's random policies and prandom. */
  seed: number;
  /** Give up after this many scheduler steps (a scenario that never ends). */
  max_steps: number;
  /** kernel.panic_on_warn: stop the run at the first WARN. */
  panic_on_warn: boolean;
  /** kernel.panic_on_oops: stop the run at the first BUG/oops (the model's default). */
  panic_on_oops: boolean;
  /** kernel.hung_task_timeout_secs (CONFIG_DEFAULT_HUNG_TASK_TIMEOUT = 120). */
  hung_task_timeout_secs: number;
  /** kernel.hung_task_panic: stop the run at the first hung-task report. */
  hung_task_panic: boolean;
  /** CONFIG_PROVE_LOCKING. */
  lockdep: boolean;
  /**
   * Which release's lockdep: '4.11' (RECLAIM_FS usage bits, set by
   * lockdep_trace_alloc and lockdep_set_current_reclaim_state) or '4.14'
   * (the fs_reclaim pseudo-lock, d92a8cfcb37e). Cross-release implies '4.14'.
   */
  lockdep_release: '4.11' | '4.14';
  /** CONFIG_LOCKDEP_CROSSRELEASE (v4.14 only): lockdep also tracks completions. */
  lockdep_crossrelease: boolean;
  /** Pages of RAM in the single zone. */
  totalram_pages: number;
  /** Swap space in pages (0: no swap, anon pages cannot be reclaimed). */
  swap_pages: number;
  /**
   * The swap space is a file whose filesystem writes it itself (SWP_FILE,
   * set by swapon when the file's a_ops have ->swap_activate: in v4.11 only
   * NFS, swap over NFS). __swap_writepage then writes each page with the
   * file's ->direct_IO instead of a bio, and that write can fail (an NFS
   * request that finds no memory: kernel/nfs/direct.ts). false: a swap
   * partition, written through bios from a mempool, which never fail.
   */
  swap_file: boolean;
  /** Record structured trace events (costs time; the explorer turns it on to replay). */
  trace: boolean;
  /**
   * The i915 shrinker's put of an object's pages takes obj->mm.lock (v4.11
   * __i915_gem_object_put_pages: mutex_lock_nested, a sleeping lock) and is
   * then a schedule point, where a page user on another CPU (pread, dma-buf:
   * i915_gem_object_pin_pages under obj->mm.lock, never struct_mutex) may pin
   * or unpin the pages between the shrinker's decision and the put. Off by
   * default: runs that do not look at that race keep their step counts.
   */
  i915_mm_lock_window: boolean;
  /**
   * (model) How long the machine has been up when the run starts, in
   * seconds: the clock (ktime, jiffies) starts there instead of at 1 s. A
   * real box reclaims after minutes, days or weeks of uptime, and on a 64-bit
   * v4.11 kernel jiffies itself starts near 2^32 (INITIAL_JIFFIES, -300 s
   * as a 32-bit value, include/linux/jiffies.h), so code keyed to "how long
   * since boot" must be tried late as well as early. 0: a fresh boot.
   */
  uptime_secs: number;
  /**
   * (model) The pid of the first task created: pids count up from here
   * (kernel/pid.c alloc_pid hands out the next free number). A desktop's
   * GEM clients (Xorg, firefox) have pids in the thousands, and every task a
   * check makes would otherwise have a small one, so code keyed to the pid
   * must be tried with large ones too. 1: the model's usual numbering. An
   * offset that is a multiple of nr_cpus keeps every task on the CPU it had
   * (a task runs on pid % nr_cpus unless placed).
   */
  first_pid: number;
  /**
   * CONFIG_HZ: timer ticks per second, 1000, 250 or 100 (kernel/Kconfig.hz;
   * 300 is left out: a jiffy would not be a whole number of nanoseconds).
   * Distribution kernels mostly build with 250. Code that converts
   * milliseconds with msecs_to_jiffies() is right at every HZ; code that
   * adds milliseconds to jiffies is right only at 1000.
   */
  hz: number;
  /**
   * BITS_PER_LONG of the kernel: 64 (x86-64) or 32 (i386: i915 builds there
   * too). jiffies is an unsigned long: on 32 bits it starts at
   * INITIAL_JIFFIES, (unsigned long)(unsigned int)(-300 * HZ)
   * (include/linux/jiffies.h), and wraps to 0 five minutes after boot, which
   * is why time_after() and friends exist: `jiffies() > deadline` is wrong
   * across the wrap, time_after(jiffies(), deadline) is right. 64: jiffies
   * counts from 0 and never wraps (a model deviation: see timekeeping.ts).
   */
  bits_per_long: 32 | 64;
}

export const default_boot_params: Readonly<boot_params> = Object.freeze({
  nr_cpus: 2,
  nr_node_ids: 1,
  seed: 1,
  max_steps: 200_000,
  panic_on_warn: false,
  panic_on_oops: true,
  hung_task_timeout_secs: 120,
  hung_task_panic: false,
  lockdep: true,
  lockdep_release: '4.11',
  lockdep_crossrelease: false,
  totalram_pages: 4096,
  swap_pages: 0,
  swap_file: false,
  trace: false,
  i915_mm_lock_window: false,
  uptime_secs: 0,
  first_pid: 1,
  hz: 1000,
  bits_per_long: 64,
});

let params: boot_params = { ...default_boot_params };

/** The parameters of the running boot. */
export function boot_params(): Readonly<boot_params> {
  return params;
}

/** Set by start_kernel() before the initcalls run. */
export function model_set_boot_params(p: Partial<boot_params>): void {
  if (p.hz !== undefined && ![100, 250, 1000].includes(p.hz)) {
    throw new Error(`boot param hz ${p.hz}: CONFIG_HZ is 100, 250 or 1000 in the model`);
  }
  if (p.bits_per_long !== undefined && p.bits_per_long !== 32 && p.bits_per_long !== 64) {
    throw new Error(`boot param bits_per_long ${String(p.bits_per_long)}: BITS_PER_LONG is 32 or 64`);
  }
  params = { ...default_boot_params, ...p };
}
