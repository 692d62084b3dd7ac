// The grader's children run with frozen intrinsics and the permission model;
// a failure they report still carries the model's Call Trace down to the
// student's line (course/realm.ts install_stack_source, --stack-trace-limit),
// and nothing of the grading machine's paths.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starter_dir } from '../../course/files';
import { find_exercise } from '../../course/manifest';
import { grade_submission, prepare_base, release_base, type grading_base } from '../../grader/grade';
import { add_starter_with, manifest, new_submission } from './fixtures';

let base: grading_base;
beforeAll(() => {
  base = prepare_base();
});
afterAll(() => release_base(base));

describe("the grader's failure messages", () => {
  it("carry the Call Trace to the student's line, in the sandbox, and no path of the grading machine", async () => {
    const e = find_exercise(manifest, '03');
    const file = e.files[0]!;
    const lock_line = readFileSync(join(starter_dir(e), file), 'utf8').split('\n').findIndex((l) => /await mutex_lock\(/.test(l)) + 1;
    expect(lock_line).toBeGreaterThan(0);
    const sub = new_submission('starter-03-touched');
    add_starter_with(sub, e, '\n// touched: graded, not "unchanged from the starter"\n');
    const r = await grade_submission(base, { submission: sub, exercises: ['03'], typecheck: false });
    const ex = r.exercises.find((x) => x.id === e.id)!;
    expect(ex.status).toBe('failed');
    const traced = ex.checks.filter((c) => c.message.includes('Call Trace:'));
    expect(traced.length).toBeGreaterThan(0);
    expect(traced[0]!.message).toContain(`(exercises/${e.id}/${file}:${lock_line})   <- your code`);
    for (const c of ex.checks) expect(c.message).not.toMatch(/\/tmp\/|\/work\/|file:\/\//);
  });
});
