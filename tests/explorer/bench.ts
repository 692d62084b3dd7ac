// Explorer speed on the test scenarios: schedules and scheduler steps per
// second of an exhaustive bound-2 exploration. Not a test (no timing is ever
// asserted); run it with `npx tsx tests/explorer/bench.ts`.
import { explore } from '../../explorer/explore';
import type { scenario } from '../../explorer/scenario';
import { user_task } from '../../kernel/fork';
import { mutex_init, mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { cond_resched } from '../../kernel/sched/core';
import { abba_toy, lost_update, window_of_two, yielders } from './fixtures';
import { abba_mutex, owner_word_recursion } from './mutex_fixtures';

/** A typical exercise shape: @tasks tasks, each taking two of three mutexes @rounds times, with schedule points between. */
function lock_mix(tasks: number, rounds: number): scenario {
  return {
    id: `lock-mix-${tasks}x${rounds}`,
    setup() {
      const locks = [mutex_init('m0'), mutex_init('m1'), mutex_init('m2')];
      for (let i = 0; i < tasks; i++) {
        user_task(async () => {
          for (let r = 0; r < rounds; r++) {
            const a = locks[(i + r) % 3]!;
            const b = locks[(i + r + 1) % 3]!;
            const [first, second] = a.name < b.name ? [a, b] : [b, a];
            await mutex_lock(first);
            await cond_resched();
            await mutex_lock(second);
            mutex_unlock(second);
            mutex_unlock(first);
          }
        }, `t${i}`);
      }
    },
  };
}

const scenarios: scenario[] = [
  abba_toy(true),
  abba_mutex(true, true),
  abba_mutex(false, true),
  owner_word_recursion(true),
  owner_word_recursion(false),
  lost_update(4),
  window_of_two(),
  yielders(3, 10),
  yielders(4, 10),
  lock_mix(2, 3),
  lock_mix(3, 3),
  lock_mix(4, 3),
];

for (const sc of scenarios) await explore(sc, { preemption_bound: 1 }); // warm up the JIT
let total_s = 0;
let total_steps = 0;
let total_ms = 0;
for (const sc of scenarios) {
  const t0 = performance.now();
  const x = await explore(sc, { preemption_bound: 2, stop_on: null });
  const ms = performance.now() - t0;
  total_s += x.schedules;
  total_steps += x.steps;
  total_ms += ms;
  console.log(
    `${sc.id.padEnd(28)} ${String(x.schedules).padStart(6)} schedules ${String(x.steps).padStart(8)} steps ` +
      `${String(x.max_decisions).padStart(4)} decisions/run ${ms.toFixed(1).padStart(7)} ms ` +
      `${((x.schedules / ms) * 1000).toFixed(0).padStart(6)} schedules/s ${((x.steps / ms) * 1000).toFixed(0).padStart(8)} steps/s ` +
      `${x.exhausted ? 'exhausted' : 'NOT exhausted'} ${x.failures.length} failure(s)`,
  );
}
console.log(`total: ${total_s} schedules, ${total_steps} steps in ${total_ms.toFixed(0)} ms: ${((total_s / total_ms) * 1000).toFixed(0)} schedules/s, ${((total_steps / total_ms) * 1000).toFixed(0)} steps/s`);
