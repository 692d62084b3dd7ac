// Hardening of the realm a graded submission runs in (course/realm.ts).
//
// The learner's module, the kernel model and the checks that judge it share
// one JavaScript realm (a node:vm context): the checks must call the
// learner's functions on the model's objects. Whatever that realm can reach,
// learner code can reach too, so before anything loads into it:
//   - its built-ins are frozen (Array.prototype.push, JSON.stringify,
//     Promise.prototype.then...), with the "override mistake" tamed on the
//     few properties code legitimately shadows (`this.name = ...` in an Error
//     subclass), as Node's --frozen-intrinsics does for the main realm;
//   - functions do not show their source (a hidden check's callback handed
//     to learner code must not print the hidden suite);
//   - the only host objects are a console that forwards text and timers that
//     refuse (the model's time is virtual): no process, no Buffer, no
//     require, no import() and no code from strings (the context is created
//     with code generation off).
// After the trusted modules loaded, freeze_exports() freezes what they
// export (functions, classes with their prototypes, UPPER_CASE constants),
// so learner code cannot rebind lockdep_map.prototype.acquire or a check's
// run(). The result writer lives outside the realm altogether (course/worker.ts).

/** What the lockdown installs as the realm's console: text only, forwarded to @print. */
export type print_fn = (text: string) => void;

/**
 * LOCKDOWN_SOURCE - a function expression evaluated inside the realm and
 * called once with the host's print function, before any module loads.
 * Written as source (not a closure of this module) so that every object it
 * creates belongs to the realm: nothing of the host realm becomes reachable.
 */
export const LOCKDOWN_SOURCE = String.raw`(function lockdown(print) {
  'use strict';
  const G = globalThis;
  const show = (x) => {
    try {
      if (typeof x === 'string') return x;
      if (x instanceof Error) return String(x.name) + ': ' + String(x.message);
      return typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x);
    } catch (e) {
      return '[unprintable]';
    }
  };
  const log = (...xs) => { print(xs.map(show).join(' ') + '\n'); };
  const console = Object.freeze({ log, info: log, warn: log, error: log, debug: log, trace: log });
  const refuse = (name) => function () { throw new Error(name + '() is not available to graded code: the model has a virtual clock (schedule_timeout, msleep)'); };
  const hosts = { console, setTimeout: refuse('setTimeout'), setInterval: refuse('setInterval'), setImmediate: refuse('setImmediate'), clearTimeout() {}, clearInterval() {}, clearImmediate() {} };
  for (const k of Object.keys(hosts)) Object.defineProperty(G, k, { value: hosts[k], writable: false, enumerable: false, configurable: false });

  // No function shows its source: hidden checks stay hidden.
  const hidden_to_string = function toString() {
    const n = typeof this === 'function' ? this.name : '';
    return 'function ' + String(n) + '() { [source not available to graded code] }';
  };
  Object.defineProperty(Function.prototype, 'toString', { value: hidden_to_string, writable: true, enumerable: false, configurable: true });

  // The override mistake: once a prototype is frozen, 'x.name = v' on an
  // object inheriting it throws. Turn these few into accessors that define
  // an own property on the receiver instead.
  const tame = (o, k) => {
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (!d || !('value' in d) || !d.configurable) return;
    const v = d.value;
    Object.defineProperty(o, k, {
      get() { return v; },
      set(x) {
        if (this === o) throw new TypeError('Cannot assign to read only property ' + String(k) + ' of a frozen built-in');
        Object.defineProperty(this, k, { value: x, writable: true, enumerable: true, configurable: true });
      },
      enumerable: d.enumerable,
      configurable: false,
    });
  };
  // (Not on Array or Promise prototypes: an accessor there would take V8's
  // fast paths for arrays and await away from the whole model.)
  const error_names = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError'];
  for (const k of ['constructor', 'toString', 'valueOf', 'toLocaleString']) tame(Object.prototype, k);
  // The legacy accessor methods put a getter or setter on any object with no write that names a field
  // (red team 10 #13: a counting getter on an exported box; #14: an accessor over a kernel object's
  // field, which answers each reader differently). Graded code, the model and the checks have no use for them.
  for (const k of ['__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']) delete Object.prototype[k];
  // RegExp's legacy statics (RegExp.input / $_, lastMatch, leftContext, $1...$9): the last string ANY code of
  // the realm matched, and input has a setter that survives freezing (an accessor): a graded file kept a
  // counter there across calls, and could read what a hidden check last matched (grader red team 12 #02).
  // V8 makes them configurable; SES's lockdown removes them too.
  for (const k of ['input', '$_', 'lastMatch', '$&', 'lastParen', '$+', 'leftContext', '$\x60', 'rightContext', "$'", '$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9']) delete G.RegExp[k];
  for (const k of ['constructor', 'name', 'toString']) tame(Function.prototype, k);
  for (const n of error_names) for (const k of ['constructor', 'name', 'message', 'toString']) tame(G[n].prototype, k);

  // No graded code may see who called it: a stack trace tells a check's frames
  // from a real caller's, and an answer could behave only while it is judged.
  // With no frames recorded (and Error frozen below), there is nothing to read.
  G.Error.stackTraceLimit = 0;

  const seen = new Set();
  const freeze = (x) => {
    if ((typeof x !== 'object' && typeof x !== 'function') || x === null || seen.has(x)) return;
    seen.add(x);
    try { Object.freeze(x); } catch (e) { /* the global object itself: its bindings are locked below */ }
    freeze(Object.getPrototypeOf(x));
    for (const k of Reflect.ownKeys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, k);
      if (!d) continue;
      if ('value' in d) freeze(d.value);
      else { freeze(d.get); freeze(d.set); }
    }
  };
  // Intrinsics no global names: iterator, generator and async prototypes.
  const hidden_intrinsics = [
    (function* () {})(), (async function () {}), (async function* () {})(), [][Symbol.iterator](), new Map().entries(),
    new Set().values(), ''[Symbol.iterator](), /a/[Symbol.matchAll](''), Object.getPrototypeOf(Int8Array),
  ];
  for (const k of Reflect.ownKeys(G)) {
    const d = Object.getOwnPropertyDescriptor(G, k);
    if (d && 'value' in d) freeze(d.value);
    if (d && d.configurable) Object.defineProperty(G, k, { ...d, ...('value' in d ? { writable: false } : {}), configurable: false });
  }
  for (const x of hidden_intrinsics) freeze(x);
  // The global object's own prototype (what a bare name the global lacks resolves on): frozen too.
  freeze(Object.getPrototypeOf(G));
  try { Object.preventExtensions(G); } catch (e) { /* a vm global refuses: its bindings are locked above */ }
})`;

/** deep_freeze - freeze @x and everything reachable from it through own data properties (functions included). */
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

/**
 * freeze_exports - freeze what a trusted module exports: functions and
 * classes (with their prototypes) and UPPER_CASE constant objects. Lower-case
 * exported objects are per-boot machine state (zone, pgdat, current...) that
 * the model itself mutates and every boot resets: they stay mutable, and the
 * import allowlist keeps learner code from importing them.
 */
export function freeze_exports(ns: Record<string, unknown>): void {
  for (const name of Object.keys(ns)) {
    const v = ns[name];
    if (typeof v === 'function') {
      Object.freeze(v);
      const proto = (v as { prototype?: unknown }).prototype;
      if (proto && typeof proto === 'object') Object.freeze(proto);
    } else if (v && typeof v === 'object' && /^[A-Z][A-Z0-9_]*$/.test(name)) {
      deep_freeze(v);
    }
  }
}
