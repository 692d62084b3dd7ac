// Every failure leads to the code being judged (issue #13): its message has a
// kernel-style Call Trace with a frame in that code's own file, at a line,
// and a window of the trace (the explorer's "End of the trace", or the
// explaining replay's "The trace where your code ran"). Frames the realm
// could not place (a function that returned a wrong value without calling
// the kernel: "fn   <- your code (returned 0)") are placed first, as the CLI
// places them on the learner's screen (cli/return_site.ts).
import { relative } from 'node:path';
import { place_your_frames } from '../../cli/return_site';
import type { check_result } from '../../course/checks';
import { COURSE_ROOT } from '../../course/files';
import type { manifest_exercise } from '../../course/manifest';

/** A frame of a Call Trace: " fn (file:line)", maybe marked "   <- your code". */
const FRAME = /^\s+\S.* \((\S+):\d+\)(?: {3}<- your code)?$/;
/** The headings of the two trace windows a failure can carry. */
const WINDOW = /^\s*(?:End of the trace|The trace where your code ran)\b/m;

/** The files of every Call Trace in @message. */
function call_trace_files(message: string): string[] {
  const lines = message.split('\n');
  const files: string[] = [];
  lines.forEach((l, i) => {
    if (l.trim() !== 'Call Trace:') return;
    for (let k = i + 1; k < lines.length; k++) {
      const m = FRAME.exec(lines[k]!);
      if (!m) break;
      files.push(m[1]!);
    }
  });
  return files;
}

/**
 * untraced_failures - the failed checks of @results (exercise @e's suite run
 * on the files in @dir, an absolute folder) whose message, its frames placed
 * as the CLI places them, has no Call Trace frame in a file of @dir or no
 * trace window: "id: why" for each.
 */
export function untraced_failures(e: manifest_exercise, results: readonly check_result[], dir: string): string[] {
  const tree_dir = relative(COURSE_ROOT, dir);
  const out: string[] = [];
  for (const r of results) {
    if (r.status !== 'failed') continue;
    const message = place_your_frames(COURSE_ROOT, e, r.message, tree_dir);
    const files = call_trace_files(message);
    if (!files.some((f) => f.startsWith(`${tree_dir}/`))) {
      out.push(`${r.id}: no Call Trace frame in ${tree_dir}/ (${files.length ? `frames only in ${[...new Set(files)].join(', ')}` : 'no Call Trace at all'}): ${r.message.split('\n')[0]!.slice(0, 160)}`);
    } else if (!WINDOW.test(message)) out.push(`${r.id}: no trace window: ${r.message.split('\n')[0]!.slice(0, 160)}`);
  }
  return out;
}
