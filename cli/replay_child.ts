// What `shrinker-lab replay` runs in its child process (course/worker.ts
// replay, started by course/runner.ts like every run of learner code): find
// the scenario a schedule string names, built by an exercise's checks with
// the learner's current code, and replay it with tracing on. It runs apart
// from the command because the learner's code may loop for ever.
//
//   worker.ts replay --root R --schedule S [--tail N] [--log-only]
//
// A schedule string is something learners paste to each other (and to their
// instructor): replaying one runs the learner's file of whoever replays it.
// So the learner's code is loaded exactly as `run` and the grader load it:
// the precheck first (the exercise's import allowlist, no state kept in the
// file, types: course/typecheck.ts precheck), then into the locked grading
// realm (course/realm.ts), after the model and the checks, which are frozen.
// The scenario is built, replayed and rendered inside the realm
// (cli/replay_view.ts); only its text comes out.
//
// Finding the scenario: every check suite declares the scenarios it
// explores, by id (its `scenarios` export, course/scenario_registry.ts). The
// id in the string names one; it is built with the learner's current code of
// the exercise whose suite declares it, exactly as that check builds it.
import { join } from 'node:path';
import { exercise_gate, load_model_and_freeze } from '../course/check_exercise';
import type { exercise_impl } from '../course/checks';
import { read_manifest } from '../course/files';
import type { manifest_exercise } from '../course/manifest';
import { describe_thrown, realm } from '../course/realm';
import type { declared_scenario, scenario_declarations } from '../course/scenario_registry';
import { parse_schedule, schedule_string_error } from '../explorer/schedule';
import type { replay_view } from './replay_view';

let argv: readonly string[] = [];

function arg(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The realm loads modules as the .js path of each .ts file (transpiled in memory from the checkout). */
const to_js = (p: string) => p.replace(/\.ts$/, '.js');

/** The scenario @id among every suite's declarations (each suite loaded into @r, trusted), with every id seen and the suites that failed to load. */
async function find_scenario(r: realm, root: string, id: string): Promise<{ hit: { e: manifest_exercise; declaration: declared_scenario } | null; ids: string[]; broken: string[] }> {
  const registry = await r.import_trusted('course/scenario_registry.js');
  const declarations_of = registry.scenario_declarations_of as (mod: unknown) => scenario_declarations | null;
  let hit: { e: manifest_exercise; declaration: declared_scenario } | null = null;
  const ids: string[] = [];
  const broken: string[] = [];
  for (const e of read_manifest(root).exercises) {
    let d: scenario_declarations | null;
    try {
      d = declarations_of(await r.import_trusted(to_js(e.checks)));
    } catch (err) {
      broken.push(`${e.checks}: ${describe_thrown(err).message}`);
      continue;
    }
    for (const s of d?.scenarios ?? []) {
      ids.push(String(s.id));
      if (!hit && s.id === id) hit = { e, declaration: s };
    }
  }
  return { hit, ids, broken };
}

/** The learner's files of @e, checked as `run` checks them before running them: the precheck's refusal as text, or null. */
async function precheck(root: string, e: manifest_exercise): Promise<string | null> {
  const { typechecker, format_diagnostics } = await import('../course/typecheck');
  const checker = new typechecker(root, { cache_dir: join(root, '.shrinker-lab', 'typecheck') });
  const { kind, diagnostics } = await checker.precheck(e, e.files.map((f) => join(root, 'exercises', e.id, f)));
  if (!kind) return null;
  const why = kind === 'imports' ? 'imports the exercise does not allow' : kind === 'state' ? 'keeps state in the file between calls' : 'does not compile';
  return `Not replayed: your code for exercise ${e.id} ${why}:\n${format_diagnostics(diagnostics)}`;
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
  const { ts_loader, set_transpile_cache } = await import('../course/transpile');
  set_transpile_cache(join(root, '.shrinker-lab', 'transpile'));
  // What the learner's code prints goes to the terminal, as text only (course/harden.ts console).
  const r = new realm({ root, print: (t) => void process.stdout.write(t), load: ts_loader });
  const { hit, ids, broken } = await find_scenario(r, root, id);
  if (!hit) {
    for (const b of broken) console.error(`(could not load ${b} to look for the scenario)`);
    console.error(`No check builds a scenario "${id}".`);
    console.error(`Scenarios the checks explore: ${ids.join(', ')}`);
    return 1;
  }
  const { e, declaration } = hit;
  const refused = await precheck(root, e);
  if (refused) {
    console.error(refused);
    return 1;
  }
  // Everything that judges or renders is loaded and frozen before the learner's first line runs.
  const view = (await r.import_trusted('cli/replay_view.js')).replay_view as typeof replay_view;
  await load_model_and_freeze(r, root, true);
  const impl = r.new_object() as exercise_impl;
  const gate = exercise_gate(e);
  try {
    for (const f of e.files) {
      const ns = await r.import_learner(to_js(join('exercises', e.id, f)), gate);
      for (const k of Object.keys(ns)) impl[k] = ns[k];
    }
  } catch (err) {
    const t = describe_thrown(err);
    console.error(`Not replayed: loading your code for exercise ${e.id} threw ${t.name}: ${t.message}`);
    return 1;
  }
  // Options as an object of the realm: nothing of this process is handed in.
  const opts = r.new_object();
  const tail = arg('tail');
  opts.exercise = e.id;
  opts.tail = tail ? Number(tail) : null;
  opts.log_only = argv.includes('--log-only');
  let out: unknown;
  try {
    out = await view(declaration, impl, text, opts as unknown as Parameters<typeof replay_view>[3]);
  } catch (err) {
    const t = describe_thrown(err);
    console.error(`The replay stopped: ${t.name}: ${t.message}`);
    return t.name === 'schedule_string_error' ? 2 : 1;
  }
  process.stdout.write(typeof out === 'string' ? out : '(the replay returned no text)\n');
  return 0;
}
