// `shrinker-lab run [id]`: check one exercise once, in a fresh process.
// Exit code 0 only when every check passes. The verdict is the first
// screen's (each failure's excerpt); --full prints every failure's whole
// report (dmesg, schedule, trace tail), --all every failure.
import { check_isolated, DEFAULT_TIMEOUT_S, record } from '../checking';
import { number_flag, parse_args } from '../args';
import type { course_ctx } from '../course';
import { exercise_header, render_run, rows_of, verdict_notes } from '../report';
import { green, term_rows } from '../term';
import { pick_exercise, short_id } from './common';

export async function cmd_run(ctx: course_ctx, argv: readonly string[]): Promise<number> {
  const p = parse_args(argv, ['all', 'full'], ['timeout']);
  const e = pick_exercise(ctx, p.positional[0]);
  const header = exercise_header(ctx.root, e);
  console.log(header);
  console.log('');
  const run = await check_isolated(ctx.root, e, number_flag(p, 'timeout', DEFAULT_TIMEOUT_S));
  record(ctx.root, run);
  console.log(render_run(e, run, { all: p.flags.has('all'), full: p.flags.has('full'), output: (run as { output?: string }).output, ...verdict_notes(ctx.root, e, run), root: ctx.root, max_rows: run_verdict_rows(header) }));
  if (run.status === 'passed') {
    console.log('', green(`Exercise ${short_id(e.id)} is done.`) + ` Its reference solution: npx shrinker-lab solution ${short_id(e.id)}`);
    return 0;
  }
  return 1;
}

/** Rows the verdict of `run` may take: the terminal's (24 off a terminal) less the header, the blank row under it and the shell's prompt after it. */
export function run_verdict_rows(header: string): number {
  return term_rows() - rows_of(header) - 2;
}
