// Grader red team, round 11 (/work/coord/s11/grader-redteam11.md; attacks in /work/gr11-attacks/): one
// test per class closed this round, each failing without its fix.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run_once } from '../../course/check_helpers';
import { pass, run_checks, type check_suite, type exercise_impl } from '../../course/checks';
import { refuse_kernel_object_state } from '../../course/kernel_object_state';
import { module_state_violations } from '../../course/module_state';
import ts from 'typescript';
import { COURSE_ROOT } from '../../course/files';
import { find_exercise } from '../../course/manifest';
import { export_student } from '../../grader/export_student';
import { grade_submission, prepare_base, release_base, starter_source, submission_layout, type grading_base } from '../../grader/grade';
import { check_policy } from '../../grader/policy';
import { make_temp } from '../../grader/tree';
import { measure_call } from '../../course/invariants';
import { current, msleep } from '../../kernel/sched/core';
import { INIT_WORK, type work_struct } from '../../kernel/workqueue';
import { mutex_init } from '../../kernel/locking/mutex';
import { gem_world, populate, WORLD_PARAMS } from '../../scenarios/i915_world';
import { i915_gem_object_create } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { manifest, new_submission } from './fixtures';

/** Every own string key starting with model_ on an object reachable from @roots (own data fields, @depth levels). */
function model_fields_reachable(roots: readonly [unknown, string][], depth: number): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  let level = [...roots];
  for (let d = 0; d <= depth && level.length > 0; d++) {
    const next: [unknown, string][] = [];
    for (const [o, path] of level) {
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
      seen.add(o);
      const iterable = o instanceof Map || o instanceof Set ? [...o.values()] : [];
      iterable.forEach((v, i) => next.push([v, `${path}[${i}]`]));
      for (const k of Reflect.ownKeys(o)) {
        const desc = Reflect.getOwnPropertyDescriptor(o, k)!;
        if (typeof k === 'string' && k.startsWith('model_')) found.push(`${path}.${k}`);
        if ('value' in desc) next.push([desc.value, `${path}.${String(k)}`]);
      }
    }
    level = next;
  }
  return found;
}

describe('round 11, 01: the model keeps its plumbing beside the kernel\'s objects, where no spelling reaches it', () => {
  it('no object the kernel hands a shrinker (the device, its locks, work items, lockdep maps) has a model_ field', async () => {
    const found: string[] = [];
    await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      await populate(w);
      found.push(...model_fields_reachable([[w.i915, 'i915'], [current, 'current']], 6));
    });
    expect(found).toEqual([]);
  });

  it('red team 11 #01 (null the work item\'s queue fields, found by value, around Andrea\'s flush_work()) scores what the starter does on 08, not 9/9', async () => {
    const e = find_exercise(manifest, '08');
    const base = prepare_base();
    try {
      const sub = new_submission('null-pwq-by-value');
      mkdirSync(join(sub, e.id), { recursive: true });
      writeFileSync(join(sub, e.id, e.files[0]!), readFileSync(join(COURSE_ROOT, 'tests/grader/fixtures/attacks/null-pwq-by-value.txt'), 'utf8'));
      const r = await grade_submission(base, { submission: sub, exercises: ['08'], policy: true, typecheck: false, starter_baseline: false });
      const x = r.exercises[0]!;
      // The starter passes only the guard (keeps-outer-frame-lock); so does this file now.
      expect(x.checks.filter((c) => c.status === 'passed').map((c) => c.id)).toEqual(['keeps-outer-frame-lock']);
      expect(x.checks.find((c) => c.id === 'no-flush-from-reclaim')?.status).toBe('failed');
    } finally {
      release_base(base);
    }
  }, 900_000);
});

/** @fixture (tests/grader/fixtures/attacks/) as @e's one graded file, graded with the policy on: the passed checks' ids. */
async function passed_by(base: grading_base, id: string, fixture: string): Promise<string[]> {
  const e = find_exercise(manifest, id);
  const sub = new_submission(fixture);
  mkdirSync(join(sub, e.id), { recursive: true });
  writeFileSync(join(sub, e.id, e.files[0]!), readFileSync(join(COURSE_ROOT, `tests/grader/fixtures/attacks/${fixture}.txt`), 'utf8'));
  const r = await grade_submission(base, { submission: sub, exercises: [id], policy: true, typecheck: false, starter_baseline: false });
  return r.exercises[0]!.checks.filter((c) => c.status === 'passed').map((c) => c.id);
}

describe('round 11, 05: the judges measure with what the code judged cannot write', () => {
  it('a task that puts its nvcsw back after sleeping still slept for measure_call; a work item\'s and a mutex\'s lockdep map cannot be swapped', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const m = await measure_call(async () => {
        const me = current;
        const nvcsw = me.nvcsw, switches = me.switch_count;
        await msleep(10);
        // Read-only since session 13 (kernel/sched/task_fields.ts); the judge does not read them anyway.
        const w = me as { nvcsw: number; switch_count: number };
        try {
          w.nvcsw = nvcsw;
          w.switch_count = switches;
        } catch {
          // the kernel's fields
        }
      });
      const work = INIT_WORK({} as work_struct, async () => {}, 'a_work');
      const lock = mutex_init('&a->lock');
      const swaps: string[] = [];
      for (const [o, k] of [[work, 'lockdep_map'], [lock, 'dep_map'], [lock.dep_map, 'name']] as const) {
        try {
          (o as unknown as Record<string, unknown>)[k] = { name: 'a class of its own' };
        } catch (e) {
          swaps.push(`${k}: ${(e as Error).constructor.name}`);
        }
      }
      return { slept: m.slept, swaps };
    });
    expect(value!.slept).toBe(1);
    expect(value!.swaps).toEqual(['lockdep_map: TypeError', 'dep_map: TypeError', 'name: TypeError']);
  });

  it('red team 11 #05 (the decoy flush-when-backlog-large with PF_MEMALLOC cleared, the work\'s lockdep map swapped and nvcsw put back) scores no more than the decoy on 08, not 9/9', async () => {
    const base = prepare_base();
    try {
      const passed = await passed_by(base, '08', 'forged-nvcsw');
      expect(passed).not.toContain('no-flush-from-reclaim');
    } finally {
      release_base(base);
    }
  }, 900_000);
});

describe('round 11, 02: a course kept as a folder of a larger repository', () => {
  it('its starters are read from git and it exports (git paths relative to the course, not to the repository)', () => {
    const repo = make_temp('shrinker-monorepo-');
    const course = join(repo, 'teaching', 'shrinker-lab');
    mkdirSync(course, { recursive: true });
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    execFileSync('sh', ['-c', `git -C "${COURSE_ROOT}" archive HEAD | tar -x -C "${course}"`]);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'the department\'s teaching repository');
    const e = manifest.exercises[0]!;
    const committed = readFileSync(join(course, 'exercises', e.id, e.files[0]!), 'utf8');
    // A local answer in the working tree is not the starter.
    writeFileSync(join(course, 'exercises', e.id, e.files[0]!), `${committed}\n// solved locally\n`);
    expect(starter_source(course, e.id, e.files[0]!)).toEqual({ text: committed });
    const dest = join(make_temp('shrinker-export-'), 'template');
    export_student(course, dest);
    expect(readFileSync(join(dest, 'exercises', e.id, e.files[0]!), 'utf8')).toBe(committed);
    expect(existsSync(join(dest, 'README.md'))).toBe(true);
  });
});

describe('round 11, 07: a zip of the repository\'s folder (shrinker-lab-main/exercises/...)', () => {
  it('is graded from inside that one folder; __MACOSX and dot-entries beside it do not count; a link is never followed', () => {
    const e = manifest.exercises[0]!;
    const sub = new_submission('wrapped');
    const inner = join(sub, 'shrinker-lab-main', 'exercises', e.id);
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(inner, e.files[0]!), 'export {};\n');
    mkdirSync(join(sub, '__MACOSX', 'shrinker-lab-main'), { recursive: true });
    writeFileSync(join(sub, '.DS_Store'), '');
    expect(submission_layout(sub, manifest).locate(e, e.files[0]!)).toEqual({ path: join(inner, e.files[0]!) });
    // The same folder reached through a link: not taken.
    const linked = new_submission('wrapped-link');
    symlinkSync(join(sub, 'shrinker-lab-main'), join(linked, 'shrinker-lab-main'));
    expect(submission_layout(linked, manifest).locate(e, e.files[0]!)).toEqual({ missing: `exercises/${e.id}/${e.files[0]}` });
  });
});

describe('round 11, 10: 07\'s judge reads what the driver did, not fields the drain can write', () => {
  it('red team 11 #10 (the half fix that only waits for RCU, marking every released object freed and mm.free_count 0 itself) scores what that half fix scores on 07, not 5/10', async () => {
    const base = prepare_base();
    try {
      const passed = await passed_by(base, '07', 'forged-freed');
      // The half fix as shipped (no forging) passes only returns-at-once-when-idle: 1/10.
      expect(passed).toEqual(['returns-at-once-when-idle']);
    } finally {
      release_base(base);
    }
  }, 900_000);
});

describe('round 11, 09: state the learner\'s code writes between the watched calls (a work item of its own)', () => {
  it('fails a check where code the learner handed the kernel, run later, hung a field on the device', async () => {
    const suite: check_suite = refuse_kernel_object_state({
      exercise: '00-test',
      exports: { unlock: 'function unlock(dev: object, queue: unknown[]): void' },
      checks: [{ id: 'unlocks-twice', name: 'unlocks twice', run: async (impl: exercise_impl) => {
        const dev: Record<string, unknown> = { name: 'i915' };
        const queue: (() => void)[] = [];
        const unlock = impl.unlock as (d: object, q: unknown[]) => void;
        unlock(dev, queue);
        for (const work of queue.splice(0)) work(); // a kworker runs what was queued, outside the call
        unlock(dev, queue);
        return pass();
      } }],
    });
    const learner: exercise_impl = {
      unlock: (dev: Record<string, number | undefined>, queue: (() => void)[]) => void queue.push(() => void (dev.unlocks = (dev.unlocks ?? 0) + 1)),
    };
    const [r] = await run_checks(suite, learner);
    expect(r!.status).toBe('failed');
    expect(r!.message).toContain('between calls of unlock(), code of yours the kernel ran (a work item or callback you handed it) added `dev.unlocks`');
  });

  it('red team 11 #09 (the reference\'s unlock plus a work item of its own counting on the device) does not pass 08', async () => {
    const base = prepare_base();
    try {
      const passed = await passed_by(base, '08', 'state-from-own-work-item');
      expect(passed.length).toBeLessThan(4);
    } finally {
      release_base(base);
    }
  }, 900_000);
});

describe('round 11, 09 (minor): a computed key of an object literal is held to the rule on names built from strings', () => {
  it('refuses { [\'mod\' + \'ule\']: ... } and { [\'process\']: ... } as it refuses obj[\'mod\' + \'ule\']; a literal name stays fine', () => {
    const e = manifest.exercises[0]!;
    const policy_of = (body: string): string[] => {
      const root = make_temp('shrinker-pol11-');
      const dir = join(root, 'exercises', e.id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'f.ts'), body);
      return check_policy(root, join(dir, 'f.ts'), 'f.ts', { ...e, files: ['f.ts'] }).map((v) => v.message);
    };
    expect(policy_of("export function f(): object { return { ['mod' + 'ule']: 'i915' }; }\n").join('\n')).toMatch(/a property name built from strings at run time/);
    expect(policy_of("export function f(): object { return { [`mod${'ule'}`]: 'i915' }; }\n").join('\n')).toMatch(/a property name built from strings at run time/);
    expect(policy_of("export function f(): object { return { ['process']: 1 }; }\n").join('\n')).toMatch(/uses 'process'/);
    expect(policy_of("export function f(): object { return { name: 'i915', ['pending']: false }; }\n")).toEqual([]);
  });
});

describe('round 11, 11: state hung below the run-time watch (i915.mm.bound_list[0].base)', () => {
  it('a GEM object, its base and its mm take no new field: the write throws, at any depth, from any task', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const obj = (await i915_gem_object_create(w.i915, 4096))!;
      const refused: string[] = [];
      for (const [o, path] of [[obj, 'obj'], [obj.base, 'obj.base'], [obj.mm, 'obj.mm']] as const) {
        try {
          (o as unknown as Record<string, number>).calls = 1;
        } catch (e) {
          refused.push(`${path}: ${(e as Error).constructor.name}`);
        }
      }
      return refused;
    });
    expect(value).toEqual(['obj: TypeError', 'obj.base: TypeError', 'obj.mm: TypeError']);
  });
});

describe('round 11, 03: the exported box taken back as a local through a method called on it', () => {
  const violations = (text: string): string[] => module_state_violations(ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)).map((v) => v.why);
  it('refuses the box\'s method used as a template tag or called through parentheses or a cast (the attack file too); a field read stays fine', () => {
    const attack = readFileSync(join(COURSE_ROOT, 'tests/grader/fixtures/attacks/tagged-valueof-box.txt'), 'utf8');
    expect(violations(attack).join('\n')).toMatch(/`tuning`/);
    const box = 'export const tuning = { calls: 0 };\ntype B = { calls: number };\n';
    expect(violations(`${box}export function f(): number { const me = (tuning.valueOf as unknown as (s: TemplateStringsArray) => B)\`\`; return ++me.calls; }`).join('\n')).toMatch(/`tuning`/);
    expect(violations(`${box}export function f(): number { const me = (tuning.valueOf as unknown as () => B)(); return ++me.calls; }`).join('\n')).toMatch(/`tuning`/);
    expect(violations(`${box}export function f(): number { return tuning.calls + 1; }`)).toEqual([]);
  });
});
