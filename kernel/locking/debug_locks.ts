// Models: lib/debug_locks.c and include/linux/debug_locks.h (debug_locks,
// debug_locks_off, DEBUG_LOCKS_WARN_ON), v4.11.
//
// One global switch shared by every lock debugging facility: lockdep,
// CONFIG_DEBUG_MUTEXES and CONFIG_DEBUG_SPINLOCK. The first facility that
// reports a problem turns it off, and from then on all of them stay quiet:
// a kernel whose locking is already known to be broken would otherwise
// print an avalanche of follow-on reports. This is why a boot shows at most
// one lockdep splat.
//
// Simplified: no debug_locks_silent (the self-tests' switch) and no
// oops_in_progress check.
import { register_initcall } from '../init/initcall';
import { __warn } from '../panic';

/**
 * debug_locks - lock debugging is still on in this boot. A live binding:
 * it becomes false at the first report of any lock debugging facility.
 */
export let debug_locks = true;

register_initcall('core', 'debug_locks', () => {
  debug_locks = true;
});

/**
 * debug_locks_off - turn lock debugging off. Returns true only for the call
 * that actually turned it off: that caller may print its report, every
 * later caller must stay silent.
 */
export function debug_locks_off(): boolean {
  if (!debug_locks) return false;
  debug_locks = false;
  return true;
}

/**
 * DEBUG_LOCKS_WARN_ON - if @cond holds, WARN with "DEBUG_LOCKS_WARN_ON(@expr)"
 * at @where, but only if lock debugging was still on (and turn it off).
 * Returns @cond, like the kernel macro.
 */
export function DEBUG_LOCKS_WARN_ON(cond: boolean, where: string, expr: string): boolean {
  if (cond && debug_locks_off()) __warn(where, `DEBUG_LOCKS_WARN_ON(${expr})`);
  return cond;
}
