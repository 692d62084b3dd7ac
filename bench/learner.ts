// The learner's loop: how long after saving an exercise file the verdict of
// `shrinker-lab watch` appears (warm: the watcher and its worker are already
// running), and a cold `npx shrinker-lab run 01` from process start to exit.
// Same approach as tests/cli/bench_watch.ts (the CLI helper's script), with
// event-driven waiting instead of polling so latencies are not rounded up.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start_cli } from '../tests/cli/course_copy';
import { now, output_watcher, repeat_process, sleep, stop_and_reap } from './measure';
import { tree_cpu_ms, watch_peak_rss } from './proc';
import { exit_note, make_row, process_rows, type row } from './row';

interface manifest {
  exercises: { id: string; files: string[] }[];
}

/** The verdict block `watch` prints after each check (as in tests/cli/bench_watch.ts). */
const VERDICT = /--- \S+ \S+: \w+ ---\n[^]*?\n\n/;

export function exercise_ids(root: string): manifest['exercises'] {
  return (JSON.parse(readFileSync(join(root, 'exercises/course.json'), 'utf8')) as manifest).exercises;
}

/**
 * watch_save_to_verdict - median save→verdict of `watch <id>` over @edits
 * saves of the starter file, against the warm floor @floor (taken next to
 * it); besides, the CPU each save cost the loop's processes (from one
 * verdict to the next: the type checker gets ready for the next save in
 * between), split by process (the type check, the checks, the CLI), and the
 * largest process's peak memory.
 */
export async function watch_save_to_verdict(root: string, id: string, edits: number, floor = 'floor.vitest_warm'): Promise<row[]> {
  const e = exercise_ids(root).find((x) => x.id.startsWith(id));
  if (!e) return [make_row(`learner.watch_${id}`, `watch ${id}: save→verdict`, 'ms', [], { floor, note: 'no such exercise' })];
  const file = join(root, 'exercises', e.id, e.files[0]!);
  const text = readFileSync(file, 'utf8');
  const w = start_cli(root, ['watch', e.id, '--no-site']);
  const out = output_watcher(w.child.stdout, w.child.stderr);
  const rss = w.child.pid ? watch_peak_rss(w.child.pid) : null;
  const times: number[] = [];
  const cpu: number[] = [];
  const by_role = new Map<string, number[]>();
  let verdict = '';
  let peak = { mb: 0, role: '' };
  try {
    let { at } = await out.wait_for(VERDICT, 0, 120_000);
    let cpu0 = w.child.pid ? tree_cpu_ms(w.child.pid) : null;
    for (let i = 0; i < edits; i++) {
      await sleep(300); // one save at a time, as a person saves
      const t0 = now();
      writeFileSync(file, `${text}// edit ${i}\n`);
      const r = await out.wait_for(VERDICT, at, 120_000);
      verdict = /--- \S+ \S+: (\w+) ---/.exec(out.text().slice(at))?.[1] ?? '';
      at = r.at;
      times.push(r.t - t0);
      const cpu1 = w.child.pid ? tree_cpu_ms(w.child.pid) : null;
      if (cpu0 && cpu1) {
        cpu.push(cpu1.total - cpu0.total);
        for (const [role, ms] of cpu1.by_role) by_role.set(role, [...(by_role.get(role) ?? []), ms - (cpu0.by_role.get(role) ?? 0)]);
      }
      cpu0 = cpu1;
    }
  } finally {
    peak = rss?.stop() ?? peak;
    await stop_and_reap(w.child);
    writeFileSync(file, text);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const split = [...by_role].filter(([, xs]) => med(xs) >= 1).map(([role, xs]) => `${role} ${(med(xs) / 1000).toFixed(2)} s`).join(', ');
  return [
    make_row(`learner.watch_${id}`, `watch ${id}: save→verdict`, 'ms', times, { floor, note: `starter, verdict ${verdict}` }),
    ...(cpu.length ? [make_row(`learner.watch_${id}.cpu`, '  same, CPU per save', 'ms', cpu, { floor: `${floor}.cpu`, note: split ? `median by process: ${split}` : '' })] : []),
    ...(peak.mb > 0 ? [make_row(`learner.watch_${id}.rss`, '  same, peak RSS of one process', 'MB', [peak.mb], { note: `the largest: ${peak.role}` })] : []),
  ];
}

/** cold_run - `npx shrinker-lab run <id>` (or `node bin/shrinker-lab.js run <id>`) from spawn to exit, against the cold floor @floor (taken next to it). */
export async function cold_run(root: string, id: string, reps: number, via: 'npx' | 'node', floor = 'floor.vitest_cold'): Promise<row[]> {
  const r =
    via === 'npx'
      ? await repeat_process(reps, 'npx', ['shrinker-lab', 'run', id], root)
      : await repeat_process(reps, process.execPath, [join(root, 'bin/shrinker-lab.js'), 'run', id], root);
  const what = via === 'npx' ? `npx shrinker-lab run ${id} (cold)` : `node bin/shrinker-lab.js run ${id} (cold)`;
  // The starter fails its checks: exit code 1 is the expected answer.
  return process_rows(`learner.run_${id}_${via}`, what, r, { floor, note: `starter; ${exit_note(r.codes, 1) || 'exit 1 (failing) as expected'}` });
}
