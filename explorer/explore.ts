// explore() - run a scenario under many schedules and report each distinct
// failure once, with the simplest schedule that shows it.
//
// Exhaustive mode (the default) runs every schedule with at most
// `preemption_bound` deviations from the kernel's default choice (default 2:
// CHESS's observation is that most concurrency bugs need very few
// preemptions). Random mode runs N seeded random schedules (PCT by default).
// Both stop at a budget of schedules and scheduler steps and then say so:
// an exploration reports `exhausted: true` only when it really covered the
// whole bounded space, and never reports "no failures" for space it did not
// cover (see verdict.ts).
//
// Exploration runs with tracing off, for speed. The failures keep only their
// schedule and report; replay() re-runs a schedule with tracing on when a
// trace is wanted.
import type { kernel_report, report_kind } from '../kernel/panic';
import { bfs, type bfs_stats, type bfs_visit } from './bfs';
import { dpor } from './dpor';
import { minimise_schedule } from './minimise';
import { random_runs } from './random';
import { ALL_FAILURE_KINDS, type scenario } from './scenario';
import { format_schedule, preemptions, SCENARIO_ID_RE, type schedule } from './schedule';

export interface explore_options {
  /** 'exhaustive' (default) or 'random'. */
  mode?: 'exhaustive' | 'random';
  /** Exhaustive: most deviations from the default per schedule (default 2). */
  preemption_bound?: number;
  /**
   * Exhaustive: 'dpor' runs one schedule per class of equivalent ones
   * (partial-order reduction, explorer/dpor.ts) instead of every schedule;
   * 'none' (default) runs them all.
   */
  reduction?: 'none' | 'dpor';
  /** Exhaustive with reduction 'dpor': no bound at all, every interleaving (up to equivalence). Ignores preemption_bound. */
  complete?: boolean;
  /** Random: how many random schedules after the default one (default 200). */
  runs?: number;
  /** Random: the seed (default 1). */
  seed?: number;
  /** Random: 'pct' (default) or 'uniform'. */
  strategy?: 'pct' | 'uniform';
  /** Random, PCT: the bug depth d aimed at (default 3: two change points). */
  pct_depth?: number;
  /** Stop after this many schedules (default 20000). */
  max_schedules?: number;
  /** Stop after this many scheduler steps over all runs (default 20 million). */
  max_steps?: number;
  /** Report kinds that count as failures (default: all of them). */
  fail_on?: readonly report_kind[];
  /** Stop at the first failure ('first'), or the first of one kind; default: explore everything. */
  stop_on?: 'first' | report_kind | null;
  /** Random mode: shrink each failure's schedule (default true). Exhaustive failures are minimal already. */
  minimise?: boolean;
  /** Schedules the minimiser may spend per failure on proving minimality (default 2000). */
  proof_budget?: number;
}

/** One distinct failure, with the simplest schedule found that shows it. */
export interface failure {
  kind: report_kind;
  title: string;
  /** Kind and title without numbers: how failures are told apart. */
  signature: string;
  schedule: schedule;
  /** The copy-pasteable form of schedule, for replay(). */
  schedule_string: string;
  preemptions: number;
  /** Number of the schedule (1-based) in which it was first seen. */
  found_at: number;
  /** True when no schedule with fewer deviations shows it (the search proved it). */
  minimal: boolean;
  /** The kernel's report, from the first run that showed it. */
  report: kernel_report;
}

export interface exploration {
  scenario: string;
  mode: 'exhaustive' | 'random';
  /** Exhaustive mode's bound (null in random mode and in complete exploration). */
  preemption_bound: number | null;
  /** 'dpor' when partial-order reduction chose the schedules. */
  reduction: 'none' | 'dpor';
  /** Complete exploration (no bound): when exhausted, every interleaving was covered up to equivalence. */
  complete: boolean;
  /** Reduced runs cut short as redundant (sleep sets) or over the bound (not counted in schedules). */
  pruned: number;
  /** Reduced: the share of steps whose footprint was unknown (each conflicts with every step), 0..1. */
  opaque_share: number;
  /** Reduced: the share of steps that wrote the memory state ('memory' scenarios: workload and learner code), 0..1. */
  memory_share: number;
  /** Random mode: the strategy and seed. */
  strategy: 'pct' | 'uniform' | null;
  seed: number | null;
  /** Schedules run (not counting minimisation), and their scheduler steps and decision points. */
  schedules: number;
  steps: number;
  decisions: number;
  max_decisions: number;
  /** Every schedule with at most this many deviations was run (-1: none). */
  covered_bound: number;
  /** The whole space within the bound was explored (always false in random mode). */
  exhausted: boolean;
  /** Why the exploration stopped early, if it did. */
  stopped_by: bfs_stats['stopped_by'];
  failures: failure[];
  /** Runs spent minimising failures. */
  minimise_runs: number;
}

const DEFAULTS = {
  preemption_bound: 2,
  runs: 200,
  seed: 1,
  pct_depth: 3,
  max_schedules: 20_000,
  max_steps: 20_000_000,
  proof_budget: 2_000,
};

/** explore - run @sc under many schedules (see explore_options) and collect its distinct failures. */
export async function explore(sc: scenario, opts: explore_options = {}): Promise<exploration> {
  if (!SCENARIO_ID_RE.test(sc.id)) throw new Error(`scenario id "${sc.id}" must use letters, digits, ".", "_", "/" and "-" only (it goes into schedule strings).`);
  const mode = opts.mode ?? 'exhaustive';
  const bound = opts.preemption_bound ?? DEFAULTS.preemption_bound;
  if (!Number.isInteger(bound) || bound < 0) throw new Error(`preemption_bound must be a whole number >= 0, not ${bound}.`);
  const fail_on = new Set<string>(opts.fail_on ?? ALL_FAILURE_KINDS);
  const max_schedules = opts.max_schedules ?? DEFAULTS.max_schedules;
  const max_steps = opts.max_steps ?? DEFAULTS.max_steps;
  const stop_on = opts.stop_on ?? null;
  const reduction = mode === 'exhaustive' ? (opts.reduction ?? 'none') : 'none';
  const complete = reduction === 'dpor' && (opts.complete ?? false);
  if (opts.complete && reduction !== 'dpor') throw new Error("complete: true needs reduction: 'dpor' (the unreduced space has no end in sight).");

  const found = new Map<string, failure>();
  const visit: bfs_visit = (out, s, number) => {
    let stop = false;
    for (const f of out.failures) {
      const old = found.get(f.signature);
      if (!old || s.length < old.preemptions) {
        found.set(f.signature, {
          kind: f.kind,
          title: f.title,
          signature: f.signature,
          schedule: s,
          schedule_string: format_schedule(sc.id, s),
          preemptions: preemptions(s),
          found_at: old ? old.found_at : number,
          minimal: mode === 'exhaustive' && reduction === 'none',
          report: f.report,
        });
      }
      if (stop_on === 'first' || stop_on === f.kind) stop = true;
    }
    return stop ? 'stop' : undefined;
  };

  let pruned = 0;
  let opaque_share = 0;
  let memory_share = 0;
  const stats =
    reduction === 'dpor'
      ? await dpor(sc, { bound: complete ? Infinity : bound, max_schedules, max_steps, fail_on }, visit).then((d) => {
          pruned = d.pruned;
          opaque_share = d.recorded_steps > 0 ? d.opaque_steps / d.recorded_steps : 0;
          memory_share = d.recorded_steps > 0 ? d.memory_steps / d.recorded_steps : 0;
          return d;
        })
      : mode === 'exhaustive'
      ? await bfs(sc, { bound, max_schedules, max_steps, fail_on }, visit)
      : await random_runs(
          sc,
          {
            runs: opts.runs ?? DEFAULTS.runs,
            seed: opts.seed ?? DEFAULTS.seed,
            strategy: opts.strategy ?? 'pct',
            pct_depth: opts.pct_depth ?? DEFAULTS.pct_depth,
            max_schedules,
            max_steps,
            fail_on,
          },
          visit,
        );

  let minimise_runs = 0;
  const failures = [...found.values()];
  if (mode === 'random' && (opts.minimise ?? true)) {
    for (const f of failures) {
      const m = await minimise_schedule(sc, f.schedule, f.signature, {
        fail_on,
        proof_budget: opts.proof_budget ?? DEFAULTS.proof_budget,
        max_steps,
      });
      minimise_runs += m.runs;
      f.schedule = m.schedule;
      f.schedule_string = format_schedule(sc.id, m.schedule);
      f.preemptions = preemptions(m.schedule);
      f.minimal = m.minimal;
      if (m.report) f.report = m.report;
    }
  }
  return {
    scenario: sc.id,
    mode,
    preemption_bound: mode === 'exhaustive' && !complete ? bound : null,
    reduction,
    complete,
    pruned,
    opaque_share,
    memory_share,
    strategy: mode === 'random' ? (opts.strategy ?? 'pct') : null,
    seed: mode === 'random' ? (opts.seed ?? DEFAULTS.seed) : null,
    schedules: stats.schedules,
    steps: stats.steps,
    decisions: stats.decisions,
    max_decisions: stats.max_decisions,
    covered_bound: stats.covered_bound,
    exhausted: stats.exhausted,
    stopped_by: stats.stopped_by,
    failures,
    minimise_runs,
  };
}
