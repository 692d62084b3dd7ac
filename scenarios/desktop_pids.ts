// Pids a desktop's tasks have (boot param first_pid, kernel/init/params.ts).
// The model numbers a boot's tasks from 1, so every task a check made had a
// small pid, and an answer keyed to the caller's pid (the starter's bug only
// for pids >= 300) passed every check that never tried a large one (red team
// 11). A GEM client on a desktop (Xorg, firefox) has a pid in the thousands;
// on a big server pid_max goes up to 4194304. What a shrinker does must not
// change with the pid: suites run their decisive workloads with these too.

/**
 * First pids: a desktop's (4001) and a big server's (past PID_MAX_DEFAULT,
 * 32768). Offsets from 1 are multiples of 8, so on machines of 2, 4 or 8
 * CPUs every task stays on the CPU it has with the usual numbering.
 */
export const DESKTOP_FIRST_PIDS = [4001, 4_000_001] as const;

/** For workload descriptions: from which pid the tasks are numbered ('' for the usual numbering from 1). */
export function describe_first_pid(first_pid: number | undefined): string {
  return first_pid && first_pid !== 1 ? `; tasks numbered from pid ${first_pid}` : '';
}
