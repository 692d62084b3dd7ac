// `npm run bench`: Shrinker Lab's speed, measured (never asserted).
// Every number is a median over a few repetitions, next to a floor measured
// in the same run (node -e 0, a trivial vitest file), so the ratios mean the
// same on a fast laptop and a slow CI box. See bench/README.md.
//
// Exit code: 0 whatever the numbers are; 1 only when a measurement could not
// be taken at all (a command hung or the harness threw), and the table says which.
//
// Options: --quick (fewer repetitions, for trying the harness out);
// --explorer-only (the ping-pong floor and the explorer rows, nothing else);
// --only a,b (only the sections whose name starts with one of these, e.g.
// --only floor,learner,course:\ verify; floors are needed for the ratios).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { make_course_copy, remove_copy, REPO } from '../tests/cli/course_copy';
import { grade, install_solutions, submission_dir, verify } from './course';
import { explorer_reduction_rows, explorer_rows } from './explorer';
import { node_floor, vitest_cold_floor, vitest_warm_floor } from './floors';
import { big_machine_cost, boot_cost, sched_rate } from './kernel';
import { cold_run, watch_save_to_verdict } from './learner';
import { now } from './measure';
import { learner_goal_rows } from './goals';
import { add_ratios, machine_info, table, write_json } from './report';
import { make_row, type row } from './row';

const quick = process.argv.includes('--quick');
const explorer_only = process.argv.includes('--explorer-only');
const only_at = process.argv.indexOf('--only');
const only = only_at >= 0 ? (process.argv[only_at + 1] ?? '').split(',').filter(Boolean) : null;
const REPS = quick
  ? { node: 5, vitest: 2, edits: 3, run: 1, verify: 1, grade: 1, explore: 1, boot_batches: 3, pingpong: 2 }
  : { node: 10, vitest: 5, edits: 5, run: 3, verify: 3, grade: 3, explore: 3, boot_batches: 5, pingpong: 3 };

const rows: row[] = [];
const errors: { section: string; error: string }[] = [];
const t_start = now();
const info = machine_info(REPO);

async function section(name: string, fn: () => Promise<row | row[]>): Promise<void> {
  if (explorer_only && !(name.startsWith('explorer') || name === 'kernel: ping-pong')) return;
  if (only && !only.some((p) => name.startsWith(p))) return;
  const t0 = now();
  process.stderr.write(`bench: ${name}... `);
  try {
    const r = await fn();
    const load = loadavg()[0];
    for (const x of Array.isArray(r) ? r : [r]) rows.push({ ...x, load: x.load ?? load });
    process.stderr.write(`${((now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    errors.push({ section: name, error: msg });
    process.stderr.write(`FAILED: ${msg.split('\n')[0]}\n`);
  }
}

const root = make_course_copy(true); // the CLI writes .shrinker-lab/ in its tree: never in the repo
const scratch = mkdtempSync(join(tmpdir(), 'shrinker-lab-bench-'));
try {
  // Floors first, on a quiet machine.
  await section('floor: node -e 0', () => node_floor(REPS.node));
  await section('floor: vitest run, trivial test', () => vitest_cold_floor(root, REPS.vitest));
  await section('floor: vitest watch re-run', () => vitest_warm_floor(root, REPS.edits));
  // In this process: the model and the explorer.
  await section('kernel: boot', () => boot_cost(REPS.boot_batches, 50));
  await section('kernel: ping-pong', () => sched_rate(REPS.pingpong, 20_000));
  await section('kernel: big machines', () => big_machine_cost(REPS.boot_batches, [['1mib', '1 MiB', 256], ['256mib', '256 MiB', 65_536], ['64gib', '64 GiB', 2 ** 24]]));
  await section('explorer: bound-2 exploration', () => explorer_rows(REPS.explore));
  await section('explorer: partial-order reduction', () => explorer_reduction_rows(REPS.explore));
  // The learner's loop, on the starters. Each section's floor is taken again right before it: on a shared
  // machine the load of the first minutes is not the load twenty minutes later (session 9: floors at load 5, rows at 25).
  for (const id of ['01', '03', '04']) {
    await section(`learner: watch ${id}`, async () => [
      ...(await vitest_warm_floor(root, REPS.edits, `floor.vitest_warm.${id}`, ` (next to watch ${id})`)),
      ...(await watch_save_to_verdict(root, id, REPS.edits, `floor.vitest_warm.${id}`)),
    ]);
  }
  await section('learner: npx shrinker-lab run 01', async () => [
    ...(await vitest_cold_floor(root, REPS.vitest, 'floor.vitest_cold.run', ' (next to run 01)')),
    ...(await cold_run(root, '01', REPS.run, 'npx', 'floor.vitest_cold.run')),
  ]);
  await section('learner: node bin/shrinker-lab.js run 01', () => cold_run(root, '01', REPS.run, 'node', 'floor.vitest_cold.run'));
  // The whole course, solved.
  const restore_starters = install_solutions(root);
  await section('course: verify', async () => [
    ...(await vitest_cold_floor(root, REPS.vitest, 'floor.vitest_cold.verify', ' (next to verify)')),
    ...(await verify(root, REPS.verify, 'floor.vitest_cold.verify')),
  ]);
  restore_starters(); // the grader scores a submission equal to its starters 0 ("unchanged")
  const sub = submission_dir(root, scratch);
  await section('course: grade', () => grade(root, sub, join(scratch, 'grade-out'), REPS.grade));
} finally {
  remove_copy(root);
  rmSync(scratch, { recursive: true, force: true });
}

add_ratios(rows);
// Issue #14's last goal, counted over the exploration rows measured against the ping-pong floor.
const stepping = rows.filter((r) => r.floor === 'kernel.pingpong' && r.ratio !== undefined);
if (stepping.length) {
  const slow = stepping.filter((r) => r.ratio! < 0.7);
  // Each steps row follows the row of the exploration it rates ("  same, steps"): name the miss by that row,
  // with its steps per schedule (a short schedule pays a boot and the scenario's setup for a few steps).
  const named = slow.map((r) => {
    const of = rows[rows.indexOf(r) - 1];
    const m = of?.note ? /^(\d+) schedules(?: vs \d+ naive)?/.exec(of.note) : null;
    const per = m && of ? ` ${Math.round(r.median / (of.median || 1))} steps/schedule` : '';
    return `${of?.what.replace(/, bound \d+(, reduced)?$/, '') ?? r.key} x${r.ratio!.toFixed(2)}${per}`;
  });
  // Why they miss: a ping-pong step runs no kernel code, a scenario's step runs reclaim, lockdep, i915 and the checks' judges;
  // and every schedule replays from a fresh boot (explorer/README.md), which costs this many floor steps before the scenario's own setup.
  const boot = rows.find((r) => r.key === 'kernel.boot');
  const floor = rows.find((r) => r.key === 'kernel.pingpong');
  const why = boot && floor ? `; a ping-pong step runs no kernel code where a scenario's step runs reclaim, lockdep and the checks' judges, and every schedule boots anew (an empty boot costs the CPU of ${Math.round((boot.median / 1000) * floor.median)} ping-pong steps, the scenario's setup more)` : '';
  rows.push(
    make_row('explorer.goal.steps', 'goal: explore steps/s >= 0.7x the ping-pong floor', ' met', [stepping.length - slow.length], {
      note: `${stepping.length - slow.length} of ${stepping.length} met (CPU-time rates)${why}; missed: ${named.join(', ') || 'none'}`,
      load: loadavg()[0],
    }),
  );
}
// Each course scenario's goal line gets its steps/s against the floor (its reduced search's steps row).
for (const g of rows.filter((r) => /^explorer\.course\..*\.goals$/.test(r.key))) {
  const steps = rows.find((r) => r.key === g.key.replace(/\.goals$/, '.bound.steps'));
  if (steps?.ratio === undefined) continue;
  const met = steps.ratio >= 0.7;
  g.note += `; steps/s >= 0.7x floor: ${met ? 'met' : 'missed'} (x${steps.ratio.toFixed(2)}${met ? '' : ": each schedule boots anew and runs the scenario's setup for a few hundred steps, and a step runs reclaim, lockdep and the judges where a ping-pong step runs none"})`;
  if (met) g.samples = [(g.median += 1)];
}
// Issue #13's goals, met or missed, with why.
rows.push(...learner_goal_rows(rows));
const total_s = (now() - t_start) / 1000;
const out = join(REPO, 'bench/results/latest.json');
write_json(out, {
  when: new Date().toISOString(),
  quick,
  total_s,
  machine: { ...info, loadavg_at_end: loadavg() },
  rows,
  errors,
});

console.log('');
console.log(`Shrinker Lab bench: node ${String(info.node)}, ${String(info.cpus)} cpus (${String(info.cpu_model)})${quick ? ', --quick' : ''}`);
console.log('Medians; ratio = median / floor median (for rates: rate / floor rate). Nothing here is asserted.');
console.log('');
console.log(table(rows));
for (const e of errors) console.log(`\nNOT MEASURED: ${e.section}: ${e.error}`);
console.log(`\n${total_s.toFixed(0)} s in all; every sample and the machine: ${out}`);
process.exitCode = errors.length ? 1 : 0;
