// Learner code and learner-named paths reach nothing outside what judges
// them, on the two routes red team 4 found open:
//   #20 `shrinker-lab replay` loaded the learner's file with plain import()
//       in the worker's own realm: replaying a classmate's schedule string
//       ran their file with the replayer's process, fs and environment;
//   #16 the type check read any path a learner's file named, and its
//       diagnostics (TS2307 "Cannot find module" vs a type error) told
//       whether a hidden suite or a solution exists.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COURSE_ROOT } from '../../course/files';
import { grade_submission, prepare_base, release_base, typecheck_argv, type grading_base } from '../../grader/grade';
import { make_temp } from '../../grader/tree';
import { cli, EX01, EX01_FILE, make_course_copy, remove_copy } from '../cli/course_copy';
import { EX01 as EX01_ENTRY, new_submission } from './fixtures';
import { hidden_dir } from './hidden';

/** A schedule string of a check of exercise 01 (tests/cli/watch.test.ts replays the same one). */
const SCHEDULE_01 = 'sl1:ex01-holder-allocates:m1:-:44cc';

const COUNT_HEAD = `import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrink_control } from '../../kernel/mm/vmscan';
`;

describe('shrinker-lab replay loads the learner\'s code as run and the grader do', () => {
  let root = '';
  let marker = '';
  beforeAll(() => {
    root = make_course_copy();
    marker = join(make_temp('shrinker-replay-marker-'), 'ran-in-the-host');
  });
  afterAll(() => remove_copy(root));

  it('in the grading realm: a file that compiles and reaches for the host process finds none, and writes nothing', async () => {
    rmSync(marker, { force: true });
    // Passes the precheck (no import outside kernel/, no state, types fine):
    // only the realm stands between it and the replayer's file system.
    writeFileSync(join(root, 'exercises', EX01, EX01_FILE), `${COUNT_HEAD}
type host = { getBuiltinModule?: (m: string) => { writeFileSync(p: string, t: string): void } };
export async function i915_gem_shrinker_count(_i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const p = (globalThis as unknown as Record<string, host | undefined>)['process'];
  console.log(\`host process: \${p === undefined ? 'none' : 'FOUND'}\`);
  p?.getBuiltinModule?.('node:fs').writeFileSync(${JSON.stringify(marker)}, 'replay ran learner code in the host realm');
  return 0;
}
`);
    const r = await cli(root, ['replay', SCHEDULE_01]);
    expect(existsSync(marker), 'the learner\'s code wrote a file on the replayer\'s machine').toBe(false);
    expect(r.stdout).toContain('host process: none');
    expect(r.stdout).not.toContain('host process: FOUND');
    // And the replay itself still works with that code: the trace of the run.
    expect(r.stdout).toContain(`scenario "ex01-holder-allocates" from the checks of exercise ${EX01}`);
    expect(r.stdout).toContain('sched_process_fork: child_pid=1');
  });

  it('after the precheck: a file that imports node:fs is refused with the reason, and nothing of it runs', async () => {
    rmSync(marker, { force: true });
    writeFileSync(join(root, 'exercises', EX01, EX01_FILE), `${COUNT_HEAD}import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'replay ran learner code at import');
export async function i915_gem_shrinker_count(_i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  return 0;
}
`);
    const r = await cli(root, ['replay', SCHEDULE_01]);
    expect(existsSync(marker), 'the learner\'s file ran at import on the replayer\'s machine').toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Not replayed: your code for exercise ${EX01}`);
    expect(r.stdout).not.toContain('Replaying');
  });
});

describe('the grader\'s type check sees only the submission and the model', () => {
  let base: grading_base;
  let hidden = '';
  beforeAll(() => {
    hidden = hidden_dir();
    base = prepare_base(undefined, hidden);
  });
  afterAll(() => release_base(base));

  it('a type import of a hidden suite that exists, of one that does not, and of a solution get the same diagnostic (policy off: the type check alone must hold)', async () => {
    const present = join(hidden, `${EX01_ENTRY.id}.checks`);
    const absent = join(hidden, '02-scan-must-say-stop.checks');
    const solution = join(COURSE_ROOT, 'solutions', EX01_ENTRY.id, 'i915_gem_shrinker_count');
    const sub = new_submission('type-probe');
    mkdirSync(join(sub, EX01_ENTRY.id), { recursive: true });
    writeFileSync(join(sub, EX01_ENTRY.id, EX01_ENTRY.files[0]!), `${COUNT_HEAD}import type * as PRESENT from ${JSON.stringify(present)};
import type * as ABSENT from ${JSON.stringify(absent)};
import type * as SOLUTION from ${JSON.stringify(solution)};
export async function i915_gem_shrinker_count(_i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const a: number = null as unknown as typeof PRESENT;
  const b: number = null as unknown as typeof ABSENT;
  const c: number = null as unknown as typeof SOLUTION;
  return a + b + c;
}
`);
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], policy: false, starter_baseline: false });
    const e = r.exercises[0]!;
    expect(e.status).toBe('compile_error');
    const lines = e.message.split('\n').filter((l) => /error TS\d+/.test(l));
    const about = (path: string) => lines.filter((l) => l.includes(path)).map((l) => l.replace(path, '<path>').replace(/:\d+:\d+ -/, ':L:C -'));
    // One "cannot find" per import, worded the same whether the file is there or not.
    expect(about(present)).toEqual(about(absent));
    expect(about(solution)).toEqual(about(absent));
    expect(about(absent)).toHaveLength(1);
    expect(about(absent)[0]).toContain('error TS2307');
    // No type error that only a file that exists could cause (typeof PRESENT is not a number).
    expect(lines.filter((l) => !/TS2307/.test(l))).toEqual([]);
  });

  it('the type-check child runs under Node\'s permission model, reading only what the confinement lets the compiler see (and the grader code it runs)', () => {
    const file = join(base.dir, 'exercises', EX01_ENTRY.id, EX01_ENTRY.files[0]!);
    const argv = typecheck_argv(base.dir, [file]);
    expect(argv).toContain('--experimental-permission');
    expect(argv.some((a) => a.startsWith('--allow-fs-write') || a === '--allow-child-process' || a === '--allow-worker')).toBe(false);
    // The same process, with the grader's script swapped for a probe: what can it read?
    const flags = argv.slice(0, argv.indexOf(join(base.dir, 'grader/typecheck_child.js')));
    const probe = `const fs = require('node:fs');
for (const p of JSON.parse(process.argv[1])) { let r; try { fs.readFileSync(p); r = 'read'; } catch (e) { r = e.code; } console.log(r); }`;
    const targets = [
      file,
      join(base.dir, 'kernel/mm/vmscan.js'),
      join(base.hidden_dir!, `${EX01_ENTRY.id}.checks.js`),
      join(COURSE_ROOT, 'solutions', EX01_ENTRY.id, EX01_ENTRY.files[0]!),
      join(base.dir, 'exercises', '02-scan-must-say-stop', 'i915_gem_shrinker_scan.ts'),
      join(base.dir, 'kernel/../node_modules/fast-check/package.json'),
    ];
    const out = execFileSync(process.execPath, [...flags.filter((f) => f !== '--disallow-code-generation-from-strings'), '-e', probe, JSON.stringify(targets)], { encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(['read', 'read', 'ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']);
  });
});
