// One registry of the scenarios the checks explore, by id.
//
// A check that explores interleavings (no_failures) prints a schedule string
// when it fails: "sl1:ex03-recursion:m1:-:1647". That string must replay to
// the same run, byte for byte the same dmesg, wherever it is pasted:
// `shrinker-lab replay`, the study site's playground, the checks themselves.
// So each check suite declares its explored scenarios once, by id, as
// factories that take the exercise's implementation (the learner's code, the
// starter or the reference solution):
//
//   export const scenarios = declare_scenarios('03-reclaim-recursion', [
//     { id: 'ex03-recursion', title: '...', build: (impl) => ({ scenario: recursion(lock_of(impl)) }) },
//   ]);
//
// and the check runs explore_declared(scenarios, 'ex03-recursion', impl).
// The CLI and the site find a string's scenario here by its id: no suite is
// re-run to find it and no exercise is guessed from the id.
// Nothing here touches Node APIs: the site uses it too.
import type { verdict_options } from '../explorer/verdict';
import { SCENARIO_ID_RE } from '../explorer/schedule';
import type { scenario } from '../explorer/scenario';
import { no_failures } from './check_helpers';
import type { check_outcome, exercise_impl } from './checks';

/** A scenario built with one implementation, with what its check explores it with. */
export interface built_scenario {
  scenario: scenario;
  /** The options the check hands the explorer (bound, fail_on, max_steps...). */
  options?: verdict_options;
  /**
   * Runs every run of the scenario inside @body's frame, for suites that set
   * something on the implementation around a run (13 sets the shrinker's
   * lock policy and restores it after). Replays go through it too.
   */
  around?: <T>(body: () => Promise<T>) => Promise<T>;
}

/** One explored scenario of a check suite. */
export interface declared_scenario {
  /** The id in its schedule strings. */
  id: string;
  /** One sentence for the playground: what runs. */
  title: string;
  /**
   * The playground's challenge on this scenario, when the starter's failure
   * is not a matter of schedule alone: what the learner steps through and
   * what wins (shown before the run). Without it the challenge is the
   * explorer's: find the schedule that makes the starter fail.
   */
  goal?: string;
  build(impl: exercise_impl): built_scenario;
}

/** A suite's explored scenarios. */
export interface scenario_declarations {
  exercise: string;
  scenarios: readonly declared_scenario[];
}

/** declare_scenarios - the explored scenarios of exercise @exercise's checks (ids checked: schedule-string alphabet, no repeats). */
export function declare_scenarios(exercise: string, scenarios: readonly declared_scenario[]): scenario_declarations {
  const seen = new Set<string>();
  for (const d of scenarios) {
    if (!SCENARIO_ID_RE.test(d.id)) throw new Error(`${exercise}: scenario id "${d.id}" cannot go into a schedule string`);
    if (seen.has(d.id)) throw new Error(`${exercise}: scenario id "${d.id}" is declared twice`);
    seen.add(d.id);
  }
  return { exercise, scenarios };
}

/** declared - the declaration of @id in @decl (throws if the suite does not declare it: a bug in the suite, not the learner's). */
export function declared(decl: scenario_declarations, id: string): declared_scenario {
  const d = decl.scenarios.find((s) => s.id === id);
  if (!d) throw new Error(`${decl.exercise}: no scenario "${id}" is declared (declared: ${decl.scenarios.map((s) => s.id).join(', ')})`);
  return d;
}

/** build_checked - build @d with @impl, checking that the scenario carries the declared id. */
export function build_checked(d: declared_scenario, impl: exercise_impl): built_scenario {
  const b = d.build(impl);
  if (b.scenario.id !== d.id) throw new Error(`scenario declared as "${d.id}" builds a scenario with id "${b.scenario.id}"`);
  // The learner's code and the workloads touch kernel objects directly: 'memory' unless the suite says more (explorer/scenario.ts).
  if (b.scenario.footprint === undefined) return { ...b, scenario: { ...b.scenario, footprint: 'memory' } };
  return b;
}

/**
 * explore_declared - the check's own exploration of scenario @id of @decl
 * with @impl (course/check_helpers.ts no_failures): every schedule within
 * the bound (2 unless the declaration says otherwise); it passes only if
 * none fails. @extra overrides options.
 */
export async function explore_declared(decl: scenario_declarations, id: string, impl: exercise_impl, extra: verdict_options = {}): Promise<check_outcome> {
  const b = build_checked(declared(decl, id), impl);
  const run = (): Promise<check_outcome> => no_failures(b.scenario, { ...b.options, ...extra });
  return b.around ? b.around(run) : run();
}

/** A scenario found by id: its declaration and the exercise whose checks declare it. */
export interface found_scenario {
  exercise: string;
  declaration: declared_scenario;
}

/** find_declared - the declaration of scenario @id among @all suites' declarations, or null. */
export function find_declared(all: readonly scenario_declarations[], id: string): found_scenario | null {
  for (const decl of all) {
    const d = decl.scenarios.find((s) => s.id === id);
    if (d) return { exercise: decl.exercise, declaration: d };
  }
  return null;
}

/** scenario_declarations_of - the `scenarios` export of a check-suite module, or null when it declares none. */
export function scenario_declarations_of(mod: unknown): scenario_declarations | null {
  const s = (mod as { scenarios?: scenario_declarations } | null)?.scenarios;
  return s && typeof s.exercise === 'string' && Array.isArray(s.scenarios) ? s : null;
}
