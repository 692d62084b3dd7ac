// `shrinker-lab replay <schedule>`: the full trace of one schedule of a
// check's scenario, run with the learner's current code. The work happens
// in a child process (cli/replay_child.ts) with a time limit, because the
// learner's code may loop for ever.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TSX_LOADER } from '../../course/isolate';
import { number_flag, parse_args, usage_error } from '../args';
import { DEFAULT_TIMEOUT_S } from '../checking';
import type { course_ctx } from '../course';
import { first_not_done } from '../state';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'replay_child.ts');

export async function cmd_replay(ctx: course_ctx, argv: readonly string[]): Promise<number> {
  const p = parse_args(argv, ['log-only'], ['tail', 'timeout']);
  const schedule = p.positional[0];
  if (!schedule) throw new usage_error('replay needs a schedule string, e.g. `npx shrinker-lab replay sl1:ex01-holder-allocates:m1:-:44cc` (failing checks print one after "Replay it:")');
  const timeout = number_flag(p, 'timeout', DEFAULT_TIMEOUT_S);
  const args = ['--import', TSX_LOADER, CHILD, '--root', ctx.root, '--schedule', schedule];
  if (p.flags.has('tail')) args.push('--tail', String(Math.floor(number_flag(p, 'tail', 40))));
  if (p.flags.has('log-only')) args.push('--log-only');
  const prefer = first_not_done(ctx.manifest, ctx.state);
  if (prefer) args.push('--prefer', prefer);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ctx.root, stdio: ['ignore', 'inherit', 'inherit'] });
    let timed_out = false;
    const timer = setTimeout(() => {
      timed_out = true;
      child.kill('SIGKILL');
    }, timeout * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timed_out) {
        console.error(`The replay did not finish within ${timeout} s and was stopped: an infinite loop that never reaches a schedule point (a loop without await)?`);
        return resolve(1);
      }
      resolve(code ?? 1);
    });
  });
}
