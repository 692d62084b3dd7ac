// The `shrinker-lab` command: the learner's way through the course.
// bin/shrinker-lab.js loads this file through tsx. `npm start` runs `watch`.
import { manifest_error } from '../course/manifest';
import { usage_error } from './args';
import { open_course, type course_ctx } from './course';
import { cmd_hint } from './commands/hint';
import { cmd_list } from './commands/list';
import { cmd_replay } from './commands/replay';
import { cmd_reset } from './commands/reset';
import { cmd_run } from './commands/run';
import { cmd_solution } from './commands/solution';
import { cmd_verify } from './commands/verify';
import { cmd_watch } from './commands/watch';
import { red } from './term';

export const USAGE = `Shrinker Lab: learn Linux memory reclaim by fixing real shrinker bugs.

Usage: npx shrinker-lab <command> [options]      (npm start = watch)

  watch [id]          the course loop: shows the current exercise and re-checks it
                      on every save. Keys: h hint, l list, r rerun, f full, c all,
                      x reset, n next (after success), s solution (once passed), q quit.
                      --once: check once and exit (0 on success)   --no-site: no study site
                      --poll: poll files instead of watching   --manual: only re-check on r
                      --timeout <s>: CPU-time backstop for one check (default 300)
  list [filter]       every exercise with its status; filter by a status (done, failing,
                      not-compiling, not-started, todo) or by text in the id or title
  run [id]            check one exercise once (default: the current one); exit code 0
                      only when it passes.   --all: show every failure in full
  hint [id]           the next hint (remembered between runs)
  verify              check every exercise, in parallel; a table and an exit code
                      --jobs <n>: children at a time (default: one per core)
  reset <id>          restore the starter; your version is backed up first   --yes: do not ask
  solution <id>       the reference solution and a diff from yours (once it passed)
  replay <schedule>   the full trace of a schedule string from a failing check,
                      run with your current code   --tail <n>   --log-only
  grade [...]         the classroom autograder (same as npm run grade -- ...)
  export-student DIR  (instructors) write the student template into DIR
  help                this text

Ids: "01", "1" or "01-count-must-not-hide-memory". Progress lives in .shrinker-lab/state.json.
The learner's guide: docs/learners.md`;

type command = (ctx: course_ctx, argv: readonly string[]) => number | Promise<number>;

const COMMANDS: Record<string, command> = {
  watch: cmd_watch,
  list: cmd_list,
  run: cmd_run,
  hint: cmd_hint,
  verify: cmd_verify,
  reset: cmd_reset,
  solution: cmd_solution,
  replay: cmd_replay,
};

/** Instructor commands live in grader/; they need no learner state. */
async function instructor_command(name: string, rest: readonly string[]): Promise<number> {
  const grader = await import('../grader/main');
  return grader.main(name === 'grade' ? [...rest] : [name, ...rest]);
}

/** main - run the command in @argv; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name = 'watch', ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (name === 'grade' || name === 'export-student') return instructor_command(name, rest);
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`${red('error:')} unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  try {
    const ctx = await open_course();
    return await cmd(ctx, rest);
  } catch (e) {
    if (e instanceof usage_error || e instanceof manifest_error) {
      console.error(`${red('error:')} ${e.message}`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
