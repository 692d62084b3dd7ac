// What a check's explorations proved, for its passing verdict.
//
// A check may explore several scenarios (course/check_helpers.ts
// no_failures) and then run its workloads; its own pass message ("held on 11
// workloads") would hide whether each exploration covered every interleaving
// (complete exploration finished) or only those within the bound. The checks
// runner (course/checks.ts) collects each passing exploration's verdict while
// a check runs and adds them to the check's pass message (issue #14: "the
// checks report 'every interleaving' where complete exploration finished").

let collecting: string[] | null = null;

/** note_proved - a passing exploration's verdict ('scenario "x": no failure in any interleaving in ...'), if a check is collecting. */
export function note_proved(verdict: string): void {
  if (collecting !== null && !collecting.includes(verdict)) collecting.push(verdict);
}

/** collect_proved - run @fn, returning its value and the verdicts of the explorations that passed during it, in order. */
export async function collect_proved<T>(fn: () => Promise<T>): Promise<{ value: T; proved: string[] }> {
  const outer = collecting;
  const mine: string[] = [];
  collecting = mine;
  try {
    return { value: await fn(), proved: mine };
  } finally {
    collecting = outer;
  }
}

/** with_proved - @message followed by each verdict of @proved it does not already say, one a line. */
export function with_proved(message: string, proved: readonly string[]): string {
  const more = proved.filter((p) => !message.includes(p));
  return more.length === 0 ? message : [message, ...more].join('\n');
}
