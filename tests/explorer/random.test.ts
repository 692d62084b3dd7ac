import { describe, expect, it } from 'vitest';
import { explore } from '../../explorer/explore';
import { minimise_schedule } from '../../explorer/minimise';
import { replay } from '../../explorer/replay';
import { run_scenario } from '../../explorer/run';
import { ALL_FAILURE_KINDS } from '../../explorer/scenario';
import { prandom_state } from '../../kernel/lib/prandom';
import type { sched_decision } from '../../kernel/sched/core';
import { abba_toy, lost_update, window_of_two } from './fixtures';

describe('random mode', () => {
  it('finds the two-deviation window with PCT schedules, minimised to 2 deviations, and replays it', async () => {
    const sc = window_of_two();
    const x = await explore(sc, { mode: 'random', runs: 50, seed: 1 });
    expect(x.mode).toBe('random');
    expect(x.schedules).toBe(51); // the default run, then 50 random ones
    const f = x.failures.find((g) => g.kind === 'warn')!;
    expect(f.preemptions).toBe(2);
    expect(f.minimal).toBe(true);
    const r = await replay(sc, f.schedule_string);
    expect(r.failures.map((g) => g.signature)).toContain(f.signature);
  });

  it('never claims to have covered the space', async () => {
    const x = await explore(abba_toy(false), { mode: 'random', runs: 20 });
    expect(x.failures).toEqual([]);
    expect(x.exhausted).toBe(false);
    expect(x.preemption_bound).toBeNull();
  });

  it('is reproducible from its seed, and different seeds give different schedules', async () => {
    const a = await explore(window_of_two(), { mode: 'random', runs: 30, seed: 7, strategy: 'uniform', minimise: false });
    const b = await explore(window_of_two(), { mode: 'random', runs: 30, seed: 7, strategy: 'uniform', minimise: false });
    expect(b).toEqual(a);
    const c = await explore(window_of_two(), { mode: 'random', runs: 30, seed: 8, strategy: 'uniform', minimise: false });
    expect(c.failures.map((f) => f.found_at)).not.toEqual(a.failures.map((f) => f.found_at));
  });

  it('shrinks a random walk with many switches to the one preemption a lost update needs', async () => {
    const sc = lost_update(6);
    // A uniform random walk: switches at most decisions.
    let taken: Array<{ at: number; pid: number }> = [];
    for (let seed = 1; seed < 50; seed++) {
      const rng = new prandom_state(seed);
      const out = await run_scenario(sc, {
        schedule: [],
        strict: false,
        record_from: -1,
        chooser: (d: sched_decision) => d.runnable[rng.below(d.runnable.length)]!,
        trace: false,
        fail_on: new Set(ALL_FAILURE_KINDS),
      });
      if (out.failures.length > 0 && out.taken.length >= 4) {
        taken = out.taken;
        break;
      }
    }
    expect(taken.length).toBeGreaterThanOrEqual(4);
    const sig = 'assert: counter is # after # increments: an update was lost';
    const m = await minimise_schedule(sc, taken, sig, { fail_on: new Set(ALL_FAILURE_KINDS), proof_budget: 2000, max_steps: 1e7 });
    expect(m.schedule).toHaveLength(1);
    expect(m.minimal).toBe(true);
    const again = await run_scenario(sc, { schedule: m.schedule, strict: true, record_from: -1, trace: false, fail_on: new Set(ALL_FAILURE_KINDS) });
    expect(again.failures.map((f) => f.signature)).toEqual([sig]);
  });
});
