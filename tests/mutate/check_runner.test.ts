// StrykerJS's test runner for the checks (mutate/stryker/check_runner.ts),
// without running Stryker: a tiny suite of two checks grades an "instrumented"
// implementation written here as Stryker's mutant schemata write one (every
// mutant compiled in, switched on by globalThis.__stryker__.activeMutant,
// coverage counted per test while a test id is set). The runner must report
// per-test coverage in the dry run, kill a mutant only through a failing
// check, stop at the first failing check unless bail is off, switch a static
// mutant on before the code loads, say a mutant that runs past the hit limit
// timed out, and never leave a mutant switched on after its run.
import { afterEach, describe, expect, it } from 'vitest';
import type { InstrumenterContext } from '@stryker-mutator/api/core';
import type { DryRunOptions, MutantRunOptions } from '@stryker-mutator/api/test-runner';
import { define_checks, fail, pass, run_checks, type exercise_impl } from '../../course/checks';
import { check_runner, type check_runner_target } from '../../mutate/stryker/check_runner';

const g = globalThis as unknown as { __stryker__?: InstrumenterContext };

/** An instrumented file, as the schemata would make it: mutants '0' (static: runs at load) to '4'. */
function instrumented(): exercise_impl {
  const ns = (g.__stryker__ ??= {});
  const cover = (...ids: string[]) => {
    const cov = (ns.mutantCoverage ??= { static: {}, perTest: {} });
    const c = ns.currentTestId ? (cov.perTest[ns.currentTestId] ??= {}) : cov.static;
    for (const id of ids) c[id] = (c[id] ?? 0) + 1;
  };
  const on = (id: string) => {
    if (ns.activeMutant !== id) return false;
    if (ns.hitCount !== undefined && ++ns.hitCount > ns.hitLimit!) throw new Error(`Stryker: Hit count limit reached (${ns.hitCount})`);
    return true;
  };
  cover('0');
  const step = on('0') ? 2 : 1; // module-level: a static mutant
  return {
    next(x: number): number {
      cover('1', '4');
      if (on('4')) for (let i = 0; i < 1000; i++) on('4'); // a loop that runs past any hit limit
      return on('1') ? x - step : x + step;
    },
    twice(x: number): number {
      cover('2', '3');
      if (on('2')) return x;
      return on('3') ? x * 3 : x * 2;
    },
  };
}

const suite = define_checks({
  exercise: 'fixture',
  exports: { next: 'function next(x: number): number', twice: 'function twice(x: number): number' },
  checks: [
    { id: 'next-adds-one', name: 'next adds one', run: async (impl) => ((impl.next as (x: number) => number)(1) === 2 ? pass() : fail('next(1) is not 2')) },
    { id: 'twice-doubles', name: 'twice doubles', run: async (impl) => ((impl.twice as (x: number) => number)(1) === 2 && (impl.next as (x: number) => number)(0) === 1 ? pass() : fail('twice(1) is not 2, or next(0) is not 1')) },
  ],
});

let loads = 0;
const target = (): check_runner_target => ({
  suite,
  load_impl: async () => {
    loads++;
    return instrumented();
  },
  run_checks: (s, impl, only) => run_checks(s, impl, only),
});

const dry: DryRunOptions = { timeout: 10_000, disableBail: false, coverageAnalysis: 'perTest' };
const mutant = (id: string, more: Partial<MutantRunOptions> = {}): MutantRunOptions => ({
  timeout: 10_000,
  disableBail: false,
  activeMutant: { id, fileName: 'fixture.ts', location: { start: { line: 1, column: 0 }, end: { line: 1, column: 1 } }, mutatorName: 'fixture', replacement: '' },
  sandboxFileName: 'fixture.ts',
  mutantActivation: 'runtime',
  reloadEnvironment: false,
  ...more,
});

afterEach(() => {
  delete g.__stryker__;
  loads = 0;
});

describe('check_runner (StrykerJS test runner over a check suite)', () => {
  it('cannot reload its environment, so Stryker gives a static mutant a fresh process', () => {
    expect(new check_runner(async () => target()).capabilities()).toEqual({ reloadEnvironment: false });
  });

  it('dry run: every check passes, coverage per check, module-level code as static coverage', async () => {
    const r = new check_runner(async () => target());
    await r.init();
    const d = await r.dryRun(dry);
    expect(d.status).toBe('complete');
    if (d.status !== 'complete') return;
    expect(d.tests.map((t) => [t.id, t.status])).toEqual([
      ['next-adds-one', 0],
      ['twice-doubles', 0],
    ]);
    expect(d.mutantCoverage?.static).toEqual({ '0': 1 });
    expect(Object.keys(d.mutantCoverage!.perTest['next-adds-one']!).sort()).toEqual(['1', '4']);
    expect(Object.keys(d.mutantCoverage!.perTest['twice-doubles']!).sort()).toEqual(['1', '2', '3', '4']);
  });

  it('kills a mutant through the check that fails, lets one no check sees survive, and loads the code once', async () => {
    const r = new check_runner(async () => target());
    await r.init();
    await r.dryRun(dry);
    const killed = await r.mutantRun(mutant('3', { testFilter: ['twice-doubles'] }));
    expect(killed).toMatchObject({ status: 'killed', killedBy: ['twice-doubles'], nrOfTests: 1 });
    const survived = await r.mutantRun(mutant('2', { testFilter: ['next-adds-one'] }));
    expect(survived).toEqual({ status: 'survived', nrOfTests: 1 });
    expect(g.__stryker__?.activeMutant).toBeUndefined();
    expect(loads).toBe(1);
  });

  it('stops at the first failing check, or runs them all when bail is off', async () => {
    const r = new check_runner(async () => target());
    await r.init();
    const bail = await r.mutantRun(mutant('1'));
    expect(bail).toMatchObject({ status: 'killed', killedBy: ['next-adds-one'], nrOfTests: 1 });
    const all = await r.mutantRun(mutant('1', { disableBail: true }));
    expect(all).toMatchObject({ status: 'killed', killedBy: ['next-adds-one', 'twice-doubles'], nrOfTests: 2 });
  });

  it('switches a static mutant on before the code loads', async () => {
    const r = new check_runner(async () => target());
    await r.init();
    const s = await r.mutantRun(mutant('0', { mutantActivation: 'static', reloadEnvironment: true }));
    expect(s).toMatchObject({ status: 'killed', killedBy: ['next-adds-one'] });
    expect(loads).toBe(1);
  });

  it('says a mutant that runs past the hit limit timed out', async () => {
    const r = new check_runner(async () => target());
    await r.init();
    const t = await r.mutantRun(mutant('4', { hitLimit: 100 }));
    expect(t.status).toBe('timeout');
    expect(g.__stryker__?.hitCount).toBeUndefined();
    const within = await r.mutantRun(mutant('4', { hitLimit: 100_000 }));
    expect(within).toEqual({ status: 'survived', nrOfTests: 2 });
  });
});
