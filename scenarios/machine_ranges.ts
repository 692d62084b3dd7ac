// The whole range of what a machine can be, for the checks' generated
// workloads: pids, CPUs, convoys on a lock, uptime. Each close of a "keyed to
// a number" answer (pid >= 300, CPU >= 2, two or more waiters, up between an
// hour and 46 days) added a few points past the last answer tried, and the
// next answer keyed to "one past the largest we draw" passed (red team 11,
// 12). A suite now draws these from everything the kernel allows, and runs
// its decisive workload at the top of each range too: an answer that changes
// anywhere in the range meets a workload on the other side.
import { fc } from '../course/workload';
import { PID_MAX_LIMIT } from '../kernel/sched/core';

export { PID_MAX_LIMIT };

/** The largest pid a 64-bit v4.11 kernel hands out (pid_max raised to PID_MAX_LIMIT, include/linux/threads.h). */
export const LARGEST_PID = PID_MAX_LIMIT - 1;

/**
 * The most CPUs drawn: x86-64's NR_CPUS without MAXSMP goes up to 512
 * (arch/x86/Kconfig). MAXSMP's 8192 costs the model ~0.7 s a boot (a
 * workqueue pool per CPU), so it is an example, not a draw.
 */
export const NR_CPUS_DRAWN_MAX = 512;
/** x86-64's NR_CPUS with CONFIG_MAXSMP. */
export const NR_CPUS_MAXSMP = 8192;

/**
 * The longest convoy drawn on a lock: a loaded desktop's every GL client
 * queued on struct_mutex. The kernel sets no bound (each waiter is a task);
 * what a shrinker answers must not depend on the count at all, and the
 * checks judge every convoy by the same rule as one waiter.
 */
export const CONVOY_MAX = 64;

/**
 * The longest uptime drawn, in seconds: 104 days, past 2^32 ticks at
 * HZ=1000 (49.7 days, the period of a 32-bit jiffies; v4.11 starts jiffies
 * at INITIAL_JIFFIES, 300 s before a 32-bit value wraps, include/linux/jiffies.h,
 * which the model does not). The model's clock counts nanoseconds in a
 * double, exact up to 2^53 ns (104.2 days): the model's limit, not the kernel's.
 */
export const UPTIME_MAX_SECS = 9_000_000;

/** A first pid anywhere in the pid space (the model wraps past LARGEST_PID to RESERVED_PIDS, as alloc_pidmap does). */
export const arb_first_pid: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1, LARGEST_PID - 255, LARGEST_PID),
  fc.integer({ min: 1, max: LARGEST_PID }),
);

/** CPUs anywhere from 2 to NR_CPUS_DRAWN_MAX (both ends included). */
export const arb_nr_cpus: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(2, 8, NR_CPUS_DRAWN_MAX), fc.integer({ min: 2, max: NR_CPUS_DRAWN_MAX }));

/** A convoy of 0 to CONVOY_MAX tasks: mostly short, with a long tail up to the longest. */
export const arb_convoy: fc.Arbitrary<number> = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(CONVOY_MAX), fc.integer({ min: 4, max: CONVOY_MAX })) },
);

/** An uptime anywhere from a fresh boot to UPTIME_MAX_SECS, the ends and 2^32 jiffies included. */
export const arb_uptime_secs: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 4_294_968, UPTIME_MAX_SECS),
  fc.integer({ min: 0, max: UPTIME_MAX_SECS }),
);

/** A machine: boot params nr_cpus, first_pid and uptime_secs. */
export interface machine {
  nr_cpus: number;
  first_pid: number;
  uptime_secs: number;
}

/** A machine drawn from the whole range of each. */
export const arb_machine: fc.Arbitrary<machine> = fc.record({ nr_cpus: arb_nr_cpus, first_pid: arb_first_pid, uptime_secs: arb_uptime_secs });

/**
 * Tasks numbered from here hold the top 256 pids: a check's boot makes fewer
 * than 256 tasks before the one it judges (kthreads, kworkers, the workload's
 * tasks), so that one's pid is within 255 of LARGEST_PID; any past the top
 * wrap to RESERVED_PIDS. On 512 or 8192 CPUs those pids sit on CPUs 256+ and
 * 7936+ (pid % nr_cpus).
 */
export const TOP_FIRST_PID = LARGEST_PID - 255;

/** The top of every range at once: the most CPUs drawn, the top pids, the longest uptime. */
export const LARGEST_MACHINE: machine = { nr_cpus: NR_CPUS_DRAWN_MAX, first_pid: TOP_FIRST_PID, uptime_secs: UPTIME_MAX_SECS };

/** Boot params of @m (for run_once / start_kernel). */
export function machine_params(m: machine | undefined): { nr_cpus?: number; first_pid?: number; uptime_secs?: number } {
  return m ? { nr_cpus: m.nr_cpus, first_pid: m.first_pid, uptime_secs: m.uptime_secs } : {};
}

/** For workload descriptions ('' for the usual machine). */
export function describe_machine_range(m: machine | undefined): string {
  return m ? `; a machine of ${m.nr_cpus} CPUs up ${m.uptime_secs} s, tasks numbered from pid ${m.first_pid} (each on CPU pid % ${m.nr_cpus})` : '';
}
