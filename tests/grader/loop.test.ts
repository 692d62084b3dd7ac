// The learner's loop (`npx shrinker-lab run`, `npm start`, verify) runs the
// learner's code in the grading realm (course/realm.ts), as the grader does,
// not in the checker's own realm where it could rewrite the suite judging it
// (round 3 of the red team, #20: a patched suite passed everything and
// unlocked the reference solution).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run_isolated } from '../../course/isolate';
import { make_course_copy, remove_copy, TINY } from '../cli/course_copy';
import { snippet } from './fixtures';

let root = '';
beforeAll(() => {
  root = make_course_copy();
});
afterAll(() => remove_copy(root));

describe("the learner's loop runs the learner's code in the grading realm", () => {
  it('a file that patches its own check suite at import no longer passes (and, in the old realm, it did)', async () => {
    const dir = join(root, 'exercises', TINY);
    const file = join(dir, 'sum.ts');
    const attack = snippet('attacks/loop-patch-suite.txt').replaceAll('__SUITE__', `${TINY}.checks.ts`);
    writeFileSync(file, readFileSync(file, 'utf8') + attack);
    // The loop's own path: a worker child, as `shrinker-lab run` starts it. Its static step may
    // refuse the file already; without that step (the realm alone) the patch must still fail.
    const checked = await run_isolated({ root, exercise: TINY, dir, timeout_ms: 180_000 });
    expect(checked.status).not.toBe('passed');
    const run = await run_isolated({ root, exercise: TINY, dir, timeout_ms: 180_000, typecheck: false });
    expect([run.status, run.results.map((r) => `${r.id} ${r.status}`)]).toEqual(['failed', ['adds-two-numbers failed']]);
    expect(run.results[0]!.message).toBe('sum(2, 3) returned -1, not 5');
    // Control: the same file loaded in the checker's own realm (the old loop, check_exercise
    // without `realm`, in a node process of its own) rewrites the suite and passes.
    const script = `import { check_exercise } from ${JSON.stringify(pathToFileURL(join(root, 'course/check_exercise.ts')).href)};
import { read_manifest } from ${JSON.stringify(pathToFileURL(join(root, 'course/files.ts')).href)};
import { find_exercise } from ${JSON.stringify(pathToFileURL(join(root, 'course/manifest.ts')).href)};
const e = find_exercise(read_manifest(${JSON.stringify(root)}), ${JSON.stringify(TINY)});
const run = await check_exercise(e, { root: ${JSON.stringify(root)}, dir: ${JSON.stringify(dir)}, checker: null });
console.log('status=' + run.status);`;
    const old = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(old).toContain('status=passed');
  });

  it('the reference solution still passes there, and what the file prints reaches the learner', async () => {
    const dir = join(root, 'exercises', TINY);
    writeFileSync(join(dir, 'sum.ts'), 'declare const console: { log(text: string): void };\nexport function sum(a: number, b: number): number {\n  console.log(`sum(${a}, ${b})`);\n  return a + b;\n}\n');
    const run = await run_isolated({ root, exercise: TINY, dir, timeout_ms: 180_000 });
    expect(run.status).toBe('passed');
    expect(run.output).toContain('sum(2, 3)');
  });
});
