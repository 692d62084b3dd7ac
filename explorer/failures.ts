// Turning a finished run into failures, and telling failures apart.
//
// A run can produce several reports. Each report of a kind the caller counts
// is a failure, with one exception: when a run ends in a deadlock, the
// hung-task reports that khungtaskd printed on the way are symptoms of that
// same deadlock (kernel/hung_task.ts lets it look twice before the model's
// deadlock report), so they are not listed again when deadlocks count.
//
// Two failures are "the same" when their kind and title agree once the
// numbers are taken out: pids, timestamps and counts differ from schedule to
// schedule ("task a:1 blocked for more than 120 seconds" vs "task a:3 ..."),
// the problem does not. Lockdep's circular-dependency splats all share one
// title, so for them the classes in the cycle (the "-> #k (class){...}:"
// lines of the dependency chain) are part of the signature: two different
// cycles are two failures, one cycle found from either end is one. Likewise
// the lock a usage report names ("inconsistent lock state" for struct_mutex
// and for another lock are two failures).
import type { kernel_report, report_kind } from '../kernel/panic';
import type { run_result } from '../kernel/init/main';

/** One failure seen in one run. */
export interface run_failure {
  kind: report_kind;
  title: string;
  signature: string;
  /** The report that shows it (for an assert from the scenario's check, a synthetic one). */
  report: kernel_report;
}

/** failure_signature - what identifies a failure across schedules: kind + title without numbers (+ lockdep's cycle). */
export function failure_signature(kind: string, title: string, lines: readonly string[] = []): string {
  const base = `${kind}: ${title.replace(/[0-9]+/g, '#')}`;
  if (kind !== 'lockdep') return base;
  const classes = new Set<string>();
  lines.forEach((l, i) => {
    const m = /^-> #[0-9]+ \((.*)\)\{[^}]*\}:$/.exec(l);
    if (m) classes.add(m[1]!);
    // Usage reports (inconsistent lock state, lock inversion) name their lock on the line after "... takes:" / "... state of lock:".
    if (/ takes:$| just changed the state of lock:$/.test(l)) {
      const lock = /\((.+?)\)\{/.exec(lines[i + 1] ?? '');
      if (lock) classes.add(lock[1]!);
    }
  });
  return classes.size > 0 ? `${base} [${[...classes].sort().join(', ')}]` : base;
}

/**
 * run_failures - the failures of @result (counting only @fail_on kinds), plus
 * @check_message from the scenario's own check as an 'assert' failure.
 */
export function run_failures(result: run_result, check_message: string | null, fail_on: ReadonlySet<string>): run_failure[] {
  const out: run_failure[] = [];
  const seen = new Set<string>();
  // (Only when deadlocks count: a caller counting hung tasks alone gets them.)
  const deadlocked = result.stop === 'deadlock' && fail_on.has('deadlock');
  for (const r of result.reports) {
    if (!fail_on.has(r.kind)) continue;
    if (deadlocked && r.kind === 'hung_task') continue;
    const signature = failure_signature(r.kind, r.title, r.lines);
    if (seen.has(signature)) continue;
    seen.add(signature);
    out.push({ kind: r.kind, title: r.title, signature, report: r });
  }
  if (check_message !== null && fail_on.has('assert')) {
    const title = check_message.split('\n')[0] ?? check_message;
    const signature = failure_signature('assert', title);
    if (!seen.has(signature)) {
      out.push({
        kind: 'assert',
        title,
        signature,
        report: { kind: 'assert', title, lines: [`scenario check failed: ${check_message}`], pid: 0, comm: 'explorer', cpu: 0, ts_ns: result.ts_ns, call_trace: [] },
      });
    }
  }
  return out;
}
