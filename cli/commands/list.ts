// `shrinker-lab list [filter]`: every exercise with its status (done,
// failing, not compiling, not started...), hints used, and progress.
// The filter is a status word (done, failing, not-compiling, not-started,
// timed-out, crashed, todo = anything not done) or text in the id or title.
import { parse_args } from '../args';
import type { course_ctx } from '../course';
import { status_label, status_word } from '../report';
import { done_count, entry, first_not_done } from '../state';
import { bold, progress_bar } from '../term';

const pad = (s: string, n: number, visible = s.length) => s + ' '.repeat(Math.max(0, n - visible));

/** list_text - the list, optionally filtered, as printed by `list` and by `l` in watch. */
export function list_text(ctx: course_ctx, filter?: string, current?: string): string {
  const f = filter?.toLowerCase().replace(/-/g, ' ');
  const cur = current ?? first_not_done(ctx.manifest, ctx.state);
  const rows = ctx.manifest.exercises.filter((e) => {
    if (!f) return true;
    const w = status_word(entry(ctx.state, e.id).status);
    if (f === 'todo') return w !== 'done';
    return w === f || e.id.includes(f.replace(/ /g, '-')) || e.title.toLowerCase().includes(f);
  });
  const lines = [bold('   #   status          hints  exercise')];
  for (const e of rows) {
    const s = entry(ctx.state, e.id);
    const label = status_label(s.status);
    const mark = e.id === cur ? '>' : ' ';
    lines.push(` ${mark} ${e.id.slice(0, 2)}  ${pad(label, 14, status_word(s.status).length)}  ${`${s.hints}/${e.hints.length}`.padEnd(5)}  ${e.title}`);
  }
  if (rows.length === 0) lines.push(`   (no exercise matches "${filter}")`);
  lines.push('', progress_bar(done_count(ctx.manifest, ctx.state), ctx.manifest.exercises.length));
  return lines.join('\n');
}

export function cmd_list(ctx: course_ctx, argv: readonly string[]): number {
  const p = parse_args(argv, [], ['status']);
  const filter = (p.flags.get('status') as string | undefined) ?? (p.positional.length ? p.positional.join(' ') : undefined);
  console.log(list_text(ctx, filter));
  return 0;
}
