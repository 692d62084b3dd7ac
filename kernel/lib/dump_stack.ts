// Models: lib/dump_stack.c and arch/x86/kernel/dumpstack.c (dump_stack,
// show_trace_log_lvl: the "Call Trace:" under every BUG, WARNING, lockdep
// splat, hung task and OOM report), v4.11.
//
// The kernel walks its stack and names each return address (kallsyms). The
// model asks the JavaScript engine for its own stack instead: V8 keeps the
// chain through every `await`, so a task's frames read like the kernel's,
// innermost first, from the report down through reclaim to the code that
// allocated. It keeps the model's frames (kernel/) and the exercise's code
// (exercises/, solutions/) with their file:line, and leaves out the course's
// own machinery (checks, scenarios, the explorer), which the kernel would not
// have on its stack.
//
// The graded realm records no frames for the code it runs (it sets
// Error.stackTraceLimit to 0 so that no answer can tell a check's call from a
// real one, see course/harden.ts). There the realm hands the model a stack
// source of its own (model_set_stack_source), which the model asks only while
// the trace is on: in the replay that explains a failure, never in the runs
// that decide a verdict. Where no frames exist at all (a browser bundle has no
// tree paths) the trace is empty, and nothing else changes. The trace is kept
// beside the report, not in dmesg, so a replay prints the same log wherever it
// runs.

import { trace_enabled } from '../trace/trace';

/** One frame of a call trace: a function and where in the tree it is. */
export interface stack_frame {
  fn: string;
  /** Tree-relative path, e.g. "kernel/locking/mutex.ts" or "exercises/03-x/f.ts". */
  file: string;
  line: number;
}

/** Frames kept at most: the kernel prints the whole stack; a reader needs the top. */
const MAX_FRAMES = 24;
/** Folders whose frames a call trace shows: the kernel model and the exercise code. */
const SHOWN = /^(kernel|exercises|solutions)\//;

/** The tree's root as a path prefix ("/work/main/"), from this file's own place (kernel/lib/). */
function tree_root(): string | null {
  try {
    const here = new URL('../../', import.meta.url);
    return here.protocol === 'file:' ? decodeURIComponent(here.pathname) : null;
  } catch {
    return null;
  }
}
const ROOT = tree_root();

/**
 * The tree-relative path of a V8 frame location (a path or a file:// URL, or
 * in the graded realm the module's tree-relative name), or null outside the
 * tree. The realm runs the .js its loader emitted from each .ts file, line
 * for line (course/transpile.ts): the reader is shown the .ts they edit.
 */
/** tree_path's answers, by location: a task that sleeps in a loop asks for the same few files thousands of times. */
const tree_paths = new Map<string, string | null>();
function tree_path(location: string): string | null {
  let p = tree_paths.get(location);
  if (p === undefined) tree_paths.set(location, (p = tree_path_of(location)));
  return p;
}
function tree_path_of(location: string): string | null {
  if (SHOWN.test(location)) return location.replace(/\.js$/, '.ts');
  if (!ROOT) return null;
  let path = location;
  if (path.startsWith('file://')) {
    try {
      path = decodeURIComponent(new URL(path).pathname);
    } catch {
      return null;
    }
  }
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : null;
}

/**
 * Where a host that serves code under other names says which file and line of
 * the tree a frame is (the study site's playground: the learner's files, sent
 * to the page as one module, cli/your_code.ts; the model itself, bundled and
 * minified, site/src/frame_map.ts). Set once; null: none.
 */
export type frame_locator = (location: string, line: number, column: number) => { file: string; line: number } | null;
let frame_locator_fn: frame_locator | null = null;

/** model_set_frame_locator - install @fn as the frame locator (the first one set stays). */
export function model_set_frame_locator(fn: frame_locator): void {
  frame_locator_fn ??= fn;
}

/** parse_v8_stack - the shown frames of a V8 stack text ("    at async fn (file:line:col)"). */
export function parse_v8_stack(text: string): stack_frame[] {
  // The same stack text parses to the same frames (a sleep in a loop): parse it once. The locator's
  // answers may change when the page loads new code, so its stacks are not remembered.
  const known = frame_locator_fn ? undefined : parsed_stacks.get(text);
  if (known) return known.slice();
  const frames = parse_frames(text);
  if (!frame_locator_fn) {
    if (parsed_stacks.size >= MAX_PARSED_STACKS) parsed_stacks.clear();
    parsed_stacks.set(text, frames);
  }
  return frames.slice();
}

/** Stack texts parsed, at most MAX_PARSED_STACKS (then forgotten all at once: a cache, not a record). */
const parsed_stacks = new Map<string, stack_frame[]>();
const MAX_PARSED_STACKS = 512;

function parse_frames(text: string): stack_frame[] {
  const frames: stack_frame[] = [];
  for (const l of text.split('\n')) {
    const m = /^\s*at (?:async )?(?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(l);
    if (!m || !m[1] || m[1] === '<anonymous>') continue; // anonymous frames (a task's body) name nothing a reader can find
    // The column places a frame in a minified bundle (the playground's: one long line per chunk).
    const located = frame_locator_fn?.(m[2]!, Number(m[3]), Number(m[4])) ?? null;
    const file = located ? located.file : tree_path(m[2]!);
    if (!file || !SHOWN.test(file)) continue;
    // A bundler renames one of two same-named functions ("who$1"): a located frame is named as its source names it.
    const fn = m[1].replace(/^(?:Object|Module)\./, '');
    frames.push({ fn: located ? fn.replace(/\$\d+$/, '') : fn, file, line: located ? located.line : Number(m[3]) });
    if (frames.length >= MAX_FRAMES) break;
  }
  return frames;
}

/** The realm's stack source (model_set_stack_source), or null: the engine's own Error. */
let stack_source: (() => string) | null = null;

/**
 * model_set_stack_source - where save_stack_trace reads the stack from: @source
 * returns a V8 stack text whose first frame is its own. Set once by the graded
 * realm (course/check_exercise.ts) before any learner module loads.
 */
export function model_set_stack_source(source: () => string): void {
  stack_source ??= source;
}

/**
 * save_stack_trace - the current call chain (innermost first), without the
 * @skip innermost model frames (the reporting machinery itself). Empty where
 * the engine records no frames.
 */
export function save_stack_trace(skip = 0): stack_frame[] {
  if (stack_source) {
    if (!trace_enabled()) return [];
    try {
      return parse_v8_stack(stack_source()).slice(1 + skip);
    } catch {
      return []; // a trace is an explanation: never let reading one break the run
    }
  }
  const E = Error as ErrorConstructor & { stackTraceLimit?: number };
  const saved = E.stackTraceLimit;
  try {
    E.stackTraceLimit = 64;
  } catch {
    return []; // a locked realm: its limit stays 0
  }
  try {
    const frames = parse_v8_stack(new Error().stack ?? '');
    // Frame 0 is this function, then @skip model frames: skipped where the engine names the tree. A browser
    // bundle names none of the model's frames (only the learner's, by the page's frame locator): nothing to skip.
    return frames[0]?.fn === 'save_stack_trace' ? frames.slice(1 + skip) : frames;
  } catch {
    return [];
  } finally {
    E.stackTraceLimit = saved;
  }
}

/** format_call_trace - the "Call Trace:" block for @frames, marking the exercise's own lines. */
export function format_call_trace(frames: readonly stack_frame[]): string[] {
  if (frames.length === 0) return [];
  return [
    'Call Trace:',
    ...frames.map((f) => ` ${f.fn} (${f.file}:${f.line})${f.file.startsWith('exercises/') ? '   <- your code' : ''}`),
  ];
}

/** FNV-1a over @s: the model's stand-in for a symbol's place in the kernel image. */
function symbol_hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * print_ip_sym - "[<address>] fn+0xoff/0xsize [module]", as v4.11's
 * print_ip_sym() prints an instruction pointer (%pS after the raw address):
 * lockdep's "at:" of each held lock. The model has no kallsyms: the address,
 * the offset and the size are made up from the name, stable across runs, and
 * i915's functions sit in module space with the " [i915]" suffix, as the
 * driver is a module in the thread's kernels. Only the name carries meaning.
 */
export function print_ip_sym(fn: string): string {
  const h = symbol_hash(fn);
  const module = /^_*i915_/.test(fn) ? 'i915' : null;
  const size = 0x40 + ((h >>> 8) % 0x40) * 0x10;
  const off = 0x5 + ((h >>> 16) % (size - 0x10));
  const start = (h & 0xfffff0) >>> 0;
  const address = `ffffffff${module ? 'a0' : '81'}${(start + off).toString(16).padStart(6, '0').slice(-6)}`;
  return `[<${address}>] ${fn}+0x${off.toString(16)}/0x${size.toString(16)}${module ? ` [${module}]` : ''}`;
}
