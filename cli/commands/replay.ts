// `shrinker-lab replay <schedule>`: the full trace of one schedule of a
// check's scenario, run with the learner's current code. The work happens
// in a worker child (course/worker.ts replay, started by course/runner.ts,
// the one runner of learner code) with a time limit, because the learner's
// code may loop for ever.
import { run_worker, stopped_message } from '../../course/runner';
import { strip_terminal } from '../../grader/text';
import { number_flag, parse_args, usage_error } from '../args';
import { DEFAULT_TIMEOUT_S } from '../checking';
import type { course_ctx } from '../course';

export async function cmd_replay(ctx: course_ctx, argv: readonly string[]): Promise<number> {
  const p = parse_args(argv, ['log-only'], ['tail', 'timeout']);
  const schedule = p.positional[0];
  if (!schedule) throw new usage_error('replay needs a schedule string, e.g. `npx shrinker-lab replay sl1:ex01-holder-allocates:m1:-:44cc` (failing checks print one after "Replay it:")');
  const timeout = number_flag(p, 'timeout', DEFAULT_TIMEOUT_S);
  const args = ['--root', ctx.root, '--schedule', schedule];
  if (p.flags.has('tail')) args.push('--tail', String(Math.floor(number_flag(p, 'tail', 40))));
  if (p.flags.has('log-only')) args.push('--log-only');
  // Printed as it comes, without terminal escapes: the trace shows what the learner's code printed, and the
  // schedule string may be anyone's (docs/instructors.md: "a string a student sent you").
  const echo = (which: 'out' | 'err', text: string): void => {
    (which === 'out' ? process.stdout : process.stderr).write(strip_terminal(text));
  };
  const r = await run_worker({ verb: 'replay', args, cwd: ctx.root, echo, max_output: Number.MAX_SAFE_INTEGER, timeout_ms: timeout * 1000 });
  if (r.stopped) {
    console.error(`The replay ${stopped_message(r.stopped, { timeout_ms: timeout * 1000 })}`);
    return 1;
  }
  return r.code ?? 1;
}
