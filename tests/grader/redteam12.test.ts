// Grader red team, round 12 (/work/coord/s12/grader-redteam12.md; attacks in /work/gr12-attacks/) and the
// classes left open by round 11: one test per class closed, each failing without its fix.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { COURSE_ROOT } from '../../course/files';
import { realm } from '../../course/realm';
import { check_policy } from '../../grader/policy';
import { export_student } from '../../grader/export_student';
import { prepare_base, release_base } from '../../grader/grade';
import { make_temp } from '../../grader/tree';
import { manifest } from './fixtures';
import { run_once } from '../../course/check_helpers';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { mutex_init, mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { kernel_reports } from '../../kernel/panic';
import { lockdep_print_held_locks } from '../../kernel/locking/lockdep';
import { init_completion, wait_for_completion } from '../../kernel/sched/completion';
import { current, msleep, schedule, set_current_state, wake_up_process } from '../../kernel/sched/core';
import { TASK_KILLABLE, TASK_UNINTERRUPTIBLE, type task_struct, type wait_target } from '../../kernel/sched/task';
import { trace_events } from '../../kernel/trace/trace';
import { jiffies } from '../../kernel/time/timekeeping';
import { i915_gem_object_create, i915_gem_object_pin_pages, i915_gem_object_unpin_pages } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { gem_world, WORLD_PARAMS } from '../../scenarios/i915_world';

describe('judges read what the model recorded, not fields code handed the objects can write (round 11 #12)', () => {
  it('khungtaskd reports a hung task whose sleep_start, state and blocked_on another task rewrote; what it waits for is the model\'s text', async () => {
    const A = mutex_init('A');
    const never = init_completion('never');
    const seen: { hung_at_300s: string[]; describe_write: string } = { hung_at_300s: [], describe_write: 'not tried' };
    const r = await start_kernel({}, () => {
      let holder: task_struct | null = null;
      let waiter: task_struct | null = null;
      holder = user_task(async () => {
        await mutex_lock(A, 'holder_a');
        await wait_for_completion(never);
      }, 'holder');
      waiter = user_task(async () => {
        await mutex_lock(A, 'waiter_a');
        mutex_unlock(A);
      }, 'waiter');
      user_task(async () => {
        await msleep(10);
        try {
          (waiter!.blocked_on as { describe: () => string }).describe = () => 'mutex &rsp->exp_mutex';
          seen.describe_write = 'written';
        } catch (e) {
          seen.describe_write = (e as Error).constructor.name;
        }
        // Every 10 s for 300 s: both sleepers look as if they had just gone to sleep, and killable.
        for (let i = 0; i < 30; i++) {
          for (const t of [holder!, waiter!]) {
            // Read-only since session 13 (kernel/sched/task_fields.ts: another task's state too); khungtaskd does not read them anyway.
            try {
              (t as { sleep_start: number }).sleep_start = jiffies();
            } catch {
              // the kernel's field
            }
            try {
              t.state = TASK_KILLABLE;
            } catch {
              // another task's state
            }
          }
          await msleep(10_000);
        }
        seen.hung_at_300s = kernel_reports().filter((x) => x.kind === 'hung_task').map((x) => x.title.split(':')[0]!);
      }, 'tamperer');
    });
    expect(r.stop).toBe('deadlock');
    expect(seen.describe_write).toBe('TypeError');
    expect(seen.hung_at_300s.sort()).toEqual(['task holder', 'task waiter']);
    const waiter_report = r.reports.find((x) => x.kind === 'hung_task' && x.title.startsWith('task waiter:'))!;
    expect(waiter_report.lines).toContain('  (model) waiting for mutex A, held by holder:1');
  });

  it('the trace names what a task slept on as the model made it: a wait target the model did not make says so', async () => {
    const { value } = await run_once({ ...WORLD_PARAMS, trace: true }, async () => {
      const me = current;
      const forged: wait_target = { describe: () => 'wait queue rcu_sched->exp_wq[0]', holder: () => null };
      user_task(async () => {
        await msleep(1);
        wake_up_process(me);
      }, 'waker');
      set_current_state(TASK_UNINTERRUPTIBLE);
      await schedule(forged);
      return trace_events().filter((e) => e.event === 'sched_sleep' && e.pid === me.pid).map((e) => String(e.fields.on));
    });
    expect(value).toEqual(['a wait target the kernel did not make']);
  });

  it('a GEM object\'s pages are set only by the GEM core: `obj.mm.pages = null` throws, and the table\'s page list cannot be emptied', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const obj = (await i915_gem_object_create(w.i915, 4 * 4096))!;
      await i915_gem_object_pin_pages(obj);
      i915_gem_object_unpin_pages(obj);
      const sg = obj.mm.pages!;
      const refused: string[] = [];
      const attempts: [string, () => void][] = [
        ['obj.mm.pages = null', () => { (obj.mm as { pages: unknown }).pages = null; }],
        ['defineProperty(obj.mm, pages)', () => { Object.defineProperty(obj.mm, 'pages', { value: null }); }],
        ['sg.pages.length = 0', () => { sg.pages.length = 0; }],
        ['sg.pages = []', () => { sg.pages = []; }],
      ];
      for (const [what, f] of attempts) {
        try {
          f();
        } catch (e) {
          refused.push(`${what}: ${(e as Error).constructor.name}`);
        }
      }
      return { refused, still: obj.mm.pages === sg && sg.pages.length === 4 };
    });
    expect(value!.refused).toEqual(['obj.mm.pages = null: TypeError', 'defineProperty(obj.mm, pages): TypeError', 'sg.pages.length = 0: TypeError', 'sg.pages = []: TypeError']);
    expect(value!.still).toBe(true);
  });
});

describe('the model\'s structs are sealed when made: no spelling reaches past a plain field (round 11 #06)', () => {
  it('Object[name] with a name built at run time cannot put an accessor over a field, delete one, add one or swap a prototype, on the device, a GEM object, a lock, a work item, an RCU head, a list or the task', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const obj = (await i915_gem_object_create(w.i915, 4096))!;
      // As red team 11 #06 spelled it: a static rule sees neither name.
      const O = Object as unknown as Record<string, (...a: unknown[]) => unknown>;
      const define = O[['define', 'Property'].join('')]!;
      const set_proto = O[['setProto', 'typeOf'].join('')]!;
      const targets: [object, string, string][] = [
        [w.i915, 'i915', 'struct_mutex'],
        [w.i915.mm, 'i915.mm', 'free_count'],
        [w.i915.mm.free_work, 'i915.mm.free_work', 'pending'],
        [w.i915.struct_mutex, 'struct_mutex', 'owner'],
        [obj, 'obj', 'active_until'],
        [obj.mm, 'obj.mm', 'madv'],
        [obj.base, 'obj.base', 'refcount'],
        [obj.rcu, 'obj.rcu', 'func'],
        [w.i915.mm.free_list, 'i915.mm.free_list', 'items'],
      ];
      const held: string[] = [];
      const tries = (what: string, f: () => unknown): void => {
        try {
          f();
          held.push(`${what}: done`);
        } catch (e) {
          held.push(`${what}: ${(e as Error).constructor.name}`);
        }
      };
      for (const [o, path, field] of targets) {
        tries(`${path}.${field} accessor`, () => define(o, field, { get: () => 0, configurable: true }));
        tries(`${path} prototype`, () => set_proto(o, { forged: true }));
        tries(`${path} new field`, () => define(o, 'calls', { value: 1 }));
      }
      tries('current prototype', () => set_proto(current, { forged: true }));
      tries('current new field', () => define(current, 'calls', { value: 1 }));
      return held;
    });
    expect(value!.filter((x) => !x.endsWith('TypeError'))).toEqual([]);
    expect(value!.length).toBe(9 * 3 + 2);
  });
});

describe('round 12, 04/05: lockdep keeps its books beside the task, not on it', () => {
  it('current.held_locks is a frozen copy without the lock classes: splicing it or writing it changes nothing lockdep knows', async () => {
    const { value } = await run_once({ ...WORLD_PARAMS, lockdep: true }, async () => {
      const lock = mutex_init('&a->lock');
      await mutex_lock(lock);
      const me = current as unknown as { held_locks: unknown[] };
      const seen: string[] = [];
      try {
        me.held_locks.splice(0, 1);
        seen.push('spliced');
      } catch (e) {
        seen.push(`splice: ${(e as Error).constructor.name}`);
      }
      seen.push(`class reachable: ${me.held_locks.some((h) => typeof h === 'object' && h !== null && 'cls' in h)}`);
      try {
        me.held_locks = [];
      } catch {
        // read-only since session 13 (kernel/sched/task_fields.ts)
      }
      seen.push(`lockdep still sees it: ${lockdep_print_held_locks(current).join(' ').includes('&a->lock')}`);
      mutex_unlock(lock);
      return seen;
    });
    expect(value).toEqual(['splice: TypeError', 'class reachable: false', 'lockdep still sees it: true']);
  });
});

describe('round 12, 14: a task\'s identity in the trace is fork\'s, not its writable fields', () => {
  it('current.pid cannot be written; with it redefined anyway, the trace still stamps the task\'s events with fork\'s pid', async () => {
    const { value } = await run_once({ ...WORLD_PARAMS, trace: true }, async () => {
      const me = current;
      const pid = me.pid;
      const seen: string[] = [];
      try {
        (me as { pid: number }).pid = pid + 4194304;
        seen.push('written');
      } catch (e) {
        seen.push(`write: ${(e as Error).constructor.name}`);
      }
      const O = Object as unknown as Record<string, (...a: unknown[]) => unknown>;
      // Redefined anyway: since session 13 the field cannot be (kernel/sched/task_fields.ts), and the trace reads fork's record regardless.
      const redefine = (v: number): void => {
        try {
          O[['define', 'Property'].join('')]!(me, 'pid', { value: v });
        } catch {
          // a kernel field
        }
      };
      redefine(pid + 4194304);
      await msleep(1);
      redefine(pid);
      const sleeps = trace_events().filter((e) => e.event === 'sched_sleep');
      seen.push(`sleeps stamped with fork's pid: ${sleeps.filter((e) => e.pid === pid).length}`);
      return seen;
    });
    expect(value).toEqual(['write: TypeError', 'sleeps stamped with fork\'s pid: 1']);
  });
});

describe('round 12, 02: the grading realm has no RegExp legacy statics', () => {
  it('RegExp.input, lastMatch and $1 are gone: no value survives from one call to the next there, nor what other code matched', () => {
    const r = new realm({ root: COURSE_ROOT, print: () => {} });
    const seen = vm.runInContext(
      `(() => { 'use strict'; /(hidden)-check/.exec('a hidden-check id'); const R = RegExp; const out = [typeof R.input, typeof R.lastMatch, typeof R.$1, typeof R['$_']];
        try { R.input = 'calls=1'; out.push('set'); } catch (e) { out.push(e.constructor.name); }
        return out; })()`,
      r.context,
    ) as string[];
    expect(seen).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'TypeError']);
  });
});

describe('round 12, 07: a replay prints nothing that drives the terminal', () => {
  it('a "schedule string" full of escapes is refused without them reaching the terminal (title, clear screen, concealed text)', () => {
    const evil = '\u001b]0;pwned-title\u0007\u001b[2J\u001b[H PASS 13/13 all checks passed \u001b[8m\u202e';
    const r = spawnSync(process.execPath, [join(COURSE_ROOT, 'bin/shrinker-lab.js'), 'replay', evil], { cwd: COURSE_ROOT, encoding: 'utf8', timeout: 850_000 });
    const shown = `${r.stdout}${r.stderr}`;
    expect(shown).toContain('PASS 13/13');
    expect(shown).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
  });
});

describe('round 12, 12: a submission that is a file, or is not there', () => {
  it('is refused at once with a usage error (status 2) that says what to give, not "an error in the grader itself"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt12-sub-'));
    try {
      const zip = join(dir, 'alice.zip');
      writeFileSync(zip, 'PK');
      const run = (sub: string) => spawnSync(process.execPath, ['--import', 'tsx', join(COURSE_ROOT, 'grader/main.ts'), '--submission', sub, '--exercises', '01', '--out', join(dir, 'out')], { cwd: COURSE_ROOT, encoding: 'utf8', timeout: 850_000 });
      const file = run(zip);
      expect(file.status).toBe(2);
      expect(file.stderr).toContain(`--submission ${zip} is a file, not a folder: unpack it`);
      const missing = run(join(dir, 'nobody'));
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('does not exist');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('round 12, 10: a quoted __proto__ key in an object literal', () => {
  it('is refused as the identifier is (it sets the new object\'s prototype); a quoted ordinary key stays fine', () => {
    const e = manifest.exercises[0]!;
    const policy_of = (body: string): string[] => {
      const root = make_temp('shrinker-pol12-');
      const dir = join(root, 'exercises', e.id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'f.ts'), body);
      return check_policy(root, join(dir, 'f.ts'), 'f.ts', { ...e, files: ['f.ts'] }).map((v) => v.message);
    };
    expect(policy_of("export function f(o: object): object { return { '__proto__': o, x: 1 }; }\n").join('\n')).toMatch(/uses '__proto__' as a key/);
    expect(policy_of("export function f(): object { return { 'pending': false }; }\n")).toEqual([]);
  });
});

describe('round 11 #13 (item 4): the Classroom workflow grades a student\'s repository (an exported template)', () => {
  it('a committed answer is graded against the recorded starter without being called a change to the grader\'s files', () => {
    const dest = join(make_temp('shrinker-export12-'), 'template');
    export_student(COURSE_ROOT, dest);
    const e = manifest.exercises[0]!;
    const file = join(dest, 'exercises', e.id, e.files[0]!);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// the student's answer\n`);
    const base = prepare_base(dest);
    try {
      expect(base.grader_modified.filter((x) => x.startsWith('exercises/'))).toEqual([]);
      // The base still holds the starter: an unchanged submission scores nothing.
      expect(readFileSync(join(base.dir, 'exercises', e.id, e.files[0]!), 'utf8')).not.toContain('the student\'s answer');
    } finally {
      release_base(base);
    }
  });
});

describe('round 12, 16: a task cannot make itself a daemon', () => {
  it('current.daemon cannot be written; redefined anyway, a task stuck for ever still ends the run in a deadlock report, not a quiet idle machine', async () => {
    const never = init_completion('never');
    const seen: string[] = [];
    const r = await start_kernel({}, () => {
      user_task(async () => {
        try {
          (current as { daemon: boolean }).daemon = true;
          seen.push('written');
        } catch (e) {
          seen.push(`write: ${(e as Error).constructor.name}`);
        }
        const O = Object as unknown as Record<string, (...a: unknown[]) => unknown>;
        try {
          O[['define', 'Property'].join('')]!(current, 'daemon', { value: true });
        } catch {
          // a kernel field since session 13 (kernel/sched/task_fields.ts); the scheduler reads fork's record regardless
        }
        await wait_for_completion(never);
      }, 'stuck');
    });
    expect(seen).toEqual(['write: TypeError']);
    expect(r.stop).toBe('deadlock');
  });
});
