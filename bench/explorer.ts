// The interleaving explorer, in this process: exhaustive exploration with
// preemption bound 2 of the thread's scenarios (scenarios/thread.ts).
// Reports schedules per second and scheduler steps per second (steps summed
// over every schedule run). One untimed warm-up exploration first, so the
// numbers are for JIT-compiled code, as in a test run that explores several
// scenarios.
import { explore } from '../explorer/index';
import type { scenario } from '../explorer/scenario';
import { count_hides_memory, rcu_hang, shrinker_lock_recursion } from '../scenarios/thread';
import { now } from './measure';
import { make_row, type row } from './row';

const SCENARIOS: [string, () => scenario][] = [
  ["rcu_hang('4.10')", () => rcu_hang('4.10')],
  ["rcu_hang('4.11')", () => rcu_hang('4.11')],
  ["shrinker_lock_recursion('trylock_recursive')", () => shrinker_lock_recursion('trylock_recursive')],
  ["count_hides_memory('lockfree')", () => count_hides_memory('lockfree')],
];

export async function explorer_rows(reps: number): Promise<row[]> {
  await explore(rcu_hang('4.11'), { preemption_bound: 2 }); // warm-up, not measured
  const rows: row[] = [];
  for (const [name, make] of SCENARIOS) {
    const sched_rate: number[] = [];
    const step_rate: number[] = [];
    let info = '';
    for (let i = 0; i < reps; i++) {
      const t0 = now();
      const r = await explore(make(), { preemption_bound: 2 });
      const s = (now() - t0) / 1000;
      sched_rate.push(r.schedules / s);
      step_rate.push(r.steps / s);
      info = `${r.schedules} schedules, ${r.steps} steps, ${r.exhausted ? 'exhausted' : `NOT exhausted (${r.stopped_by})`}, ${r.failures.length} failure(s)`;
    }
    const key = name.replace(/[^a-z0-9.]+/gi, '_').replace(/_+$/, '');
    rows.push(make_row(`explorer.${key}.schedules`, `explore ${name}, bound 2`, 'schedules/s', sched_rate, { note: info }));
    rows.push(make_row(`explorer.${key}.steps`, `  same, steps`, 'steps/s', step_rate, { floor: 'kernel.pingpong' }));
  }
  return rows;
}
