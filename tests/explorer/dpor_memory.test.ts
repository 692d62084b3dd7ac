// Soundness of the partial-order reduction's 'memory' mode (explorer/
// scenario.ts, kernel/footprint.ts FP_MEM): on generated programs over the
// page allocator, kswapd and plain shared variables (fast-check, fixed seed),
// the reduced explorer must find the same distinct failures and the same
// final states as the naive one that runs every schedule. The programs
// share state no tag describes, so only kswapd's precisely tagged first
// steps may commute with the tasks' steps. Budgets are in schedules, never
// in time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore, type exploration } from '../../explorer/explore';
import { describe_memory_program, memory_program_arb, memory_program_scenario } from './dpor_memory_programs';

/** Far above any generated program's depth: the naive search then runs every schedule there is. */
const UNBOUNDED = 1000;
const NAIVE_BUDGET = 3000;

function signatures(x: exploration): string[] {
  return x.failures.map((f) => f.signature).sort();
}

describe("partial-order reduction in 'memory' mode on generated allocator programs (kswapd woken at the low watermark)", () => {
  for (const bound of ['complete', 2] as const) {
    it(`the same failures and final states as every schedule, fewer schedules (${bound === 'complete' ? 'complete exploration' : `bound ${bound}`})`, async () => {
      let naive_total = 0;
      let reduced_total = 0;
      let programs = 0;
      let with_kswapd = 0;
      await fc.assert(
        fc.asyncProperty(memory_program_arb(), async (p) => {
          const what = describe_memory_program(p);
          const naive_states = new Set<string>();
          const reduced_states = new Set<string>();
          const naive = await explore(memory_program_scenario('generated-memory', p, naive_states), { preemption_bound: bound === 'complete' ? UNBOUNDED : bound, max_schedules: NAIVE_BUDGET });
          fc.pre(naive.exhausted);
          const reduced = await explore(memory_program_scenario('generated-memory', p, reduced_states), {
            reduction: 'dpor',
            ...(bound === 'complete' ? { complete: true } : { preemption_bound: bound }),
            max_schedules: NAIVE_BUDGET,
          });
          expect(reduced.exhausted, `${what}: the reduced search finished`).toBe(true);
          expect(signatures(reduced), `${what}: the same distinct failures`).toEqual(signatures(naive));
          expect([...reduced_states].sort(), `${what}: the same final states`).toEqual([...naive_states].sort());
          expect(reduced.schedules, `${what}: never more schedules than the naive search`).toBeLessThanOrEqual(naive.schedules);
          naive_total += naive.schedules;
          reduced_total += reduced.schedules;
          programs++;
          if ([...naive_states].some((s) => !s.includes('kswapd=none'))) with_kswapd++;
        }),
        { seed: 20261207, numRuns: bound === 'complete' ? 30 : 40, endOnFailure: true },
      );
      console.log(`generated memory programs (${bound}): ${programs} programs (${with_kswapd} wake kswapd), naive ${naive_total} schedules, reduced ${reduced_total}`);
      expect(programs).toBeGreaterThan(bound === 'complete' ? 20 : 30);
      expect(with_kswapd).toBeGreaterThan(programs / 3);
      expect(reduced_total).toBeLessThan(naive_total);
    });
  }
});
