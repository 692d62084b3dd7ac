// Every exercise, 01 to 13, has a challenge in the playground: a scenario of
// the one registry (course/scenario_registry.ts) that the explorer makes the
// starter fail (its bounded search, stopped at the first failure, as the
// page's "Score it against the explorer" runs it), and the same schedule
// replayed on the reference solution survives. Where the starter fails under
// the kernel's own schedule the bug is in the workload, and the declaration
// says what to step through and what wins (goal); where it takes a
// departure, finding the schedule is the challenge. (Each is played by
// keyboard in Chromium in playground.browser.test.ts.) Budgets are the
// checks' own bounds, in schedules, never in seconds.
import { describe, expect, it } from 'vitest';
import { read_manifest } from '../../course/files';
import { explore } from '../../explorer/explore';
import { parse_schedule } from '../../explorer/schedule';
import { every_declaration, prove, resolve, step } from '../../site/src/playground_core';
import { resolve as resolve_path } from 'node:path';

const root = resolve_path(import.meta.dirname, '../..');
const EXERCISES = read_manifest(root).exercises.map((e) => e.id);
const DECLARED = await every_declaration();

/**
 * The challenge of @exercise: its first declared scenario (an exercise page
 * links to it as playground.html?exercise=), if the explorer makes its
 * starter fail, with the fewest departures; else null.
 */
async function challenge_of(exercise: string) {
  const d = DECLARED.find((x) => x.exercise === exercise);
  for (const s of d?.scenarios.slice(0, 1) ?? []) {
    const r = await resolve(s.id, 'starter');
    const options = { preemption_bound: 2, ...r.built.options, mode: 'exhaustive' as const, reduction: 'none' as const, stop_on: 'first' as const };
    const run = () => explore(r.built.scenario, options);
    const x = await (r.built.around ? r.built.around(run) : run());
    const best = x.failures.reduce<(typeof x.failures)[number] | undefined>((a, f) => (!a || f.preemptions < a.preemptions ? f : a), undefined);
    if (best) return { id: s.id, goal: s.goal, departures: [...best.schedule], string: best.schedule_string, kinds: [best.kind] };
  }
  return null;
}

describe('a challenge for every exercise', () => {
  it('the course has thirteen exercises', () => {
    expect(EXERCISES.length).toBe(13);
  });

  it.each(EXERCISES)('%s: its first declared scenario (the exercise page\'s link) is one the explorer makes the starter fail, and the reference solution survives the same schedule', async (exercise) => {
    const c = await challenge_of(exercise);
    expect(c, `${exercise}'s first declared scenario is one whose starter the explorer can make fail`).not.toBeNull();
    // A workload challenge (no departure needed) says what to step through and what wins; a schedule challenge needs none.
    if (c!.departures.length === 0 && ['10', '11', '12'].includes(exercise.slice(0, 2))) expect(c!.goal, c!.id).toMatch(/^Win when /);
    const starter = await step(c!.id, 'starter', c!.departures, Number.MAX_SAFE_INTEGER);
    expect(starter.failures.length, `${c!.string} on the starter`).toBeGreaterThan(0);
    expect(starter.schedule_string).toBe(c!.string);
    const solution = await step(c!.id, 'solution', c!.departures, Number.MAX_SAFE_INTEGER);
    expect(solution.failures.map((f) => `${f.kind}: ${f.title}`), `${c!.string} on the reference solution`).toEqual([]);
    console.log(`${exercise}: ${c!.string} (${c!.departures.length} departure(s); starter: ${starter.failures[0]!.kind})`);
  });
});

/**
 * "What the check proves" (site/src/playground_core.ts prove): the check's
 * own search of a scenario, said exactly. A schedule challenge (03's
 * recursion) and a workload challenge (10's writeback, whose check runs the
 * workload once): the reference's claim is "in any interleaving" only when
 * the explorer covered every interleaving, else "within bound k" with the
 * bound it covered; the starter's claim is the failure, with a string that
 * replays it.
 */
describe('what the check proves, said exactly', () => {
  it.each(['ex03-recursion', 'ex10-writeback-in-reclaim'])('%s: the reference is proved for every interleaving or within the bound the explorer covered; the starter fails with a replayable string', async (id) => {
    const sol = await prove(id, 'solution');
    expect(sol.ok, sol.claim).toBe(true);
    const m = /^No failure (?:in any interleaving|within bound (\d+)): /.exec(sol.claim);
    expect(m, sol.claim).not.toBeNull();
    if (m![1] === undefined) expect(sol.coverage).toMatch(/every interleaving covered$/);
    else {
      expect(sol.coverage).toMatch(new RegExp(`with at most ${m![1]} preemptions?`));
      expect(sol.coverage).not.toMatch(/every interleaving covered$/);
      expect(sol.claim).toMatch(/schedules with more departures were not run\.$/);
    }
    const st = await prove(id, 'starter');
    expect(st.ok, st.claim).toBe(false);
    expect(st.claim).toMatch(/^Fails: /);
    expect(parse_schedule(st.schedule_string!).scenario_id).toBe(id);
    console.log(`${id}: solution: ${sol.claim} starter: ${st.claim.slice(0, 120)}`);
  });
});
