// How long the machine has been up when a check's run starts (boot param
// uptime_secs, kernel/init/params.ts). Every machine the checks boot is
// fresh unless told otherwise, so an answer keyed to "time since boot"
// (wait only early on, pin only in the first minutes) passed every check
// that never tried a late uptime (red team 10). The rules a shrinker follows
// do not change with the uptime; suites run their decisive workloads at
// these uptimes too.

/** Late uptimes, in seconds: past the first ten minutes, and past 2^32 jiffies (49.7 days at HZ=1000, where a 32-bit jiffies wraps). */
export const LATE_UPTIMES_SECS = [601, 4_294_968] as const;

/** For workload descriptions: how long the machine had been up ('' for a fresh boot). */
export function describe_uptime(uptime_secs: number | undefined): string {
  return uptime_secs ? `; the machine up for ${uptime_secs} s` : '';
}

/**
 * Uptimes between those: an hour, a day and thirty days (each plus a
 * second). Red team 11's count left the bound list out only while the
 * machine had been up between one hour and 46 days, a window both late
 * uptimes miss: a suite whose answer is read off the clock at all runs one
 * uptime in each order of magnitude. (01 runs these; the other suites run
 * LATE_UPTIMES_SECS only.)
 */
export const UPTIMES_BETWEEN_SECS = [3_601, 86_401, 2_592_001] as const;
