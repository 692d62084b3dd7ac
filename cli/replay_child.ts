// What `shrinker-lab replay` runs in its child process (course/worker.ts
// replay, started by course/runner.ts like every run of learner code): find
// the scenario a schedule string names, built by an exercise's checks with
// the learner's current code, and replay it with tracing on. It runs apart
// from the command because the learner's code may loop for ever.
//
//   worker.ts replay --root R --schedule S [--tail N] [--log-only]
//
// Finding the scenario: every check suite declares the scenarios it
// explores, by id (its `scenarios` export, course/scenario_registry.ts). The
// id in the string names one; it is built with the learner's current code of
// the exercise whose suite declares it, exactly as that check builds it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { load_impl, read_manifest } from '../course/files';
import { build_checked, find_declared, scenario_declarations_of, type scenario_declarations } from '../course/scenario_registry';
import { replay_schedule } from '../explorer/replay';
import { render_timeline } from '../explorer/render';
import { ALL_FAILURE_KINDS } from '../explorer/scenario';
import { parse_schedule, schedule_string_error } from '../explorer/schedule';
import { headline } from '../explorer/verdict';

let argv: readonly string[] = [];

function arg(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Every suite's declared scenarios, by the manifest's order (a suite that fails to load is said, and skipped). */
async function all_declarations(root: string): Promise<{ decls: scenario_declarations[]; broken: string[] }> {
  const decls: scenario_declarations[] = [];
  const broken: string[] = [];
  for (const e of read_manifest(root).exercises) {
    try {
      const d = scenario_declarations_of(await import(pathToFileURL(join(root, e.checks)).href));
      if (d) decls.push(d);
    } catch (err) {
      broken.push(`${e.checks}: ${(err as Error).message}`);
    }
  }
  return { decls, broken };
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
  const { decls, broken } = await all_declarations(root);
  const hit = find_declared(decls, id);
  if (hit) {
    const e = read_manifest(root).exercises.find((x) => x.id === hit.exercise);
    if (!e) throw new Error(`scenario "${id}" is declared by ${hit.exercise}, which the manifest does not list`);
    const impl = await load_impl(e, join(root, 'exercises', e.id));
    const built = build_checked(hit.declaration, impl);
    const p = parse_schedule(text, id);
    const run = () => replay_schedule(built.scenario, p.schedule, built.options?.fail_on ?? ALL_FAILURE_KINDS);
    const r = await (built.around ? built.around(run) : run());
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
  for (const b of broken) console.error(`(could not load ${b} to look for the scenario)`);
  console.error(`No check builds a scenario "${id}".`);
  console.error(`Scenarios the checks explore: ${decls.flatMap((d) => d.scenarios.map((s) => s.id)).join(', ')}`);
  return 1;
}

