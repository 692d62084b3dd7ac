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
