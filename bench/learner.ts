// The learner's loop: how long after saving an exercise file the verdict of
// `shrinker-lab watch` appears (warm: the watcher and its worker are already
// running), and a cold `npx shrinker-lab run 01` from process start to exit.
// Same approach as tests/cli/bench_watch.ts (the CLI helper's script), with
// event-driven waiting instead of polling so latencies are not rounded up.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start_cli } from '../tests/cli/course_copy';
import { now, output_watcher, repeat_process, sleep } from './measure';
import { exit_note, make_row, type row } from './row';

interface manifest {
  exercises: { id: string; files: string[] }[];
}

/** The verdict block `watch` prints after each check (as in tests/cli/bench_watch.ts). */
const VERDICT = /--- \S+ \S+: \w+ ---\n[^]*?\n\n/;

export function exercise_ids(root: string): manifest['exercises'] {
  return (JSON.parse(readFileSync(join(root, 'exercises/course.json'), 'utf8')) as manifest).exercises;
}

/** watch_save_to_verdict - median save→verdict of `watch <id>` over @edits saves of the starter file. */
export async function watch_save_to_verdict(root: string, id: string, edits: number): Promise<row> {
  const e = exercise_ids(root).find((x) => x.id.startsWith(id));
  if (!e) return make_row(`learner.watch_${id}`, `watch ${id}: save→verdict`, 'ms', [], { floor: 'floor.vitest_warm', note: 'no such exercise' });
  const file = join(root, 'exercises', e.id, e.files[0]!);
  const text = readFileSync(file, 'utf8');
  const w = start_cli(root, ['watch', e.id, '--no-site']);
  const out = output_watcher(w.child.stdout, w.child.stderr);
  const times: number[] = [];
  let verdict = '';
  try {
    let { at } = await out.wait_for(VERDICT, 0, 120_000);
    for (let i = 0; i < edits; i++) {
      await sleep(300); // one save at a time, as a person saves
      const t0 = now();
      writeFileSync(file, `${text}// edit ${i}\n`);
      const r = await out.wait_for(VERDICT, at, 120_000);
      verdict = /--- \S+ \S+: (\w+) ---/.exec(out.text().slice(at))?.[1] ?? '';
      at = r.at;
      times.push(r.t - t0);
    }
  } finally {
    w.child.kill('SIGTERM');
    writeFileSync(file, text);
  }
  return make_row(`learner.watch_${id}`, `watch ${id}: save→verdict`, 'ms', times, { floor: 'floor.vitest_warm', note: `starter, verdict ${verdict}` });
}

/** cold_run - `npx shrinker-lab run <id>` (or `node bin/shrinker-lab.js run <id>`) from spawn to exit. */
export async function cold_run(root: string, id: string, reps: number, via: 'npx' | 'node'): Promise<row> {
  const r =
    via === 'npx'
      ? await repeat_process(reps, 'npx', ['shrinker-lab', 'run', id], root)
      : await repeat_process(reps, process.execPath, [join(root, 'bin/shrinker-lab.js'), 'run', id], root);
  const what = via === 'npx' ? `npx shrinker-lab run ${id} (cold)` : `node bin/shrinker-lab.js run ${id} (cold)`;
  // The starter fails its checks: exit code 1 is the expected answer.
  return make_row(`learner.run_${id}_${via}`, what, 'ms', r.all, { floor: 'floor.vitest_cold', note: `starter; ${exit_note(r.codes, 1) || 'exit 1 (failing) as expected'}` });
}
