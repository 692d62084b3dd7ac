// Models: kernel/time/timekeeping.c and include/linux/jiffies.h, v4.11.
// Simplified: one virtual monotonic clock in nanoseconds. It advances by a
// fixed cost per scheduler step and jumps to the next timer when every task
// sleeps, so "blocked for 120 seconds" costs nothing to simulate. HZ is 1000
// (CONFIG_HZ_1000) unless boot param hz says 250 or 100 (CONFIG_HZ_250, the
// distributions' usual choice, and CONFIG_HZ_100): one jiffy is then 4 or 10
// ms, and code that adds milliseconds to jiffies is wrong by that factor.
// Simplified: constants a module computes from HZ when it loads (workqueue's
// mayday timers, ratelimit's interval) keep their HZ=1000 jiffy counts.
//
// jiffies: an unsigned long (include/linux/jiffies.h). The kernel starts it
// at INITIAL_JIFFIES, (unsigned long)(unsigned int)(-300 * HZ): on a 32-bit
// kernel (boot param bits_per_long 32) jiffies wraps to 0 five minutes after
// boot, so that code comparing jiffies without time_after() breaks early, and
// so it does here: jiffies() is then that 32-bit value, wrapping, and
// time_after()/time_before() compare by the signed difference, right across
// the wrap. MODEL DEVIATION: on 64 bits (the default) jiffies starts at 0,
// not at INITIAL_JIFFIES (2^32 - 300 * HZ, which on 64 bits never wraps):
// starting there moves every jiffies value the runs print (see
// lessons/sources.md). The model's own clock work (the scheduler's timeouts,
// timers, khungtaskd, the page writeback queue) counts model_ticks(), HZ
// ticks since the clock's zero, which never wraps.
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
  bits_per_long = boot_params().bits_per_long;
  jiffies_at_zero = bits_per_long === 32 ? INITIAL_JIFFIES() : 0;
  clock_ns = BOOT_TIME_NS + boot_params().uptime_secs * NSEC_PER_SEC; // (model) a machine up for a while: boot param uptime_secs
});

/** ktime_get_ns - virtual nanoseconds since boot. */
export function ktime_get_ns(): number {
  return clock_ns;
}

/** INITIAL_JIFFIES - (unsigned long)(unsigned int)(-300 * HZ): 2^32 - 300 * HZ, five minutes before a 32-bit wrap. */
export function INITIAL_JIFFIES(): number {
  return 2 ** 32 - 300 * HZ;
}

/** BITS_PER_LONG of the running boot (boot param bits_per_long). */
let bits_per_long: 32 | 64 = 64;
/** What jiffies_64 was at the clock's zero: INITIAL_JIFFIES on 32 bits, 0 on 64 (the deviation above). */
let jiffies_at_zero = 0;

/**
 * model_ticks - the model clock in jiffies since its zero (HZ per second):
 * the count the scheduler, the timers and khungtaskd keep their deadlines
 * in. It never wraps; on 64 bits it equals jiffies(). Not what kernel code
 * reads: that is jiffies().
 */
export function model_ticks(): number {
  footprint_read(FP_JIFFIES); // its value changes only at a tick (footprint.ts)
  return Math.floor(clock_ns / NSEC_PER_JIFFY);
}

/** get_jiffies_64 - jiffies_64: the 64-bit count whose low BITS_PER_LONG bits are jiffies (never wraps). */
export function get_jiffies_64(): number {
  return model_ticks() + jiffies_at_zero;
}

/** jiffies - the tick count, an unsigned long: on 32 bits it wraps to 0 five minutes after boot. */
export function jiffies(): number {
  const j = get_jiffies_64();
  return bits_per_long === 32 ? j % 2 ** 32 : j;
}

/**
 * The signed difference @a - @b of two jiffies values, as C's (long)(a - b)
 * computes it in unsigned long arithmetic: right across a wrap while the
 * two are less than LONG_MAX ticks apart. (JavaScript does not wrap a sum:
 * `jiffies() + 5000` may pass 2^32 on 32 bits; the difference is still right.)
 */
export function model_jiffies_delta(a: number, b: number): number {
  return bits_per_long === 32 ? (a - b) | 0 : a - b;
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

/** time_after(a, b) - true if jiffies value @a is after @b: (long)((b) - (a)) < 0, right across the wrap. */
export function time_after(a: number, b: number): boolean {
  return model_jiffies_delta(b, a) < 0;
}
/** time_before(a, b) - time_after(b, a). */
export function time_before(a: number, b: number): boolean {
  return time_after(b, a);
}
/** time_after_eq(a, b) - (long)((a) - (b)) >= 0. */
export function time_after_eq(a: number, b: number): boolean {
  return model_jiffies_delta(a, b) >= 0;
}
/** time_before_eq(a, b) - time_after_eq(b, a). */
export function time_before_eq(a: number, b: number): boolean {
  return time_after_eq(b, a);
}
/** time_is_before_jiffies(a) - time_after(jiffies, a): @a is in the past. */
export function time_is_before_jiffies(a: number): boolean {
  return time_after(jiffies(), a);
}
/** time_is_after_jiffies(a) - time_before(jiffies, a): @a is in the future. */
export function time_is_after_jiffies(a: number): boolean {
  return time_before(jiffies(), a);
}
