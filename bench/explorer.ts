// The interleaving explorer, in this process: exhaustive exploration with
// preemption bound 2 of the thread's scenarios (scenarios/thread.ts).
// Reports schedules per second and scheduler steps per second (steps summed
// over every schedule run). One untimed warm-up exploration first, so the
// numbers are for JIT-compiled code, as in a test run that explores several
// scenarios.
import { explore, type exploration } from '../explorer/index';
import type { scenario } from '../explorer/scenario';
import { count_hides_memory, rcu_hang, shrinker_lock_recursion } from '../scenarios/thread';
import { abba_mutex, owner_word_recursion } from '../tests/explorer/mutex_fixtures';
import { now } from './measure';
import { make_row, type row } from './row';

/** Scenarios whose tasks share only tagged kernel objects (footprint: 'tagged'): where the reduction applies today. */
const TAGGED: [string, () => scenario][] = [
  ['abba_mutex (tagged)', () => ({ ...abba_mutex(true, true), footprint: 'tagged' })],
  ['owner_word_recursion (tagged)', () => ({ ...owner_word_recursion(true), footprint: 'tagged' })],
];

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

/** Budget for complete exploration in the bench: past it, the row says "not exhausted" and the space is at least this big. */
const COMPLETE_BUDGET = { max_schedules: 3000 };

function signatures(x: exploration): string {
  return x.failures
    .map((f) => f.signature)
    .sort()
    .join(' | ');
}

/**
 * explorer_reduction_rows - partial-order reduction (explorer/dpor.ts) on the
 * same scenarios: schedules to exhaust bound 2 before (naive) and after
 * (reduced), whether the same failures were found, whether complete
 * exploration (every interleaving up to equivalence) finishes within
 * COMPLETE_BUDGET and in how many schedules, its rates, and the share of
 * steps whose footprint was unknown (each such step conflicts with every
 * other, which is what limits the reduction).
 */
export async function explorer_reduction_rows(reps: number): Promise<row[]> {
  await explore(rcu_hang('4.11'), { preemption_bound: 2, reduction: 'dpor' }); // warm-up, not measured
  const rows: row[] = [];
  for (const [name, make] of [...SCENARIOS, ...TAGGED]) {
    const key = name.replace(/[^a-z0-9.]+/gi, '_').replace(/_+$/, '');
    const naive = await explore(make(), { preemption_bound: 2 });
    const sched_rate: number[] = [];
    const step_rate: number[] = [];
    let reduced: exploration | null = null;
    for (let i = 0; i < reps; i++) {
      const t0 = now();
      reduced = await explore(make(), { preemption_bound: 2, reduction: 'dpor' });
      const s = (now() - t0) / 1000;
      sched_rate.push(reduced.schedules / s);
      step_rate.push(reduced.steps / s);
    }
    const r = reduced!;
    const same = signatures(r) === signatures(naive) ? 'same failures' : `DIFFERENT failures (naive: ${signatures(naive) || 'none'}; reduced: ${signatures(r) || 'none'})`;
    rows.push(
      make_row(`explorer.${key}.reduced.schedules`, `explore ${name}, bound 2, reduced`, 'schedules/s', sched_rate, {
        note: `${r.schedules} schedules vs ${naive.schedules} naive (${(naive.schedules / Math.max(r.schedules, 1)).toFixed(2)}x fewer), ${r.exhausted ? 'exhausted' : `NOT exhausted (${r.stopped_by})`}, ${same}, ${(r.opaque_share * 100).toFixed(0)}% of steps opaque`,
      }),
    );
    rows.push(make_row(`explorer.${key}.reduced.steps`, `  same, steps`, 'steps/s', step_rate, { floor: 'kernel.pingpong' }));
    const t0 = now();
    const all = await explore(make(), { reduction: 'dpor', complete: true, ...COMPLETE_BUDGET });
    const s = (now() - t0) / 1000;
    rows.push(
      make_row(`explorer.${key}.complete.schedules`, `explore ${name}, complete`, 'schedules/s', [all.schedules / s], {
        note: all.exhausted
          ? `every interleaving: ${all.schedules} schedules in ${s.toFixed(2)} s, ${all.failures.length} failure(s)`
          : `NOT finished: more than ${all.schedules} schedules (${all.stopped_by}) in ${s.toFixed(2)} s; ${(all.opaque_share * 100).toFixed(0)}% of steps opaque`,
      }),
    );
  }
  return rows;
}
