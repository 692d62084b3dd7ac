// Issue #13's speed goals, counted over the measured rows, each met or
// missed in plain words with the figures that say why (the issue: "the bench
// shows the ratios above or says plainly which it misses and why"):
//   - save→verdict <= 1.0x vitest's own watch re-run, every exercise measured;
//   - a cold `run` <= 1.5x a cold `vitest run`;
//   - `verify` of the solved course under 10 s on 2 cores;
//   - a check's process under 200 MB of peak resident memory.
// Wall-time ratios are read against the floor taken next to the row; the
// CPU figures (bench/proc.ts) say what the code costs whatever the load.
import { loadavg } from 'node:os';
import { make_row, type row } from './row';

/** Why a process of the loop is past 200 MB (measured in session 10: /usr/bin/time and /proc, 01's starter). */
const MEMORY_WHY: Record<string, string> = {
  'type check':
    "the type-check process is node with tsx's loader thread (80 MB before any work: node -e 0 is 40 MB) holding a TypeScript program over the learner's file and the model sources it imports (about 125 MB: the same program in plain node peaks at 165 MB); V8 flags (--max-semi-space-size=1, kept; a smaller old space; --no-opt) leave it at 228-250 MB, --lite-mode and --single-threaded cost 20-100% more CPU",
  checks: "the checks' process holds the model twice (its own side and the grading realm), the explorer's schedules and the explaining replays' traces (up to 20 000 events per boot)",
};

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** learner_goal_rows - the goal rows for @rows (missing measurements are said, not guessed). */
export function learner_goal_rows(rows: readonly row[]): row[] {
  const by = new Map(rows.map((r) => [r.key, r]));
  const out: row[] = [];
  const goal = (key: string, what: string, met: number, of: number, note: string) =>
    out.push(make_row(key, what, ' met', [met], { note: `${met} of ${of} met; ${note}`, load: loadavg()[0] }));

  const watch = rows.filter((r) => /^learner\.watch_\d+$/.test(r.key) && r.ratio !== undefined);
  if (watch.length) {
    const said = watch.map((r) => {
      const cpu = by.get(`${r.key}.cpu`);
      const floor_cpu = cpu?.floor ? by.get(cpu.floor) : undefined;
      const cost = cpu ? `; CPU ${s(cpu.median)} per save${floor_cpu ? ` (x${(cpu.median / floor_cpu.median).toFixed(1)} of vitest's ${s(floor_cpu.median)})` : ''}${cpu.note ? `, ${cpu.note.replace('median by process: ', '')}` : ''}` : '';
      return `${r.what.replace(': save→verdict', '')} x${r.ratio!.toFixed(2)}${cost}`;
    });
    const missed = watch.filter((r) => r.ratio! > 1.0);
    goal(
      'learner.goal.save_to_verdict',
      'goal: save→verdict <= 1.0x vitest watch re-run',
      watch.length - missed.length,
      watch.length,
      `${said.join('; ')}. ` +
        (missed.length
          ? "Why: a verdict runs the exercise's checks, which explore every schedule of their scenarios within the check's preemption bound (issue #14: no partial-order reduction applies yet to the course's scenarios); vitest re-runs one trivial test"
          : 'all met'),
    );
  }

  const cold = rows.filter((r) => /^learner\.run_\d+_(node|npx)$/.test(r.key) && r.ratio !== undefined);
  if (cold.length) {
    const missed = cold.filter((r) => r.ratio! > 1.5);
    const said = cold.map((r) => {
      const cpu = by.get(`${r.key}.cpu`);
      return `${r.what} x${r.ratio!.toFixed(2)}${cpu?.ratio !== undefined ? ` (CPU x${cpu.ratio.toFixed(2)})` : ''}`;
    });
    goal(
      'learner.goal.cold_run',
      'goal: cold run <= 1.5x cold vitest run',
      cold.length - missed.length,
      cold.length,
      `${said.join('; ')}${missed.length ? ". Why: a run starts the CLI (tsx's loader), a type-check process and a checks process, and runs every check's exploration; the cached figure skips the compiler" : ''}`,
    );
  }

  const verify = by.get('course.verify');
  if (verify && Number.isFinite(verify.median)) {
    const cpu = by.get('course.verify.cpu');
    const least = cpu ? cpu.median / 2 : null;
    goal(
      'course.goal.verify',
      'goal: verify of the solved course < 10 s on 2 cores',
      verify.median < 10_000 ? 1 : 0,
      1,
      `${s(verify.median)} wall` +
        (cpu ? `, ${s(cpu.median)} of CPU: on 2 cores no schedule of the work takes less than ${s(least!)}` : '') +
        (verify.median < 10_000 ? '' : `. Why: ${least !== null && least >= 10_000 ? 'the CPU itself is past the goal' : 'the load of the machine'}: most of it is the exploring checks (01, 03, 04, 09, 13), see the explorer rows`),
    );
  }

  // A check's process: the largest process of any learner or course row that runs the checks.
  const peaks = rows.filter((r) => r.key.endsWith('.rss') && /^(learner|course\.verify)/.test(r.key));
  if (peaks.length) {
    const missed = peaks.filter((r) => r.median >= 200);
    goal(
      'learner.goal.memory',
      'goal: peak memory of a check process < 200 MB',
      peaks.length - missed.length,
      peaks.length,
      peaks.map((r) => `${r.key.replace(/\.rss$/, '')} ${r.median.toFixed(0)} MB (${r.note?.replace('the largest: ', '') ?? ''})`).join('; ') +
        (missed.length ? `. Why: ${[...new Set(missed.map((r) => r.note?.replace('the largest: ', '') ?? ''))].map((role) => MEMORY_WHY[role] ?? `${role}: not analysed`).join('; ')}` : ''),
    );
  }
  return out;
}
