// Where the code being judged was, in a traced run: the events fired inside
// it, with the call chain at each. The learner's exported functions are
// bracketed by funcgraph_entry/funcgraph_exit events (course/funcgraph.ts),
// so the stack is read only while one of them is running in the task that
// fires the event: reading a stack costs far more than recording an event.
// (A run without those brackets, e.g. a scenario replayed outside the
// checks, reads it at every event.)
//
// Pure: no Node APIs (the study site replays too).
import { save_stack_trace, type stack_frame } from '../kernel/lib/dump_stack';
import type { trace_event } from '../kernel/trace/trace';

/** Where a frame belongs to the code being judged: the learner's file, or a solution's in the course's own tests. */
export function judged_frame(f: stack_frame): boolean {
  return f.file.startsWith('exercises/') || f.file.startsWith('solutions/');
}

export interface seen_event {
  event: trace_event;
  /** The call chain, for the first event of a boot that fired inside the judged code; null for every other. */
  frames: stack_frame[] | null;
  /** The judged code's innermost frame when the event fired inside it, if its stack was read; else null. */
  mine: stack_frame | null;
  /** Fired while a call of the judged code was running in the event's task (its stack read or not). */
  inside: boolean;
}

export interface judged_code_watch {
  /** For model_trace_explain: each event as it fires, null at each boot. */
  observe(event: trace_event | null): void;
  /**
   * The boots a reader can use, in order: the last boot before the latest
   * in which the judged code ran (see ran_judged_code), if any, then the
   * latest boot. Older boots are dropped as the next one starts: an explaining run
   * may boot many machines (a body that runs several), each keeping up to
   * EXPLAIN_MAX_EVENTS events, and no reader looks at the others.
   */
  boots: seen_event[][];
}

/** ran_judged_code - the event fired inside a call of the judged code, or is one of its brackets. */
export function ran_judged_code(s: seen_event): boolean {
  return s.inside || s.event.event.startsWith('funcgraph_');
}

/** Events of the trace that no reader needs (they repeat what the log says). */
const HIDDEN = new Set(['report']);
/**
 * Stacks read per boot at most. A wrong answer may run to the step limit with
 * its frame on every stack (reclaim recursing under it): tens of thousands of
 * events, each a stack of dozens of frames, is gigabytes and minutes. The
 * first ones place the code; after them an event inside a call of it is
 * still marked, without its line.
 */
const MAX_STACKS = 256;

/** judged_code_watch - a fresh watcher (see the file's head). */
export function watch_judged_code(): judged_code_watch {
  const boots: seen_event[][] = [];
  /** Tasks ("comm-pid") inside a bracketed call, with its depth (reclaim may recurse into it). */
  let inside = new Map<string, number>();
  let bracketed = false;
  let readable = true;
  let blank = 0;
  /** Stacks read in this boot, and whether the first event inside the judged code has its call chain. */
  let stacks = 0;
  let placed = false;
  /** Whether the latest boot has an event ran_judged_code accepts. */
  let latest_ran = false;
  return {
    boots,
    observe(event) {
      if (event === null) {
        // boots is [latest] or [last boot that ran, latest]. The latest becomes the last boot that
        // ran if the judged code ran in it; else the one before stays. Any other boot is dropped.
        if (boots.length > 0) {
          const keep = latest_ran ? boots[boots.length - 1]! : boots.length > 1 ? boots[0]! : null;
          boots.length = 0;
          if (keep) boots.push(keep);
        }
        latest_ran = false;
        boots.push([]);
        inside = new Map();
        bracketed = false;
        stacks = 0;
        placed = false;
        return;
      }
      if (HIDDEN.has(event.event)) return;
      const task = `${event.comm}-${event.pid}`;
      if (event.event === 'funcgraph_entry') {
        bracketed = true;
        inside.set(task, (inside.get(task) ?? 0) + 1);
      } else if (event.event === 'funcgraph_exit') {
        const depth = (inside.get(task) ?? 1) - 1;
        if (depth > 0) inside.set(task, depth);
        else inside.delete(task);
      }
      const in_call = bracketed && inside.has(task);
      let frames: stack_frame[] | null = null;
      let mine: stack_frame | null = null;
      if (readable && stacks < MAX_STACKS && (!bracketed || in_call)) {
        stacks++;
        const all = save_stack_trace(1);
        mine = all.find(judged_frame) ?? null;
        if (mine && !placed) {
          frames = all;
          placed = true;
        }
        // No frame of the tree at all, repeatedly: this engine names no files (a browser bundle); stop paying for stacks.
        if (all.length === 0 && ++blank >= 32) readable = false;
      }
      const seen: seen_event = { event, frames, mine, inside: in_call || mine !== null };
      if (ran_judged_code(seen)) latest_ran = true;
      boots[boots.length - 1]?.push(seen);
    },
  };
}

/** first_judged_call - the call chain of the first event fired inside the judged code, or null. */
export function first_judged_call(boot: readonly seen_event[]): stack_frame[] | null {
  return boot.find((s) => s.frames)?.frames ?? null;
}
