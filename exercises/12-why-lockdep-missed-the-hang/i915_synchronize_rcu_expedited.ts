// Exercise 12: why lockdep missed the hang.
// Read lessons/12-why-lockdep-missed-the-hang.md first.
//
// The v4.10 shrinker waited for an expedited RCU grace period after "unlock
// if we locked", so in the nested case it waited while the outer frame held
// struct_mutex (exercise 09). Andrea Arcangeli's machine hung there, and
// lockdep, which was on, printed nothing: "I didn't get any lockdep warning".
//
// This is the grace-period wait as i915's shrinker calls it. The checks plug
// it into the shrinker of v4.10, v4.11 and v4.12 and take every path into
// it, with lockdep on; kworkers can be created, so nothing has to hang.
//
// Check your work: npx shrinker-lab run 12
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { synchronize_rcu_expedited } from '../../kernel/rcu/update';

/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915.
 *
 * TODO: lockdep records what a task holds when it takes a lock, and nothing
 * when it sleeps in wait_event(). This wait can only end once a work item on
 * system_wq has run, and that work item can sit behind another one of this
 * driver that takes struct_mutex. Tell lockdep what this wait depends on, the
 * way the workqueue code tells it about its own waits, so that the
 * dependency is reported in any run where it exists, hang or no hang. It
 * must stay the same wait.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  void i915;
  await synchronize_rcu_expedited();
}
