// An explaining replay keeps at most EXPLAIN_MAX_EVENTS trace events per boot.
// When a workload's setup alone fills them (exercise 01's desktop-scale
// machine allocates ~72000 pages before count is called), the explanation
// must say the trace filled up, not that the learner's code never ran.
import { describe, expect, it } from 'vitest';
import { explain_failure } from '../../course/explain';
import { run_once } from '../../course/check_helpers';
import { EXPLAIN_MAX_EVENTS, model_trace_explain_dropped, trace } from '../../kernel/trace/trace';

/** A workload that records @n trace events and runs no judged code. */
const setup_only = (n: number) => () =>
  run_once({}, async () => {
    for (let i = 0; i < n; i++) trace('model_setup_step', { i });
  });

describe('explain_failure: a trace filled by the setup', () => {
  it('says the trace filled up before the code ran, and how many events it left out', async () => {
    const lines = await explain_failure(setup_only(EXPLAIN_MAX_EVENTS + 7));
    // The 7 setup events past the cap, and the task's exit after them.
    const dropped = model_trace_explain_dropped();
    expect(dropped).toBeGreaterThanOrEqual(7);
    expect(lines[1]).toBe(
      `Your code had not run yet when the replay's trace filled up (the workload's setup made its ${EXPLAIN_MAX_EVENTS} events; ${dropped} more were not recorded). The trace's last recorded lines:`,
    );
    // The last lines are the setup's, where the trace stopped: the task's exit after them was not recorded.
    expect(lines.at(-1)).toMatch(/model_setup_step: i=\d+$/);
    expect(lines.some((l) => l.includes('sched_process_exit'))).toBe(false);
  });

  it('still says the code never ran when the whole run fitted the trace', async () => {
    const lines = await explain_failure(setup_only(10));
    expect(model_trace_explain_dropped()).toBe(0);
    expect(lines[1]).toBe("Your code never ran on that workload. The trace's last lines (replayed with trace on):");
    expect(lines.some((l) => l.includes('model_setup_step: i=9'))).toBe(true);
    expect(lines.at(-1)).toContain('sched_process_exit');
  });
});
