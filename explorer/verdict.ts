// Verdicts for exercise tests, free of any test framework: explore, then
// say in kernel terms what went wrong, with the simplest schedule, the
// report, the end of the trace and the schedule string to replay.
// explorer/expect.ts turns a failed verdict into a thrown Error for vitest.
import { format_call_trace, type stack_frame } from '../kernel/lib/dump_stack';
import { judged_frame } from './your_code';
import type { report_kind } from '../kernel/panic';
import { format_timestamp } from '../kernel/printk/printk';
import { explore, type exploration, type explore_options, type failure } from './explore';
import { departure_reason, render_timeline } from './render';
import { replay_schedule, type replay_result } from './replay';
import type { scenario } from './scenario';

export interface verdict_options extends explore_options {
  /**
   * Exhaustive mode: fail when the budget ran out before the whole bounded
   * space was covered (default true), since "no failure found" would then
   * claim more than was checked.
   */
  require_exhaustive?: boolean;
  /** Trace lines shown in a failure message (default 40). */
  trace_tail?: number;
}

export interface verdict {
  ok: boolean;
  /** What to print: a summary when ok, the full story when not. */
  message: string;
  exploration: exploration;
  /** The failure shown (check_no_failures: the first found; check_failure: the one expected). */
  failure: failure | null;
  /** Its replay with trace on. */
  replay: replay_result | null;
}

/** What to call a failure of each kind in a sentence. */
const KIND_NOUN: Record<report_kind, string> = {
  deadlock: 'a deadlock',
  hung_task: 'a hung task',
  lockdep: 'a lockdep splat',
  warn: 'a WARN',
  bug: 'a BUG',
  oom: 'an OOM kill',
  kasan: 'a KASAN report',
  assert: 'a failed scenario check',
  forgotten_await: 'a forgotten await',
  step_limit: 'a run that never ends',
};

/** How a failure's headline starts, by kind (unless the title already says it). */
const KIND_LABEL: Record<report_kind, string> = {
  deadlock: 'deadlock',
  hung_task: 'hung task',
  lockdep: 'lockdep',
  warn: 'WARNING',
  bug: 'BUG',
  oom: 'OOM kill',
  kasan: 'KASAN',
  assert: 'scenario check failed',
  forgotten_await: 'forgotten await',
  step_limit: 'step limit',
};

/** headline - "deadlock: a:1 -> b:2", "WARNING: at ...": the kind, then the title. */
export function headline(f: { kind: report_kind; title: string }): string {
  const label = KIND_LABEL[f.kind];
  return f.title.toLowerCase().startsWith(label.toLowerCase()) ? f.title : `${label}: ${f.title}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line on what was explored. */
export function coverage_text(x: exploration): string {
  if (x.mode === 'random') {
    return `${plural(x.schedules, 'schedule')} (the default and ${x.schedules - 1} ${x.strategy} random, seed ${x.seed}), ${plural(x.steps, 'step')}; random mode covers a sample, not the whole space`;
  }
  if (x.reduction === 'dpor') return reduced_coverage_text(x);
  const space = x.exhausted
    ? 'space exhausted'
    : x.stopped_by === 'failure'
      ? 'stopped at the failure'
      : `space NOT exhausted: stopped by ${x.stopped_by}, every schedule with at most ${plural(Math.max(x.covered_bound, 0), 'preemption')} covered${x.covered_bound < 0 ? ' (not even the default run)' : ''}`;
  return `${plural(x.schedules, 'schedule')} with at most ${plural(x.preemption_bound ?? 0, 'preemption')}, ${plural(x.steps, 'step')}; ${space}`;
}

/** coverage_text for a partial-order-reduced search: says whether every interleaving, or every one within the bound, was covered. */
function reduced_coverage_text(x: exploration): string {
  const ran = `${plural(x.schedules, 'schedule')} (one per class of equivalent interleavings, partial-order reduced), ${plural(x.steps, 'step')}`;
  if (x.exhausted) return x.complete ? `${ran}; every interleaving covered` : `${ran}; every interleaving with at most ${plural(x.preemption_bound ?? 0, 'preemption')} covered`;
  if (x.stopped_by === 'failure') return `${ran}; stopped at the failure`;
  return `${ran}; space NOT exhausted: stopped by ${x.stopped_by}`;
}

/** The story of a schedule: each departure from the kernel's default choice. */
function story(r: replay_result): string[] {
  const notes = r.timeline.filter((e) => e.type === 'decision');
  if (notes.length === 0) return ['  (none: this is what the kernel does by default, with no preemption at all)'];
  return notes.map((n) => `  decision #${n.at}, step ${n.step}: ${n.chosen} ran instead of ${n.default_choice} (${departure_reason(n)})`);
}

/**
 * The learner's first traced call into the kernel, when the report's own
 * Call Trace does not reach their code (an OOM kill or a hung task elsewhere
 * is the consequence; this is where their code was).
 */
function your_code_paragraph(report_trace: readonly stack_frame[], mine: readonly stack_frame[] | null): string[] {
  if (!mine || report_trace.some(judged_frame)) return [];
  const at = mine.find(judged_frame)!;
  return ['', `Your code's first traced call into the kernel in this run, at ${at.file}:${at.line}:`, ...format_call_trace(mine).map((l) => `  ${l}`)];
}

/** describe_failure - the full message for @f, from its replay @r. */
export function describe_failure(sc: scenario, x: exploration, f: failure, r: replay_result, trace_tail = 40): string {
  const replayed = r.failures.find((g) => g.signature === f.signature);
  const rep = replayed?.report ?? f.report;
  const lines = [
    `scenario "${sc.id}": ${headline(f)}`,
    `  found with ${plural(f.preemptions, 'preemption')}${f.minimal ? ' (no schedule with fewer shows it)' : ' (minimised; fewer might exist)'}; explored ${coverage_text(x)}`,
    '',
    `The schedule, as departures from the kernel's default choice:`,
    ...story(r),
    '',
    `Replay it: ${f.schedule_string}`,
    '',
    'The kernel said:',
    ...rep.lines.map((l) => `  ${format_timestamp(rep.ts_ns)}${l}`),
    ...format_call_trace(rep.call_trace).map((l) => `  ${l}`),
    ...your_code_paragraph(rep.call_trace, r.your_code),
    '',
    `End of the trace (replayed with trace on):`,
    ...render_timeline(r.timeline, { tail: trace_tail })
      .split('\n')
      .map((l) => '  ' + l),
  ];
  if (!replayed) lines.push('', `(note: the replay did not show this failure again: the scenario may not be deterministic)`);
  const others = x.failures.filter((g) => g !== f);
  if (others.length > 0) {
    lines.push('', `Other failures found:`);
    for (const g of others) lines.push(`  ${headline(g)} -- ${g.schedule_string}`);
  }
  return lines.join('\n');
}

/**
 * check_no_failures - explore @sc and pass only if no schedule fails
 * (and, in exhaustive mode, the whole bounded space was covered).
 * Stops at the first failure unless opts.stop_on says otherwise.
 */
export async function check_no_failures(sc: scenario, opts: verdict_options = {}): Promise<verdict> {
  const x = await explore(sc, { stop_on: 'first', ...opts });
  const f = x.failures[0];
  if (f) {
    const r = await replay_schedule(sc, f.schedule, opts.fail_on);
    return { ok: false, message: describe_failure(sc, x, f, r, opts.trace_tail), exploration: x, failure: f, replay: r };
  }
  if (x.mode === 'exhaustive' && !x.exhausted && (opts.require_exhaustive ?? true)) {
    return {
      ok: false,
      message:
        `scenario "${sc.id}": no failure found, but the search did not cover the space: ${coverage_text(x)}.\n` +
        'That proves nothing about the schedules not run: raise max_schedules / max_steps, or lower preemption_bound.',
      exploration: x,
      failure: null,
      replay: null,
    };
  }
  // Say exactly what was proved: every interleaving (complete exploration finished), or only those within the bound.
  const proved =
    x.complete && x.exhausted
      ? 'no failure in any interleaving'
      : x.mode === 'exhaustive' && x.exhausted
        ? `no failure within bound ${x.preemption_bound ?? 0}`
        : 'no failures';
  return { ok: true, message: `scenario "${sc.id}": ${proved} in ${coverage_text(x)}`, exploration: x, failure: null, replay: null };
}

/**
 * check_failure - explore @sc and pass only if some schedule shows a
 * failure of @kind (for proving that a starter is broken). Stops at the
 * first one.
 */
export async function check_failure(sc: scenario, kind: report_kind, opts: verdict_options = {}): Promise<verdict> {
  const fail_on = opts.fail_on && !opts.fail_on.includes(kind) ? [...opts.fail_on, kind] : opts.fail_on;
  const x = await explore(sc, { stop_on: kind, ...opts, fail_on });
  const f = x.failures.find((g) => g.kind === kind);
  if (f) {
    const r = await replay_schedule(sc, f.schedule, fail_on);
    return { ok: true, message: `scenario "${sc.id}": found ${KIND_NOUN[kind]} as expected: ${headline(f)} -- ${f.schedule_string}`, exploration: x, failure: f, replay: r };
  }
  const seen = x.failures.length > 0 ? ` It found only: ${x.failures.map((g) => `${headline(g)} -- ${g.schedule_string}`).join('; ')}.` : ' It found no failure at all.';
  return {
    ok: false,
    message: `scenario "${sc.id}": expected ${KIND_NOUN[kind]} (${kind}), but none showed in ${coverage_text(x)}.${seen}`,
    exploration: x,
    failure: null,
    replay: null,
  };
}

/** Complete exploration after a passing bounded search may spend 4x that search's steps, at least and at most these (model steps, never wall time). */
export const COMPLETE_MIN_STEPS = 1000;
export const COMPLETE_MAX_STEPS = 2000;
/** Schedules a tagged scenario's complete exploration may run before the bounded search takes over. */
export const COMPLETE_TAGGED_SCHEDULES = 2000;

/** complete_step_budget - the steps complete exploration may spend after a bounded search of @bounded_steps steps passed. */
export function complete_step_budget(bounded_steps: number): number {
  return Math.min(COMPLETE_MAX_STEPS, Math.max(COMPLETE_MIN_STEPS, 4 * bounded_steps));
}

/**
 * check_no_failures_strongest - the strongest verdict that fits the budget:
 * "no failure in any interleaving" when complete exploration (explorer/dpor.ts,
 * no bound) finishes, else "no failure within bound k" (every schedule with at
 * most k departures, k = 2 unless @opts says otherwise).
 *
 * The bounded search runs first, exactly as check_no_failures does, so a
 * failure it finds is reported as before (with the fewest preemptions that
 * show it). Only when it passed, complete exploration gets a budget of model
 * steps proportional to the bounded search's (complete_step_budget): small
 * scenarios are then proved for every interleaving at little cost, big ones
 * keep the bounded verdict. A failure that complete exploration finds beyond
 * the bound is a failure (its schedule is not proved minimal).
 *
 * Scenarios that declare `footprint: 'tagged'` try complete exploration
 * first (their reduced space is usually small), with COMPLETE_TAGGED_SCHEDULES.
 * Options that choose a mode themselves (random, a reduction, complete) get
 * exactly that search.
 */
export async function check_no_failures_strongest(sc: scenario, opts: verdict_options = {}): Promise<verdict> {
  const chosen = opts.mode !== undefined || opts.reduction !== undefined || opts.complete !== undefined;
  if (chosen) return check_no_failures(sc, { preemption_bound: 2, ...opts });
  if (sc.footprint === 'tagged') {
    const all = await check_no_failures(sc, { ...opts, reduction: 'dpor', complete: true, max_schedules: Math.min(opts.max_schedules ?? Infinity, COMPLETE_TAGGED_SCHEDULES), require_exhaustive: false });
    if (!all.ok || all.exploration.exhausted) return all;
  }
  const bounded = await check_no_failures(sc, { preemption_bound: 2, ...opts });
  if (!bounded.ok || !bounded.exploration.exhausted || sc.footprint === 'tagged') return bounded;
  const budget = Math.min(opts.max_steps ?? Infinity, complete_step_budget(bounded.exploration.steps));
  const all = await check_no_failures(sc, { ...opts, reduction: 'dpor', complete: true, max_steps: budget, require_exhaustive: false });
  if (!all.ok || all.exploration.exhausted) return all;
  return bounded;
}
