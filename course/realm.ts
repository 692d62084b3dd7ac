// The realm a graded submission runs in: a node:vm context holding the
// kernel model, the check suites and the learner's module, loaded as real ES
// modules (vm.SourceTextModule) by a linker that decides every import.
//
// Why a realm of its own: the grading worker (course/worker.ts) writes the
// verdict with functions it captured at start-up, outside this context. No
// object of the worker's realm is ever handed in, so nothing learner code
// can reach (patch, wrap, read) is on the path that writes the verdict: no
// process, no Buffer, no fs, no console that writes, no import() (a dynamic
// import has no callback and fails), no eval or Function (code generation
// from strings is off for the context). course/harden.ts locks the realm's
// built-ins before anything loads.
//
// The linker is the runtime half of the import allowlist (the static half is
// grader/policy.ts): a learner module may import only the other editable
// files of its exercise and the kernel modules the manifest allows
// (course/manifest.ts allowed_import); never node:*, a package, a check
// suite, the course harness or another exercise. Trusted modules (model,
// checks) may import inside the tree and the packages in REALM_PACKAGES.
// Needs node --experimental-vm-modules.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import vm from 'node:vm';
import { model_read_thrown } from '../kernel/model_value';
import { freeze_exports, LOCKDOWN_SOURCE, type print_fn } from './harden';

/**
 * The import.meta property of a learner module that seals what it made
 * (grader/transpile.ts seal_epilogue appends the call to each graded file):
 * the file's top-level functions, classes, enums and namespaces are
 * frozen once the module has run, so none can carry state from one call to
 * the next (`const self = helper; self.n++`, `(E as any).n++` on an enum).
 * The static state rule (course/module_state.ts) refuses such files; this is
 * the second layer, for what it cannot follow.
 */
export const SEAL_HOOK = 'graded_file_seal';

/** The import.meta property behind a learner module's `globalThis`: a frozen view of the realm's global bindings. */
const GLOBAL_VIEW = 'graded_file_global';

/** Packages the trusted modules import at run time (the checks' workload generator and its one dependency). */
export const REALM_PACKAGES = ['fast-check', 'pure-rand'] as const;

export type namespace = Record<string, unknown>;

/**
 * The realm's clock, random numbers and locale, made the same on every
 * machine and every run (evaluated in the realm before the lockdown, so the
 * model, fast-check and the learner's code all see these and only these).
 * With the import policy off (grader/policy.ts refuses Date and Math.random
 * by name) a grade must still not depend on the host:
 *   - Date: a virtual clock, v4.11's release (2017-04-30 UTC) plus one
 *     millisecond per reading, so a loop that waits on it ends, the same way
 *     every run; the local time zone is UTC (course/worker.ts sets TZ), and
 *     toString() names it in English;
 *   - Math.random: a seeded generator (mulberry32), the same sequence in
 *     every child; the model has its own (kernel/lib/prandom.ts);
 *   - no Intl (its formatters read the host's clock and locale), and the
 *     toLocale*() and localeCompare methods answer as 'en-US' in UTC;
 *   - no Atomics, SharedArrayBuffer or WebAssembly (Atomics.wait sleeps without CPU);
 *   - WeakRef holds its target and FinalizationRegistry never calls back:
 *     when the collector runs depends on the heap and the machine's load.
 *     (The model's one WeakRef registry, kernel/locking/static_locks.ts,
 *     holds only module-level locks: a strong reference costs nothing.)
 */
export const DETERMINISM_SOURCE = String.raw`(function determinism() {
  'use strict';
  const G = globalThis;
  const HostDate = G.Date;
  const EPOCH = HostDate.UTC(2017, 3, 30);
  let ticks = 0;
  const now = () => EPOCH + ticks++;
  // toString and toTimeString name the zone in the host's language ("Koordinierte Weltzeit"): written from the UTC fields.
  const utc_string = HostDate.prototype.toUTCString;
  const utc_parts = (d) => { const u = utc_string.call(d); return u === 'Invalid Date' ? null : u.split(' '); };
  const ZONE = 'GMT+0000 (Coordinated Universal Time)';
  const to_string = function toString() { const p = utc_parts(this); return p ? p[0].slice(0, 3) + ' ' + p[2] + ' ' + p[1] + ' ' + p[3] + ' ' + p[4] + ' ' + ZONE : 'Invalid Date'; };
  const to_time_string = function toTimeString() { const p = utc_parts(this); return p ? p[4] + ' ' + ZONE : 'Invalid Date'; };
  Object.defineProperty(HostDate.prototype, 'toString', { value: to_string, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(HostDate.prototype, 'toTimeString', { value: to_time_string, writable: true, enumerable: false, configurable: true });
  const Date = function Date(...args) {
    if (new.target === undefined) return to_string.call(new HostDate(now()));
    return Reflect.construct(HostDate, args.length === 0 ? [now()] : args, new.target);
  };
  Object.defineProperty(Date, 'length', { value: 7 });
  Object.defineProperty(Date, 'prototype', { value: HostDate.prototype, writable: false, enumerable: false, configurable: false });
  Object.defineProperty(HostDate.prototype, 'constructor', { value: Date, writable: true, enumerable: false, configurable: true });
  Date.now = function now_() { return now(); };
  Date.parse = HostDate.parse;
  Date.UTC = HostDate.UTC;
  Object.defineProperty(G, 'Date', { value: Date, writable: true, enumerable: false, configurable: true });

  let seed = 0x5eed1e55;
  const random = function random() {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  Object.defineProperty(Math, 'random', { value: random, writable: true, enumerable: false, configurable: true });

  delete G.Intl;
  const pin = (proto, name, fixed) => {
    const f = proto[name];
    if (typeof f !== 'function') return;
    const pinned = { [name](...args) { return f.call(this, ...fixed(args)); } }[name];
    Object.defineProperty(proto, name, { value: pinned, writable: true, enumerable: false, configurable: true });
  };
  const locale_only = (args) => ['en-US', ...args.slice(1)];
  const in_utc = (args) => { const o = args[1]; return ['en-US', Object.assign({}, o !== null && typeof o === 'object' ? o : {}, { timeZone: 'UTC' })]; };
  for (const n of ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']) pin(HostDate.prototype, n, in_utc);
  pin(Number.prototype, 'toLocaleString', locale_only);
  pin(G.BigInt.prototype, 'toLocaleString', locale_only);
  pin(Array.prototype, 'toLocaleString', locale_only);
  pin(Object.getPrototypeOf(Int8Array.prototype), 'toLocaleString', locale_only);
  pin(String.prototype, 'localeCompare', (args) => [args[0], 'en-US', ...args.slice(2)]);
  pin(String.prototype, 'toLocaleUpperCase', () => ['en-US']);
  pin(String.prototype, 'toLocaleLowerCase', () => ['en-US']);

  const targets = new WeakMap();
  class WeakRef {
    constructor(target) {
      if ((typeof target !== 'object' && typeof target !== 'function') || target === null) throw new TypeError('WeakRef: invalid target');
      targets.set(this, target);
    }
    deref() { return targets.get(this); }
  }
  class FinalizationRegistry {
    constructor(cleanup) {
      if (typeof cleanup !== 'function') throw new TypeError('FinalizationRegistry: cleanup must be callable');
    }
    register() {}
    unregister() { return false; }
  }
  // No shared memory, so no Atomics.wait: it sleeps the thread for wall time using no CPU (red team 8 #01
  // held a grading slot for the 30-minute backstop that way; course/cpu_budget.ts now counts sleep too).
  // (WebAssembly.Memory({ shared: true }) would hand out shared memory too; no code may be compiled anyway.)
  delete G.Atomics;
  delete G.SharedArrayBuffer;
  delete G.WebAssembly;
  Object.defineProperty(G, 'WeakRef', { value: WeakRef, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(G, 'FinalizationRegistry', { value: FinalizationRegistry, writable: true, enumerable: false, configurable: true });
})`;

/**
 * Decides the imports of a learner module: null to allow, or the message to
 * fail the import with. @target is the tree-relative path without extension
 * ('kernel/locking/mutex').
 */
export interface import_gate {
  /** May the learner's file import from @target at all? */
  module(target: string): string | null;
  /**
   * May it use the export @name of @target? The learner's file is linked to
   * a facade of the module that re-exports only the names this allows (live
   * bindings of the one model instance), so a name the allowlist refuses
   * does not exist for it: the static policy and the run time agree.
   */
  name(target: string, name: string): string | null;
}

export interface realm_options {
  /** The grading tree (a real path): every trusted module lives under it. */
  root: string;
  /** Where the realm's console output goes. */
  print: print_fn;
  /**
   * Modules that exist only for the realm: a tree path (e.g.
   * tests/hidden/01-x.checks.js, resolved against like any other) mapped to
   * the file that holds its source outside the tree.
   */
  virtual?: ReadonlyMap<string, string>;
  /**
   * The source of a module file, or null when there is none (default: read
   * the file). The learner's loop passes course/transpile.ts ts_loader: a
   * checkout has .ts files only, transpiled in memory as they are asked for.
   */
  load?: (path: string) => string | null;
}

interface record {
  path: string;
  learner: boolean;
  gate: import_gate | null;
  /** For a facade (see import_gate.name): the trusted module it re-exports from. */
  facade_of?: string;
}

/** V8's message when a module imports a name its target does not export. */
const MISSING_EXPORT = /^The requested module '([^']+)' does not provide an export named '([^']+)'/;

/**
 * describe_thrown - "Name: message" of a value thrown by realm code: each
 * field read once and kept only if it is a string (kernel/model_value.ts
 * model_read_thrown), so a getter that answers a string to a type test and
 * an object to the read after it, a Proxy, or a toString never runs twice.
 */
export function describe_thrown(x: unknown): { name: string; message: string } {
  const cap = (s: string): string => (s.length > 2000 ? `${s.slice(0, 2000)}…` : s);
  const t = model_read_thrown(x);
  return { name: cap(t.name), message: cap(t.message) };
}

function pick_export(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'import' || k === 'default' || k === 'node') {
        const r = pick_export(x);
        if (r) return r;
      }
    }
  }
  return null;
}

/** V8's stack text without Node's source-map rewriting: "Error\n    at frame\n    at frame" (each call site as V8 prints it). */
function plain_v8_stack(_error: Error, frames: NodeJS.CallSite[]): string {
  const head = 'Error';
  return frames.length === 0 ? head : `${head}\n    at ${frames.join('\n    at ')}`;
}

export class realm {
  readonly context: vm.Context;
  private readonly modules = new Map<string, vm.SourceTextModule>();
  private readonly records = new WeakMap<vm.Module, record>();
  private readonly facades = new Map<string, vm.SourceTextModule>();
  private readonly root: string;
  /** The realm's function behind import.meta[SEAL_HOOK]: freezes each function or object it is given. */
  private readonly seal: (...values: unknown[]) => void;
  /** What `globalThis` is in a learner module: the global's bindings, frozen (its own globalThis is itself). */
  private readonly global_view: object;

  constructor(private readonly opts: realm_options) {
    this.root = resolve(opts.root);
    // The object contextified must have no prototype: a name the realm's
    // global lacks is looked up on it, and through a host {} a bare
    // __lookupGetter__, toString or constructor would be the HOST's
    // Object.prototype methods (Function.prototype.toString of the host shows
    // any realm function's source; the host Function compiles code).
    this.context = vm.createContext(Object.create(null) as vm.Context, { name: 'graded submission', codeGeneration: { strings: false, wasm: false } });
    // Before the lockdown, which freezes what this puts in place.
    (vm.runInContext(DETERMINISM_SOURCE, this.context) as () => void)();
    const lockdown = vm.runInContext(LOCKDOWN_SOURCE, this.context) as (print: print_fn) => void;
    lockdown(opts.print);
    // Built after the lockdown, from the realm's own (locked) Object.freeze; indexed access, no iterator to patch.
    this.seal = vm.runInContext(
      `(() => { const freeze = Object.freeze; const seal = function () { for (let i = 0; i < arguments.length; i++) { const v = arguments[i]; if (typeof v === 'function' || (typeof v === 'object' && v !== null)) freeze(v); } }; return freeze(seal); })()`,
      this.context,
    ) as (...values: unknown[]) => void;
    this.global_view = vm.runInContext(
      `(() => { const d = Object.getOwnPropertyDescriptors(globalThis); delete d.globalThis; const v = Object.create(Object.getPrototypeOf(globalThis), d); Object.defineProperty(v, 'globalThis', { value: v }); return Object.freeze(v); })()`,
      this.context,
    ) as object;
  }

  /**
   * A learner module's import.meta: only the seal and the global view, which
   * the module can neither replace nor remove, and nothing to keep state on (frozen).
   */
  private learner_meta(meta: object): void {
    Object.defineProperty(meta, SEAL_HOOK, { value: this.seal, writable: false, enumerable: false, configurable: false });
    Object.defineProperty(meta, GLOBAL_VIEW, { value: this.global_view, writable: false, enumerable: false, configurable: false });
    Object.freeze(meta);
  }

  /** import_trusted - load and evaluate a module of the course (model, harness, suite), tree path or virtual. */
  async import_trusted(path: string): Promise<namespace> {
    return (await this.evaluate(this.module_for(resolve(this.root, path), false, null))).namespace;
  }

  /**
   * import_learner - load and evaluate a learner file; @gate decides its
   * imports of other modules. A namespace with a `then` export is a
   * thenable: resolving a promise with it calls the file's then() while the
   * grader loads it (code at import, and a container made there outlived
   * every call: red team 9 #07). The namespace travels boxed (evaluate) and
   * such a file is refused before any promise sees it.
   */
  async import_learner(path: string, gate: import_gate): Promise<namespace> {
    const { namespace } = await this.evaluate(this.module_for(resolve(this.root, path), true, gate));
    if ('then' in namespace) throw new Error(`${this.rel(resolve(this.root, path)).replace(/\.js$/, '.ts')} exports a name \`then\`: a graded file may not (the grader would call it while loading the file)`);
    await this.box_exports(namespace);
    return namespace;
  }

  /**
   * box_exports - the plain objects and arrays a learner file exports (13's shrinker_policy) become
   * boxes its code can read and not write (course/learner_exports.ts): written, one carried state
   * from call to call. Values a trusted module exports (a re-exported model object) are left alone.
   */
  private async box_exports(namespace: namespace): Promise<void> {
    const boxer = await this.import_trusted('course/learner_exports.js');
    const box = boxer.box_learner_export as (v: unknown, trusted: ReadonlySet<unknown>) => void;
    const trusted = vm.runInContext('new Set()', this.context) as Set<unknown>;
    for (const m of this.modules.values()) {
      const r = this.records.get(m);
      if (!r || r.learner || m.status !== 'evaluated') continue;
      const ns = m.namespace as namespace;
      for (const k of Object.keys(ns)) trusted.add(ns[k]);
    }
    for (const k of Object.keys(namespace)) box(namespace[k], trusted);
  }

  /**
   * install_stack_source - give the model's dump_stack (kernel/lib/dump_stack.ts)
   * a way to read the call chain, which the realm's own Error cannot (its
   * stackTraceLimit is 0, see course/harden.ts). Only the model holds it, in
   * a module variable no learner file can import or read; it returns a string
   * and nothing else, and the model asks for it only while the trace is on.
   */
  async install_stack_source(): Promise<void> {
    const dump_stack = await this.import_trusted('kernel/lib/dump_stack.js');
    const set = dump_stack.model_set_stack_source;
    if (typeof set !== 'function') return;
    const host_capture = (): string => {
      const saved = Error.stackTraceLimit;
      let raised = false;
      try {
        if (saved < 64) {
          Error.stackTraceLimit = 64;
          raised = true;
        }
      } catch {
        // --frozen-intrinsics (the grader's children): the limit the process started with,
        // which the grader raises with --stack-trace-limit.
      }
      // The host's own formatting of the frames, never the source-map lookup tsx turns on in the
      // learner's loop: realm modules have no source maps, and that lookup (a file URL and a map
      // search per frame) was a fifth of a failing 01 check's CPU. Host frames, the only ones a
      // map would change, are not shown (kernel/lib/dump_stack.ts SHOWN).
      const saved_prepare = Error.prepareStackTrace;
      let plain = false;
      try {
        Error.prepareStackTrace = plain_v8_stack;
        plain = true;
      } catch {
        // --frozen-intrinsics (the grader's children): no source maps there either.
      }
      try {
        return String(new Error().stack ?? '');
      } finally {
        if (raised) Error.stackTraceLimit = saved;
        if (plain) Error.prepareStackTrace = saved_prepare;
      }
    };
    // A function of the realm around the host's: realm code never holds a host function object.
    const wrap = vm.runInContext('(capture) => () => capture()', this.context) as (f: () => string) => () => string;
    (set as (f: () => string) => void)(wrap(host_capture));
  }

  /** new_object - an empty object of the realm (nothing of the host realm is handed to realm code). */
  new_object(): Record<string, unknown> {
    return vm.runInContext('({})', this.context) as Record<string, unknown>;
  }

  /** freeze_trusted - freeze the exports of every trusted module loaded so far (course/harden.ts). */
  freeze_trusted(): number {
    let n = 0;
    for (const m of this.modules.values()) {
      const r = this.records.get(m);
      if (r && !r.learner && m.status === 'evaluated') {
        freeze_exports(m.namespace as namespace);
        n++;
      }
    }
    return n;
  }

  /** Evaluate @m; its namespace comes back in a box, so that no promise ever resolves with it (it could be a thenable). */
  private async evaluate(m: vm.SourceTextModule): Promise<{ namespace: namespace }> {
    if (m.status === 'unlinked') {
      try {
        await m.link((spec, ref) => this.link(spec, ref));
      } catch (err) {
        throw this.explain_link_error(err, m);
      }
    }
    if (m.status === 'linked') await m.evaluate();
    if (m.status === 'errored') throw m.error;
    return { namespace: m.namespace as namespace };
  }

  /**
   * A learner module that imports a name its facade does not re-export fails
   * to link with V8's "does not provide an export named": say why instead,
   * in the allowlist's words.
   */
  private explain_link_error(err: unknown, m: vm.Module): unknown {
    const r = this.records.get(m);
    // V8 makes this SyntaxError in the realm's context: not an instance of the host's Error.
    const hit = MISSING_EXPORT.exec(describe_thrown(err).message);
    if (!r?.learner || !r.gate || !hit) return err;
    const target = this.rel(resolve(dirname(r.path), hit[1]!)).replace(/\.js$/, '');
    const why = target.startsWith('kernel/') ? r.gate.name(target, hit[2]!) : null;
    return why ? new Error(why) : err;
  }

  private source_of(path: string): string | null {
    const v = this.opts.virtual?.get(path);
    if (v) return readFileSync(v, 'utf8');
    if (this.opts.load) return this.opts.load(path);
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  }

  private module_for(path: string, learner: boolean, gate: import_gate | null): vm.SourceTextModule {
    const known = this.modules.get(path);
    if (known) {
      const r = this.records.get(known)!;
      if (r.learner !== learner) throw new Error(`${this.rel(path)} is loaded both as course code and as the learner's code`);
      return known;
    }
    if (!this.inside(path)) throw new Error(`${path}: outside the grading tree`);
    const source = this.source_of(path);
    if (source === null) throw new Error(`cannot find module '${this.rel(path)}'`);
    // No importModuleDynamically: import() in realm code fails.
    // A learner module sees no global object: `globalThis` is the one name that reaches it (module
    // code is strict: no `this` does), and a vm context's global cannot be made non-extensible, so a
    // property put there would be state shared by every call. Shadowed on the first line (lines stay)
    // by a frozen view with the same bindings (learner_meta).
    const text = learner ? `const globalThis = import.meta.${GLOBAL_VIEW}; ${source}` : source;
    const m = new vm.SourceTextModule(text, { context: this.context, identifier: this.rel(path), ...(learner ? { initializeImportMeta: (meta: object) => this.learner_meta(meta) } : {}) });
    this.modules.set(path, m);
    this.records.set(m, { path, learner, gate });
    return m;
  }

  private inside(path: string): boolean {
    return path === this.root || path.startsWith(this.root + sep);
  }

  private rel(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  private link(spec: string, ref: vm.Module): vm.SourceTextModule | Promise<vm.SourceTextModule> {
    const r = this.records.get(ref);
    if (!r) throw new Error(`import of '${spec}' from an unknown module`);
    if (r.facade_of) return this.module_for(r.facade_of, false, null);
    if (r.learner) return this.link_learner(spec, r);
    if (spec.startsWith('./') || spec.startsWith('../')) return this.module_for(resolve(dirname(r.path), spec), false, null);
    const pkg = this.package_entry(spec);
    if (pkg) return this.module_for(pkg, false, null);
    throw new Error(`${this.rel(r.path)}: import of '${spec}' is not available in the grading realm`);
  }

  /** A learner module's import: a sibling editable file, or the facade of a kernel module the gate allows. */
  private async link_learner(spec: string, r: record): Promise<vm.SourceTextModule> {
    const from = this.rel(r.path);
    if (!spec.startsWith('./') && !spec.startsWith('../')) {
      throw new Error(`${from} imports '${spec}': a graded file may import only the kernel model (relative paths into kernel/)`);
    }
    const target = resolve(dirname(r.path), spec);
    const rel = this.rel(target).replace(/\.js$/, '');
    // A file that imports itself writes its own exported objects through the namespace, where the
    // rule on state sees no write (red team 10 #01): refused here as by the grader's import policy.
    if (target.replace(/\.(ts|js)$/, '') === r.path.replace(/\.(ts|js)$/, '')) throw new Error(`${from} imports itself ('${spec}'): a graded file may not`);
    if (dirname(target) === dirname(r.path) && this.inside(target)) return this.module_for(target, true, r.gate);
    const why = r.gate?.module(rel) ?? null;
    if (why) throw new Error(why);
    if (!rel.startsWith('kernel/')) throw new Error(`${from} imports '${spec}': a graded file may import only the kernel model`);
    const model = (await this.evaluate(this.module_for(target, false, null))).namespace;
    return r.gate ? this.facade(target, rel, Object.keys(model).filter((n) => r.gate!.name(rel, n) === null)) : this.module_for(target, false, null);
  }

  /**
   * facade - a module that re-exports @names of the trusted module at @target
   * (live bindings: the learner's file shares the one instance of the model)
   * and nothing else. One per target: a realm grades one exercise, one gate.
   */
  private facade(target: string, rel: string, names: string[]): vm.SourceTextModule {
    const known = this.facades.get(target);
    if (known) return known;
    const bad = names.find((n) => !/^[A-Za-z_$][\w$]*$/.test(n));
    if (bad) throw new Error(`${rel} exports '${bad}', which a facade cannot re-export`);
    const source = `export { ${names.join(', ')} } from 'facade-target';\n`;
    const m = new vm.SourceTextModule(source, { context: this.context, identifier: `${rel} (the names the exercise may import)` });
    this.facades.set(target, m);
    this.records.set(m, { path: target, learner: false, gate: null, facade_of: target });
    return m;
  }

  /** The entry file of a bare specifier of REALM_PACKAGES (package.json "exports", import condition), or null. */
  private package_entry(spec: string): string | null {
    const parts = spec.split('/');
    const name = parts[0]!;
    if (!(REALM_PACKAGES as readonly string[]).includes(name)) return null;
    const dir = join(this.root, 'node_modules', name);
    let pj: { exports?: unknown; module?: string; main?: string };
    try {
      pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pj;
    } catch {
      return null;
    }
    const sub = parts.length > 1 ? `./${parts.slice(1).join('/')}` : '.';
    const exp = pj.exports;
    const entry = typeof exp === 'string' ? (sub === '.' ? exp : null) : exp && typeof exp === 'object' ? pick_export((exp as Record<string, unknown>)[sub]) : sub === '.' ? pj.module ?? pj.main ?? null : null;
    return entry ? resolve(dir, entry) : null;
  }
}
