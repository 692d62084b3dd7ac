// Text from learner code on its way to a report: terminal escape sequences
// (colours, cursor moves, title changes, OSC 8 links, screen clears) and
// other control characters are removed, so that summary.txt, the
// instructor's terminal and every result file show only what was printed.

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte ESC sequences, and 8-bit C1 CSI/OSC.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]|\u009d[^\u0007]*\u0007?/g;
// Controls other than tab and newline (CR would let a line overwrite another).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** strip_terminal - @text without terminal escape sequences and control characters (tab and newline kept). */
export function strip_terminal(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}
