// Session 13 of the grader (issue #10): the classes left open by grader red team 12 and the items of
// /work/coord/s13/grader.md, and grader red team 13's attacks (/work/coord/s13/grader-redteam13.md).
// One test per class closed, each failing without its fix.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { COURSE_ROOT, solution_dir } from '../../course/files';
import { export_student } from '../../grader/export_student';
import { grader_failure } from '../../grader/failure';
import { grade_submission, prepare_base, release_base, type grade_report } from '../../grader/grade';
import { summary_table } from '../../grader/output';
import { summary_text } from '../../grader/formats';
import { make_temp } from '../../grader/tree';
import { check_hidden, run_grade } from '../../grader/main';
import { exercise_points } from '../../course/manifest';
import { HIDDEN_MARKER, hidden_dir } from './hidden';
import { EX01, add_files, new_submission } from './fixtures';
import { run_once } from '../../course/check_helpers';
import { user_task } from '../../kernel/fork';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { current, msleep } from '../../kernel/sched/core';
import { PF_MEMALLOC, TASK_RUNNING, type task_struct } from '../../kernel/sched/task';
import { system_wq, WQ_MEM_RECLAIM } from '../../kernel/workqueue';
import { gem_world, WORLD_PARAMS } from '../../scenarios/i915_world';
import { i915_gem_object_bind, i915_gem_object_create, i915_gem_object_pin_to_display_plane } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';

/** A clone of the course's HEAD where the instructor committed @text over 01's first editable file. */
function clone_with_committed_01(text: string): string {
  const clone = join(make_temp('shrinker-solved13-'), 'course');
  execFileSync('git', ['clone', '-q', '--shared', COURSE_ROOT, clone], { stdio: 'ignore' });
  symlinkSync(join(COURSE_ROOT, 'node_modules'), join(clone, 'node_modules'));
  writeFileSync(join(clone, 'exercises', EX01.id, EX01.files[0]!), text);
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=i', '-c', 'user.email=i@x', ...a], { cwd: clone, stdio: 'ignore' });
  git('commit', '-qam', 'try 01 myself');
  return clone;
}

describe('round 12 #09: a solution committed over a starter is refused, not shipped nor graded 0/0', () => {
  const reference = readFileSync(join(solution_dir(EX01), EX01.files[0]!), 'utf8');

  it('export-student and the grader\'s setup refuse a starter at HEAD that is the reference (CRLF and all), naming the file and what to do', () => {
    const clone = clone_with_committed_01(reference.replace(/\n/g, '\r\n'));
    const dest = join(make_temp('shrinker-export13-'), 'template');
    expect(() => export_student(clone, dest)).toThrow(new RegExp(`exercises/${EX01.id}/${EX01.files[0]} at git HEAD is solutions/${EX01.id}/${EX01.files[0]}.*git checkout`));
    expect(existsSync(dest)).toBe(false);
    let failure: unknown = null;
    try {
      release_base(prepare_base(clone));
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(grader_failure);
    expect((failure as grader_failure).kind).toBe('starter');
    expect((failure as Error).message).toContain(`exercises/${EX01.id}/`);
  });

  it('grading stops when the committed starter passes every check (an answer of the instructor\'s own), instead of making the exercise 0/0', async () => {
    const clone = clone_with_committed_01(`${reference}\n// my own try, not the reference's text\n`);
    const base = prepare_base(clone);
    try {
      const sub = new_submission('alice');
      add_files(sub, EX01, solution_dir(EX01));
      const graded = grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false });
      await expect(graded).rejects.toBeInstanceOf(grader_failure);
      await expect(graded).rejects.toThrow(new RegExp(`the starter of ${EX01.id} passes every one of its ${EX01.tests.length} checks.*git checkout`));
    } finally {
      release_base(base);
    }
  });
});

describe('round 12 (open list): the task fields the model decides with are the kernel\'s to write', () => {
  it('code handed a task cannot write its exit_state, sigkill_pending, rss_pages, preempt_count, rcu_read_lock_nesting, cpu, pid or daemon, nor another task\'s state, by any spelling; its own flags and state it can', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const seen: string[] = [];
      const tries = (what: string, f: () => unknown): void => {
        try {
          f();
          seen.push(`${what}: done`);
        } catch (e) {
          seen.push(`${what}: ${(e as Error).constructor.name}`);
        }
      };
      const me = current as unknown as Record<string, unknown>;
      const O = Object as unknown as Record<string, (...a: unknown[]) => unknown>;
      const define = O[['define', 'Property'].join('')]!;
      for (const field of ['exit_state', 'sigkill_pending', 'rss_pages', 'preempt_count', 'rcu_read_lock_nesting', 'cpu', 'pid', 'daemon', 'held_locks', 'usage']) {
        const was = me[field];
        tries(`${field} =`, () => {
          me[field] = field === 'exit_state' ? 'exited' : typeof was === 'number' ? 7 : typeof was === 'boolean' ? !was : null;
        });
        tries(`${field} accessor`, () => define(current, field, { get: () => 0 }));
        tries(`${field} delete`, () => delete me[field]);
      }
      // A waiter on struct_mutex, reached through its wait_list: its state is not this task's to set.
      await mutex_lock(w.i915.struct_mutex);
      const waiter = user_task(async () => {
        await mutex_lock(w.i915.struct_mutex);
        mutex_unlock(w.i915.struct_mutex);
      }, 'waiter');
      await msleep(1);
      const queued = w.i915.struct_mutex.wait_list;
      seen.push(`waiters: ${queued.map((t) => t.comm).join(',')}`);
      tries('waiter state =', () => {
        (queued[0] as { state: number }).state = TASK_RUNNING;
      });
      tries('wait_list splice', () => (queued as task_struct[]).splice(0, 1));
      tries('wait_list index accessor', () => define(w.i915.struct_mutex.wait_list, 0, { get: () => current }));
      tries('wait_list =', () => {
        (w.i915.struct_mutex as unknown as { wait_list: unknown[] }).wait_list = [];
      });
      seen.push(`still queued: ${w.i915.struct_mutex.wait_list.map((t) => t.comm).join(',')}`);
      mutex_unlock(w.i915.struct_mutex);
      await msleep(1);
      seen.push(`waiter ${waiter.exit_state}`);
      // What a task writes on itself in Linux: its flags and its state.
      tries('own flags', () => {
        current.flags |= PF_MEMALLOC;
        current.flags &= ~PF_MEMALLOC;
      });
      tries('own state', () => {
        current.state = TASK_RUNNING;
      });
      return seen;
    });
    const fields = ['exit_state', 'sigkill_pending', 'rss_pages', 'preempt_count', 'rcu_read_lock_nesting', 'cpu', 'pid', 'daemon', 'held_locks', 'usage'];
    expect(value).toEqual([
      ...fields.flatMap((f) => [`${f} =: TypeError`, `${f} accessor: TypeError`, `${f} delete: TypeError`]),
      'waiters: waiter',
      'waiter state =: TypeError',
      'wait_list splice: TypeError',
      'wait_list index accessor: TypeError',
      'wait_list =: TypeError',
      'still queued: waiter',
      'waiter exited',
      'own flags: done',
      'own state: done',
    ]);
  });

  it('system_wq is a frozen handle: its flags (WQ_MEM_RECLAIM decides check_flush_dependency), pools and workers are not in reach', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const wq = system_wq as unknown as Record<string, unknown>;
      const seen = [Object.keys(wq).sort().join(',')];
      try {
        wq.flags = WQ_MEM_RECLAIM;
        seen.push('flags written');
      } catch (e) {
        seen.push((e as Error).constructor.name);
      }
      return seen;
    });
    expect(value).toEqual(['lockdep_map,name', 'TypeError']);
  });
});

describe('item 3 (session 12 item 1): an exported plain value is a box its file cannot write at run time', () => {
  it('13\'s shrinker_policy read as shipped, written by the file\'s own code (a counter across calls) throws; the checks\' write window still sets it', () => {
    const root = make_temp('shrinker-box13-');
    mkdirSync(join(root, 'course'), { recursive: true });
    copyFileSync(join(COURSE_ROOT, 'course/learner_exports.ts'), join(root, 'course/learner_exports.ts'));
    mkdirSync(join(root, 'exercises/x'), { recursive: true });
    writeFileSync(
      join(root, 'exercises/x/f.ts'),
      `export const shrinker_policy = { lock: 'trylock_recursive', nested_scan_returns: 'freed', calls: 0, seen: [] as number[] };
export function count(): number {
  try { shrinker_policy.calls++; } catch { return -1; }
  return shrinker_policy.calls;
}
export function remember(): string {
  try { (shrinker_policy.seen as number[]).push(1); return 'pushed'; } catch (e) { return (e as Error).constructor.name; }
}
export function add_field(): string {
  try { (shrinker_policy as Record<string, unknown>).extra = 1; return 'added'; } catch (e) { return (e as Error).constructor.name; }
}
`,
    );
    // The realm needs node --experimental-vm-modules, which the test runner's workers do not have: a child, as the grader's worker is.
    const script = join(root, 'load.mts');
    writeFileSync(
      script,
      `import { realm } from ${JSON.stringify(join(COURSE_ROOT, 'course/realm.ts'))};
import { ts_loader } from ${JSON.stringify(join(COURSE_ROOT, 'course/transpile.ts'))};
const r = new realm({ root: ${JSON.stringify(root)}, print: () => {}, load: ts_loader });
const ns = await r.import_learner('exercises/x/f.js', { module: () => 'nothing to import', name: () => 'nothing to import' });
const windowed = await r.import_trusted('course/learner_exports.js');
const policy = ns.shrinker_policy;
const out = [ns.count(), ns.count(), ns.remember(), ns.add_field(), policy.lock];
windowed.with_learner_export_writes(() => Object.assign(policy, { lock: 'trylock' }));
out.push(policy.lock);
process.stdout.write(JSON.stringify(out));
`,
    );
    const r = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', '--import', 'tsx', script], { cwd: COURSE_ROOT, encoding: 'utf8', timeout: 850_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([-1, -1, 'TypeError', 'TypeError', 'trylock_recursive', 'trylock']);
  });
});

describe('round 13 #06: a GEM object\'s pin, bind, activity, framebuffer and reference counts are the kernel\'s', () => {
  it('`obj.vma_pin_count += 1` around a kmalloc throws (06\'s starter scored 11/13 with it), as do bind_count, active_count, framebuffer_references and base.refcount, by any spelling; the kernel\'s own pin keeps the shrinker off', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const obj = (await i915_gem_object_create(w.i915, 4096))!;
      const seen: string[] = [];
      const O = Object as unknown as Record<string, (...a: unknown[]) => unknown>;
      const define = O[['define', 'Property'].join('')]!;
      for (const [o, field] of [[obj, 'vma_pin_count'], [obj, 'bind_count'], [obj, 'active_count'], [obj, 'framebuffer_references'], [obj.base, 'refcount']] as const) {
        const r = o as unknown as Record<string, number>;
        try {
          r[field]! += 1;
          seen.push(`${field}: written`);
        } catch (e) {
          seen.push(`${field}: ${(e as Error).constructor.name}`);
        }
        try {
          define(o, field, { get: () => 1 });
          seen.push(`${field} accessor: done`);
        } catch (e) {
          seen.push(`${field} accessor: ${(e as Error).constructor.name}`);
        }
      }
      await mutex_lock(w.i915.struct_mutex);
      await i915_gem_object_bind(obj);
      i915_gem_object_pin_to_display_plane(obj);
      seen.push(`pinned for scanout: ${obj.vma_pin_count}, releasable: ${can_release_pages(obj)}`);
      mutex_unlock(w.i915.struct_mutex);
      return seen;
    });
    expect(value).toEqual([
      ...['vma_pin_count', 'bind_count', 'active_count', 'framebuffer_references', 'refcount'].flatMap((f) => [`${f}: TypeError`, `${f} accessor: TypeError`]),
      'pinned for scanout: 1, releasable: false',
    ]);
  });
});

describe('round 13 #05 (item 4): check-hidden proves each suite on the reference too', () => {
  it('a hidden check the reference fails stops check-hidden (and so setup.sh), naming it; the starter\'s proof still runs', async () => {
    const errors: string[] = [];
    const logs: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    try {
      // tests/grader/hidden.ts: 01's suite with 'impossible', a check nobody passes (1 point).
      expect(await check_hidden(COURSE_ROOT, hidden_dir())).toBe(1);
      expect(errors.join('\n')).toMatch(new RegExp(`${EX01.id}\\.checks\\.ts does not work: hidden check impossible fails on the reference \\(solutions/${EX01.id}\\) \\(every student would lose its 1 points\\)`));
      expect(errors.join('\n')).not.toContain('empty-device-counts-zero fails');
      expect(errors.join('\n')).not.toContain(HIDDEN_MARKER);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('round 12 #01 (item 5): a message whose first line ends with a colon is shown with what follows', () => {
  it('the terminal table and summary.txt show the import policy\'s file:line and rule, not an empty "…policy (…):"', () => {
    const message = `not graded: the file breaks the grader's import policy (a fix needs only the kernel model's API):\n  exercises/${EX01.id}/${EX01.files[0]}:11: a top-level initialiser that calls or computes`;
    const report: grade_report = {
      submission: 'alice',
      score: 0,
      max_score: 8,
      exercises: [{ id: EX01.id, title: EX01.title, status: 'policy', message, score: 0, max_score: 8, checks: [{ id: EX01.tests[0]!.check, name: EX01.tests[0]!.check, task: 1, score: 0, max_score: 8, status: 'failed', message, hidden: false }], output: '', ms: 0 }],
      modified: [],
      grader_modified: [],
      hidden_visibility: 'after_due_date',
      execution_time: 0,
    };
    for (const text of [summary_table(report), summary_text(report)]) expect(text).toContain(`${EX01.files[0]}:11: a top-level initialiser that calls or computes`);
    expect(summary_text(report).split('\n')).toContain(`${EX01.id}: 0/8 (policy) — ${message.split('\n')[0]}`);
  });
});

describe('round 13 #14: no state on the atomics and slab records the kernel hands out', () => {
  it('a field added to the shrinker\'s nr_deferred[0] (an atomic_long_t) or to a GEM object\'s kmem record throws, and KASAN\'s own fields there are the kernel\'s', async () => {
    const { value } = await run_once(WORLD_PARAMS, async () => {
      const w = gem_world({ release: '4.12' });
      const obj = (await i915_gem_object_create(w.i915, 4096))!;
      const seen: string[] = [];
      const tries = (what: string, f: () => unknown): void => {
        try {
          f();
          seen.push(`${what}: done`);
        } catch (e) {
          seen.push(`${what}: ${(e as Error).constructor.name}`);
        }
      };
      const deferred = (w.i915.mm.shrinker as unknown as { nr_deferred?: object[] }).nr_deferred?.[0];
      tries('nr_deferred[0].rt13', () => {
        (deferred as Record<string, number>).rt13 = 1;
      });
      tries('obj.mem.rt13', () => {
        (obj.mem as unknown as Record<string, number>).rt13 = 1;
      });
      tries('obj.mem.freed', () => {
        (obj.mem as unknown as { freed: boolean }).freed = true;
      });
      tries('obj.pages_pin_count.rt13', () => {
        (obj.mm.pages_pin_count as unknown as Record<string, number>).rt13 = 1;
      });
      return seen;
    });
    expect(value).toEqual(['nr_deferred[0].rt13: TypeError', 'obj.mem.rt13: TypeError', 'obj.mem.freed: TypeError', 'obj.pages_pin_count.rt13: TypeError']);
  });
});

describe('round 13 #11: an import with one ../ too many is named by the policy, not a permission error', () => {
  it('the reader child says which import leads outside the course and where the model is from the exercise', async () => {
    const base = prepare_base(COURSE_ROOT);
    try {
      const sub = new_submission('deep-import');
      add_files(sub, EX01, solution_dir(EX01));
      const f = join(sub, EX01.id, EX01.files[0]!);
      writeFileSync(f, readFileSync(f, 'utf8').replaceAll("'../../kernel/", "'../../../../kernel/"));
      const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false, starter_baseline: false });
      const e = r.exercises[0]!;
      expect(e.status).toBe('policy');
      expect(e.message).not.toContain('Access to this API');
      expect(e.message).toMatch(/imports '\.\.\/\.\.\/\.\.\/\.\.\/kernel\/[^']+': a graded file may import only the kernel model \(relative paths into kernel\/\) \(imports are relative to exercises\/<id>\/: the model is '\.\.\/\.\.\/kernel\/…' from there\)/);
    } finally {
      release_base(base);
    }
  });
});

describe('round 12 #12 (item 5): a run that fails before its guard run is out of what a graded one is', () => {
  it('the failed report gives the starter\'s guards 0 points, so max_score does not differ between students', async () => {
    const out = make_temp('shrinker-failed13-');
    const gone = join(make_temp('shrinker-gone13-'), 'not-there');
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const r = await run_grade({ root: COURSE_ROOT, submission: gone, exercises: ['01'], typecheck: false }, out, true);
      expect(r.error).toBeDefined();
      const e = r.exercises[0]!;
      const guards = e.checks.filter((c) => c.guard);
      expect(guards.length).toBeGreaterThan(0);
      expect(guards.every((c) => c.max_score === 0)).toBe(true);
      expect(e.max_score).toBe(e.checks.reduce((n, c) => n + c.max_score, 0));
      expect(e.max_score).toBeLessThan(exercise_points(EX01));
    } finally {
      vi.restoreAllMocks();
    }
  });
});
