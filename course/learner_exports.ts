// What a graded file exports as a plain value (13's shrinker_policy, an
// object literal or an array) is read by the checks and by the file's own
// code; the file must not write it while it runs. Written, it is a box that
// keeps state from one call of the file's functions to the next, which the
// course forbids (docs/authors.md, module state): the static rule
// (course/module_state.ts) refuses the writes it can see, and the seal
// (grader/transpile.ts seal_epilogue) freezes what the file makes at top level
// except such exported objects, which a check may set. So once the file has
// loaded (course/realm.ts import_learner), each of its exported plain objects
// and arrays is boxed here: every field becomes an accessor over a store
// beside it, readable as before, writable only inside a trusted write window
// (with_learner_export_writes) that checks open to set a policy; arrays are
// frozen; nothing can be added, deleted or redefined. Trusted code only: no
// learner file may import course/ (course/manifest.ts allowlists).

/** Write windows open now (a check setting the learner's policy). */
let open_windows = 0;

const boxed = new WeakSet<object>();

/** As V8 says it for a read-only field, so that an oops reads the same (kernel/sched/core.ts sealed_struct_write). */
function read_only(field: string): TypeError {
  return new TypeError(`Cannot assign to read only property '${field}' of object '#<Object>'`);
}

function plain(v: unknown): v is object {
  if (typeof v !== 'object' || v === null || !Object.isExtensible(v)) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === null || p === Object.prototype || p === Array.prototype;
}

/**
 * box_learner_export - box @v (see above) if it is a plain object or array the
 * file made (extensible, of Object or Array; @trusted: values the model and
 * the checks export, never touched), and every such value inside it.
 */
export function box_learner_export(v: unknown, trusted: ReadonlySet<unknown>): void {
  if (!plain(v) || trusted.has(v) || boxed.has(v)) return;
  boxed.add(v);
  if (Array.isArray(v)) {
    for (const x of v) box_learner_export(x, trusted);
    Object.freeze(v);
    return;
  }
  for (const key of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key)!;
    const name = String(key);
    if (!('value' in d)) {
      // The file's own getter: kept and fixed; its setter dropped (one would run the file's code inside a write window).
      Object.defineProperty(v, key, { set: undefined, configurable: false });
      continue;
    }
    let value: unknown = d.value;
    box_learner_export(value, trusted);
    Object.defineProperty(v, key, {
      enumerable: d.enumerable,
      configurable: false,
      get: () => value,
      set: (x: unknown) => {
        if (open_windows === 0) throw read_only(name);
        value = x;
      },
    });
  }
  Object.preventExtensions(v);
}

/** with_learner_export_writes - run @fn (synchronous: no learner code runs inside it) with the learner's exported values writable. */
export function with_learner_export_writes<T>(fn: () => T): T {
  open_windows++;
  try {
    return fn();
  } finally {
    open_windows--;
  }
}
