// A StrykerJS test runner that runs an exercise's checks in Stryker's own
// test-runner process, importing the model, the check suite and the
// instrumented solution ONCE, as mutate/worker.ts does for the kernel
// operators. Stryker's vitest runner starts a new vitest run for every
// mutant, and vitest 4 ends its worker after every run (`isolate: false`
// shares a worker between the files of one run only), so every mutant paid
// a fresh import of the suite and the whole model: about 15 s of 13's ~22 s
// per killed mutant at load 27 (mutate/scores.md, session 12).
//
// Mutant schemata make one import sound: Stryker compiles every mutant into
// the one instrumented file and switches it on with
// globalThis.__stryker__.activeMutant, read each time the mutated code runs.
// A *static* mutant (code that runs once, when its module loads) needs a
// fresh load: this runner says it cannot reload its environment, so Stryker
// starts a fresh test-runner process for it and asks for 'static'
// activation; the solution is imported only after the mutant is switched on.
//
// Same verdicts as the vitest runner: one test per check (id = the check's
// id), in the suite's order; per-test coverage from the dry run; a mutant
// stops at its first failing check unless Stryker's disableBail is set; a
// mutant that runs past Stryker's hit limit is a timeout. Proven by equal
// killed/survived sets with both runners (mutate/scores.md).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InstrumenterContext, MutantCoverage, StrykerOptions } from '@stryker-mutator/api/core';
import type { DryRunOptions, DryRunResult, MutantRunOptions, MutantRunResult, TestResult, TestRunner, TestRunnerCapabilities } from '@stryker-mutator/api/test-runner';
import type { check_suite, exercise_impl } from '../../course/checks';

/** What the runner grades with: the suite, and the (instrumented) code under test. */
export interface check_runner_target {
  suite: check_suite;
  /** Import the code under test. Called once, after the first mutant is switched on (a static mutant's run). */
  load_impl(): Promise<exercise_impl>;
  /** run_checks from course/checks.ts, the one the suite's model belongs to. */
  run_checks(suite: check_suite, impl: exercise_impl, only: readonly string[]): Promise<{ id: string; status: string; message: string }[]>;
}

// The values of @stryker-mutator/api's enums (TestStatus, DryRunStatus,
// MutantRunStatus); imported as types only, the API package being
// Stryker's own dependency, not ours.
const SUCCESS = 0 as TestResult['status'];
const FAILED = 1 as TestResult['status'];
const COMPLETE = 'complete' as DryRunResult['status'];
const DRY_ERROR = 'error' as DryRunResult['status'];
const KILLED = 'killed' as MutantRunResult['status'];
const SURVIVED = 'survived' as MutantRunResult['status'];
const TIMEOUT = 'timeout' as MutantRunResult['status'];
const RUN_ERROR = 'error' as MutantRunResult['status'];

/** The instrumented code's global: which mutant is on, coverage, hit counts. */
const NAMESPACE = '__stryker__';
function ns(): InstrumenterContext {
  const g = globalThis as unknown as Record<string, InstrumenterContext | undefined>;
  return (g[NAMESPACE] ??= {});
}

/** check_runner - the TestRunner, given how to load what it grades (tested on a fixture in tests/mutate/). */
export class check_runner implements TestRunner {
  private target: check_runner_target | null = null;
  private impl: exercise_impl | null = null;

  constructor(private readonly load_target: () => Promise<check_runner_target>) {}

  capabilities(): TestRunnerCapabilities {
    // A module imported with import() cannot be imported again: a static
    // mutant gets a fresh process from Stryker instead.
    return { reloadEnvironment: false };
  }

  async init(): Promise<void> {
    this.target = await this.load_target();
  }

  async dryRun(options: DryRunOptions): Promise<DryRunResult> {
    const n = ns();
    n.activeMutant = undefined;
    n.hitCount = undefined;
    try {
      const impl = await this.code();
      const tests: TestResult[] = [];
      for (const c of this.target!.suite.checks) {
        if (options.coverageAnalysis === 'perTest') n.currentTestId = c.id;
        try {
          tests.push(await this.run_one(impl, c.id));
        } finally {
          n.currentTestId = undefined;
        }
      }
      const coverage: MutantCoverage | undefined = options.coverageAnalysis === 'off' ? undefined : n.mutantCoverage;
      return { status: COMPLETE, tests, mutantCoverage: coverage } as DryRunResult;
    } catch (e) {
      return { status: DRY_ERROR, errorMessage: e instanceof Error ? (e.stack ?? e.message) : String(e) } as DryRunResult;
    }
  }

  async mutantRun(options: MutantRunOptions): Promise<MutantRunResult> {
    const n = ns();
    n.activeMutant = options.activeMutant.id;
    n.hitLimit = options.hitLimit;
    n.hitCount = options.hitLimit === undefined ? undefined : 0;
    try {
      // 'static': the mutant is on before the code loads (a fresh process).
      const impl = await this.code();
      const wanted = options.testFilter ? new Set(options.testFilter) : null;
      const tests: TestResult[] = [];
      for (const c of this.target!.suite.checks) {
        if (wanted && !wanted.has(c.id)) continue;
        const t = await this.run_one(impl, c.id);
        tests.push(t);
        if (t.status === FAILED && !options.disableBail) break;
      }
      if (n.hitCount !== undefined && n.hitLimit !== undefined && n.hitCount > n.hitLimit) {
        return { status: TIMEOUT, reason: `Hit limit reached (${n.hitCount}/${n.hitLimit})` } as MutantRunResult;
      }
      const failed = tests.filter((t) => t.status === FAILED) as Extract<TestResult, { failureMessage: string }>[];
      if (failed.length) return { status: KILLED, killedBy: failed.map((t) => t.id), failureMessage: failed[0]!.failureMessage, nrOfTests: tests.length } as MutantRunResult;
      return { status: SURVIVED, nrOfTests: tests.length } as MutantRunResult;
    } catch (e) {
      return { status: RUN_ERROR, errorMessage: e instanceof Error ? (e.stack ?? e.message) : String(e) } as MutantRunResult;
    } finally {
      n.activeMutant = undefined;
      n.hitCount = undefined;
      n.hitLimit = undefined;
    }
  }

  private async code(): Promise<exercise_impl> {
    if (!this.target) throw new Error('check_runner: init() was not called');
    return (this.impl ??= await this.target.load_impl());
  }

  /** run_one - one check; a check that fails (or throws, run_checks reports that as failed) is a failed test. */
  private async run_one(impl: exercise_impl, id: string): Promise<TestResult> {
    const t0 = performance.now();
    const [r] = await this.target!.run_checks(this.target!.suite, impl, [id]);
    const base = { id, name: `check ${id} passes`, timeSpentMs: Math.round(performance.now() - t0) };
    if (r?.status === 'passed') return { ...base, status: SUCCESS } as TestResult;
    return { ...base, status: FAILED, failureMessage: r ? r.message : `check ${id} did not run` } as TestResult;
  }
}

/**
 * load_sandbox_target - the exercise named by MUTATE_EXERCISE, imported from
 * Stryker's sandbox (the test runner's working directory, where the
 * solution is the instrumented copy), never from the checkout.
 */
export async function load_sandbox_target(root = process.cwd()): Promise<check_runner_target> {
  const import_course = <T>(f: string) => import(pathToFileURL(join(root, 'course', f)).href) as Promise<T>;
  const files = await import_course<typeof import('../../course/files')>('files.ts');
  const checks = await import_course<typeof import('../../course/checks')>('checks.ts');
  const wanted = process.env.MUTATE_EXERCISE ?? '';
  const exercise = files.read_manifest(root).exercises.find((e) => e.id === wanted || e.id.startsWith(`${wanted}-`));
  if (!exercise) throw new Error(`MUTATE_EXERCISE="${wanted}" names no exercise in ${root}/exercises/course.json`);
  const suite = await files.load_suite(exercise, root);
  return { suite, load_impl: () => files.load_impl(exercise, files.solution_dir(exercise, root)), run_checks: (s, impl, only) => checks.run_checks(s, impl, only) };
}

/** The Stryker plugin: testRunner 'shrinker-checks' (mutate/stryker.ts). */
class shrinker_checks_test_runner extends check_runner {
  static inject = ['options'] as const;
  constructor(_options: StrykerOptions) {
    super(() => load_sandbox_target());
  }
}

export const strykerPlugins = [{ kind: 'TestRunner', name: 'shrinker-checks', injectableClass: shrinker_checks_test_runner }];
