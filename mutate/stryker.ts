// StrykerJS (9.5.x, with its vitest runner and TypeScript checker) over one
// exercise's reference solution, graded by the exercise's own check suite
// (mutate/stryker/solution_checks.stryker.ts, one test per check).
//
// Stryker works in a sandbox: a copy of the parts of the course the checks
// need, made in the system's temp dir (never in the checkout), so relative
// imports like '../../kernel/...' resolve there exactly as here. Mutants
// are compiled in first (mutant schemata) and switched on one at a time;
// the TypeScript checker sets aside mutants that do not type-check
// (CompileError), as the course does for a learner's file.
import { lstatSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogLevel, MutantResult, PartialStrykerOptions } from '@stryker-mutator/api/core';
import { TSX_LOADER } from '../course/isolate';
import type { mutant_status } from './evaluate';

/**
 * Which test runner grades Stryker's mutants. 'checks' (the default,
 * mutate/stryker/check_runner.ts) imports the suite, the model and the
 * instrumented solution once per process; 'vitest' (Stryker's vitest runner,
 * mutate/stryker/vitest.config.ts) starts a vitest run per mutant. Same
 * verdicts; 'vitest' stays to prove that.
 */
export type stryker_runner = 'checks' | 'vitest';
const CHECK_RUNNER = join(dirname(fileURLToPath(import.meta.url)), 'stryker', 'check_runner.ts');

/** What the sandbox needs: the model, the checks, the course framework, the manifest, the solutions, this tool. */
const SANDBOX_KEEPS = ['kernel', 'explorer', 'scenarios', 'checks', 'course', 'exercises', 'solutions', 'mutate', 'package.json', 'tsconfig.json'];

export interface stryker_outcome {
  mutator: string;
  /** File name inside the exercise folder. */
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  replacement: string;
  status: mutant_status | 'ignored';
  failed: string[];
  detail: string;
}

const STATUS: Record<string, mutant_status | 'ignored'> = {
  Killed: 'killed',
  Timeout: 'timeout',
  Survived: 'survived',
  NoCoverage: 'survived',
  CompileError: 'compile-error',
  RuntimeError: 'crashed',
  Ignored: 'ignored',
  Pending: 'ignored',
};

/** run_stryker - mutate solutions/<exercise>/*.ts with Stryker; one outcome per mutant. */
export async function run_stryker(root: string, exercise: string, opts: { log_level?: LogLevel; runner?: stryker_runner } = {}): Promise<stryker_outcome[]> {
  const { Stryker } = await import('@stryker-mutator/core');
  const temp = mkdtempSync(join(tmpdir(), 'shrinker-stryker-'));
  // Stryker links node_modules into its sandbox only when it finds a real
  // folder; a scratch clone's node_modules is a symlink, and the sandbox's
  // imports ('vitest') then find nothing. One link beside the sandbox, in our
  // own temp dir, is found by Node's walk up from any file inside it.
  const modules = join(root, 'node_modules');
  if (lstatSync(modules, { throwIfNoEntry: false })?.isSymbolicLink()) symlinkSync(realpathSync(modules), join(temp, 'node_modules'), 'dir');
  const cwd = process.cwd();
  const env = process.env.MUTATE_EXERCISE;
  process.env.MUTATE_EXERCISE = exercise; // read by solution_checks.stryker.ts in Stryker's test runner process
  process.chdir(root);
  try {
    const runner = opts.runner ?? 'checks';
    const options: PartialStrykerOptions = {
      ...(runner === 'vitest'
        ? { testRunner: 'vitest', plugins: ['@stryker-mutator/vitest-runner', '@stryker-mutator/typescript-checker'], vitest: { configFile: 'mutate/stryker/vitest.config.ts', related: false } }
        : // Stryker's test-runner process imports the TypeScript plugin and the course: it needs tsx.
          { testRunner: 'shrinker-checks', plugins: [CHECK_RUNNER, '@stryker-mutator/typescript-checker'], testRunnerNodeArgs: ['--import', TSX_LOADER], checkerNodeArgs: ['--import', TSX_LOADER] }),
      checkers: ['typescript'],
      tsconfigFile: 'mutate/stryker/tsconfig.json',
      mutate: [`solutions/${exercise}/*.ts`],
      coverageAnalysis: 'perTest',
      concurrency: 1,
      tempDirName: temp,
      cleanTempDir: true,
      ignorePatterns: ['/*', ...SANDBOX_KEEPS.map((k) => `!/${k}`)],
      reporters: ['progress-append-only'],
      logLevel: opts.log_level ?? ('warn' as LogLevel), // LogLevel is a const enum: its values are these strings
      fileLogLevel: 'off' as LogLevel,
      timeoutMS: 60_000,
    };
    const results: MutantResult[] = await new Stryker(options).runMutationTest();
    return results.map((r) => ({
      mutator: r.mutatorName,
      file: r.fileName.split(/[\\/]/).pop()!,
      line: r.location.start.line,
      column: r.location.start.column,
      end_line: r.location.end.line,
      end_column: r.location.end.column,
      replacement: r.replacement ?? '',
      status: STATUS[r.status] ?? 'crashed',
      failed: (r.killedBy ?? []).map((t) => /check (\S+) passes$/.exec(t)?.[1] ?? t),
      detail: (r.statusReason ?? '').split('\n')[0]!.slice(0, 300),
    }));
  } finally {
    process.chdir(cwd);
    if (env === undefined) delete process.env.MUTATE_EXERCISE;
    else process.env.MUTATE_EXERCISE = env;
    rmSync(temp, { recursive: true, force: true });
  }
}
