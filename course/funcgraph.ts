// The function graph tracer for the learner's code: while the trace is on,
// each call of an exercise's exported function is an event on entry and on
// exit, with what it returned. The replay of a failure then shows exactly
// when the kernel called the learner's code and what the code answered (the
// kernel's function_graph tracer prints the same "fn() {" ... "}" pair, and
// its funcgraph-retval option the return value).
//
// With the trace off (every run that decides a verdict) nothing is recorded
// and the caller awaits the very promise the learner's function returned: no
// extra promise step. Trace on or off, the task notes which exported function
// it is in, so that lockdep names it as the site of a lock the learner's code
// takes without naming one (kernel/locking/lockdep.ts model_enter_caller: the
// _RET_IP_ that v4.11's mutex_lock_nested() records is the caller's, never
// mutex_lock+0x...). A non-exported helper of the learner's file is named by
// the export it runs under, as if the compiler had inlined it. A call nested
// in a call of the same function (reclaim recursing into the learner's code)
// takes no bracket of its own: recursion thousands deep costs nothing more.
//
// Pure: no Node APIs (the study site runs checks too).
import { model_enter_caller_unless_inside } from '../kernel/locking/lockdep';
import { trace, trace_enabled } from '../kernel/trace/trace';

/** A return value as the trace shows it: numbers, booleans and short strings as they are, objects by kind. */
function retval(v: unknown): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 40 ? `${v.slice(0, 40)}…` : v;
  if (typeof v === 'bigint') return String(v);
  return `(${typeof v})`;
}

/**
 * traced_exports - @impl with each function wrapped to emit funcgraph_entry
 * and funcgraph_exit events while the trace is on. Data exports stay the very
 * objects they are.
 */
export function traced_exports<T extends Record<string, unknown>>(impl: T): T {
  const out: Record<string, unknown> = { ...impl };
  for (const [name, value] of Object.entries(impl)) {
    if (typeof value !== 'function') continue;
    const fn = value as (...args: unknown[]) => unknown;
    out[name] = function traced_call(this: unknown, ...args: unknown[]): unknown {
      const leave = model_enter_caller_unless_inside(name);
      if (!trace_enabled()) {
        if (!leave) return fn.apply(this, args);
        let ret: unknown;
        try {
          ret = fn.apply(this, args);
        } catch (e) {
          leave();
          throw e;
        }
        // The leave runs as the promise settles, before the awaiting caller resumes; the caller gets @ret itself.
        if (ret instanceof Promise) ret.then(leave, leave);
        else leave();
        return ret;
      }
      trace('funcgraph_entry', { func: name });
      // One reaction per call does both: the exit event and leaving the function (no second promise).
      const exit = (v: unknown, threw: boolean): void => {
        leave?.();
        trace('funcgraph_exit', { func: name, retval: threw ? 'threw' : retval(v) });
      };
      let ret: unknown;
      try {
        ret = fn.apply(this, args);
      } catch (e) {
        exit(undefined, true);
        throw e;
      }
      if (ret instanceof Promise) {
        return ret.then(
          (v) => (exit(v, false), v),
          (e: unknown) => {
            exit(undefined, true);
            throw e;
          },
        );
      }
      exit(ret, false);
      return ret;
    };
  }
  return out as T;
}
