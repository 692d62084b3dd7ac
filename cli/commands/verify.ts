// `shrinker-lab verify`: check every exercise, each in its own process,
// a few at a time (one per core), then print a table and exit 0 only when
// all pass. Updates the state file.
import { exercise_points } from '../../course/manifest';
import type { exercise_run } from '../../course/outcome';
import { number_flag, parse_args } from '../args';
import { check_many, default_jobs, DEFAULT_TIMEOUT_S, record } from '../checking';
import type { course_ctx } from '../course';
import { score, status_label, status_word } from '../report';
import { bold, dim, progress_bar, seconds } from '../term';

export async function cmd_verify(ctx: course_ctx, argv: readonly string[]): Promise<number> {
  const p = parse_args(argv, [], ['jobs', 'timeout']);
  const jobs = Math.floor(number_flag(p, 'jobs', default_jobs()));
  const list = ctx.manifest.exercises;
  const t0 = Date.now();
  console.log(`Checking ${list.length} exercises, ${jobs} at a time...`);
  let finished = 0;
  const runs: exercise_run[] = await check_many(ctx.root, list, jobs, number_flag(p, 'timeout', DEFAULT_TIMEOUT_S), (run) => {
    finished++;
    ctx.state = record(ctx.root, run);
    const line = `  [${finished}/${list.length}] ${run.exercise}: ${status_word(run.status)} ${dim(`(${seconds(run.ms)})`)}`;
    console.log(line);
  });
  console.log('');
  console.log(bold('  #   status          checks   points      exercise'));
  let points = 0;
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    const r = runs[i]!;
    const passed = r.results.filter((x) => x.status === 'passed').length;
    const checks = r.results.length ? `${passed}/${r.results.length}` : '-';
    const sc = score(e, r).replace(' points', '');
    points += Number(sc.split('/')[0]);
    total += exercise_points(e);
    const word = status_word(r.status);
    console.log(`  ${e.id.slice(0, 2)}  ${status_label(r.status)}${' '.repeat(Math.max(1, 16 - word.length))}${checks.padEnd(9)}${sc.padEnd(12)}${e.title}`);
  }
  const done = runs.filter((r) => r.status === 'passed').length;
  console.log('', progress_bar(done, list.length));
  console.log(`${done} passed, ${list.length - done} not passing; ${points}/${total} points; ${seconds(Date.now() - t0)}`);
  return done === list.length ? 0 : 1;
}
