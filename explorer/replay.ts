// replay() - turn a schedule string back into the identical run, with
// tracing on, and render what happened.
//
// The model is deterministic, so the same scenario under the same schedule
// is the same run: same kernel log byte for byte, same reports, same trace.
// (Tracing only records; it changes no decision.) A string that is
// malformed, altered, for another scenario or model version, or that does
// not fit the run (it names a task that is not runnable at its decision, or
// a decision the run never reaches) is rejected with a message saying which.
import type { run_result } from '../kernel/init/main';
import type { report_kind } from '../kernel/panic';
import type { run_failure } from './failures';
import type { stack_frame } from '../kernel/lib/dump_stack';
import { model_trace_observe } from '../kernel/trace/trace';
import { build_timeline, render_timeline, type timeline_entry } from './render';
import { first_judged_call, watch_judged_code } from './your_code';
import { run_scenario } from './run';
import { ALL_FAILURE_KINDS, type scenario } from './scenario';
import { format_schedule, parse_schedule, type schedule } from './schedule';

export interface replay_result {
  schedule_string: string;
  schedule: schedule;
  /** The run, with its trace. */
  result: run_result;
  /** Its failures (all report kinds, plus the scenario's check). */
  failures: run_failure[];
  /** Trace events, log lines and departures from the default, in order (JSON-serialisable). */
  timeline: timeline_entry[];
  /** The kernel log, as dmesg prints it. */
  dmesg_text: string;
  /** The timeline as text. */
  timeline_text: string;
  /** The call chain of the first event fired inside the code being judged (explorer/your_code.ts), or null. */
  your_code: stack_frame[] | null;
}

/** replay - re-run @sc under the schedule in @schedule_string (throws schedule_string_error if it does not fit). */
export async function replay(sc: scenario, schedule_string: string): Promise<replay_result> {
  const p = parse_schedule(schedule_string, sc.id);
  return replay_schedule(sc, p.schedule);
}

/** replay_schedule - the same for a schedule already parsed (or taken from a failure). */
export async function replay_schedule(sc: scenario, s: schedule, fail_on: readonly report_kind[] = ALL_FAILURE_KINDS): Promise<replay_result> {
  const watch = watch_judged_code();
  // Watch only: a replay runs its whole schedule (an explaining run's caps are not for it).
  model_trace_observe(watch.observe);
  let out;
  try {
    out = await run_scenario(sc, { schedule: s, strict: true, record_from: -1, trace: true, fail_on: new Set(fail_on) });
  } finally {
    model_trace_observe(null);
  }
  const timeline = build_timeline(out.result, out.printk_notes, out.notes);
  return {
    schedule_string: format_schedule(sc.id, s),
    schedule: s,
    result: out.result,
    failures: out.failures,
    timeline,
    dmesg_text: out.result.dmesg.join('\n'),
    timeline_text: render_timeline(timeline),
    your_code: first_judged_call(watch.boots[watch.boots.length - 1] ?? []),
  };
}
