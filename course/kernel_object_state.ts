// State a learner's function keeps between calls ON THE KERNEL'S OWN
// OBJECTS: a counter hung on the device (`i915.calls++`), a flag on the task
// (`current.drained = true`), a cached answer on the shrinker, the work item,
// the lock or shrink_control, a WeakMap stored on any of them.
//
// State in the learner's own file is refused statically
// (course/module_state.ts); this is the same class one step further, and it
// is refused at run time: every call of an exported function of the
// learner's file is watched, and a property it adds to an object the kernel
// handed it (an argument, anything reachable from one, `current`) or to a
// global is a failed check. In C there is nowhere to put such state: struct
// drm_i915_private, task_struct and shrink_control have only the fields
// their headers declare, and none of this course's exercises needs a new
// one. An answer that keeps its own count behaves differently on its Nth
// call, after a thousand calls, on the second device of a run: the checks
// cannot run every N, so the state itself is what they refuse.
import { model_list_watch_paused } from '../kernel/drivers/gpu/drm/i915/i915_gem_list_debug';
import { task_struct_freed } from '../kernel/exit';
import { current } from '../kernel/sched/core';
import type { task_struct } from '../kernel/sched/task';
import { fail, type check, type check_context, type check_outcome, type check_suite, type exercise_impl } from './checks';

/** How deep to follow fields from an argument (i915 -> mm -> free_work -> lockdep_map). */
const MAX_DEPTH = 3;
/** Elements of a list followed (object lists: a state field hung on one object is found on the first ones). */
const MAX_ELEMENTS = 16;
/** Objects watched per call at most (the model's work per call stays small). */
const MAX_OBJECTS = 1500;
/**
 * Objects snapshotted per check run at most: a wrong answer that recurses
 * into itself thousands of times keeps its verdict quick. State is hung on
 * an object by the first calls that keep it, long before this runs out.
 */
const OBJECTS_PER_CHECK = 150_000;

/**
 * How a field is held, without its value (values change: the model writes
 * its fields, and so may a fix): a data field with its writable, enumerable
 * and configurable flags, or an accessor with its getter and setter.
 */
type field_shape = { accessor: false; flags: number } | { accessor: true; flags: number; get: unknown; set: unknown };

type watched = { obj: object; path: string; keys: PropertyKey[]; shapes: field_shape[] };

function shape_of(o: object, k: PropertyKey): field_shape | undefined {
  const d = Reflect.getOwnPropertyDescriptor(o, k);
  if (!d) return undefined;
  const flags = (d.writable ? 1 : 0) | (d.enumerable ? 2 : 0) | (d.configurable ? 4 : 0);
  return 'value' in d ? { accessor: false, flags } : { accessor: true, flags, get: d.get, set: d.set };
}

const same_shape = (a: field_shape | undefined, b: field_shape | undefined): boolean =>
  !!a && !!b && a.accessor === b.accessor && a.flags === b.flags && (!a.accessor || (b.accessor && a.get === b.get && a.set === b.set));

function watch_object(obj: object, path: string): watched {
  const keys = field_keys(obj);
  return { obj, path, keys, shapes: keys.map((k) => shape_of(obj, k)!) };
}

const is_index = (k: PropertyKey): boolean => typeof k === 'string' && /^(0|[1-9]\d*)$/.test(k);

/** The keys that count as fields: for an array, not its elements or length. */
function field_keys(o: object): PropertyKey[] {
  const keys = Reflect.ownKeys(o);
  if (!Array.isArray(o)) return keys;
  // The elements come first, as "0", "1", ...: skip that run without the regular expression
  // (object and page lists are walked before and after every watched call), then filter the rest as before.
  let i = 0;
  while (i < keys.length && keys[i] === String(i)) i++;
  const rest: PropertyKey[] = [];
  for (; i < keys.length; i++) {
    const k = keys[i]!;
    if (k !== 'length' && !is_index(k)) rest.push(k);
  }
  return rest;
}

function key_text(k: PropertyKey): string {
  return typeof k === 'symbol' ? `[${k.description ?? 'symbol'}]` : String(k);
}

/** Objects not to descend into: globals and prototypes are watched for their own keys only. */
const SHALLOW: readonly [object, string][] = [
  [globalThis, 'globalThis'],
  [Object.prototype, 'Object.prototype'],
  [Array.prototype, 'Array.prototype'],
  [Function.prototype, 'Function.prototype'],
];

/** snapshot - the field keys of every object reachable from @roots (bounded), with the path a reader would name it by. */
function snapshot(roots: readonly [unknown, string][]): watched[] {
  const seen = new Set<object>();
  const out: watched[] = [];
  for (const [o, path] of SHALLOW) {
    seen.add(o);
    out.push(watch_object(o, path));
  }
  let level: [object, string][] = [];
  for (const [v, path] of roots) if ((typeof v === 'object' && v !== null) || typeof v === 'function') level.push([v as object, path]);
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: [object, string][] = [];
    for (const [o, path] of level) {
      if (seen.has(o) || out.length >= MAX_OBJECTS) continue;
      seen.add(o);
      // Collections keep their contents in internal slots: their own fields are what is watched.
      const w = watch_object(o, path);
      const keys = w.keys;
      out.push(w);
      if (depth === MAX_DEPTH || o instanceof Map || o instanceof Set || ArrayBuffer.isView(o)) continue;
      if (Array.isArray(o)) {
        for (let i = 0; i < Math.min(o.length, MAX_ELEMENTS); i++) {
          const v: unknown = o[i];
          if ((typeof v === 'object' && v !== null) || typeof v === 'function') next.push([v as object, `${path}[${i}]`]);
        }
        continue;
      }
      for (const k of keys) {
        const d = Reflect.getOwnPropertyDescriptor(o, k);
        const v: unknown = d && 'value' in d ? d.value : undefined; // never run a getter
        if ((typeof v === 'object' && v !== null) || typeof v === 'function') next.push([v as object, `${path}.${key_text(k)}`]);
      }
    }
    level = next;
  }
  return out;
}

/**
 * changed_fields - what the call did to the fields of @before's objects, in
 * a reviewer's words: a field added, a field deleted, a field deleted and
 * put back (it moved to the end of the object's keys), a data field turned
 * into an accessor or a field's flags changed. Values are not compared (the
 * model writes its fields); how a field is held is. A task_struct the model
 * freed during the call is left out: KASAN poisons its fields with
 * accessors (kernel/exit.ts): only a field added to it counts.
 */
function changed_fields(before: readonly watched[]): { added: string[]; tampered: string[] } {
  const added: string[] = [];
  const out: string[] = [];
  for (const w of before) {
    const now = field_keys(w.obj);
    const same_keys = now.length === w.keys.length && now.every((k, i) => k === w.keys[i]);
    if (same_keys) {
      let same = true;
      for (let i = 0; i < now.length && same; i++) same = same_shape(w.shapes[i], shape_of(w.obj, now[i]!));
      if (same) continue;
    }
    const poisoned = task_struct_freed(w.obj as task_struct);
    const name = (k: PropertyKey) => `\`${w.path}.${key_text(k)}\``;
    const had = new Map(w.keys.map((k, i) => [k, i]));
    const has = new Set(now);
    for (const k of now) if (!had.has(k)) added.push(name(k));
    if (poisoned) continue;
    for (const k of w.keys) if (!has.has(k)) out.push(`deleted ${name(k)}`);
    // A field deleted and added again goes to the end of the object's keys (integer keys keep their order).
    let last = -1;
    for (const k of now) {
      const i = had.get(k);
      if (i === undefined) continue;
      if (i < last) {
        out.push(`deleted and re-added ${name(k)}`);
        continue;
      }
      last = i;
      const was = w.shapes[i], is = shape_of(w.obj, k);
      if (same_shape(was, is)) continue;
      if (was && is && was.accessor !== is.accessor) out.push(`turned ${name(k)} into ${is.accessor ? 'an accessor (a getter or setter answers for it now)' : 'a plain field'}`);
      else out.push(`redefined ${name(k)} (its getter, setter or writable/enumerable/configurable flags)`);
    }
  }
  return { added, tampered: out };
}

/** The parameter names of an export's signature ("async function f(i915, sc): ..."), to name the objects. */
function parameter_names(signature: string | undefined): string[] {
  const m = signature ? /\(([^)]*)\)/.exec(signature) : null;
  return m ? m[1]!.split(',').map((s) => s.trim().split(/[:=\s]/)[0]!).filter(Boolean) : [];
}

/** One watched run of a check: the first state a learner's function left on the kernel's objects. */
interface state_watch {
  impl: exercise_impl;
  found(): string | null;
}

function watch_impl(impl: exercise_impl, exports: Record<string, string>): state_watch {
  let first: string | null = null;
  let budget = OBJECTS_PER_CHECK;
  /** Tasks inside a watched call: a call nested in one (reclaim recursing into it) is covered by the outer call's snapshot. */
  const inside = new Set<object>();
  /**
   * Each watched object as the first call found it, with that call's name: compared again when
   * the check ends, for what was added between calls (code of the learner's the kernel ran later,
   * outside any watched call: a work item of its own queued with schedule_work(), red team 11 #09).
   */
  const first_seen = new Map<object, { w: watched; by: string }>();
  const wrapped: exercise_impl = { ...impl };
  for (const [name, value] of Object.entries(impl)) {
    if (typeof value !== 'function') continue; // exported data (13's shrinker_policy) stays the very object
    const fn = value as (...args: unknown[]) => unknown;
    const params = parameter_names(exports[name]);
    wrapped[name] = function watched_call(this: unknown, ...args: unknown[]): unknown {
      const caller = current;
      if (first || budget <= 0 || inside.has(caller)) return fn.apply(this, args);
      const roots: [unknown, string][] = args.map((a, i) => [a, params[i] ?? `argument ${i + 1}`]);
      roots.push([caller, `current (${caller.comm})`]);
      // What the kernel called the function through (model_i915_shrinker_ops(i915).unlock(...): the ops table) is its object too.
      if ((typeof this === 'object' && this !== null) || typeof this === 'function') roots.push([this, 'this']);
      const before = model_list_watch_paused(() => snapshot(roots));
      budget -= before.length;
      for (const w of before) if (!first_seen.has(w.obj)) first_seen.set(w.obj, { w, by: name });
      inside.add(caller);
      const judge = (): void => {
        inside.delete(caller);
        if (first) return;
        const { added, tampered } = model_list_watch_paused(() => changed_fields(before));
        if (tampered.length > 0) first = `${name}() ${[...(added.length ? [`added ${added.join(', ')}`] : []), ...tampered].join(', ')}${TAMPERED}`;
        else if (added.length > 0) first = `${name}() added ${added.join(', ')}`;
      };
      let ret: unknown;
      try {
        ret = fn.apply(this, args);
      } catch (e) {
        judge();
        throw e;
      }
      if (ret instanceof Promise) {
        return ret.then(
          (v) => (judge(), v),
          (e: unknown) => {
            judge();
            throw e;
          },
        );
      }
      judge();
      return ret;
    };
  }
  const between_calls = (): string | null => {
    const by_name = new Map<string, watched[]>();
    for (const { w, by } of first_seen.values()) {
      const ws = by_name.get(by);
      if (ws) ws.push(w);
      else by_name.set(by, [w]);
    }
    for (const [name, ws] of by_name) {
      const { added, tampered } = model_list_watch_paused(() => changed_fields(ws));
      // One line per field: the same object can be reached by several of the calls' roots.
      const fields = [...new Set(added)];
      const what = [...(fields.length ? [`added ${fields.join(', ')}`] : []), ...new Set(tampered)];
      if (what.length) return `between calls of ${name}(), code of yours the kernel ran (a work item or callback you handed it) ${what.join(', ')}${tampered.length ? TAMPERED : ''}`;
    }
    return null;
  };
  return { impl: wrapped, found: () => first ?? between_calls() };
}

/** Marks a finding that changed how a kernel field is held, not only added one (cut before it is shown). */
const TAMPERED = '\u0000tampered';

/** The reviewer's words for state found on the kernel's objects. */
export function kernel_object_state_message(found: string): string {
  if (found.endsWith(TAMPERED)) {
    return `${found.slice(0, -TAMPERED.length)}: the kernel's structures keep the fields their headers declare, as plain fields, and only the kernel decides how they are held. ` +
      'A field deleted, put back, or answered by a getter tells the kernel one thing and whoever reads it next another: the checks cannot trust a run where that happened. ' +
      'Read and write the fields you need as they are; this exercise needs no other change to the kernel\'s objects.';
  }
  return `${found}: a field the kernel's structure does not have, written by your code and there for its next call. ` +
    'The kernel passes a shrinker (and everything it calls) only what its headers declare: no struct has room for your own counter, flag or cached answer, ' +
    'and state kept between calls makes the Nth call, the call after a thousand others, or the second device behave differently from the first. ' +
    'Decide from what the kernel tells you now (the lock\'s owner, the object lists, the flags of the task): this exercise needs no state of its own.';
}

/**
 * refuse_kernel_object_state - @suite with every check run on a watched copy
 * of the learner's exports: a check whose run left a new field on an object
 * the kernel handed to the learner's code (or on a global) fails with that,
 * whatever else it concluded. Use it around define_checks' argument.
 */
export function refuse_kernel_object_state(suite: check_suite): check_suite {
  return {
    ...suite,
    checks: suite.checks.map((c): check => ({
      ...c,
      async run(impl: exercise_impl, ctx: check_context): Promise<check_outcome> {
        const watch = watch_impl(impl, suite.exports);
        const outcome = await c.run(watch.impl, ctx);
        const found = watch.found();
        return found ? fail(kernel_object_state_message(found)) : outcome;
      },
    })),
  };
}
