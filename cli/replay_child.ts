// What `shrinker-lab replay` runs in its child process (course/worker.ts
// replay, started by course/runner.ts like every run of learner code): find
// the scenario a schedule string names, built by an exercise's checks with
// the learner's current code, and replay it with tracing on. It runs apart
// from the command because the learner's code may loop for ever.
//
//   worker.ts replay --root R --schedule S [--tail N] [--log-only] [--prefer ID]
//
// Finding the scenario: each exercise's check suite runs once in capture
// mode (course/check_helpers.ts capture_scenarios): every scenario handed to
// no_failures() is recorded with its options instead of being explored.
// Scenario ids start with "exNN-" by convention, so exercise NN is tried
// first; then the exercise given by --prefer, then all the others.
import { join } from 'node:path';
import { capture_scenarios } from '../course/check_helpers';
import { run_checks } from '../course/checks';
import { load_impl, load_suite, read_manifest } from '../course/files';
import type { manifest_exercise } from '../course/manifest';
import type { verdict_options } from '../explorer/verdict';
import { replay_schedule } from '../explorer/replay';
import { render_timeline } from '../explorer/render';
import type { scenario } from '../explorer/scenario';
import { parse_schedule, schedule_string_error } from '../explorer/schedule';
import { headline } from '../explorer/verdict';

let argv: readonly string[] = [];

function arg(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * captured - the scenarios @e's checks build with the learner's current code,
 * by id. Checks run one at a time and the search stops at the check that
 * builds @want: the later checks' runs are not needed, and the replay then
 * starts from a process that ran nothing else.
 */
async function captured(root: string, e: manifest_exercise, want: string): Promise<Map<string, { sc: scenario; opts: verdict_options }>> {
  const found = new Map<string, { sc: scenario; opts: verdict_options }>();
  const suite = await load_suite(e, root);
  const impl = await load_impl(e, join(root, 'exercises', e.id));
  capture_scenarios((sc, opts) => {
    if (!found.has(sc.id)) found.set(sc.id, { sc, opts });
  });
  try {
    for (const c of suite.checks) {
      await run_checks(suite, impl, [c.id]);
      if (found.has(want)) break;
    }
  } finally {
    capture_scenarios(null);
  }
  return found;
}

/** replay_main - run the replay described by @args (the worker's arguments after the verb); the exit code. */
export async function replay_main(args: readonly string[]): Promise<number> {
  argv = args;
  const root = arg('root') ?? process.cwd();
  const text = arg('schedule') ?? '';
  let id: string;
  try {
    id = parse_schedule(text).scenario_id;
  } catch (e) {
    if (e instanceof schedule_string_error) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const m = read_manifest(root);
  const num = /^ex(\d\d)-/.exec(id)?.[1];
  const prefer = arg('prefer');
  const order = [...m.exercises].sort((a, b) => rank(a) - rank(b));
  function rank(e: manifest_exercise): number {
    if (num && e.id.startsWith(`${num}-`)) return 0;
    if (prefer && e.id === prefer) return 1;
    return 2;
  }
  const seen: string[] = [];
  for (const e of order) {
    let found: Map<string, { sc: scenario; opts: verdict_options }>;
    try {
      found = await captured(root, e, id);
    } catch (err) {
      console.error(`(could not load exercise ${e.id} to look for the scenario: ${(err as Error).message})`);
      continue;
    }
    const hit = found.get(id);
    seen.push(...found.keys());
    if (!hit) continue;
    const p = parse_schedule(text, id);
    const r = await replay_schedule(hit.sc, p.schedule, hit.opts.fail_on);
    const tail = arg('tail');
    const body = render_timeline(r.timeline, { tail: tail ? Number(tail) : undefined, log_only: argv.includes('--log-only') });
    console.log(`Replaying ${r.schedule_string}`);
    console.log(`  scenario "${id}" from the checks of exercise ${e.id}, with your current code`);
    console.log(`  ${r.schedule.length === 0 ? 'no departures from the kernel\'s default choices' : `${r.schedule.length} departure(s) from the kernel's default choices`}; ${r.result.steps} steps; the run ended: ${r.result.stop}`);
    console.log('');
    console.log(body);
    console.log('');
    if (r.failures.length === 0) console.log('This run fails nothing now: your current code survives this schedule.');
    else {
      console.log('What went wrong in this run:');
      for (const f of r.failures) console.log(`  ${headline(f)}`);
    }
    return 0;
  }
  console.error(`No check builds a scenario "${id}" with your current code.`);
  if (seen.length) console.error(`Scenarios the checks build: ${[...new Set(seen)].join(', ')}`);
  return 1;
}

