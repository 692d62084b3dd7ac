// The function graph tracer for the learner's code: while the trace is on,
// each call of an exercise's exported function is an event on entry and on
// exit, with what it returned. The replay of a failure then shows exactly
// when the kernel called the learner's code and what the code answered (the
// kernel's function_graph tracer prints the same "fn() {" ... "}" pair, and
// its funcgraph-retval option the return value).
//
// With the trace off (every run that decides a verdict) a call goes straight
// through: nothing is recorded and no extra promise step is taken.
//
// Pure: no Node APIs (the study site runs checks too).
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
      if (!trace_enabled()) return fn.apply(this, args);
      trace('funcgraph_entry', { func: name });
      const exit = (v: unknown, threw: boolean): void => {
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
