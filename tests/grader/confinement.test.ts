// Learner code and learner-named paths reach nothing outside what judges
// them, on the two routes red team 4 found open:
//   #20 `shrinker-lab replay` loaded the learner's file with plain import()
//       in the worker's own realm: replaying a classmate's schedule string
//       ran their file with the replayer's process, fs and environment;
//   #16 the type check read any path a learner's file named, and its
//       diagnostics (TS2307 "Cannot find module" vs a type error) told
//       whether a hidden suite or a solution exists.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { make_temp } from '../../grader/tree';
import { cli, EX01, EX01_FILE, make_course_copy, remove_copy } from '../cli/course_copy';

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
  }, 180_000);

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
  }, 180_000);
});
