// Progress a shrinker callback reports to reclaim, and through where
// (red team 13's report_via_reclaim_state).
//
// v4.11 mm/vmscan.c shrink_node(): sc->nr_reclaimed grows by the LRU pages
// freed and by current->reclaim_state->reclaimed_slab, which only the slab
// allocator adds to (mm/slab.c kmem_freepages, mm/slub.c __free_slab) when it
// frees a slab page during reclaim. A shrinker's callbacks report through
// their return values (count: what could be freed; scan: what was freed, to
// do_shrink_slab()), never through reclaim_state: the pages a shrinker
// releases are not all free (a needed buffer's shmem pages go back to the
// LRU, still allocated, until reclaim writes them to swap).
//
// The field is one any code can write, so the judge reads the model's own
// record of what the slab allocator counted (kernel/mm/slab.ts
// model_slab_counted) and compares. (The model's shrink_node() makes the same
// comparison for whole reclaim passes: vmscan.ts.)
import { fail, type check_context, type check_outcome, type exercise_impl } from '../course/checks';
import { model_slab_counted } from '../kernel/mm/slab';
import { current } from '../kernel/sched/core';

/**
 * watch_reclaim_progress - from now until stop(), watch what the current
 * task's reclaim_state gains; stop(@fn) returns a reviewer's message when it
 * gained anything the slab allocator did not count, or was replaced (null: as it should be).
 */
export function watch_reclaim_progress(): { stop(fn: string): string | null } {
  const t = current;
  const rs = t.reclaim_state;
  const field_before = rs?.reclaimed_slab ?? 0;
  const slab_before = rs ? model_slab_counted(rs) : 0;
  return {
    stop(fn) {
      if (t.reclaim_state !== rs) {
        return `${fn} replaced current->reclaim_state: that record belongs to the reclaim pass that set it (__perform_reclaim(), kswapd), ` +
          'which reads it after shrink_slab() returns. A shrinker reports through its return value alone.';
      }
      if (!rs) return null;
      const added = rs.reclaimed_slab - field_before;
      const by_slab = model_slab_counted(rs) - slab_before;
      if (added === by_slab) return null;
      return `${fn} changed current->reclaim_state->reclaimed_slab by ${added}, where the slab allocator counted ${by_slab} slab page(s) it freed during the call. ` +
        'That counter is the slab allocator\'s: shrink_node() adds it to sc->nr_reclaimed as pages freed, so anything else put there is progress reclaim did not make ' +
        '(a needed buffer\'s pages go back to shmem and the LRU still allocated): direct reclaim stops short and the allocation\'s retry finds no free page, ' +
        'should_reclaim_retry() sees progress and loops, the OOM killer is held off, kswapd believes its target met and sleeps. ' +
        'A shrinker tells reclaim what it released through its return value (do_shrink_slab()), and nowhere else.';
    },
  };
}

/**
 * reclaim_progress_recorder - for a suite whose judged calls each run inside watch_reclaim_progress(): record() takes
 * each call's stop() answer, and judging(checks) wraps each check so that, when its own verdict is a pass, the first lie
 * recorded during it fails it, with @explanation (what the exercise's function reports, and to whom) on the next line.
 * The check's own verdict comes first: a wrong answer it shows keeps its message.
 */
export function reclaim_progress_recorder(explanation: string) {
  let lies: string[] = [];
  return {
    record(lie: string | null): void {
      if (lie) lies.push(lie);
    },
    judging<T extends { run: (impl: exercise_impl, ctx: check_context) => Promise<check_outcome> }>(checks: T[]): T[] {
      return checks.map((c) => ({
        ...c,
        async run(impl: exercise_impl, ctx: check_context): Promise<check_outcome> {
          lies = [];
          const out = await c.run(impl, ctx);
          const lie = lies[0];
          lies = [];
          return out.ok && lie ? fail(`${lie}\n  ${explanation}`) : out;
        },
      }));
    },
  };
}
