// Models: kernel/time/timekeeping.c and include/linux/jiffies.h, v4.11.
// Simplified: one virtual monotonic clock in nanoseconds. It advances by a
// fixed cost per scheduler step and jumps to the next timer when every task
// sleeps, so "blocked for 120 seconds" costs nothing to simulate. HZ is 1000
// (CONFIG_HZ_1000) unless boot param hz says 250 or 100 (CONFIG_HZ_250, the
// distributions' usual choice, and CONFIG_HZ_100): one jiffy is then 4 or 10
// ms, and code that adds milliseconds to jiffies is wrong by that factor.
// Simplified: constants a module computes from HZ when it loads (workqueue's
// mayday timers, ratelimit's interval) keep their HZ=1000 jiffy counts.
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';
import { FP_JIFFIES, footprint_jiffy_tick, footprint_read } from '../footprint';

export const NSEC_PER_SEC = 1_000_000_000;
/** CONFIG_HZ of the running boot (boot param hz); 1000 until the first boot. */
export let HZ = 1000;
export let NSEC_PER_JIFFY = NSEC_PER_SEC / HZ;
/** Virtual time one scheduler step costs (a few hundred instructions). */
export const STEP_NS = 1_000;
/** The clock does not start at 0 so that dmesg timestamps look like a booted machine's. */
export const BOOT_TIME_NS = 1 * NSEC_PER_SEC;

let clock_ns = BOOT_TIME_NS;

register_initcall('core', 'timekeeping', () => {
  HZ = boot_params().hz;
  NSEC_PER_JIFFY = NSEC_PER_SEC / HZ;
  clock_ns = BOOT_TIME_NS + boot_params().uptime_secs * NSEC_PER_SEC; // (model) a machine up for a while: boot param uptime_secs
});

/** ktime_get_ns - virtual nanoseconds since boot. */
export function ktime_get_ns(): number {
  return clock_ns;
}

/** jiffies - virtual ticks since boot (HZ per second). */
export function jiffies(): number {
  footprint_read(FP_JIFFIES); // its value changes only at a tick (footprint.ts)
  return Math.floor(clock_ns / NSEC_PER_JIFFY);
}

/** Move the clock forward (only the scheduler calls this). */
export function model_clock_advance_to(ns: number): void {
  if (ns <= clock_ns) return;
  if (Math.floor(ns / NSEC_PER_JIFFY) !== Math.floor(clock_ns / NSEC_PER_JIFFY)) footprint_jiffy_tick();
  clock_ns = ns;
}

export function msecs_to_jiffies(ms: number): number {
  return Math.ceil((ms * HZ) / 1000);
}

/** time_after(a, b) - true if jiffies value a is after b. */
export function time_after(a: number, b: number): boolean {
  return a > b;
}
