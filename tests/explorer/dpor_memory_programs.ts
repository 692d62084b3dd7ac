// Small generated programs over the page allocator and kswapd, for the
// partial-order reduction's 'memory' mode (explorer/scenario.ts): two or
// three tasks allocate and free pages around the low watermark (waking
// kswapd, whose first steps are tagged precisely and may commute with
// theirs), read the zone's free pages, and share plain JavaScript variables
// that no tag describes (as learner code and workloads do). Nothing here is
// tagged by the program itself: the 'memory' rule (every step of a task that
// is not precise writes FP_MEM) must order all of it.
import fc from 'fast-check';
import { user_task } from '../../kernel/fork';
import { MAX_RECLAIM_RETRIES } from '../../kernel/mm/internal';
import { kswapd_thread } from '../../kernel/mm/kswapd';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import type { page } from '../../kernel/mm/mm_types';
import { __free_pages, alloc_pages } from '../../kernel/mm/page_alloc';
import { pgdat } from '../../kernel/mm/vmscan';
import { vm_events } from '../../kernel/mm/vmstat';
import { low_wmark_pages, zone } from '../../kernel/mm/zone';
import { WARN } from '../../kernel/panic';
import { cond_resched } from '../../kernel/sched/core';
import type { scenario } from '../../explorer/scenario';

/** Pages a 'release' gives back: from the low watermark, past the high one (256-page machine: low 40, high 48). */
const RELEASED = 10;

export type memory_op =
  | { op: 'alloc'; n: number }
  | { op: 'free' }
  | { op: 'peek' }
  | { op: 'release' }
  | { op: 'inc' }
  | { op: 'warn_if'; k: number }
  | { op: 'yield' };

export interface memory_program {
  /** Free pages above the low watermark when the tasks start. */
  headroom: number;
  tasks: memory_op[][];
}

const one: fc.Arbitrary<memory_op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('alloc' as const), n: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'free' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'peek' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'release' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'inc' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('warn_if' as const), k: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'yield' as const }) },
);

/** memory_program_arb - 2-3 tasks of 1-3 operations, starting 0-1 pages above the low watermark. */
export function memory_program_arb(): fc.Arbitrary<memory_program> {
  return fc.record({
    headroom: fc.integer({ min: 0, max: 1 }),
    tasks: fc.array(fc.array(one, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }),
  });
}

export function describe_memory_program(p: memory_program): string {
  const op = (o: memory_op): string => {
    switch (o.op) {
      case 'alloc':
        return `alloc_pages(GFP_KERNEL) x${o.n}`;
      case 'free':
        return '__free_pages(last)';
      case 'peek':
        return 'seen = zone.free_pages';
      case 'release':
        return 'zone.free_pages += 10';
      case 'inc':
        return 'x++';
      case 'warn_if':
        return `WARN(x == ${o.k})`;
      case 'yield':
        return 'cond_resched()';
    }
  };
  return `low+${p.headroom}: ` + p.tasks.map((t, i) => `t${i}: ${t.map(op).join('; ')}`).join(' | ');
}

/**
 * memory_program_scenario - the scenario running @p, declared 'memory'.
 * Each finished run's final state (the plain variables, what each peek saw,
 * the zone's free pages, kswapd's state and counters, how each task ended)
 * is added to @final_states.
 */
export function memory_program_scenario(id: string, p: memory_program, final_states: Set<string>): scenario {
  let state: { x: number; seen: string[]; tasks: Array<{ exit_state: string }> } | null = null;
  return {
    id,
    footprint: 'memory',
    params: { totalram_pages: 256 },
    setup() {
      // The zone starts @headroom pages above the low watermark (set before any task runs).
      zone.free_pages = low_wmark_pages(zone) + p.headroom;
      // kswapd gives up after one balance round that frees nothing (its v4.12 rule, one failure short): runs stay short.
      pgdat.kswapd_failures = MAX_RECLAIM_RETRIES - 1;
      const s = { x: 0, seen: [] as string[], tasks: [] as Array<{ exit_state: string }> };
      const run = async (o: memory_op, i: number, held: page[]): Promise<void> => {
        switch (o.op) {
          case 'alloc':
            for (let k = 0; k < o.n; k++) {
              const pg = await alloc_pages(GFP_KERNEL, 0);
              if (pg) held.push(pg);
            }
            return;
          case 'free': {
            const pg = held.pop();
            if (pg) __free_pages(pg, 0);
            return;
          }
          case 'peek':
            s.seen.push(`t${i}:${zone.free_pages}`);
            return;
          case 'release':
            // Pages come back from elsewhere (a batch freed): enough to balance the zone.
            zone.free_pages += RELEASED;
            return;
          case 'inc':
            s.x = s.x + 1;
            return;
          case 'warn_if':
            WARN(s.x === o.k, `program: x is ${o.k}`, `x == ${o.k}`);
            return;
          case 'yield':
            await cond_resched();
            return;
        }
      };
      s.tasks = p.tasks.map((ops, i) =>
        user_task(async () => {
          const held: page[] = [];
          for (const o of ops) await run(o, i, held);
        }, `t${i}`),
      );
      state = s;
    },
    check() {
      const s = state!;
      const k = kswapd_thread();
      final_states.add(
        `x=${s.x} seen=${s.seen.join(',')} free=${zone.free_pages} kswapd=${k ? k.state : 'none'} failures=${pgdat.kswapd_failures} ` +
          `pageoutrun=${vm_events.pageoutrun} quick=${vm_events.kswapd_high_wmark_hit_quickly} / ${s.tasks.map((t) => t.exit_state).join(',')}`,
      );
      return null;
    },
  };
}
