// The watch of the judged code (explorer/your_code.ts) keeps only the boots
// a reader uses: the last one in which the judged code ran, and the latest.
// An explaining run may boot many machines, each with thousands of events;
// keeping every one was memory nobody read.
import { describe, expect, it } from 'vitest';
import type { trace_event } from '../../kernel/trace/trace';
import { watch_judged_code, type judged_code_watch } from '../../explorer/your_code';

let step = 0;
function ev(event: string, comm = 'check', pid = 7): trace_event {
  return { step: step++, ts_ns: step * 1000, cpu: 0, pid, comm, event, fields: { boot_marker: step } };
}

/** A boot in which the judged code ran (a bracketed call with one event inside), tagged @tag. */
function boot_that_ran(w: judged_code_watch, tag: string): void {
  w.observe(null);
  w.observe(ev(`before_${tag}`, 'kswapd0', 3));
  w.observe(ev('funcgraph_entry'));
  w.observe(ev(`inside_${tag}`));
  w.observe(ev('funcgraph_exit'));
}

/** A boot in which it did not (another task's events only, no call of the judged code). */
function boot_without(w: judged_code_watch, tag: string): void {
  w.observe(null);
  w.observe(ev(`idle_${tag}`, 'kswapd0', 3));
  w.observe(ev(`more_${tag}`, 'kswapd0', 3));
}

const names = (b: judged_code_watch['boots'][number]) => b.map((s) => s.event.event);

describe('watch_judged_code keeps the boots a reader uses', () => {
  it('keeps the last boot that ran and the latest, never more than two', () => {
    const w = watch_judged_code();
    boot_that_ran(w, 'a');
    boot_without(w, 'b');
    expect(w.boots.length).toBe(2);
    boot_without(w, 'c');
    expect(w.boots.length).toBe(2);
    expect(names(w.boots[0]!)).toContain('inside_a');
    expect(names(w.boots[1]!)).toContain('idle_c');
    boot_that_ran(w, 'd');
    boot_without(w, 'e');
    expect(w.boots.length).toBe(2);
    expect(names(w.boots[0]!)).toContain('inside_d');
    expect(names(w.boots[1]!)).toContain('idle_e');
  });

  it('keeps only the latest while nothing ran before it, and one boot that ran before the latest', () => {
    const w = watch_judged_code();
    boot_without(w, 'a');
    boot_without(w, 'b');
    expect(w.boots.length).toBe(1);
    expect(names(w.boots[0]!)).toContain('idle_b');
    boot_that_ran(w, 'c');
    expect(w.boots.length).toBe(1);
    boot_that_ran(w, 'd');
    expect(w.boots.map((b) => names(b).find((n) => n.startsWith('inside_')))).toEqual(['inside_c', 'inside_d']);
    boot_that_ran(w, 'e');
    expect(w.boots.map((b) => names(b).find((n) => n.startsWith('inside_')))).toEqual(['inside_d', 'inside_e']);
  });

  it('gives the reader the same boot as keeping them all would (the last that ran, else the last)', () => {
    const w = watch_judged_code();
    const pick = () => [...w.boots].reverse().find((b) => b.some((s) => s.inside || s.event.event.startsWith('funcgraph_'))) ?? w.boots[w.boots.length - 1];
    boot_that_ran(w, 'a');
    for (let i = 0; i < 5; i++) boot_without(w, `x${i}`);
    expect(names(pick()!)).toContain('inside_a');
    boot_that_ran(w, 'b');
    expect(names(pick()!)).toContain('inside_b');
    const fresh = watch_judged_code();
    for (let i = 0; i < 3; i++) boot_without(fresh, `y${i}`);
    expect(fresh.boots.map(names)).toEqual([['idle_y2', 'more_y2']]);
  });
});
