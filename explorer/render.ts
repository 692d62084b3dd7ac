// The timeline of a replayed run: trace events, kernel log lines and the
// explorer's own notes on where the schedule departed from the default,
// merged in the order they happened, as a JSON-serialisable list (the study
// site draws it) and as text that reads like a kernel log (the terminal).
//
// Order is exact, not guessed from timestamps: every log line and every
// departure note records how many trace events came before it (run.ts), and
// the merge places it there. Within one scheduler step the virtual clock
// does not move, so timestamps alone could not order them.
//
// Text shapes:
//   [    1.000003] a-1       [000] sched_switch: prev_comm=a prev_pid=1 ==> next_comm=b next_pid=2
//   [    1.000003] >>> explorer: decision #2: ran b:2 instead of a:1 (a:1 could have run on: a preemption)
//   [  121.000004] INFO: task a:1 blocked for more than 120 seconds.
// The first two are ftrace's "comm-pid [cpu] event: fields" and a note of
// the explorer; the third is the kernel log line itself, unchanged, so the
// lockdep, hung-task and KASAN reports keep the kernel's own shapes.
import type { run_result } from '../kernel/init/main';
import { format_timestamp } from '../kernel/printk/printk';
import type { trace_event } from '../kernel/trace/trace';
import type { decision_note, printk_note } from './run';

export type timeline_entry =
  | ({ type: 'event' } & trace_event)
  | { type: 'printk'; ts_ns: number; /** The dmesg line, timestamp included. */ text: string }
  | ({ type: 'decision' } & decision_note);

/** build_timeline - merge @result's trace events with its log lines and the schedule's departures. */
export function build_timeline(result: run_result, printk_notes: readonly printk_note[], notes: readonly decision_note[]): timeline_entry[] {
  const out: timeline_entry[] = [];
  let p = 0;
  let d = 0;
  const markers_before = (pos: number): void => {
    // Departure notes are taken before the step runs, log lines during it:
    // at one position a note comes first.
    for (;;) {
      const dn = notes[d];
      const pn = printk_notes[p];
      if (dn && dn.trace_pos <= pos && (!pn || pn.trace_pos > pos || dn.trace_pos <= pn.trace_pos)) {
        out.push({ type: 'decision', ...dn });
        d++;
      } else if (pn && pn.trace_pos <= pos) {
        out.push({ type: 'printk', ts_ns: pn.ts_ns, text: result.dmesg[pn.line] ?? '' });
        p++;
      } else return;
    }
  };
  for (let i = 0; i < result.trace.length; i++) {
    markers_before(i);
    out.push({ type: 'event', ...result.trace[i]! });
  }
  markers_before(Number.MAX_SAFE_INTEGER);
  return out;
}

/** A task state as ftrace's sched_switch prints prev_state: R, S, D... */
function state_char(state: number): string {
  if (state === 0) return 'R';
  const names: string[] = [];
  if (state & 0x0001) names.push('S');
  if (state & 0x0002) names.push('D');
  if (state & 0x0040) names.push('X');
  if (state & 0x0080) names.push('K');
  return names.join('|') || String(state);
}

/** Field values: owner words and flag masks read best in hex, as the kernel prints them. */
function format_value(key: string, v: string | number | boolean | null): string {
  if (typeof v === 'number' && (key === 'state' || key === 'prev_state')) return state_char(v);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && /owner|flags|word|addr|ptr|mask/.test(key)) return '0x' + v.toString(16);
  // %p of NULL: "(null)" padded to a pointer's width, printed as the kernel prints it (mm_page_alloc's page=).
  if (typeof v === 'string' && /^ *\(null\)$/.test(v)) return v;
  if (typeof v === 'string') return /^[^\s"=]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  return String(v);
}

function format_fields(e: trace_event): string {
  const f = e.fields;
  if (e.event === 'sched_switch') {
    // ftrace's shape: prev_comm=... prev_pid=... ==> next_comm=... next_pid=...
    return `prev_comm=${e.comm} prev_pid=${e.pid} ==> next_comm=${format_value('next_comm', f.next_comm ?? null)} next_pid=${format_value('next_pid', f.next_pid ?? null)}`;
  }
  return Object.keys(f)
    .map((k) => `${k}=${format_value(k, f[k]!)}`)
    .join(' ');
}

/** departure_reason - why the default was what it was, for a departure note. */
export function departure_reason(n: decision_note): string {
  if (n.prev === null) return 'the first choice of the run';
  if (n.prev_runnable && n.prev === n.default_choice) return `${n.prev} could have run on: a preemption`;
  if (n.prev_runnable) return `${n.prev} had used its time slice`;
  return `${n.prev} had gone to sleep or exited`;
}

/** format_entry - one timeline entry as one line of text. */
export function format_entry(e: timeline_entry): string {
  switch (e.type) {
    case 'printk':
      return e.text;
    case 'event': {
      const task = `${e.comm}-${e.pid}`.padEnd(9);
      const fields = format_fields(e);
      return `${format_timestamp(e.ts_ns)}${task} [${String(e.cpu).padStart(3, '0')}] ${e.event}:${fields ? ' ' + fields : ''}`;
    }
    case 'decision':
      return `${format_timestamp(e.ts_ns)}>>> explorer: decision #${e.at}: ran ${e.chosen} instead of ${e.default_choice} (${departure_reason(e)})`;
  }
}

export interface render_options {
  /**
   * Only the last @tail lines, with a note of how many were left out; up to
   * a third of them are the last lines before that window that explain a
   * failure (the shrinker's answers, lock contention, OOM victims, reports,
   * the explorer's decisions), so a long retry loop cannot push them out.
   */
  tail?: number;
  /** Leave out trace events (kernel log and explorer notes only). */
  log_only?: boolean;
}

/** Trace events that explain a failure: what the shrinker answered, who waited for a lock, whom the OOM killer chose. */
const EXPLAINING_EVENTS = new Set(['shrinker_count_objects', 'shrinker_scan_objects', 'mm_shrink_slab_start', 'mm_shrink_slab_end', 'lock_contended', 'mark_victim', 'warning']);

/** A line without its "[    1.000219] " timestamp. */
function untimed(line: string): string {
  return line.replace(/^\[\s*[\d.]+\]\s*/, '');
}

/** Kernel log lines a reviewer looks for first (the trace window keeps them; the CLI's excerpt shows them). */
export const KEY_LOG_LINE = /BUG:|WARNING:|INFO:|Out of memory|Killed process|invoked oom-killer|Unable to|blocked for more than|possible circular|inconsistent|soft lockup|KASAN|deadlock/;

function explains(e: timeline_entry): boolean {
  if (e.type === 'decision') return true;
  if (e.type === 'event') return EXPLAINING_EVENTS.has(e.event);
  return KEY_LOG_LINE.test(e.text);
}

/**
 * Events left out of the text: a 'report' event marks where a report was
 * printed, and the report's own log lines are already there.
 */
const HIDDEN_IN_TEXT = new Set(['report']);

/** render_timeline - the timeline as kernel-log-like text, one entry per line. */
export function render_timeline(entries: readonly timeline_entry[], opts: render_options = {}): string {
  const picked = entries.filter((e) => e.type !== 'event' || (!opts.log_only && !HIDDEN_IN_TEXT.has(e.event)));
  const lines = picked.map(format_entry);
  if (opts.tail !== undefined && lines.length > opts.tail) {
    // The explaining lines before the window, a run of the same line (bar its timestamp) told once.
    const runs: { line: string; more: number }[] = [];
    picked.slice(0, lines.length - opts.tail).forEach((e, i) => {
      if (!explains(e)) return;
      const last = runs[runs.length - 1];
      if (last && untimed(last.line) === untimed(lines[i]!)) last.more++;
      else runs.push({ line: lines[i]!, more: 0 });
    });
    const room = Math.floor(opts.tail / 3);
    const kept = (room > 0 ? runs.slice(-room) : []).map((r) => (r.more ? `${r.line}   (and ${r.more} more time${r.more === 1 ? '' : 's'})` : r.line));
    const window = opts.tail - kept.length;
    const skipped = lines.length - window;
    const head = kept.length
      ? [`... (${skipped} earlier lines; of those, what explains the failure:)`, ...kept, `... (the last ${window} lines:)`]
      : [`... (${skipped} earlier line${skipped === 1 ? '' : 's'})`];
    return [...head, ...lines.slice(skipped)].join('\n');
  }
  return lines.join('\n');
}
