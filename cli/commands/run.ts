// `shrinker-lab run [id]`: check one exercise once, in a fresh process.
// Exit code 0 only when every check passes. The verdict is the first
// screen's (each failure's excerpt); --full prints every failure's whole
// report (dmesg, schedule, trace tail), --all every failure.
import { check_isolated, DEFAULT_TIMEOUT_S, record } from '../checking';
import { number_flag, parse_args } from '../args';
import type { course_ctx } from '../course';
import { exercise_header, render_run, verdict_notes } from '../report';
import { green } from '../term';
import { pick_exercise, short_id } from './common';

export async function cmd_run(ctx: course_ctx, argv: readonly string[]): Promise<number> {
  const p = parse_args(argv, ['all', 'full'], ['timeout']);
  const e = pick_exercise(ctx, p.positional[0]);
  console.log(exercise_header(ctx.root, e));
  console.log('');
  const run = await check_isolated(ctx.root, e, number_flag(p, 'timeout', DEFAULT_TIMEOUT_S));
  record(ctx.root, run);
  console.log(render_run(e, run, { all: p.flags.has('all'), full: p.flags.has('full'), output: (run as { output?: string }).output, ...verdict_notes(ctx.root, e, run), root: ctx.root }));
  if (run.status === 'passed') {
    console.log('', green(`Exercise ${short_id(e.id)} is done.`) + ` Its reference solution: npx shrinker-lab solution ${short_id(e.id)}`);
    return 0;
  }
  return 1;
}
