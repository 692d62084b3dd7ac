// The learner's loop type-checks in a process of its own (course/worker.ts
// --typecheck-only), then runs the checks in another that never loads the
// compiler: the compiler's program over the model and the checks used to
// share one process, whose first check peaked at 264-298 MB. The verdicts
// and messages are those of one process doing both.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check_isolated } from '../../cli/checking';
import { read_manifest } from '../../course/files';
import { run_isolated } from '../../course/isolate';
import { find_exercise } from '../../course/manifest';
import { make_course_copy, remove_copy, TINY } from '../cli/course_copy';

let root = '';
beforeAll(() => {
  root = make_course_copy();
});
afterAll(() => remove_copy(root));

/** What a verdict says, without its timing. */
const said = (r: { status: string; message: string; results: unknown[]; diagnostics: unknown[] }) => ({ status: r.status, message: r.message, results: r.results, diagnostics: r.diagnostics });

describe('the type check and the checks in separate processes', () => {
  it('gives the verdict of one process doing both, and the checks never load the compiler', async () => {
    const e = find_exercise(read_manifest(root), TINY);
    const dir = join(root, 'exercises', TINY);
    // A node flag that makes loading the compiler fail loudly in the checks' process.
    const blocker = join(root, 'no-compiler.mjs');
    writeFileSync(
      blocker,
      "import Module from 'node:module';\nconst load = Module._load;\nModule._load = function (request, ...rest) {\n  if (request === 'typescript') throw new Error('the compiler was loaded where the checks run');\n  return load.call(this, request, ...rest);\n};\n",
    );
    // Control: the blocker bites where the compiler is loaded (the type check in the checks' own process).
    const control = await run_isolated({ root, exercise: TINY, dir, timeout_ms: 180_000, node_flags: ['--import', blocker] });
    expect([control.status, control.message]).toEqual(['crashed', expect.stringContaining('the compiler was loaded where the checks run')]);
    const one = await run_isolated({ root, exercise: TINY, dir, timeout_ms: 180_000 });
    const apart = await check_isolated(root, e, 180);
    expect(said(apart)).toEqual(said(one));
    expect(apart.status).toBe('failed');
    expect(apart.results.map((r) => r.message)).toEqual(['sum(2, 3) returned -1, not 5']);
    // The type check filled the transpile cache: the checks run with the compiler out of reach.
    const blocked = await run_isolated({ root, exercise: TINY, dir, timeout_ms: 180_000, typecheck: false, node_flags: ['--import', blocker] });
    expect(said(blocked)).toEqual(said(one));
    // A file that does not compile: the type check's own answer, word for word.
    writeFileSync(join(dir, 'sum.ts'), 'export function sum(a: number, b: number): number {\n  return a + "b";\n}\n');
    const bad_one = await run_isolated({ root, exercise: TINY, dir, timeout_ms: 180_000 });
    const bad_apart = await check_isolated(root, e, 180);
    expect(bad_apart.status).toBe('compile_error');
    expect(said(bad_apart)).toEqual(said(bad_one));
    // Fixed: the first check of the new content goes through the type-check process again, then passes.
    writeFileSync(join(dir, 'sum.ts'), 'export function sum(a: number, b: number): number {\n  return a + b;\n}\n');
    const fixed = await run_isolated({ root, exercise: TINY, dir, timeout_ms: 180_000, typecheck_only: true });
    expect(fixed.status).toBe('passed');
    expect(fixed.results).toEqual([]);
    const passed = await run_isolated({ root, exercise: TINY, dir, timeout_ms: 180_000, typecheck: false, node_flags: ['--import', blocker] });
    expect(passed.status).toBe('passed');
  });
});
