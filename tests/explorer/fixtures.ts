// Scenarios the explorer's own tests run: small programs for the kernel
// model with known concurrency bugs (and their fixed variants), built only
// from the scheduler core (kthreads, user tasks, wait queues, completions,
// schedule points), so that they test the explorer and nothing else.
import { user_task } from '../../kernel/fork';
import { kthread_run } from '../../kernel/kthread';
import { WARN_ON } from '../../kernel/panic';
import { cond_resched, current, schedule, set_current_state, wake_up_process, model_schedule_point } from '../../kernel/sched/core';
import { TASK_UNINTERRUPTIBLE, type task_struct } from '../../kernel/sched/task';
import { init_waitqueue_head, wait_event, wake_up, type wait_queue_head } from '../../kernel/sched/wait';
import type { scenario } from '../../explorer/scenario';

/**
 * A toy sleeping lock on a wait queue: taking it is a schedule point (as
 * mutex_lock is), and a waiter names the owner, so a deadlock report shows
 * the wait-for cycle. Stands in for struct mutex in these tests.
 */
export interface toy_lock {
  name: string;
  owner: task_struct | null;
  wq: wait_queue_head;
}

export function toy_lock_init(name: string): toy_lock {
  return { name, owner: null, wq: init_waitqueue_head(name) };
}

export async function toy_lock_acquire(l: toy_lock): Promise<void> {
  await model_schedule_point('toy_lock_acquire');
  await wait_event(l.wq, () => l.owner === null, () => l.owner);
  l.owner = current;
}

export function toy_lock_release(l: toy_lock): void {
  l.owner = null;
  wake_up(l.wq);
}

/** Two tasks take two locks in opposite orders, with cond_resched() in between: the ABBA deadlock. */
export function abba_toy(opposite: boolean): scenario {
  return {
    id: opposite ? 'abba-toy' : 'abba-toy-fixed',
    setup() {
      const a = toy_lock_init('lock_a');
      const b = toy_lock_init('lock_b');
      const body = (first: toy_lock, second: toy_lock) => async () => {
        await toy_lock_acquire(first);
        await cond_resched();
        await toy_lock_acquire(second);
        toy_lock_release(second);
        toy_lock_release(first);
      };
      user_task(body(a, b), 'task_ab');
      user_task(opposite ? body(b, a) : body(a, b), 'task_ba');
    },
  };
}

/**
 * A lost wake-up: the waiter tests the flag, then (after a schedule point)
 * goes to sleep without testing it again. If the waker sets the flag and
 * wakes it in between, the wake-up finds it still running and is lost.
 * Fixed: set the task state before testing the flag, as wait_event() does.
 */
export function lost_wakeup(fixed: boolean): scenario {
  return {
    id: fixed ? 'lost-wakeup-fixed' : 'lost-wakeup',
    setup() {
      let flag = false;
      const waiter = user_task(async () => {
        if (fixed) {
          set_current_state(TASK_UNINTERRUPTIBLE);
          while (!flag) {
            await schedule({ describe: () => 'flag', holder: () => null });
            set_current_state(TASK_UNINTERRUPTIBLE);
          }
          set_current_state(0);
          return;
        }
        if (!flag) {
          await cond_resched();
          set_current_state(TASK_UNINTERRUPTIBLE);
          await schedule({ describe: () => 'flag', holder: () => null });
        }
      }, 'waiter');
      user_task(async () => {
        await cond_resched();
        flag = true;
        wake_up_process(waiter);
      }, 'waker');
    },
  };
}

/** Two increments of a shared counter, each a read and a write with a schedule point between: a lost update. */
export function lost_update(tasks = 2, fixed = false): scenario {
  let counter = 0;
  return {
    id: fixed ? `lost-update-fixed-${tasks}` : `lost-update-${tasks}`,
    setup() {
      counter = 0;
      for (let i = 0; i < tasks; i++) {
        user_task(async () => {
          if (fixed) {
            await cond_resched();
            counter++;
            return;
          }
          const v = counter;
          await cond_resched();
          counter = v + 1;
        }, `inc${i}`);
      }
    },
    check: () => (counter === tasks ? null : `counter is ${counter} after ${tasks} increments: an update was lost`),
  };
}

/**
 * A WARN that needs two deviations: the checker must look while the writer
 * is inside its window (busy = 1). The writer only runs once the checker
 * yields (switch one), and must then be stopped inside the window (switch
 * two). The default run, and every schedule with one deviation, are clean.
 */
export function window_of_two(): scenario {
  return {
    id: 'window-of-two',
    setup() {
      let busy = 0;
      user_task(async () => {
        await cond_resched();
        WARN_ON(busy === 1, 'tests/explorer/fixtures.ts window_of_two');
      }, 'checker');
      kthread_run(async () => {
        await cond_resched();
        busy = 1;
        await cond_resched();
        busy = 0;
      }, 'writer');
    },
  };
}

/** Tasks that only yield: a space with many schedules and no failure (for budgets and speed). */
export function yielders(tasks: number, points: number): scenario {
  return {
    id: `yielders-${tasks}x${points}`,
    setup() {
      for (let i = 0; i < tasks; i++) {
        user_task(async () => {
          for (let k = 0; k < points; k++) await cond_resched();
        }, `y${i}`);
      }
    },
  };
}
