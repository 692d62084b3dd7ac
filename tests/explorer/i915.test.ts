// The explorer on the thread's own bugs (issue: explorer, "Proof"): it finds
// the v4.10 RCU hang and the mutex_lock-in-shrinker deadlock within
// preemption bound 2, finds nothing on the fixed variants, and covers the
// whole space in both cases.
import { describe, expect, it } from 'vitest';
import { explore } from '../../explorer/index';
import { rcu_hang, shrinker_lock_recursion } from '../../scenarios/thread';

describe('explorer on the i915 shrinker scenarios', () => {
  it('finds the v4.10 hang within bound 2, and exhausts the space', async () => {
    const e = await explore(rcu_hang('4.10'), { preemption_bound: 2 });
    expect(e.exhausted).toBe(true);
    expect(e.failures.map((f) => f.kind)).toContain('hung_task');
  });

  it('finds nothing on v4.11 within bound 2, and says the space was exhausted', async () => {
    const e = await explore(rcu_hang('4.11'), { preemption_bound: 2 });
    expect(e.exhausted).toBe(true);
    expect(e.covered_bound).toBe(2);
    expect(e.schedules).toBeGreaterThan(100);
    expect(e.failures).toEqual([]);
  });

  it('finds the self-deadlock of a shrinker that uses mutex_lock, with the cycle', async () => {
    const e = await explore(shrinker_lock_recursion('mutex_lock'), { preemption_bound: 2 });
    expect(e.exhausted).toBe(true);
    const dl = e.failures.find((f) => f.kind === 'deadlock');
    expect(dl).toBeDefined();
    expect(dl!.report.lines.join('\n')).toContain('wait-for cycle');
  });

  it('finds nothing when the shrinker uses mutex_trylock_recursive, and exhausts the space', async () => {
    const e = await explore(shrinker_lock_recursion('trylock_recursive'), { preemption_bound: 2 });
    expect(e.exhausted).toBe(true);
    expect(e.failures).toEqual([]);
  });
});
