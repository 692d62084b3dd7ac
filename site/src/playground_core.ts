/// <reference types="vite/client" />
// The playground's engine, without the page: every scenario the checks
// explore (course/scenario_registry.ts: each suite declares its scenarios by
// id) plus the thread's own scenarios, built with the starter or the
// reference solution, or (when `npm start` serves the page) the learner's
// current code, replayed from a schedule string or stepped decision by
// decision (explorer/stepper.ts). It runs the kernel model in the browser
// (and in node, for the tests): nothing here uses Node APIs. The check
// suites and the exercise code are loaded only when a scenario needs them
// (Vite splits them into chunks of their own): the page lists and finds
// scenarios by id from the build's index (set_scenario_index), and imports
// the one suite that declares the scenario run.
import type { exercise_impl } from '../../course/checks';
import { traced_exports } from '../../course/funcgraph';
import { build_checked, find_declared, scenario_declarations_of, type built_scenario, type scenario_declarations } from '../../course/scenario_registry';
import { format_schedule, parse_schedule, render_timeline, replay_schedule, type deviation, type scenario } from '../../explorer/index';
import { ALL_FAILURE_KINDS } from '../../explorer/scenario';
import { step_to, type step_result } from '../../explorer/stepper';
import { check_no_failures_strongest, coverage_text, headline } from '../../explorer/verdict';
import { KERNEL_REGISTRY_KEY, locate_your_code_line, YOUR_CODE_LINES, type kernel_registry, type your_code_lines, type your_code_offer } from '../../cli/your_code_registry';
import { model_set_frame_locator } from '../../kernel/lib/dump_stack';
import { locate_bundled_frame, set_frame_table, type frame_table } from './frame_map';
import type { scenario_index_entry } from '../generator/scenario_index';
import { count_hides_memory, flush_from_reclaim, rcu_hang, shrinker_lock_recursion } from '../../scenarios/thread';

/** Whose code a scenario runs: the exercise's starter, its reference solution, or the learner's current files ("your code"). */
export type variant = 'starter' | 'solution' | 'yours';
/** The variants every host offers (bundled); 'yours' only where your_code_offered() says so. */
export const VARIANTS: readonly variant[] = ['starter', 'solution'];

const suite_modules = import.meta.glob<unknown>('../../checks/*.checks.ts', { import: 'scenarios' });
const starter_modules = import.meta.glob<Record<string, unknown>>('../../exercises/*/*.ts');
const solution_modules = import.meta.glob<Record<string, unknown>>('../../solutions/*/*.ts');
/** Every module of the kernel model, for the learner's code (loaded only when it imports one). */
const kernel_modules = import.meta.glob<Record<string, unknown>>(['../../kernel/**/*.ts', '!../../kernel/**/*.test.ts']);

/**
 * The registry the learner's module reads the model from (cli/your_code.ts
 * rewrites its imports to it): the bundle's own modules, so its calls reach
 * the model instance the scenario boots, not a second copy.
 */
const registry: kernel_registry = (module) => {
  const load = kernel_modules[`../../${module}.ts`];
  return load ? load() : Promise.reject(new Error(`the playground's kernel model has no module ${module}`));
};
(globalThis as Record<symbol, unknown>)[Symbol.for(KERNEL_REGISTRY_KEY)] = registry;

/** Where the learner's code comes from: by default the site server that says so in progress.json (tests give their own). */
export interface your_code_source {
  offer(): Promise<your_code_offer | null>;
  /** The module of exercise @exercise's current files; @generation changes whenever they must be read again. */
  load(exercise: string, generation: number): Promise<Record<string, unknown>>;
}

let offered: Promise<your_code_offer | null> | null = null;
const served_by_npm_start: your_code_source = {
  offer: () =>
    (offered ??= (async () => {
      try {
        const r = await fetch('progress.json', { cache: 'no-store' });
        if (!r.ok) return null;
        const o = ((await r.json()) as { your_code?: your_code_offer }).your_code;
        return o && typeof o.base === 'string' && Array.isArray(o.exercises) ? o : null;
      } catch {
        return null;
      }
    })()),
  async load(exercise, generation) {
    const o = await this.offer();
    if (!o) throw new Error('"Your code" runs only on the site `npm start` serves.');
    const url = new URL(`${o.base}${encodeURIComponent(exercise)}.js?read=${generation}`, location.href);
    return (await import(/* @vite-ignore */ url.href)) as Record<string, unknown>;
  },
};
let your_code: your_code_source = served_by_npm_start;

/** Each exercise's line map of its "your code" module (cli/your_code.ts), as last loaded. */
const your_code_line_maps = new Map<string, your_code_lines[]>();
/**
 * A frame in <base><exercise id>.js (what the site server sends) is a line of
 * one of the learner's files: the model's call traces and the lanes then name
 * exercises/NN-…/file.ts:line, as the CLI does.
 */
model_set_frame_locator((location, line, column) => {
  const m = /\/([^/?#]+)\.js(?:[?#][^/]*)?$/.exec(location);
  const map = m && location.includes('/your-code/') ? your_code_line_maps.get(decodeURIComponent(m[1]!)) : undefined;
  return map ? locate_your_code_line(map, line) : locate_bundled_frame(location, line, column);
});

/**
 * The built site's frame table (site/src/frame_map.ts): with it a frame in the
 * minified model names kernel/…/file.ts:line, as in node. Loaded once, before
 * the first run; the dev server's modules and node name the tree already.
 */
let frame_table_loaded: Promise<void> | null = null;
function load_frame_table(): Promise<void> {
  frame_table_loaded ??= IN_THE_BUILD
    ? fetch(FRAME_TABLE_URL)
        .then((r) => (r.ok ? (r.json() as Promise<frame_table>) : null))
        .then(set_frame_table, () => set_frame_table(null))
    : Promise.resolve();
  return frame_table_loaded;
}
/** Where the build puts the table, from the page (every page sits at the site's root; site/generator/frame_map_plugin.ts). */
const FRAME_TABLE_URL = 'assets/frames.json';
/** Is this the built site (a chunk under assets/)? Not the dev server, not node (import.meta.env.PROD follows NODE_ENV, which a test runner sets). */
const IN_THE_BUILD = /\/assets\/[^/]+\.js(?:[?#].*)?$/.test(import.meta.url);
let generation = 0;
const your_impls = new Map<string, Promise<exercise_impl>>();

/** set_your_code_source - where "your code" comes from (the tests serve it without a browser); null: back to the site server. */
export function set_your_code_source(src: your_code_source | null): void {
  your_code = src ?? served_by_npm_start;
  offered = null;
  forget_your_code();
}

/** your_code_offered - the exercises whose current code this host can run, or null (a static host: no "your code"). */
export async function your_code_offered(): Promise<string[] | null> {
  return (await your_code.offer())?.exercises ?? null;
}

/** forget_your_code - read the learner's files again at the next run (after they saved). */
export function forget_your_code(): void {
  generation++;
  your_impls.clear();
}

function load_your_code(exercise: string): Promise<exercise_impl> {
  let p = your_impls.get(exercise);
  if (!p) {
    const g = generation;
    p = (async () => {
      const offer = await your_code.offer();
      if (!offer) throw new Error('"Your code" runs only on the site `npm start` serves: there the server reads your exercise files.');
      if (!offer.exercises.includes(exercise)) throw new Error(`The site server has no code of yours for exercise ${exercise}.`);
      const { [YOUR_CODE_LINES]: lines, ...exports } = await your_code.load(exercise, g);
      // The server sends the learner's files as one module: its line map names their frames by file:line (a lane's "where").
      if (Array.isArray(lines)) your_code_line_maps.set(exercise, lines as your_code_lines[]);
      return exports;
    })();
    // A failed read is not remembered: fixing the file and running again reads it again.
    p.catch(() => your_impls.delete(exercise));
    your_impls.set(exercise, p);
  }
  return p;
}

/** The thread's scenarios (no exercise code in them), in the order the lessons meet them. */
export function thread_scenarios(): scenario[] {
  return [rcu_hang('4.10'), rcu_hang('4.11'), shrinker_lock_recursion('mutex_lock'), flush_from_reclaim(true), count_hides_memory('trylock')];
}

/** One scenario the playground offers. */
export interface catalogue_entry {
  id: string;
  /** The exercise whose checks explore it, or null for the thread's own scenarios. */
  exercise: string | null;
  title: string;
  /** The challenge's goal when it is a workload to step through, not a schedule to find (course/scenario_registry.ts goal). */
  goal?: string;
}

/** Each suite's declarations, by its module key, once loaded. */
const loaded_suites = new Map<string, Promise<scenario_declarations | null>>();

/** load_suite - the declared scenarios of the check suite @key (one of suite_modules' keys), loaded once. */
function load_suite(key: string): Promise<scenario_declarations | null> {
  let p = loaded_suites.get(key);
  if (!p) {
    const load = suite_modules[key];
    if (!load) return Promise.reject(new Error(`the playground has no check suite ${key}`));
    p = load().then((scenarios) => scenario_declarations_of({ scenarios }));
    p.catch(() => loaded_suites.delete(key));
    loaded_suites.set(key, p);
  }
  return p;
}

/** every_declaration - the declared scenarios of every check suite (loads them all: node's tests and the index without a build). */
export async function every_declaration(): Promise<scenario_declarations[]> {
  const all = await Promise.all(Object.keys(suite_modules).sort().map(load_suite));
  return all.filter((d): d is scenario_declarations => d !== null);
}

let scenario_index: Promise<scenario_index_entry[]> | null = null;

/**
 * set_scenario_index - the build's index of declared scenarios
 * (site/generator/scenario_index_plugin.ts): with it the page lists every
 * scenario and loads a suite only to run one of its scenarios. Without it
 * (node, the tests) the index is read from every suite, loaded.
 */
export function set_scenario_index(entries: readonly scenario_index_entry[]): void {
  scenario_index = Promise.resolve([...entries]);
}

function the_index(): Promise<scenario_index_entry[]> {
  scenario_index ??= Promise.all(
    Object.keys(suite_modules)
      .sort()
      .map(async (suite) => {
        const d = await load_suite(suite);
        return d ? { suite, exercise: d.exercise, scenarios: d.scenarios.map((s) => ({ id: s.id, title: s.title, ...(s.goal ? { goal: s.goal } : {}) })) } : null;
      }),
  ).then((all) => all.filter((e): e is scenario_index_entry => e !== null));
  return scenario_index;
}

/** catalogue - every scenario: each exercise's explored ones, then the thread's (no suite is loaded when the build's index is set). */
export async function catalogue(): Promise<catalogue_entry[]> {
  const out: catalogue_entry[] = [];
  for (const d of await the_index()) for (const s of d.scenarios) out.push({ id: s.id, exercise: d.exercise, title: s.title, ...(s.goal ? { goal: s.goal } : {}) });
  for (const s of thread_scenarios()) out.push({ id: s.id, exercise: null, title: 'the thread\'s scenario, as the 2017 kernel ran it' });
  return out;
}

/** load_variant - the exports of exercise @exercise's files in @v's folder, merged (as course/files.ts load_impl does). */
export async function load_variant(exercise: string, v: variant): Promise<exercise_impl> {
  if (v === 'yours') return load_your_code(exercise);
  const mods = v === 'starter' ? starter_modules : solution_modules;
  const prefix = `../../${v === 'starter' ? 'exercises' : 'solutions'}/${exercise}/`;
  const impl: exercise_impl = {};
  const keys = Object.keys(mods).filter((k) => k.startsWith(prefix)).sort();
  if (keys.length === 0) throw new Error(`no ${v} code for exercise ${exercise}`);
  for (const k of keys) Object.assign(impl, await mods[k]!());
  return impl;
}

/** A scenario ready to run: built with one variant's code. */
export interface resolved {
  id: string;
  exercise: string | null;
  built: built_scenario;
}

/** resolve - scenario @id built with @v's code; throws an Error that says what the playground knows when it does not know @id. */
export async function resolve(id: string, v: variant): Promise<resolved> {
  const thread = thread_scenarios().find((s) => s.id === id);
  if (thread) return { id, exercise: null, built: { scenario: thread } };
  const entry = (await the_index()).find((e) => e.scenarios.some((s) => s.id === id));
  if (!entry) {
    const known = (await catalogue()).map((e) => e.id).join(', ');
    throw new Error(`The playground does not know scenario "${id}". It knows: ${known}.`);
  }
  // Only the suite that declares it is loaded; the index was read from the same suites when the site was built.
  const suite = await load_suite(entry.suite);
  const found = suite ? find_declared([suite], id) : null;
  if (!found || found.exercise !== entry.exercise) throw new Error(`The site's scenario index is older than ${entry.suite}: rebuild the site (npm run build).`);
  // Wrapped as the checks and the CLI's replay wrap it (course/funcgraph.ts): the same trace, the same "at:" in lockdep's lines.
  return { id, exercise: found.exercise, built: build_checked(found.declaration, traced_exports(await load_variant(found.exercise, v))) };
}

function inside<T>(b: built_scenario, body: () => Promise<T>): Promise<T> {
  return b.around ? b.around(body) : body();
}

export type playground_result =
  | { ok: true; scenario_id: string; exercise: string | null; schedule_string: string; departures: deviation[]; dmesg: string; log: string; timeline: string; failures: string[]; stop: string }
  | { ok: false; error: string };

/** default_schedule_string - the string that replays scenario @id under the kernel's own (default) schedule. */
export function default_schedule_string(id: string): string {
  return format_schedule(id, []);
}

/**
 * run_schedule_string - replay @text with @v's code, as `shrinker-lab replay`
 * does (strict: a departure that does not fit is an error); errors come back
 * as data. `log` is what `replay --log-only` prints between its header and
 * its verdict.
 */
export async function run_schedule_string(text: string, v: variant = 'starter'): Promise<playground_result> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, error: 'Paste a schedule string first (it starts with "sl1:").' };
  try {
    const p = parse_schedule(trimmed);
    await load_frame_table();
    const r = await resolve(p.scenario_id, v);
    const out = await inside(r.built, () => replay_schedule(r.built.scenario, p.schedule, r.built.options?.fail_on ?? ALL_FAILURE_KINDS));
    return {
      ok: true,
      scenario_id: r.id,
      exercise: r.exercise,
      schedule_string: out.schedule_string,
      departures: [...out.schedule],
      dmesg: out.dmesg_text,
      log: render_timeline(out.timeline, { log_only: true }),
      timeline: out.timeline_text,
      failures: out.failures.map((f) => `${f.kind}: ${f.title}`),
      stop: out.result.stop,
    };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** step - scenario @id with @v's code under @departures, the machine shown at decision #@at (see explorer/stepper.ts). */
export async function step(id: string, v: variant, departures: readonly deviation[], at: number): Promise<step_result> {
  await load_frame_table();
  const r = await resolve(id, v);
  return inside(r.built, () => step_to(r.built.scenario, departures, at, r.built.options?.fail_on ?? ALL_FAILURE_KINDS));
}

/** What the check's own search says about one scenario with one variant's code (prove). */
export interface proof {
  /** No schedule the search ran failed, and it ran every one it claims. */
  ok: boolean;
  /** The claim, in words: every interleaving, or every schedule within bound k; or the failure found. */
  claim: string;
  /** The explorer's own line on what it ran (explorer/verdict.ts coverage_text). */
  coverage: string;
  /** The failing schedule, when one was found. */
  schedule_string: string | null;
}

/**
 * prove - scenario @id with @v's code under the search its check runs
 * (course/check_helpers.ts no_failures: check_no_failures_strongest with the
 * declaration's options, stopped at the first failure), said as exactly as
 * the explorer's verdict says it: "no failure in any interleaving" only when
 * complete exploration finished, else "within bound k" (every schedule with
 * at most k departures from the kernel's choices, and no more).
 */
export async function prove(id: string, v: variant): Promise<proof> {
  await load_frame_table();
  const r = await resolve(id, v);
  const x = await inside(r.built, () => check_no_failures_strongest(r.built.scenario, { stop_on: 'first', ...r.built.options }));
  const e = x.exploration;
  const coverage = coverage_text(e);
  const n = `${e.schedules} schedule${e.schedules === 1 ? '' : 's'}`;
  if (x.failure) {
    const f = x.failure;
    return { ok: false, claim: `Fails: ${headline(f)}, with ${f.preemptions} departure(s) from the kernel's choices (${f.schedule_string}).`, coverage, schedule_string: f.schedule_string };
  }
  if (!x.ok) return { ok: false, claim: `Not proved: the search ran out of budget before it covered its space (${coverage}).`, coverage, schedule_string: null };
  const bound = e.preemption_bound ?? 0;
  const claim =
    e.complete && e.exhausted
      ? `No failure in any interleaving: the explorer ran every interleaving of this scenario (up to equivalent ones, ${n}).`
      : `No failure within bound ${bound}: the explorer ran every schedule with at most ${bound} departure${bound === 1 ? '' : 's'} from the kernel's choices (${n}); schedules with more departures were not run.`;
  return { ok: true, claim, coverage, schedule_string: null };
}
