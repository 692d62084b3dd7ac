// Text from learner code on its way to a report: terminal escape sequences
// (colours, cursor moves, title changes, OSC 8 links, screen clears) and
// other control characters are removed, so that summary.txt, the
// instructor's terminal and every result file show only what was printed.

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte ESC sequences, and 8-bit C1 CSI/OSC.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]|\u009d[^\u0007]*\u0007?/g;
// Controls other than tab and newline (CR would let a line overwrite another).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Characters that are not shown as themselves: the format characters (\p{Cf}: the bidi marks,
// embeddings, overrides and isolates that turn "0/8" into "8/0" on screen, the zero-width space and
// joiners, the BOM, the word joiner, soft hyphen, tags), the line and paragraph separators (a
// browser, an editor or Gradescope's page shows a new line, so "Error\u2028…: 8/8 (passed)" reads as
// a forged result line), the other default-ignorable characters (combining grapheme joiner, Hangul
// fillers, variation selectors) and lone surrogates (not text: invalid in XML, "\ufffd" elsewhere).
// "8/8\u200b" reads exactly as "8/8": in learner text it is removed, in a name escaped (red team 9 #22).
const INVISIBLE_CLASS = '\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}\\u034f\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u3164\\ufe00-\\ufe0f\\uffa0\\u{e0000}-\\u{e0fff}';
const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]`, 'gu');

/**
 * strip_terminal - @text without terminal escape sequences, control characters (tab and newline kept),
 * or characters that are not shown as themselves (format characters, line separators, default
 * ignorables, lone surrogates). The one sanitiser of learner text on its way to any output.
 */
export function strip_terminal(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '').replace(INVISIBLE, '');
}

// What shown_name() escapes: every control (C0, DEL, C1) and every character strip_terminal removes as invisible.
const UNSAFE_IN_NAME = new RegExp(`[\\p{Cc}${INVISIBLE_CLASS}]`, 'gu');

/**
 * shown_name - a name a submission chose (its folder, a file) made safe to
 * print on the instructor's terminal and in the gradebook: each unsafe
 * character written as a \uXXXX escape, and the whole quoted when there was
 * one. Escaped, not removed: "ESC[2Jmallory" must not show as "mallory", the
 * name of another student.
 */
export function shown_name(name: string): string {
  let changed = false;
  const out = name.replace(UNSAFE_IN_NAME, (c) => {
    changed = true;
    const cp = c.codePointAt(0)!;
    return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
  return changed ? JSON.stringify(out).replace(/\\\\u/g, '\\u') : out;
}

/** The longest message a report carries for one check or one exercise, in characters. */
export const MAX_MESSAGE_CHARS = 8000;

/**
 * cap_message - @text cut to MAX_MESSAGE_CHARS, saying so. Every message of
 * a report is copied into each of the exercise's checks, and each check
 * into summary.txt, results.json, classroom.json and junit.xml: one message
 * of megabytes (red team 8 #02) made the class's reports gigabytes and
 * ended the grader with "Invalid string length", writing no gradebook.
 */
export function cap_message(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}\n… (${text.length - MAX_MESSAGE_CHARS} more characters cut)`;
}

/**
 * message_lines - what a one-line summary shows of an exercise's message: its first line, and when
 * that ends with ':' (the import policy's "file:line: rule" list, the compiler's errors) the lines
 * after it too, up to five, then how many more results.json has (grader red team 12 #01 saw nothing
 * after the colon in the terminal and summary.txt).
 */
export function message_lines(message: string): string[] {
  const lines = message.split('\n');
  if (!lines[0]!.endsWith(':')) return lines.slice(0, 1);
  const shown = lines.slice(0, 6).map((l, i) => (i ? `  ${l.trimStart()}` : l));
  if (lines.length > shown.length) shown.push(`  (${lines.length - shown.length} more line(s) in results.json)`);
  return shown;
}
