// What `shrinker-lab replay S --log-only` prints between its header and its
// verdict, for the playground tests to compare the site's dmesg with: the
// real command, run on course @root (the replay runs in a worker child with
// the grading realm, course/runner.ts, so it needs its own node process).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The CLI's own wall-clock backstop for one command, far above any honest run on a loaded machine (its default is 300 s). */
export const CLI_TIMEOUT_S = 850;

/** cli_replay_log - the log `shrinker-lab replay @schedule --log-only` prints for the course at @root, and its exit code. */
export async function cli_replay_log(root: string, schedule: string): Promise<{ code: number; log: string }> {
  let stdout = '';
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'shrinker-lab.js'), 'replay', schedule, '--log-only', '--timeout', String(CLI_TIMEOUT_S)], { cwd: root, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } }));
  } catch (e) {
    // Not replayed: what it said is the "log", for the failing test's message.
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, log: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
  // Header: "Replaying", two indented lines, a blank line; then the log; then a blank line and the verdict.
  const body = stdout.replace(/\n$/, '').split('\n').slice(4);
  let end = body.length - 1;
  while (end > 0 && body[end] !== '') end--;
  return { code: 0, log: body.slice(0, end).join('\n') };
}

/**
 * cli_run_strings - what `shrinker-lab run @id --all --full` prints for the
 * exercise's current files in course @root (every failing check's whole
 * message), its exit code, and every schedule string in it, in order, once each.
 */
export async function cli_run_strings(root: string, id: string): Promise<{ code: number; output: string; strings: string[] }> {
  let output = '';
  let code = 0;
  try {
    ({ stdout: output } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'shrinker-lab.js'), 'run', id, '--all', '--full', '--timeout', String(CLI_TIMEOUT_S)], { cwd: root, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } }));
  } catch (e) {
    // A failing exercise exits 1: its output is what the learner reads.
    const x = e as { code?: number; stdout?: string; stderr?: string };
    code = typeof x.code === 'number' ? x.code : 1;
    output = `${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
  return { code, output, strings: [...new Set(output.match(/sl1:[A-Za-z0-9][A-Za-z0-9._/-]*:m\d+:[^\s:]*:[0-9a-f]{4}/g) ?? [])] };
}
