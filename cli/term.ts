// Terminal output: colour only on a terminal that wants it (NO_COLOR,
// FORCE_COLOR, TERM=dumb are honoured), and never colour alone: every
// verdict is also a word (PASS, FAIL, done...), for screen readers and
// monochrome terminals.

/** Is stdout a terminal? (Pipes, CI logs and files get plain text.) */
export const stdout_tty = Boolean(process.stdout.isTTY);
/** Can we read single key presses? */
export const stdin_tty = Boolean(process.stdin.isTTY);

function want_colour(): boolean {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stdout_tty && process.env.TERM !== 'dumb';
}
const colour = want_colour();

const paint = (code: string) => (s: string): string => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint('1');
export const dim = paint('2');
export const red = paint('31');
export const green = paint('32');
export const yellow = paint('33');
export const cyan = paint('36');

/** progress_bar - "[#######-------] 2/6 done", @width cells wide. */
export function progress_bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${green('#'.repeat(filled))}${'-'.repeat(width - filled)}] ${done}/${total} exercises done`;
}

/** Clear the screen and move to the top (terminals only). */
export function clear_screen(): string {
  return stdout_tty ? '\x1b[2J\x1b[3J\x1b[H' : '';
}

/** indent - prefix every line of @text with @by. */
export function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

/** seconds - "1.2 s" */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** visible_width - columns @s takes on a terminal (colour and link escapes take none). */
export function visible_width(s: string): number {
  return [...s.replace(/\x1b\[[0-9;]*m|\x1b\]8;;[^\x07]*\x07/g, '')].length;
}

/** fit - @s cut to @width columns with an ellipsis (plain text only: cut before colouring). */
export function fit(s: string, width: number): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  const head = chars.slice(0, Math.max(1, width - 1)).join('');
  // End at a word when one ends near the cut, so the line does not stop mid-word.
  const space = head.lastIndexOf(' ');
  return (space > head.length - 16 && space > 0 ? head.slice(0, space) : head) + '…';
}

/** The terminal's width, or 80 when it is not a terminal (logs and pipes). */
export function term_columns(): number {
  return stdout_tty && process.stdout.columns ? process.stdout.columns : 80;
}

/** The terminal's height, or 24 when it is not a terminal (a first screen fits 80x24). */
export function term_rows(): number {
  return stdout_tty && process.stdout.rows ? process.stdout.rows : 24;
}

/**
 * file_link - @text as an OSC 8 hyperlink to @abs_path (line @line when the
 * terminal's file opener honours it), on terminals only; plain text elsewhere.
 */
export function file_link(text: string, abs_path: string, line?: number | null): string {
  if (!colour) return text;
  const url = `file://${encodeURI(abs_path)}${line ? `#L${line}` : ''}`;
  return `\x1b]8;;${url}\x07${text}\x1b]8;;\x07`;
}
