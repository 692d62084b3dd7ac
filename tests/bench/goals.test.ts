// The bench says which of issue #13's goals are met and which are missed,
// with the figures (bench/goals.ts), and reads a process row's CPU and
// memory from /proc (bench/proc.ts). Pure functions over rows: nothing here
// times anything.
import { describe, expect, it } from 'vitest';
import { learner_goal_rows } from '../../bench/goals';
import { role_of, tree_cpu_ms } from '../../bench/proc';
import { make_row, type row } from '../../bench/row';

const rows = (): row[] => [
  make_row('floor.vitest_warm.01', 'vitest watch re-run after a save (next to watch 01)', 'ms', [1000]),
  make_row('floor.vitest_warm.01.cpu', '  same, CPU per save', 'ms', [400]),
  { ...make_row('learner.watch_01', 'watch 01: save→verdict', 'ms', [1800], { floor: 'floor.vitest_warm.01' }), ratio: 1.8 },
  make_row('learner.watch_01.cpu', '  same, CPU per save', 'ms', [1600], { floor: 'floor.vitest_warm.01.cpu', note: 'median by process: checks 1.40 s, type check 0.10 s' }),
  make_row('learner.watch_01.rss', '  same, peak RSS of one process', 'MB', [240], { note: 'the largest: type check' }),
  { ...make_row('learner.watch_03', 'watch 03: save→verdict', 'ms', [700], { floor: 'floor.vitest_warm.01' }), ratio: 0.7 },
  make_row('learner.watch_03.rss', '  same, peak RSS of one process', 'MB', [150], { note: 'the largest: checks' }),
  { ...make_row('learner.run_01_node', 'node bin/shrinker-lab.js run 01 (cold)', 'ms', [2000], { floor: 'floor.vitest_cold' }), ratio: 1.4 },
  make_row('course.verify', 'shrinker-lab verify (13 exercises, solved)', 'ms', [60_000]),
  make_row('course.verify.cpu', '  same, CPU (every process)', 'ms', [64_000]),
];

describe('bench goals (issue #13)', () => {
  it('counts each goal met or missed and names every miss with its figures and why', () => {
    const goals = new Map(learner_goal_rows(rows()).map((r) => [r.key, r]));
    const save = goals.get('learner.goal.save_to_verdict')!;
    expect(save.median).toBe(1);
    expect(save.note).toMatch(/^1 of 2 met; watch 01 x1\.80; CPU 1\.60 s per save \(x4\.0 of vitest's 0\.40 s\), checks 1\.40 s, type check 0\.10 s; watch 03 x0\.70/);
    expect(save.note).toContain('Why: ');
    const cold = goals.get('learner.goal.cold_run')!;
    expect(cold.note).toBe('1 of 1 met; node bin/shrinker-lab.js run 01 (cold) x1.40');
    const verify = goals.get('course.goal.verify')!;
    expect(verify.median).toBe(0);
    // 64 s of CPU on 2 cores cannot take less than 32 s: the CPU itself misses the goal.
    expect(verify.note).toContain('60.00 s wall, 64.00 s of CPU: on 2 cores no schedule of the work takes less than 32.00 s. Why: the CPU itself is past the goal');
    const memory = goals.get('learner.goal.memory')!;
    expect(memory.note).toMatch(/^1 of 2 met; learner\.watch_01 240 MB \(type check\); learner\.watch_03 150 MB \(checks\)\. Why: the type-check process/);
  });

  it('says nothing of a goal whose rows were not measured', () => {
    expect(learner_goal_rows([make_row('floor.node', 'node -e 0', 'ms', [40])])).toEqual([]);
  });
});

describe('bench /proc readers', () => {
  it('names the loop processes by their command lines', () => {
    expect(role_of('/usr/bin/node --import tsx /x/course/worker.ts serve --root /x --typecheck-only')).toBe('type check');
    expect(role_of('/usr/bin/node --max-semi-space-size=1 /x/course/typecheck_worker.mjs serve --root /x --typecheck-only')).toBe('type check');
    expect(role_of('/usr/bin/node --import tsx /x/course/worker.ts serve --root /x')).toBe('checks');
    expect(role_of('/usr/bin/node /x/bin/shrinker-lab.js watch 01')).toBe('cli');
    expect(role_of('/x/node_modules/.bin/vitest watch')).toBe('vitest');
  });

  it('reads this process in its own tree, its CPU split by role', () => {
    const t = tree_cpu_ms(process.pid)!;
    expect(t.total).toBeGreaterThanOrEqual(0);
    expect([...t.by_role.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(t.total, 6);
  });
});
