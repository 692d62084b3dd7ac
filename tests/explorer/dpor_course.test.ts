// Soundness of the partial-order reduction on the course's own scenarios:
// every scenario a check suite explores (course/scenario_registry.ts), built
// with the exercise's reference solution, explored naively (every schedule,
// within the declared bound and without any) and reduced (explorer/dpor.ts,
// bounded and complete). Where the naive search covers its whole space
// within a budget of model steps, the reduced one must find the same
// distinct failures and the same final states, with no more schedules.
// Scenarios bigger than the budget are counted, not compared: the budget is
// in scheduler steps, never in time.
import { describe, expect, it } from 'vitest';
import { load_impl, read_manifest, solution_dir } from '../../course/files';
import { build_checked, scenario_declarations_of, type built_scenario } from '../../course/scenario_registry';
import { explore, type exploration, type explore_options } from '../../explorer/explore';
import type { scenario } from '../../explorer/scenario';
import type { run_result } from '../../kernel/init/main';
import { count_hides_memory, flush_from_reclaim, rcu_hang, shrinker_lock_recursion } from '../../scenarios/thread';

/** Scheduler steps the naive search may spend on one scenario and bound (over all its schedules). */
const NAIVE_STEP_BUDGET = 1500;
/**
 * Bound 1 as well, for scenarios declared at 2 or more, with this budget: most of the
 * course's spaces at bound 2 are over the budget, and at bound 1 the allocating task
 * and kswapd (whose first steps are tagged precisely, 'memory' mode) fit.
 */
const BOUND1_STEP_BUDGET = 4000;
/** The thread's scenarios (scenarios/thread.ts, 'memory' mode): naive steps at bound 1, where their reclaim races begin. */
const THREAD_STEP_BUDGET = 8000;
/** Far above any course scenario's decisions: "every schedule there is". */
const UNBOUNDED = 1000;

/** What a run left behind: how it stopped and its kernel log, without timestamps, as a sorted multiset. */
function final_state(r: run_result): string {
  const lines = r.dmesg.map((l) => l.replace(/^\[\s*\d+\.\d+\]\s*/, '')).sort();
  return `${r.stop}\n${lines.join('\n')}`;
}

/** @b's scenario, with every finished run's final state added to @states. */
function recording(b: built_scenario, states: Set<string>): scenario {
  const sc = b.scenario;
  return {
    ...sc,
    check(r) {
      states.add(final_state(r));
      return sc.check ? sc.check(r) : null;
    },
  };
}

function signatures(x: exploration): string[] {
  return x.failures.map((f) => f.signature).sort();
}

interface course_scenario {
  exercise: string;
  id: string;
  built: built_scenario;
  bound: number;
}

async function course_scenarios(): Promise<course_scenario[]> {
  const out: course_scenario[] = [];
  for (const e of read_manifest().exercises) {
    const decl = scenario_declarations_of(await import(`../../${e.checks}`));
    if (!decl) continue;
    const impl = await load_impl(e, solution_dir(e));
    for (const d of decl.scenarios) {
      const built = build_checked(d, impl);
      out.push({ exercise: e.id, id: d.id, built, bound: built.options?.preemption_bound ?? 2 });
    }
  }
  return out;
}

async function explore_with(c: course_scenario, states: Set<string>, o: explore_options): Promise<exploration> {
  const run = (): Promise<exploration> => explore(recording(c.built, states), { fail_on: c.built.options?.fail_on, stop_on: null, ...o });
  return c.built.around ? c.built.around(run) : run();
}

describe('partial-order reduction on every course scenario that fits the step budget', () => {
  it('finds the same failures and final states as running every schedule (bounded and complete)', async () => {
    const all = await course_scenarios();
    let compared = 0;
    const at_bound1: string[] = [];
    const too_big: string[] = [];
    for (const c of all) {
      for (const mode of ['bounded', 'complete', 'bound 1'] as const) {
        if (mode === 'bound 1' && c.bound < 2) continue;
        const bound = mode === 'bounded' ? c.bound : mode === 'bound 1' ? 1 : UNBOUNDED;
        const naive_states = new Set<string>();
        const naive = await explore_with(c, naive_states, { preemption_bound: bound, max_steps: mode === 'bound 1' ? BOUND1_STEP_BUDGET : NAIVE_STEP_BUDGET });
        if (!naive.exhausted) {
          too_big.push(`${c.id} (${mode})`);
          continue;
        }
        const reduced_states = new Set<string>();
        const reduced = await explore_with(c, reduced_states, { reduction: 'dpor', ...(mode === 'complete' ? { complete: true } : { preemption_bound: bound }) });
        const what = `${c.exercise} ${c.id} (${mode === 'complete' ? 'complete' : `bound ${bound}`})`;
        expect(reduced.exhausted, `${what}: the reduced search finished`).toBe(true);
        expect(signatures(reduced), `${what}: the same distinct failures`).toEqual(signatures(naive));
        expect([...reduced_states].sort(), `${what}: the same final states`).toEqual([...naive_states].sort());
        expect(reduced.schedules, `${what}: never more schedules than the naive search`).toBeLessThanOrEqual(naive.schedules);
        compared++;
        if (mode === 'bound 1') at_bound1.push(c.id);
      }
    }
    console.log(`course scenarios: ${all.length}; ${compared} comparisons within ${NAIVE_STEP_BUDGET} naive steps (${BOUND1_STEP_BUDGET} at bound 1: ${at_bound1.join(', ')}); over the budget: ${too_big.join(', ')}`);
    // The registry's small scenarios (03's free-then-taken paths, 05's and 13's pread ones...) fit,
    // and at bound 1 the allocating task beside kswapd too.
    expect(compared).toBeGreaterThanOrEqual(10);
    // kswapd beside the allocating task holding struct_mutex: 01's and 02's holder-allocates, 03's recursion, 04's waiter-queued.
    const with_kswapd = at_bound1.filter((id) => /holder-allocates|recursion|waiter-queued/.test(id));
    expect(with_kswapd.length, `scenarios with kswapd beside the allocating task compared at bound 1 (compared: ${at_bound1.join(', ')})`).toBeGreaterThanOrEqual(4);
  });
});

describe("partial-order reduction on the thread's scenarios ('memory' mode, as the bench and the playground explore them)", () => {
  it('finds the same failures and final states as running every schedule at bound 1', async () => {
    const thread: scenario[] = [
      rcu_hang('4.10'),
      rcu_hang('4.11'),
      shrinker_lock_recursion('mutex_lock'),
      shrinker_lock_recursion('trylock_recursive'),
      flush_from_reclaim(true),
      flush_from_reclaim(false),
      count_hides_memory('trylock'),
      count_hides_memory('lockfree'),
    ];
    const compared: string[] = [];
    const too_big: string[] = [];
    let kswapd_precise = 0;
    for (const sc of thread) {
      expect(sc.footprint, `${sc.id} declares its footprint`).toBe('memory');
      const built: built_scenario = { scenario: sc };
      const naive_states = new Set<string>();
      const naive = await explore(recording(built, naive_states), { stop_on: null, preemption_bound: 1, max_steps: THREAD_STEP_BUDGET });
      if (!naive.exhausted) {
        too_big.push(sc.id);
        continue;
      }
      const reduced_states = new Set<string>();
      const reduced = await explore(recording(built, reduced_states), { stop_on: null, reduction: 'dpor', preemption_bound: 1 });
      expect(reduced.exhausted, `${sc.id}: the reduced search finished`).toBe(true);
      expect(signatures(reduced), `${sc.id}: the same distinct failures`).toEqual(signatures(naive));
      expect([...reduced_states].sort(), `${sc.id}: the same final states`).toEqual([...naive_states].sort());
      expect(reduced.schedules, `${sc.id}: never more schedules than the naive search`).toBeLessThanOrEqual(naive.schedules);
      // Steps that neither write the memory state nor are opaque: kswapd's precise ones.
      if (reduced.memory_share + reduced.opaque_share < 1) kswapd_precise++;
      compared.push(`${sc.id} (${naive.schedules} -> ${reduced.schedules})`);
    }
    console.log(`thread scenarios at bound 1 within ${THREAD_STEP_BUDGET} naive steps: ${compared.join(', ')}; over the budget: ${too_big.join(', ') || 'none'}`);
    expect(compared.length).toBeGreaterThanOrEqual(6);
    expect(kswapd_precise, 'scenarios where some steps are tagged precisely').toBeGreaterThanOrEqual(4);
  });
});
