// Hardening of a grading worker before it imports a learner's code. The
// learner's module runs in the same process as the checks that judge it, so
// anything shared is something it could patch to make a check pass:
//   - the built-ins (Array.prototype.every, JSON.stringify, Promise...):
//     frozen by Node's --frozen-intrinsics flag (with the "override mistake"
//     tamed, so `this.name = ...` in an Error subclass still works); here we
//     also make the global bindings (globalThis.JSON = ...) read-only, which
//     that flag does not do;
//   - the check suite (replace a check's run() by one that passes): loaded
//     before the learner's code and frozen deep;
//   - the model's exported functions and classes (lockdep_map.prototype.acquire
//     = noop): frozen, with the constant objects (UPPER_CASE exports such as
//     ALL_FAILURE_KINDS). Lower-case exported objects are per-boot machine
//     state (zone, pgdat, lruvec, current...) that the model itself mutates
//     and every boot resets: they cannot be frozen, and are covered by the
//     import policy (grader/policy.ts) instead.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Global bindings that must keep pointing at the real built-ins. */
const GLOBAL_NAMES = [
  'Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet',
  'WeakRef', 'RegExp', 'Date', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError',
  'AggregateError', 'ArrayBuffer', 'DataView', 'JSON', 'Math', 'Reflect', 'Proxy', 'Atomics', 'Intl', 'Int8Array', 'Uint8Array',
  'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array',
  'BigUint64Array', 'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'queueMicrotask', 'structuredClone', 'globalThis',
];

/** lock_globals - make the global built-in bindings read-only and non-configurable. */
export function lock_globals(): void {
  for (const name of GLOBAL_NAMES) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    if (!d || !d.configurable) continue;
    if ('value' in d) Object.defineProperty(globalThis, name, { value: d.value, writable: false, enumerable: d.enumerable, configurable: false });
    else Object.defineProperty(globalThis, name, { get: d.get, set: undefined, enumerable: d.enumerable, configurable: false });
  }
}

/**
 * lock_process - take away the doors from the process object to Node's
 * internals (process.binding('fs') is the very object fs.writeSync writes
 * through; a learner patching it could rewrite the worker's result line).
 */
export function lock_process(): void {
  for (const name of ['binding', '_linkedBinding', 'dlopen'] as const) {
    Object.defineProperty(process, name, {
      value: () => {
        throw new Error(`process.${name} is not available to graded code`);
      },
      writable: false,
      configurable: false,
    });
  }
}

/** deep_freeze - freeze @x and everything reachable from it through own properties (functions included). */
export function deep_freeze<T>(x: T, seen = new Set<unknown>()): T {
  if ((typeof x !== 'object' && typeof x !== 'function') || x === null || seen.has(x)) return x;
  seen.add(x);
  Object.freeze(x);
  for (const k of Reflect.ownKeys(x as object)) {
    const d = Object.getOwnPropertyDescriptor(x as object, k);
    if (d && 'value' in d) deep_freeze(d.value, seen);
  }
  return x;
}

const MODEL_DIRS = ['kernel', 'explorer', 'scenarios'];

function module_files(root: string, rel: string, ext: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const d of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = `${rel}/${d.name}`;
    if (d.isDirectory()) module_files(root, r, ext, out);
    else if (d.name.endsWith(ext) && !d.name.endsWith(`.tmp${ext}`) && !d.name.endsWith('.d.ts')) out.push(r);
  }
}

/**
 * freeze_model - import every module of the model, the explorer and the
 * scenarios under @root (files ending in @ext, '.js' or '.ts') and freeze
 * their exported functions, classes (with their prototypes) and UPPER_CASE
 * constant objects. Returns the number of modules seen.
 */
export async function freeze_model(root: string, ext: string): Promise<number> {
  const files: string[] = [];
  for (const d of MODEL_DIRS) module_files(root, d, ext, files);
  files.push(`course/checks${ext}`, `course/check_helpers${ext}`);
  for (const f of files) {
    const ns = (await import(pathToFileURL(join(root, f)).href)) as Record<string, unknown>;
    for (const [name, v] of Object.entries(ns)) {
      if (typeof v === 'function') {
        Object.freeze(v);
        const proto = (v as { prototype?: unknown }).prototype;
        if (proto && typeof proto === 'object') Object.freeze(proto);
      } else if (v && typeof v === 'object' && /^[A-Z][A-Z0-9_]*$/.test(name)) {
        deep_freeze(v);
      }
    }
  }
  return files.length;
}
