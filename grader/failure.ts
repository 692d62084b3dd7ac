// When the grader itself cannot grade (a broken hidden folder, a points file
// that is missing or not JSON, a suite that does not compile, an unreadable
// manifest, a crash), the student still gets result files, and they must say
// nothing the student may not know: the error's own text names hidden suites,
// their paths, their check ids or their source. So what a student sees is
// one fixed sentence per kind of failure; the error itself goes to the
// instructor's log only (grader/main.ts: the terminal, which Gradescope hides
// from students, and grader-error.txt in the output folder).
import { manifest_error } from '../course/manifest';

/** Whose setup failed, as a student may be told it. */
export type failure_kind = 'hidden' | 'manifest' | 'submission' | 'starter' | 'grader';

/** A failure of the grader's own setup, thrown with its kind (the message is the instructor's detail). */
export class grader_failure extends Error {
  constructor(readonly kind: failure_kind, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'grader_failure';
  }
}

/** The sentences a student may see, one per kind: fixed text, never the error's. */
export const SHOWN_FAILURE: Record<failure_kind, string> = {
  hidden: "the grader could not run: the instructor's hidden checks could not be prepared (the instructor's log says why; nothing of your submission was graded)",
  manifest: "the grader could not run: the course's exercises/course.json could not be read (the instructor's log says why)",
  submission: 'the grader could not run: the submission could not be read (the instructor\'s log says why)',
  starter: "the grader could not run: an exercise's starter in the instructor's course is already solved (the instructor's log says which; nothing of your submission was graded)",
  grader: "the grader could not run: an error in the grader itself (the instructor's log says why)",
};

/** failure_kind_of - the kind of @e: a grader_failure says it, a manifest_error is the manifest's, the rest the grader's. */
export function failure_kind_of(e: unknown): failure_kind {
  if (e instanceof grader_failure) return e.kind;
  if (e instanceof manifest_error) return 'manifest';
  return 'grader';
}

/** failure_detail - the whole of @e for the instructor's log: message, stack and causes. */
export function failure_detail(e: unknown): string {
  const parts: string[] = [];
  for (let x: unknown = e, depth = 0; x !== undefined && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    parts.push(x instanceof Error ? (x.stack ?? `${x.name}: ${x.message}`) : String(x));
    if (!(x instanceof Error)) break;
  }
  return parts.join('\ncaused by: ');
}

/** shown_failure - what a student may be told of @e. */
export function shown_failure(e: unknown): string {
  return SHOWN_FAILURE[failure_kind_of(e)];
}
