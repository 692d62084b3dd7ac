// What a student may see of a report with hidden checks (red team 5 #11):
// the exercise's status counted the hidden checks, so Gradescope's output
// (summary_text, shown at once) and the student's view in GitHub Actions
// said "failed" next to every visible check passed: whether a hidden check
// fails, exercise by exercise, before the due date.
import { describe, expect, it } from 'vitest';
import { summary_text, to_gradescope, visible_status } from '../../grader/formats';
import type { grade_report, graded_check } from '../../grader/grade';
import { summary_table, without_hidden } from '../../grader/output';

const check = (id: string, status: 'passed' | 'failed', hidden: boolean): graded_check => ({
  id: hidden ? `hidden/${id}` : id, name: id, task: hidden ? null : 1, score: status === 'passed' ? 2 : 0, max_score: 2, status, message: status, hidden,
});

/** Every visible check passed, a hidden one failed: the status the grader computes counts it. */
const report: grade_report = {
  submission: 's', score: 4, max_score: 6, modified: [], grader_modified: [], hidden_visibility: 'after_due_date', execution_time: 1,
  exercises: [{ id: '01-x', title: 'x', status: 'failed', message: '', score: 4, max_score: 6, output: '', ms: 1,
    checks: [check('a', 'passed', false), check('b', 'passed', false), check('h', 'failed', true)] }],
};

describe('the student\'s view of an exercise with hidden checks', () => {
  it('says passed when every visible check passed, whatever the hidden ones did', () => {
    expect(visible_status(report.exercises[0]!)).toBe('passed');
    expect(summary_text(report)).toContain('01-x: 4/4 (passed)');
    expect(to_gradescope(report).output).not.toContain('(failed)');
    expect(without_hidden(report).exercises[0]!.status).toBe('passed');
    expect(summary_table(report)).not.toMatch(/01-x\s+failed/);
    // The instructor's view keeps the real status.
    expect(summary_table(report, { hidden: true })).toMatch(/01-x\s+failed/);
  });

  it('still says failed when a visible check fails, and keeps a crash a crash', () => {
    const bad = { ...report.exercises[0]!, checks: [check('a', 'failed', false), check('h', 'passed', true)] };
    expect(visible_status(bad)).toBe('failed');
    expect(visible_status({ ...bad, status: 'timeout' })).toBe('timeout');
  });
});
