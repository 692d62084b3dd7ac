import { describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { mutex_init, mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { init_completion, wait_for_completion } from '../../kernel/sched/completion';
import type { kernel_report } from '../../kernel/panic';
import { print_ip_sym } from '../../kernel/lib/dump_stack';

/**
 * "holder" takes A and B and waits forever; "waiter" takes C and then
 * blocks on A. khungtaskd reports both, and each report lists every
 * sleeping task's locks (kernel/hung_task.c check_hung_task ->
 * debug_show_all_locks, v4.10/v4.11).
 */
function two_hung_tasks(): void {
  const A = mutex_init('A');
  const B = mutex_init('B');
  const C = mutex_init('C');
  const never = init_completion('never');
  user_task(async () => {
    await mutex_lock(A, 'holder_a');
    await mutex_lock(B, 'holder_b');
    await wait_for_completion(never);
  }, 'holder');
  user_task(async () => {
    await mutex_lock(C, 'waiter_c');
    await mutex_lock(A, 'waiter_a');
    mutex_unlock(A);
    mutex_unlock(C);
  }, 'waiter');
}

function hung(reports: readonly kernel_report[], comm: string): kernel_report {
  return reports.find((r) => r.kind === 'hung_task' && r.title.startsWith(`task ${comm}:`))!;
}

describe('hung-task report (khungtaskd)', () => {
  it('ends with debug_show_all_locks(): the locks of every sleeping task, not only the hung one', async () => {
    const r = await start_kernel({}, two_hung_tasks);
    expect(r.stop).toBe('deadlock');
    const w = hung(r.reports, 'waiter');
    expect(w.lines.slice(0, 3)).toEqual([
      'INFO: task waiter:2 blocked for more than 120 seconds.',
      '      Not tainted 4.11.0-shrinkerlab #1',
      '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
    ]);
    expect(w.lines.slice(4)).toEqual([
      '  (model) waiting for mutex A, held by holder:1',
      '',
      'Showing all locks held in the system:',
      '2 locks held by holder/1:',
      ` #0:  (A){+.+...}, at: ${print_ip_sym('holder_a')}`,
      ` #1:  (B){+.+...}, at: ${print_ip_sym('holder_b')}`,
      // mutex_lock() tells lockdep before it sleeps: the lock being waited for is listed too.
      '2 locks held by waiter/2:',
      ` #0:  (C){+.+...}, at: ${print_ip_sym('waiter_c')}`,
      ` #1:  (A){+.+...}, at: ${print_ip_sym('waiter_a')}`,
      '',
      '=============================================',
      '',
    ]);
    // The holder's own report lists the same system-wide picture.
    expect(hung(r.reports, 'holder').lines).toContain('2 locks held by waiter/2:');
  });

  it('says "INFO: lockdep is turned off." once an earlier splat turned lock debugging off', async () => {
    const r = await start_kernel({}, () => {
      const M = mutex_init('M');
      user_task(async () => {
        await mutex_lock(M, 'first');
        await mutex_lock(M, 'again'); // possible recursive locking, then a real self-deadlock
      }, 'self');
    });
    expect(r.reports.map((x) => x.kind)).toEqual(['lockdep', 'hung_task', 'deadlock']);
    expect(r.reports[1]!.lines.at(-1)).toBe('INFO: lockdep is turned off.');
  });

  it('prints no lock listing when lockdep is not built in', async () => {
    const r = await start_kernel({ lockdep: false }, two_hung_tasks);
    const w = hung(r.reports, 'waiter');
    expect(w.lines.at(-1)).toBe('  (model) waiting for mutex A, held by holder:1');
  });
});
