// Thin test-facing wrappers: explore, and throw an Error carrying the
// verdict's message when it fails. They use no test framework (a thrown
// Error fails a vitest test with that message), so explorer/ stays free of
// test libraries and runs in the browser.
import type { report_kind } from '../kernel/panic';
import type { scenario } from './scenario';
import { check_failure, check_no_failures, type verdict, type verdict_options } from './verdict';

/**
 * expectNoFailures - throw unless no schedule of @sc within the bound fails
 * (and the bounded space was covered). The message shows the simplest
 * failing schedule, the kernel's report, the trace tail and the schedule string.
 */
export async function expectNoFailures(sc: scenario, opts: verdict_options = {}): Promise<verdict> {
  const v = await check_no_failures(sc, opts);
  if (!v.ok) throw new Error(v.message);
  return v;
}

/**
 * expectFailure - throw unless some schedule of @sc shows a failure of
 * @kind (to prove a starter is broken). Returns the verdict, whose failure
 * and replay a test may inspect further.
 */
export async function expectFailure(sc: scenario, kind: report_kind, opts: verdict_options = {}): Promise<verdict> {
  const v = await check_failure(sc, kind, opts);
  if (!v.ok) throw new Error(v.message);
  return v;
}
