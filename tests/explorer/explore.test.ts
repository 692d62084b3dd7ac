import { describe, expect, it } from 'vitest';
import { bfs } from '../../explorer/bfs';
import { explore } from '../../explorer/explore';
import { run_scenario } from '../../explorer/run';
import type { scenario } from '../../explorer/scenario';
import type { sched_decision } from '../../kernel/sched/core';
import { abba_toy, lost_update, lost_wakeup, window_of_two, yielders } from './fixtures';
import { abba_mutex, owner_word_recursion } from './mutex_fixtures';

const key = (s: ReadonlyArray<{ at: number; pid: number }>): string => s.map((d) => `${d.at}=${d.pid}`).join('.');

/**
 * An independent oracle: walk every sequence of explicit choices (not the
 * explorer's sparse deviations), and collect the deviation sets of the runs
 * with at most @bound deviations.
 */
async function oracle_deviation_sets(sc: scenario, bound: number): Promise<Set<string>> {
  const sets = new Set<string>();
  const stack: number[][] = [[]];
  while (stack.length > 0) {
    const prefix = stack.pop()!;
    const runnable: number[][] = [];
    const dflt: number[] = [];
    const chooser = (d: sched_decision, at: number) => {
      runnable[at] = d.runnable.map((t) => t.pid);
      dflt[at] = d.default_choice.pid;
      return at < prefix.length ? d.runnable.find((t) => t.pid === prefix[at])! : d.default_choice;
    };
    const out = await run_scenario(sc, { schedule: [], strict: false, record_from: -1, chooser, trace: false, fail_on: new Set() });
    if (out.taken.length <= bound) sets.add(key(out.taken));
    const cost = out.taken.length;
    if (cost >= bound) continue;
    for (let at = prefix.length; at < out.decisions; at++) {
      for (const pid of runnable[at]!) if (pid !== dflt[at]) stack.push([...prefix, ...dflt.slice(prefix.length, at), pid]);
    }
  }
  return sets;
}

describe('exhaustive exploration', () => {
  it('finds the ABBA deadlock within bound 2, with the wait-for cycle, and covers the whole space', async () => {
    const x = await explore(abba_toy(true), { preemption_bound: 2 });
    expect(x.exhausted).toBe(true);
    expect(x.stopped_by).toBeNull();
    const dl = x.failures.filter((f) => f.kind === 'deadlock');
    expect(dl).toHaveLength(1);
    expect(dl[0]!.preemptions).toBe(1);
    expect(dl[0]!.report.lines.join('\n')).toMatch(/wait-for cycle: task_ab:1 -> wait queue lock_b -> task_ba:2 -> wait queue lock_a -> task_ab:1/);
    // The hung-task reports on the way to the deadlock are not separate failures.
    expect(x.failures.map((f) => f.kind)).toEqual(['deadlock']);
  });

  it('finds nothing in the fixed variant (same lock order) and says the space was exhausted', async () => {
    const x = await explore(abba_toy(false), { preemption_bound: 2 });
    expect(x.failures).toEqual([]);
    expect(x.exhausted).toBe(true);
    expect(x.covered_bound).toBe(2);
    expect(x.schedules).toBeGreaterThan(1);
  });

  it('does not see the deadlock in the default run alone (bound 0)', async () => {
    const x = await explore(abba_toy(true), { preemption_bound: 0 });
    expect(x.schedules).toBe(1);
    expect(x.exhausted).toBe(true);
    expect(x.failures).toEqual([]);
  });

  it('reports each failure with the fewest deviations that show it: a two-step window needs exactly 2', async () => {
    const one = await explore(window_of_two(), { preemption_bound: 1 });
    expect(one.exhausted).toBe(true);
    expect(one.failures).toEqual([]);
    const two = await explore(window_of_two(), { preemption_bound: 2 });
    expect(two.failures.map((f) => [f.kind, f.preemptions, f.minimal])).toEqual([['warn', 2, true]]);
  });

  it('finds a lost wake-up (a deadlock with no cycle) and a lost update (the scenario check)', async () => {
    const w = await explore(lost_wakeup(false));
    expect(w.failures.map((f) => f.title)).toEqual(['deadlock: every task is asleep']);
    expect((await explore(lost_wakeup(true))).failures).toEqual([]);
    const u = await explore(lost_update(2));
    expect(u.failures.map((f) => [f.kind, f.title])).toEqual([['assert', 'counter is 1 after 2 increments: an update was lost']]);
    expect((await explore(lost_update(2, true))).failures).toEqual([]);
  });

  it('runs every schedule within the bound exactly once (checked against an independent enumeration)', async () => {
    for (const [sc, bound] of [
      [yielders(2, 3), 2],
      [yielders(3, 2), 2],
      [abba_toy(true), 2],
      [window_of_two(), 3],
      [abba_mutex(true, true), 2],
      [owner_word_recursion(true), 3],
    ] as const) {
      const ran: string[] = [];
      const st = await bfs(sc, { bound, max_schedules: 1e6, max_steps: 1e9, fail_on: new Set() }, (out) => {
        ran.push(key(out.taken));
      });
      expect(st.exhausted).toBe(true);
      expect(new Set(ran).size).toBe(ran.length);
      expect(new Set(ran)).toEqual(await oracle_deviation_sets(sc, bound));
    }
  });

  it('gives the same failures and the same counts when run twice', async () => {
    for (const sc of [abba_toy(true), lost_update(3), window_of_two()]) {
      const a = await explore(sc);
      const b = await explore(sc);
      expect(b).toEqual(a);
      expect([a.schedules, a.steps, a.decisions]).toEqual([b.schedules, b.steps, b.decisions]);
    }
  });

  it('stops at the schedule budget and says the space was not exhausted', async () => {
    const x = await explore(yielders(3, 6), { preemption_bound: 2, max_schedules: 50 });
    expect(x.schedules).toBe(50);
    expect(x.exhausted).toBe(false);
    expect(x.stopped_by).toBe('max_schedules');
    expect(x.covered_bound).toBe(1);
    const s = await explore(yielders(3, 6), { preemption_bound: 2, max_steps: 100 });
    expect(s.exhausted).toBe(false);
    expect(s.stopped_by).toBe('max_steps');
  });

  it('counts only the report kinds it is told to, and can stop at the first failure', async () => {
    const x = await explore(abba_toy(true), { fail_on: ['warn'] });
    expect(x.failures).toEqual([]);
    const hung = await explore(abba_toy(true), { fail_on: ['hung_task'] });
    // Not counting deadlocks, the hung-task reports are the failures.
    expect(hung.failures.map((f) => f.kind)).toEqual(['hung_task', 'hung_task']);
    const first = await explore(lost_update(3), { stop_on: 'first' });
    expect(first.stopped_by).toBe('failure');
    expect(first.exhausted).toBe(false);
    expect(first.failures).toHaveLength(1);
  });

  it('rejects a scenario that does not behave the same way twice', async () => {
    let n = 0;
    const flaky: scenario = {
      id: 'flaky',
      setup() {
        const tasks = 2 + (n++ % 2);
        yielders(tasks, 2).setup();
      },
    };
    await expect(explore(flaky)).rejects.toThrow(/did not behave the same way on two runs/);
  });
});
