// Building blocks for check suites: run a scenario under the explorer and
// turn its verdict into a check outcome; run a body once in a task on a
// fresh machine and look at what happened.
import { check_no_failures_strongest, type verdict_options } from '../explorer/verdict';
import { note_proved } from './proved';
import { run_scenario } from '../explorer/run';
import { ALL_FAILURE_KINDS, type scenario } from '../explorer/scenario';
import { user_task } from '../kernel/fork';
import { start_kernel, type run_result } from '../kernel/init/main';
import type { boot_params } from '../kernel/init/params';
import type { report_kind } from '../kernel/panic';
import type { i915_gem_options } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import { gem_world as make_gem_world, WORLD_PARAMS, type gem_world } from '../scenarios/i915_world';
import { fail, pass, type check_outcome } from './checks';
import { explain_failure, explained } from './explain';

/**
 * When set, no_failures() hands each scenario to this function instead of
 * exploring it (and passes). `shrinker-lab replay` uses it to find, by id,
 * the scenario a check builds with the learner's current code: it runs the
 * suite once in capture mode, which costs only the run_once checks.
 */
let scenario_capture: ((sc: scenario, opts: verdict_options) => void) | null = null;

/** capture_scenarios - route no_failures() scenarios (with their options) to @fn (null: explore them again). */
export function capture_scenarios(fn: ((sc: scenario, opts: verdict_options) => void) | null): void {
  scenario_capture = fn;
}

/**
 * no_failures - explore @sc and pass only if no schedule fails: every
 * interleaving when complete exploration fits its budget ("no failure in any
 * interleaving"), else every schedule within the bound, 2 by default ("no
 * failure within bound 2"); explorer/verdict.ts check_no_failures_strongest.
 * The failure message carries the minimised schedule, the dmesg/trace tail and
 * the schedule string. When neither the report's Call Trace nor the
 * explorer's "first traced call" reaches the learner's file (an OOM kill
 * after count returned 0 with no call into the kernel, a scenario's own
 * verdict on a value), that schedule is replayed once more to explain it, as
 * a failing workload is (course/explain.ts): the kernel's call into the
 * learner's function, and the trace around it.
 */
export async function no_failures(sc: scenario, opts: verdict_options = {}): Promise<check_outcome> {
  if (scenario_capture) {
    scenario_capture(sc, opts);
    return pass(`scenario "${sc.id}" captured, not explored`);
  }
  const v = await check_no_failures_strongest(sc, { stop_on: 'first', ...opts });
  if (v.ok) {
    note_proved(v.message);
    return pass(v.message);
  }
  const f = v.failure;
  if (!f || explained(v.message)) return fail(v.message);
  const fail_on = new Set<string>(opts.fail_on ?? ALL_FAILURE_KINDS);
  // Lenient: the explaining run's step cap may end the run before a departure the schedule names.
  const why = await explain_failure(() => run_scenario(sc, { schedule: f.schedule, strict: false, record_from: -1, trace: false, fail_on }), 'in that run');
  return fail([v.message, ...why].join('\n'));
}

export interface once_result<T> {
  result: run_result;
  /** What @body returned (undefined if it did not get that far). */
  value: T | undefined;
}

/**
 * run_once - boot a fresh machine with @params, run @body in one user task
 * (named @comm, "check" by default) under the kernel's own scheduling, and
 * return the run and the body's value. @setup may create more tasks and
 * devices first.
 */
export async function run_once<T>(params: Partial<boot_params>, body: () => Promise<T>, setup?: () => void, comm = 'check'): Promise<once_result<T>> {
  let value: T | undefined;
  const result = await start_kernel({ ...params }, () => {
    setup?.();
    user_task(async () => {
      value = await body();
    }, comm);
  });
  return { result, value };
}

/** What run_once runs, as data: the checks run it (run_parts) and a scenario can be made of it (once_scenario). */
export interface once_parts<T> {
  params: Partial<boot_params>;
  body: () => Promise<T>;
  setup?: () => void;
  comm?: string;
}

/** run_parts - run_once on @p. */
export function run_parts<T>(p: once_parts<T>): Promise<once_result<T>> {
  return run_once(p.params, p.body, p.setup, p.comm);
}

/** What the body of parts @P returns. */
type body_value<P extends once_parts<unknown>> = Awaited<ReturnType<P['body']>>;

/**
 * once_scenario - a run a check makes once (run_once) as a scenario the
 * explorer, `shrinker-lab replay` and the playground can step and replay
 * under any schedule: its default schedule is the check's own run. @make
 * builds a fresh run's parts (it is called anew for every run, as a
 * scenario's setup must build everything anew); @verdict judges each
 * finished run with the body's value (undefined if it did not get that far)
 * and the parts it ran, in the check's own words, or null. A verdict is a
 * failure of kind 'assert'.
 */
export function once_scenario<P extends once_parts<unknown>>(id: string, make: () => P, verdict: (result: run_result, value: body_value<P> | undefined, parts: P) => string | null): scenario {
  type T = body_value<P>;
  let run: { parts: P; value: T | undefined } | null = null;
  return {
    id,
    params: make().params,
    setup() {
      const r: { parts: P; value: T | undefined } = { parts: make(), value: undefined };
      run = r;
      r.parts.setup?.();
      user_task(async () => {
        r.value = (await r.parts.body()) as T;
      }, r.parts.comm ?? 'check');
    },
    check: (result) => (run ? verdict(result, run.value, run.parts) : 'the scenario was never set up'),
  };
}

/** The last @n lines of a run's dmesg, indented, for a failure message. */
export function dmesg_tail(r: run_result, n = 20): string {
  const lines = r.dmesg.slice(-n);
  return lines.length ? `\n  dmesg (last ${lines.length} lines):\n${lines.map((l) => `    ${l}`).join('\n')}` : '';
}

/**
 * The first report of one of @kinds in a run, as "kind: title", or null;
 * with the learner's line it came through ("in fn at exercises/...:12") when
 * the report's call trace passes through the exercise's file.
 */
export function first_report(r: run_result, kinds: readonly report_kind[]): string | null {
  const x = r.reports.find((rep) => kinds.includes(rep.kind));
  if (!x) return null;
  const mine = x.call_trace.find((f) => f.file.startsWith('exercises/'));
  return `${x.kind}: ${x.title}${mine ? ` (in ${mine.fn} at ${mine.file}:${mine.line})` : ''}`;
}

/**
 * run_in_gem_world - run_once on the small i915 machine (WORLD_PARAMS unless
 * @params says otherwise): set up GEM with @opts (e.g. the learner's
 * shrinker callback), then run @body in a task with that world. @more may
 * create other tasks in setup, with the world at hand.
 */
export async function run_in_gem_world<T>(
  opts: i915_gem_options,
  body: (w: gem_world) => Promise<T>,
  more?: (w: gem_world) => void,
  params: Partial<boot_params> = WORLD_PARAMS,
  comm = 'check',
): Promise<once_result<T>> {
  let w: gem_world | null = null;
  return run_once(params, () => body(w!), () => {
    w = make_gem_world(opts);
    more?.(w);
  }, comm);
}
