// What a failing workload looked like from inside: one more run of the
// smallest failing workload with the trace on, to show the learner where
// their code was and what the kernel did around it. A reviewer reading a
// wrong answer asks "which line did that?"; a value compared with the
// reference cannot say, the trace can.
//
// The run is the same deterministic workload, so it takes the same path;
// only the explanation comes from it, never the verdict.
//
// Pure: no Node APIs (the study site runs checks too).
import { format_call_trace, save_stack_trace, type stack_frame } from '../kernel/lib/dump_stack';
import { EXPLAIN_MAX_EVENTS, model_trace_explain, model_trace_explain_dropped, model_trace_explaining, type trace_event } from '../kernel/trace/trace';
import { format_entry } from '../explorer/render';
import { first_judged_call, judged_frame, watch_judged_code, type seen_event } from '../explorer/your_code';

/** Lines of the trace kept before the first mark, after the last, and around each. */
const BEFORE = 8;
const AFTER = 4;
const AROUND = 2;
/** The window's length at most: its first and last lines are kept when it is longer. */
const MAX_LINES = 48;

/**
 * explain_failure - run @run (a failing workload's body) once more with the
 * trace on and return the lines that explain it: the call trace of the judged
 * code's first traced call into the kernel, and the trace where it ran, each
 * call of it and each event inside it marked; @on names what was replayed
 * ("on that workload", "in that run"). Empty when the run records
 * nothing (or throws before it does), and inside another explaining run (a
 * check re-run to explain it, course/checks.ts, explains once, from outside).
 */
export async function explain_failure(run: () => Promise<unknown>, on = 'on that workload'): Promise<string[]> {
  if (model_trace_explaining()) return [];
  const watch = watch_judged_code();
  // Where the kernel called the judged code: the call chain at the first funcgraph_entry of each boot
  // (one stack per boot), for the code that returns a wrong value without calling into the kernel.
  const callers = new WeakMap<trace_event, stack_frame[]>();
  let entered = false;
  model_trace_explain(true, (event) => {
    if (event === null) entered = false;
    else if (!entered && event.event === 'funcgraph_entry') {
      entered = true;
      callers.set(event, save_stack_trace(0));
    }
    watch.observe(event);
  });
  try {
    await run();
  } catch {
    /* the verdict already says how it failed; explain what was recorded */
  } finally {
    model_trace_explain(false, null);
  }
  // The last boot in which the judged code ran; else the last boot.
  const ran = (s: seen_event) => s.inside || s.event.event.startsWith('funcgraph_');
  const boot = [...watch.boots].reverse().find((b) => b.some(ran)) ?? watch.boots[watch.boots.length - 1];
  if (!boot || boot.length === 0) return [];
  const marks = boot.flatMap((s, i) => (ran(s) ? [i] : []));
  const where = (s: seen_event) =>
    s.mine ? `   <- your code, ${s.mine.file.replace(/^.*\//, '')}:${s.mine.line}` : ran(s) ? '   <- your code' : '';
  const line = (i: number) => `    ${format_entry({ type: 'event', ...boot[i]!.event })}${where(boot[i]!)}`;
  if (marks.length === 0) {
    const from = Math.max(0, boot.length - BEFORE - AFTER);
    const dropped = model_trace_explain_dropped();
    const why = dropped > 0
      ? `Your code had not run yet when the replay's trace filled up (the workload's setup made its ${EXPLAIN_MAX_EVENTS} events; ${dropped} more were not recorded). The trace's last recorded lines:`
      : `Your code never ran ${on}. The trace's last lines (replayed with trace on):`;
    return ['', why, ...boot.slice(from).map((_, k) => line(from + k))];
  }
  // Which lines to show: a run-up to the first mark, a few lines around each, the aftermath of the last.
  const keep = new Set<number>();
  const span = (a: number, b: number) => {
    for (let i = Math.max(0, a); i <= Math.min(boot.length - 1, b); i++) keep.add(i);
  };
  span(marks[0]! - BEFORE, marks[0]!);
  for (const m of marks) span(m - AROUND, m + AROUND);
  span(marks[marks.length - 1]!, marks[marks.length - 1]! + AFTER);
  let shown: (number | 'gap')[] = [];
  [...keep].sort((a, b) => a - b).forEach((i, k, all) => {
    if (k > 0 && i !== all[k - 1]! + 1) shown.push('gap');
    shown.push(i);
  });
  if (shown.length > MAX_LINES) shown = [...shown.slice(0, MAX_LINES / 2), 'gap', ...shown.slice(-MAX_LINES / 2)];
  const window = shown.map((x) => (x === 'gap' ? '    ...' : line(x)));
  const first = first_judged_call(boot);
  const mine = first?.find(judged_frame);
  const head = first && mine
    ? [`Your code's first traced call into the kernel ${on}, at ${mine.file}:${mine.line} (replayed with trace on):`, ...format_call_trace(first).map((l) => `  ${l}`), '']
    : called_from(boot, callers, on);
  return ['', ...head, `The trace where your code ran (${boot.length} lines in all; "<- your code" marks each call of it and each thing it did):`, ...window];
}

/**
 * called_from - when the judged code made no traced call into the kernel (a
 * `return 0` after a failed trylock), the Call Trace of the kernel's first
 * call into it: its own frame first, named with what it returned, then the
 * model's callers (none when the check's task called it directly). The
 * stacks read inside it may not reach its frame either (after an await
 * V8's stack may start in the model). The realm does not know which line of the learner's file
 * returned: the CLI puts that line in (cli/return_site.ts your_frame_line,
 * "fn   <- your code (returned V)" becomes "fn (file:line)   <- your code").
 */
function called_from(boot: readonly seen_event[], callers: WeakMap<trace_event, stack_frame[]>, on: string): string[] {
  const at = boot.findIndex((s) => callers.has(s.event));
  if (at < 0) return [];
  const entry = boot[at]!.event;
  const func = String(entry.fields.func ?? '');
  const task = `${entry.comm}-${entry.pid}`;
  const exit = boot.slice(at + 1).find((s) => s.event.event === 'funcgraph_exit' && `${s.event.comm}-${s.event.pid}` === task);
  const retval = exit?.event.fields.retval;
  // The trace machinery's own frames (trace(), the explain hook) are not the kernel's call into the code.
  const frames = callers.get(entry)!.filter((f) => !judged_frame(f) && !f.file.startsWith('kernel/trace/'));
  if (!func) return [];
  // It never returned (it slept for good, or the run stopped inside it): the CLI names the function's own line.
  const returned = retval === undefined ? '' : ` (returned ${String(retval)})`;
  return [
    `The kernel's first call into your code ${on} (replayed with trace on):`,
    '  Call Trace:',
    `   ${func}   <- your code${returned}`,
    // No model frame under it: the check's own task called it directly (the ioctl's body).
    ...format_call_trace(frames).slice(1).map((l) => `  ${l}`),
    '',
  ];
}

/** A Call Trace frame in the judged code: placed ("fn (exercises/…:24)"), or as called_from writes it for the CLI to place ("fn   <- your code (returned 0)"). */
const JUDGED_FRAME = /^\s*\S.* \((?:exercises|solutions)\/\S+:\d+\)|^\s*\w+ {3}<- your code(?: \(returned \S+\))?$/m;
/** What explain_failure says when it ran and found no call of the judged code to show. */
const NOTHING_TO_PLACE = /^(?:Your code never ran (?:on|in) |Your code had not run yet when)/m;

/**
 * explained - does @message already lead to the judged code (a Call Trace
 * frame in its file), or say that an explaining replay found none to show?
 * Either way, one more replay would add nothing.
 */
export function explained(message: string): boolean {
  return JUDGED_FRAME.test(message) || NOTHING_TO_PLACE.test(message);
}
