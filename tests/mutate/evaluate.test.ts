// Running a mutant (mutate/evaluate.ts) on a tiny exercise: the fixture's
// one check makes sure the lock and the buffer are released and the run is
// clean, and deliberately ignores the return value. So deleting the unlock
// is killed, returning false instead of true survives, a mutant that does
// not type-check is set aside, and no mutant ever lands in the checkout.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { define_checks, fail, pass } from '../../course/checks';
import { run_once } from '../../course/check_helpers';
import { COURSE_ROOT } from '../../course/files';
import { typechecker } from '../../course/typecheck';
import { mutex_init, mutex_is_locked, type mutex } from '../../kernel/locking/mutex';
import { evaluate_mutant, mutant_sandbox, rewrite_relative_imports } from '../../mutate/evaluate';
import { generate_mutants } from '../../mutate/operators';

const DIR = join(import.meta.dirname, 'fixtures/take-and-release');
const FILE = 'take_and_release.ts';
const text = readFileSync(join(DIR, FILE), 'utf8');
const exercise = { id: 'take-and-release', files: [FILE] };

const suite = define_checks({
  exercise: exercise.id,
  exports: { take_and_release: 'async function take_and_release(lock, budget): Promise<boolean>' },
  checks: [
    {
      id: 'releases-the-lock',
      name: 'leaves the lock free and the run clean',
      async run(impl) {
        const fn = impl.take_and_release as (l: mutex, budget: number) => Promise<boolean>;
        let lock: mutex | null = null;
        const { result } = await run_once({ nr_cpus: 1 }, async () => {
          lock = mutex_init('fixture_lock');
          await fn(lock, 2);
          return null;
        });
        if (result.reports.length) return fail(`report: ${result.reports[0]!.kind}: ${result.reports[0]!.title}`);
        if (lock && mutex_is_locked(lock)) return fail('the lock is still held');
        return pass();
      },
    },
  ],
});

const mutants = generate_mutants(text, relative(COURSE_ROOT, join(DIR, FILE)));
const sandbox = new mutant_sandbox();
afterAll(() => sandbox.dispose());

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

describe('evaluate_mutant', () => {
  it('passes the unmutated fixture', async () => {
    const e = await evaluate_mutant({ exercise, suite, source_dir: DIR, files: { [FILE]: text }, sandbox, checker: null });
    expect(e.status, e.detail).toBe('survived');
  });

  it('kills the mutant that deletes the unlock, naming the check', async () => {
    const m = mutants.find((x) => x.operator === 'statement-delete' && x.original === 'mutex_unlock(lock);' && x.function_name === 'take_and_release')!;
    const e = await evaluate_mutant({ exercise, suite, source_dir: DIR, files: { [FILE]: m.text }, sandbox, checker: null });
    expect(e.status).toBe('killed');
    expect(e.failed).toEqual(['releases-the-lock']);
  });

  it('lets the mutant the check cannot see survive (the return value is never looked at)', async () => {
    const m = mutants.find((x) => x.operator === 'return-constant' && x.function_name === 'take_and_release' && x.replacement === 'false')!;
    const e = await evaluate_mutant({ exercise, suite, source_dir: DIR, files: { [FILE]: m.text }, sandbox, checker: null });
    expect(e.status).toBe('survived');
  });

  it('with bail, stops at the first failing check (a kill needs one) and still runs every check on a survivor', async () => {
    const ran: string[] = [];
    const counted = (id: string, verdict: (impl: Record<string, unknown>) => Promise<boolean>) => ({
      id,
      name: id,
      async run(impl: Record<string, unknown>) {
        ran.push(id);
        return (await verdict(impl)) ? pass() : fail(`${id} failed`);
      },
    });
    const lock_free = async (impl: Record<string, unknown>) => {
      const fn = impl.take_and_release as (l: mutex, budget: number) => Promise<boolean>;
      let lock: mutex | null = null;
      await run_once({ nr_cpus: 1 }, async () => {
        lock = mutex_init('fixture_lock');
        await fn(lock, 2);
        return null;
      });
      return !(lock && mutex_is_locked(lock));
    };
    const two = define_checks({ exercise: exercise.id, exports: suite.exports, checks: [counted('first', lock_free), counted('second', lock_free)] });
    const m = mutants.find((x) => x.operator === 'statement-delete' && x.original === 'mutex_unlock(lock);' && x.function_name === 'take_and_release')!;
    const killed = await evaluate_mutant({ exercise, suite: two, source_dir: DIR, files: { [FILE]: m.text }, sandbox, checker: null, bail: true });
    expect(killed.status).toBe('killed');
    expect(killed.failed).toEqual(['first']);
    expect(ran.filter((id) => id === 'second')).toEqual([]);
    ran.length = 0;
    const survivor = await evaluate_mutant({ exercise, suite: two, source_dir: DIR, files: { [FILE]: text }, sandbox, checker: null, bail: true });
    expect(survivor.status).toBe('survived');
    expect(ran).toEqual(['first', 'second']);
  });

  it('sets aside a mutant that does not type-check', async () => {
    const bad = text.replace('return true;\n}', "return 'yes';\n}");
    expect(bad).not.toBe(text);
    const e = await evaluate_mutant({ exercise, suite, source_dir: DIR, files: { [FILE]: bad }, sandbox, checker: new typechecker(COURSE_ROOT) });
    expect(e.status).toBe('compile-error');
    expect(e.detail).toMatch(/^TS\d+ /);
  });

  it('writes mutants only outside the checkout, leaves the original untouched, and cleans up', async () => {
    const before = hash(readFileSync(join(DIR, FILE), 'utf8'));
    const own = new mutant_sandbox();
    expect(own.dir.startsWith(tmpdir())).toBe(true);
    expect(relative(COURSE_ROOT, own.dir).startsWith('..')).toBe(true);
    const m = mutants.find((x) => x.operator === 'await-drop')!;
    await evaluate_mutant({ exercise, suite, source_dir: DIR, files: { [FILE]: m.text }, sandbox: own, checker: null });
    expect(readdirSync(own.dir).some((d) => d.startsWith('m'))).toBe(true);
    own.dispose();
    expect(existsSync(own.dir)).toBe(false);
    expect(hash(readFileSync(join(DIR, FILE), 'utf8'))).toBe(before);
    expect(readdirSync(DIR)).toEqual([FILE]);
  });

  it('rewrites relative imports to the files they name, keeping every line in place', () => {
    const out = rewrite_relative_imports(text, DIR);
    expect(out).toContain(`from ${JSON.stringify(join(COURSE_ROOT, 'kernel/locking/mutex'))}`);
    expect(out.split('\n').length).toBe(text.split('\n').length);
  });
});
