// The half of `shrinker-lab replay` that runs with the learner's code: it
// builds the scenario a schedule string names with the learner's current
// implementation, replays it with tracing on, and renders the trace as text.
//
// It is loaded INTO the grading realm (course/realm.ts) as a trusted module
// by cli/replay_child.ts, like the check suites: the learner's code it calls
// runs exactly where `run` and the grader run it, with no process, no fs and
// no import(). So it uses no Node API and returns only a string: nothing of
// the realm but text crosses to the process that prints it.
import type { exercise_impl } from '../course/checks';
import { traced_exports } from '../course/funcgraph';
import { build_checked, type declared_scenario } from '../course/scenario_registry';
import { replay_schedule } from '../explorer/replay';
import { render_timeline } from '../explorer/render';
import { ALL_FAILURE_KINDS } from '../explorer/scenario';
import { parse_schedule } from '../explorer/schedule';
import { headline } from '../explorer/verdict';

export interface replay_view_options {
  /** The exercise whose checks declare the scenario (for the header line). */
  exercise: string;
  /** Only the last @tail lines of the trace (null: all). */
  tail: number | null;
  /** The kernel log only, no trace events. */
  log_only: boolean;
}

/** replay_view - the text `shrinker-lab replay @text` prints for scenario @d built with @impl. */
export async function replay_view(d: declared_scenario, impl: exercise_impl, text: string, opts: replay_view_options): Promise<string> {
  // Wrapped as the checks wrap it (course/checks.ts): the same funcgraph lines, and lockdep names the same callers.
  const built = build_checked(d, traced_exports(impl));
  const p = parse_schedule(text, d.id);
  const run = () => replay_schedule(built.scenario, p.schedule, built.options?.fail_on ?? ALL_FAILURE_KINDS);
  const r = await (built.around ? built.around(run) : run());
  const body = render_timeline(r.timeline, { tail: opts.tail ?? undefined, log_only: opts.log_only });
  const out = [
    `Replaying ${r.schedule_string}`,
    `  scenario "${d.id}" from the checks of exercise ${opts.exercise}, with your current code`,
    `  ${r.schedule.length === 0 ? 'no departures from the kernel\'s default choices' : `${r.schedule.length} departure(s) from the kernel's default choices`}; ${r.result.steps} steps; the run ended: ${r.result.stop}`,
    '',
    body,
    '',
  ];
  if (r.failures.length === 0) out.push('This run fails nothing now: your current code survives this schedule.');
  else out.push('What went wrong in this run:', ...r.failures.map((f) => `  ${headline(f)}`));
  return `${out.join('\n')}\n`;
}
