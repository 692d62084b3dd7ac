// A passing check says what its explorations proved (course/proved.ts): every
// interleaving where complete exploration finished, every schedule within the
// bound where it did not, even when the check's own pass message is about
// its workloads.
import { describe, expect, it } from 'vitest';
import { no_failures } from '../../course/check_helpers';
import { pass, run_checks, type check_suite } from '../../course/checks';
import { yielders } from './fixtures';
import { abba_mutex } from './mutex_fixtures';

describe("a passing check's verdict says what its explorations proved", () => {
  it('every interleaving for the small scenario, within bound 2 for the big one, below the check\'s own summary', async () => {
    const suite: check_suite = {
      exercise: '00-proved',
      exports: {},
      checks: [
        {
          id: 'explores-two',
          name: 'explores two scenarios, then reports on its workloads',
          async run() {
            for (const sc of [{ ...abba_mutex(false, true), footprint: 'tagged' as const }, yielders(4, 10)]) {
              const o = await no_failures(sc);
              if (!o.ok) return o;
            }
            return pass('held on 3 workloads (fixed seed 1)');
          },
        },
        { id: 'explores-one', name: 'returns the exploration itself', run: () => no_failures({ ...abba_mutex(false, true), footprint: 'tagged' }) },
        { id: 'explores-none', name: 'explores nothing', run: async () => pass('held on 2 workloads') },
      ],
    };
    const [two, one, none] = await run_checks(suite, {});
    expect(two!.status).toBe('passed');
    const lines = two!.message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('held on 3 workloads (fixed seed 1)');
    expect(lines[1]).toMatch(/^scenario "abba-mutex-fixed": no failure in any interleaving in .* every interleaving covered$/);
    expect(lines[2]).toMatch(/^scenario "yielders[^"]*": no failure within bound 2 in \d+ schedules with at most 2 preemptions, \d+ steps; space exhausted$/);
    // A check whose message is the exploration's verdict says it once.
    expect(one!.message).toMatch(/^scenario "abba-mutex-fixed": no failure in any interleaving in [^\n]*$/);
    expect(none!.message).toBe('held on 2 workloads');
  });
});
