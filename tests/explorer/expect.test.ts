import { describe, expect, it } from 'vitest';
// Through the index, as exercise tests will import it.
import { check_no_failures, expectFailure, expectNoFailures } from '../../explorer/index';
import { abba_toy, lost_update, window_of_two, yielders } from './fixtures';

async function message_of(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a thrown Error');
}

describe('test helpers', () => {
  it('expectNoFailures passes on a fixed scenario and says what it covered', async () => {
    const v = await expectNoFailures(abba_toy(false), { preemption_bound: 2 });
    expect(v.ok).toBe(true);
    expect(v.message).toMatch(/^scenario "abba-toy-fixed": no failure within bound 2 in \d+ schedules with at most 2 preemptions, \d+ steps; space exhausted$/);
  });

  it('expectNoFailures fails a broken scenario with the minimised schedule, the report, the trace tail and the schedule string', async () => {
    const msg = await message_of(expectNoFailures(abba_toy(true), { preemption_bound: 2 }));
    expect(msg).toContain('scenario "abba-toy": deadlock: task_ab:1 -> task_ba:2\n');
    expect(msg).toContain('found with 1 preemption (no schedule with fewer shows it)');
    expect(msg).toContain('decision #2, step 2: task_ba:2 ran instead of task_ab:1 (task_ab:1 could have run on: a preemption)');
    expect(msg).toMatch(/Replay it: sl1:abba-toy:m\d+:2=2:[0-9a-f]{4}/);
    expect(msg).toMatch(/The kernel said:\n {2}\[ +\d+\.\d{6}\] shrinker-lab: deadlock: every task is asleep/);
    expect(msg).toContain('wait-for cycle: task_ab:1 -> wait queue lock_b -> task_ba:2 -> wait queue lock_a -> task_ab:1');
    expect(msg).toMatch(/End of the trace \(replayed with trace on\):\n[\s\S]*sched_switch: prev_comm=task_ab prev_pid=1 ==> next_comm=task_ba next_pid=2/);
  });

  it('does not pass a scenario whose space it could not cover', async () => {
    const v = await check_no_failures(yielders(3, 8), { max_schedules: 20 });
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/no failure found, but the search did not cover the space: .*space NOT exhausted: stopped by max_schedules/);
    const partial = await check_no_failures(yielders(3, 8), { max_schedules: 20, require_exhaustive: false });
    expect(partial.ok).toBe(true);
  });

  it('expectFailure proves a starter broken, and fails with a clear message on a correct one', async () => {
    const v = await expectFailure(lost_update(2), 'assert');
    expect(v.failure!.title).toBe('counter is 1 after 2 increments: an update was lost');
    expect(v.replay!.failures.map((f) => f.kind)).toEqual(['assert']);
    const msg = await message_of(expectFailure(lost_update(2, true), 'assert'));
    expect(msg).toMatch(/^scenario "lost-update-fixed-2": expected a failed scenario check \(assert\), but none showed in \d+ schedules with at most 2 preemptions, .*space exhausted\. It found no failure at all\.$/);
    const other = await message_of(expectFailure(window_of_two(), 'deadlock'));
    expect(other).toContain('It found only: WARNING: tests/explorer/fixtures.ts window_of_two -- sl1:window-of-two:');
  });

  it('a WARN in the message keeps the kernel\'s own shape', async () => {
    const msg = await message_of(expectNoFailures(window_of_two()));
    expect(msg).toMatch(/\] ------------\[ cut here \]------------\n {2}\[ +\d+\.\d{6}\] WARNING: CPU: \d PID: 1 at tests\/explorer\/fixtures.ts window_of_two/);
    expect(msg).toContain('found with 2 preemptions');
  });
});
