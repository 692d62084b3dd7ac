// Running a scenario once under a given schedule.
//
// Each run boots a fresh machine with start_kernel() and installs a policy
// that counts decision points and, at the listed ones, runs the listed task
// instead of the default. The same policy records what the search needs to
// branch (the alternatives at each later decision) and, when replaying, what
// the timeline shows (where the schedule departed from the default).
//
// Only one run can be in progress at a time (start_kernel's rule): runs
// asked for concurrently (say, the playground replaying while a check
// explores) are queued and run one after the other.
import { footprint_install, type footprint_recorder } from '../kernel/footprint';
import { start_kernel, type run_result } from '../kernel/init/main';
import { log_records, printk_listen } from '../kernel/printk/printk';
import type { sched_decision, sched_policy } from '../kernel/sched/core';
import type { task_struct } from '../kernel/sched/task';
import { ktime_get_ns } from '../kernel/time/timekeeping';
import { trace_events } from '../kernel/trace/trace';
import { run_failures, type run_failure } from './failures';
import type { scenario } from './scenario';
import { schedule_string_error, type deviation, type schedule } from './schedule';

/** A schedule that does not fit the run: it names a task that is not runnable, or a decision that never came. */
export class schedule_mismatch_error extends schedule_string_error {
  constructor(message: string) {
    super(message);
    this.name = 'schedule_mismatch_error';
  }
}

/** Where a schedule departed from the default, for the timeline. */
export interface decision_note {
  /** Decision index. */
  at: number;
  /** Scheduler step about to be taken. */
  step: number;
  /** Trace events recorded before it (its place in the timeline). */
  trace_pos: number;
  ts_ns: number;
  prev: string | null;
  prev_runnable: boolean;
  default_choice: string;
  chosen: string;
  runnable: string[];
}

/** A kernel log line and its place among the trace events. */
export interface printk_note {
  trace_pos: number;
  /** The index of the line in the run's dmesg. */
  line: number;
  ts_ns: number;
}

export interface run_options {
  /** Deviations to apply. */
  schedule: schedule;
  /** Throw schedule_mismatch_error if the schedule does not fit (replay); else skip what does not fit (minimising). */
  strict: boolean;
  /** Record the alternatives at decisions with index >= this (-1: record none). */
  record_from: number;
  /** Random mode: choose at every decision not covered by @schedule. */
  chooser?: ((d: sched_decision, at: number) => task_struct) | null;
  /** Boot with trace on and note decisions and printk lines for the timeline. */
  trace: boolean;
  /** Which report kinds count as failures. */
  fail_on: ReadonlySet<string>;
  /** Partial-order reduction: where the kernel's footprint tags go during this run (explorer/dpor.ts). */
  recorder?: footprint_recorder | null;
}

export interface run_outcome {
  result: run_result;
  failures: run_failure[];
  /** Decision points in the run. */
  decisions: number;
  /** The deviations actually taken (equal to the schedule unless some did not fit in lenient mode, or a chooser ran). */
  taken: deviation[];
  /** Alternatives recorded from record_from on: parallel arrays (decision, pid), in decision and run-queue order. */
  alt_at: number[];
  alt_pid: number[];
  /** Present when trace was on. */
  notes: decision_note[];
  printk_notes: printk_note[];
}

function who(t: task_struct): string {
  return `${t.comm}:${t.pid}`;
}

class explorer_policy implements sched_policy {
  index = 0;
  private next_dev = 0;
  readonly taken: deviation[] = [];
  readonly alt_at: number[] = [];
  readonly alt_pid: number[] = [];
  readonly notes: decision_note[] = [];

  constructor(private readonly o: run_options) {}

  pick(d: sched_decision): task_struct {
    const at = this.index++;
    const o = this.o;
    let choice = d.default_choice;
    const dev = o.schedule[this.next_dev];
    if (dev !== undefined && dev.at === at) {
      this.next_dev++;
      let found: task_struct | null = null;
      for (const t of d.runnable) if (t.pid === dev.pid) found = t;
      if (found && found !== d.default_choice) choice = found;
      else if (o.strict) {
        const runnable = d.runnable.map(who).join(', ');
        throw new schedule_mismatch_error(
          found
            ? `the schedule does not fit this run: decision #${at} names pid ${dev.pid}, which is already the default choice there (a schedule lists only departures from the default).`
            : `the schedule does not fit this run: decision #${at} names pid ${dev.pid}, but the runnable tasks there were ${runnable} (default ${who(d.default_choice)}).`,
        );
      }
    } else if (o.chooser) {
      choice = o.chooser(d, at);
    } else if (at >= o.record_from && o.record_from >= 0) {
      for (const t of d.runnable) {
        if (t === d.default_choice) continue;
        this.alt_at.push(at);
        this.alt_pid.push(t.pid);
      }
    }
    if (choice !== d.default_choice) {
      this.taken.push({ at, pid: choice.pid });
      if (o.trace) {
        this.notes.push({
          at,
          step: d.step,
          trace_pos: trace_events().length,
          ts_ns: ktime_get_ns(),
          prev: d.prev ? who(d.prev) : null,
          prev_runnable: d.prev_runnable,
          default_choice: who(d.default_choice),
          chosen: who(choice),
          runnable: d.runnable.map(who),
        });
      }
    }
    return choice;
  }

  /** Deviations listed but never reached (the run made fewer decisions). */
  unreached(): deviation[] {
    return this.o.schedule.slice(this.next_dev);
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * run_scenario - boot, run @sc once under @o.schedule, and classify the result.
 */
export function run_scenario(sc: scenario, o: run_options): Promise<run_outcome> {
  const run = (): Promise<run_outcome> => run_now(sc, o);
  const p = queue.then(run, run);
  queue = p.catch(() => undefined);
  return p;
}

async function run_now(sc: scenario, o: run_options): Promise<run_outcome> {
  const policy = new explorer_policy(o);
  const printk_notes: printk_note[] = [];
  const params = { ...sc.params, trace: o.trace };
  footprint_install(o.recorder ?? null);
  const result = await start_kernel(
    params,
    () => {
      if (o.trace) {
        // Boot messages come before any event; later lines are placed exactly
        // among the trace events by noting how many events preceded them.
        const boot = log_records();
        for (let i = 0; i < boot.length; i++) printk_notes.push({ trace_pos: 0, line: i, ts_ns: boot[i]!.ts_ns });
        let line = boot.length;
        printk_listen((r) => {
          printk_notes.push({ trace_pos: trace_events().length, line: line++, ts_ns: r.ts_ns });
        });
      }
      sc.setup();
    },
    policy,
  ).finally(() => footprint_install(null));
  const unreached = policy.unreached();
  if (o.strict && unreached.length > 0) {
    const d = unreached[0]!;
    throw new schedule_mismatch_error(
      `the schedule does not fit this run: it names decision #${d.at} (pid ${d.pid}), but the run ${result.stop === 'completed' ? 'ended' : `stopped (${result.stop})`} after ${policy.index} decision${policy.index === 1 ? '' : 's'}.`,
    );
  }
  const check_message = sc.check ? sc.check(result) : null;
  return {
    result,
    failures: run_failures(result, check_message, o.fail_on),
    decisions: policy.index,
    taken: policy.taken,
    alt_at: policy.alt_at,
    alt_pid: policy.alt_pid,
    notes: policy.notes,
    printk_notes,
  };
}
