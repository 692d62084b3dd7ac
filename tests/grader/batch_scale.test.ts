// Class mode with a large class (red team 5): every submission used to be
// started at once, each making its grading tree (~6 MB, 460 files) before
// waiting for a child process: 1000 submissions, 1000 trees, 6 GB on disk
// before the first check ran. Now a bounded number are in flight; the
// stand-in grader below counts them, so nothing here depends on time.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { read_manifest } from '../../course/files';
import { grade_batch, SUBMISSIONS_PER_JOB } from '../../grader/batch';
import { failed_report, type grade_submission, type grading_base } from '../../grader/grade';
import { make_temp } from '../../grader/tree';

describe('class mode with 1000 submissions', () => {
  it('keeps at most jobs x SUBMISSIONS_PER_JOB submissions (grading trees) in flight, and grades every one, in name order', async () => {
    const dir = make_temp('shrinker-class-1000-');
    const names = Array.from({ length: 1000 }, (_, i) => `student-${String(i).padStart(4, '0')}`);
    for (const n of names) mkdirSync(join(dir, n));
    const base = { manifest: read_manifest() } as unknown as grading_base;
    let active = 0;
    let most = 0;
    const stand_in: typeof grade_submission = async (b, opts) => {
      active++;
      most = Math.max(most, active);
      // Hand the event loop over a few times, as a real grading run does while its children work.
      for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
      active--;
      return failed_report(opts!.submission!.split('/').pop()!, 'stand-in', b.manifest);
    };
    const b = await grade_batch(base, dir, join(dir, '..', 'out-1000'), { jobs: 2 }, stand_in);
    expect(b.reports.map((r) => r.submission)).toEqual(names);
    expect(most).toBeLessThanOrEqual(2 * SUBMISSIONS_PER_JOB);
    expect(most).toBeGreaterThan(1);
  });
});
