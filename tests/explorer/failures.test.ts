import { describe, expect, it } from 'vitest';
import { failure_signature, run_failures } from '../../explorer/failures';
import type { run_result } from '../../kernel/init/main';
import type { kernel_report } from '../../kernel/panic';
import { print_ip_sym } from '../../kernel/lib/dump_stack';

const rep = (kind: kernel_report['kind'], title: string, lines: string[] = []): kernel_report => ({ kind, title, lines, pid: 1, comm: 'a', cpu: 0, ts_ns: 0, call_trace: [] });
const result = (stop: string, reports: kernel_report[]): run_result => ({ stop, reports, dmesg: [], trace: [], steps: 1, ts_ns: 0 });
const all = new Set(['deadlock', 'hung_task', 'lockdep', 'warn', 'assert']);

describe('failures', () => {
  it('tells failures apart by kind and title, ignoring pids, times and counts', () => {
    expect(failure_signature('hung_task', 'task a:1 blocked for more than 120 seconds')).toBe(failure_signature('hung_task', 'task a:7 blocked for more than 120 seconds'));
    expect(failure_signature('hung_task', 'task a:1 blocked for more than 120 seconds')).not.toBe(failure_signature('hung_task', 'task b:1 blocked for more than 120 seconds'));
    expect(failure_signature('warn', 'x')).not.toBe(failure_signature('bug', 'x'));
  });

  it('tells lockdep usage reports apart by the lock they name', () => {
    const usage = (cls: string) => ['inconsistent {RECLAIM_FS-ON-W} -> {IN-RECLAIM_FS-W} usage.', 'kswapd0/12 [HC0[0]:SC0[0]:HE1:SE1] takes:', ` (${cls}){+.+.?.}, at: ${print_ip_sym('mutex_lock')}`];
    const t = 'inconsistent lock state';
    expect(failure_signature('lockdep', t, usage('&dev->struct_mutex'))).toBe('lockdep: inconsistent lock state [&dev->struct_mutex]');
    expect(failure_signature('lockdep', t, usage('&dev->struct_mutex'))).not.toBe(failure_signature('lockdep', t, usage('shrinker_rwsem')));
  });

  it('tells lockdep cycles apart by their lock classes, in whatever order the chain was found', () => {
    const cycle = (...names: string[]) => names.map((n, k) => `-> #${k} (${n}){+.+.}:`);
    const t = 'possible circular locking dependency detected';
    expect(failure_signature('lockdep', t, cycle('&dev->struct_mutex', 'fs_reclaim'))).toBe(failure_signature('lockdep', t, cycle('fs_reclaim', '&dev->struct_mutex')));
    expect(failure_signature('lockdep', t, cycle('a', 'b'))).not.toBe(failure_signature('lockdep', t, cycle('a', 'c')));
    expect(failure_signature('lockdep', t, cycle('a', 'b'))).toBe('lockdep: possible circular locking dependency detected [a, b]');
  });

  it('does not list the hung-task reports of a run that ends in a deadlock, unless deadlocks are not counted', () => {
    const r = result('deadlock', [rep('hung_task', 'task a:1 blocked for more than 120 seconds'), rep('deadlock', 'deadlock: a:1 -> b:2')]);
    expect(run_failures(r, null, all).map((f) => f.kind)).toEqual(['deadlock']);
    expect(run_failures(r, null, new Set(['hung_task'])).map((f) => f.kind)).toEqual(['hung_task']);
  });

  it('adds the scenario check as an assert failure, and counts only the kinds asked for', () => {
    const r = result('completed', [rep('warn', 'w'), rep('lockdep', 'l')]);
    expect(run_failures(r, 'counter is 1\nmore detail', all).map((f) => [f.kind, f.title])).toEqual([
      ['warn', 'w'],
      ['lockdep', 'l'],
      ['assert', 'counter is 1'],
    ]);
    expect(run_failures(r, 'x', new Set(['lockdep'])).map((f) => f.kind)).toEqual(['lockdep']);
  });
});
